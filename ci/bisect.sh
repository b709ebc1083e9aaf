#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# ci/bisect.sh: finds the commit of a kernel git tree that changed one
# rmapbench metric (`git bisect run`). docs/bisect.md explains it.
set -euo pipefail

# The whole script is one compound command, parsed before it runs: editing
# bisect.sh while a bisect is under way cannot change what it does (the steps
# run a copy taken at the start, RB_BISECT_ROOT pointing back here).
{
ROOT=${RB_BISECT_ROOT:-$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)}
PROG=bisect.sh

usage() {
	cat <<'EOF'
usage: ci/bisect.sh TREE GOOD BAD --metric WORKLOAD/METRIC [--config FILE]
                    [--set W.P=V]... [--reps N] [--rounds N]
                    [--kernel-of-commit CMD] [--build-dir DIR] [--kconfig FRAGMENT]
                    [--jobs N] [--out DIR] [--accel auto|kvm|tcg] [--timeout S]
                    [--mem MB] [--cpus N] [-v]

Bisects the kernel git tree TREE between GOOD (an ancestor of BAD) and BAD for
the commit that changed WORKLOAD/METRIC: each step builds the checked-out
commit (incrementally, with configs/kernel.config merged into its .config),
boots it in QEMU with the suite inside (./run.sh --kernel), and judges the
metric against GOOD's value:

  exact metric (counts): one boot per step; bad = any other value than
      GOOD's. slab.CACHE.* of a cache the kernel does not have counts as 0
      ("absent"), so the commit that adds or removes a cache can be found.
  timed metric: --rounds N boots per step (N >= 2; 3 recommended), judged
      by `rmapbench compare GOOD STEP`: bad = the same verdict (regression,
      improvement or changed) compare gives BAD; unchanged = good.

GOOD and BAD are measured first (BAD must differ from GOOD). A step that
cannot be judged (build or boot failure, metric missing, not judged) is
skipped (`git bisect skip`, exit 125 of the step). Every step's build log,
run.sh log and report are kept in DIR/bisect-<UTC time>/ (default DIR:
results/), with result.json and summary.txt; the tree's HEAD is restored
(git bisect reset) at the end, on failure and on Ctrl-C.

  --metric W/M           the metric: workload name / metric name as in the
                         report (fork-chain/slab.anon_vma.allocs)
  --config FILE          suite config (default configs/default.conf); only
                         WORKLOAD runs, with that config's parameters
  --set W.P=V, --reps N  as for run.sh
  --rounds N             boots per step (default 1; timed metrics need >= 2)
  --kernel-of-commit CMD instead of building: CMD (run by bash in TREE, with
                         BISECT_COMMIT set) prints the kernel spec to boot for
                         the checked-out commit (debian:6.12, a bzImage, a
                         build tree); exit 125 from CMD skips the commit
  --build-dir DIR        build out of tree (make O=DIR); default in TREE
  --kconfig FRAGMENT     config fragment merged before each build (default
                         configs/kernel.config); TREE's (or DIR's) .config is
                         the base, `make defconfig` when there is none
  --jobs N               make -jN (default: nproc)
  --out DIR              where the bisect directory goes (default results/)
  --accel, --timeout, --mem, --cpus   passed to run.sh
  -v                     verbose: git bisect's, make's and run.sh's output

examples:
  ci/bisect.sh ~/linux v6.12 HEAD --metric fork-chain/slab.anon_vma.allocs \
      --config configs/quick.conf --reps 1
  ci/bisect.sh ~/linux good-tag bad-tag --metric reclaim/rmap.walk_anon.p50_ns \
      --rounds 3 --build-dir ~/build/bisect
  ci/bisect.sh /tmp/hist c1 c6 --metric fork-chain/slab.vma_lock.allocs \
      --config configs/quick.conf --kernel-of-commit 'cat KERNEL'

Prints "first bad commit: SHA SUBJECT" and "bisect: DIR" on stdout; progress
(step, commit, elapsed) on stderr.
Exit: 0 first bad commit found, 2 bad input (an option, TREE not a clean git
tree or already bisecting, GOOD not an ancestor of BAD, an unknown workload or
metric, BAD not different from GOOD), 3 a build, boot or run failed where it
could not be skipped (GOOD, BAD, or only skipped commits left), 128+N
interrupted by signal N (the tree is reset; the steps so far are kept in
DIR/bisect-<time>.interrupted/).
EOF
}

msg() { printf '%s: %s\n' "$PROG" "$*" >&2; }
vmsg() { if [ "${VERBOSE:-0}" -ne 0 ]; then msg "$@"; fi; }
bad() { msg "$*"; exit 2; }
die() { msg "$*"; exit 3; }
need_arg() { [ $# -ge 2 ] || bad "$1 needs a value (see --help)"; }
in_range() { [[ $1 =~ ^[0-9]{1,9}$ ]] && [ "$((10#$1))" -ge "$2" ] && [ "$((10#$1))" -le "$3" ]; }
git_t() { git -C "$TREE" "$@"; }
short() { printf '%s' "${1:0:12}"; }
subject() { git_t log -1 --format=%s "$1" 2>/dev/null | cut -c1-72; }

# metric_value REPORT: prints "STATUS<TAB>KIND<TAB>VALUE<TAB>NOTE" for
# METRIC_W/METRIC_M in REPORT. STATUS: ok, absent (a slab cache the kernel
# does not have: 0), missing (no such metric in an ok workload), none (no
# value: workload not ok, null value; NOTE says why).
metric_value() {
	python3 - "$1" "$METRIC_W" "$METRIC_M" <<'EOF'
import json, re, statistics, sys
path, wname, mname = sys.argv[1:]
r = json.load(open(path))
def out(status, kind="", value="", note=""):
    print(f"{status}\t{kind}\t{value}\t{note}".replace("\n", " "))
    sys.exit(0)
ws = [w for w in r.get("workloads", []) if w.get("name") == wname]
if not ws:
    out("none", note=f"workload {wname} not in the report")
w = ws[0]
if w.get("status") != "ok":
    out("none", note=f"workload {wname} {w.get('status')}: {w.get('reason')}")
vals, kind, reason, seen = [], "", None, False
for rep in w.get("reps", []):
    if rep.get("status", "ok") != "ok":
        continue
    m = rep.get("metrics", {}).get(mname)
    if m is None:
        continue
    seen = True
    kind = m.get("kind", kind)
    if m.get("value") is None:
        reason = m.get("reason")
    else:
        vals.append(m["value"])
if not seen:
    c = re.match(r"slab\.([A-Za-z0-9_]+)\.(allocs|frees|live|peak)$", mname)
    caches = (r.get("slab_accounting") or {}).get("caches") or {}
    if c and c.group(1) in caches and caches[c.group(1)].get("present") is False:
        out("absent", "exact", 0, f"no {c.group(1)} cache on this kernel: 0")
    names = sorted({k for rep in w.get("reps", []) for k in rep.get("metrics", {})})
    out("missing", note=", ".join(names[:40]) + (" ..." if len(names) > 40 else ""))
if not vals:
    out("none", kind, note=f"no value: {reason}")
v = statistics.median(vals)
note = "" if kind != "exact" or len(set(vals)) == 1 else f"repetitions disagree: {sorted(set(vals))}"
if float(v).is_integer():
    v = int(v)
out("ok", kind, v, note)
EOF
}

# compare_verdict GOOD-REPORT STEP-REPORT DIR: compare's verdict on the metric.
compare_verdict() {
	local rc=0
	"$ROOT/build/rmapbench" compare "$1" "$2" --json --no-graphs --out "$3" \
		${CONFIG:+--config "$CONFIG"} >"$3.json" 2>"$3.err" || rc=$?
	[ "$rc" -le 1 ] || { echo "error: compare exited $rc: $(head -c 300 "$3.err")"; return 0; }
	python3 - "$3.json" "$METRIC_W" "$METRIC_M" <<'EOF'
import json, sys
c = json.load(open(sys.argv[1]))
for w in c["tests"][0]["workloads"]:
    if w["name"] != sys.argv[2]:
        continue
    for m in w.get("metrics", []):
        if m["name"] == sys.argv[3]:
            ch = m.get("change_pct")
            print(m["verdict"], "" if ch is None else f"{ch:+.1f}%", m.get("reason") or "")
            sys.exit(0)
print("unavailable", "", "metric not compared")
EOF
}

# ============================================================================
# One measurement (run as a child: `bisect.sh --_step STATE ROLE`, by this
# script for GOOD and BAD and by `git bisect run` for the steps).
# step_main exits 10 good (ROLE good: measured), 11 bad, 125 skip, 255 abort
# with "CODE MESSAGE" in $WORK/abort (CODE: 2 bad input, 3 failure, 128+N);
# the caller turns 10 and 11 into git bisect's 0 and 1, and anything else (an
# unexpected error) into an abort, never into a "bad" verdict.
# ============================================================================

step_abort() {
	printf '%s %s\n' "$1" "$2" >"$WORK/abort"
	[ "$1" -ge 128 ] || msg "$2"
	exit 255
}

# step_build DIR: builds the checked-out commit; prints the spec on success.
step_build() {
	local dir=$1 bdir=${BUILD_DIR:-$TREE} o=()
	[ -z "$BUILD_DIR" ] || o=(O="$BUILD_DIR")
	{
		if [ ! -f "$bdir/.config" ]; then
			make -C "$TREE" "${o[@]}" defconfig || return 1
		fi
		(cd "$TREE" && scripts/kconfig/merge_config.sh -m -O "$bdir" "$bdir/.config" "$KCONFIG") || return 1
		make -C "$TREE" "${o[@]}" olddefconfig || return 1
		make -C "$TREE" "${o[@]}" -j"$JOBS" bzImage || return 1
	} >"$dir/build.log" 2>&1 </dev/null
	printf '%s\n' "$bdir"
}

step_main() {
	STATE=$1 ROLE=$2
	# shellcheck source=/dev/null
	. "$STATE"
	local commit n dir spec rc=0 t0=$SECONDS el log report st='' kind value note verdict how
	trap 'step_abort 130 interrupted' INT
	trap 'step_abort 143 terminated' TERM
	commit=$(git_t rev-parse HEAD)
	n=$(($(cat "$WORK/count") + 1))
	echo "$n" >"$WORK/count"
	el=$(($(date +%s) - T_EPOCH))
	dir=$WORK/steps/$(printf '%02d' "$n")-$ROLE-$(short "$commit")
	mkdir -p "$dir"
	how=''
	if [ "$ROLE" = step ]; then
		local left
		# shellcheck disable=SC2046 # one argument per good ref
		left=$(git_t rev-list --count refs/bisect/bad --not $(git_t for-each-ref --format='%(objectname)' 'refs/bisect/good-*') 2>/dev/null) || left=''
		how=", about $(awk -v n="${left:-1}" 'BEGIN { s = 0; while (2 ^ s < n) s++; print s }') left"
	fi
	msg "step $n ($ROLE$how): $(short "$commit") $(subject "$commit") (elapsed $el s)"

	# the kernel
	if [ -n "$SELECTOR" ]; then
		rc=0
		spec=$(cd "$TREE" && BISECT_COMMIT=$commit bash -c "$SELECTOR" 2>"$dir/selector.err" </dev/null) || rc=$?
		spec=$(printf '%s\n' "$spec" | sed '/^[[:space:]]*$/d' | tail -n 1)
		if [ "$rc" -ne 0 ] || [ -z "$spec" ]; then
			record "$n" "$ROLE" "$commit" skip "" "--kernel-of-commit exited $rc$( [ -n "$spec" ] || echo ', printed nothing'): $(tail -n1 "$dir/selector.err")" "" "$t0"
			step_fail "$ROLE" "$n" "--kernel-of-commit failed for $(short "$commit") (exit $rc)"
		fi
	else
		if ! spec=$(step_build "$dir"); then
			record "$n" "$ROLE" "$commit" skip "" "build failed: $(tail -n1 "$dir/build.log")" "" "$t0"
			step_fail "$ROLE" "$n" "build of $(short "$commit") failed: $dir/build.log"
		fi
		vmsg "step $n: built in $((SECONDS - t0)) s"
	fi
	echo "$spec" >"$dir/spec"

	# the boot(s)
	log=$dir/run.log
	rc=0
	local args=(--kernel "$ROLE$n-$(short "$commit")=$spec" --workload "$METRIC_W" --out "$dir"
		${RUN_ARGS[@]+"${RUN_ARGS[@]}"})
	if [ "$VERBOSE" -ne 0 ]; then
		"$RUN_SH" "${args[@]}" 2>&1 | tee "$log" >&2 || rc=${PIPESTATUS[0]}
	else
		"$RUN_SH" "${args[@]}" >"$log" 2>&1 || rc=$?
	fi
	report=$(sed -n 's/^report: //p' "$log" | tail -n 1)
	if [ "$rc" -ge 128 ]; then step_abort "$rc" "run.sh interrupted (exit $rc)"; fi
	if [ "$rc" -eq 2 ]; then
		tail -n 3 "$log" | sed 's/^/  | /' >&2
		step_abort 2 "run.sh refused its input for $(short "$commit") (spec $spec): $log"
	fi
	if [ "$rc" -ne 0 ] || [ -z "$report" ] || [ ! -s "$report" ]; then
		record "$n" "$ROLE" "$commit" skip "" "run.sh exited $rc: $(grep -v '^ ' "$log" | tail -n1)" "$spec" "$t0"
		step_fail "$ROLE" "$n" "$spec at $(short "$commit"): the run failed (run.sh exit $rc): $log"
	fi

	# the value
	IFS=$'\t' read -r st kind value note < <(metric_value "$report") || true
	case $ROLE:$st in
	*:ok | *:absent) ;;
	good:missing)
		step_abort 2 "--metric $METRIC_W/$METRIC_M: no such metric in GOOD's report ($report); $METRIC_W has: $note" ;;
	good:none)
		record "$n" "$ROLE" "$commit" skip "" "$note" "$spec" "$t0" "$report"
		step_abort 3 "GOOD ($(short "$commit")): $METRIC_W/$METRIC_M has no value: $note" ;;
	*)
		[ -n "$st" ] || note="reading the report failed"
		record "$n" "$ROLE" "$commit" skip "" "${note:-metric missing}" "$spec" "$t0" "$report"
		step_fail "$ROLE" "$n" "$(short "$commit"): $METRIC_W/$METRIC_M has no value: ${note:-missing}" ;;
	esac
	if [ "$ROLE" = good ]; then
		if [ "$kind" = timed ] && [ "$ROUNDS" -lt 2 ]; then
			step_abort 2 "--metric $METRIC_W/$METRIC_M is timed: give --rounds N (N >= 2, 3 recommended)"
		fi
		printf 'KIND=%q\nGOOD_VALUE=%q\nGOOD_REPORT=%q\n' "$kind" "$value" "$report" >>"$STATE"
		record "$n" "$ROLE" "$commit" good "$value" "$note" "$spec" "$t0" "$report"
		msg "step $n: GOOD $(short "$commit"): $METRIC_M = $value${note:+ ($note)} ($((SECONDS - t0)) s)"
		exit 10
	fi
	# shellcheck disable=SC2153 # KIND, GOOD_VALUE: from the state file
	if [ "$KIND" = exact ]; then
		if [ "$value" = "$GOOD_VALUE" ] || awk -v a="$value" -v b="$GOOD_VALUE" 'BEGIN { exit !(a + 0 == b + 0) }'; then
			verdict=good
		else
			verdict=bad
		fi
		how="$METRIC_M = $value, GOOD $GOOD_VALUE"
	else
		local cv ch why
		read -r cv ch why < <(compare_verdict "$GOOD_REPORT" "$report" "$dir/compare")
		how="compare: $cv${ch:+ $ch}"
		if [ "$ROLE" = bad ]; then
			case $cv in
			regression | improvement | changed) printf 'BAD_VERDICT=%q\n' "$cv" >>"$STATE"; verdict=bad ;;
			unchanged) verdict=good ;;
			*)
				record "$n" "$ROLE" "$commit" skip "$value" "$how $why" "$spec" "$t0" "$report"
				step_abort 3 "BAD ($(short "$commit")): compare could not judge $METRIC_W/$METRIC_M: $cv $why" ;;
			esac
		else
			case $cv in
			"$BAD_VERDICT") verdict=bad ;;
			unchanged | regression | improvement | changed) verdict=good ;;
			*)
				record "$n" "$ROLE" "$commit" skip "$value" "$how $why" "$spec" "$t0" "$report"
				msg "step $n: $(short "$commit"): skipped: $how $why"
				exit 125 ;;
			esac
		fi
	fi
	record "$n" "$ROLE" "$commit" "$verdict" "$value" "$how${note:+; $note}" "$spec" "$t0" "$report"
	msg "step $n: $(short "$commit"): $verdict ($how${note:+; $note}; $((SECONDS - t0)) s)"
	if [ "$ROLE" = bad ] && [ "$verdict" = good ]; then
		step_abort 2 "BAD ($(short "$commit")) does not differ from GOOD: $how; nothing to bisect"
	fi
	[ "$verdict" = good ] && exit 10
	exit 11
}

# step_fail ROLE N MESSAGE: a step that cannot be judged: skipped (125);
# GOOD and BAD cannot be skipped (exit 3 through abort).
step_fail() {
	if [ "$1" = step ]; then
		msg "step $2: skipped: $3"
		exit 125
	fi
	step_abort 3 "${1^^}: $3"
}

# record N ROLE COMMIT VERDICT VALUE NOTE SPEC T0 [REPORT]: one line of steps.tsv
record() {
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "$5" \
		"$(printf '%s' "$6" | tr '\t\n' '  ')" "$7" "$((SECONDS - $8))" "${9:-}" >>"$WORK/steps.tsv"
}

if [ "${1:-}" = --_step ]; then
	shift
	rc=0
	(step_main "$@") || rc=$?
	case $rc in
	10) exit 0 ;;
	11) exit 1 ;;
	125 | 255) exit "$rc" ;;
	*)
		STATE=$1
		# shellcheck source=/dev/null
		. "$STATE"
		[ -s "$WORK/abort" ] || printf '3 %s\n' "a step failed unexpectedly (exit $rc)" >"$WORK/abort"
		msg "a step failed unexpectedly (exit $rc)"
		exit 255
		;;
	esac
fi

# ============================================================================
# The bisect
# ============================================================================

TREE='' GOOD='' BAD='' METRIC='' CONFIG='' SELECTOR='' BUILD_DIR='' KCONFIG=$ROOT/configs/kernel.config
JOBS=$(nproc 2>/dev/null || echo 2) OUT='' ROUNDS=1 VERBOSE=0
# testing hook: another run.sh (tests/integration/bisect_logic.sh: canned reports, no QEMU)
RUN_SH=${RMAPBENCH_RUN_SH:-$ROOT/run.sh}
RUN_ARGS=() POS=()
while [ $# -gt 0 ]; do
	case $1 in
	-h | --help) usage; exit 0 ;;
	-v | --verbose) VERBOSE=1; shift ;;
	--metric | --config | --set | --reps | --rounds | --kernel-of-commit | --build-dir | --kconfig | --jobs | --out | --accel | --timeout | --mem | --cpus)
		need_arg "$@"
		case $1 in
		--metric) METRIC=$2 ;;
		--config) CONFIG=$2 ;;
		--kernel-of-commit) SELECTOR=$2 ;;
		--build-dir) BUILD_DIR=$2 ;;
		--kconfig) KCONFIG=$2 ;;
		--jobs) JOBS=$2 ;;
		--out) OUT=$2 ;;
		--rounds) ROUNDS=$2 ;;
		*) RUN_ARGS+=("$1" "$2") ;;
		esac
		shift 2
		;;
	--*=*) a=${1%%=*} v=${1#*=}; shift; set -- "$a" "$v" "$@" ;;
	-*) bad "unknown option $1 (see --help)" ;;
	*) POS+=("$1"); shift ;;
	esac
done
[ ${#POS[@]} -eq 3 ] || bad "expected TREE GOOD BAD, got ${#POS[@]} arguments (see --help)"
TREE=${POS[0]} GOOD=${POS[1]} BAD=${POS[2]}
[ -n "$METRIC" ] || bad "--metric WORKLOAD/METRIC is required (see --help)"
[[ $METRIC =~ ^([A-Za-z0-9_-]+)/([A-Za-z0-9_.+-]+)$ ]] || bad "--metric $METRIC: expected WORKLOAD/METRIC (fork-chain/slab.anon_vma.allocs)"
METRIC_W=${BASH_REMATCH[1]} METRIC_M=${BASH_REMATCH[2]}
in_range "$ROUNDS" 1 100 || bad "--rounds $ROUNDS: not a number of rounds between 1 and 100"
ROUNDS=$((10#$ROUNDS))
in_range "$JOBS" 1 1024 || bad "--jobs $JOBS: not a job count between 1 and 1024"
# run.sh's own options, checked here too: a typo costs nothing, not a build
for ((i = 0; i < ${#RUN_ARGS[@]}; i += 2)); do
	opt=${RUN_ARGS[$i]} v=${RUN_ARGS[$((i + 1))]}
	case $opt in
	--accel) case $v in auto | kvm | tcg) ;; *) bad "--accel $v: expected auto, kvm or tcg" ;; esac ;;
	--timeout) in_range "$v" 1 999999 || bad "--timeout $v: not a positive number of seconds" ;;
	--mem) in_range "$v" 256 65536 || bad "--mem $v: not a size in MB between 256 and 65536" ;;
	--cpus) in_range "$v" 1 64 || bad "--cpus $v: not a CPU count between 1 and 64" ;;
	esac
done
if [ -n "$CONFIG" ]; then
	if [ ! -f "$CONFIG" ] || [ ! -r "$CONFIG" ]; then bad "--config $CONFIG: no such readable config file"; fi
	CONFIG=$(realpath -- "$CONFIG")
fi
[ -d "$TREE" ] || bad "$TREE: no such directory"
TREE=$(cd -- "$TREE" && pwd)
top=$(git -C "$TREE" rev-parse --show-toplevel 2>/dev/null) || bad "$TREE: not a git work tree"
[ "$top" = "$TREE" ] || bad "$TREE: not the top of its git work tree ($top is)"
GOOD_SHA=$(git_t rev-parse -q --verify "$GOOD^{commit}" 2>/dev/null) || bad "GOOD $GOOD: no such commit in $TREE"
BAD_SHA=$(git_t rev-parse -q --verify "$BAD^{commit}" 2>/dev/null) || bad "BAD $BAD: no such commit in $TREE"
[ "$GOOD_SHA" != "$BAD_SHA" ] || bad "GOOD $GOOD and BAD $BAD are the same commit"
git_t merge-base --is-ancestor "$GOOD_SHA" "$BAD_SHA" || bad "GOOD $GOOD is not an ancestor of BAD $BAD"
[ ! -e "$(git_t rev-parse --git-path BISECT_START)" ] || bad "$TREE: a bisect is already under way (git bisect reset ends it)"
git_t update-index -q --refresh >/dev/null 2>&1 || true
git_t diff-index --quiet HEAD -- 2>/dev/null || bad "$TREE: uncommitted changes to tracked files (commit or stash them first)"
if [ -z "$SELECTOR" ]; then
	if [ ! -f "$KCONFIG" ] || [ ! -r "$KCONFIG" ]; then bad "--kconfig $KCONFIG: no such readable config fragment"; fi
	KCONFIG=$(realpath -- "$KCONFIG")
	if [ ! -f "$TREE/Makefile" ] || [ ! -x "$TREE/scripts/kconfig/merge_config.sh" ]; then
		bad "$TREE: not a kernel source tree (no Makefile or scripts/kconfig/merge_config.sh; --kernel-of-commit for prebuilt kernels)"
	fi
	if [ -n "$BUILD_DIR" ]; then
		mkdir -p -- "$BUILD_DIR" 2>/dev/null || bad "--build-dir $BUILD_DIR: cannot create the directory"
		BUILD_DIR=$(cd -- "$BUILD_DIR" && pwd)
	fi
fi
for t in python3 git setsid; do command -v "$t" >/dev/null || die "$t: not installed"; done
[ -x "$ROOT/build/rmapbench" ] || [ -n "${RMAPBENCH_NO_BUILD:-}" ] || make -C "$ROOT" --no-print-directory >&2 || die "make failed"
[ -x "$ROOT/build/rmapbench" ] || die "$ROOT/build/rmapbench: missing (make)"
# the suite options, checked now: a typo costs milliseconds, not a build and a boot
[ -z "$CONFIG" ] || RUN_ARGS+=(--config "$CONFIG")
RUN_ARGS+=(--rounds "$ROUNDS")
check=(--workload "$METRIC_W" --config "${CONFIG:-$ROOT/configs/default.conf}" --rounds "$ROUNDS")
for ((i = 0; i < ${#RUN_ARGS[@]}; i += 2)); do
	case ${RUN_ARGS[$i]} in --set | --reps) check+=("${RUN_ARGS[$i]}" "${RUN_ARGS[$((i + 1))]}") ;; esac
done
rc=0
"$ROOT/build/rmapbench" run --check "${check[@]}" || rc=$?
[ "$rc" -eq 0 ] || exit $((rc == 2 ? 2 : 3))
OUT=${OUT:-$ROOT/results}
mkdir -p -- "$OUT" 2>/dev/null || bad "--out $OUT: cannot create the directory"
if [ ! -d "$OUT" ] || [ ! -w "$OUT" ]; then bad "--out $OUT: not a writable directory"; fi
OUT=$(cd -- "$OUT" && pwd)

# --- state, clean-up ----------------------------------------------------------------

NAME=bisect-$(date -u +%Y%m%dT%H%M%SZ)
WORK=$(mktemp -d "$OUT/.$NAME.XXXXXX")
chmod 755 "$WORK"
mkdir -p "$WORK/steps"
echo 0 >"$WORK/count"
: >"$WORK/steps.tsv"
STATE=$WORK/state.sh
# the steps run this copy (see the top)
SELF=$WORK/.bisect-step.sh
cp -- "$ROOT/ci/bisect.sh" "$SELF"
export RB_BISECT_ROOT=$ROOT
T_START=$SECONDS T_EPOCH=$(date +%s)
declare -p TREE METRIC_W METRIC_M CONFIG SELECTOR BUILD_DIR KCONFIG JOBS ROUNDS VERBOSE WORK RUN_ARGS RUN_SH T_EPOCH |
	sed 's/^declare -[-a-zA-Z]* //' >"$STATE"

BISECTING=0 CHILD='' RESULT_DIR=''
# publish SUFFIX: renames the work directory into place
publish() {
	local dir=$OUT/$NAME$1 n=1
	while ! mv -T -- "$WORK" "$dir" 2>/dev/null; do
		n=$((n + 1))
		[ "$n" -lt 100 ] || { msg "cannot publish $WORK"; return 1; }
		dir=$OUT/$NAME-$n$1
	done
	WORK='' RESULT_DIR=$dir
}
# shellcheck disable=SC2317 # called by traps
cleanup() {
	local rc=$?
	set +e
	trap - EXIT INT TERM HUP
	stop_child
	if [ "$BISECTING" -eq 1 ]; then
		git_t bisect log >"$WORK/bisect.log" 2>/dev/null
		git_t bisect reset >/dev/null 2>&1 || msg "git bisect reset failed in $TREE: run it there"
	fi
	if [ -n "$WORK" ] && [ -d "$WORK" ]; then
		rm -f -- "$WORK/state.sh" "$WORK/count" "$WORK/abort" "$WORK/.bisect-step.sh"
		if [ "$rc" -ge 128 ]; then publish .interrupted; else publish .failed; fi
		[ -z "$RESULT_DIR" ] || msg "steps so far: $RESULT_DIR"
	fi
	exit "$rc"
}
# shellcheck disable=SC2317 # called by cleanup
stop_child() {
	local pid=$CHILD i
	[ -n "$pid" ] || return 0
	CHILD=''
	kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null
	for i in $(seq 1 50); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.2
	done
	kill -KILL -- "-$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
}
trap cleanup EXIT
trap 'msg interrupted; exit 130' INT
trap 'msg terminated; exit 143' TERM
trap 'msg "hung up"; exit 129' HUP

# run_child CMD...: CMD in its own process group (stopped as a whole on
# Ctrl-C), waited for; sets CRC.
run_child() {
	CRC=0
	setsid "$@" &
	CHILD=$!
	wait "$CHILD" || CRC=$?
	CHILD=''
}
# check_abort: after a child gave up (exit 255), exits with the code it
# wrote (2 bad input, 3 failure, 128+N interrupted).
check_abort() {
	local code _m
	[ -s "$WORK/abort" ] || return 0
	read -r code _m <"$WORK/abort"
	exit "$code"
}

ncand=$(git_t rev-list --count "$BAD_SHA" "^$GOOD_SHA")
msg "bisecting $METRIC_W/$METRIC_M in $TREE: GOOD $(short "$GOOD_SHA"), BAD $(short "$BAD_SHA"), $ncand commits, about $(awk -v n="$ncand" 'BEGIN { s = 0; while (2 ^ s < n) s++; print s + 2 }') measurements"
git_t bisect start "$BAD_SHA" "$GOOD_SHA" >"$WORK/bisect-run.log" 2>&1 || die "git bisect start failed: $(tail -n1 "$WORK/bisect-run.log")"
BISECTING=1
MID=$(git_t rev-parse HEAD)

for role in good bad; do
	sha=$GOOD_SHA
	[ "$role" = good ] || sha=$BAD_SHA
	git_t checkout -q --detach "$sha" || die "git checkout $sha failed in $TREE"
	run_child "$SELF" --_step "$STATE" "$role"
	check_abort
	case $role:$CRC in
	good:0 | bad:1) ;;
	*) die "measuring ${role^^} failed (exit $CRC)" ;;
	esac
done
# shellcheck source=/dev/null
. "$STATE"

FIRST=''
if [ "$ncand" -eq 1 ]; then
	FIRST=$BAD_SHA
else
	git_t checkout -q --detach "$MID" || die "git checkout $MID failed in $TREE"
	if [ "$VERBOSE" -ne 0 ]; then
		# shellcheck disable=SC2016 # expanded by that bash
		run_child bash -c 'git -C "$1" bisect run "$2" --_step "$3" step 2>&1 | tee -a "$4" >&2; exit "${PIPESTATUS[0]}"' \
			_ "$TREE" "$SELF" "$STATE" "$WORK/bisect-run.log"
	else
		# the steps' progress lines go to stderr, git's own output to the log
		run_child git -C "$TREE" bisect run "$SELF" --_step "$STATE" step >>"$WORK/bisect-run.log"
	fi
	check_abort
	FIRST=$(sed -n 's/^\([0-9a-f]\{40\}\) is the first bad commit$/\1/p' "$WORK/bisect-run.log" | tail -n 1)
	if [ -z "$FIRST" ]; then
		if grep -q "only 'skip'ped commits left" "$WORK/bisect-run.log"; then
			cands=$(sed -n "/could be any of:/,/^We cannot bisect more/p" "$WORK/bisect-run.log" | grep -E '^[0-9a-f]{40}$' | cut -c1-12 | tr '\n' ' ')
			printf 'only skipped commits left: %s\n' "$cands" >"$WORK/error.txt"
			die "the first bad commit is one of: $cands(those could not be built, booted or judged: see $NAME.failed/steps)"
		fi
		tail -n 5 "$WORK/bisect-run.log" | sed 's/^/  | /' >&2
		die "git bisect run ended without a first bad commit (exit $CRC)"
	fi
fi

# --- results ------------------------------------------------------------------------

git_t bisect log >"$WORK/bisect.log" 2>/dev/null || true
python3 - "$WORK" "$TREE" "$GOOD_SHA" "$BAD_SHA" "$FIRST" "$METRIC_W" "$METRIC_M" "$KIND" "$GOOD_VALUE" \
	"$(git_t log -1 --format=%s "$FIRST")" "$((SECONDS - T_START))" <<'EOF' || die "writing result.json failed"
import json, os, sys
work, tree, good, bad, first, w, m, kind, gv, subj, secs = sys.argv[1:]
steps = []
for line in open(os.path.join(work, "steps.tsv")):
    n, role, commit, verdict, value, note, spec, el, report = line.rstrip("\n").split("\t")
    def num(x):
        try:
            f = float(x)
            return int(f) if f.is_integer() else f
        except ValueError:
            return None
    steps.append({"step": int(n), "role": role, "commit": commit, "verdict": verdict,
                  "value": num(value), "note": note or None, "kernel": spec or None,
                  "seconds": int(el),
                  "report": os.path.relpath(report, work) if report else None})
res = {"schema": "rmapbench-bisect", "schema_version": 1, "tree": tree, "good": good, "bad": bad,
       "metric": {"workload": w, "name": m, "kind": kind},
       "good_value": next((s["value"] for s in steps if s["role"] == "good"), None),
       "bad_value": next((s["value"] for s in steps if s["role"] == "bad"), None),
       "first_bad": {"commit": first, "subject": subj,
                     "value": next((s["value"] for s in steps if s["commit"] == first and s["value"] is not None), None)},
       "steps": steps, "seconds": int(secs)}
with open(os.path.join(work, "result.json.tmp"), "w") as f:
    json.dump(res, f, indent=2)
    f.write("\n")
os.rename(os.path.join(work, "result.json.tmp"), os.path.join(work, "result.json"))
with open(os.path.join(work, "summary.txt.tmp"), "w") as f:
    f.write(f"first bad commit: {first} {subj}\nmetric: {w}/{m} ({kind})\n\n")
    f.write(f"{'step':>4}  {'role':<5} {'commit':<12}  {'verdict':<7} {'value':>10} {'secs':>5}  note\n")
    for s in steps:
        v = "" if s["value"] is None else s["value"]
        f.write(f"{s['step']:>4}  {s['role']:<5} {s['commit'][:12]:<12}  {s['verdict']:<7} {v!s:>10} {s['seconds']:>5}  {s['note'] or ''}\n")
os.rename(os.path.join(work, "summary.txt.tmp"), os.path.join(work, "summary.txt"))
EOF
rm -f -- "$WORK/state.sh" "$WORK/count" "$WORK/abort" "$WORK/.bisect-step.sh"
git_t bisect reset >/dev/null 2>&1 || msg "git bisect reset failed in $TREE: run it there"
BISECTING=0
publish '' || die "cannot publish the results"
msg "done in $((SECONDS - T_START)) s, $(wc -l <"$RESULT_DIR/steps.tsv") measurements"
echo "first bad commit: $FIRST $(git_t log -1 --format=%s "$FIRST")"
echo "bisect: $RESULT_DIR"
exit 0
}
