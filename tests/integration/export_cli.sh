#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# `rmapbench export` command line: --help, exit 2 with one error line naming
# the bad file or option, nothing written on error (the -o target stays as
# it was), stdout by default, verdict strings the exporter does not know
# (newer compare versions) tolerated, a comparison of other reports refused.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
DATA=$ROOT/tests/data
B=$DATA/report-base.json T=$DATA/report-test.json G=$DATA/report-tcg.json

[ -x "$RMB" ] || skip "$RMB not built (make)"

expect2() {
	local what=$1 needle=$2
	shift 2
	run_rc 2 "$what" "$@"
	grep -qF -- "$needle" "$TMP/err" || fail "$what: error does not name '$needle': $(cat "$TMP/err")"
	[ "$(wc -l <"$TMP/err")" -eq 1 ] || fail "$what: not one error line: $(cat "$TMP/err")"
	[ ! -s "$TMP/out" ] || fail "$what: wrote to stdout on error"
}

run_rc 0 "--help" "$RMB" export --help
grep -q 'examples:' "$TMP/out" || fail "--help has no examples"
"$RMB" --help | grep -q '^  export ' || fail "export missing from rmapbench --help"

"$RMB" compare "$B" "$T" "$G" --out "$TMP/cmp" --no-graphs >/dev/null || true
C=$TMP/cmp/comparison.json
echo '{"v":1}' >"$TMP/bad.json"
printf '{"schema":"rmapbench-report",' >"$TMP/trunc.json"

expect2 "no format" "--format" "$RMB" export "$T"
expect2 "bad format" "'xml'" "$RMB" export --format xml "$T"
expect2 "no report" "REPORT.json" "$RMB" export --format kcidb
expect2 "two reports" "REPORT.json" "$RMB" export --format kcidb "$T" "$B"
expect2 "missing report" "$TMP/nope.json" "$RMB" export --format kcidb "$TMP/nope.json"
expect2 "truncated report" "$TMP/trunc.json" "$RMB" export --format lava "$TMP/trunc.json"
expect2 "not a report" "$TMP/bad.json" "$RMB" export --format junit "$TMP/bad.json"
expect2 "report as comparison" "$T" "$RMB" export --format junit "$T" --comparison "$T"
expect2 "bad origin" "--origin 'Lab-1'" "$RMB" export --format kcidb "$T" --origin Lab-1
expect2 "unknown option" "--bogus" "$RMB" export --format kcidb "$T" --bogus
expect2 "option without value" "-o" "$RMB" export --format kcidb "$T" -o
python3 - "$T" "$TMP/badmetric.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
r["workloads"][1]["reps"][2]["metrics"]["build_ns"]["value"] = "fast"
json.dump(r, open(sys.argv[2], "w"))
PY
expect2 "string value" 'workloads[1] (fork-tree).reps[2].metrics."build_ns"' \
	"$RMB" export --format tuxrun "$TMP/badmetric.json"

# a comparison that does not contain this report
"$RMB" compare "$B" "$G" --out "$TMP/cmp2" --no-graphs >/dev/null || true
expect2 "foreign comparison" "$TMP/cmp2/comparison.json" \
	"$RMB" export --format junit "$T" --comparison "$TMP/cmp2/comparison.json"

# nothing half-written: an existing -o target survives a failed export
echo keep >"$TMP/o.json"
expect2 "failed export keeps -o" "$TMP/bad.json" "$RMB" export --format kcidb "$TMP/bad.json" -o "$TMP/o.json"
[ "$(cat "$TMP/o.json")" = keep ] || fail "failed export changed the -o file"
[ -z "$(find "$TMP" -name '.rmapbench.*')" ] || fail "temporary file left behind"
expect2 "unwritable -o" "$TMP/no/dir/x.json" "$RMB" export --format kcidb "$T" -o "$TMP/no/dir/x.json"

# quiet by default, -v says what it matched
run_rc 0 "quiet" "$RMB" export --format lava "$T" --comparison "$C" -o "$TMP/l.txt"
{ [ -s "$TMP/err" ] || [ -s "$TMP/out" ]; } && fail "export is not quiet without -v"
run_rc 0 "-v" "$RMB" export -v --format lava "$T" --comparison "$C" -o "$TMP/l.txt"
grep -q 'test report' "$TMP/err" || fail "-v does not say which test report matched"
run_rc 0 "stdout" "$RMB" export --format lava "$T"
grep -q '^lava-test-set start fork-chain$' "$TMP/out" || fail "lava to stdout"
# the base of a comparison exports without verdicts
run_rc 0 "base" "$RMB" export -v --format junit "$B" --comparison "$C"
grep -q "base" "$TMP/err" || fail "-v does not say the report is the base"
grep -q '<failure' "$TMP/out" && fail "base report got failures"

# verdict strings of newer compare versions: not judged, never a failure
python3 - "$C" "$TMP/newer.json" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
for t in c["tests"]:
    for w in t["workloads"]:
        for m in w["metrics"]:
            if m["verdict"] in ("regression", "improvement", "changed"):
                m["verdict"] = "not_judged"
            elif m["verdict"] == "unchanged":
                m["verdict"] = "something-new"
            m.pop("gate", None)
json.dump(c, open(sys.argv[2], "w"))
PY
for f in kcidb lava junit tuxrun; do
	run_rc 0 "newer verdicts ($f)" "$RMB" export --format "$f" "$T" --comparison "$TMP/newer.json"
	grep -qiE '"FAIL"|--result fail|<failure|"fail"' "$TMP/out" && fail "$f: unknown verdict became a failure"
done
# without "gate" fields JUnit lists every judged metric: none here (all unknown)
run_rc 0 "no gate fields" "$RMB" export --format junit "$T" --comparison "$TMP/newer.json"
grep -q '<testcase' "$TMP/out" && fail "junit listed metrics that were not judged"
echo ok
