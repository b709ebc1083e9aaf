#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# AddressSanitizer + UndefinedBehaviorSanitizer (docs/reliability.md): builds
# build/asan/ (`make asan`: rmapbench and the unit tests with
# -fsanitize=address,undefined), runs every unit test, then a few quick
# commands of the ASan rmapbench: list, compare of the sample reports, bad
# input, and (as root, with BPF) a one-repetition run. Any sanitizer report,
# leak included, fails. `make check-asan` runs this, then every host
# integration test against build/asan/rmapbench.
# shellcheck source-path=SCRIPTDIR source=../integration/lib.sh
. "$(dirname "$0")/../integration/lib.sh"

printf 'int main(void) { return 0; }\n' >"$TMP/t.c"
if ! ${CC:-gcc} -fsanitize=address,undefined -o "$TMP/t" "$TMP/t.c" 2>/dev/null || ! "$TMP/t"; then
	skip "${CC:-gcc} cannot build with -fsanitize=address,undefined (libasan/libubsan missing)"
fi
[ -z "${RMAPBENCH_CHECK_ASAN:-}" ] || skip "make check-asan ran it before the integration tests"

make -C "$ROOT" --no-print-directory -s asan >"$TMP/build.log" 2>&1 ||
	fail "make asan: $(tail -n 20 "$TMP/build.log")"

# fast_unwind_on_malloc=0: whole stacks through libjansson, for lsan.supp
export ASAN_OPTIONS=detect_leaks=1:fast_unwind_on_malloc=0:strict_string_checks=1:detect_stack_use_after_return=1:check_initialization_order=1
export LSAN_OPTIONS=suppressions=$ROOT/tests/fuzz/lsan.supp:print_suppressions=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
# sanitizer reports name this; a failing cmocka test does not
sanitizer() { grep -qE '^==[0-9]+==ERROR|^SUMMARY: (Address|Leak|UndefinedBehavior)Sanitizer|runtime error:' "$1"; }

cases=0 bins=0
for t in "$ROOT"/build/asan/tests/test_*; do
	[ -x "$t" ] || continue
	name=$(basename "$t")
	set +e
	(cd "$ROOT" && "$t") >"$TMP/$name.log" 2>&1
	rc=$?
	set -e
	if [ "$rc" -ne 0 ] || sanitizer "$TMP/$name.log"; then
		tail -n 60 "$TMP/$name.log"
		fail "$name under ASan/UBSan: exit $rc"
	fi
	p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$TMP/$name.log" | tail -n1)
	cases=$((cases + ${p:-0}))
	bins=$((bins + 1))
done
[ "$bins" -gt 0 ] || fail "no unit test binaries in build/asan/tests"
echo "unit tests under ASan+UBSan: $bins binaries, $cases cases passed"

ASAN_RMB=$ROOT/build/asan/rmapbench
# asan EXPECTED_RCS WHAT CMD...
asan() {
	local rcs=$1 what=$2 rc
	shift 2
	set +e
	"$@" >"$TMP/out" 2>"$TMP/err"
	rc=$?
	set -e
	if sanitizer "$TMP/err"; then
		head -n 60 "$TMP/err"
		fail "$what: sanitizer report"
	fi
	[[ " $rcs " == *" $rc "* ]] || fail "$what: exit $rc, expected one of $rcs: $(tail -n 5 "$TMP/err")"
	echo "$what: exit $rc, clean"
}
DATA=$ROOT/tests/data
asan "0" "list" "$ASAN_RMB" list --json
asan "1" "compare" "$ASAN_RMB" compare "$DATA/report-base.json" "$DATA/report-test.json" \
	"$DATA/report-tcg.json" --out "$TMP/cmp" --no-graphs
asan "2" "compare (not JSON)" "$ASAN_RMB" compare "$DATA/report-base.json" /dev/null --out "$TMP/c2"
asan "2" "run (bad config)" "$ASAN_RMB" run --config /dev/zero
if [ "$(id -u)" -eq 0 ]; then
	asan "0" "run mremap-multi (BPF)" "$ASAN_RMB" run --workload mremap-multi --reps 1 --json "$TMP/r.json"
	py "$TMP/r.json" 'r["workloads"][0]["status"]'
fi
