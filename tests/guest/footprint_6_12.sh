#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The footprint workload in a Debian 6.12 guest (TCG, slab_nomerge, 2
# repetitions of configs/footprint.conf): every tracked cache, vma_lock
# included, has its slabinfo rows after boot (uptime under a minute) and after
# N apps, KiB = objects x one object size per cache, at least the apps' own
# objects active while they idle; the apps' exact BPF objects follow the
# scenario (vm_area_struct = M + N*(P + own VMAs), vma_lock = vm_area_struct,
# chain entries = 2*anon_vma - M + N*(own VMAs - 2R)) and repeat exactly.
# Prints the table (docs/workloads.md quotes it).
set -uo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname -- "$0")/lib.sh"
need_suite_guest debian:6.12

run_sh "$T_DIR/run.log" --kernel debian:6.12 --accel tcg --config "$ROOT/configs/footprint.conf" \
	--reps 2 --out "$T_DIR/results" --timeout "${T_TIMEOUT:-400}"
if [ "$RC" -ne 0 ] || [ -z "$REPORT" ]; then
	sed 's/^/  | /' "$T_DIR/run.log" | tail -n 40
	fail "run.sh exited $RC"
fi
sed -n '/^footprint: system-wide/,/^report:/p' "$T_DIR/run.log" | sed 's/^/  | /'
report_check "$REPORT" "
cmd = (r['kernel']['cmdline'] or '').split()
assert 'slab_nomerge' in cmd, f'cmdline {cmd}'
w = wl('footprint')
assert w['status'] == 'ok', f\"footprint {w['status']}: {w.get('reason')}\"
assert w.get('headline') == [], f\"headline {w.get('headline')}\"
p = w['params']
N, M, R = p['apps'], p['regions'], p['own_regions']
caches = ('vm_area_struct', 'anon_vma', 'anon_vma_chain', 'vma_lock')
def one(k):
    vals = {rep['metrics'][k]['value'] for rep in w['reps']}
    assert len(vals) == 1, f'{k} differs between repetitions: {sorted(vals)}'
    x = w['reps'][0]['metrics'][k]
    assert x['kind'] == 'exact', f'{k}: kind {x[\"kind\"]}'
    return vals.pop()
P, own = one('launcher.vmas'), one('app.own_vmas')
live = {c: one(f'apps.{c}.bpf_live') for c in caches}
assert live['vm_area_struct'] == M + N * (P + own), f\"vm_area_struct {live['vm_area_struct']}, expected M + N*(P + own VMAs) = {M + N * (P + own)}\"
assert live['vma_lock'] == live['vm_area_struct'], f'vma_lock {live}'
want = 2 * live['anon_vma'] - M + N * (own - 2 * R)
assert live['anon_vma_chain'] == want, f\"anon_vma_chain {live['anon_vma_chain']}, expected {want}\"
for rep in w['reps']:
    x = rep['metrics']
    assert float(rep['notes']['boot_uptime_s']) < 60, f\"boot_uptime_s {rep['notes']['boot_uptime_s']}\"
    for c in caches:
        size = None
        for row in ('boot', 'apps'):
            o, k = x[f'{row}.{c}.objects'], x[f'{row}.{c}.kib']
            assert (o['kind'], o['better']) == ('timed', 'none'), f'{row}.{c}.objects: {o}'
            assert o['value'] and o['value'] > 0 and k['value'] > 0, f'{row}.{c}: {o} {k}'
            s = k['value'] * 1024 / o['value']
            assert size is None or abs(s - size) < 1e-6, f'{c}: object size {s} vs {size}'
            size = s
        # slabinfo counts free objects of CPU slabs as active, never fewer than are live
        assert x[f'apps.{c}.objects']['value'] >= live[c], f\"{c}: {x[f'apps.{c}.objects']['value']} active < {live[c]} live\"
        d, dm = x[f'apps.{c}.slabinfo_delta']['value'], x[f'apps.{c}.slabinfo_minus_bpf']['value']
        assert d - live[c] == dm, f'{c}: slabinfo_minus_bpf {dm} != {d} - {live[c]}'
"
pass "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["kernel"]["release"])' "$REPORT")"
