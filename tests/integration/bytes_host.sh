#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Slab bytes against ground truth on the running kernel: for fork-chain,
# every repetition's slab.<cache>.alloc_bytes equals its allocs times the
# cache's slab_size as /sys/kernel/slab says it now (read here, not from the
# report), the report records that size and where it was read, the total
# slab.anon_rmap.alloc_bytes is their sum over the caches present, and the
# bytes are exact: one value across repetitions.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
need_bpf
[ -d /sys/kernel/slab ] || skip "no /sys/kernel/slab to read the ground truth from"

"$RMB" run --workload fork-chain --reps 3 --json "$TMP/r.json" >/dev/null 2>"$TMP/err" ||
	fail "run: $(cat "$TMP/err")"
python3 - "$TMP/r.json" <<'PY'
import json, os, sys

r = json.load(open(sys.argv[1]))
caches = r["slab_accounting"]["caches"]
w = [w for w in r["workloads"] if w["name"] == "fork-chain"][0]
assert w["status"] == "ok", w
present = [c for c, v in caches.items() if v["present"]]
assert {"vm_area_struct", "anon_vma", "anon_vma_chain"} <= set(present), present


def sysfs(cache, field):
    with open("/sys/kernel/slab/%s/%s" % (cache, field)) as f:
        return int(f.read())


totals = set()
for c in present:
    size = sysfs(c, "slab_size")
    h = caches[c]
    assert h["bytes_per_object"] == size, (c, h, size)
    assert h["slab_size"] == size and h["object_size"] == sysfs(c, "object_size"), (c, h)
    assert h["bytes_per_object_source"].startswith("/sys/kernel/slab/%s/slab_size" % c), h
for rep in w["reps"]:
    m = rep["metrics"]
    total = 0
    for c in present:
        allocs = m["slab.%s.allocs" % c]["value"]
        b = m["slab.%s.alloc_bytes" % c]
        assert allocs > 0, (c, allocs)
        assert (b["unit"], b["better"], b["kind"]) == ("bytes", "lower", "exact"), b
        assert b["value"] == allocs * sysfs(c, "slab_size"), (c, allocs, b)
        total += b["value"]
    t = m["slab.anon_rmap.alloc_bytes"]
    assert t["value"] == total and t["kind"] == "exact", (t, total)
    totals.add(t["value"])
    print("rep %d: %s = %d bytes" % (rep["rep"], " + ".join(
        "%d x %d" % (m["slab.%s.allocs" % c]["value"], sysfs(c, "slab_size")) for c in present),
        total))
assert len(totals) == 1, "bytes differ across repetitions: %s" % totals
PY
