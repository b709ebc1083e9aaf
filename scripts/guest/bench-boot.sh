#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# bench-boot.sh [--kernel SPEC]... [--runs N] [--config FILE] [-- RUN.SH-ARGS...]
#
# Boot-to-report benchmark of the guest runner: runs ./run.sh --kernel SPEC
# --accel tcg N times per kernel (default debian:6.1 and debian:6.12, 3 runs,
# configs/quick.conf) and prints where the time goes, medians over the runs:
#   run.sh   whole ./run.sh (fetch check, initramfs, QEMU, checks)
#   boot     QEMU start -> guest init running (host wall clock)
#   suite    rmapbench run inside the guest (guest uptime)
#   send     report over the serial port (guest uptime)
#   qemu     QEMU start -> QEMU exit (host wall clock)
# from each result's guest.txt. Needs build/static/rmapbench.
set -euo pipefail

ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/../.." && pwd)
kernels=() runs=3 config=$ROOT/configs/quick.conf extra=()
while [ $# -gt 0 ]; do
	case $1 in
	--kernel) kernels+=("$2"); shift 2 ;;
	--runs) runs=$2; shift 2 ;;
	--config) config=$2; shift 2 ;;
	--) shift; extra=("$@"); break ;;
	-h | --help) sed -n '4,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "bench-boot.sh: unknown argument $1" >&2; exit 2 ;;
	esac
done
[[ $runs =~ ^[1-9][0-9]?$ ]] || { echo "bench-boot.sh: --runs $runs: 1 to 99" >&2; exit 2; }
[ ${#kernels[@]} -gt 0 ] || kernels=(debian:6.1 debian:6.12)

out=$(mktemp -d "${TMPDIR:-/tmp}/rmapbench-bench.XXXXXX")
trap 'rm -rf -- "$out"' EXIT

median() { sort -n | awk '{a[NR] = $1} END {if (NR == 0) print "-"; else if (NR % 2) print a[(NR + 1) / 2]; else printf "%.2f\n", (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
field() { sed -n "s/^$2=//p" "$1"; }
gtime() { field "$1" guest_times | tr ' ' '\n' | sed -n "s/^$2=//p"; }

printf '%-34s %5s %8s %7s %7s %7s %7s\n' kernel runs run.sh boot suite send qemu
for k in "${kernels[@]}"; do
	: >"$out/times"
	for ((i = 1; i <= runs; i++)); do
		t0=$(date +%s.%N)
		rc=0
		RMAPBENCH_NO_BUILD=1 "$ROOT/run.sh" --kernel "$k" --accel tcg --config "$config" \
			--out "$out/r" ${extra[@]+"${extra[@]}"} >"$out/log" 2>&1 || rc=$?
		if [ "$rc" -ne 0 ]; then
			echo "bench-boot.sh: run.sh --kernel $k exited $rc:" >&2
			tail -n 20 "$out/log" >&2
			[ "$rc" -eq 2 ] || [ "$rc" -ge 128 ] || rc=3
			exit "$rc"
		fi
		t1=$(date +%s.%N)
		g=$(dirname -- "$(sed -n 's/^report: //p' "$out/log" | tail -n 1)")/guest.txt
		rel=$(field "$g" release)
		printf '%s %s %s %s %s\n' \
			"$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.2f", b - a}')" \
			"$(field "$g" wall_init_s)" \
			"$(awk -v a="$(gtime "$g" suite)" -v b="$(gtime "$g" "done")" 'BEGIN {printf "%.2f", b - a}')" \
			"$(awk -v a="$(gtime "$g" "done")" -v b="$(gtime "$g" sent)" 'BEGIN {printf "%.2f", b - a}')" \
			"$(field "$g" wall_exit_s)" >>"$out/times"
	done
	printf '%-34s %5s' "$rel" "$runs"
	for c in 1 2 3 4 5; do
		printf ' %7s' "$(cut -d' ' -f"$c" "$out/times" | median)"
	done
	printf '\n'
done
