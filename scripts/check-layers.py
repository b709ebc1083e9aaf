#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Checks the include rules of docs/architecture.md ("Who may include whom"):
which layer may include which project header, and no include cycles between
files (a file is its .c and its .h; a cycle is X includes Y's header while Y,
directly or through others, includes X's). Prints each violation, exit 1 if
any; -v prints the file graph's figures too. --root DIR checks another copy
of the tree (tests/tools/layers.sh)."""
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DIRS = ("bench", "workloads", "report", "bpf")
INC = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def sources():
    for d in DIRS:
        for f in sorted(os.listdir(os.path.join(ROOT, d))):
            if f.endswith((".c", ".h")):
                yield d + "/" + f


def resolve(src, name, headers):
    """The project header a quoted include names, or None (generated, system)."""
    cand = os.path.normpath(os.path.join(os.path.dirname(src), name))
    if cand in headers:
        return cand
    for d in ("bench", "workloads", "bpf", "report"):  # the -I order of the Makefile
        cand = os.path.normpath(os.path.join(d, name))
        if cand in headers:
            return cand
    return None


def allowed(src, hdr):
    """None if src may include hdr, else the rule it breaks."""
    sdir, hdir = src.split("/")[0], hdr.split("/")[0]
    if hdir == "bpf" and ".bpf" not in hdr:
        return None  # shared with user space: a leaf any layer may use
    leaves = ("bench/procfs.h", "bench/util.h", "bench/fingerprint.h")
    if sdir == "bpf":
        return None if hdir == "bpf" else "bpf/ includes only bpf/"
    if sdir == "workloads":
        if hdir == "workloads" or hdr == "bench/procfs.h":
            return None
        return "workloads/ include workload.h, workloads/ headers and bench/procfs.h only"
    if sdir == "bench":
        if hdir == "report" and src != "bench/main.c":
            return "bench/ never includes report/ (but main.c, the command table)"
        return None
    if sdir == "report":
        if hdir == "report" or hdr in leaves or hdr == "workloads/workload.h":
            return None
        return "report/ includes report/ headers, bench/util.h, bench/fingerprint.h, workload.h only"
    return None


def stem(path):
    return path.rsplit(".", 1)[0]


def main():
    global ROOT
    args = sys.argv[1:]
    verbose = "-v" in args
    if "--root" in args:
        ROOT = args[args.index("--root") + 1]
    files = list(sources())
    headers = {f for f in files if f.endswith(".h")}
    bad = []
    graph = {}
    for src in files:
        text = open(os.path.join(ROOT, src), encoding="utf-8").read()
        for name in INC.findall(text):
            hdr = resolve(src, name, headers)
            if not hdr:
                continue
            why = allowed(src, hdr)
            if why:
                bad.append(f"{src}: includes {hdr}: {why}")
            if stem(hdr) != stem(src):
                graph.setdefault(stem(src), set()).add(stem(hdr))
    # cycles: strongly connected components of more than one file (Tarjan)
    index, low, on, stack, sccs, n = {}, {}, set(), [], [], [0]

    def visit(v):
        index[v] = low[v] = n[0]
        n[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                sccs.append(sorted(comp))

    sys.setrecursionlimit(10000)
    for v in sorted(graph):
        if v not in index:
            visit(v)
    for comp in sccs:
        bad.append("include cycle between files: " + " <-> ".join(comp))
    for b in bad:
        print(b)
    if verbose or not bad:
        edges = sum(len(v) for v in graph.values())
        print(f"check-layers: {len(files)} files, {edges} include edges between files, "
              f"{len(bad)} violations, {len(sccs)} include cycles")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
