#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# ./run.sh --kernel host with configs/quick.conf (mremap-multi only): the
# result directory is <release>-<UTC time>/report.json under --out, the report
# is the running kernel's with machine.accel null, and mremap-multi's
# MREMAP_FIXED move over several VMAs is supported from 6.17 on (EFAULT before).
set -uo pipefail
ROOT=$(cd -- "$(dirname -- "$0")/../.." && pwd)
T=$(mktemp -d "${TMPDIR:-/tmp}/rmapbench-host.XXXXXX")
trap 'rm -rf -- "$T"' EXIT
export RMAPBENCH_NO_BUILD=1

[ "$(id -u)" -eq 0 ] || { echo "needs root (BPF slab accounting on the host)"; exit 77; }
[ -x "$ROOT/build/rmapbench" ] || { echo "build/rmapbench missing (make)"; exit 77; }
command -v python3 >/dev/null || { echo "python3 missing"; exit 77; }

rc=0
"$ROOT/run.sh" --kernel host --config "$ROOT/configs/quick.conf" --workload mremap-multi \
	--out "$T/out" >"$T/log" 2>&1 || rc=$?
sed 's/^/  | /' "$T/log"
[ "$rc" -eq 0 ] || { echo "FAIL: run.sh exited $rc"; exit 1; }
report=$(sed -n 's/^report: //p' "$T/log")
rel=$(uname -r)
case $report in
"$T/out/$rel-"*/report.json) ;;
*) echo "FAIL: report path $report is not $T/out/$rel-<time>/report.json"; exit 1 ;;
esac
[ -s "$(dirname -- "$report")/plots/index.html" ] || { echo "FAIL: no plots/index.html beside the report"; exit 1; }
[ -z "$(find "$T/out" -mindepth 1 -maxdepth 1 -name '.*')" ] || { echo "FAIL: temporary directory left in --out"; exit 1; }

python3 - "$report" "$rel" <<'PY' || { echo "FAIL: report checks"; exit 1; }
import json, re, sys
r = json.load(open(sys.argv[1]))
rel = sys.argv[2]
assert r["kernel"]["release"] == rel, r["kernel"]["release"]
assert r["machine"]["accel"] is None, r["machine"]["accel"]
w = [w for w in r["workloads"] if w["name"] == "mremap-multi"][0]
assert w["status"] == "ok", w
m = w["reps"][0]["metrics"]
major, minor = map(int, re.match(r"(\d+)\.(\d+)", rel).groups())
if (major, minor) >= (6, 17):
    assert m["multi.supported"]["value"] == 1 and m["multi.errno"]["value"] == 0, (m["multi.supported"], m["multi.errno"])
else:
    assert m["multi.supported"]["value"] == 0 and m["multi.errno"]["value"] == 14, m["multi.errno"]
print(f"mremap-multi on {rel}: supported={m['multi.supported']['value']} errno={m['multi.errno']['value']}")
PY
echo "PASS run_sh_host"
