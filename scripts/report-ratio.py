#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""report-ratio.py BASE.json TEST.json: the true size of a slowdown.

For every workload's headline timed metrics (the report's "headline" list),
the ratio of the medians over all repetitions (test / base); prints the
geometric mean over all of them and the range, e.g. "x1.23 (1.05..1.61, 9 metrics)".
Used by scripts/validate-verdict.sh to say how much a competitor slowed a run.
"""
import json
import math
import statistics
import sys


def medians(path):
    with open(path) as f:
        rep = json.load(f)
    out = {}
    for w in rep["workloads"]:
        for name in w.get("headline") or []:
            vals = [r["metrics"][name]["value"] for r in w.get("reps", [])
                    if r.get("status") == "ok" and name in r.get("metrics", {})
                    and r["metrics"][name].get("value") is not None]
            if vals:
                out[(w["name"], name)] = statistics.median(vals)
    return out


def main():
    if len(sys.argv) != 3:
        print(__doc__.strip().splitlines()[0], file=sys.stderr)
        return 2
    try:
        base, test = medians(sys.argv[1]), medians(sys.argv[2])
    except (OSError, ValueError, KeyError) as e:
        print(f"report-ratio.py: {e}", file=sys.stderr)
        return 2
    ratios = [test[k] / base[k] for k in base if k in test and base[k] > 0]
    if not ratios:
        print("n/a (no common headline metric)")
        return 0
    gm = math.exp(sum(math.log(r) for r in ratios) / len(ratios))
    print(f"x{gm:.2f} ({min(ratios):.2f}..{max(ratios):.2f}, {len(ratios)} metrics)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
