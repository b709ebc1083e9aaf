#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# --kernel TREE: a kernel build tree (arch/x86/boot/bzImage, .config, *.ko in
# the tree). With RMAPBENCH_TEST_TREE=/path/to/linux it boots that tree;
# otherwise it lays out a tree from Debian's 6.1 package (image, config and
# modules hard-linked in the places a build leaves them), which exercises the
# same code: release from the bzImage, zram and its compressor found among the
# tree's .ko files and loaded in the guest, where the reclaim workload uses
# zram swap.
set -uo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname -- "$0")/lib.sh"
need_root
need_tools
need_static

if [ -n "${RMAPBENCH_TEST_TREE:-}" ]; then
	tree=$RMAPBENCH_TEST_TREE
	[ -f "$tree/arch/x86/boot/bzImage" ] || fail "RMAPBENCH_TEST_TREE=$tree: no arch/x86/boot/bzImage"
	rel=$(cat "$tree/include/config/kernel.release") || fail "$tree: no include/config/kernel.release"
else
	fetch_debian debian:6.1
	tree=$T_DIR/linux
	rel=$K_RELEASE
	mkdir -p "$tree/arch/x86/boot" "$tree/include/config"
	cp -- "$K_DIR/boot/vmlinuz-$rel" "$tree/arch/x86/boot/bzImage"
	cp -- "$K_DIR/boot/config-$rel" "$tree/.config"
	printf '%s\n' "$rel" >"$tree/include/config/kernel.release"
	# a build leaves modules beside their sources: drivers/block/zram/zram.ko, ...
	cp -al -- "$K_DIR/lib/modules/$rel/kernel/." "$tree/" 2>/dev/null ||
		cp -a -- "$K_DIR/lib/modules/$rel/kernel/." "$tree/"
fi

run_sh "$T_DIR/run.log" --kernel "$tree" --accel tcg --config "$ROOT/configs/quick.conf" \
	--workload mremap-multi,reclaim --out "$T_DIR/results" --timeout 400
sed 's/^/  | /' "$T_DIR/run.log"
if [ "$RC" -ne 0 ] || [ -z "$REPORT" ]; then fail "run.sh --kernel $tree exited $RC"; fi
guest=$(dirname -- "$REPORT")/guest.txt
note "$(grep -E '^(modules|wall_)' "$guest" | tr '\n' ' ')"
if grep -q '^CONFIG_ZRAM=m' "$tree/.config"; then
	grep -q '^modules=.*zram' "$guest" || fail "zram is a module in $tree, but was not packed"
fi
report_check "$REPORT" "
assert r['kernel']['release'] == '$rel', r['kernel']['release']
assert r['machine']['accel'] == 'tcg-icount'
w = wl('reclaim')
assert w['status'] == 'ok', f\"reclaim: {w['status']}: {w.get('reason')}\"
assert (m('reclaim', 'reclaim.cgroup_swap_pages') or 0) > 0, 'reclaim swapped nothing: no zram swap in the guest?'
"
pass "$rel"
