#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# run.sh refuses bad input before building or booting anything: exit 2, one
# error line naming the input, nothing written to the output directory.
set -uo pipefail
ROOT=$(cd -- "$(dirname -- "$0")/../.." && pwd)
T=$(mktemp -d "${TMPDIR:-/tmp}/rmapbench-args.XXXXXX")
trap 'rm -rf -- "$T"' EXIT
export RMAPBENCH_NO_BUILD=1
fails=0

printf 'not a kernel\n' >"$T/notakernel"
mkdir -p "$T/tree" "$T/out"
printf 'x\n' >"$T/afile"

# expect NAME NEEDLE ARGS...: run.sh ARGS exits 2 and its stderr names NEEDLE.
expect() {
	local name=$1 needle=$2 rc=0
	shift 2
	"$ROOT/run.sh" "$@" >"$T/stdout" 2>"$T/stderr" </dev/null || rc=$?
	if [ "$rc" -ne 2 ]; then
		echo "FAIL $name: exit $rc, expected 2 (run.sh $*)"; sed 's/^/  | /' "$T/stderr"
		fails=$((fails + 1))
	elif ! grep -qF -- "$needle" "$T/stderr"; then
		echo "FAIL $name: the error does not name '$needle': $(cat "$T/stderr")"
		fails=$((fails + 1))
	elif [ "$(wc -l <"$T/stderr")" -ne 1 ]; then
		echo "FAIL $name: more than one line: $(cat "$T/stderr")"
		fails=$((fails + 1))
	elif [ -n "$(ls -A "$T/out")" ]; then
		echo "FAIL $name: wrote into the output directory: $(ls -A "$T/out")"
		fails=$((fails + 1))
	else
		echo "ok   $name: $(cat "$T/stderr")"
	fi
}

o=(--out "$T/out")
expect reps-zero "--reps '0'" --reps 0 "${o[@]}"
expect reps-text "--reps 'abc'" --reps abc "${o[@]}"
expect reps-missing "--reps" "${o[@]}" --reps
expect mem-small "--mem 12" --mem 12 "${o[@]}"
expect cpus-zero "--cpus 0" --cpus 0 "${o[@]}"
expect timeout-neg "--timeout -5" --timeout -5 "${o[@]}"
expect accel "--accel warp" --accel warp "${o[@]}"
expect tcg-clock "--tcg-clock sundial" --tcg-clock sundial "${o[@]}"
expect unknown-opt "--frobnicate" --frobnicate "${o[@]}"
expect config-missing "$T/nope.conf" --config "$T/nope.conf" "${o[@]}"
expect workload-syntax "--workload fork chain" --workload "fork chain" "${o[@]}"
expect set-syntax "--set nodot" --set nodot "${o[@]}"
expect kernel-missing "$T/no/bzImage" --kernel "$T/no/bzImage" "${o[@]}"
expect kernel-notbz "$T/notakernel" --kernel "$T/notakernel" "${o[@]}"
expect kernel-tree "$T/tree" --kernel "$T/tree" "${o[@]}"
expect kernel-debian "debian:six" --kernel debian:six "${o[@]}"
expect out-file "$T/afile" --out "$T/afile"
# checked by the runner (rmapbench run --check) before any download or boot:
# RMAPBENCH_CACHE stays empty, so nothing was fetched
export RMAPBENCH_CACHE=$T/cache
mkdir -p "$RMAPBENCH_CACHE"
t0=$SECONDS
expect set-typo-guest "forks" --kernel debian:6.12 --set fork-chain.forks=6 "${o[@]}"
expect set-range-guest "fork-chain.depth" --kernel debian:6.1 --set fork-chain.depth=100000 "${o[@]}"
expect workload-unknown "fork-chian" --kernel debian:6.12 --workload fork-chian "${o[@]}"
expect reps-limit "--reps '1000000'" --kernel debian:6.12 --reps 1000000 "${o[@]}"
expect rounds-zero "--rounds '0'" --kernel debian:6.12 --rounds 0 "${o[@]}"
expect rounds-text "--rounds x" --rounds x "${o[@]}"
expect label-twice "label a given twice" --kernel a=debian:6.12 --kernel a=debian:6.1 "${o[@]}"
expect label-syntax "a label is" --kernel "=debian:6.12" "${o[@]}"
expect append-host "--append" --append "init_on_free=1" "${o[@]}"
if [ -n "$(ls -A "$RMAPBENCH_CACHE")" ] || [ $((SECONDS - t0)) -gt 20 ]; then
	echo "FAIL checked-early: the cache has $(ls -A "$RMAPBENCH_CACHE" | wc -l) entries after $((SECONDS - t0)) s"
	fails=$((fails + 1))
fi
expect compare-one "two reports" compare "$T/afile"
expect compare-missing "$T/none.json" compare "$T/afile" "$T/none.json"

rc=0
"$ROOT/run.sh" --help >"$T/help" 2>&1 || rc=$?
if [ "$rc" -ne 0 ] || ! grep -q -- '--kernel SPEC' "$T/help"; then
	echo "FAIL help: exit $rc"
	fails=$((fails + 1))
fi
if [ "$fails" -ne 0 ]; then
	echo "FAIL run_sh_args: $fails case(s)"
	exit 1
fi
echo "PASS run_sh_args"
