#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Writes the sample reports of tests/data (docs/report-schema.md, version 1).

Synthetic but shaped like `rmapbench run --rounds 3` output on a 2-core
machine: 3 rounds of 5 repetitions; every round multiplies the timed metrics
of its repetitions by one drift factor (CoV 2%), as a run or a boot does;
series are kept for round 1 only. Each workload declares its "headline".
  report-base.json  6.1.0-28-amd64, native
  report-test.json  6.12.6-amd64, same machine; known differences:
      fork-chain  fork.4.anon_vma_chain +2 per rep (exact regression),
                  fork.*.ns and fork.mean_ns +12% (timed regression,
                  fork.mean_ns is the headline metric)
      fork-tree   slab.anon_vma.allocs -6 (exact improvement),
                  build_ns unchanged, rmap.rmap_walk_anon -15% (improvement)
      mremap-frag identical exact metrics, mremap ns unchanged
  report-tcg.json   6.12.6-amd64 under QEMU/TCG: unlike environment
Deterministic (seeded): rerunning rewrites identical files.
"""
import json
import math
import random
import sys

CACHES = ["vm_area_struct", "anon_vma", "anon_vma_chain"]
CPU = "Intel(R) Xeon(R) Platinum 8375C CPU @ 2.90GHz"


def metric(value, unit, better, kind, reason=None, **extra):
    m = {"value": value, "unit": unit, "better": better, "kind": kind}
    if reason:
        m["reason"] = reason
    m.update(extra)
    return m


ROUNDS = 3
REPS = 5
ROUND_COV = 0.02


def noisy(rng, mean, cov):
    return int(round(rng.lognormvariate(math.log(mean), cov)))


def rounds(rng):
    """(round, rep, drift factor) for every repetition of a workload."""
    for rnd in range(1, ROUNDS + 1):
        drift = rng.lognormvariate(0, ROUND_COV)
        for r in range(REPS):
            yield rnd, r, drift


def rep_entry(rnd, r, m, duration, series_=None):
    e = {"rep": r + 1, "round": rnd, "status": "ok", "reason": None,
         "duration_ns": duration, "metrics": m}
    if series_ is not None and rnd == 1:
        e["series"] = series_
    return e


def slab_metrics(allocs, frees, peak):
    out = {}
    for c in CACHES:
        live = allocs[c] - frees[c]
        out[f"slab.{c}.allocs"] = metric(allocs[c], "objects", "lower", "exact")
        # more frees of the same allocations is neither better nor worse
        out[f"slab.{c}.frees"] = metric(frees[c], "objects", "none", "exact")
        out[f"slab.{c}.live"] = metric(live, "objects", "none", "exact")
        out[f"slab.{c}.peak"] = metric(peak[c], "objects", "lower", "exact")
    return out


def series(rng, peak, ms):
    t = list(range(0, ms + 1, 10))
    cols = {}
    for c in CACHES:
        vals = []
        for x in t:
            rise = min(1.0, x / (ms * 0.45))
            fall = 1.0 if x < ms * 0.7 else max(0.0, 1 - (x - ms * 0.7) / (ms * 0.25))
            vals.append(int(peak[c] * rise * fall + rng.random() * 0.5))
        cols[f"live.{c}"] = vals
    return {"interval_ms": 10, "t_ms": t, "columns": cols}


def log2_hist(samples):
    counts = {}
    for v in samples:
        b = max(0, int(v).bit_length())
        counts[b] = counts.get(b, 0) + 1
    lo, hi = min(counts), max(counts)
    return {"unit": "ns", "buckets": [{"le": (1 << b) - 1, "count": counts.get(b, 0)}
                                      for b in range(lo, hi + 1)]}


def fork_chain(rng, k):
    reps = []
    for rnd, r, drift in rounds(rng):
        m = {"setup.region_vmas": metric(8, "vmas", "none", "exact"),
             "chain.processes": metric(4, "processes", "none", "exact")}
        tot = {c: 0 for c in CACHES}
        total_ns = 0
        for g in range(1, 5):
            m[f"fork.{g}.parent_vmas"] = metric(31 + g, "vmas", "lower", "exact")
            allocs = {"vm_area_struct": 31 + g, "anon_vma": 12,
                      "anon_vma_chain": 12 * (g + 1) + (2 if k["avc_extra"] and g == 4 else 0)}
            for c in CACHES:
                m[f"fork.{g}.{c}"] = metric(allocs[c], "objects", "lower", "exact")
                tot[c] += allocs[c]
            ns = noisy(rng, k["fork_ns"] * drift * (1 + 0.05 * g), 0.03)
            total_ns += ns
            m[f"fork.{g}.ns"] = metric(ns, "ns", "lower", "timed")
        for c in CACHES:
            m[f"fork.total.{c}"] = metric(tot[c], "objects", "lower", "exact")
        m["fork.mean_ns"] = metric(total_ns / 4, "ns", "lower", "timed")
        m["rmap.rmap_walk_anon"] = metric(
            None, "ns", "lower", "timed",
            reason="unavailable: no calls: rmap_walk_anon did not run during the repetition")
        frees = {c: tot[c] for c in CACHES}
        peak = {c: tot[c] for c in CACHES}
        m.update(slab_metrics(tot, frees, peak))
        reps.append(rep_entry(rnd, r, m, noisy(rng, 4_800_000, 0.04), series(rng, peak, 120)))
    return {"name": "fork-chain", "params": {"regions": 8, "depth": 4, "parent_exits": 0},
            "headline": ["fork.mean_ns"], "status": "ok", "reason": None, "reps": reps}


def fork_tree(rng, k):
    reps = []
    for rnd, r, drift in rounds(rng):
        allocs = {"vm_area_struct": 1044, "anon_vma": 360 - k["av_saved"],
                  "anon_vma_chain": 1090}
        frees = dict(allocs)
        peak = {"vm_area_struct": 1044, "anon_vma": 352 - k["av_saved"],
                "anon_vma_chain": 1066}
        m = {"processes": metric(40, "processes", "none", "exact"),
             "cow_pages_written": metric(1280, "pages", "none", "exact"),
             "root.vmas": metric(27, "vmas", "lower", "exact"),
             "build_ns": metric(noisy(rng, 2_950_000 * drift, 0.03), "ns", "lower", "timed"),
             "teardown_ns": metric(noisy(rng, 1_400_000 * drift, 0.04), "ns", "lower", "timed")}
        walks = [rng.lognormvariate(math.log(k["walk_ns"] * drift), 0.35) for _ in range(400)]
        walks.sort()
        p50 = int(walks[len(walks) // 2])
        m["rmap.rmap_walk_anon"] = metric(p50, "ns", "lower", "timed",
                                          count=len(walks), p50=p50,
                                          hist=log2_hist(walks))
        m["rmap.rmap_walk_anon.calls"] = metric(400, "calls", "none", "timed")
        m.update(slab_metrics(allocs, frees, peak))
        reps.append(rep_entry(rnd, r, m, noisy(rng, 9_600_000, 0.04), series(rng, peak, 200)))
    return {"name": "fork-tree", "params": {"fanout": 3, "depth": 3, "pages": 64, "cow_pct": 50},
            "headline": ["build_ns", "teardown_ns"], "status": "ok", "reason": None,
            "reps": reps}


def mremap_frag(rng, k):
    reps = []
    for rnd, r, drift in rounds(rng):
        allocs = {"vm_area_struct": 48, "anon_vma": 1, "anon_vma_chain": 1}
        frees = {"vm_area_struct": 48, "anon_vma": 1, "anon_vma_chain": 1}
        peak = {"vm_area_struct": 17, "anon_vma": 1, "anon_vma_chain": 1}
        m = {"merges.expected": metric(15, "merges", "none", "exact"),
             "merges.achieved": metric(15, "merges", "higher", "exact"),
             "phases.mismatched": metric(0, "phases", "lower", "exact")}
        for i in range(3):
            m[f"phase.{i}.mremap_ns"] = metric(noisy(rng, (2100 + 300 * i) * drift, 0.03),
                                               "ns", "lower", "timed")
        m.update(slab_metrics(allocs, frees, peak))
        reps.append(rep_entry(rnd, r, m, noisy(rng, 900_000, 0.04)))
    return {"name": "mremap-frag", "params": {"n": 16}, "headline": ["phase.0.mremap_ns"],
            "status": "ok", "reason": None, "reps": reps}


def report(seed, release, virt, accel, cpu, cores, k):
    rng = random.Random(seed)
    caches = {c: {"present": True, "slab": c, "merged": False, "aliases": 0,
                  "call_site_filter": False, "exact": True, "note": None} for c in CACHES}
    caches["vma_lock"] = {"present": False, "slab": None, "merged": False, "aliases": 0,
                          "call_site_filter": False, "exact": True,
                          "note": "no vma_lock cache on this kernel"}
    return {
        "schema": "rmapbench-report", "schema_version": 1,
        "tool": {"name": "rmapbench", "version": "0.1.0"},
        "created": "2026-11-21T21:42:57Z",
        "rounds": ROUNDS,
        "kernel": {"release": release, "version": "#1 SMP PREEMPT_DYNAMIC Debian",
                   "cmdline": "BOOT_IMAGE=/vmlinuz root=/dev/vda1 ro",
                   "config_sha256": None},
        "machine": {"cpu_model": cpu, "cores": cores, "memory_kib": 8131244,
                    "virt": virt, "accel": accel},
        "config": {"reps": 5, "interval_ms": 10,
                   "workloads": ["fork-chain", "fork-tree", "mremap-frag"]},
        "capabilities": {"btf": True, "fentry": True, "kprobe": True},
        "slab_accounting": {"available": True, "reason": None, "method": "raw_tp",
                            "caches": caches},
        "workloads": [fork_chain(rng, k), fork_tree(rng, k), mremap_frag(rng, k)],
    }


BASE = {"avc_extra": False, "fork_ns": 95_000, "av_saved": 0, "walk_ns": 900}
TEST = {"avc_extra": True, "fork_ns": 95_000 * 1.12, "av_saved": 6, "walk_ns": 900 * 0.85}


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "."
    files = {
        "report-base.json": report(1, "6.1.0-28-amd64", "native", None, CPU, 2, BASE),
        "report-test.json": report(2, "6.12.6-amd64", "native", None, CPU, 2, TEST),
        "report-tcg.json": report(3, "6.12.6-amd64", "tcg", "tcg", "QEMU TCG CPU version 2.5+",
                                  2, TEST),
    }
    for name, rep in files.items():
        with open(f"{out}/{name}", "w") as f:
            json.dump(rep, f, indent=1)
            f.write("\n")


main()
