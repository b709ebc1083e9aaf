#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# `rmapbench compare` over reports of several machines (docs/compare.md,
# "Many machines"): inputs are grouped by machine fingerprint; exact
# metrics are compared against the base across machines, timed ones only
# against the first report of the test's own machine. Built from the
# sample reports with their machine fields changed:
#   base   machine A (fingerprint computed from the fields)
#   a-slow machine A, timed +15% (report-test.json): regression vs base
#   b-ref  machine B (other CPU, cores, memory), the base's runs 20% faster
#          on B and one exact count changed: first of B, timed not judged,
#          the exact change flagged against the base
#   b-slow machine B, report-test.json 20% faster: +15% vs b-ref (a
#          regression) but -8% vs base (an improvement, were it judged
#          against the base): judged against b-ref
#   c-twin machine A's fields, another fingerprint (another host of the
#          same model, as /etc/machine-id makes it): first of C
# and checks the verdicts, the groups and the per-test timed base in
# comparison.json, the table, summary.md and index.html; --force; bad
# fingerprints exit 2; `rmapbench fingerprint`; `rmapbench merge` refuses
# rounds of two machines.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
RMB=${RMAPBENCH:-$RMB}
DATA=$ROOT/tests/data

[ -x "$RMB" ] || skip "$RMB not built (make)"

python3 - "$DATA/report-base.json" "$DATA/report-test.json" "$TMP" <<'PY'
import json, sys
base, test, out = sys.argv[1:4]
B = {"cpu_model": "AMD EPYC 7R13 Processor", "cores": 4, "memory_kib": 16303000,
     "virt": "native", "accel": None}

def make(src, name, label, machine=None, scale=1.0, exact=None):
    r = json.load(open(src))
    r["label"] = label
    if machine is not None:
        r["machine"] = dict(machine)
    for w in r["workloads"]:
        for rep in w["reps"]:
            for k, m in rep["metrics"].items():
                if m["kind"] == "timed" and m["value"] is not None:
                    m["value"] = m["value"] * scale
                if exact and w["name"] == exact[0] and k == exact[1]:
                    m["value"] += exact[2]
    json.dump(r, open(f"{out}/{name}.json", "w"), indent=1)

make(base, "base", "base")
make(test, "a-slow", "a-slow")
make(base, "b-ref", "b-ref", B, 0.8, ("fork-tree", "processes", 1))
make(test, "b-slow", "b-slow", B, 0.8)
twin = dict(json.load(open(base))["machine"], fingerprint="0123456789abcdef")
make(base, "c-twin", "c-twin", twin)
PY
IN=("$TMP/base.json" "$TMP/a-slow.json" "$TMP/b-ref.json" "$TMP/b-slow.json" "$TMP/c-twin.json")

run_rc 1 "four machines" "$RMB" compare "${IN[@]}" --out "$TMP/m" --no-graphs
cp "$TMP/out" "$TMP/m.txt"
python3 - "$TMP/m/comparison.json" <<'PY' || fail "comparison.json of several machines"
import json, sys
c = json.load(open(sys.argv[1]))
t = {x["label"]: x for x in c["tests"]}
g = c["machine_groups"]

def verdicts(label, kind, name=None):
    return {(w["name"], m["name"]): m for w in t[label]["workloads"] for m in w["metrics"]
            if m["kind"] == kind and (name is None or m["name"] == name)}

assert [x["members"] for x in g] == [["base", "a-slow"], ["b-ref", "b-slow"], ["c-twin"]], g
assert [x["timed_base"] for x in g] == ["base", "b-ref", "c-twin"], g
assert g[0]["base"] and not g[1]["base"], g
assert g[2]["fingerprint"] == "0123456789abcdef", g
assert "AMD EPYC 7R13 Processor, 4 cores, 16 GiB, native" == g[1]["machine"], g[1]["machine"]
assert c["base"]["fingerprint"] == g[0]["fingerprint"] and c["base"]["fingerprint_source"] == "computed"
assert t["c-twin"]["fingerprint_source"] == "report"
# the raw machine object is kept (exports match reports by it)
assert "fingerprint" not in c["base"]["machine"]
assert [t[x]["machine_group"] for x in ("a-slow", "b-ref", "b-slow", "c-twin")] == [0, 1, 1, 2]

# a-slow: timed judged against the base, headline regression
assert t["a-slow"]["timed_base"]["label"] == "base", t["a-slow"]["timed_base"]
m = verdicts("a-slow", "timed", "fork.mean_ns")[("fork-chain", "fork.mean_ns")]
assert m["verdict"] == "regression" and m["gate"], m["verdict"]

# b-ref: first of machine B: timed not judged, exact compared against the base
assert t["b-ref"]["timed_base"] is None
assert t["b-ref"]["environment"]["timed"] == "refused"
assert not t["b-ref"]["timed"]["judged"]
assert "first report of machine" in t["b-ref"]["timed"]["not_judged_reason"], t["b-ref"]["timed"]
assert t["b-slow"]["timed"]["judged"] and t["b-slow"]["timed"]["not_judged_reason"] is None
tm = verdicts("b-ref", "timed")
judged = [k for k, m in tm.items() if m["verdict"] not in ("not-judged", "unavailable")]
assert not judged, judged
assert any("first report of machine " + g[1]["fingerprint"] in (m["reason"] or "")
           for m in tm.values()), "no 'first report of machine' reason"
ex = verdicts("b-ref", "exact")
assert ex[("fork-tree", "processes")]["verdict"] == "changed", ex[("fork-tree", "processes")]
assert ex[("fork-tree", "processes")]["delta"] == 1
assert ex[("fork-chain", "fork.1.vm_area_struct")]["verdict"] == "unchanged"

# b-slow: timed judged against b-ref (+15%: regression; against the base
# it would be an improvement), exact against the base (its +2 chains)
assert t["b-slow"]["timed_base"]["label"] == "b-ref", t["b-slow"]["timed_base"]
assert t["b-slow"]["timed_base"]["fingerprint"] == g[1]["fingerprint"]
assert t["b-slow"]["environment"]["timed"] == "judged"
m = verdicts("b-slow", "timed", "fork.mean_ns")[("fork-chain", "fork.mean_ns")]
assert m["verdict"] == "regression", (m["verdict"], m["change_pct"])
assert 10 < m["change_pct"] < 20, m["change_pct"]
assert abs(m["base"]["median"] - 0.8 * 107043.2) < 1, m["base"]["median"]
ex = verdicts("b-slow", "exact")
assert ex[("fork-chain", "fork.4.anon_vma_chain")]["verdict"] == "regression"
assert ex[("fork-chain", "fork.4.anon_vma_chain")]["base"]["value"] == 60

# c-twin: same fields as A, another fingerprint: first of its machine
assert t["c-twin"]["timed_base"] is None
assert "machine.fingerprint" in t["c-twin"]["environment"]["differences"]
assert t["c-twin"]["counts"]["regression"] == 0
print("groups and timed bases ok")
PY

# the text table, summary.md and index.html say where timed metrics were judged
grep -q '^3 machines: ' "$TMP/m.txt" || fail "table: no machine list"
grep -q 'test 3: b-slow .*, timed vs b-ref$' "$TMP/m.txt" || fail "table: b-slow's timed base"
grep -q 'test 2: b-ref .*, timed not judged$' "$TMP/m.txt" || fail "table: b-ref not said unjudged"
grep -q 'NOTE \[b-slow\]: timed metrics judged against b-ref, the first report of machine' "$TMP/m.txt" ||
	fail "table: no note on b-slow's timed base"
grep -q 'machine .*(AMD EPYC 7R13 Processor, 4 cores, 16 GiB, native): b-ref, b-slow; timed base b-ref' \
	"$TMP/m.txt" || fail "table: machine B's group"
grep -q '^## Machines' "$TMP/m/summary.md" || fail "summary.md: no Machines section"
grep -q '| `b-ref`, `b-slow` | `b-ref` |' "$TMP/m/summary.md" || fail "summary.md: machine B's row"
grep -q 'first report of machine' "$TMP/m/summary.md" || fail "summary.md: first of B not said"
grep -q 'timed metrics judged against b-ref' "$TMP/m/summary.md" || fail "summary.md: b-slow's timed base"
grep -q '<h2>Machines</h2>' "$TMP/m/index.html" || fail "index.html: no Machines table"
grep -q 'timed metrics judged against b-ref' "$TMP/m/index.html" || fail "index.html: b-slow's timed base"

# exports name what each metric was compared against
"$RMB" export --format junit "$TMP/b-slow.json" --comparison "$TMP/m/comparison.json" -o "$TMP/b-slow.xml" ||
	fail "JUnit export of b-slow"
grep -q '<property name="timed_base" value="b-ref"/>' "$TMP/b-slow.xml" || fail "JUnit: no timed_base property"
grep -q 'fork.mean_ns: regression, .* against b-ref"' "$TMP/b-slow.xml" || fail "JUnit: timed regression not against b-ref"
grep -q 'slab.anon_vma_chain.allocs: regression, 168 -&gt; 170 .* against base"' "$TMP/b-slow.xml" ||
	fail "JUnit: exact regression not against the base"
"$RMB" export --format junit "$TMP/a-slow.json" --comparison "$TMP/m/comparison.json" -o "$TMP/a-slow.xml" ||
	fail "JUnit export of a-slow"
grep -q 'timed_base' "$TMP/a-slow.xml" && fail "JUnit: a timed_base property for a test judged against the base"

# --force: the first of a machine is judged against the base; the others
# still against their machine's first
run_rc 1 "--force" "$RMB" compare "${IN[@]}" --out "$TMP/f" --no-graphs --force
python3 - "$TMP/f/comparison.json" <<'PY' || fail "--force over several machines"
import json, sys
t = {x["label"]: x for x in json.load(open(sys.argv[1]))["tests"]}
assert t["b-ref"]["timed_base"]["label"] == "base" and t["b-ref"]["environment"]["timed"] == "forced"
assert t["b-slow"]["timed_base"]["label"] == "b-ref"
m = [m for w in t["b-ref"]["workloads"] for m in w["metrics"] if m["name"] == "fork.mean_ns"][0]
assert m["verdict"] == "improvement", m["verdict"]
PY

# one machine: no machine list in the table, one group; the base alone is not a test
run_rc 1 "one machine" "$RMB" compare "$TMP/base.json" "$TMP/a-slow.json" --out "$TMP/one" --no-graphs
grep -q 'machines: ' "$TMP/out" && fail "one machine: a machine list in the table"
[ "$(py "$TMP/one/comparison.json" 'len(r["machine_groups"])')" = 1 ] || fail "one machine: groups"

# bad fingerprints: exit 2, one line naming the field
python3 - "$TMP" <<'PY'
import json, sys
d = sys.argv[1]
r = json.load(open(f"{d}/base.json"))
r["machine"]["fingerprint"] = "XYZ"
json.dump(r, open(f"{d}/badfp.json", "w"))
r["machine"]["fingerprint"] = "0123456789abcdef"
r["machine"]["host_fingerprint"] = 7
json.dump(r, open(f"{d}/badhost.json", "w"))
PY
run_rc 2 "bad fingerprint" "$RMB" compare "$TMP/base.json" "$TMP/badfp.json" --out "$TMP/x" --no-graphs
grep -q 'badfp.json: machine: "fingerprint" must be 16 lowercase hex digits' "$TMP/err" || fail "bad fingerprint: $(cat "$TMP/err")"
run_rc 2 "bad host fingerprint" "$RMB" compare "$TMP/base.json" "$TMP/badhost.json" --out "$TMP/x" --no-graphs
grep -q 'badhost.json: machine: "host_fingerprint" must be a string' "$TMP/err" || fail "bad host: $(cat "$TMP/err")"
[ ! -e "$TMP/x" ] || fail "bad input left an output directory"

# rmapbench fingerprint: 16 hex digits, stable, the host's handed to a guest changes it
fp=$("$RMB" fingerprint)
[[ $fp =~ ^[0-9a-f]{16}$ ]] || fail "rmapbench fingerprint: '$fp'"
[ "$("$RMB" fingerprint)" = "$fp" ] || fail "rmapbench fingerprint is not stable"
[ "$("$RMB" fingerprint --json | py /dev/stdin 'r["fingerprint"]')" = "$fp" ] || fail "--json"
gfp=$(RMAPBENCH_HOST_FINGERPRINT=0123456789abcdef "$RMB" fingerprint --json | py /dev/stdin 'r["host_fingerprint"] + " " + r["fingerprint"]')
[ "${gfp%% *}" = 0123456789abcdef ] && [ "${gfp#* }" != "$fp" ] || fail "host fingerprint: '$gfp'"
id1=$(RMAPBENCH_MACHINE_ID=board-1 "$RMB" fingerprint)
[ "$id1" != "$fp" ] && [ "$(RMAPBENCH_MACHINE_ID=board-1 "$RMB" fingerprint)" = "$id1" ] &&
	[ "$(RMAPBENCH_MACHINE_ID=board-2 "$RMB" fingerprint)" != "$id1" ] ||
	fail "RMAPBENCH_MACHINE_ID does not name the machine"
if [ -s /etc/machine-id ]; then
	"$RMB" fingerprint --json | grep -qF "$(cat /etc/machine-id)" && fail "/etc/machine-id is written out"
fi
RMAPBENCH_MACHINE_ID=board-1 "$RMB" fingerprint --json | grep -q board-1 && fail "RMAPBENCH_MACHINE_ID is written out"
RMAPBENCH_HOST_FINGERPRINT=nothex "$RMB" fingerprint >"$TMP/out" 2>"$TMP/err" || fail "bad host fingerprint fails"
grep -q 'not 16 lowercase hex digits: ignored' "$TMP/err" || fail "bad host fingerprint not warned"
run_rc 2 "fingerprint bad option" "$RMB" fingerprint --nope

# merge refuses rounds of two machines
python3 - "$TMP" <<'PY'
import json, sys
d = sys.argv[1]
for fp, n in (("0123456789abcdef", "r1"), ("fedcba9876543210", "r2")):
    r = json.load(open(f"{d}/base.json"))
    r["machine"]["fingerprint"] = fp
    json.dump(r, open(f"{d}/{n}.json", "w"))
PY
run_rc 2 "merge of two machines" "$RMB" merge -o "$TMP/merged.json" "$TMP/r1.json" "$TMP/r2.json"
grep -q 'machine.fingerprint' "$TMP/err" || fail "merge: machine.fingerprint not named: $(cat "$TMP/err")"

# a drift calibration belongs to one machine: calibrate refuses runs of two,
# compare --noise refuses a calibration of another machine
cp "$TMP/r1.json" "$TMP/r1b.json"
cp "$TMP/r1.json" "$TMP/r1c.json"
run_rc 2 "calibrate over two machines" "$RMB" calibrate "$TMP/r1.json" "$TMP/r1b.json" "$TMP/r2.json" -o "$TMP/n2.json"
grep -q 'another machine' "$TMP/err" || fail "calibrate over two machines: $(cat "$TMP/err")"
run_rc 0 "calibrate" "$RMB" calibrate "$TMP/r1.json" "$TMP/r1b.json" "$TMP/r1c.json" -o "$TMP/noise.json"
[ "$(py "$TMP/noise.json" 'r["machine"]["fingerprint"]')" = 0123456789abcdef ] || fail "noise.json: no fingerprint"
run_rc 0 "--noise of this machine" "$RMB" compare "$TMP/r1.json" "$TMP/r1b.json" --out "$TMP/n1" --no-graphs --noise "$TMP/noise.json"
run_rc 2 "--noise of another machine" "$RMB" compare "$TMP/base.json" "$TMP/a-slow.json" --out "$TMP/n3" --no-graphs --noise "$TMP/noise.json"
grep -q 'calibrated on another machine .*machine fingerprint 0123456789abcdef vs ' "$TMP/err" ||
	fail "--noise of another machine: $(cat "$TMP/err")"

# reports of two machines: one calibration each (--noise twice), each applied
# to its own machine's tests; with machine A's only, B's tests are judged
# without drift and say so; two calibrations of one machine: exit 2
python3 - "$TMP" <<'PY'
import json, sys
d = sys.argv[1]
for src, tag in (("base", "A"), ("b-ref", "B")):
    for i, f in enumerate((0.9, 1.0, 1.12)):
        r = json.load(open(f"{d}/{src}.json"))
        for w in r["workloads"]:
            for rep in w["reps"]:
                for m in rep["metrics"].values():
                    if m["kind"] == "timed" and isinstance(m.get("value"), (int, float)):
                        m["value"] *= f
        json.dump(r, open(f"{d}/cal{tag}{i}.json", "w"))
PY
run_rc 0 "calibrate A" "$RMB" calibrate "$TMP"/calA?.json -o "$TMP/noiseA.json"
run_rc 0 "calibrate B" "$RMB" calibrate "$TMP"/calB?.json -o "$TMP/noiseB.json"
AB=("$TMP/base.json" "$TMP/a-slow.json" "$TMP/b-ref.json" "$TMP/b-slow.json")
rc=0
"$RMB" compare "${AB[@]}" --no-graphs --out "$TMP/nab" --noise "$TMP/noiseA.json" \
	--noise "$TMP/noiseB.json" >"$TMP/nab.txt" 2>&1 || rc=$?
[ $rc -le 1 ] || fail "compare with two calibrations: $(tail -3 "$TMP/nab.txt")"
python3 - "$TMP/nab/comparison.json" "$TMP/noiseA.json" "$TMP/noiseB.json" <<'PY' || fail "two calibrations"
import json, sys
c = json.load(open(sys.argv[1]))
files = c["settings"]["noise_files"]
assert [f["file"] for f in files] == sys.argv[2:4], files
assert all(f["applied_to"] > 0 for f in files), files
fa, fb = (json.load(open(p))["machine"]["fingerprint"] for p in sys.argv[2:4])
assert fa != fb and [f["fingerprint"] for f in files] == [fa, fb], (fa, fb, files)
assert c["settings"]["noise"]["file"] == sys.argv[2]
PY
[ "$(grep -c '^run-to-run drift: calibrated' "$TMP/nab.txt")" -eq 2 ] || fail "table: not one drift line per file"
rc=0
"$RMB" compare "${AB[@]}" --no-graphs --out "$TMP/na" --noise "$TMP/noiseA.json" >"$TMP/na.txt" 2>&1 || rc=$?
[ $rc -le 1 ] || fail "compare with machine A's calibration: $(tail -3 "$TMP/na.txt")"
grep -q '^run-to-run drift: none for \[b-slow\]' "$TMP/na.txt" || fail "table: b-slow not said uncalibrated"
python3 - "$TMP/na/comparison.json" <<'PY' || fail "machine B without calibration"
import json, sys
c = json.load(open(sys.argv[1]))
t = {t["label"]: t for t in c["tests"]}
def notes(label):
    return [m.get("reason") or "" for w in t[label]["workloads"] for m in w["metrics"]]
assert any("no drift calibration for this machine" in n for n in notes("b-slow")), "b-slow"
assert not any("no drift calibration for this machine" in n for n in notes("a-slow")), "a-slow"
assert len(c["settings"]["noise_files"]) == 1 and c["settings"]["noise_files"][0]["applied_to"] > 0
PY
run_rc 2 "two calibrations of one machine" "$RMB" compare "${AB[@]}" --no-graphs --out "$TMP/naa" \
	--noise "$TMP/noiseA.json" --noise "$TMP/noiseA.json"
grep -q 'both calibrated on the machine of' "$TMP/err" || fail "two of one machine: $(cat "$TMP/err")"
[ ! -e "$TMP/naa" ] || fail "output written for two calibrations of one machine"
echo ok
