#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# User-visible latencies (op.*) of the reclaim, migrate, thp and ksm workloads
# are present and plausible: count > 0, the histogram's counts add up to the
# count, buckets ascend and are log-linear (at most 6.25% wide), min <= p50
# <= p90 <= p99 <= max <= last bucket bound.
# The rmap.* latency probes: where the kernel refuses both fentry and kprobes
# (this machine's 6.18), every rmap metric is null with "unavailable: ..."
# naming the errno of both attempts; where a function attached, its method is
# fentry or kprobe and its histogram is consistent too.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
need_root

"$RMB" run --workload reclaim,migrate,thp,ksm --reps 1 --interval 0 \
	--set reclaim.pages=1024 --set migrate.pages=256 --set ksm.pages=256 \
	--json "$TMP/r.json" 2>"$TMP/err" || { cat "$TMP/err"; fail "run exited $?"; }

python3 - "$TMP/r.json" <<'PY' || fail "latency checks failed"
import json, re, sys
r = json.load(open(sys.argv[1]))

def check_hist(name, m, unit="ns"):
    assert m["kind"] == "timed" and m["unit"] == unit, f"{name}: {m}"
    n = m["count"]
    assert n > 0, f"{name}: count {n}"
    assert m["value"] == m["p50"], f"{name}: value {m['value']} != p50 {m['p50']}"
    assert 0 <= m["p50"] <= m["p90"] <= m["p99"] <= m["max"], f"{name}: percentiles {m}"
    assert m["max"] <= m["sum"] <= n * m["max"], f"{name}: sum {m['sum']} max {m['max']} n {n}"
    h = m["hist"]
    assert h["unit"] == unit, f"{name}: hist unit {h['unit']}"
    b = h["buckets"]
    assert b and all(x["count"] >= 0 for x in b), f"{name}: buckets {b}"
    assert all(b[i]["le"] < b[i + 1]["le"] for i in range(len(b) - 1)), f"{name}: le not ascending"
    assert sum(x["count"] for x in b) == n, f"{name}: bucket counts {sum(x['count'] for x in b)} != count {n}"
    assert b[-1]["count"] > 0 and b[0]["count"] > 0, f"{name}: empty edge bucket"
    assert m["max"] <= b[-1]["le"], f"{name}: max {m['max']} above the last bucket {b[-1]['le']}"
    # log-linear (bpf/loglin.h): no bucket wider than 6.25% of its lower bound
    assert h["layout"] == "log-linear" and h["sub_buckets"] == 16, f"{name}: layout {h}"
    assert all(x["ge"] <= x["le"] <= x["ge"] + 0.0625 * max(x["ge"], 1) for x in b), f"{name}: wide bucket"
    assert b[0]["ge"] <= m["min"] <= m["p50"], f"{name}: min {m['min']}"
    # monotone CDF reaching the count; p50 lies within the bucket of rank n/2
    cum, rank = 0, (n + 1) // 2
    for x in b:
        cum += x["count"]
        if cum >= rank:
            assert m["p50"] <= x["le"], f"{name}: p50 {m['p50']} above its bucket {x['le']}"
            break

expect_ops = {
    "reclaim": ["op.fork", "op.exit_wait", "op.madv_pageout", "op.memory_reclaim", "op.refault"],
    "migrate": ["op.fork", "op.exit_wait"],
    "thp": ["op.fork", "op.exit_wait", "op.thp_split", "op.mremap", "op.munmap"],
    "ksm": ["op.fork", "op.exit_wait", "op.memory_reclaim", "op.refault"],
}
seen = 0
for w in r["workloads"]:
    assert w["status"] == "ok", f"{w['name']}: {w['status']}: {w.get('reason')}"
    m = w["reps"][0]["metrics"]
    ops = expect_ops[w["name"]] + [k for k in m if k.startswith("op.")]
    if w["name"] == "migrate":
        assert any(k in m for k in ("op.compact", "op.move_pages")), "migrate: no migration call timed"
    for k in sorted(set(ops)):
        assert k in m, f"{w['name']}: {k} missing"
        check_hist(f"{w['name']} {k}", m[k])
        seen += 1
    # fork: one sample per tree member
    procs = m["tree.processes"]["value"]
    assert m["op.fork"]["count"] == procs - 1, f"{w['name']}: {m['op.fork']['count']} forks for {procs} processes"

funcs = r["collectors"]["rmaplat"]["functions"]
assert len(funcs) == 9, f"rmaplat functions: {sorted(funcs)}"
unavail = 0
for f, d in funcs.items():
    for w in r["workloads"]:
        m = w["reps"][0]["metrics"]
        x = m[f"rmap.{f}"]
        if not d["available"]:
            why = d["reason"]
            assert re.search(r"fentry: .*\(E[A-Z0-9]+\)|fentry: .*not in", why), f"{f}: fentry reason {why!r}"
            assert re.search(r"kprobe: .*\(E[A-Z0-9]+\)|kprobe: .*not in", why), f"{f}: kprobe reason {why!r}"
            for s in ("", ".calls", ".own_calls", ".idle_calls"):
                y = m[f"rmap.{f}{s}"]
                assert y["value"] is None and y["reason"].startswith("unavailable: "), f"rmap.{f}{s}: {y}"
            unavail += 1
        else:
            assert d["method"] in ("fentry", "kprobe"), f"{f}: method {d['method']}"
            calls = m[f"rmap.{f}.calls"]["value"]
            assert m[f"rmap.{f}.own_calls"]["value"] <= calls
            if calls:
                check_hist(f"{w['name']} rmap.{f}", x)
                assert x["count"] == calls
print(f"{seen} op latencies plausible; rmap functions: {len(funcs) - unavail // len(r['workloads'])} attached, "
      f"{unavail // len(r['workloads'])} unavailable")
PY
