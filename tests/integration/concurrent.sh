#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Two runs at once on one machine (a developer and a CI job) give the same
# exact counts as a run alone: `run --workload fork-chain,mremap-frag` solo,
# then twice concurrently; every exact metric of every repetition of the two
# concurrent runs must equal the solo run's. Timed metrics are only printed
# (fork-chain fork.mean_ns median, solo vs concurrent): docs/reliability.md.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
need_bpf

REPS=${CONCURRENT_REPS:-3}
WL=fork-chain,mremap-frag
args=(run --workload "$WL" --reps "$REPS" --interval 0)

"$RMB" "${args[@]}" --json "$TMP/solo.json" >/dev/null 2>"$TMP/solo.err" ||
	fail "solo run failed: $(cat "$TMP/solo.err")"
"$RMB" "${args[@]}" --json "$TMP/a.json" >/dev/null 2>"$TMP/a.err" &
a=$!
"$RMB" "${args[@]}" --json "$TMP/b.json" >/dev/null 2>"$TMP/b.err" &
b=$!
wait "$a" || fail "concurrent run A failed: $(cat "$TMP/a.err")"
wait "$b" || fail "concurrent run B failed: $(cat "$TMP/b.err")"

python3 - "$TMP/solo.json" "$TMP/a.json" "$TMP/b.json" <<'PY'
import json, statistics, sys

def load(p):
    r = json.load(open(p))
    out = {}
    for w in r["workloads"]:
        assert w["status"] == "ok", "%s: %s %s" % (p, w["name"], w.get("reason"))
        out[w["name"]] = w["reps"]
    return out

solo, a, b = (load(p) for p in sys.argv[1:4])
bad, checked = [], 0
for name, reps in solo.items():
    want = {k: m["value"] for k, m in reps[0]["metrics"].items() if m.get("kind") == "exact"}
    for label, run in (("solo", solo), ("A", a), ("B", b)):
        for rep in run[name]:
            for k, v in want.items():
                got = rep["metrics"].get(k, {}).get("value")
                checked += 1
                if got != v:
                    bad.append("%s %s rep %s %s: %s, solo rep 1: %s" % (label, name, rep["rep"], k, got, v))
if bad:
    print("FAIL: exact metrics differ:\n  " + "\n  ".join(bad[:20]), file=sys.stderr)
    sys.exit(1)

def med(run):
    return statistics.median(r["metrics"]["fork.mean_ns"]["value"] for r in run["fork-chain"])
print("exact metrics identical solo and concurrent (%d values); fork-chain fork.mean_ns median: "
      "solo %.0f ns, concurrent A %.0f ns, B %.0f ns" % (checked, med(solo), med(a), med(b)))
PY

# Machine-state workloads at once: the guard's state.lock serializes their
# repetitions (the second waits, saying for whom); both runs complete.
if [ -r /sys/kernel/mm/transparent_hugepage/enabled ]; then
	"$RMB" run --workload thp --reps 2 --interval 0 --json "$TMP/t1.json" >/dev/null 2>"$TMP/t1.err" &
	a=$!
	"$RMB" run --workload thp --reps 2 --interval 0 --json "$TMP/t2.json" >/dev/null 2>"$TMP/t2.err" &
	b=$!
	wait "$a" || fail "concurrent thp run 1 failed: $(cat "$TMP/t1.err")"
	wait "$b" || fail "concurrent thp run 2 failed: $(cat "$TMP/t2.err")"
	for f in t1 t2; do
		n=$(py "$TMP/$f.json" "sum(x['status'] == 'ok' for x in r['workloads'][0]['reps'])")
		[ "$n" -eq 2 ] || fail "concurrent thp run $f: $n of 2 repetitions ok"
	done
	waits=$(cat "$TMP/t1.err" "$TMP/t2.err" | grep -c "waiting for process" || true)
	[ -z "$(find /run/rmapbench -name 'guard.*' 2>/dev/null)" ] || fail "guard journals left"
	echo "two thp runs at once: 4 of 4 repetitions ok, $waits waited for the machine-state lock"
fi

# Recovery runs only where it cannot meet a live run. Two cases, each with a
# journal whose undo is harmless and visible (a "write" back to a file of
# ours) and a run that recovers at start-up (fork-chain: no machine state).
# 1) A live rmapbench built before journals were flock()ed (guard.PID with
#    no header, never locked) is alive, not dead: before the fix its journal
#    was replayed under it (its zram swap, cgroup and the zram index it had
#    removed itself: "cgroup reclaim swapped nothing out" in that run,
#    "write ... /sys/block/zram1/disksize: No such file or directory" in
#    ours). Undone only once its pid is gone.
# 2) A dead owner's journal is undone only by whoever holds state.lock, so
#    never while another run changes the machine (its zram index may be the
#    one the journal names).
gdir=/run/rmapbench
[ -w /run ] || gdir=/tmp/rmapbench-guard
mkdir -p -m 0700 "$gdir"
journal() { # PID HEADER: a journal that writes "undone" into $TMP/setting
	printf before >"$TMP/setting"
	{ [ -z "$2" ] || printf '%s\n' "$2"; printf 'write\t%s\tundone\n' "$TMP/setting"; } \
		>"$gdir/.test-journal.$$"
	mv "$gdir/.test-journal.$$" "$gdir/guard.$1"
}
recover_run() {
	"$RMB" run --workload fork-chain --reps 1 --interval 0 --json "$TMP/r.json" \
		>/dev/null 2>"$TMP/r.err" || fail "fork-chain run failed: $(cat "$TMP/r.err")"
}
sleep 120 &
old=$!
journal "$old" ""
recover_run
[ "$(cat "$TMP/setting")" = before ] && [ -e "$gdir/guard.$old" ] || {
	rm -f "$gdir/guard.$old"; kill "$old"
	fail "the journal of a live older rmapbench (pid $old) was undone: $(cat "$TMP/r.err")"
}
kill "$old"
wait "$old" 2>/dev/null || true
recover_run
[ "$(cat "$TMP/setting")" = undone ] && [ ! -e "$gdir/guard.$old" ] ||
	fail "the journal of a dead older rmapbench (pid $old) was not undone: $(cat "$TMP/r.err")"

true &
dead=$!
wait "$dead"
# a live holder of state.lock, its pid written in it as rmapbench does
( exec 9<>"$gdir/state.lock"; flock 9; echo "$BASHPID" >"$gdir/state.lock"; \
  : >"$TMP/held"; sleep 5 ) &
holder=$!
for _ in $(seq 100); do [ -e "$TMP/held" ] && break; sleep 0.1; done
journal "$dead" "#rmapbench-guard 2"
recover_run
[ "$(cat "$TMP/setting")" = before ] || {
	rm -f "$gdir/guard.$dead"; kill "$holder"
	fail "a dead owner's journal was undone while process $holder held state.lock"
}
wait "$holder"
recover_run
[ "$(cat "$TMP/setting")" = undone ] && [ ! -e "$gdir/guard.$dead" ] ||
	fail "a dead owner's journal was not undone once state.lock was free: $(cat "$TMP/r.err")"
echo "recovery: a live older rmapbench's journal left alone, undone once it died; a dead owner's journal undone only with state.lock"
