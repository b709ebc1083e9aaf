#!/usr/bin/env bash
# Runs every test: cmocka unit binaries (build/tests/test_*), then
# tests/integration/*.sh (the product on this host), tests/tools/*.sh
# (tooling checks: ASan, valgrind, a short fuzz) and tests/guest/*.sh
# (QEMU). `make check-tools` runs tests/tools/ alone. A script passes with exit 0,
# is skipped with exit 77 (its last output line says why), fails otherwise.
# TESTS="pattern" runs only matching tests; V=1 shows every test's output.
set -u
cd "$(dirname "$0")/.." || exit 2

passed=0 failed=0 skipped=0
failures=()
pattern=${TESTS:-}
log=$(mktemp -d /tmp/rmapbench-tests.XXXXXX)
trap 'rm -rf "$log"' EXIT

want() { [ -z "$pattern" ] || [[ $1 == *$pattern* ]]; }

for t in build/tests/test_*; do
	[ -x "$t" ] || continue
	want "$t" || continue
	name=$(basename "$t")
	if "$t" >"$log/$name" 2>&1; then rc=0; else rc=$?; fi
	p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$log/$name" | tail -n1)
	f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$log/$name" | tail -n1)
	passed=$((passed + ${p:-0}))
	failed=$((failed + ${f:-0}))
	if [ "$rc" -ne 0 ] && [ -z "$f" ]; then failed=$((failed + 1)); fi
	if [ "$rc" -ne 0 ]; then
		failures+=("$name")
		cat "$log/$name"
	elif [ "${V:-0}" = 1 ]; then
		cat "$log/$name"
	fi
	printf '%-40s %s\n' "$name" "$([ "$rc" -eq 0 ] && echo "ok (${p:-0} cases)" || echo FAIL)"
done

for t in tests/integration/*.sh tests/tools/*.sh tests/guest/*.sh; do
	[ -f "$t" ] || continue
	[ "$(basename "$t")" = lib.sh ] && continue
	want "$t" || continue
	name=${t#tests/}
	start=$SECONDS
	if bash "$t" >"$log/out" 2>&1; then rc=0; else rc=$?; fi
	secs=$((SECONDS - start))
	case $rc in
	0)
		passed=$((passed + 1))
		printf '%-40s ok (%ds)\n' "$name" "$secs"
		[ "${V:-0}" = 1 ] && cat "$log/out"
		;;
	77)
		skipped=$((skipped + 1))
		printf '%-40s skipped: %s\n' "$name" "$(tail -n1 "$log/out")"
		;;
	*)
		failed=$((failed + 1))
		failures+=("$name")
		printf '%-40s FAIL (exit %d, %ds)\n' "$name" "$rc" "$secs"
		sed 's/^/    | /' "$log/out" | tail -n 60
		;;
	esac
done

[ ${#failures[@]} -gt 0 ] && printf 'failed: %s\n' "${failures[*]}"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
