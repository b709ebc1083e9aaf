#!/usr/bin/env bash
# Runs every test: cmocka unit binaries (build/tests/test_*), then
# tests/integration/*.sh (the product on this host), tests/tools/*.sh
# (tooling checks: ASan, valgrind, a short fuzz) and tests/guest/*.sh
# (QEMU). `make check-tools` runs tests/tools/ alone. A script passes with exit 0,
# is skipped with exit 77 (its last output line says why), fails otherwise.
# TESTS="pattern" runs only matching tests; SKIP_TESTS="pattern..." leaves
# out the tests matching any of its space-separated patterns (on a machine
# shared with other runs: SKIP_TESTS="kill_test concurrent reclaim_killed");
# V=1 shows every test's output.
#
# The scripts run in three lanes (README.md, Testing):
#   solo   tests that look at the whole machine (foreign rmapbench processes,
#          global slab counters, a timed A/A verdict): one at a time, first,
#          with nothing else of this run beside them;
#   then two lanes side by side, each one test at a time:
#   guest  QEMU/TCG boots (one host core each, no host state touched);
#   host   everything else.
# TEST_LANES=1 runs all scripts in one lane, in the order above.
# A test's line is printed when it ends: name, lane, result; a failing test's
# output follows its line.
set -u
cd "$(dirname "$0")/.." || exit 2

pattern=${TESTS:-}
log=$(mktemp -d /tmp/rmapbench-tests.XXXXXX)
bg=''
cleanup() {
	# the guest lane runs in its own process group: end it with this run
	[ -z "$bg" ] || { kill -TERM -- "-$bg" 2>/dev/null; wait "$bg" 2>/dev/null; }
	rm -rf "$log"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

want() {
	local p skip
	read -ra skip <<<"${SKIP_TESTS:-}"
	for p in ${skip[@]+"${skip[@]}"}; do [[ $1 != *$p* ]] || return 1; done
	[ -z "$pattern" ] || [[ $1 == *$pattern* ]]
}

# A version manager's shim in front of python3 (pyenv, asdf: a shell script
# that looks up the version on every call) costs 0.1-2 s per call, and the
# tests call python3 hundreds of times: the interpreter the shim picks, put
# first in PATH. The same python3 runs, without the look-up.
py=$(python3 -c 'import sys; print(sys.executable)' 2>/dev/null) || py=''
if [ -n "$py" ] && [ -x "$py" ] && [ "$(command -v python3)" != "$py" ]; then
	mkdir -p "$log/bin" && ln -s "$py" "$log/bin/python3" && PATH=$log/bin:$PATH
fi
# debian_suite (tests/guest/lib.sh) leaves its first boot's report here for
# tests/integration/compare_real_guest.sh, which then needs no boot of its own
export RMAPBENCH_TEST_SHARE=$log/share
mkdir -p "$RMAPBENCH_TEST_SHARE"

# lane_of SCRIPT: solo, guest or host (see the top)
lane_of() {
	case $1 in
	tests/integration/kill_test.sh | tests/integration/concurrent.sh | \
		tests/integration/reclaim_killed*.sh | tests/integration/timeout.sh | \
		tests/integration/compare_real_host.sh | tests/integration/slabinfo_delta.sh)
		echo solo ;;
	tests/guest/*.sh | tests/integration/compare_real_guest.sh) echo guest ;;
	*) echo host ;;
	esac
}

# say TEXT...: prints whole, never interleaved with the other lane's output
say() { { flock 9 && cat; } 9>"$log/print.lock"; }

# run_test SCRIPT LANE: runs it, prints its line (and its output when it
# failed, or with V=1), records "RESULT NAME SECONDS" in $log/results
run_test() {
	local t=$1 lane=$2 name out start secs rc
	name=${t#tests/}
	out=$log/out.${name//\//_}
	start=$SECONDS
	if bash "$t" >"$out" 2>&1 </dev/null; then rc=0; else rc=$?; fi
	secs=$((SECONDS - start))
	case $rc in
	0)
		echo "pass $name $secs" >>"$log/results"
		{
			printf '%-40s %-6s ok (%ds)\n' "$name" "$lane" "$secs"
			[ "${V:-0}" != 1 ] || cat "$out"
		} | say
		;;
	77)
		echo "skip $name $secs" >>"$log/results"
		printf '%-40s %-6s skipped: %s\n' "$name" "$lane" "$(tail -n1 "$out")" | say
		;;
	*)
		echo "fail $name $secs" >>"$log/results"
		{
			printf '%-40s %-6s FAIL (exit %d, %ds)\n' "$name" "$lane" "$rc" "$secs"
			sed 's/^/    | /' "$out" | tail -n 60
		} | say
		;;
	esac
	rm -f "$out"
}

# run_lane LANE SCRIPT...: one after the other; the lane's time at the end
run_lane() {
	local lane=$1 start=$SECONDS t
	shift
	for t in "$@"; do run_test "$t" "$lane"; done
	echo "$lane $(($# > 0 ? SECONDS - start : 0)) $#" >>"$log/lanes"
}

passed=0 failed=0 skipped=0
failures=()
t0=$SECONDS

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
	printf '%-40s %-6s %s\n' "$name" unit "$([ "$rc" -eq 0 ] && echo "ok (${p:-0} cases)" || echo FAIL)"
done

solo=() guest=() host=()
for t in tests/integration/*.sh tests/tools/*.sh tests/guest/*.sh; do
	[ -f "$t" ] || continue
	[ "$(basename "$t")" = lib.sh ] && continue
	want "$t" || continue
	case $(lane_of "$t") in
	solo) solo+=("$t") ;;
	guest) [ "$t" = tests/integration/compare_real_guest.sh ] || guest+=("$t") ;;
	*) host+=("$t") ;;
	esac
done
# after tests/guest/debian_6_12.sh, whose first boot's report it reuses
want tests/integration/compare_real_guest.sh && guest+=(tests/integration/compare_real_guest.sh)
: >"$log/results"
: >"$log/lanes"

run_lane solo ${solo[@]+"${solo[@]}"}
if [ "${TEST_LANES:-2}" = 1 ]; then
	run_lane host ${host[@]+"${host[@]}"}
	run_lane guest ${guest[@]+"${guest[@]}"}
else
	# the guest lane in its own process group (set -m), so that an
	# interrupted run ends its QEMU boots too
	set -m
	run_lane guest ${guest[@]+"${guest[@]}"} &
	bg=$!
	set +m
	run_lane host ${host[@]+"${host[@]}"}
	wait "$bg"
	bg=''
fi

while read -r res name _; do
	case $res in
	pass) passed=$((passed + 1)) ;;
	skip) skipped=$((skipped + 1)) ;;
	*) failed=$((failed + 1)); failures+=("$name") ;;
	esac
done <"$log/results"

if [ ${#solo[@]} -gt 0 ] || [ ${#host[@]} -gt 0 ] || [ ${#guest[@]} -gt 0 ]; then
	printf 'lanes:'
	while read -r lane secs n; do
		[ "$n" -eq 0 ] || printf ' %s %ds (%d),' "$lane" "$secs" "$n"
	done <"$log/lanes"
	printf ' wall %ds\n' "$((SECONDS - t0))"
fi
[ ${#failures[@]} -gt 0 ] && printf 'failed: %s\n' "${failures[*]}"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
