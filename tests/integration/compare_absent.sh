#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Bytes across cache layouts (docs/compare.md, "Caches absent on one side"):
# two reports derived from tests/data/report-base.json, one from a kernel
# without a vma_lock cache (slab_accounting.caches.vma_lock.present false,
# no slab.vma_lock.* metrics, as 6.1 and 6.15+ write it) and one with it
# (6.4-6.12). The vma_lock rows (slab.vma_lock.* and the per-fork deltas
# fork.N.vma_lock) must say "absent" (0 on that side), never
# "unavailable", in comparison.json, the text table, summary.md and
# index.html, and never gate; the total slab.anon_rmap.alloc_bytes gates
# like any exact metric: a changed total exits 1, an unchanged one 0.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
RMB=${RMAPBENCH:-$RMB}
B=$ROOT/tests/data/report-base.json

[ -x "$RMB" ] || skip "$RMB not built (make)"

# old.json: no vma_lock (vm_area_struct 200 bytes); new.json: vma_lock of
# 64 bytes per VMA, and vm_area_struct is either as big (total grows) or
# smaller by the lock's size (samesize.json: fields moved, total unchanged);
# nohdr.json: old.json without the header entry saying vma_lock is absent.
python3 - "$B" "$TMP" <<'PY'
import copy, json, sys
SIZES = {"vm_area_struct": 200, "anon_vma": 104, "anon_vma_chain": 64}
base = json.load(open(sys.argv[1]))
out = sys.argv[2]

def bytes_metric(v):
    return {"value": v, "unit": "bytes", "better": "lower", "kind": "exact"}

def layout(r, sizes, lock):
    r = copy.deepcopy(r)
    caches = r["slab_accounting"]["caches"]
    for c, size in sizes.items():
        caches[c]["bytes_per_object"] = caches[c]["slab_size"] = size
        caches[c]["bytes_per_object_source"] = "/sys/kernel/slab/%s/slab_size" % c
    caches["vma_lock"] = {"present": bool(lock), "slab": "vma_lock" if lock else None,
                          "merged": False, "aliases": 0, "call_site_filter": False,
                          "exact": bool(lock), "note": None}
    if lock:
        caches["vma_lock"].update(bytes_per_object=lock, slab_size=lock, object_size=lock)
    for w in r["workloads"]:
        for rep in w["reps"]:
            m = rep["metrics"]
            total = 0
            for c in SIZES:     # as the runner writes it (the samples are older)
                m["slab.%s.peak" % c]["kind"] = "timed"
            if lock:
                for f in ("allocs", "frees", "live", "peak"):
                    m["slab.vma_lock." + f] = copy.deepcopy(m["slab.vm_area_struct." + f])
                # the workload's per-fork slab deltas, one per cache present
                for k in [k for k in m if k.startswith("fork.") and k.endswith(".vm_area_struct")]:
                    m[k[:-len("vm_area_struct")] + "vma_lock"] = copy.deepcopy(m[k])
                sizes = dict(sizes, vma_lock=lock)
            for c, size in sizes.items():
                v = m["slab.%s.allocs" % c]["value"] * size
                m["slab.%s.alloc_bytes" % c] = bytes_metric(v)
                total += v
            m["slab.anon_rmap.alloc_bytes"] = bytes_metric(total)
    return r

old = layout(base, SIZES, 0)
json.dump(old, open(out + "/old.json", "w"))
json.dump(layout(base, SIZES, 64), open(out + "/new.json", "w"))
json.dump(layout(base, dict(SIZES, vm_area_struct=136), 64), open(out + "/samesize.json", "w"))
nohdr = copy.deepcopy(old)
del nohdr["slab_accounting"]["caches"]["vma_lock"]
json.dump(nohdr, open(out + "/nohdr.json", "w"))
spoiled = json.load(open(out + "/new.json"))
for w in spoiled["workloads"]:
    for rep in w["reps"]:
        rep["metrics"]["slab.vma_lock.allocs"].update(value=None, reason="inexact: test")
json.dump(spoiled, open(out + "/spoiled.json", "w"))
PY

# rows of workload fork-chain in a comparison.json, "metric verdict absent gate"
rows() {
	python3 - "$1" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
for w in c["tests"][0]["workloads"]:
    if w["name"] == "fork-chain":
        for m in w["metrics"]:
            if m["name"].startswith("slab.") or m["name"].startswith("fork.1."):
                print(m["name"], m["verdict"], m.get("absent", "-"), m["gate"],
                      m.get("base", {}).get("value"), m.get("test", {}).get("value"))
PY
}
has_row() {
	grep -qx -- "$2" "$1" || fail "$3: no row '$2' in: $(cat "$1")"
}

# more bytes: vma_lock absent in the base, the total regresses and gates
run_rc 1 "6.1-like vs 6.12-like" "$RMB" compare "$TMP/old.json" "$TMP/new.json" --out "$TMP/grow" --no-graphs
rows "$TMP/grow/comparison.json" >"$TMP/grow.rows"
has_row "$TMP/grow.rows" "slab.vma_lock.allocs regression base False 0 134" "grow"
has_row "$TMP/grow.rows" "slab.vma_lock.alloc_bytes regression base False 0 8576" "grow"
has_row "$TMP/grow.rows" "slab.vma_lock.frees changed base False 0 134" "grow"
has_row "$TMP/grow.rows" "fork.1.vma_lock regression base False 0 $(py "$TMP/new.json" \
	'[w for w in r["workloads"] if w["name"] == "fork-chain"][0]["reps"][0]["metrics"]["fork.1.vma_lock"]["value"]')" "grow"
grep -q '^slab\.vma_lock\.peak not-judged base False' "$TMP/grow.rows" || fail "grow: peak row: $(cat "$TMP/grow.rows")"
has_row "$TMP/grow.rows" "slab.anon_rmap.alloc_bytes regression - True 42544 51120" "grow"
! grep -q 'vma_lock.* unavailable' "$TMP/grow.rows" || fail "grow: a vma_lock row is unavailable"
grep -q 'slab\.vma_lock\.allocs .*0 (absent)' "$TMP/out" || fail "grow: text table does not say absent: $(grep vma_lock "$TMP/out")"
grep -q 'slab.anon_rmap.alloc_bytes' "$TMP/out" || fail "grow: no total row in the text table"
grep -qF 'fork-chain | slab.vma\_lock.allocs | objects (exact) | 0 (absent) | 134 |' "$TMP/grow/summary.md" ||
	fail "grow: summary.md does not say absent"
grep -q 'absent in base: no such cache on that kernel, counted as 0' "$TMP/grow/summary.md" ||
	fail "grow: summary.md does not say why"
grep -q '>absent</td>' "$TMP/grow/index.html" || fail "grow: index.html does not say absent"

# the other way round: absent in the test, the total improves: exit 0
run_rc 0 "6.12-like vs 6.1-like" "$RMB" compare "$TMP/new.json" "$TMP/old.json" --out "$TMP/shrink" --no-graphs
rows "$TMP/shrink/comparison.json" >"$TMP/shrink.rows"
has_row "$TMP/shrink.rows" "slab.vma_lock.allocs improvement test False 134 0" "shrink"
has_row "$TMP/shrink.rows" "slab.anon_rmap.alloc_bytes improvement - True 51120 42544" "shrink"

# fields moved into vma_lock: more objects, the same bytes: not flagged
run_rc 0 "same total" "$RMB" compare "$TMP/old.json" "$TMP/samesize.json" --out "$TMP/same" --no-graphs
rows "$TMP/same/comparison.json" >"$TMP/same.rows"
has_row "$TMP/same.rows" "slab.anon_rmap.alloc_bytes unchanged - True 42544 42544" "same"
has_row "$TMP/same.rows" "slab.vma_lock.alloc_bytes regression base False 0 8576" "same"
has_row "$TMP/same.rows" "slab.vm_area_struct.alloc_bytes improvement - True 26800 18224" "same"

# absent on one side, no value on the other: still unavailable, and why
run_rc 1 "spoiled" "$RMB" compare "$TMP/old.json" "$TMP/spoiled.json" --out "$TMP/spoiled" --no-graphs
rows "$TMP/spoiled/comparison.json" >"$TMP/spoiled.rows"
has_row "$TMP/spoiled.rows" "slab.vma_lock.allocs unavailable base False None None" "spoiled"
grep -q 'test: inexact: test' "$TMP/spoiled/comparison.json" || fail "spoiled: reason not given"

# absent needs the report to say so: a metric merely missing stays unavailable
run_rc 1 "no header" "$RMB" compare "$TMP/nohdr.json" "$TMP/new.json" --out "$TMP/nohdr" --no-graphs
rows "$TMP/nohdr/comparison.json" >"$TMP/nohdr.rows"
grep -q '^slab\.vma_lock\.allocs unavailable - False' "$TMP/nohdr.rows" ||
	fail "nohdr: vma_lock not unavailable: $(cat "$TMP/nohdr.rows")"
echo ok
