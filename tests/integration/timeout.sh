# A repetition running past rep_timeout_s is killed with its whole process tree,
# marked failed in a complete report, and the run exits 3.
. "$(dirname "$0")/lib.sh"
need_root
printf '[run]\nrep_timeout_s = 1\n[fork-chain]\nregions = 4096\npages = 64\ndepth = 64\n' >"$TMP/t.conf"
start=$SECONDS
set +e
"$RMB" run --config "$TMP/t.conf" --workload fork-chain --reps 1 --json "$TMP/r.json" 2>"$TMP/err"
rc=$?
set -e
[ "$rc" -eq 3 ] || fail "exit $rc, expected 3: $(cat "$TMP/err")"
[ $((SECONDS - start)) -le 10 ] || fail "took $((SECONDS - start)) s for a 1 s timeout"
reason=$(py "$TMP/r.json" "r['workloads'][0]['reps'][0]['reason']")
[ "$reason" = "repetition timeout (rep_timeout_s)" ] || fail "reason: $reason"
sleep 1
left=$(pgrep -fc -- "__workload fork-chain" || true)
[ "$left" -eq 0 ] || fail "$left workload processes left"
echo "timed-out repetition killed in $((SECONDS - start)) s, nothing left"
