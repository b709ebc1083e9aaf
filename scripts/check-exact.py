#!/usr/bin/env python3
"""Asserts that every metric of kind "exact" has one value per workload.

usage: check-exact.py [-v] [--min-reps N] REPORT.json...

The reports are runs of the same kernel and config (repetitions of one run,
several runs, several boots): within one (kernel release, workload, params)
group every exact metric must have a single value over all repetitions of all
reports. A repetition whose slab accounting says it is not exact must have
its affected counts as null with an "inexact: ..." reason (never a number
that looks exact); such repetitions are reported, and fail the check unless
--allow-inexact.

Exit 0 when every exact metric has one value, 1 when one has more (each is
listed with its values and where they came from), 2 on bad input.
"""
import argparse
import collections
import json
import sys


def load(path):
    try:
        with open(path) as f:
            r = json.load(f)
    except (OSError, ValueError) as e:
        print(f"check-exact: {path}: {e}", file=sys.stderr)
        sys.exit(2)
    if r.get("schema") != "rmapbench-report":
        print(f"check-exact: {path}: not an rmapbench report", file=sys.stderr)
        sys.exit(2)
    return r


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("-v", action="store_true", help="list every exact metric and its value")
    ap.add_argument("--min-reps", type=int, default=1,
                    help="each workload needs at least N ok repetitions in total")
    ap.add_argument("--allow-inexact", action="store_true",
                    help="repetitions marked inexact do not fail the check")
    ap.add_argument("reports", nargs="+")
    a = ap.parse_args()

    # (release, workload, params) -> metric -> value -> [where]
    values = collections.defaultdict(lambda: collections.defaultdict(
        lambda: collections.defaultdict(list)))
    reps = collections.Counter()
    inexact = []
    missed = collections.Counter()
    for path in a.reports:
        r = load(path)
        rel = r["kernel"]["release"]
        for w in r["workloads"]:
            if w.get("status") == "unavailable":
                continue
            key = (rel, w["name"], json.dumps(w.get("params"), sort_keys=True))
            for rep in w["reps"]:
                where = f"{path} round {rep.get('round', 1)} rep {rep['rep']}"
                if rep.get("status") != "ok":
                    print(f"FAIL {w['name']}: {where} failed: {rep.get('reason')}")
                    inexact.append(where)
                    continue
                reps[key] += 1
                acct = rep.get("slab_accounting") or {}
                missed[key] += acct.get("missed_events", 0) or 0
                bad = [c for c, v in acct.items() if isinstance(v, dict) and v.get("exact") is False]
                if acct.get("settled") is False or bad:
                    inexact.append(f"{where}: {acct.get('settle_reason') or ''} "
                                   f"caches not exact: {', '.join(bad)}")
                for name, m in rep["metrics"].items():
                    if m.get("kind") != "exact":
                        continue
                    v = m.get("value")
                    if v is None:
                        reason = m.get("reason") or ""
                        if reason.startswith("inexact"):
                            continue  # listed with the repetition's inexact note
                        if reason.startswith("unavailable"):
                            continue  # the same on every repetition, or compare says so
                        v = reason
                    values[key][name][v].append(where)

    status = 0
    checked = 0
    for key in sorted(values):
        rel, wl, params = key
        if reps[key] < a.min_reps:
            print(f"FAIL {rel} {wl}: {reps[key]} ok repetitions, expected at least {a.min_reps}")
            status = 1
        for name in sorted(values[key]):
            vals = values[key][name]
            checked += 1
            if len(vals) == 1:
                if a.v:
                    print(f"ok   {rel} {wl} {name} = {next(iter(vals))} ({reps[key]} reps)")
                continue
            status = 1
            desc = ", ".join(f"{v!r} x{len(ws)} (e.g. {ws[0]})" for v, ws in vals.items())
            print(f"FAIL {rel} {wl} {params} {name}: {len(vals)} values: {desc}")
    for i in inexact:
        print(("note " if a.allow_inexact else "FAIL ") + "inexact: " + i)
    if inexact and not a.allow_inexact:
        status = 1
    total = sum(reps.values())
    print(f"check-exact: {checked} exact metrics in {len(values)} workload groups, "
          f"{total} repetitions, {len(a.reports)} reports, "
          f"missed_events {sum(missed.values())}, {len(inexact)} inexact: "
          + ("one value each" if status == 0 else "FAILED"))
    return status


if __name__ == "__main__":
    sys.exit(main())
