#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# SIGTERM to run.sh while a guest runs: QEMU is killed, run.sh exits 143, no
# result directory (complete or partial) and no temporary directory remain.
set -uo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname -- "$0")/lib.sh"
need_tools
fetch_debian debian:6.12

init=$T_DIR/hung-init
printf '#!/bin/sh\necho "hung-init: started"\nwhile :; do /bin/sleep 1; done\n' >"$init"

RMAPBENCH_GUEST_INIT=$init "$ROOT/run.sh" --kernel debian:6.12 --accel tcg --timeout 300 \
	--out "$T_DIR/results" -v >"$T_DIR/run.log" 2>&1 &
pid=$!
for _ in $(seq 1 150); do
	grep -q "hung-init: started" "$T_DIR/run.log" && break
	sleep 0.2
done
grep -q "hung-init: started" "$T_DIR/run.log" || { kill "$pid"; fail "the guest did not start in 30 s"; }
[ -n "$(leftover_qemu)" ] || fail "no QEMU running while the guest runs?"
kill -TERM "$pid"
rc=0
wait "$pid" || rc=$?
sed 's/^/  | /' "$T_DIR/run.log" | tail -n 5
[ "$rc" -eq 143 ] || fail "exit $rc after SIGTERM, expected 143"
sleep 0.5
[ -z "$(leftover_qemu)" ] || fail "QEMU still running after SIGTERM: $(leftover_qemu)"
[ -z "$(find "$T_DIR/results" -mindepth 1 -maxdepth 1)" ] || fail "left in results: $(ls -a "$T_DIR/results")"
[ -z "$(find "$T_DIR" -maxdepth 1 -name 'rmapbench-run.*')" ] || fail "run.sh left its work directory"
pass
