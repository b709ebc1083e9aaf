#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# ./run.sh --kernel a=debian:6.12 --kernel b=debian:6.12 --rounds 2 --append ARG:
# boots in the order a b b a; one report per kernel holding both rounds
# (rounds, rep.round, round_info) with its label and ARG in kernel.cmdline,
# beside the per-boot reports (rounds.txt lists them); one shuffle seed per
# round, shared by both kernels (per-boot arguments); exact counts equal
# across boots and kernels; the two reports compared (the verdict itself, 0 or
# 1, is compare's business: tests/integration/compare_*). Quick config, TCG.
set -uo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname -- "$0")/lib.sh"
need_suite_guest debian:6.12
ARG=rmapbench.test=rounds
run_sh "$T_DIR/run.log" --kernel a=debian:6.12 --kernel b=debian:6.12 --rounds 2 \
	--append "$ARG" --accel tcg --config "$ROOT/configs/quick.conf" --out "$T_DIR/results" \
	--timeout "${T_TIMEOUT:-400}"
if [ "$RC" -gt 1 ]; then
	sed 's/^/  | /' "$T_DIR/run.log" | tail -n 40
	fail "run.sh exited $RC"
fi
[ "$RC" -eq 0 ] || note "compare called the same kernel a regression: $(grep -c '\*R$' "$T_DIR/run.log") metric(s): $(grep '\*R$' "$T_DIR/run.log" | awk '{print $1}' | sort -u | tr '\n' ' ')"
order=$(sed -n 's/^run\.sh: round [0-9]*\/2, run [0-9]*\/4: \([ab]\)=debian:6\.12 .*/\1/p' "$T_DIR/run.log" | tr -d '\n')
[ "$order" = abba ] || fail "boot order '$order', expected abba"
mapfile -t reports < <(sed -n 's/^report: //p' "$T_DIR/run.log")
mapfile -t boots < <(sed -n 's/^round report: //p' "$T_DIR/run.log")
[ ${#reports[@]} -eq 2 ] || fail "${#reports[@]} merged reports, expected 2"
[ ${#boots[@]} -eq 4 ] || fail "${#boots[@]} per-boot reports, expected 4"
grep -q '^comparison: ' "$T_DIR/run.log" || fail "no comparison"
python3 - "$K_RELEASE" "$ARG" "${reports[@]}" "${boots[@]}" <<'PY' || fail "report checks failed"
import json, os, sys
rel, arg, ra, rb, *boots = sys.argv[1:]
exact = {}
for path, label in ((ra, "a"), (rb, "b")):
    r = json.load(open(path))
    assert r.get("label") == label, f"{path}: label {r.get('label')!r}"
    assert r["kernel"]["release"] == rel
    assert arg in r["kernel"]["cmdline"].split(), f"{path}: cmdline {r['kernel']['cmdline']!r}"
    assert r.get("rounds") == 2, f"{path}: rounds {r.get('rounds')}"
    ri = r["round_info"]
    assert [e["round"] for e in ri] == [1, 2], ri
    for e in ri:
        assert arg in e["cmdline"].split() and sorted(e["order"]) == sorted(r["config"]["workloads"]), e
    listed = open(os.path.join(os.path.dirname(path), "rounds.txt")).read().split()
    assert len(listed) == 2 and all(f"/{label}-{rel}-round" in d for d in listed), listed
    for w in r["workloads"]:
        assert w["status"] == "ok", (path, w["name"], w["status"], w.get("reason"))
        assert sorted((x["round"], x["rep"]) for x in w["reps"]) == [(1, 1), (2, 1)], (w["name"], w["reps"])
        for x in w["reps"]:
            for name, m in x["metrics"].items():
                if m["kind"] == "exact" and name.endswith(".allocs") and m["value"] is not None:
                    exact.setdefault((w["name"], name), set()).add(m["value"])
# each boot got its own arguments (appended to the kernel's reused initramfs):
# one shuffle seed per round, the same for both kernels in that round
seeds = [[e.get("shuffle_seed") for e in json.load(open(p))["round_info"]] for p in (ra, rb)]
assert seeds[0] == seeds[1] and None not in seeds[0] and seeds[0][0] != seeds[0][1], f"seeds {seeds}"
differ = {k: v for k, v in exact.items() if len(v) > 1}
assert not differ, f"exact allocation counts differ across boots: {differ}"
for b in boots:
    r = json.load(open(b))
    assert "rounds" not in r and len(r["round_info"]) == 1 and r.get("label") in ("a", "b"), b
print(f"{len(exact)} exact allocation counts equal over 4 boots")
PY
pass "boots abba, 2 rounds per kernel, labels a/b, $ARG in the command line"
