#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# `rmapbench compare` and `./run.sh compare` through the real binary: the
# verdict is the exit code (0/1/2), bad inputs give one error line naming
# the input, unlike environments are refused for timed metrics in every
# output, and nothing half-written is left behind.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
RMB=${RMAPBENCH:-$RMB}
DATA=$ROOT/tests/data
B=$DATA/report-base.json T=$DATA/report-test.json G=$DATA/report-tcg.json

[ -x "$RMB" ] || skip "$RMB not built (make)"

expect2() {
	local what=$1 needle=$2
	shift 2
	run_rc 2 "$what" "$@"
	grep -qF -- "$needle" "$TMP/err" || fail "$what: error does not name '$needle': $(cat "$TMP/err")"
	[ "$(wc -l <"$TMP/err")" -eq 1 ] || fail "$what: not one error line: $(cat "$TMP/err")"
}

run_rc 0 "A/A" "$RMB" compare "$B" "$B" --out "$TMP/aa" --no-graphs
grep -q 'verdict: no regression (exit 0)' "$TMP/out" || fail "A/A: no verdict line"
run_rc 1 "base vs test" "$RMB" compare "$B" "$T" --out "$TMP/bt" --no-graphs
grep -q '\*R' "$TMP/out" || fail "no regression marked in the table"
grep -q 'verdict: REGRESSION (exit 1)' "$TMP/out" || fail "no REGRESSION verdict line"
[ "$(py "$TMP/bt/comparison.json" 'r["exit_code"]')" = 1 ] || fail "comparison.json exit_code"
# summary.md and index.html state the same counts and method (one source)
python3 - "$TMP/bt/summary.md" "$TMP/bt/index.html" <<'PY' || fail "summary.md and index.html disagree"
import html, re, sys
md, page = open(sys.argv[1]).read(), html.unescape(open(sys.argv[2]).read())
counts = re.search(r"^\d+ regression\(s\) .*\.$", md, re.M).group(0)
method = re.search(r"^(Timed: judged from .*Exact: flagged on any difference\.)", md, re.M).group(1)
for what, text in (("counts", counts), ("method", method)):
    if text not in page:
        sys.exit(f"index.html lacks the {what} sentence of summary.md: {text}")
PY

# workloads not compared (failed in the test, unavailable in the base) and
# unmatched ones: summary.md, index.html and the table say the same sentences
python3 - "$B" "$T" "$TMP" <<'PY'
import json, sys
b, t = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
for w in t["workloads"]:
    if w["name"] == "fork-tree":
        w["status"], w["reason"] = "failed", "killed by signal 9 <&>"
t["workloads"] = [w for w in t["workloads"] if w["name"] != "fork-chain"]
for w in b["workloads"]:
    if w["name"] == "mremap-frag":
        w["status"], w["reason"] = "unavailable", "no_mremap here"
json.dump(b, open(sys.argv[3] + "/bp.json", "w"))
json.dump(t, open(sys.argv[3] + "/tp.json", "w"))
PY
run_rc 1 "not compared" "$RMB" compare "$TMP/bp.json" "$TMP/tp.json" --out "$TMP/np" --no-graphs
python3 - "$TMP/np/summary.md" "$TMP/np/index.html" "$TMP/out" <<'PY' || fail "not compared / unmatched: outputs disagree"
import html, re, sys
md, page, table = open(sys.argv[1]).read(), html.unescape(open(sys.argv[2]).read()), open(sys.argv[3]).read()
sec = md.split("### Workloads not compared\n\n", 1)[1].split("\n\n", 1)[0]
lines = [re.sub(r"\\(.)", r"\1", l[2:]) for l in sec.splitlines() if l.startswith("- ")]
want = ("fork-tree {fanout=3 depth=3 pages=64 cow_pct=50} not compared: test failed: killed by signal 9 <&>",
        "mremap-frag {n=16} not compared: base unavailable: no_mremap here",
        "unmatched: fork-chain {regions=8 depth=4 parent_exits=0} only in base")
for w in want:
    if not any(l.startswith(w) for l in lines):
        sys.exit(f"summary.md does not say: {w}")
for l in lines:
    if f'<p class="note">{l}</p>' not in page:
        sys.exit(f"index.html lacks the sentence of summary.md: {l}")
    if l.startswith("unmatched:") and l not in table.splitlines():
        sys.exit(f"the table lacks the sentence of summary.md: {l}")
PY

# one round per side (reports without "round"): timed metrics shown, not
# judged, exit 0 from them, and the fix is named
python3 - "$B" "$T" "$TMP" <<'PY'
import json, sys
for src, name in ((sys.argv[1], "b1.json"), (sys.argv[2], "t1.json")):
    r = json.load(open(src))
    r.pop("rounds", None)
    for w in r["workloads"]:
        w["reps"] = [x for x in w["reps"] if x.get("round", 1) == 1]
        for x in w["reps"]:
            x.pop("round", None)
    json.dump(r, open(f"{sys.argv[3]}/{name}", "w"))
PY
run_rc 0 "1 round, same" "$RMB" compare "$TMP/b1.json" "$TMP/b1.json" --out "$TMP/r1" --no-graphs
grep -q 'NOT judged' "$TMP/out" || fail "1 round: stdout does not say timed metrics were not judged"
grep -q -- '--rounds 3' "$TMP/out" || fail "1 round: stdout does not recommend --rounds 3"
grep -q -- '--rounds 3' "$TMP/r1/summary.md" || fail "1 round: summary.md does not recommend --rounds 3"
[ "$(py "$TMP/r1/comparison.json" 'r["tests"][0]["timed"]["judged"]')" = False ] ||
	fail "1 round: comparison.json says timed metrics were judged"
# the +12% timed change alone cannot fail CI; the exact one still does
run_rc 1 "1 round, test" "$RMB" compare "$TMP/b1.json" "$TMP/t1.json" --out "$TMP/r1t" --no-graphs
py "$TMP/r1t/comparison.json" '[m["verdict"] for w in r["tests"][0]["workloads"] for m in w["metrics"] if m["kind"] == "timed" and m["verdict"] not in ("not-judged", "unavailable")]' |
	grep -qx '\[\]' || fail "1 round: a timed metric was judged"

# --json: stdout is exactly comparison.json
run_rc 1 "--json" "$RMB" compare "$B" "$T" --out "$TMP/js" --json --no-graphs
python3 -c 'import json,sys; a=json.load(open(sys.argv[1])); b=json.load(open(sys.argv[2])); sys.exit(a!=b)' \
	"$TMP/out" "$TMP/js/comparison.json" || fail "--json output differs from comparison.json"

# unlike environments: said on stdout, in summary.md and comparison.json
run_rc 1 "native vs tcg" "$RMB" compare "$B" "$G" --out "$TMP/tcg" --no-graphs
grep -q 'NOT judged' "$TMP/out" || fail "stdout does not say timed metrics were not judged"
grep -q 'NOT judged' "$TMP/tcg/summary.md" || fail "summary.md does not say timed metrics were not judged"
[ "$(py "$TMP/tcg/comparison.json" 'r["tests"][0]["environment"]["timed"]')" = refused ] ||
	fail "comparison.json: environment.timed is not refused"
py "$TMP/tcg/comparison.json" '[m["verdict"] for w in r["tests"][0]["workloads"] for m in w["metrics"] if m["kind"] == "timed" and m["verdict"] not in ("not-judged", "unavailable")]' |
	grep -qx '\[\]' || fail "a timed metric was judged between native and tcg"
run_rc 1 "native vs tcg --force" "$RMB" compare "$B" "$G" --out "$TMP/force" --no-graphs --force
grep -q -- '--force' "$TMP/out" || fail "--force is not mentioned in the output"

# three reports at once
run_rc 1 "base vs two" "$RMB" compare "$B" "$T" "$G" --out "$TMP/three" --no-graphs
[ "$(py "$TMP/three/comparison.json" 'len(r["tests"])')" = 2 ] || fail "two test reports expected"

# bad inputs: exit 2, one line naming the input, no comparison written
python3 - "$B" "$TMP" <<'PY'
import json, sys
base, tmp = sys.argv[1], sys.argv[2]
def write(name, change):
    r = json.load(open(base))
    change(r)
    json.dump(r, open(f"{tmp}/{name}", "w"))
write("v2.json", lambda r: r.update(schema_version=2))
write("params.json", lambda r: r["workloads"][0]["params"].update(depth=8))
write("value.json", lambda r: r["workloads"][1]["reps"][0]["metrics"]["build_ns"].update(value="fast"))
PY
printf '{"schema": "rmapbench-report",' >"$TMP/broken.json"
expect2 "missing file" "$TMP/none.json" "$RMB" compare "$B" "$TMP/none.json" --out "$TMP/bad1"
expect2 "invalid JSON" "$TMP/broken.json" "$RMB" compare "$B" "$TMP/broken.json" --out "$TMP/bad2"
expect2 "schema version" "$TMP/v2.json" "$RMB" compare "$TMP/v2.json" "$B" --out "$TMP/bad3"
expect2 "params" "$TMP/params.json" "$RMB" compare "$B" "$TMP/params.json" --out "$TMP/bad4"
expect2 "metric value" "$TMP/value.json" "$RMB" compare "$B" "$TMP/value.json" --out "$TMP/bad5"
expect2 "one report" "need a base report" "$RMB" compare "$B"
printf '[compare]\nalpha = 0.05\ngate = timed:*\nthreshold.fork.* = lots\n' >"$TMP/bad.ini"
expect2 "bad config" "$TMP/bad.ini:4" "$RMB" compare "$B" "$T" --config "$TMP/bad.ini" --out "$TMP/bad6"
for d in bad1 bad2 bad3 bad4 bad5 bad6; do
	[ ! -e "$TMP/$d" ] || fail "$d: an output directory was written despite the error"
done

# the suite's config carries [compare]: the runner ignores it, compare reads it
printf '[run]\nreps = 5\n\n[compare]\nthreshold.fork.* = 50\ngate = exact:slab.*\n' >"$TMP/suite.conf"
run_rc 1 "config" "$RMB" compare "$B" "$T" --config "$TMP/suite.conf" --out "$TMP/cfg" --no-graphs
[ "$(py "$TMP/cfg/comparison.json" '[m["verdict"] for w in r["tests"][0]["workloads"] for m in w["metrics"] if m["name"] == "fork.mean_ns"][0]')" = unchanged ] ||
	fail "threshold.fork.* = 50 not applied"

# ./run.sh compare passes the verdict through
if [ -x "$ROOT/run.sh" ] && [ "$RMB" = "$ROOT/build/rmapbench" ]; then
	run_rc 1 "run.sh compare" "$ROOT/run.sh" compare "$B" "$T" --out "$TMP/runsh"
	[ -s "$TMP/runsh/summary.md" ] || fail "run.sh compare wrote no summary.md"
fi
for f in "$TMP"/*/.rmapbench.* "$TMP"/*/.*.tmp.* "$TMP"/*/*.tmp.*; do
	[ ! -e "$f" ] || fail "temporary file left behind: $f"
done
echo "compare exit codes, errors and environment refusal as documented"
