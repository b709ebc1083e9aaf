# mremap-frag and mremap-multi against docs/workloads.md ("mremap-frag", "mremap-multi"),
# with the kernel-dependent outcomes derived here from the running kernel's version.
. "$(dirname "$0")/lib.sh"
need_root
"$RMB" run --workload mremap-frag,mremap-multi --reps 2 --interval 0 --json "$TMP/r.json"
python3 - "$TMP/r.json" "$(uname -r)" <<'PY'
import json, re, sys
r = json.load(open(sys.argv[1]))
ver = tuple(int(x) for x in re.match(r"(\d+)\.(\d+)", sys.argv[2]).groups())
bad = []
w = {x["name"]: x for x in r["workloads"]}
facts = {"untouched": 1, "written_before": 1, "written_away": 3, "mprotect_ro": 3,
         "mprotect_back": 1, "munmap_hole": 2,
         # faulted part next to an untouched neighbour: 2 VMAs up to 6.15, 1 from 6.16
         "mprotect_faulted_next": 1 if ver >= (6, 16) else 2}
for rep in w["mremap-frag"]["reps"]:
    m = rep["metrics"]
    for phase, want in facts.items():
        got = m[f"phase.{phase}.vmas"]["value"]
        if got != want:
            bad.append(f"mremap-frag {phase}: {got} VMAs, kernel facts say {want}")
    if m["merges.achieved"]["value"] != m["merges.expected"]["value"]:
        bad.append("mremap-frag: merges achieved != expected")
    for name, x in m.items():
        if name.endswith("_ns") and x["kind"] != "timed":
            bad.append(f"{name} is not timed")
for rep in w["mremap-multi"]["reps"]:
    m = rep["metrics"]
    if ver >= (6, 17):
        want = {"multi.supported": 1, "multi.errno": 0, "multi.gaps_preserved": 1,
                "multi.vmas_after": 3}
    else:
        want = {"multi.supported": 0, "multi.errno": 14}
    want.update({"resize.errno": 14, "gapstart.errno": 14})
    for k, v in want.items():
        if m[k]["value"] != v:
            bad.append(f"mremap-multi {k} = {m[k]['value']}, expected {v}")
for b in bad:
    print("FAIL:", b)
sys.exit(1 if bad else 0)
PY
echo "mremap-frag phases and mremap-multi match the kernel facts for $(uname -r)"
