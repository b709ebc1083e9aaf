#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Exact means exact: every host workload, 5 repetitions, in 2 separate runs;
# every metric of kind "exact" must have a single value over all 10
# repetitions, and no repetition may be marked inexact (settle timeout, lost
# or stale objects). scripts/validate-exact.sh is the long version (20
# repetitions, guests, several boots). Machine-state workloads of concurrent
# runs take turns on rmapbench's own /run/rmapbench/state.lock. ksm runs with then=2
# here: its then=1 (reclaim) phase is occasionally OOM-killed in the memory
# cgroup on cgroup v1 hosts, which fails a repetition but says nothing about
# exactness (scripts/validate-exact.sh runs the default).
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
need_bpf

plain=fork-chain,fork-tree,mremap-frag,mremap-multi
state=reclaim,migrate,thp,ksm
for i in 1 2; do
	"$RMB" run --workload "$plain" --reps 5 --interval 0 --json "$TMP/p$i.json" 2>"$TMP/err" ||
		{ cat "$TMP/err"; fail "run $i ($plain) exited $?"; }
	"$RMB" run --workload "$state" --set ksm.then=2 --reps 5 \
		--interval 0 --json "$TMP/s$i.json" 2>"$TMP/err" ||
		{ cat "$TMP/err"; fail "run $i ($state) exited $?"; }
done
python3 "$ROOT/scripts/check-exact.py" --min-reps 10 "$TMP"/p1.json "$TMP"/p2.json \
	"$TMP"/s1.json "$TMP"/s2.json || fail "an exact metric has more than one value"
# the check can fail: a changed count is caught
python3 - "$TMP/p1.json" "$TMP/bad.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
r["workloads"][0]["reps"][-1]["metrics"]["slab.vm_area_struct.allocs"]["value"] += 1
json.dump(r, open(sys.argv[2], "w"))
PY
if python3 "$ROOT/scripts/check-exact.py" "$TMP/p1.json" "$TMP/bad.json" >"$TMP/out"; then
	fail "check-exact.py accepted two values of slab.vm_area_struct.allocs"
fi
grep -q "FAIL .*slab.vm_area_struct.allocs: 2 values" "$TMP/out" || fail "unexpected: $(cat "$TMP/out")"
echo "ok: one value per exact metric over 2 runs x 5 repetitions of every host workload"
