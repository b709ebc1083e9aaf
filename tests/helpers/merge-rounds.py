#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Merges single-round reports into one multi-round report (test helper).

    merge-rounds.py OUT.json R1.json R2.json ... [--label NAME]

Report k becomes round k: every repetition gets "round": k, the workload
entries are matched by name and params, the header (kernel, machine, ...)
is the first report's, "rounds" is the number of inputs and "round_info"
lists each input's "created". A stand-in for `rmapbench merge` in tests.
"""
import json
import os
import sys


def main(argv):
    label = None
    if "--label" in argv:
        i = argv.index("--label")
        label = argv[i + 1]
        del argv[i:i + 2]
    if len(argv) < 3:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    out, inputs = argv[1], argv[2:]
    merged = None
    for k, path in enumerate(inputs, 1):
        with open(path) as f:
            r = json.load(f)
        for w in r["workloads"]:
            for rep in w["reps"]:
                rep["round"] = k
        if merged is None:
            merged = r
            merged["round_info"] = []
        else:
            for w in r["workloads"]:
                same = [m for m in merged["workloads"]
                        if m["name"] == w["name"] and m["params"] == w["params"]]
                if not same:
                    print(f"{path}: workload {w['name']} not in {inputs[0]}", file=sys.stderr)
                    return 2
                same[0]["reps"].extend(w["reps"])
                if w["status"] != "ok":
                    same[0]["status"], same[0]["reason"] = w["status"], w.get("reason")
        merged["round_info"].append({"round": k, "created": r.get("created"),
                                     "order": [w["name"] for w in r["workloads"]]})
    merged["rounds"] = len(inputs)
    if label:
        merged["label"] = label
    tmp = out + ".tmp"
    with open(tmp, "w") as f:
        json.dump(merged, f, indent=1)
        f.write("\n")
    os.rename(tmp, out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
