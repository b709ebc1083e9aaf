#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# A guest kernel that panics (init crashes it through sysrq): panic=-1 and
# -no-reboot end QEMU at once; run.sh says the kernel panicked, shows the
# console tail, exits 3, and writes no report.
set -uo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname -- "$0")/lib.sh"
need_tools
fetch_debian debian:6.12

init=$T_DIR/panic-init
printf '#!/bin/sh\n/bin/mount -t proc proc /proc\necho c >/proc/sysrq-trigger\n' >"$init"
t0=$SECONDS
RMAPBENCH_GUEST_INIT=$init run_sh "$T_DIR/run.log" --kernel debian:6.12 --accel tcg \
	--timeout 120 --out "$T_DIR/results"
took=$((SECONDS - t0))
sed 's/^/  | /' "$T_DIR/run.log" | tail -n 12
[ "$RC" -eq 3 ] || fail "exit $RC, expected 3"
grep -q "the guest kernel panicked (Kernel panic - not syncing" "$T_DIR/run.log" || fail "no panic message"
grep -q "last 25 lines of" "$T_DIR/run.log" || fail "no console tail"
[ "$took" -lt 60 ] || fail "took $took s: the panic did not end QEMU"
[ -z "$(leftover_qemu)" ] || fail "QEMU still running"
[ -z "$(find "$T_DIR/results" -name report.json)" ] || fail "a report.json was written"
pass "ended in $took s"
