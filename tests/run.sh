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
# The scripts run in lanes (README.md, Testing), each lane one test at a time:
#   solo   first, alone: the tests that look at the whole machine (foreign
#          rmapbench processes, global slab counters, a timed A/A verdict);
#   then two lanes side by side:
#   host   the tests that run workloads on this host or change its state;
#   guest  the QEMU/TCG boots (one host core each, no host state touched);
#   and when its own tests are done, each of the two takes the next shared
#   test (canned reports only, or tools/: no machine state), longest first.
# TEST_LANES=1 runs all scripts in one lane, in the order solo, host, shared,
# guest. A test's line is printed when it ends: name, the lane that ran it,
# result; a failing test's output follows its line.
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

# lane_of SCRIPT: solo, host, guest or shared (see the top). A new test is a
# host test unless named here.
lane_of() {
	case ${1#tests/} in
	integration/kill_test.sh | integration/concurrent.sh | integration/reclaim_killed*.sh | \
		integration/timeout.sh | integration/compare_real_host.sh | integration/slabinfo_delta.sh)
		echo solo ;;
	guest/*.sh | integration/compare_real_guest.sh) echo guest ;;
	tools/*.sh | integration/bisect_logic.sh | integration/calibrate_cli.sh | \
		integration/ci_matrix.sh | integration/compare_absent.sh | integration/compare_cli.sh | \
		integration/compare_graphs.sh | integration/compare_machines.sh | \
		integration/export_cli.sh | integration/export_formats.sh | integration/merge_cli.sh | \
		integration/help_all.sh)
		echo shared ;;
	*) echo host ;;
	esac
}
# The shared tests, longest first (times of a loaded 2-core machine; a test
# not listed goes last): each free lane takes the next one.
SHARED_ORDER='tools/asan_unit.sh integration/bisect_logic.sh tools/fuzz_short.sh
integration/compare_cli.sh tools/valgrind_compare.sh integration/calibrate_cli.sh
integration/merge_cli.sh integration/compare_graphs.sh integration/compare_machines.sh
integration/compare_absent.sh integration/export_formats.sh integration/ci_matrix.sh
integration/export_cli.sh'

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

# next_shared: prints the next test of the shared queue and takes it off
next_shared() {
	{
		flock 8 || return 1
		head -n 1 "$log/shared"
		sed -i 1d "$log/shared"
	} 8>"$log/shared.lock"
}

# run_lane LANE SCRIPT...: one after the other, then shared tests until
# none is left; the lane's time at the end
run_lane() {
	local lane=$1 start=$SECONDS t n=0
	shift
	for t in "$@"; do run_test "$t" "$lane"; n=$((n + 1)); done
	while [ "$lane" != solo ] && t=$(next_shared) && [ -n "$t" ]; do
		run_test "$t" "$lane"
		n=$((n + 1))
	done
	echo "$lane $((n > 0 ? SECONDS - start : 0)) $n" >>"$log/lanes"
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

solo=() guest=() host=() shared=()
for t in tests/integration/*.sh tests/tools/*.sh tests/guest/*.sh; do
	[ -f "$t" ] || continue
	[ "$(basename "$t")" = lib.sh ] && continue
	want "$t" || continue
	case $(lane_of "$t") in
	solo) solo+=("$t") ;;
	guest) [ "$t" = tests/integration/compare_real_guest.sh ] || guest+=("$t") ;;
	shared) shared+=("$t") ;;
	*) host+=("$t") ;;
	esac
done
# after tests/guest/debian_6_12.sh, whose first boot's report it reuses
want tests/integration/compare_real_guest.sh && guest+=(tests/integration/compare_real_guest.sh)
: >"$log/results"
: >"$log/lanes"
: >"$log/shared"
# the shared queue: SHARED_ORDER's order, then the rest
for o in $SHARED_ORDER; do
	for t in ${shared[@]+"${shared[@]}"}; do [ "$t" != "tests/$o" ] || echo "$t"; done
done >"$log/shared"
for t in ${shared[@]+"${shared[@]}"}; do grep -qxF -- "$t" "$log/shared" || echo "$t" >>"$log/shared"; done

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

if [ -s "$log/results" ]; then
	printf 'lanes:'
	while read -r lane secs n; do
		[ "$n" -eq 0 ] || printf ' %s %ds (%d),' "$lane" "$secs" "$n"
	done <"$log/lanes"
	printf ' wall %ds\n' "$((SECONDS - t0))"
fi
[ ${#failures[@]} -gt 0 ] && printf 'failed: %s\n' "${failures[*]}"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
