#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# ci/gather-compare.sh: the final step of a kernels x machines matrix
# (ci/matrix-workflow.yml). Gathers DIR/<kernel>/<machine>/report.json,
# compares them all in one `rmapbench compare` (base: the first machine's
# report of --base KERNEL; every other report is a test report), prints
# summary.md (and appends it to $GITHUB_STEP_SUMMARY), exports JUnit XML and
# KCIDB JSON for every report and exits with the verdict. Compare groups the
# reports by machine fingerprint: exact metrics are compared against the base
# on every machine, timed ones against the base kernel's report on the same
# machine (the base kernel's reports come first).
#
#   ci/gather-compare.sh DIR --base KERNEL [--out OUT] [--config FILE]
#                        [--origin NAME] [--expect N]
#
# --expect N: the matrix had N jobs; fewer reports means a run failed.
# OUT (default DIR/../comparison) gets comparison/ (summary.md,
# comparison.json, index.html), junit/<kernel>--<machine>.xml,
# kcidb/<kernel>--<machine>.json and missing.txt.
# Exit: 0 no regression, 1 regression in a gated metric, 2 bad input or
# compare/export error, 3 a matrix job produced no report (the others are
# still compared and exported).
set -euo pipefail

ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)
PROG=ci/gather-compare.sh
RMB=${RMAPBENCH:-$ROOT/build/rmapbench}

usage() { sed -n '14,15p' "$0" | sed 's/^# \{0,1\}//'; }
die() { echo "$PROG: $*" >&2; exit 2; }

[ $# -ge 1 ] && { [ "$1" = -h ] || [ "$1" = --help ]; } && { sed -n '4,23p' "$0" | sed 's/^# \{0,1\}//'; exit 0; }
[ $# -ge 1 ] || { usage >&2; exit 2; }
dir=$1
shift
base='' out='' config='' origin=rmapbench expect=''
while [ $# -gt 0 ]; do
	case $1 in
	--base | --out | --config | --origin | --expect)
		[ $# -ge 2 ] || die "$1 needs a value"
		case $1 in
		--base) base=$2 ;; --out) out=$2 ;; --config) config=$2 ;;
		--origin) origin=$2 ;; --expect) expect=$2 ;;
		esac
		shift 2 ;;
	*) die "unknown argument $1 (see --help)" ;;
	esac
done
[ -d "$dir" ] || die "$dir: no such directory"
[ -n "$base" ] || die "--base KERNEL is required (a directory name under $dir)"
[ -z "$expect" ] || [[ $expect =~ ^[0-9]+$ ]] || die "--expect $expect: not a number"
[ -z "$config" ] || [ -r "$config" ] || die "$config: no such readable config file"
[ -x "$RMB" ] || die "$RMB: not built (make)"
out=${out:-$dir/../comparison}
mkdir -p "$out/junit" "$out/kcidb" || die "$out: cannot create"

# reports, base first: DIR/<kernel>/<machine>/report.json
mapfile -t bases < <(find "$dir/$base" -mindepth 2 -maxdepth 2 -name report.json 2>/dev/null | LC_ALL=C sort)
mapfile -t others < <(find "$dir" -mindepth 3 -maxdepth 3 -name report.json | LC_ALL=C sort |
	grep -v -F -x -f <(printf '%s\n' "${bases[@]+"${bases[@]}"}" "/nonexistent") || true)
[ ${#bases[@]} -ge 1 ] || die "no report of the base kernel: $dir/$base/<machine>/report.json"
reports=("${bases[@]}" "${others[@]+"${others[@]}"}")
[ ${#reports[@]} -ge 2 ] || die "only one report under $dir: nothing to compare"

summarize() {
	cat "$1"
	if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
		cat "$1" >>"$GITHUB_STEP_SUMMARY" || echo "$PROG: cannot append to \$GITHUB_STEP_SUMMARY" >&2
	fi
}

: >"$out/missing.txt"
missing=0
if [ -n "$expect" ] && [ ${#reports[@]} -lt "$expect" ]; then
	missing=$((expect - ${#reports[@]}))
	echo "$missing of $expect matrix jobs produced no report (see their logs)" >"$out/missing.txt"
fi
echo "$PROG: ${#reports[@]} reports, base ${reports[0]#"$dir"/}" >&2

cfg=()
[ -z "$config" ] || cfg=(--config "$config")
crc=0
"$RMB" compare "${reports[@]}" --out "$out/comparison" --no-graphs ${cfg[@]+"${cfg[@]}"} \
	>"$out/compare.txt" 2>"$out/compare.err" || crc=$?
if [ "$crc" -gt 1 ] || [ ! -s "$out/comparison/summary.md" ]; then
	cat "$out/compare.err" >&2
	die "rmapbench compare failed (exit $crc)"
fi
[ "$missing" -eq 0 ] || { echo; echo "**$(cat "$out/missing.txt")**"; } >>"$out/comparison/summary.md"
summarize "$out/comparison/summary.md"

for r in "${reports[@]}"; do
	rel=${r#"$dir"/}
	name=${rel%/report.json}
	name=${name//\//--}
	"$RMB" export --format junit "$r" --comparison "$out/comparison/comparison.json" \
		-o "$out/junit/$name.xml" || die "JUnit export of $r failed"
	"$RMB" export --format kcidb --origin "$origin" "$r" \
		--comparison "$out/comparison/comparison.json" -o "$out/kcidb/$name.json" ||
		die "KCIDB export of $r failed"
done
echo "comparison: $out/comparison"
if [ -n "${GITHUB_OUTPUT:-}" ]; then
	echo "comparison_dir=$out/comparison" >>"$GITHUB_OUTPUT"
fi
[ "$missing" -eq 0 ] || exit 3
exit "$crc"
