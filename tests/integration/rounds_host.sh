#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# rmapbench run --rounds 2: one report holding both rounds (rounds, rep.round,
# round_info with each round's shuffled order, shuffle_seed, label), each
# round a fresh process, the order reproducible from the seed, exact counts
# equal across rounds, nothing left in TMPDIR; SIGTERM during a round: exit
# 143, no report. run --check: 0 for good input, 2 with one line for bad,
# without running anything or writing a file.
. "$(dirname "$0")/lib.sh"
need_bpf

# --check first: no root needed for it, but the rest of this test needs BPF
check() {
	local want=$1 needle=$2 rc=0
	shift 2
	(cd "$TMP" && "$RMB" run --check "$@" >"$TMP/out" 2>"$TMP/err") || rc=$?
	[ "$rc" -eq "$want" ] || fail "run --check $*: exit $rc, expected $want: $(cat "$TMP/err")"
	if [ "$want" -eq 2 ]; then
		[ "$(wc -l <"$TMP/err")" -eq 1 ] && grep -qF -- "$needle" "$TMP/err" ||
			fail "run --check $*: expected one line naming '$needle': $(cat "$TMP/err")"
	else
		[ ! -s "$TMP/err" ] && [ ! -s "$TMP/out" ] || fail "run --check $*: not quiet: $(cat "$TMP/out" "$TMP/err")"
	fi
}
check 0 "" --config "$ROOT/configs/quick.conf" --rounds 3 --reps 5 --set fork-chain.depth=8
check 0 "" --config "$ROOT/configs/default.conf" --json "$TMP/never.json"
check 2 "forks" --config "$ROOT/configs/quick.conf" --set fork-chain.forks=6
check 2 "fork-chian" --workload fork-chian
check 2 "--reps '1001'" --reps 1001
check 2 "--rounds '101'" --rounds 101
check 2 "--label" --label "two words"
check 2 "max_procs" --workload fork-tree --set fork-tree.fanout=16 --set fork-tree.depth=6
[ ! -e "$TMP/never.json" ] || fail "run --check wrote the report file"
echo "ok   run --check: 2 good, 6 bad inputs"

mkdir -p "$TMP/tmpdir"
W=fork-chain,mremap-frag,fork-tree
start=$SECONDS
TMPDIR=$TMP/tmpdir "$RMB" run --rounds 2 --shuffle-seed 1 --workload "$W" --reps 2 --label hostA \
	--json "$TMP/r.json" 2>"$TMP/err" || fail "run --rounds 2: exit $?: $(cat "$TMP/err")"
echo "ok   run --rounds 2 in $((SECONDS - start)) s"
[ -z "$(ls -A "$TMP/tmpdir")" ] || fail "left in TMPDIR: $(ls -A "$TMP/tmpdir")"
TMPDIR=$TMP/tmpdir "$RMB" run --rounds 2 --shuffle-seed 1 --workload "$W" --reps 1 \
	--json "$TMP/r2.json" 2>"$TMP/err" || fail "second run --rounds 2: exit $?: $(cat "$TMP/err")"
python3 - "$TMP/r.json" "$TMP/r2.json" <<'PY' || fail "the rounds report is wrong"
import json, sys
r, r2 = (json.load(open(p)) for p in sys.argv[1:])
sel = ["fork-chain", "fork-tree", "mremap-frag"]
assert r["rounds"] == 2 and r["label"] == "hostA" and r["shuffle_seed"] == 1, (r.get("rounds"), r.get("label"), r.get("shuffle_seed"))
assert [w["name"] for w in r["workloads"]] == [n for n in r["config"]["workloads"]]
assert [e["round"] for e in r["round_info"]] == [1, 2], r["round_info"]
orders = [e["order"] for e in r["round_info"]]
for o in orders:
    assert sorted(o) == sel, o
assert orders[0] != orders[1], f"seed 1 gave both rounds the order {orders[0]}"
# the order depends on the seed and the round only
assert orders == [e["order"] for e in r2["round_info"]], (orders, r2["round_info"])
assert r["round_info"][0]["created"] <= r["round_info"][1]["created"]
for w in r["workloads"]:
    assert w["status"] == "ok", (w["name"], w["status"], w.get("reason"))
    assert [(x["round"], x["rep"]) for x in w["reps"]] == [(1, 1), (1, 2), (2, 1), (2, 2)], w["name"]
fc = next(w for w in r["workloads"] if w["name"] == "fork-chain")
for m in ("slab.anon_vma.allocs", "slab.anon_vma_chain.allocs", "slab.vm_area_struct.allocs", "fork.total.anon_vma_chain"):
    vals = {x["metrics"][m]["value"] for x in fc["reps"]}
    assert len(vals) == 1, f"fork-chain {m}: {vals} across rounds"
print("orders", orders)
PY

# SIGTERM to the rounds process while a round runs: no report, 143
rc=0
TMPDIR=$TMP/tmpdir "$RMB" run --rounds 3 --workload fork-chain --reps 50 --json "$TMP/killed.json" 2>"$TMP/err" &
pid=$!
sleep 2
kill -TERM "$pid"
wait "$pid" || rc=$?
[ "$rc" -eq 143 ] || fail "SIGTERM: exit $rc, expected 143: $(cat "$TMP/err")"
[ ! -e "$TMP/killed.json" ] || fail "SIGTERM: a report was written"
sleep 0.5
# the rounds' own processes carry $TMP (their report path) on their command line
left=$(pgrep -fc -- "$TMP" || true)
[ "$left" -eq 0 ] || fail "$left rmapbench processes left after SIGTERM: $(pgrep -fa -- "$TMP")"
[ -z "$(ls -A "$TMP/tmpdir")" ] || fail "SIGTERM: left in TMPDIR: $(ls -A "$TMP/tmpdir")"
echo "ok   SIGTERM during round 1: exit 143, no report, nothing left"
