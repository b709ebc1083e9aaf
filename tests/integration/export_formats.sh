#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# `rmapbench export` on the sample reports and their comparison: KCIDB
# output validates against the official v5.3 JSON Schema (tests/data,
# exported from kernelci/kcidb-io) and maps every metric as docs/fleet.md
# says; JUnit validates against Jenkins' junit-10.xsd with xmllint and has
# one failure per gated regression; LAVA lines and tuxrun results.json
# carry the medians, valid names and one test set per workload. Values are
# recomputed here from the report, not taken from the exporter.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
DATA=$ROOT/tests/data
B=$DATA/report-base.json T=$DATA/report-test.json

[ -x "$RMB" ] || skip "$RMB not built (make)"
command -v xmllint >/dev/null || skip "xmllint missing (apt-get install libxml2-utils)"
# Debian's python3-jsonschema (scripts/deps.sh); /usr/bin/python3 first: a
# python3 earlier in PATH may not see Debian's packages
PY=''
for p in /usr/bin/python3 python3; do
	if "$p" -c 'import jsonschema' 2>/dev/null; then PY=$p; break; fi
done
[ -n "$PY" ] || skip "python3-jsonschema missing (apt-get install python3-jsonschema)"

"$RMB" compare "$B" "$T" --out "$TMP/cmp" --no-graphs >/dev/null && fail "compare: expected a regression (exit 1)"
C=$TMP/cmp/comparison.json
[ -s "$C" ] || fail "no comparison.json"

# --- KCIDB -------------------------------------------------------------
"$RMB" export --format kcidb "$T" -o "$TMP/k0.json"
"$RMB" export --format kcidb "$T" --comparison "$C" --origin lab_one -o "$TMP/k1.json"
"$RMB" export --format kcidb "$T" --comparison "$C" --origin lab_one -o "$TMP/k1b.json"
cmp -s "$TMP/k1.json" "$TMP/k1b.json" || fail "KCIDB output differs between two runs on the same input"
"$RMB" export --format kcidb "$B" -o "$TMP/kb.json"

cat >"$TMP/kcidb_check.py" <<'PY'
import copy, datetime, json, re, statistics, sys
import jsonschema

schema_file, report_file, plain, compared, other, comparison = sys.argv[1:7]
schema = json.load(open(schema_file))
fc = jsonschema.FormatChecker()
@fc.checks("date-time", raises=ValueError)
def date_time(s):
    # RFC 3339 (Debian's jsonschema has no date-time checker of its own)
    if not re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$", s):
        raise ValueError(s)
    datetime.datetime.fromisoformat(s.replace("Z", "+00:00"))
    return True
v = jsonschema.Draft7Validator(schema, format_checker=fc)

def valid(doc):
    return [e.message for e in v.iter_errors(doc)]

def die(msg):
    print("FAIL:", msg); sys.exit(1)

docs = {f: json.load(open(f)) for f in (plain, compared, other)}
for f, d in docs.items():
    errs = valid(d)
    if errs:
        die(f"{f}: not valid KCIDB v5.3: {errs[:3]}")

# the validator must be able to say no
bad = copy.deepcopy(docs[compared])
bad["tests"][0]["path"] = "rmapbench.fork chain.x"
bad["tests"][1]["status"] = "GOOD"
bad["tests"][2]["number"] = {"value": "12"}
if len(valid(bad)) < 3:
    die("schema accepted a space in a path, an unknown status or a string number")

rep = json.load(open(report_file))
cmp = json.load(open(comparison))
test_entry = [t for t in cmp["tests"] if t["created"] == rep["created"]
              and t["kernel"]["release"] == rep["kernel"]["release"]][0]
verdicts = {(w["name"], m["name"]): m for w in test_entry["workloads"] for m in w["metrics"]}

pd, cd = docs[plain], docs[compared]
if len(cd["checkouts"]) != 1 or len(cd["builds"]) != 1:
    die("expected one checkout and one build")
if cd["builds"][0]["checkout_id"] != cd["checkouts"][0]["id"]:
    die("build does not point at the checkout")
if not all(x["id"].startswith("lab_one:") for k in ("checkouts", "builds", "tests", "issues", "incidents") for x in cd[k]):
    die("an ID without the origin prefix")
if pd["checkouts"][0]["id"].split(":", 1)[1] != cd["checkouts"][0]["id"].split(":", 1)[1]:
    die("checkout ID depends on more than the kernel")
if docs[other]["checkouts"][0]["id"] == pd["checkouts"][0]["id"]:
    die("two kernels got the same checkout ID")
ids = [t["id"] for t in cd["tests"]]
if len(set(ids)) != len(ids):
    die("duplicate test IDs")
if "issues" in pd or "incidents" in pd:
    die("issues without a comparison")

tests = {t["path"]: t for t in cd["tests"]}
ptests = {t["path"]: t for t in pd["tests"]}
n = regressions = 0
for w in rep["workloads"]:
    names = sorted({k for r in w["reps"] for k in r["metrics"]})
    for name in names:
        path = f"rmapbench.{w['name']}.{name}"
        t, p = tests.get(path), ptests.get(path)
        if not t or not p:
            die(f"no test {path}")
        n += 1
        vals = [r["metrics"][name]["value"] for r in w["reps"] if r.get("status", "ok") == "ok"
                and name in r["metrics"] and r["metrics"][name]["value"] is not None]
        m0 = next(r["metrics"][name] for r in w["reps"] if name in r["metrics"])
        if not vals:
            if t["status"] != "SKIP" or "number" in t:
                die(f"{path}: no value but status {t['status']}")
            continue
        med = statistics.median(vals)
        num = t["number"]
        scale = 1e-9 if m0["unit"] == "ns" else 1
        if abs(num["value"] - med * scale) > 1e-9 * max(1, abs(med * scale)):
            die(f"{path}: number {num} but the median is {med} {m0['unit']}")
        if m0["unit"] == "ns" and (num.get("unit"), num.get("prefix")) != ("s", "metric"):
            die(f"{path}: latency not in s with a metric prefix: {num}")
        vd = verdicts.get((w["name"], name), {}).get("verdict")
        if m0["kind"] == "timed":
            want = "SKIP" if vd == "unavailable" else "DONE"
        else:
            want = {"unchanged": "PASS", "regression": "FAIL", "improvement": "FAIL",
                    "changed": "FAIL", "unavailable": "SKIP"}.get(vd, "DONE")
        if t["status"] != want:
            die(f"{path}: status {t['status']}, expected {want} (verdict {vd}, kind {m0['kind']})")
        if p["status"] not in ("DONE", "SKIP"):
            die(f"{path}: status {p['status']} without a comparison")
        regressions += vd == "regression"
if regressions == 0:
    die("the sample comparison has no regression: the test proves nothing")
if len(cd.get("issues", [])) != regressions or len(cd.get("incidents", [])) != regressions:
    die(f"{regressions} regressions but {len(cd.get('issues', []))} issues, {len(cd.get('incidents', []))} incidents")
tids = set(ids)
iids = {i["id"] for i in cd["issues"]}
for inc in cd["incidents"]:
    if inc["test_id"] not in tids or inc["issue_id"] not in iids or tests[next(
            p for p, t in tests.items() if t["id"] == inc["test_id"])]["status"] not in ("FAIL", "DONE"):
        die(f"incident {inc['id']} points nowhere")
print(f"kcidb: {n} tests, {regressions} regressions = issues = incidents, schema-valid")
PY
"$PY" "$TMP/kcidb_check.py" "$DATA/kcidb-v05_03.schema.json" "$T" "$TMP/k0.json" "$TMP/k1.json" \
	"$TMP/kb.json" "$C" || fail "KCIDB check"

# --- JUnit -------------------------------------------------------------
"$RMB" export --format junit "$T" --comparison "$C" -o "$TMP/j.xml"
"$RMB" export --format junit "$T" -o "$TMP/j0.xml"
for f in "$TMP/j.xml" "$TMP/j0.xml"; do
	xmllint --noout --schema "$DATA/junit-10.xsd" "$f" 2>"$TMP/xerr" || fail "$f: $(cat "$TMP/xerr")"
done
sed 's/<testcase classname="\([^"]*\)" name="[^"]*"/<testcase classname="\1"/' "$TMP/j.xml" >"$TMP/jbad.xml"
xmllint --noout --schema "$DATA/junit-10.xsd" "$TMP/jbad.xml" 2>/dev/null &&
	fail "xmllint accepted testcases without a name"
python3 - "$TMP/j.xml" "$C" "$T" <<'PY' || fail "JUnit check"
import json, sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
cmp = json.load(open(sys.argv[2])); rep = json.load(open(sys.argv[3]))
t = [t for t in cmp["tests"] if t["created"] == rep["created"] and t["kernel"]["release"] == rep["kernel"]["release"]][0]
gated = {(w["name"], m["name"]) for w in t["workloads"] for m in w["metrics"] if m.get("gate")}
got = {(tc.get("classname").split(".", 1)[1], tc.get("name")) for tc in root.iter("testcase")}
if got != gated:
    print("FAIL: testcases are not the gated metrics:", sorted(got ^ gated)[:5]); sys.exit(1)
fails = [f for f in root.iter("failure")]
if len(fails) != t["counts"]["gated_regressions"] or not fails:
    print("FAIL:", len(fails), "failures, gated regressions:", t["counts"]["gated_regressions"]); sys.exit(1)
for f in fails:
    if "regression" not in f.get("message") or "->" not in f.get("message"):
        print("FAIL: failure message is not the summary line:", f.get("message")); sys.exit(1)
if int(root.get("failures")) != len(fails) or int(root.get("tests")) != len(got):
    print("FAIL: testsuites counts"); sys.exit(1)
print(f"junit: {len(got)} gated testcases, {len(fails)} failures")
PY

# XML escaping: names, units and reasons with markup and control characters
python3 - "$T" "$TMP/evil.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
w = r["workloads"][0]
w["name"] = 'fork<&>"chain\''
for rep in w["reps"]:
    rep["metrics"]['a<b>&"c\'.x'] = {"value": None, "unit": "u&<", "better": "lower", "kind": "exact",
                                    "reason": "unavailable: <no> & \"none\"\x01\x1f\ttab"}
json.dump(r, open(sys.argv[2], "w"))
PY
"$RMB" export --format junit "$TMP/evil.json" -o "$TMP/evil.xml"
xmllint --noout --schema "$DATA/junit-10.xsd" "$TMP/evil.xml" 2>"$TMP/xerr" || fail "escaped XML invalid: $(cat "$TMP/xerr")"
python3 - "$TMP/evil.xml" <<'PY' || fail "escaping does not round-trip"
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
tc = [t for t in root.iter("testcase") if t.get("name") == 'a<b>&"c\'.x']
assert tc, "metric name lost"
sk = tc[0].find("skipped").get("message")
assert sk == 'unavailable: <no> & "none"\ttab', repr(sk)
PY
"$RMB" export --format kcidb "$TMP/evil.json" -o "$TMP/evil-k.json"
"$PY" - "$DATA/kcidb-v05_03.schema.json" "$TMP/evil-k.json" <<'PY' || fail "KCIDB of odd names"
import json, sys, jsonschema
errs = list(jsonschema.Draft7Validator(json.load(open(sys.argv[1]))).iter_errors(json.load(open(sys.argv[2]))))
assert not errs, [e.message for e in errs[:3]]
PY

# --- LAVA and tuxrun ------------------------------------------------------
"$RMB" export --format lava "$T" --comparison "$C" -o "$TMP/lava.txt"
"$RMB" export --format tuxrun "$T" --comparison "$C" -o "$TMP/results.json"
"$RMB" export --format lava "$TMP/evil.json" -o "$TMP/evil-lava.txt"
python3 - "$T" "$TMP/lava.txt" "$TMP/results.json" "$TMP/evil-lava.txt" <<'PY' || fail "LAVA/tuxrun check"
import json, re, statistics, sys
rep = json.load(open(sys.argv[1]))
lines = open(sys.argv[2]).read().splitlines()
res = json.load(open(sys.argv[3]))
case_re = re.compile(r"^lava-test-case ([A-Za-z0-9._-]{1,100}) --result (pass|fail|skip)"
                     r"( --measurement (-?[0-9]+(\.[0-9]{1,10})?) --units ([A-Za-z0-9_-]+))?$")
sets, cur, cases = [], None, {}
for l in lines + open(sys.argv[4]).read().splitlines():
    if l.startswith("lava-test-set start "):
        assert cur is None, "nested test set"; cur = l.split()[2]; sets.append(cur)
        assert re.match(r"^[A-Za-z0-9_-]+$", cur), cur
    elif l.startswith("lava-test-set stop "):
        assert l.split()[2] == cur, "unbalanced test set"; cur = None
    else:
        m = case_re.match(l)
        assert m and cur, f"bad line {l!r}"
        cases[m.group(1)] = m
assert cur is None
assert sets[:len(rep["workloads"])] == [w["name"] for w in rep["workloads"]], sets
fails = 0
for w in rep["workloads"]:
    suite = res["rmapbench." + w["name"]]
    for name in {k for r in w["reps"] for k in r["metrics"]}:
        vals = [r["metrics"][name]["value"] for r in w["reps"] if r.get("status", "ok") == "ok"
                and name in r["metrics"] and r["metrics"][name]["value"] is not None]
        unit = next(r["metrics"][name]["unit"] for r in w["reps"] if name in r["metrics"])
        c, t = cases[f"{w['name']}.{name}"], suite[name]
        assert c.group(2) == t["result"], (name, c.group(2), t)
        fails += t["result"] == "fail"
        if vals:
            med = statistics.median(vals)
            assert abs(float(c.group(4)) - med) < 1e-6 and abs(t["measurement"] - med) < 1e-6, (name, med)
            assert c.group(6) == t["units"] == unit
        else:
            assert c.group(2) == "skip" and "measurement" not in t
assert fails > 0, "no failing case for a comparison with regressions"
print(f"lava: {len(cases)} cases in {len(sets)} sets; tuxrun agrees, {fails} fail")
PY
# a failed and an unavailable workload
python3 - "$T" "$TMP/failed.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
r["workloads"][0].update(status="failed", reason="repetition 2: killed by signal 9")
r["workloads"][1].update(status="unavailable", reason="unavailable: no THP", reps=[])
json.dump(r, open(sys.argv[2], "w"))
PY
"$RMB" export --format kcidb "$TMP/failed.json" -o "$TMP/f.json"
"$RMB" export --format junit "$TMP/failed.json" -o "$TMP/f.xml"
"$RMB" export --format lava "$TMP/failed.json" -o "$TMP/f.txt"
"$RMB" export --format tuxrun "$TMP/failed.json" -o "$TMP/f-tux.json"
xmllint --noout --schema "$DATA/junit-10.xsd" "$TMP/f.xml" 2>/dev/null || fail "JUnit of failed workloads invalid"
"$PY" - "$DATA/kcidb-v05_03.schema.json" "$TMP/f.json" "$TMP/f.xml" "$TMP/f.txt" "$TMP/f-tux.json" <<'PY' ||
import json, sys, jsonschema, xml.etree.ElementTree as ET
d = json.load(open(sys.argv[2]))
assert not list(jsonschema.Draft7Validator(json.load(open(sys.argv[1]))).iter_errors(d))
t = {x["path"]: x for x in d["tests"]}
assert t["rmapbench.fork-chain"]["status"] == "ERROR" and "signal 9" in t["rmapbench.fork-chain"]["comment"]
assert t["rmapbench.fork-tree"]["status"] == "SKIP"
assert not [p for p in t if p.startswith("rmapbench.fork-tree.")], "metrics of a workload without reps"
root = ET.parse(sys.argv[3]).getroot()
errs = [e.get("message") for e in root.iter("error")]
assert len(errs) == 1 and "signal 9" in errs[0], errs
lava = open(sys.argv[4]).read().splitlines()
assert "lava-test-case fork-chain --result fail" in lava and "lava-test-case fork-tree --result skip" in lava
tux = json.load(open(sys.argv[5]))
assert tux["rmapbench.fork-chain"]["fork-chain"]["result"] == "fail"
print("failed/unavailable workloads: ERROR/SKIP, <error>, lava fail/skip")
PY
	fail "failed workloads"
echo "ok"
