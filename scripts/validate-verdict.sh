#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# scripts/validate-verdict.sh: checks the verdict on real runs of this machine,
# with the settings docs/compare.md recommends. Long: a script, not
# a test (`make validate` runs it). Prints one table and writes every run's
# report and comparison under --out.
#
#   scripts/validate-verdict.sh [--host-calibrate N | --noise FILE] [--host-pairs N] [--host-power N]
#                               [--guest-pairs N] [--guest-power N] [--rounds R]
#                               [--host-config F] [--guest-config F]
#                               [--guest-kernel SPEC] [--slow-append ARGS]
#                               [--exact-base TREE --exact-test TREE] [--out DIR]
#
# What each part does:
#   host calibration  N A/A runs first (default 6), made into noise.json by
#                rmapbench calibrate; host pairs are judged with --noise (the
#                recommended host setting) and, for the record, without it
#                (rows nocal-host-aa / nocal-host-pwr, not claims). --noise FILE
#                uses an earlier calibration instead.
#   host A/A     the suite twice on the running kernel (each --rounds R), compared:
#                must not be a regression.
#   host power   the second run with one CPU-bound competitor per core pinned
#                beside it (measured slowdown printed): must be a regression.
#   guest A/A    ./run.sh --kernel a=SPEC --kernel b=SPEC --rounds R: the same
#                kernel booted interleaved; 0 exact differences, not a regression.
#   guest power  b boots with --slow-append (default init_on_alloc=1 init_on_free=1).
#   exact        two kernel trees that differ in one exact count: always flagged.
# A part whose count is 0 is skipped. Exit 0 when every claim held, 1 when one
# did not (the table says which), 2 bad input, 3 a run failed.
#
# examples:
#   make validate                                 # everything, hours
#   scripts/validate-verdict.sh --host-pairs 3 --host-power 1 --guest-pairs 0 --guest-power 0
#   scripts/validate-verdict.sh --noise cal/noise.json --host-pairs 20 --host-power 10 \
#       --guest-pairs 0 --guest-power 0 --out val-host
set -uo pipefail

ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)
PROG=scripts/validate-verdict.sh
HOST_CAL=6 HOST_PAIRS=20 HOST_POWER=10 GUEST_PAIRS=10 GUEST_POWER=10 ROUNDS=3
HOST_CONFIG=$ROOT/configs/default.conf GUEST_CONFIG=$ROOT/configs/quick.conf
GUEST_KERNEL=debian:6.12 SLOW_APPEND='init_on_alloc=1 init_on_free=1'
EXACT_BASE='' EXACT_TEST='' OUT='' NOISE_FILE=''

usage() { sed -n '3,/^set -uo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'; }
bad() { echo "$PROG: $*" >&2; exit 2; }
int_arg() { [[ $2 =~ ^[0-9]{1,4}$ ]] || bad "$1 $2: not a non-negative integer"; }

while [ $# -gt 0 ]; do
	case $1 in
	-h | --help) usage; exit 0 ;;
	--host-calibrate) int_arg "$1" "${2-}"; HOST_CAL=$2; shift 2 ;;
	--noise) [ -r "${2-}" ] || bad "--noise ${2-}: not readable"; NOISE_FILE=$2; HOST_CAL=0; shift 2 ;;
	--host-pairs) int_arg "$1" "${2-}"; HOST_PAIRS=$2; shift 2 ;;
	--host-power) int_arg "$1" "${2-}"; HOST_POWER=$2; shift 2 ;;
	--guest-pairs) int_arg "$1" "${2-}"; GUEST_PAIRS=$2; shift 2 ;;
	--guest-power) int_arg "$1" "${2-}"; GUEST_POWER=$2; shift 2 ;;
	--rounds) int_arg "$1" "${2-}"; ROUNDS=$2; shift 2 ;;
	--host-config) [ -r "${2-}" ] || bad "--host-config ${2-}: not readable"; HOST_CONFIG=$2; shift 2 ;;
	--guest-config) [ -r "${2-}" ] || bad "--guest-config ${2-}: not readable"; GUEST_CONFIG=$2; shift 2 ;;
	--guest-kernel) [ -n "${2-}" ] || bad "--guest-kernel needs a spec"; GUEST_KERNEL=$2; shift 2 ;;
	--slow-append) [ -n "${2-}" ] || bad "--slow-append needs arguments"; SLOW_APPEND=$2; shift 2 ;;
	--exact-base) [ -d "${2-}" ] || bad "--exact-base ${2-}: not a directory"; EXACT_BASE=$2; shift 2 ;;
	--exact-test) [ -d "${2-}" ] || bad "--exact-test ${2-}: not a directory"; EXACT_TEST=$2; shift 2 ;;
	--out) [ -n "${2-}" ] || bad "--out needs a directory"; OUT=$2; shift 2 ;;
	*) bad "unknown argument $1 (see --help)" ;;
	esac
done
[ "$(id -u)" -eq 0 ] || bad "needs root (BPF)"
OUT=${OUT:-$ROOT/results/validate-$(date -u +%Y%m%dT%H%M%SZ)}
mkdir -p "$OUT" || bad "$OUT: cannot create"
BIN=$ROOT/build/rmapbench
make -C "$ROOT" -s all >/dev/null && make -C "$ROOT" -s STATIC=1 all >/dev/null ||
	{ echo "$PROG: build failed" >&2; exit 3; }

RESULTS=$OUT/results.tsv
: >"$RESULTS"
# every line carries the load average: timing claims hold only for the load they ran under
log() { printf '[%s load %s] %s\n' "$(date -u +%T)" "$(cut -d' ' -f1-3 /proc/loadavg)" "$*" >&2; }

# report_of DIR: the one report.json run.sh wrote under DIR (newest)
report_of() { ls -t "$1"/*/report.json 2>/dev/null | head -n1; }

# host_run DIR [load]: one host suite of $ROUNDS rounds; with "load", one
# busy loop per core runs beside it for its whole duration.
host_run() {
	local dir=$1 load=${2-} pids=() i rc
	if [ "$load" = load ]; then
		for ((i = 0; i < $(nproc); i++)); do
			taskset -c "$i" bash -c 'while :; do :; done' &
			pids+=($!)
		done
	fi
	# RMAPBENCH_HOST_LOCK: a lock file shared with other users of the machine
	# (the suite changes swap, zram and memory cgroups), held for the whole run.
	if [ -n "${RMAPBENCH_HOST_LOCK:-}" ]; then
		flock "$RMAPBENCH_HOST_LOCK" "$ROOT/run.sh" --config "$HOST_CONFIG" --rounds "$ROUNDS" \
			--out "$dir" >"$dir.log" 2>&1
	else
		"$ROOT/run.sh" --config "$HOST_CONFIG" --rounds "$ROUNDS" --out "$dir" >"$dir.log" 2>&1
	fi
	rc=$?
	[ ${#pids[@]} -eq 0 ] || kill "${pids[@]}" 2>/dev/null
	wait "${pids[@]}" 2>/dev/null
	return $rc
}

# judge NAME BASE TEST EXPECT [compare options]: compare, record exit code and expectation
judge() {
	local name=$1 base=$2 test=$3 expect=$4 rc
	shift 4
	"$BIN" compare "$base" "$test" "$@" --out "$OUT/$name.cmp" --no-graphs >"$OUT/$name.cmp.txt" 2>&1
	rc=$?
	printf '%s\t%s\t%s\n' "$name" "$expect" "$rc" >>"$RESULTS"
	log "$name: compare exit $rc (want $expect)"
}

# failed_run NAME LOG: a run that failed is a row of its own (exit 3 in the
# table), not the end of the validation: the other pairs still count.
failed_run() {
	printf '%s-run\t0\t3\n' "$1" >>"$RESULTS"
	log "$1: a run failed, see $2"
}

# median_ratio BASE TEST: median over headline timed metrics of test/base medians
median_ratio() {
	python3 "$ROOT/scripts/report-ratio.py" "$1" "$2" 2>/dev/null || echo n/a
}

NOISE=()
[ -z "$NOISE_FILE" ] || NOISE=(--noise "$NOISE_FILE")
if [ "$HOST_PAIRS" -gt 0 ] && [ "$HOST_CAL" -gt 0 ]; then
	for ((p = 1; p <= HOST_CAL; p++)); do
		log "host calibration run $p/$HOST_CAL"
		host_run "$OUT/cal-$p" || { failed_run "host-cal-$p" "$OUT/cal-$p.log"; continue; }
	done
	"$BIN" calibrate "$OUT"/cal-*/*/report.json -o "$OUT/noise.json" >"$OUT/noise.txt" 2>&1 &&
		NOISE=(--noise "$OUT/noise.json") || log "calibration failed (see $OUT/noise.txt): pairs judged without"
fi

for ((p = 1; p <= HOST_PAIRS; p++)); do
	d=$OUT/host-$p
	mkdir -p "$d"
	log "host pair $p/$HOST_PAIRS: A"
	host_run "$d/a" || { failed_run "host-$p" "$d/a.log"; continue; }
	log "host pair $p/$HOST_PAIRS: B"
	host_run "$d/b" || { failed_run "host-$p" "$d/b.log"; continue; }
	a=$(report_of "$d/a") b=$(report_of "$d/b")
	judge "host-aa-$p" "$a" "$b" 0 "${NOISE[@]}"
	[ ${#NOISE[@]} -eq 0 ] || judge "nocal-host-aa-$p" "$a" "$b" 0
	[ "$p" -le "$HOST_POWER" ] || continue
	log "host pair $p/$HOST_PAIRS: B under load"
	host_run "$d/l" load || { failed_run "host-$p" "$d/l.log"; continue; }
	l=$(report_of "$d/l")
	judge "host-power-$p" "$a" "$l" 1 "${NOISE[@]}"
	[ ${#NOISE[@]} -eq 0 ] || judge "nocal-host-pwr-$p" "$a" "$l" 1
	echo "host-power-$p slowdown $(median_ratio "$a" "$l")" >>"$OUT/slowdowns.txt"
done

for ((p = 1; p <= GUEST_PAIRS; p++)); do
	d=$OUT/guest-$p
	mkdir -p "$d"
	log "guest A/A $p/$GUEST_PAIRS"
	"$ROOT/run.sh" --kernel "a=$GUEST_KERNEL" --kernel "b=$GUEST_KERNEL" --accel tcg \
		--config "$GUEST_CONFIG" --rounds "$ROUNDS" --out "$d/aa" >"$d/aa.log" 2>&1
	printf 'guest-aa-%s\t0\t%s\n' "$p" "$?" >>"$RESULTS"
	[ "$p" -le "$GUEST_POWER" ] || continue
	log "guest power $p/$GUEST_PAIRS ($SLOW_APPEND)"
	"$ROOT/run.sh" --kernel "a=$GUEST_KERNEL" --kernel "b=$GUEST_KERNEL" \
		--append-to b "$SLOW_APPEND" --accel tcg \
		--config "$GUEST_CONFIG" --rounds "$ROUNDS" --out "$d/power" >"$d/power.log" 2>&1
	printf 'guest-power-%s\t1\t%s\n' "$p" "$?" >>"$RESULTS"
done

if [ -n "$EXACT_BASE" ] && [ -n "$EXACT_TEST" ]; then
	log "exact change: $EXACT_BASE vs $EXACT_TEST"
	"$ROOT/run.sh" --kernel "base=$EXACT_BASE" --kernel "test=$EXACT_TEST" --accel tcg \
		--config "$GUEST_CONFIG" --out "$OUT/exact" >"$OUT/exact.log" 2>&1
	printf 'exact-change\t1\t%s\n' "$?" >>"$RESULTS"
fi

# table: per part, runs, as expected
awk -F'\t' '
	{ part = $1; sub(/-[0-9]+$/, "", part); n[part]++; if ($2 == $3) ok[part]++
	  if ($3 != 0 && $3 != 1) err[part]++ }
	END { printf "%-14s %5s %12s %7s\n", "part", "runs", "as expected", "errors"
	      for (p in n) printf "%-14s %5d %12d %7d\n", p, n[p], ok[p], err[p] }' "$RESULTS"
[ -s "$OUT/slowdowns.txt" ] && cat "$OUT/slowdowns.txt"
echo "details: $OUT"
# The claims (docs/compare.md): A/A at most 1 pair in 20 (host) or 10 (guest)
# called a regression, slowdowns caught in at least 9 of 10, an exact change always.
awk -F'\t' '
	{ part = $1; sub(/-[0-9]+$/, "", part); n[part]++; if ($3 == 1) reg[part]++ }
	END {
		for (p in n) {
			if (p ~ /^(host|guest)-aa$/ && reg[p] > (n[p] >= 20 ? 1 : n[p] / 10)) { print "FAILED: " p; bad = 1 }
			if (p ~ /^(host|guest)-power$|exact/ && reg[p] < 0.9 * n[p]) { print "FAILED: " p; bad = 1 }
		}
		exit bad
	}' "$RESULTS"
