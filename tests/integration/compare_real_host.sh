#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# A/A on real reports: the quick suite run twice on the running kernel and
# compared. Same kernel, same machine: timed metrics are judged (like
# environments) and every exact metric must be identical, or "exact" would
# not mean what docs/compare.md says. Exit 0 pass, 77 skip, else fail.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
RMB=${RMAPBENCH:-$RMB}

[ -x "$RMB" ] || skip "$RMB not built (make)"
need_bpf

for i in 1 2; do
	"$RMB" run --config "$ROOT/configs/quick.conf" --json "$TMP/host$i.json" >"$TMP/run$i.log" 2>&1 ||
		fail "rmapbench run #$i: exit $?: $(tail -n 5 "$TMP/run$i.log")"
done
set +e
"$RMB" compare "$TMP/host1.json" "$TMP/host2.json" --out "$TMP/aa" --no-graphs >"$TMP/aa.txt" 2>"$TMP/aa.err"
rc=$?
set -e
[ "$rc" -ne 2 ] || fail "compare: exit 2: $(cat "$TMP/aa.err")"
[ "$(py "$TMP/aa/comparison.json" 'r["tests"][0]["environment"]["timed"]')" = judged ] ||
	fail "same machine, but timed metrics were not judged"
diffs=$(py "$TMP/aa/comparison.json" '"; ".join(w["name"] + "/" + m["name"] + ": " + str(m["base"]["value"]) + " -> " + str(m["test"]["value"]) for w in r["tests"][0]["workloads"] for m in w["metrics"] if m["kind"] == "exact" and m["verdict"] not in ("unchanged", "unavailable"))')
[ -z "$diffs" ] || fail "exact metrics differ between two runs of the same kernel: $diffs"
n=$(py "$TMP/aa/comparison.json" 'sum(1 for w in r["tests"][0]["workloads"] for m in w["metrics"] if m["kind"] == "exact" and m["verdict"] == "unchanged")')
[ "$n" -gt 0 ] || fail "no exact metric was compared"
[ "$rc" -eq 0 ] || fail "A/A compare: exit $rc: $(grep -E '\*R' "$TMP/aa.txt" | head -5)"
echo "A/A on $(uname -r): $n exact metrics identical, exit 0"
