#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# A guest whose init never reports is killed at the hard timeout: run.sh exits
# non-zero (3) with a clear error and the console's last lines, keeps the
# console log in <release>-<time>.failed/, writes no report, and leaves no
# QEMU process and no temporary directory behind.
set -uo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname -- "$0")/lib.sh"
need_tools
fetch_debian debian:6.12

init=$T_DIR/hung-init
cat >"$init" <<'INIT'
#!/bin/sh
/bin/mount -t proc proc /proc
echo "hung-init: started, never reporting"
while :; do /bin/sleep 1; done
INIT

timeout=30
t0=$SECONDS
RMAPBENCH_GUEST_INIT=$init run_sh "$T_DIR/run.log" --kernel debian:6.12 --accel tcg \
	--timeout "$timeout" --out "$T_DIR/results"
took=$((SECONDS - t0))
sed 's/^/  | /' "$T_DIR/run.log"
[ "$RC" -eq 3 ] || fail "exit $RC, expected 3"
grep -q "did not finish within $timeout s" "$T_DIR/run.log" || fail "no timeout message"
grep -q "hung-init: started" "$T_DIR/run.log" || fail "the console tail is not shown"
[ "$took" -lt $((timeout + 30)) ] || fail "took $took s for a $timeout s timeout"
[ -z "$(leftover_qemu)" ] || fail "QEMU still running: $(leftover_qemu)"
[ -z "$REPORT" ] || fail "a report was claimed: $REPORT"
n=$(find "$T_DIR/results" -mindepth 1 -maxdepth 1 | wc -l)
failed=$(find "$T_DIR/results" -mindepth 1 -maxdepth 1 -name '*.failed')
[ "$n" -eq 1 ] || failed=''
[ -n "$failed" ] || fail "expected one .failed directory in $T_DIR/results: $(ls -a "$T_DIR/results")"
[ -s "$failed/console.log" ] || fail "$failed/console.log missing"
[ ! -e "$failed/report.json" ] || fail "$failed has a report.json"
[ -z "$(find "$T_DIR" -maxdepth 1 -name 'rmapbench-run.*')" ] || fail "run.sh left its work directory"
pass "killed after $took s"
