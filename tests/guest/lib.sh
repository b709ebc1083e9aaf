# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Helpers for tests/guest/*.sh (sourced). Each test exits 0 on pass, 77 on
# skip (the reason on stdout), anything else on failure.
#
# The tests boot kernels under TCG with configs/quick.conf. They expect the
# static build (make STATIC=1, done by `make test` before tests/run.sh) and do
# not rebuild (RMAPBENCH_NO_BUILD=1). Debian kernels are downloaded once into
# ~/.cache/rmapbench (RMAPBENCH_CACHE).

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	echo "tests/guest/lib.sh holds helpers for the guest tests; it is not a test"
	exit 77
fi
ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/../.." && pwd)
export RMAPBENCH_NO_BUILD=1
T_NAME=$(basename -- "$0" .sh)

skip() { echo "SKIP $T_NAME: $*"; exit 77; }
fail() { echo "FAIL $T_NAME: $*"; exit 1; }
pass() { echo "PASS $T_NAME${1:+: $*}"; exit 0; }
note() { echo "$T_NAME: $*"; }

need_root() { [ "$(id -u)" -eq 0 ] || skip "needs root (BPF in the guest report, apt downloads)"; }
need_tools() {
	local t
	for t in qemu-system-x86_64 busybox cpio gzip python3; do
		command -v "$t" >/dev/null || skip "$t not installed (scripts/deps.sh)"
	done
}
need_static() {
	[ -x "$ROOT/build/static/rmapbench" ] || skip "build/static/rmapbench missing (make STATIC=1)"
}

# A private scratch directory, removed at exit; TMPDIR points into it so that
# run.sh's work directory (and so QEMU's command line) contains its path.
T_DIR=$(mktemp -d "${TMPDIR:-/tmp}/rmapbench-test.XXXXXX")
export TMPDIR=$T_DIR
t_cleanup() {
	local p
	# A QEMU left behind would be a bug: say so, then end it.
	for p in $(pgrep -f -- "$T_DIR" 2>/dev/null); do
		echo "$T_NAME: leftover process $p: $(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null)"
		kill -KILL "$p" 2>/dev/null
	done
	rm -rf -- "$T_DIR"
}
trap t_cleanup EXIT

# leftover_qemu: prints the pids of QEMU processes started by this test.
leftover_qemu() { pgrep -f -- "qemu-system-x86_64.*$T_DIR" || true; }

# fetch_debian SPEC: sets K_DIR and K_RELEASE of the cached Debian kernel.
fetch_debian() {
	K_DIR=$("$ROOT/scripts/guest/kernel-fetch.sh" "$1") || skip "$1: cannot fetch the kernel package"
	K_RELEASE=$(cut -d' ' -f3 <"$K_DIR/.complete")
	[ -n "$K_RELEASE" ] || fail "$K_DIR/.complete: no release"
}

# need_suite_guest SPEC: what a test that boots Debian kernel SPEC with the
# static suite inside needs (root, the tools, build/static/rmapbench, the
# kernel package); skips when one is missing.
need_suite_guest() {
	need_root
	need_tools
	need_static
	fetch_debian "$1"
}

# run_sh LOG ARGS...: runs ./run.sh ARGS, output to LOG; sets RC and REPORT
# (the path of the last "report: PATH" line, or empty).
run_sh() {
	local log=$1 t0
	shift
	t0=$SECONDS
	RC=0
	"$ROOT/run.sh" "$@" >"$log" 2>&1 || RC=$?
	REPORT=$(sed -n 's/^report: //p' "$log" | tail -n 1)
	note "run.sh $* -> exit $RC in $((SECONDS - t0)) s"
}

# guest_quick SPEC LOG [ARGS...]: boots SPEC under TCG with configs/quick.conf.
guest_quick() {
	local spec=$1 log=$2
	shift 2
	run_sh "$log" --kernel "$spec" --accel tcg --config "$ROOT/configs/quick.conf" \
		--out "$T_DIR/results" --timeout "${T_TIMEOUT:-400}" "$@"
	if [ "$RC" -ne 0 ] || [ -z "$REPORT" ]; then
		sed 's/^/  | /' "$log" | tail -n 40
		fail "run.sh --kernel $spec exited $RC"
	fi
}

# share_report REPORT NAME: under tests/run.sh (RMAPBENCH_TEST_SHARE), a copy
# of a checked report as $RMAPBENCH_TEST_SHARE/NAME for a later test that
# needs the same boot (NAME debian-6.12-quick.json: the quick config under
# TCG, no other options; tests/integration/compare_real_guest.sh reuses it).
share_report() {
	local d=${RMAPBENCH_TEST_SHARE:-}
	[ -n "$d" ] && [ -d "$d" ] || return 0
	cp -- "$1" "$d/.$2.tmp" && mv -f -- "$d/.$2.tmp" "$d/$2"
}

# report_check REPORT PYTHON-CODE: runs the code with `r` (the report), and
# helpers m(workload, metric) (value of the first repetition, KeyError-safe:
# None when absent) and wl(name); an AssertionError fails the test.
report_check() {
	python3 - "$1" "$2" <<'EOF' || fail "report checks failed on $1"
import json, sys
r = json.load(open(sys.argv[1]))
def wl(name):
    for w in r["workloads"]:
        if w["name"] == name:
            return w
    raise AssertionError(f"workload {name} missing from the report")
def metric(name, key):
    w = wl(name)
    assert w["status"] == "ok", f"{name}: status {w['status']}: {w.get('reason')}"
    return w["reps"][0]["metrics"].get(key)
def m(name, key):
    x = metric(name, key)
    return None if x is None else x.get("value")
def has(name, key):
    return metric(name, key) is not None
try:
    exec(sys.argv[2])
except AssertionError as e:
    print(f"assertion failed: {e}")
    sys.exit(1)
EOF
}

# debian_suite SPEC HAS_VMA_LOCK: the Debian kernel test. Boots SPEC under
# TCG with configs/quick.conf and checks the report against kernel-facts:
# release, accelerator, command line, exact slab counts, per-fork
# vm_area_struct == parent VMAs, mremap-multi EFAULT, the vma_lock cache only
# where it exists; then boots it again with twice the fork-chain regions and
# checks the K vs 2K chain formulas (all ancestors alive).
debian_suite() {
	local spec=$1 has_lock=$2 r1 r2 depth=4 k=8
	need_root
	need_tools
	need_static
	fetch_debian "$spec"
	guest_quick "$spec" "$T_DIR/run1.log"
	r1=$REPORT
	note "report $r1 ($(grep -E '^wall_' "$(dirname -- "$r1")/guest.txt" | tr '\n' ' '))"
	report_check "$r1" "
rel = '$K_RELEASE'
assert r['kernel']['release'] == rel, f\"release {r['kernel']['release']} != {rel}\"
acc = 'tcg' if '${RMAPBENCH_TCG_CLOCK:-icount}' == 'host' else 'tcg-icount'
assert r['machine']['accel'] == acc, f\"machine.accel {r['machine']['accel']!r}, expected {acc!r}\"
cmd = r['kernel']['cmdline'] or ''
assert 'slab_nomerge' in cmd.split() and 'rmapbench.accel=' + acc in cmd.split(), f'cmdline {cmd!r}'
hfp = '$("$ROOT/build/rmapbench" fingerprint)'
mfp = r['machine']
assert mfp.get('host_fingerprint') == hfp, f\"machine.host_fingerprint {mfp.get('host_fingerprint')!r}, the host's is {hfp!r}\"
assert len(mfp['fingerprint']) == 16 and mfp['fingerprint'] != hfp, f\"machine.fingerprint {mfp['fingerprint']!r}\"
sa = r['slab_accounting']
assert sa['available'], f\"slab accounting unavailable: {sa.get('reason')}\"
for c in ('vm_area_struct', 'anon_vma', 'anon_vma_chain'):
    assert sa['caches'][c]['present'] and sa['caches'][c]['exact'], f'{c}: {sa[\"caches\"][c]}'
lock = sa['caches'].get('vma_lock', {}).get('present', False)
assert lock == bool($has_lock), f'vma_lock cache present={lock} on {rel}'
for w in r['workloads']:
    assert w['status'] == 'ok', f\"{w['name']}: {w['status']}: {w.get('reason')}\"
    for c in ('vm_area_struct', 'anon_vma', 'anon_vma_chain', 'vma_lock'):
        x = w['reps'][0]['metrics'].get(f'slab.{c}.allocs')
        if c == 'vma_lock' and not $has_lock:
            assert x is None, f\"{w['name']}: slab.vma_lock.allocs on a kernel without the cache\"
            continue
        assert x is not None and x['kind'] == 'exact' and isinstance(x['value'], (int, float)), f\"{w['name']}: slab.{c}.allocs = {x}\"
assert m('mremap-multi', 'multi.errno') == 14, f\"multi.errno {m('mremap-multi', 'multi.errno')}\"
assert m('mremap-multi', 'multi.supported') == 0
for g in range(1, $depth + 1):
    pv, va = m('fork-chain', f'fork.{g}.parent_vmas'), m('fork-chain', f'fork.{g}.vm_area_struct')
    assert pv is not None and pv == va, f'fork {g}: {va} vm_area_struct allocs for {pv} parent VMAs'
    if $has_lock:
        assert m('fork-chain', f'fork.{g}.vma_lock') == va, f'fork {g}: vma_lock allocs != vm_area_struct allocs'
"
	share_report "$r1" "${spec/:/-}-quick.json"
	guest_quick "$spec" "$T_DIR/run2.log" --workload fork-chain --set "fork-chain.regions=$((2 * k))"
	r2=$REPORT
	report_check "$r2" "
a = json.load(open('$r1'))
def av(rep, key):
    for w in rep['workloads']:
        if w['name'] == 'fork-chain':
            return w['reps'][0]['metrics'][key]['value']
K, D = $k, $depth
assert wl('fork-chain')['params']['regions'] == 2 * K
d_av = av(r, 'fork.total.anon_vma') - av(a, 'fork.total.anon_vma')
d_avc = av(r, 'fork.total.anon_vma_chain') - av(a, 'fork.total.anon_vma_chain')
d_vma = av(r, 'fork.total.vm_area_struct') - av(a, 'fork.total.vm_area_struct')
assert d_av == K * D, f'K more regions: {d_av} more anon_vma, expected K*D = {K * D}'
assert d_avc == K * sum(range(2, D + 2)), f'K more regions: {d_avc} more anon_vma_chain, expected {K * sum(range(2, D + 2))}'
d_rv = av(r, 'setup.region_vmas') - av(a, 'setup.region_vmas')
assert d_vma == d_rv * D, f'{d_rv} more region VMAs: {d_vma} more vm_area_struct in {D} forks'
"
	pass "$K_RELEASE"
}
