#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Checks an rmapbench report (docs/report-schema.md) and prints a summary.

check-report.py check FILE [--release R] [--accel A]
    exit 0 when FILE is one JSON object with schema rmapbench-report,
    schema_version 1 and the top-level fields of the schema (and, if given,
    kernel.release == R and machine.accel == A); otherwise one line on
    stderr naming the problem and exit 2 (bad input; README, Exit codes).
check-report.py summary FILE
    a few lines for the terminal: kernel, accelerator, each workload's status
    and its slab allocations (first repetition).
"""
import json
import sys

REQUIRED = ("schema", "schema_version", "tool", "created", "kernel", "machine",
            "config", "capabilities", "slab_accounting", "workloads")
CACHES = ("vm_area_struct", "anon_vma", "anon_vma_chain", "vma_lock")


def bad(msg):
    """One line naming the problem, exit 2 (bad input)."""
    print(msg, file=sys.stderr)
    sys.exit(2)


def load(path):
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as e:
        bad(f"{path}: {e.strerror}")
    try:
        doc = json.loads(data)
    except (ValueError, UnicodeDecodeError) as e:
        bad(f"{path}: not valid JSON: {e}")
    return doc


def check(path, release, accel):
    doc = load(path)
    if not isinstance(doc, dict):
        bad(f"{path}: not a JSON object")
    if doc.get("schema") != "rmapbench-report":
        bad(f"{path}: schema is {doc.get('schema')!r}, not 'rmapbench-report'")
    if doc.get("schema_version") != 1:
        bad(f"{path}: schema_version {doc.get('schema_version')!r} is not 1")
    missing = [k for k in REQUIRED if k not in doc]
    if missing:
        bad(f"{path}: missing {', '.join(missing)}")
    if not isinstance(doc["workloads"], list):
        bad(f"{path}: workloads is not a list")
    got = (doc.get("kernel") or {}).get("release")
    if release is not None and got != release:
        bad(f"{path}: kernel.release is {got!r}, expected {release!r}")
    got = (doc.get("machine") or {}).get("accel")
    if accel is not None and got != accel:
        bad(f"{path}: machine.accel is {got!r}, expected {accel!r}")


def fmt(v):
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return "-" if v is None else str(v)


def median(xs):
    xs = sorted(xs)
    n = len(xs)
    if not n:
        return None
    return xs[n // 2] if n % 2 else (xs[n // 2 - 1] + xs[n // 2]) / 2


def summary(path):
    doc = load(path)
    k = doc.get("kernel") or {}
    m = doc.get("machine") or {}
    print(f"kernel {k.get('release')}  virt {fmt(m.get('virt'))}  accel {fmt(m.get('accel'))}")
    print(f"{'workload':<14} {'status':<10}" + "".join(f"{c:>16}" for c in CACHES)
          + f"{'anon-rmap total':>17}")
    print(f"{'':<14} {'':<10}{'allocs (median)':>16}" + " " * 16 * (len(CACHES) - 1)
          + f"{'bytes (median)':>17}")
    for w in doc.get("workloads") or []:
        status = w.get("status") or "?"
        line = f"{w.get('name', '?'):<14} {status:<10}"
        if status == "ok":
            for c in (*CACHES, "TOTAL"):
                name = "slab.anon_rmap.alloc_bytes" if c == "TOTAL" else f"slab.{c}.allocs"
                vals = [((r.get("metrics") or {}).get(name) or {}).get("value")
                        for r in w.get("reps") or [] if r.get("status") == "ok"]
                vals = [v for v in vals if isinstance(v, (int, float))]
                line += f"{fmt(median(vals)):>{17 if c == 'TOTAL' else 16}}"
        elif w.get("reason"):
            line += f" {w['reason']}"
        print(line)
    for w in doc.get("workloads") or []:
        if w.get("name") == "footprint":
            footprint(w)


def footprint(w):
    """The footprint workload as the anon_vma series quote it (bench/summary.c)."""
    reps = [r for r in w.get("reps") or [] if r.get("status") == "ok"]

    def values(name):
        return [((r.get("metrics") or {}).get(name) or {}).get("value") for r in reps]

    def med(name):
        return median([v for v in values(name) if isinstance(v, (int, float))])

    caches = [c for c in CACHES if any(f"apps.{c}.bpf_live" in (r.get("metrics") or {})
                                       for r in reps)]
    if not caches:
        return
    up = [float((r.get("notes") or {}).get("boot_uptime_s", -1)) for r in reps]
    up = up[0] if up else -1
    boot = "after boot" if up < 600 else "run start"
    rows = [(f"{boot} (up {up:.0f} s)" if up >= 0 else boot, "boot", "objects", "kib"),
            (f"after {(w.get('params') or {}).get('apps')} apps", "apps", "objects", "kib"),
            ("apps' own (BPF)", "apps", "bpf_live", None),
            ("slabinfo - BPF", "apps", "slabinfo_minus_bpf", None)]
    print("\nfootprint: system-wide active slab objects (/proc/slabinfo; "
          "KiB = objects x objsize), median of the repetitions")
    print(f"{'':<24}" + "".join(f" {c:>18}" for c in caches))
    print(f"{'':<24}" + "".join(f" {'objects':>9} {'KiB':>8}" for c in caches))
    for label, row, a, b in rows:
        line = f"{label:<24}"
        for c in caches:
            v = med(f"{row}.{c}.{a}")
            line += f" {'-' if v is None else f'{v:.0f}':>9}"
            if b:
                v = med(f"{row}.{c}.{b}")
                line += f" {'-' if v is None else f'{v:.1f}':>8}"
            else:
                line += f" {'':>8}"
        print(line)
    for c in caches:
        why = [((r.get("metrics") or {}).get(f"apps.{c}.objects") or {}).get("reason")
               for r in reps]
        why = [x for x in why if x]
        if why:
            print(f"  {c}: {why[0]}")


def main(argv):
    if len(argv) < 3 or argv[1] not in ("check", "summary"):
        bad(__doc__)
    path = argv[2]
    release = accel = None
    rest = argv[3:]
    while rest:
        if rest[0] == "--release" and len(rest) > 1:
            release = rest[1]
        elif rest[0] == "--accel" and len(rest) > 1:
            accel = rest[1]
        else:
            bad(f"unknown argument {rest[0]!r}")
        rest = rest[2:]
    if argv[1] == "check":
        check(path, release, accel)
    else:
        summary(path)


if __name__ == "__main__":
    main(sys.argv)
