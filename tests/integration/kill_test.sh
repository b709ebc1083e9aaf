# The suite SIGKILLed at 20 random points: afterwards (once the next run has
# undone what the killed ones left) no workload process, swap, zram device,
# cgroup or changed setting remains, and the next report is complete.
. "$(dirname "$0")/lib.sh"
need_bpf

state() {
	cat /proc/swaps
	ls /sys/block | grep zram || true
	find /sys/fs/cgroup -maxdepth 3 -name '*rmapbench*' 2>/dev/null | sort
	for f in /sys/kernel/mm/transparent_hugepage/enabled /sys/kernel/mm/transparent_hugepage/defrag \
		 /sys/kernel/mm/ksm/run /sys/kernel/mm/ksm/pages_to_scan /sys/kernel/mm/ksm/sleep_millisecs \
		 /sys/module/zswap/parameters/enabled; do
		if [ -r "$f" ]; then echo "$f: $(cat "$f")"; fi
	done
	{ grep -r . /proc/sys/vm 2>/dev/null || true; } | grep -v -e drop_caches -e compact_memory -e stat_refresh | sort
}

state >"$TMP/before"
WL=fork-chain,fork-tree,reclaim,ksm,thp,migrate
dirty=0
for i in $(seq 1 20); do
	"$RMB" run --workload "$WL" --reps 1 --interval 0 --json "$TMP/k.json" >/dev/null 2>&1 &
	pid=$!
	sleep "$(awk -v s="$RANDOM" 'BEGIN { srand(s); printf "%.2f", 0.05 + rand() * 2.5 }')"
	kill -9 "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	sleep 0.2
	state >"$TMP/now"
	# what a kill left here is undone by the next run's start
	cmp -s "$TMP/before" "$TMP/now" || dirty=$((dirty + 1))
done
sleep 1
left=$(pgrep -fc -- "__workload" || true)
[ "$left" -eq 0 ] || fail "$left workload processes outlived their killed runner"
[ ! -e "$TMP/k.json" ] || py "$TMP/k.json" "len(r['workloads'])" >/dev/null || fail "a killed run left a broken report"

# the next run undoes the killed runs' changes first, and completes
"$RMB" run --workload "$WL" --reps 1 --interval 0 --json "$TMP/after.json" 2>"$TMP/err" ||
	fail "the run after the kills failed: $(cat "$TMP/err")"
n=$(py "$TMP/after.json" "sum(1 for w in r['workloads'] if w['status'] == 'ok')")
[ "$n" -eq 6 ] || fail "only $n of 6 workloads ok after the kills"
state >"$TMP/after"
diff -u "$TMP/before" "$TMP/after" || fail "machine state changed"
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
echo "20 SIGKILLs survived ($dirty left machine state that the next run undid): nothing left behind, 6/6 workloads ok after; SIGINT/TERM/HUP restore at once"
