#!/usr/bin/env bash
# Probe overhead benchmark: wall time of fork-chain
#   (a) with rmapbench's slab probes attached (--no-collectors: slab accounting only),
#   (b) with nothing attached (--no-probes),
#   (c) with nothing of ours attached but the equivalent bpftrace one-liner
#       counting the same caches' kmem_cache_alloc/free events system-wide.
# Prints medians of the per-repetition wall time and the ratios. Needs root
# (installs bpftrace when missing). Figures: docs/performance.md.
#
#   scripts/bench-overhead.sh                     # 30 repetitions a case
#   REPS=100 REGIONS=16 DEPTH=8 scripts/bench-overhead.sh
#
# Exit: 0 measured, 2 not root, 3 a run failed.
set -euo pipefail
case ${1:-} in -h | --help)
	sed -n '2,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'
	exit 0 ;;
esac
cd "$(dirname "$0")/.."
RMB=build/rmapbench
REPS=${REPS:-30}
SETS=(--set fork-chain.regions="${REGIONS:-8}" --set fork-chain.depth="${DEPTH:-4}")
tmp=$(mktemp -d /tmp/rmapbench-bench.XXXXXX)
bt_pid=
mounted_tracefs=0
cleanup() {
	[ -n "$bt_pid" ] && kill "$bt_pid" 2>/dev/null && wait "$bt_pid" 2>/dev/null
	[ "$mounted_tracefs" -eq 0 ] || umount /sys/kernel/tracing
	rm -rf "$tmp"
}
trap cleanup EXIT

[ "$(id -u)" -eq 0 ] || { echo "bench-overhead: needs root" >&2; exit 2; }
command -v bpftrace >/dev/null || apt-get install -y -qq bpftrace >/dev/null

median() {
	python3 - "$1" <<'PY'
import json, statistics, sys
r = json.load(open(sys.argv[1]))
v = [rep["metrics"]["wall_ns"]["value"] for w in r["workloads"] for rep in w["reps"]
     if rep["status"] == "ok"]
print(int(statistics.median(v)))
PY
}

run() { "$RMB" run --workload fork-chain "${SETS[@]}" --reps "$REPS" --interval 0 --json "$1" "${@:2}"; }

# interleave to spread drift: off, on, off, on
run "$tmp/off1.json" --no-probes
run "$tmp/on1.json" --no-collectors
run "$tmp/off2.json" --no-probes
run "$tmp/on2.json" --no-collectors

if ! mountpoint -q /sys/kernel/tracing; then
	mount -t tracefs nodev /sys/kernel/tracing
	mounted_tracefs=1
fi
bpftrace -e '
tracepoint:kmem:kmem_cache_alloc
/str(args->name) == "vm_area_struct" || str(args->name) == "anon_vma" ||
 str(args->name) == "anon_vma_chain"/ { @alloc[str(args->name)] = count(); @live[args->ptr] = 1; }
tracepoint:kmem:kmem_cache_free /@live[args->ptr]/ { @free = count(); delete(@live[args->ptr]); }' \
	>"$tmp/bt.out" 2>&1 &
bt_pid=$!
sleep 5	# bpftrace compiles and attaches
run "$tmp/bt.json" --no-probes
kill -INT "$bt_pid"; wait "$bt_pid" || true; bt_pid=

off=$(( ($(median "$tmp/off1.json") + $(median "$tmp/off2.json")) / 2 ))
on=$(( ($(median "$tmp/on1.json") + $(median "$tmp/on2.json")) / 2 ))
bt=$(median "$tmp/bt.json")
printf 'fork-chain %s, %d reps, median wall time per repetition:\n' "${SETS[*]}" "$REPS"
printf '  no probes        %10.3f ms\n' "$(echo "$off / 1000000" | bc -l)"
printf '  rmapbench probes %10.3f ms  (%.3fx)\n' "$(echo "$on / 1000000" | bc -l)" "$(echo "$on / $off" | bc -l)"
printf '  bpftrace 1-liner %10.3f ms  (%.3fx)\n' "$(echo "$bt / 1000000" | bc -l)" "$(echo "$bt / $off" | bc -l)"
