#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The fleet CI files: ci/matrix-workflow.yml and ci/lava/rmapbench.yaml pass
# yamllint (and actionlint when installed: Debian 12 does not package it),
# have the structure docs/fleet.md describes; ci/gather-compare.sh on a
# kernels x machines artifact tree of sample reports compares them all,
# exports valid JUnit and KCIDB per report and exits with the verdict
# (0 A/A, 1 regression, 3 a job without a report, 2 bad input).
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
DATA=$ROOT/tests/data
GC=$ROOT/ci/gather-compare.sh

[ -x "$RMB" ] || skip "$RMB not built (make)"
command -v yamllint >/dev/null || skip "yamllint missing (apt-get install yamllint)"
PY=''
for p in /usr/bin/python3 python3; do
	if "$p" -c 'import jsonschema, yaml' 2>/dev/null; then PY=$p; break; fi
done
[ -n "$PY" ] || skip "python3-jsonschema/python3-yaml missing (scripts/deps.sh)"

LINT='{extends: default, rules: {line-length: {max: 110}, document-start: disable, truthy: {check-keys: false}}}'
yamllint -s -d "$LINT" "$ROOT/ci/matrix-workflow.yml" "$ROOT/ci/lava/rmapbench.yaml" ||
	fail "yamllint"
printf 'a: [1\n' >"$TMP/broken.yml"
yamllint -d "$LINT" "$TMP/broken.yml" >/dev/null 2>&1 && fail "yamllint accepted broken YAML"
if command -v actionlint >/dev/null; then
	actionlint "$ROOT/ci/matrix-workflow.yml" || fail "actionlint"
fi
shellcheck "$GC" || fail "shellcheck $GC"

"$PY" - "$ROOT/ci/matrix-workflow.yml" "$ROOT/ci/lava/rmapbench.yaml" <<'PY' || fail "CI file structure"
import re, sys, yaml
wf = yaml.safe_load(open(sys.argv[1]))
run, cmp = wf["jobs"]["run"], wf["jobs"]["compare"]
mx = run["strategy"]["matrix"]
assert len(mx["kernel"]) >= 2 and len(mx["machine"]) >= 1, "matrix needs kernels x machines"
assert all("spec" in k and "name" in k for k in mx["kernel"])
assert all("labels" in m for m in mx["machine"])
assert run["runs-on"] == "${{ matrix.machine.labels }}", "jobs must run on the machine's labels"
steps = " ".join(str(s.get("run", "")) + str(s.get("uses", "")) for s in run["steps"])
assert "run.sh\" --kernel \"$SPEC\"" in steps and "actions/upload-artifact" in steps
assert cmp["needs"] == "run" and cmp["if"] == "always()"
steps = " ".join(str(s.get("run", "")) + str(s.get("uses", "")) for s in cmp["steps"])
assert "actions/download-artifact" in steps and "ci/gather-compare.sh" in steps
expect = [s for s in cmp["steps"] if s.get("id") == "compare"][0]["env"]["EXPECT"]
assert int(expect) == len(mx["kernel"]) * len(mx["machine"]), "EXPECT is not kernels x machines"
base = re.search(r"--base (\S+)", steps).group(1)
assert base == mx["kernel"][0]["name"], "the base is not the first kernel"

lava = yaml.safe_load(open(sys.argv[2]))
assert lava["metadata"]["format"] == "Lava-Test Test Definition 1.0"
for k in ("name", "description", "os", "scope", "devices", "maintainer"):
    assert lava["metadata"][k], k
steps = "\n".join(lava["run"]["steps"])
assert "rmapbench run" in steps and "export --format lava" in steps and "lava-test-case" in steps
assert set(lava["params"]) >= {"CONFIG", "REPS", "WORKLOADS"}
print("workflow: %d x %d matrix, base %s; LAVA definition ok" % (len(mx["kernel"]), len(mx["machine"]), base))
PY

# an artifact tree as download-artifact merges it: DIR/<kernel>/<machine>/report.json
tree() {
	rm -rf "${TMP:?}/${1:?}" && mkdir -p "$TMP/$1"
	local d=$TMP/$1
	shift
	while [ $# -ge 2 ]; do
		mkdir -p "$d/$1" && cp "$2" "$d/$1/report.json"
		shift 2
	done
}
gc_rc() {
	local want=$1 rc
	shift
	set +e
	GITHUB_STEP_SUMMARY=$TMP/step-summary.md GITHUB_OUTPUT=$TMP/gh-out RMAPBENCH=$RMB \
		"$GC" "$@" >"$TMP/out" 2>"$TMP/err"
	rc=$?
	set -e
	[ "$rc" -eq "$want" ] || fail "gather-compare $*: exit $rc, expected $want: $(tail -n 5 "$TMP/err")"
}

# 2 kernels x 2 machines: base on native and TCG, test on native and TCG
tree m base/native "$DATA/report-base.json" base/tcg "$DATA/report-tcg.json" \
	test/native "$DATA/report-test.json" test/tcg "$DATA/report-tcg.json"
: >"$TMP/step-summary.md"
gc_rc 1 "$TMP/m" --base base --expect 4 --out "$TMP/mo"
grep -q 'REGRESSION' "$TMP/step-summary.md" || fail "no regression verdict in the job summary"
grep -q "comparison_dir=$TMP/mo/comparison" "$TMP/gh-out" || fail "comparison_dir not exported"
"$PY" - "$TMP/mo" "$DATA/kcidb-v05_03.schema.json" <<'PY' || fail "gathered comparison"
import glob, json, os, sys, jsonschema
out = sys.argv[1]
c = json.load(open(f"{out}/comparison/comparison.json"))
assert c["base"]["file"].endswith("base/native/report.json"), c["base"]["file"]
assert len(c["tests"]) == 3, len(c["tests"])
assert c["exit_code"] == 1
# two machines (native, TCG): timed metrics judged within each, against
# the base kernel's report on it; exact ones against the base everywhere
g = c["machine_groups"]
assert len(g) == 2 and [len(x["members"]) for x in g] == [2, 2], g
t = {x["file"].split("/m/")[1]: x for x in c["tests"]}
assert t["test/native/report.json"]["timed_base"]["file"].endswith("base/native/report.json")
assert t["base/tcg/report.json"]["timed_base"] is None
assert t["test/tcg/report.json"]["timed_base"]["file"].endswith("base/tcg/report.json")
assert t["test/tcg/report.json"]["timed"]["judged"], t["test/tcg/report.json"]["timed"]
names = sorted(os.path.basename(f) for f in glob.glob(f"{out}/junit/*.xml"))
assert names == ["base--native.xml", "base--tcg.xml", "test--native.xml", "test--tcg.xml"], names
v = jsonschema.Draft7Validator(json.load(open(sys.argv[2])))
issues = 0
for f in glob.glob(f"{out}/kcidb/*.json"):
    d = json.load(open(f))
    errs = list(v.iter_errors(d))
    assert not errs, (f, errs[0].message)
    issues += len(d.get("issues", []))
assert issues > 0, "no KCIDB issue for the regression"
print(f"gathered: 4 reports, 3 compared with the base, {issues} KCIDB issues")
PY
for f in "$TMP"/mo/junit/*.xml; do
	xmllint --noout --schema "$DATA/junit-10.xsd" "$f" 2>"$TMP/xerr" || fail "$f: $(cat "$TMP/xerr")"
done
grep -q '<failure' "$TMP/mo/junit/test--native.xml" || fail "no JUnit failure for the regression"

# A/A: no regression, exit 0
tree aa base/m1 "$DATA/report-base.json" again/m1 "$DATA/report-base.json"
gc_rc 0 "$TMP/aa" --base base --out "$TMP/aao"
# a matrix job without a report: still compared, exit 3, said in the summary
gc_rc 3 "$TMP/aa" --base base --expect 3 --out "$TMP/aao3"
grep -q '1 of 3 matrix jobs produced no report' "$TMP/aao3/comparison/summary.md" ||
	fail "missing report not in the summary"
# bad input
gc_rc 2 "$TMP/aa" --base nosuch --out "$TMP/x"
grep -q 'no report of the base kernel' "$TMP/err" || fail "missing base not named"
gc_rc 2 "$TMP/nodir" --base base
gc_rc 2 "$TMP/aa" --base base --expect many
gc_rc 0 --help
echo ok
