#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# rmap walk latency probes in a Debian 6.12 guest (TCG): the functions attach
# (fentry or kprobe), the reclaim workload's walks fill the histograms
# (counts add up, own calls counted), the per-VMA callbacks grow with the
# number of processes sharing the pages (2 vs 8 processes: 4x), the folios'
# mapcount at the walk is the number of processes, the KSM workload's
# reclaim walks KSM pages with rmap_walk_ksm, and soft offline of pages
# mapped by 5 processes visits 5 VMAs per page in try_to_migrate.
# Histograms (op.* and rmap.*, also on 6.1, where the BPF program must load):
# log-linear buckets no wider than 6.25% of their lower bound, counts that
# are integers equal to the bucket sums (and to rmap.<fn>.calls), quantiles
# inside their bucket bounds and inside [min, max].
set -uo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname -- "$0")/lib.sh"
need_suite_guest debian:6.12

# Python: hist_ok(name, metric) and hists_ok(workload), for report_check.
HIST_PY="
def hist_ok(name, x):
    assert x['value'] is not None and isinstance(x['count'], int) and x['count'] > 0, f'{name}: {x}'
    h = x['hist']
    assert h['layout'] == 'log-linear' and h['sub_buckets'] == 16, f'{name}: layout {h}'
    b = h['buckets']
    assert b and all(isinstance(y['count'], int) and y['count'] > 0 for y in b), f'{name}: empty buckets'
    assert sum(y['count'] for y in b) == x['count'], f'{name}: buckets do not add up to {x[\"count\"]}'
    assert 'bucket_total' not in x, f'{name}: bucket_total {x.get(\"bucket_total\")}'
    assert all(b[i]['le'] < b[i + 1]['ge'] for i in range(len(b) - 1)), f'{name}: bucket order'
    for y in b:
        assert y['ge'] <= y['le'] and (y['le'] - y['ge']) <= 0.0625 * max(y['ge'], 1), f'{name}: bucket {y} wider than 6.25%'
    assert b[0]['ge'] <= x['min'] <= b[0]['le'] and b[-1]['ge'] <= x['max'] <= b[-1]['le'], f'{name}: min/max outside the end buckets'
    assert x['min'] <= x['p50'] <= x['p90'] <= x['p99'] <= x['max'], f'{name}: percentiles {x}'
    if x['name'].startswith('rmap.'):
        assert x['value'] == x['p50']
        for q in ('p50', 'p90', 'p99'):
            lo, v, hi = x[q + '_lo'], x[q], x[q + '_hi']
            assert x['min'] <= lo <= v <= hi <= x['max'], f'{name}: {q} {lo} {v} {hi}'
            assert any(y['ge'] <= lo and hi <= y['le'] for y in b), f'{name}: {q} bounds not one bucket'
def hists_ok(w):
    n = 0
    for rep in wl(w)['reps']:
        for k, x in rep['metrics'].items():
            if x.get('hist'):
                x['name'] = k
                hist_ok(f'{w} rep {rep[\"rep\"]} {k}', x)
                if k.startswith('rmap.') and not k.endswith('.mapcount'):
                    c = rep['metrics'][k + '.calls']['value']
                    assert isinstance(c, int) and c == x['count'], f'{k}.calls {c} != count {x[\"count\"]}'
                n += 1
    assert n, f'{w}: no histograms'
    return n
"

guest_quick debian:6.12 "$T_DIR/f1.log" --workload "reclaim,ksm,migrate" --set reclaim.pages=1024 \
	--set reclaim.cow_pct=0 --set reclaim.pageout=0 --set ksm.pages=256 --set reclaim.fanout=1 \
	--set migrate.method=3 --set migrate.pages=128
r1=$REPORT
guest_quick debian:6.12 "$T_DIR/f7.log" --workload reclaim --set reclaim.pages=1024 \
	--set reclaim.cow_pct=0 --set reclaim.pageout=0 --set reclaim.fanout=7
r7=$REPORT

report_check "$r1" "$HIST_PY
funcs = r['collectors']['rmaplat']['functions']
need = ['rmap_walk_anon', 'folio_referenced', 'try_to_unmap', 'folio_lock_anon_vma_read',
        'try_to_unmap_one', 'folio_referenced_one', 'rmap_walk_ksm']
for f in need:
    assert funcs[f]['available'] and funcs[f]['method'] in ('fentry', 'kprobe'), f'{f}: {funcs[f]}'
for w in ('reclaim', 'ksm', 'migrate'):
    hists_ok(w)
for f in ('rmap_walk_anon', 'folio_referenced', 'try_to_unmap', 'try_to_unmap_one'):
    x = metric('reclaim', f'rmap.{f}')
    assert m('reclaim', f'rmap.{f}.calls') == x['count']
    assert 0 < m('reclaim', f'rmap.{f}.own_calls') <= x['count'], f'{f}: own calls'
    assert metric('reclaim', f'rmap.{f}.idle_calls')['window_ns'] > 0
# every reclaimed folio is mapped by both processes
assert metric('reclaim', 'rmap.try_to_unmap.mapcount')['max'] == 2
assert metric('ksm', 'rmap.rmap_walk_ksm')['count'] > 0
assert metric('ksm', 'rmap.rmap_walk_ksm.mapcount')['max'] > 2, 'KSM pages mapped more than twice'
assert m('migrate', 'migrate.pages_moved') == 128, f\"soft offline moved {m('migrate', 'migrate.pages_moved')}\"
assert metric('migrate', 'rmap.try_to_migrate')['count'] > 0
procs = m('migrate', 'tree.processes')
visits = m('migrate', 'rmap.try_to_migrate_one.calls')
assert visits >= procs * 128, f'try_to_migrate_one: {visits} calls for 128 pages x {procs} processes'
"
report_check "$r7" "
a = json.load(open('$r1'))
def av(rep, key):
    for w in rep['workloads']:
        if w['name'] == 'reclaim':
            return w['reps'][0]['metrics'][key]
assert m('reclaim', 'tree.processes') == 8 and av(a, 'tree.processes')['value'] == 2
for f in ('try_to_unmap_one', 'folio_referenced_one'):
    c1, c7 = av(a, f'rmap.{f}.calls')['value'], m('reclaim', f'rmap.{f}.calls')
    o1, o7 = av(a, 'reclaim.pages_out')['value'], m('reclaim', 'reclaim.pages_out')
    # VMAs visited per reclaimed page: 2 processes -> 8 processes
    assert c7 / max(o7, 1) >= 3 * c1 / max(o1, 1), f'{f}: {c1} calls for {o1} pages -> {c7} for {o7}'
assert metric('reclaim', 'rmap.try_to_unmap.mapcount')['max'] == 8
"

# 6.1: the BPF program (log-linear histograms) loads and fills them.
fetch_debian debian:6.1
guest_quick debian:6.1 "$T_DIR/f61.log" --workload reclaim --set reclaim.pages=256 \
	--set reclaim.cow_pct=0 --set reclaim.pageout=0 --set reclaim.fanout=1
r61=$REPORT
report_check "$r61" "$HIST_PY
assert r['kernel']['release'].startswith('6.1.'), r['kernel']['release']
funcs = r['collectors']['rmaplat']['functions']
for f in ('rmap_walk_anon', 'folio_referenced', 'try_to_unmap', 'try_to_unmap_one'):
    assert funcs[f]['available'], f'6.1: {f}: {funcs[f]}'
    assert metric('reclaim', f'rmap.{f}')['count'] > 0, f'6.1: {f} never ran'
hists_ok('reclaim')
"
pass "walks: $(python3 -c "
import json
for p in ('$r1', '$r7'):
    w = [w for w in json.load(open(p))['workloads'] if w['name'] == 'reclaim'][0]['reps'][0]['metrics']
    print(int(w['tree.processes']['value']), 'processes:', w['rmap.try_to_unmap_one.calls']['value'], 'unmap visits,', end=' ')
")"
