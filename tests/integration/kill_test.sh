#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Undo after a kill, every time. One trial: a `reclaim,fork-tree` run's
# process group is SIGKILLed 5 times, each 1-2 s after the run started
# changing the machine (its guard journal appeared); then
# `fork-chain` runs once and, RIGHT AFTER it (not eventually), zram devices,
# swaps, rmapbench memory cgroups, THP/KSM/zswap settings, /proc/sys/vm and
# guard journals must be as before the trial. KILL_TRIALS trials (default 3
# here; scripts/soak.sh runs 20). Then SIGINT, SIGTERM and SIGHUP during
# reclaim/ksm: exit 128+N, no report, machine restored at once.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
need_bpf

TRIALS=${KILL_TRIALS:-3}

state() {
	echo "swaps: $(tail -n +2 /proc/swaps | awk '{print $1}' | sort | tr '\n' ' ')"
	echo "zram: $(find /sys/block -maxdepth 1 -name 'zram*' -printf '%f\n' | sort | tr '\n' ' ')"
	echo "cgroups: $(find /sys/fs/cgroup -maxdepth 5 -type d -name 'rmapbench-*' 2>/dev/null | sort | tr '\n' ' ')"
	echo "journals: $(find /run/rmapbench /tmp/rmapbench-guard -name '*guard.*' 2>/dev/null | sort | tr '\n' ' ')"
	for f in /sys/kernel/mm/transparent_hugepage/enabled /sys/kernel/mm/transparent_hugepage/defrag \
		 /sys/kernel/mm/ksm/run /sys/kernel/mm/ksm/pages_to_scan /sys/kernel/mm/ksm/sleep_millisecs \
		 /sys/module/zswap/parameters/enabled; do
		if [ -r "$f" ]; then echo "$f: $(cat "$f")"; fi
	done
	{ grep -r . /proc/sys/vm 2>/dev/null || true; } |
		grep -v -e drop_caches -e compact_memory -e stat_refresh | sort
}

state >"$TMP/before"
leftovers=0
changed_by_kills=0
for trial in $(seq 1 "$TRIALS"); do
	for k in 1 2 3 4 5; do
		# setsid: the runner leads its own process group, killed as a whole
		touch "$TMP/start"
		setsid "$RMB" run --workload reclaim,fork-tree --reps 3 --interval 0 \
			--json "$TMP/k.json" >/dev/null 2>&1 &
		pid=$!
		# 1-2 s after the run starts changing the machine (its guard journal
		# appears): start-up (BPF loading) takes 1-4 s here, and fork-tree
		# runs first, so a clock started at exec would mostly miss reclaim
		for _ in $(seq 1 300); do
			[ -z "$(find /run/rmapbench /tmp/rmapbench-guard -name 'guard.*' \
				-newer "$TMP/start" 2>/dev/null)" ] || break
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		sleep "$(awk -v s="$RANDOM" 'BEGIN { srand(s); printf "%.2f", 1 + rand() }')"
		kill -9 -- "-$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	state >"$TMP/killed"
	cmp -s "$TMP/before" "$TMP/killed" || changed_by_kills=$((changed_by_kills + 1))
	"$RMB" run --workload fork-chain --reps 1 --interval 0 --json "$TMP/fc.json" \
		>/dev/null 2>"$TMP/err" || fail "trial $trial: fork-chain after the kills failed: $(cat "$TMP/err")"
	state >"$TMP/after"
	if ! cmp -s "$TMP/before" "$TMP/after"; then
		leftovers=$((leftovers + 1))
		echo "trial $trial: left behind right after the next run:" >&2
		diff -u "$TMP/before" "$TMP/after" >&2 || true
	fi
	[ ! -e "$TMP/k.json" ] || py "$TMP/k.json" "len(r['workloads'])" >/dev/null ||
		fail "trial $trial: a killed run left a broken report"
done
sleep 0.5
left=$(pgrep -fc -- "__workload" || true)
[ "$left" -eq 0 ] || fail "$left workload processes outlived their killed runner"
echo "kill trials: $TRIALS, leftovers after the next run: $leftovers (the kills themselves left state in $changed_by_kills)"
[ "$leftovers" -eq 0 ] || fail "$leftovers of $TRIALS trials left machine state behind after the next run"

# SIGINT, SIGTERM, SIGHUP: the runner itself kills the tree and restores the
# machine at once, exits 128+N and writes no report
for sig in INT TERM HUP; do
	rm -f "$TMP/s.json"
	"$RMB" run --workload reclaim,ksm --reps 3 --interval 0 --json "$TMP/s.json" >/dev/null 2>&1 &
	pid=$!
	sleep 1.5
	kill -s "$sig" "$pid"
	rc=0
	wait "$pid" || rc=$?
	want=$((128 + $(kill -l "$sig")))
	[ "$rc" -eq "$want" ] || fail "SIG$sig: exit $rc, expected $want"
	[ ! -e "$TMP/s.json" ] || fail "SIG$sig: a report was written"
	sleep 0.5
	[ "$(pgrep -fc -- "__workload" || true)" -eq 0 ] || fail "SIG$sig: workload processes left"
	state >"$TMP/now"
	diff -u "$TMP/before" "$TMP/now" || fail "SIG$sig: machine state not restored"
done
echo "$TRIALS trials of 5 SIGKILLs: 0 leftovers right after the next run; SIGINT/TERM/HUP restore at once"
