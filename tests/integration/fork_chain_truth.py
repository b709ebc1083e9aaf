#!/usr/bin/env python3
"""Ground-truth checks of fork-chain slab counts (docs/workloads.md, "fork-chain").

Usage: fork_chain_truth.py RMAPBENCH [--static-guest-report FILE]
Runs fork-chain with K and 2K regions in one invocation per setting and checks:
  - per fork, vm_area_struct allocs == the parent's VMA count (/proc/self/maps)
  - vma_lock allocs == vm_area_struct allocs where the cache exists
  - all ancestors alive: 2K-K regions add exactly K*(2+...+(D+1)) chains, K*D anon_vmas
  - parent exits first: per region anon_vma 1,1,0,0.. and chain entries 2,3,3,3..
  - untouched / MADV_WIPEONFORK regions: no anon_vma, no chain
  - every object freed once the tree is reaped (live == 0, frees == allocs)
The K and 2K baselines are checked to be comparable (their VMA counts must
differ by exactly 2K, region + guard per region); otherwise the pair is retried.
"""
import atexit
import json
import shutil
import subprocess
import sys
import tempfile

RMB = sys.argv[1]
TMPDIR = tempfile.mkdtemp()
atexit.register(shutil.rmtree, TMPDIR, True)
K, D = 8, 5
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what)


def run(regions, **params):
    sets = ["--set", f"fork-chain.regions={regions}", "--set", f"fork-chain.depth={D}"]
    for k, v in params.items():
        sets += ["--set", f"fork-chain.{k}={v}"]
    with tempfile.NamedTemporaryFile(suffix=".json", dir=TMPDIR) as f:
        subprocess.run([RMB, "run", "--workload", "fork-chain", "--reps", "1",
                        "--interval", "0", "--json", f.name] + sets, check=True)
        report = json.load(open(f.name))
    w = report["workloads"][0]
    assert w["status"] == "ok", w
    return report, w["reps"][0]["metrics"]


def val(m, name):
    return m[name]["value"]


def per_gen(m, cache):
    return [val(m, f"fork.{g}.{cache}") for g in range(1, D + 1)]


def pair(**params):
    """Runs K and 2K; returns per-region differences per generation."""
    for attempt in range(3):
        rep_k, a = run(K, **params)
        _, b = run(2 * K, **params)
        dv = [y - x for x, y in zip(per_gen(a, "parent_vmas"), per_gen(b, "parent_vmas"))]
        if all(d == 2 * K for d in dv):
            break
        print(f"baselines differ ({dv}), retrying")
    else:
        check(False, f"{params}: K/2K baselines never comparable: {dv}")
    diff = {c: [(y - x) / K for x, y in zip(per_gen(a, c), per_gen(b, c))]
            for c in ("anon_vma", "anon_vma_chain")}
    return rep_k, a, b, diff


def common_checks(report, m, label):
    caches = report["slab_accounting"]["caches"]
    for g in range(1, D + 1):
        check(val(m, f"fork.{g}.vm_area_struct") == val(m, f"fork.{g}.parent_vmas"),
              f"{label} gen {g}: vm_area_struct allocs {val(m, f'fork.{g}.vm_area_struct')}"
              f" != parent VMAs {val(m, f'fork.{g}.parent_vmas')}")
        if caches["vma_lock"]["present"]:
            check(val(m, f"fork.{g}.vma_lock") == val(m, f"fork.{g}.vm_area_struct"),
                  f"{label} gen {g}: vma_lock != vm_area_struct allocs")
    for c in ("vm_area_struct", "anon_vma", "anon_vma_chain"):
        check(val(m, f"slab.{c}.live") == 0, f"{label}: {c} live after reaping")
        check(val(m, f"slab.{c}.frees") == val(m, f"slab.{c}.allocs"),
              f"{label}: {c} frees != allocs")


report, a, b, d = pair()
common_checks(report, a, "alive")
check(d["anon_vma"] == [1] * D, f"alive: anon_vma per region per fork {d['anon_vma']} != 1s")
check(d["anon_vma_chain"] == list(range(2, D + 2)),
      f"alive: chain entries per region per fork {d['anon_vma_chain']} != 2..{D + 1}")
tot = val(b, "fork.total.anon_vma_chain") - val(a, "fork.total.anon_vma_chain")
check(tot == K * sum(range(2, D + 2)), f"alive: total chains {tot} != K*(2+..+{D + 1})")
tot = val(b, "fork.total.anon_vma") - val(a, "fork.total.anon_vma")
check(tot == K * D, f"alive: total anon_vma {tot} != K*D")
# the first write of each region: one anon_vma and one chain entry more
tot = val(b, "slab.anon_vma.allocs") - val(a, "slab.anon_vma.allocs")
check(tot == K * (D + 1), f"alive: anon_vma allocs of the run {tot} != K*(D+1)")
print(f"alive (K={K}, D={D}): per region anon_vma {d['anon_vma']}, chains {d['anon_vma_chain']}")

report, a, b, d = pair(parent_exits=1)
common_checks(report, a, "parent_exits")
check(d["anon_vma"] == [1, 1] + [0] * (D - 2), f"parent_exits: anon_vma {d['anon_vma']}")
check(d["anon_vma_chain"] == [2] + [3] * (D - 1), f"parent_exits: chains {d['anon_vma_chain']}")
print(f"parent_exits: per region anon_vma {d['anon_vma']}, chains {d['anon_vma_chain']}")

for mode in ({"touch": 0}, {"wipeonfork": 1}):
    report, a, b, d = pair(**mode)
    common_checks(report, a, str(mode))
    check(d["anon_vma"] == [0] * D and d["anon_vma_chain"] == [0] * D,
          f"{mode}: regions allocated anon_vma {d['anon_vma']} / chains {d['anon_vma_chain']}")
    print(f"{mode}: per region anon_vma {d['anon_vma']}, chains {d['anon_vma_chain']}")

sys.exit(1 if failures else 0)
