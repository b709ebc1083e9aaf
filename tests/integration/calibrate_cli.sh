#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# rmapbench calibrate + compare --noise (docs/compare.md, "Drift calibration").
# Six synthetic A/A runs whose whole level drifts from run to run (log SD
# about 0.12) while their rounds agree within 2%: a run that drifted by x1.3
# is a regression without the calibration and not one with it; a x3 change
# is one with it. Bad input (too few runs, two kernels, another machine, a
# broken noise file) is exit 2 with one line naming the file, nothing written.
. "$(dirname "$0")/lib.sh"

# run NAME FACTOR: the sample base report with every timed value x FACTOR
run() {
	python3 - "$ROOT/tests/data/report-base.json" "$TMP/$1.json" "$2" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
f = float(sys.argv[3])
for w in r["workloads"]:
    for rep in w["reps"]:
        for m in rep.get("metrics", {}).values():
            if m.get("kind") == "timed" and isinstance(m.get("value"), (int, float)):
                m["value"] *= f
json.dump(r, open(sys.argv[2], "w"))
PY
}
i=0
for f in 0.85 1.0 1.18 0.9 1.1 1.0; do
	i=$((i + 1))
	run "cal$i" "$f"
done
run base 1.0
run drift 1.3
run slow 3.0

"$RMB" calibrate "$TMP"/cal?.json -o "$TMP/noise.json" >"$TMP/cal.out" || fail "calibrate exit $?"
grep -q "calibrated" "$TMP/cal.out" || fail "no summary line: $(cat "$TMP/cal.out")"
sd=$(py "$TMP/noise.json" '[m["sd_run"] for m in r["metrics"] if m["metric"] == "fork.mean_ns"][0]')
python3 -c "import sys; sys.exit(0 if 0.08 < $sd < 0.2 else 1)" || fail "fork.mean_ns sd_run $sd, want about 0.12"
[ "$(py "$TMP/noise.json" 'r["runs"]')" = 6 ] || fail "runs not 6"

rc=0; "$RMB" compare "$TMP/base.json" "$TMP/drift.json" --no-graphs --out "$TMP/c0" >/dev/null || rc=$?
[ $rc -eq 1 ] || fail "x1.3 drift without calibration: exit $rc, want 1 (rounds agree within 2%)"
rc=0; "$RMB" compare "$TMP/base.json" "$TMP/drift.json" --noise "$TMP/noise.json" --no-graphs \
	--out "$TMP/c1" >"$TMP/c1.txt" || rc=$?
[ $rc -eq 0 ] || fail "x1.3 drift with calibration: exit $rc, want 0"
grep -q "run-to-run drift: calibrated from 6 A/A runs" "$TMP/c1.txt" || fail "table does not say the drift was added"
[ "$(py "$TMP/c1/comparison.json" 'r["settings"]["noise"]["runs"]')" = 6 ] || fail "comparison.json settings.noise"
# parameters match by the registry's rule, not by text: a file calibrated
# before fork-chain's parent_exits existed (its default, 0) still applies; one
# calibrated at another depth does not
applied() { py "$1" 'r["settings"]["noise"]["applied_to"]'; }
py "$TMP/noise.json" 'json.dump(dict(r, metrics=[dict(m, params=m["params"].replace(" parent_exits=0", "")) for m in r["metrics"]]), open(sys.argv[1] + ".old", "w"))' >/dev/null
rc=0; "$RMB" compare "$TMP/base.json" "$TMP/drift.json" --noise "$TMP/noise.json.old" --no-graphs \
	--out "$TMP/c1o" >/dev/null || rc=$?
[ $rc -eq 0 ] || fail "x1.3 drift, noise file without a default parameter: exit $rc, want 0"
[ "$(applied "$TMP/c1o/comparison.json")" = "$(applied "$TMP/c1/comparison.json")" ] ||
	fail "drift applied to $(applied "$TMP/c1o/comparison.json") metrics without parent_exits=0, $(applied "$TMP/c1/comparison.json") with it"
py "$TMP/noise.json" 'json.dump(dict(r, metrics=[dict(m, params=m["params"].replace("depth=4", "depth=5")) if m["workload"] == "fork-chain" else m for m in r["metrics"]]), open(sys.argv[1] + ".d5", "w"))' >/dev/null
rc=0; "$RMB" compare "$TMP/base.json" "$TMP/drift.json" --noise "$TMP/noise.json.d5" --no-graphs \
	--out "$TMP/c1d" >/dev/null || rc=$?
[ $rc -eq 1 ] || fail "x1.3 drift, fork-chain calibrated at depth=5 only: exit $rc, want 1"
[ "$(applied "$TMP/c1d/comparison.json")" -lt "$(applied "$TMP/c1/comparison.json")" ] ||
	fail "a calibration at depth=5 was applied to depth=4"
rc=0; "$RMB" compare "$TMP/base.json" "$TMP/slow.json" --noise "$TMP/noise.json" --no-graphs \
	--out "$TMP/c2" >/dev/null || rc=$?
[ $rc -eq 1 ] || fail "x3 slowdown with calibration: exit $rc, want 1"

# bad input: exit 2, one line naming the input, nothing written
bad() {
	local want=$1 out rc=0
	shift
	out=$("$RMB" "$@" 2>&1 >/dev/null) || rc=$?
	[ $rc -eq 2 ] || fail "$*: exit $rc, want 2"
	[ "$(printf '%s\n' "$out" | wc -l)" -eq 1 ] || fail "$*: not one line: $out"
	case $out in *"$want"*) ;; *) fail "$*: '$out' does not name $want" ;; esac
}
bad "at least 3" calibrate "$TMP/cal1.json" "$TMP/cal2.json" -o "$TMP/n2.json"
[ ! -e "$TMP/n2.json" ] || fail "a noise file was written for bad input"
bad "report-test.json" calibrate "$TMP/cal1.json" "$TMP/cal2.json" "$ROOT/tests/data/report-test.json" -o "$TMP/n3.json"
[ ! -e "$TMP/n3.json" ] || fail "a noise file was written for two kernels"
echo '{"schema": "rmapbench-noise"' >"$TMP/broken.json"
bad "broken.json" compare "$TMP/base.json" "$TMP/drift.json" --noise "$TMP/broken.json" --out "$TMP/c3"
[ ! -e "$TMP/c3" ] || fail "compare wrote output for a broken noise file"
py "$TMP/noise.json" 'json.dump(dict(r, machine=dict(r["machine"], cores=64)), open(sys.argv[1] + ".m", "w"))' >/dev/null
bad "another machine" compare "$TMP/base.json" "$TMP/drift.json" --noise "$TMP/noise.json.m" --out "$TMP/c4"
py "$TMP/noise.json" 'json.dump(dict(r, metrics=[dict(r["metrics"][0], params="=4")] + r["metrics"][1:]), open(sys.argv[1] + ".p", "w"))' >/dev/null
bad "metrics[0]" compare "$TMP/base.json" "$TMP/drift.json" --noise "$TMP/noise.json.p" --out "$TMP/c5"
"$RMB" calibrate --help | grep -q "examples:" || fail "calibrate --help has no examples"
echo "ok: calibrate: drift x1.3 flagged without calibration, not with it; x3 flagged with it; bad input exit 2"
