#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Soak: does the main path ever flake? Runs, and counts failed repetitions of
# (in this order on the host; the guests meanwhile),
#   - each workload that changes machine state (reclaim, ksm, migrate, thp)
#     alone, R repetitions each;
#   - the kill test (tests/integration/kill_test.sh) with T trials;
#   - the default suite on the host, N times (./run.sh);
#   - the default suite in each Debian guest (debian:6.1, debian:6.12, TCG),
#     M times each (in parallel with the host part: guests change nothing here).
# Prints a table (also DIR/soak.md) and exits 3 when anything failed.
set -uo pipefail

usage() {
	cat <<'EOF'
usage: scripts/soak.sh [--host N] [--guest M] [--state-reps R] [--kill-trials T]
                       [--out DIR] [-v]

  --host N         default suites on the host (default 30)
  --guest M        default suites in each of debian:6.1 and debian:6.12 (default 5;
                   0 = no guests)
  --state-reps R   repetitions of reclaim, ksm, migrate, thp each, alone (default 50)
  --kill-trials T  kill_test.sh trials (default 20; 0 = skip)
  --out DIR        reports and logs (default results/soak-<UTC time>)
  -v               print each run's log as it ends

Host runs are wrapped in `flock $RB_HOST_LOCK` when that is set (machines
shared by several people running machine-state workloads).

examples:
  scripts/soak.sh                                   # the full soak (about 1 hour)
  scripts/soak.sh --host 3 --guest 1 --state-reps 10 --kill-trials 2
  RB_HOST_LOCK=/tmp/rb-host-state.lock make soak

exit status: 0 every run and repetition ok, 2 bad usage, 3 anything failed
EOF
}

ROOT=$(cd "$(dirname "$0")/.." && pwd)
RMB=$ROOT/build/rmapbench
HOST=30 GUEST=5 STATE=50 KILLS=20 OUT='' VERBOSE=0
num() { [[ ${2:-} =~ ^[0-9]{1,6}$ ]] || { echo "soak.sh: $1 needs a number, got '${2:-}'" >&2; exit 2; }; }
while [ $# -gt 0 ]; do
	case $1 in
	--host) num "$1" "${2:-}"; HOST=$2; shift 2 ;;
	--guest) num "$1" "${2:-}"; GUEST=$2; shift 2 ;;
	--state-reps) num "$1" "${2:-}"; STATE=$2; shift 2 ;;
	--kill-trials) num "$1" "${2:-}"; KILLS=$2; shift 2 ;;
	--out) [ $# -ge 2 ] || { echo "soak.sh: --out needs a directory" >&2; exit 2; }; OUT=$2; shift 2 ;;
	-v) VERBOSE=1; shift ;;
	-h | --help) usage; exit 0 ;;
	*) echo "soak.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
	esac
done
OUT=${OUT:-$ROOT/results/soak-$(date -u +%Y%m%dT%H%M%SZ)}
mkdir -p "$OUT" || exit 2
ROWS=$OUT/rows.tsv
: >"$ROWS"

host_lock() { if [ -n "${RB_HOST_LOCK:-}" ]; then flock "$RB_HOST_LOCK" "$@"; else "$@"; fi; }

# reps REPORT → "ok total reasons" of every repetition in the report
reps() {
	python3 - "$1" <<'PY'
import json, sys
try:
    r = json.load(open(sys.argv[1]))
except Exception as e:
    print(0, 0, "no report"); sys.exit()
ok = tot = 0; why = []
for w in r.get("workloads", []):
    if w.get("status") == "unavailable":
        continue
    for x in w.get("reps", []):
        tot += 1
        if x.get("status") == "ok":
            ok += 1
        else:
            why.append("%s rep %s: %s" % (w["name"], x.get("rep"), x.get("reason")))
print(ok, tot, "; ".join(why).replace("\t", " ") or "-")
PY
}

# row SECTION I RC REPORT LOG: one line of rows.tsv
row() {
	local counts
	counts=$(reps "$4")
	read -r ok tot why <<<"$counts"
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$ok" "$tot" "$(date -u +%H:%M:%S)" "$why" >>"$ROWS"
	[ "$VERBOSE" = 0 ] || cat "$5"
	echo "soak: $1 #$2: exit $3, $ok/$tot repetitions ok" >&2
}

suite() {	# suite SECTION I [run.sh args...]
	local sec=$1 i=$2 dir=$OUT/$1-$2 rc=0
	shift 2
	mkdir -p "$dir"
	if [ "$sec" = host ]; then
		host_lock "$ROOT/run.sh" --out "$dir" "$@" >"$dir/log" 2>&1 || rc=$?
	else
		"$ROOT/run.sh" --out "$dir" "$@" >"$dir/log" 2>&1 || rc=$?
	fi
	row "$sec" "$i" "$rc" "$(find "$dir" -name report.json | head -n1)" "$dir/log"
}

echo "soak: started $(date -u +%FT%TZ), uptime $(cut -d' ' -f1 /proc/uptime) s, kernel $(uname -r)" | tee "$OUT/started"

guests() {
	for k in debian:6.1 debian:6.12; do
		for i in $(seq 1 "$GUEST"); do
			suite "guest-${k#debian:}" "$i" --kernel "$k" --accel tcg
		done
	done
}
[ "$GUEST" -eq 0 ] || { guests & }
gpid=$!

for w in reclaim ksm migrate thp; do
	[ "$STATE" -gt 0 ] || break
	dir=$OUT/state-$w
	mkdir -p "$dir"
	rc=0
	host_lock "$RMB" run --config "$ROOT/configs/default.conf" --workload "$w" --reps "$STATE" \
		--interval 0 --json "$dir/report.json" >"$dir/log" 2>&1 || rc=$?
	row "state-$w" 1 "$rc" "$dir/report.json" "$dir/log"
done
if [ "$KILLS" -gt 0 ]; then
	rc=0
	KILL_TRIALS=$KILLS host_lock bash "$ROOT/tests/integration/kill_test.sh" >"$OUT/kill.log" 2>&1 || rc=$?
	left=$(sed -n 's/.*leftovers after the next run: \([0-9]*\).*/\1/p' "$OUT/kill.log" | tail -n1)
	printf 'kill\t1\t%s\t%s\t%s\t%s\t%s\n' "$rc" "$((KILLS - ${left:-$KILLS}))" "$KILLS" \
		"$(date -u +%H:%M:%S)" "$(tail -n1 "$OUT/kill.log" | tr '\t' ' ')" >>"$ROWS"
fi
for i in $(seq 1 "$HOST"); do
	suite host "$i"
done
[ "$GUEST" -eq 0 ] || wait "$gpid"

python3 - "$ROWS" "$OUT/soak.md" <<'PY'
import sys, collections
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1]) if l.strip()]
g = collections.OrderedDict()
for sec, i, rc, ok, tot, t, why in rows:
    s = g.setdefault(sec, dict(runs=0, clean=0, ok=0, tot=0, why=[]))
    s["runs"] += 1
    s["clean"] += rc == "0" and ok == tot and tot != "0"
    s["ok"] += int(ok); s["tot"] += int(tot)
    if why != "-" and (rc != "0" or ok != tot):
        s["why"].append(why)
out = ["| part | runs | runs with every repetition ok (exit 0) | repetitions ok | failures |",
       "|---|---|---|---|---|"]
for sec, s in g.items():
    unit = "trials without leftovers" if sec == "kill" else ""
    out.append("| %s | %d | %d of %d | %d of %d %s | %s |" % (
        sec, s["runs"], s["clean"], s["runs"], s["ok"], s["tot"], unit,
        "; ".join(s["why"])[:300] or "none"))
open(sys.argv[2], "w").write("\n".join(out) + "\n")
print("\n".join(out))
PY
echo "soak: ended $(date -u +%FT%TZ); reports and logs in $OUT"
awk -F'\t' '$3 != 0 || $4 != $5 { bad = 1 } END { exit bad ? 3 : 0 }' "$ROWS"
