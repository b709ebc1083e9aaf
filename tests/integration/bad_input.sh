# Bad input gets one clear error naming it, exit 2, and no half-written report.
. "$(dirname "$0")/lib.sh"

expect2() {
	local what=$1 needle=$2; shift 2
	set +e
	"$@" >"$TMP/out" 2>"$TMP/err"
	local rc=$?
	set -e
	[ "$rc" -eq 2 ] || fail "$what: exit $rc, expected 2"
	grep -q -- "$needle" "$TMP/err" || fail "$what: error does not name '$needle': $(cat "$TMP/err")"
	[ "$(wc -l <"$TMP/err")" -le 2 ] || fail "$what: more than one error line: $(cat "$TMP/err")"
}

expect2 "unknown command" "frobnicate" "$RMB" frobnicate
expect2 "unknown workload" "no-such-wl" "$RMB" run --workload no-such-wl --json "$TMP/r.json"
expect2 "unknown parameter" "bogus" "$RMB" run --workload fork-chain --set fork-chain.bogus=1
expect2 "out of range" "depth" "$RMB" run --workload fork-chain --set fork-chain.depth=100000
expect2 "not a number" "12x" "$RMB" run --reps 12x
expect2 "unreadable config" "$TMP/missing.conf" "$RMB" run --config "$TMP/missing.conf"
printf '[run]\nreps = 3\n[fork-chain]\nbogus = 1\n' >"$TMP/bad.conf"
expect2 "bad config key" "bad.conf:4" "$RMB" run --config "$TMP/bad.conf"
printf '[run]\nreps = 3\n[no-such]\nx = 1\n' >"$TMP/bad2.conf"
expect2 "bad config section" "no-such" "$RMB" run --config "$TMP/bad2.conf"
printf '[run\nreps = 3\n' >"$TMP/bad3.conf"
expect2 "config syntax" "bad3.conf:1" "$RMB" run --config "$TMP/bad3.conf"
expect2 "unwritable output" "/nonexistent-dir/r.json" "$RMB" run --workload mremap-multi --reps 1 --json /nonexistent-dir/r.json
[ ! -e "$TMP/r.json" ] || fail "a report was written despite the error"
ln -s /etc/passwd "$TMP/link.json"
expect2 "symlink output" "symlink" "$RMB" run --workload mremap-multi --reps 1 --json "$TMP/link.json"
expect2 "too many processes" "max_procs" "$RMB" run --workload fork-tree --set fork-tree.fanout=16 --set fork-tree.depth=3
printf '[run]\nmem_pct = 1\n[fork-chain]\nregions = 4096\npages = 64\n' >"$TMP/mem.conf"
expect2 "memory guard" "mem_pct" "$RMB" run --config "$TMP/mem.conf" --workload fork-chain
expect2 "stat without command" "no command" "$RMB" stat
ls "$TMP"/.rmapbench.* >/dev/null 2>&1 && fail "temporary files left behind"
echo "all bad inputs rejected with exit 2"
