#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Hostile input (docs/reliability.md). First the inputs fuzzing and review
# found mishandled, each now one clear error and exit 2; then a short
# libFuzzer run of every harness in tests/fuzz/ (FUZZ_SECONDS each,
# default 20, two at a time): no crash, leak, UBSan report or timeout.
# shellcheck source-path=SCRIPTDIR source=../integration/lib.sh
. "$(dirname "$0")/../integration/lib.sh"

# rc2 WHAT NEEDLE CMD...: exit 2 within 20 s, one error line naming NEEDLE
rc2() {
	local what=$1 needle=$2 rc
	shift 2
	set +e
	timeout 20 "$@" >"$TMP/out" 2>"$TMP/err" </dev/null
	rc=$?
	set -e
	[ "$rc" -eq 2 ] || fail "$what: exit $rc, expected 2: $(head -c 300 "$TMP/err")"
	grep -q -- "$needle" "$TMP/err" || fail "$what: error does not say '$needle': $(head -c 300 "$TMP/err")"
	[ "$(wc -l <"$TMP/err")" -eq 1 ] || fail "$what: not one error line: $(head -c 300 "$TMP/err")"
}
DATA=$ROOT/tests/data
# libinih read /dev/zero forever
rc2 "config /dev/zero" "larger than" "$RMB" run --config /dev/zero
rc2 "compare --config /dev/zero" "larger than" "$RMB" compare --config /dev/zero \
	"$DATA/report-base.json" "$DATA/report-test.json" --out "$TMP/c"
# libinih split long lines: the tail of a long comment was parsed as a key
{
	printf '[run]\n; %s' "$(printf 'x%.0s' $(seq 197))"
	printf 'reps = 1000\n'
} >"$TMP/long.conf"
rc2 "long comment line" "long.conf:2: line longer than" "$RMB" run --config "$TMP/long.conf"
printf '[compare]\nalpha = 0.01 ; %s\n' "$(printf 'y%.0s' $(seq 200))" >"$TMP/long2.conf"
rc2 "long [compare] line" "long2.conf:2" "$RMB" compare --config "$TMP/long2.conf" \
	"$DATA/report-base.json" "$DATA/report-test.json" --out "$TMP/c"
# ... and stopped at a NUL byte, ignoring the rest of the file
printf '[run]\nreps = 2\0\n[fork-chain]\nbogus = 1\n' >"$TMP/nul.conf"
rc2 "NUL byte" "NUL" "$RMB" run --config "$TMP/nul.conf"
# a directory read as an empty config
rc2 "config is a directory" "Is a directory" "$RMB" run --config "$TMP"
# --set copied into 256 bytes: "vmas=00…03junk" was cut to 3 and accepted
long_value=$(printf '0%.0s' $(seq 236))3junk
rc2 "--set cut at 256 bytes" "3junk" "$RMB" run --workload mremap-multi --no-probes \
	--set "mremap-multi.vmas=$long_value" --json "$TMP/r.json"
[ ! -e "$TMP/r.json" ] || fail "a report was written despite the error"
echo "hostile inputs: all refused with exit 2"

[ -z "${RMAPBENCH_CHECK_ASAN:-}" ] || skip "fuzzing runs in make test, not again under check-asan"
command -v "${CLANG:-clang}" >/dev/null || skip "clang not installed: no fuzzing"
printf '#include <stdint.h>\n#include <stddef.h>\nint LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { return 0; }\n' \
	>"$TMP/t.c"
"${CLANG:-clang}" -fsanitize=fuzzer,address,undefined -o "$TMP/t" "$TMP/t.c" 2>/dev/null ||
	skip "clang cannot link -fsanitize=fuzzer (apt-get install libclang-rt-14-dev)"

set +e
FUZZ_JOBS=${FUZZ_JOBS:-2} "$ROOT/scripts/fuzz.sh" "${FUZZ_SECONDS:-20}" >"$TMP/fuzz.log" 2>"$TMP/fuzz.err"
rc=$?
set -e
cat "$TMP/fuzz.log"
[ "$rc" -ne 2 ] || fail "scripts/fuzz.sh could not build or run: $(tail -n 20 "$TMP/fuzz.err")"
[ "$rc" -eq 0 ] || fail "fuzzing found a crash (artifacts in build/fuzz/artifacts/)"
