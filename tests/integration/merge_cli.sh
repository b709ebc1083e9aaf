#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# rmapbench merge: rounds of one kernel and config combine (rounds add up,
# every repetition gets its round, round_info renumbered, workloads in the
# config's order); reports of another kernel, label, config or params are
# refused with exit 2 and one line naming the file, and nothing is written.
. "$(dirname "$0")/lib.sh"
# a one-round report: the first round of the (multi-round) sample
B=$TMP/one.json
python3 - "$ROOT/tests/data/report-base.json" "$B" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
for k in ("rounds", "round_info"):
    r.pop(k, None)
for w in r["workloads"]:
    w["reps"] = [x for x in w["reps"] if x.pop("round", 1) == 1]
json.dump(r, open(sys.argv[2], "w"))
PY

# variant NAME PYTHON: a copy of the base report changed by PYTHON (on r)
variant() {
	python3 - "$B" "$TMP/$1.json" "$2" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
exec(sys.argv[3])
json.dump(r, open(sys.argv[2], "w"))
PY
}

# a round run in another order (workloads listed backwards, with round_info)
variant shuffled "r['workloads'].reverse(); r['round_info'] = [{'round': 1, 'created': 'x', 'cmdline': 'c', 'order': [w['name'] for w in r['workloads']]}]"
"$RMB" merge -o "$TMP/two.json" "$B" "$TMP/shuffled.json" || fail "merge of two rounds: exit $?"
"$RMB" merge -o "$TMP/three.json" "$TMP/two.json" "$B" -v 2>"$TMP/err" || fail "merge of 2 + 1 rounds: exit $?"
grep -q "3 round" "$TMP/err" || fail "-v says nothing: $(cat "$TMP/err")"
python3 - "$B" "$TMP/two.json" "$TMP/three.json" <<'PY' || fail "merged reports are wrong"
import json, sys
b, two, three = (json.load(open(p)) for p in sys.argv[1:])
assert two["rounds"] == 2 and three["rounds"] == 3, (two.get("rounds"), three.get("rounds"))
names = [w["name"] for w in b["workloads"]]
for m, n in ((two, 2), (three, 3)):
    assert [w["name"] for w in m["workloads"]] == names, "workloads not in the config's order"
    assert [e["round"] for e in m["round_info"]] == list(range(1, n + 1)), m["round_info"]
    for w, wb in zip(m["workloads"], b["workloads"]):
        keys = [(x["round"], x["rep"]) for x in w["reps"]]
        want = [(k, x["rep"]) for k in range(1, n + 1) for x in wb["reps"]]
        assert keys == want, f"{w['name']}: {keys}"
        for x in w["reps"]:
            xb = wb["reps"][x["rep"] - 1]
            assert x["metrics"] == xb["metrics"], f"{w['name']} round {x['round']} rep {x['rep']}: metrics changed"
assert two["round_info"][1]["order"] == names[::-1], two["round_info"][1]
assert three["round_info"][1]["order"] == names[::-1] and three["round_info"][2]["created"] == b["created"]
PY

# a parameter a newer build added (here fork-chain's wipeonfork, absent from
# the sample) at its declared default is the same run, as in compare
# (workload_params_equal, workloads/table.c), either way round
variant added "r['workloads'][0]['params']['wipeonfork'] = 0"
"$RMB" merge -o "$TMP/m-added.json" "$B" "$TMP/added.json" 2>"$TMP/err" ||
	fail "merge with a parameter added at its default: exit $?: $(cat "$TMP/err")"
"$RMB" merge -o "$TMP/m-added2.json" "$TMP/added.json" "$B" 2>"$TMP/err" ||
	fail "merge with a parameter added at its default (first): exit $?: $(cat "$TMP/err")"
[ "$(py "$TMP/m-added.json" 'r["rounds"]')" = 2 ] || fail "merge with an added default: rounds not 2"

# refused: exit 2, one line naming the file, no output
refuse() {
	local name=$1 needle=$2 rc=0
	shift 2
	"$RMB" merge -o "$TMP/out.json" "$@" 2>"$TMP/err" || rc=$?
	[ "$rc" -eq 2 ] || fail "$name: exit $rc, expected 2: $(cat "$TMP/err")"
	[ "$(wc -l <"$TMP/err")" -eq 1 ] || fail "$name: not one line: $(cat "$TMP/err")"
	grep -qF -- "$needle" "$TMP/err" || fail "$name: the error does not say '$needle': $(cat "$TMP/err")"
	[ ! -e "$TMP/out.json" ] || fail "$name: wrote $TMP/out.json"
	ls "$TMP" | grep -q '^\.out\.json' && fail "$name: left a temporary file"
	echo "ok   $name: $(cat "$TMP/err")"
}
variant release "r['kernel']['release'] = '6.12.6-amd64'"
variant build "r['kernel']['version'] = '#2 SMP PREEMPT_DYNAMIC Debian'"
variant params "r['workloads'][0]['params']['depth'] = r['workloads'][0]['params'].get('depth', 4) + 1"
variant label "r['label'] = 'patched'"
variant cmdline "r['kernel']['cmdline'] += ' init_on_free=1'"
variant reps "r['config']['reps'] = 7"
variant schema2 "r['schema_version'] = 2"
variant addedset "r['workloads'][0]['params']['wipeonfork'] = 1"
variant badround "r['workloads'][0]['reps'][0]['round'] = 3"
printf '{"schema": "rmapbench-report", ' >"$TMP/truncated.json"
refuse release "$TMP/release.json: kernel.release" "$B" "$TMP/release.json"
refuse build "$TMP/build.json: kernel.version" "$B" "$TMP/build.json"
refuse params "$TMP/params.json: fork-chain.params.depth" "$B" "$TMP/params.json"
refuse addedset "$TMP/addedset.json: fork-chain.params.wipeonfork is 1" "$B" "$TMP/addedset.json"
refuse addedset-first "$B: fork-chain.params.wipeonfork is null" "$TMP/addedset.json" "$B"
refuse label "$TMP/label.json: label" "$B" "$TMP/label.json"
refuse cmdline "$TMP/cmdline.json: kernel.cmdline" "$B" "$TMP/cmdline.json"
refuse config "$TMP/reps.json: config.reps" "$B" "$TMP/reps.json"
refuse schema "$TMP/schema2.json: schema_version" "$B" "$TMP/schema2.json"
refuse round "$TMP/badround.json: fork-chain rep 1: round" "$B" "$TMP/badround.json"
refuse truncated "$TMP/truncated.json: invalid JSON" "$B" "$TMP/truncated.json"
refuse missing "$TMP/none.json" "$B" "$TMP/none.json"
rc=0
"$RMB" merge "$B" "$B" 2>"$TMP/err" || rc=$?
[ "$rc" -eq 2 ] && grep -qF -- "-o OUT.json is required" "$TMP/err" || fail "no -o: exit $rc: $(cat "$TMP/err")"
rc=0
"$RMB" merge -o "$TMP/nodir/out.json" "$B" "$B" 2>"$TMP/err" || rc=$?
[ "$rc" -eq 2 ] && grep -qF "$TMP/nodir/out.json" "$TMP/err" || fail "unwritable output: exit $rc: $(cat "$TMP/err")"
"$RMB" merge --help | grep -q "examples:" || fail "merge --help has no examples"
echo "merge: 2 + 1 rounds merged; a parameter added at its default merged; 14 bad inputs refused"
