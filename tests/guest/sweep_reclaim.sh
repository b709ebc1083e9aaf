#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Cost curve of rmap walks in a Debian 6.12 guest (TCG): reclaim swept over
# the fanout of a one-level tree: F = 1, 3, 7 children and the root (2, 4, 8
# processes) share every page (256 pages: a few minutes under TCG).
# Per point: the folios' mapcount at the walk is the number of processes,
# and the per-VMA callbacks of the tree's own walks (try_to_unmap_one) are
# 256 x processes plus a few private pages: linear (fitted exponent over the
# processes within 0.1 of 1). compare's exponent of every curve equals an
# independent fit of its points.
set -uo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname -- "$0")/lib.sh"
need_suite_guest debian:6.12

guest_quick debian:6.12 "$T_DIR/sweep.log" --sweep reclaim.fanout=1,3,7 --set reclaim.depth=1 \
	--set reclaim.pages=256 --set reclaim.cow_pct=0 --set reclaim.pageout=0
rep=$REPORT
"$ROOT/build/rmapbench" compare "$rep" "$rep" --out "$T_DIR/cmp" --json >"$T_DIR/cmp.json" ||
	fail "compare of the sweep exited $?"
report_check "$rep" "
import math
cmp = json.load(open('$T_DIR/cmp.json'))
def fit(xs, ys):
    p = [(math.log(x), math.log(y)) for x, y in zip(xs, ys) if x > 0 and y > 0]
    mx = sum(a for a, _ in p) / len(p); my = sum(b for _, b in p) / len(p)
    return sum((a - mx) * (b - my) for a, b in p) / sum((a - mx) ** 2 for a, _ in p)
assert r['sweep']['values'] == [1, 3, 7], r['sweep']
procs, calls = [], []
for f in r['sweep']['values']:
    w = f'reclaim[fanout={f}]'
    assert wl(w)['sweep'] == {'workload': 'reclaim', 'param': 'fanout', 'value': f}
    n = m(w, 'tree.processes')
    assert n == f + 1, f'{w}: {n} processes'
    mc = metric(w, 'rmap.try_to_unmap.mapcount')
    assert mc['max'] == n and mc['p50'] == n, f'{w}: mapcount {mc}'
    # the tree's own walks: every one of the 256 shared pages visits n VMAs,
    # plus a few private pages of the members (mapcount 1)
    c = m(w, 'rmap.try_to_unmap_one.own_calls')
    assert 256 * n <= c <= 1.1 * 256 * n, f'{w}: try_to_unmap_one own calls {c} for 256 pages x {n}'
    procs.append(n)
    calls.append(c)
e = fit(procs, calls)
print('processes', procs, 'try_to_unmap_one own calls', calls, 'exponent', round(e, 4))
assert abs(e - 1) < 0.1, f'rmap walk calls over processes: exponent {e}'
n = 0
for cv in cmp['curves']:
    for mm in cv['metrics']:
        for line in mm['kernels']:
            if line['exponent'] is not None:
                xs = [p[0] for p in line['points']]; ys = [p[1] for p in line['points']]
                assert abs(fit(xs, ys) - line['exponent']) < 1e-9, (mm['name'], line)
                n += 1
names = {mm['name']: mm for cv in cmp['curves'] for mm in cv['metrics']}
assert names['rmap.try_to_unmap_one.calls']['kernels'][0]['exponent'] is not None
assert n > 10, n
"
pass "$(python3 -c "
import json
c = json.load(open('$T_DIR/cmp.json'))
for mm in c['curves'][0]['metrics']:
    if mm['name'] in ('rmap.try_to_unmap_one.calls', 'rmap.folio_referenced_one.calls', 'rmap.try_to_unmap'):
        print(mm['name'], 'exponent', round(mm['kernels'][0]['exponent'], 3), end='; ')
")"
