#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# --accel auto (the default) with a kernel given as a bzImage path: run.sh
# tries KVM with a time-bounded boot (here a PVM hypervisor fails stock
# kernels with "KVM internal error"), caches the verdict per machine, and the
# report's machine.accel is the accelerator that ran. The release comes from
# the bzImage header and matches the report.
set -uo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname -- "$0")/lib.sh"
need_tools
need_static
fetch_debian debian:6.12
image=$K_DIR/boot/vmlinuz-$K_RELEASE

cache=$T_DIR/cache
t0=$SECONDS
RMAPBENCH_CACHE=$cache run_sh "$T_DIR/run.log" --kernel "$image" --config "$ROOT/configs/quick.conf" \
	--workload mremap-multi --out "$T_DIR/results" --timeout 300
sed 's/^/  | /' "$T_DIR/run.log"
if [ "$RC" -ne 0 ] || [ -z "$REPORT" ]; then fail "run.sh exited $RC"; fi
ran=$(sed -n 's/^accel=//p' "$(dirname -- "$REPORT")/guest.txt")
if [ -c /dev/kvm ] && [ -w /dev/kvm ]; then
	verdict=$(cat "$cache"/kvm-verdict-* 2>/dev/null) || fail "no KVM verdict cached in $cache"
	note "verdict: $verdict"
	[ "${verdict%% *}" = "${ran%-icount}" ] || fail "verdict ${verdict%% *}, but the guest ran under $ran"
else
	[ "${ran%-icount}" = tcg ] || fail "no usable /dev/kvm, yet the guest ran under $ran"
fi
report_check "$REPORT" "
assert r['kernel']['release'] == '$K_RELEASE', r['kernel']['release']
assert r['machine']['accel'] == '$ran', f\"machine.accel {r['machine']['accel']!r}, ran under $ran\"
assert m('mremap-multi', 'multi.errno') == 14
"
pass "$ran in $((SECONDS - t0)) s"
