#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Runs the libFuzzer harnesses (tests/fuzz/fuzz_*.c, built by `make fuzz`)
# for SECONDS each (default 60) and prints, per target, the executions, the
# coverage reached and the crashes found (docs/reliability.md).
#
#   scripts/fuzz.sh                 # 60 s per target
#   scripts/fuzz.sh 600 report      # 10 min, one target
#   scripts/fuzz.sh 20 config run_args
#
# The corpus of each target grows in build/fuzz/corpus/<target> across runs;
# it is seeded from tests/fuzz/seeds/<target>, configs/*.conf (INI targets)
# and tests/data/*.json (report). A crash, leak or timeout leaves its input
# in build/fuzz/artifacts/ and makes the script exit 3; reproduce it with
# build/fuzz/fuzz_<target> <file>. Exit 2: cannot build or run (no clang or
# libFuzzer). Environment: FUZZ_JOBS=N runs N targets at once (default 1),
# FUZZ_SKIP_BUILD=1 uses the binaries as they are. A target stopped by a
# signal is "interrupted" (exit 130), not a crash. Exit 0: no crash.
set -euo pipefail
case ${1:-} in -h | --help)
	sed -n '3,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'
	exit 0 ;;
esac
cd "$(dirname "$0")/.."

secs=${1:-60}
shift || true
case $secs in
'' | *[!0-9]*)
	echo "usage: scripts/fuzz.sh [SECONDS] [TARGET...]" >&2
	exit 2
	;;
esac
jobs=${FUZZ_JOBS:-1}

out=build/fuzz
if [ "${FUZZ_SKIP_BUILD:-0}" != 1 ]; then
	make --no-print-directory -s fuzz >&2 || {
		echo "fuzz.sh: make fuzz failed (needs clang and libclang-rt-14-dev)" >&2
		exit 2
	}
fi

all=()
for src in tests/fuzz/fuzz_*.c; do
	t=$(basename "$src" .c)
	all+=("${t#fuzz_}")
done
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=("${all[@]}")
for t in "${targets[@]}"; do
	[ -x "$out/fuzz_$t" ] || {
		echo "fuzz.sh: no target '$t' (have: ${all[*]})" >&2
		exit 2
	}
done

dict_of() {
	case $1 in
	config | cmp_config) echo tests/fuzz/dict/ini.dict ;;
	config_set | run_args) echo tests/fuzz/dict/args.dict ;;
	report) echo tests/fuzz/dict/json.dict ;;
	esac
}

# Seeds that live elsewhere in the tree, copied so they stay current.
extra_seeds() {
	local t=$1 dir=$out/seeds/$1 f
	rm -rf "$dir"
	mkdir -p "$dir"
	case $t in
	config | cmp_config)
		cp configs/*.conf "$dir/"
		;;
	report)
		for f in tests/data/*.json; do
			cp "$f" "$dir/"
		done
		# base and test in one input, as the harness splits them
		for f in tests/data/report-test.json tests/data/report-tcg.json; do
			[ -f "$f" ] || continue
			{
				cat tests/data/report-base.json
				printf '\n#--- test\n'
				cat "$f"
			} >"$dir/pair-$(basename "$f")"
		done
		;;
	esac
	echo "$dir"
}

run_one() {
	local t=$1 corpus=$out/corpus/$1 log=$out/logs/$1.log extra
	local dict
	dict=$(dict_of "$t")
	mkdir -p "$corpus" "$out/artifacts" "$out/logs"
	extra=$(extra_seeds "$t")
	rm -f "$out/artifacts/$t-"*.new
	# -close_fd_mask=3: the product's error lines would drown the log;
	# libFuzzer keeps its own output and sanitizer reports on a dup of stderr
	set +e
	"$out/fuzz_$t" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
		-print_final_stats=1 -close_fd_mask=3 ${dict:+-dict="$dict"} \
		-artifact_prefix="$out/artifacts/$t-" \
		"$corpus" "tests/fuzz/seeds/$t" "$extra" >"$log" 2>&1
	echo $? >"$out/logs/$t.rc"
	set -e
}

start=$(date +%s)
pids=()
for t in "${targets[@]}"; do
	run_one "$t" &
	pids+=($!)
	if [ ${#pids[@]} -ge "$jobs" ]; then
		wait "${pids[0]}"
		pids=("${pids[@]:1}")
	fi
done
for p in "${pids[@]}"; do
	wait "$p"
done

crashes=0 interrupted=0
printf '%-11s %10s %8s %6s %6s %8s  %s\n' target executions exec/s cov corpus crashes result
for t in "${targets[@]}"; do
	log=$out/logs/$t.log
	rc=$(cat "$out/logs/$t.rc")
	execs=$(sed -n 's/^stat::number_of_executed_units: //p' "$log" | tail -n1)
	rate=$(sed -n 's/^stat::average_exec_per_sec: //p' "$log" | tail -n1)
	cov=$(grep -E '^#[0-9]+' "$log" | tail -n1 | sed -n 's/.* cov: \([0-9]*\).*/\1/p')
	corp=$(find "$out/corpus/$t" -type f | wc -l)
	artifact=$(sed -n 's/^artifact_prefix=.*Test unit written to \(.*\)$/\1/p' "$log" | tail -n1)
	if [ "$rc" -eq 0 ]; then
		n=0 result=ok
	elif [ "$rc" -eq 72 ] && grep -q "run interrupted" "$log"; then
		# libFuzzer's exit code when it was stopped by a signal: not a crash
		n=0 result="interrupted"
		interrupted=$((interrupted + 1))
	else
		n=1 result="rc $rc: ${artifact:-see $log}"
		crashes=$((crashes + 1))
	fi
	printf '%-11s %10s %8s %6s %6s %8s  %s\n' "$t" "${execs:-?}" "${rate:-?}" "${cov:-?}" \
		"$corp" "$n" "$result"
done
echo "fuzz.sh: ${#targets[@]} target(s), ${secs}s each, $(($(date +%s) - start))s in all, $crashes crash(es), $interrupted interrupted; logs in $out/logs/"
if [ "$crashes" -gt 0 ]; then
	for t in "${targets[@]}"; do
		case $(cat "$out/logs/$t.rc") in 0) continue ;; 72) grep -q "run interrupted" "$out/logs/$t.log" && continue ;; esac
		echo "--- $t:"
		grep -E -A25 '^==[0-9]+==ERROR|runtime error|invariant failed|deadly signal|ERROR: libFuzzer' \
			"$out/logs/$t.log" | head -n 40
	done
	exit 3
fi
if [ "$interrupted" -gt 0 ]; then
	echo "fuzz.sh: interrupted: the runs above stopped early" >&2
	exit 130
fi
