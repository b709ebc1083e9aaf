#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Counts suites and repetitions in rmapbench reports (soak figures).

usage: scripts/count-reps.py [--by-kernel] REPORT.json|DIR ...

A report made with --rounds N holds N suites (one per round); a suite is ok
when every workload it ran is ok and every repetition of it is ok. DIRs are
searched for report.json files (the per-boot reports under a kernel's
directory, NAME-roundN-*, are skipped: their rounds are in the merged report
beside them).
Prints one line per kernel (with --by-kernel) or in all, then each failed
repetition with its reason. Exit 0 when all were ok, 1 when one failed,
2 bad input.
"""
import json
import os
import re
import sys


def reports(args):
    for a in args:
        if os.path.isdir(a):
            for d, subdirs, files in sorted(os.walk(a)):
                subdirs.sort()
                if "report.json" in files and not re.search(r"-round\d+-", os.path.basename(d)):
                    yield os.path.join(d, "report.json")
        else:
            yield a


def main():
    argv = sys.argv[1:]
    by_kernel = "--by-kernel" in argv
    argv = [a for a in argv if a != "--by-kernel"]
    if not argv or "-h" in argv or "--help" in argv:
        print(__doc__.strip())
        return 0 if argv else 2
    tally, failures = {}, []
    for path in reports(argv):
        try:
            r = json.load(open(path))
            release = r["kernel"]["release"] if by_kernel else "all"
            accel = r["machine"].get("accel") or r["machine"].get("virt")
        except (OSError, ValueError, KeyError, TypeError) as e:
            print(f"count-reps.py: {path}: not a report: {e}", file=sys.stderr)
            return 2
        key = f"{release} ({accel})" if by_kernel else "all"
        t = tally.setdefault(key, {"suites": 0, "ok": 0, "reps": 0, "reps_ok": 0})
        rounds = r.get("rounds") or 1
        bad_rounds = set()
        for w in r["workloads"]:
            if w["status"] == "unavailable":
                continue
            if w["status"] != "ok" and not w["reps"]:
                bad_rounds.update(range(1, rounds + 1))
                failures.append(f"{path}: {w['name']}: {w['status']}: {w.get('reason')}")
            for rep in w["reps"]:
                t["reps"] += 1
                if rep["status"] == "ok":
                    t["reps_ok"] += 1
                else:
                    bad_rounds.add(rep.get("round", 1))
                    failures.append(f"{path}: {w['name']} round {rep.get('round', 1)} "
                                    f"rep {rep['rep']}: {rep['status']}: {rep.get('reason')}")
        t["suites"] += rounds
        t["ok"] += rounds - len(bad_rounds)
    if not tally:
        print("count-reps.py: no report found", file=sys.stderr)
        return 2
    for key, t in sorted(tally.items()):
        print(f"{key}: {t['ok']} of {t['suites']} suites with every repetition ok; "
              f"repetitions ok {t['reps_ok']} of {t['reps']}")
    for f in failures:
        print("  failed: " + f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
