#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# rmap walk latency probes in a Debian 6.12 guest (TCG): the functions attach
# (fentry or kprobe), the reclaim workload's walks fill the histograms
# (counts add up, own calls counted), the per-VMA callbacks grow with the
# number of processes sharing the pages (2 vs 8 processes: 4x), the folios'
# mapcount at the walk is the number of processes, the KSM workload's
# reclaim walks KSM pages with rmap_walk_ksm, and soft offline of pages
# mapped by 5 processes visits 5 VMAs per page in try_to_migrate.
set -uo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname -- "$0")/lib.sh"
need_root
need_tools
need_static
fetch_debian debian:6.12

guest_quick debian:6.12 "$T_DIR/f1.log" --workload "reclaim,ksm,migrate" --set reclaim.pages=1024 \
	--set reclaim.cow_pct=0 --set reclaim.pageout=0 --set ksm.pages=256 --set reclaim.fanout=1 \
	--set migrate.method=3 --set migrate.pages=128
r1=$REPORT
guest_quick debian:6.12 "$T_DIR/f7.log" --workload reclaim --set reclaim.pages=1024 \
	--set reclaim.cow_pct=0 --set reclaim.pageout=0 --set reclaim.fanout=7
r7=$REPORT

report_check "$r1" "
funcs = r['collectors']['rmaplat']['functions']
need = ['rmap_walk_anon', 'folio_referenced', 'try_to_unmap', 'folio_lock_anon_vma_read',
        'try_to_unmap_one', 'folio_referenced_one', 'rmap_walk_ksm']
for f in need:
    assert funcs[f]['available'] and funcs[f]['method'] in ('fentry', 'kprobe'), f'{f}: {funcs[f]}'
def hist_ok(name, x):
    assert x['value'] is not None and x['count'] > 0, f'{name}: {x}'
    b = x['hist']['buckets']
    assert sum(y['count'] for y in b) == x['count'], f'{name}: buckets do not add up'
    assert all(b[i]['le'] < b[i + 1]['le'] for i in range(len(b) - 1)), f'{name}: le order'
    assert x['p50'] <= x['p90'] <= x['p99'] <= x['max'], f'{name}: percentiles'
for f in ('rmap_walk_anon', 'folio_referenced', 'try_to_unmap', 'try_to_unmap_one'):
    x = metric('reclaim', f'rmap.{f}')
    hist_ok(f, x)
    assert m('reclaim', f'rmap.{f}.calls') == x['count']
    assert 0 < m('reclaim', f'rmap.{f}.own_calls') <= x['count'], f'{f}: own calls'
    assert metric('reclaim', f'rmap.{f}.idle_calls')['window_ns'] > 0
# every reclaimed folio is mapped by both processes
assert metric('reclaim', 'rmap.try_to_unmap.mapcount')['max'] == 2
k = metric('ksm', 'rmap.rmap_walk_ksm')
hist_ok('rmap_walk_ksm', k)
assert metric('ksm', 'rmap.rmap_walk_ksm.mapcount')['max'] > 2, 'KSM pages mapped more than twice'
assert m('migrate', 'migrate.pages_moved') == 128, f\"soft offline moved {m('migrate', 'migrate.pages_moved')}\"
hist_ok('try_to_migrate', metric('migrate', 'rmap.try_to_migrate'))
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
pass "walks: $(python3 -c "
import json
for p in ('$r1', '$r7'):
    w = [w for w in json.load(open(p))['workloads'] if w['name'] == 'reclaim'][0]['reps'][0]['metrics']
    print(int(w['tree.processes']['value']), 'processes:', w['rmap.try_to_unmap_one.calls']['value'], 'unmap visits,', end=' ')
")"
