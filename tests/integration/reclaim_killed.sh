#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# A workload killed in the middle (repetition timeout) leaves swap, a zram
# device, a memory cgroup and raised KSM settings behind; its journal under
# /run/rmapbench lets the next guarded workload undo all of it. Afterwards
# the machine is as it was before.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
need_root
[ -e /sys/kernel/mm/ksm/run ] || skip "no KSM (CONFIG_KSM)"

state() {
	echo "swaps: $(tail -n +2 /proc/swaps | awk '{print $1}' | sort | tr '\n' ' ')"
	echo "zram: $(find /sys/block -maxdepth 1 -name 'zram*' -printf '%f\n' | sort | tr '\n' ' ')"
	echo "cgroups: $(find /sys/fs/cgroup -maxdepth 5 -type d -name 'rmapbench-*' 2>/dev/null | sort | tr '\n' ' ')"
	echo "journals: $(find /run/rmapbench /tmp/rmapbench-guard -name 'guard.*' 2>/dev/null | tr '\n' ' ')"
	echo "ksm: $(cat /sys/kernel/mm/ksm/run /sys/kernel/mm/ksm/pages_to_scan /sys/kernel/mm/ksm/sleep_millisecs | tr '\n' ' ')"
	echo "zswap: $(cat /sys/module/zswap/parameters/enabled 2>/dev/null)"
}

cat >"$TMP/kill.conf" <<'CONF'
[run]
reps = 1
interval_ms = 0
rep_timeout_s = 1
workloads = ksm
[ksm]
fanout = 4
pages = 65536
then = 1
CONF

state >"$TMP/before"
set +e
"$RMB" run --no-collectors --config "$TMP/kill.conf" --json "$TMP/killed.json" >/dev/null 2>"$TMP/err"
rc=$?
set -e
status=$(py "$TMP/killed.json" "r['workloads'][0]['reps'][0]['reason'] if r['workloads'][0]['reps'] else r['workloads'][0]['reason']")
case $status in
*timeout*) ;;
*unavailable*) skip "ksm unavailable: $status" ;;
*) fail "expected a repetition timeout, got exit $rc: $status" ;;
esac
state >"$TMP/killed"
if diff -q "$TMP/before" "$TMP/killed" >/dev/null; then
	left="nothing was left behind (the runner recovered it)"
else
	left="left behind: $(diff "$TMP/before" "$TMP/killed" | grep '^>' | tr '\n' ' ' || true)"
fi

"$RMB" run --workload thp --reps 1 --interval 0 --json "$TMP/next.json" >/dev/null 2>"$TMP/err2" ||
	{ cat "$TMP/err2"; fail "the next run failed"; }
state >"$TMP/after"
diff -u "$TMP/before" "$TMP/after" || fail "state not restored after the next guarded run"
echo "killed at the 1 s timeout; $left; restored by the next run"
