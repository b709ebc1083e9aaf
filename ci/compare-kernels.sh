#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# ci/compare-kernels.sh: the CI verdict on a kernel change. Runs the suite on
# a base and a test kernel, ROUNDS times each, interleaved (./run.sh
# --kernel base=BASE --kernel test=TEST --rounds N), compares them
# (build/rmapbench compare, with the [compare] settings of --config),
# prints summary.md, appends it to $GITHUB_STEP_SUMMARY when that is set and
# exits with the verdict. docs/compare.md explains the output and the settings.
#
#   ci/compare-kernels.sh BASE TEST [--rounds N] [--config FILE] [--reps N]
#                         [--out DIR] [--accel auto|kvm|tcg] [-- MORE RUN.SH ARGS]
#   ci/compare-kernels.sh debian:6.1 debian:6.12 --config configs/quick.conf
#
# BASE, TEST: host | path to a bzImage | kernel build tree | debian:X.Y
# (see ./run.sh --help). Two build trees of the same source, before and
# after a patch, are the usual CI case; both then boot under the same
# accelerator, so timed metrics are judged, not only exact ones.
#
# --rounds N: boots (or host runs) per kernel, default 3: the unit compare
# judges timed metrics by (docs/compare.md, "Recommended settings").
#
# Exit: 0 no regression, 1 regression in a gated metric (or a workload that
# failed on TEST only), 2 bad input or compare error, 3 a kernel's run, build
# or download failed, 128+N interrupted by signal N. The comparison directory
# is printed as "comparison: DIR" and, on GitHub Actions, exported as the step
# output comparison_dir.
set -euo pipefail

ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)
PROG=ci/compare-kernels.sh

usage() { sed -n '3,/^set -e/{/^#/p}' "$0" | sed 's/^# \{0,1\}//'; }
die() { echo "$PROG: $*" >&2; exit 2; }

[ $# -ge 1 ] && { [ "$1" = -h ] || [ "$1" = --help ]; } && { usage; exit 0; }
[ $# -ge 2 ] || { usage >&2; exit 2; }
base=$1 test=$2
shift 2
config='' out='' rounds=3 run_args=()
while [ $# -gt 0 ]; do
	case $1 in
	--config) [ $# -ge 2 ] || die "--config needs a file"; config=$2; shift 2 ;;
	--out) [ $# -ge 2 ] || die "--out needs a directory"; out=$2; shift 2 ;;
	--rounds) [ $# -ge 2 ] || die "--rounds needs a value"; rounds=$2; shift 2 ;;
	--reps | --accel) [ $# -ge 2 ] || die "$1 needs a value"; run_args+=("$1" "$2"); shift 2 ;;
	--) shift; run_args+=("$@"); break ;;
	*) die "unknown argument $1 (see --help)" ;;
	esac
done
[ -z "$config" ] || [ -r "$config" ] || die "$config: no such readable config file"
out=${out:-$ROOT/results/ci-$(date -u +%Y%m%dT%H%M%SZ)}
mkdir -p "$out" || die "$out: cannot create"
log=$out/run.log

# summarize TEXT-FILE: to stdout and the GitHub job summary
summarize() {
	cat "$1"
	if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
		cat "$1" >>"$GITHUB_STEP_SUMMARY" || echo "$PROG: cannot append to \$GITHUB_STEP_SUMMARY" >&2
	fi
}

# fail_summary RC WHAT: a summary for runs that produced no comparison
fail_summary() {
	{
		echo "# rmapbench comparison: ERROR (exit $1)"
		echo
		echo "$2: \`$base\` vs \`$test\`. Last lines of the run log:"
		echo
		echo '```'
		tail -n 30 "$log"
		echo '```'
	} >"$out/summary.md"
	summarize "$out/summary.md"
	exit "$1"
}

cfg_args=()
[ -z "$config" ] || cfg_args=(--config "$config")
rc=0
"$ROOT/run.sh" --kernel "base=$base" --kernel "test=$test" --rounds "$rounds" --out "$out" \
	${cfg_args[@]+"${cfg_args[@]}"} ${run_args[@]+"${run_args[@]}"} 2>&1 | tee "$log" ||
	rc=${PIPESTATUS[0]}
case $rc in
0 | 1) ;;
2) fail_summary 2 "run.sh rejected its input" ;;
12[89] | 1[3-9][0-9] | 2[0-5][0-9]) fail_summary "$rc" "interrupted (run.sh exit $rc)" ;;
*) fail_summary 3 "a kernel's run failed (run.sh exit $rc)" ;;
esac

mapfile -t reports < <(sed -n 's/^report: //p' "$log")
[ ${#reports[@]} -eq 2 ] || fail_summary 2 "expected two reports from run.sh, got ${#reports[@]}"

# Compared again here so the [compare] section of --config applies.
cmp=$out/comparison
crc=0
"$ROOT/build/rmapbench" compare "${reports[0]}" "${reports[1]}" --out "$cmp" \
	${cfg_args[@]+"${cfg_args[@]}"} >"$out/compare.txt" 2>"$out/compare.err" || crc=$?
cat "$out/compare.txt"
if [ "$crc" -gt 1 ] || [ ! -s "$cmp/summary.md" ]; then
	cat "$out/compare.err" >>"$log"
	fail_summary 2 "rmapbench compare failed (exit $crc)"
fi
summarize "$cmp/summary.md"
echo "comparison: $cmp"
if [ -n "${GITHUB_OUTPUT:-}" ]; then
	echo "comparison_dir=$cmp" >>"$GITHUB_OUTPUT"
fi
exit "$crc"
