#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Exact means exact, on real runs: every workload with N repetitions (default
# 20) on the host (in --boots separate runs) and in Debian 6.1 and 6.12 guests
# under TCG (--boots separate boots each), then scripts/check-exact.py asserts,
# per kernel, config and workload, one value for every metric of kind "exact"
# over all repetitions of all runs, and no repetition marked inexact.
# Host runs of the machine-state workloads (reclaim, migrate, thp, ksm) take
# turns with other runs on rmapbench's own /run/rmapbench/state.lock.
#
# usage: scripts/validate-exact.sh [--reps N] [--boots N] [--config quick|default|FILE]...
#                                  [--kernel host|debian:6.1|debian:6.12]... [--out DIR]
# examples:
#   scripts/validate-exact.sh                         # all: quick and default configs
#   scripts/validate-exact.sh --kernel host --reps 5
#   scripts/validate-exact.sh --kernel debian:6.12 --config quick --boots 2
# Exit: 0 one value each, 1 an exact metric varies (or a repetition is
# inexact), 2 bad usage, 3 a run failed.
set -u
cd "$(dirname "$0")/.." || exit 2

reps=20 boots=3 out= configs=() kernels=()
usage() { sed -n 's/^# \{0,1\}//; /^usage:/,/^set -u/p' "$0" | sed '$d'; }
while [ $# -gt 0 ]; do
	case $1 in
	--reps) reps=${2:?}; shift ;;
	--boots) boots=${2:?}; shift ;;
	--config) configs+=("${2:?}"); shift ;;
	--kernel) kernels+=("${2:?}"); shift ;;
	--out) out=${2:?}; shift ;;
	-h|--help) usage; exit 0 ;;
	*) echo "validate-exact: unknown argument '$1' (see --help)" >&2; exit 2 ;;
	esac
	shift
done
[[ $reps =~ ^[1-9][0-9]*$ && $boots =~ ^[1-9][0-9]*$ ]] ||
	{ echo "validate-exact: --reps and --boots take a positive number" >&2; exit 2; }
[ ${#configs[@]} -gt 0 ] || configs=(quick default)
[ ${#kernels[@]} -gt 0 ] || kernels=(host debian:6.1 debian:6.12)
out=${out:-results/validate-exact-$(date -u +%Y%m%dT%H%M%SZ)}
mkdir -p "$out" || exit 2
make -s -j2 all >/dev/null && make -s -j2 STATIC=1 all >/dev/null ||
	{ echo "validate-exact: build failed" >&2; exit 3; }

plain=fork-chain,fork-tree,mremap-frag,mremap-multi
status=0
summary=()
for cfg in "${configs[@]}"; do
	case $cfg in
	quick|default) cfile=configs/$cfg.conf ;;
	*) cfile=$cfg ;;
	esac
	[ -f "$cfile" ] || { echo "validate-exact: no config $cfile" >&2; exit 2; }
	name=$(basename "$cfile" .conf)
	for k in "${kernels[@]}"; do
		dir=$out/${k//:/-}-$name
		mkdir -p "$dir"
		start=$SECONDS
		for b in $(seq "$boots"); do
			echo "validate-exact: $k, $name config, run $b/$boots, $reps repetitions" >&2
			if [ "$k" = host ]; then
				build/rmapbench run --config "$cfile" --workload "$plain" --reps "$reps" \
					--json "$dir/plain-$b.json" 2>"$dir/plain-$b.log" ||
					{ echo "validate-exact: host run $b failed (see $dir/plain-$b.log)" >&2; status=3; }
				if [ "$name" != quick ]; then
					build/rmapbench run --config "$cfile" \
						--workload reclaim,migrate,thp,ksm --reps "$reps" \
						--json "$dir/state-$b.json" 2>"$dir/state-$b.log" ||
						{ echo "validate-exact: host run $b (state) failed (see $dir/state-$b.log)" >&2; status=3; }
				fi
			else
				./run.sh --kernel "$k" --accel tcg --config "$cfile" --reps "$reps" \
					--timeout 7200 --out "$dir/boot-$b" >"$dir/boot-$b.log" 2>&1 ||
					{ echo "validate-exact: $k boot $b failed (see $dir/boot-$b.log)" >&2; status=3; }
			fi
		done
		secs=$((SECONDS - start))
		mapfile -t reports < <(find "$dir" -name '*.json' -size +0 | sort)
		if [ ${#reports[@]} -eq 0 ]; then
			summary+=("$k $name: no report")
			status=3
			continue
		fi
		if python3 scripts/check-exact.py --min-reps "$((reps * boots))" "${reports[@]}" \
			>"$dir/check.txt"; then
			:
		else
			[ $status -eq 0 ] && status=1
		fi
		grep -v '^ok ' "$dir/check.txt" | tail -n 20 >&2
		summary+=("$k $name: $boots runs x $reps reps in ${secs}s: $(tail -n1 "$dir/check.txt")")
	done
done
printf '%s\n' "${summary[@]}"
echo "validate-exact: results in $out"
exit $status
