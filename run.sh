#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# run.sh: run the rmapbench suite on the running kernel or on other kernels
# booted in QEMU, and compare kernels. `./run.sh --help` for the options;
# docs/guest.md for the guest runner.
set -euo pipefail

# The whole script is one compound command, parsed before it runs: editing or
# updating run.sh while a long run is under way cannot change what it does.
{
RB_ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
RB_PROG=run.sh
# shellcheck source=scripts/guest/common.sh
. "$RB_ROOT/scripts/guest/common.sh"

usage() {
	cat <<'EOF'
usage: ./run.sh [--kernel [NAME=]SPEC]... [--rounds N] [--config FILE]
                [--workload NAME[,NAME]] [--reps N] [--set WORKLOAD.PARAM=VALUE]...
                [--sweep WORKLOAD.PARAM=VALUES]
                [--append "ARGS"] [--append-to NAME "ARGS"] [--out DIR] [--mem MB] [--cpus N]
                [--timeout S] [--accel auto|kvm|tcg] [--tcg-clock icount|host] [-v]
       ./run.sh compare BASE.json TEST.json [--out DIR]
       ./run.sh --help

Runs the rmapbench suite (default configs/default.conf) on each kernel and
writes DIR/<release>-<UTC time>/report.json (DIR: --out, default results/).
With two or more kernels, each later report is compared with the first
(`build/rmapbench compare`). Installs missing Debian packages and builds first.

  --kernel SPEC    host (the running kernel, the default), a bzImage, a kernel
                   build tree (arch/x86/boot/bzImage, .config, its modules),
                   debian:6.1 or debian:6.12 (newest cloud kernel of that
                   series, downloaded into ~/.cache/rmapbench). Repeatable.
                   NAME=SPEC labels it (report "label", compare's tables):
                   a=~/linux-before b=~/linux-after. Labels must differ.
  --rounds N       N rounds per kernel (default 1). Guests: each kernel is
                   booted N times, interleaved A B B A A B ..., one report
                   per kernel holding every round (and one per boot). The
                   host alone: rmapbench run --rounds N (fresh process per
                   round, workload order shuffled). docs/compare.md: 3.
  --append "ARGS"  more kernel command-line arguments for every guest kernel
                   (in the report's kernel.cmdline)
  --append-to NAME "ARGS"
                   more arguments for the kernel labelled NAME only (after
                   --append's), e.g. to measure a slower configuration of the
                   same kernel: --kernel a=debian:6.12 --kernel b=debian:6.12
                   --append-to b "init_on_alloc=1 init_on_free=1"
  --config FILE    suite configuration (INI); default configs/default.conf
  --workload LIST  only these workloads (comma-separated)
  --reps N         repetitions per workload
  --set W.P=V      override one workload parameter (repeatable)
  --sweep W.P=VALUES
                   run only workload W, once per value of its parameter P:
                   V1,V2,... or A..BxF (geometric) or A..B+S; compare and
                   its graphs show each metric against P with the fitted
                   growth exponent (docs/compare.md, "Cost curves")
  --out DIR        where result directories go (default results/)
  --mem MB         guest memory (default 1024)
  --cpus N         guest CPUs (default 2; 1 with the icount clock, where
                   Debian's 6.1 hangs bringing up a second CPU)
  --timeout S      hard limit per guest boot, seconds (default 600)
  --accel A        auto (default: KVM if it can boot a stock kernel here,
                   else TCG), kvm or tcg
  --tcg-clock C    icount (default): under TCG the guest clock counts emulated
                   instructions (1 ns each; QEMU -icount shift=0,sleep=off),
                   so timings repeat within ~1-3% whatever the host's load,
                   and measure work done, not cache or memory speed
                   (machine.accel "tcg-icount"); host: the guest clock
                   follows the host's (timings swing with its load: "tcg")
  -v               verbose: rmapbench -v, and the guest console as it runs

The options are checked on the host (rmapbench run --check) before anything
is downloaded or booted.

examples:
  ./run.sh
  ./run.sh --kernel debian:6.1 --kernel debian:6.12 --rounds 3 --config configs/quick.conf
  ./run.sh --kernel old=~/linux-a --kernel new=~/linux-b --rounds 3
  ./run.sh --kernel a=debian:6.12 --kernel b=debian:6.12 --append "init_on_free=1"
  ./run.sh --kernel debian:6.1 --kernel debian:6.12 --sweep fork-chain.depth=1..32x2 --reps 2

Exit: 0 done (no regression), 1 regression found by compare, 2 bad input or
compare error, 3 a kernel's run, a build or a download failed (timeout, panic,
no or bad report), 128+N interrupted by signal N.
EOF
}

# --- arguments -----------------------------------------------------------------

KERNELS=() SETS=() LABELS=()
declare -A APPEND_TO=()
RB_CONFIG_FILE='' WORKLOADS='' REPS='' SWEEP='' ROUNDS=1 RB_APPEND='' OUT='' RB_MEM=1024 RB_CPUS='' RB_TIMEOUT=600
RB_ACCEL=${RMAPBENCH_ACCEL:-auto} RB_VERBOSE=0 RB_TCG_CLOCK=${RMAPBENCH_TCG_CLOCK:-icount}

need_arg() { [ $# -ge 2 ] || rb_bad "$1 needs a value (see --help)"; }
# in_range VALUE MIN MAX: VALUE is a decimal integer within [MIN, MAX].
in_range() { [[ $1 =~ ^[0-9]{1,9}$ ]] && [ "$((10#$1))" -ge "$2" ] && [ "$((10#$1))" -le "$3" ]; }

run_compare_cmd() {
	local out='' files=() rb=$RB_ROOT/build/rmapbench
	while [ $# -gt 0 ]; do
		case $1 in
		--out) need_arg "$@"; out=$2; shift 2 ;;
		--out=*) out=${1#--out=}; shift ;;
		-h | --help) usage; exit 0 ;;
		-*) rb_bad "compare: unknown option $1" ;;
		*) files+=("$1"); shift ;;
		esac
	done
	[ ${#files[@]} -eq 2 ] || rb_bad "compare needs exactly two reports: BASE.json TEST.json"
	for f in "${files[@]}"; do
		if [ ! -f "$f" ] || [ ! -r "$f" ]; then rb_bad "$f: no such readable report"; fi
	done
	build_host
	[ -x "$rb" ] || rb_bad "$rb: missing (make failed?)"
	if [ -n "$out" ]; then
		exec "$rb" compare "${files[0]}" "${files[1]}" --out "$out"
	fi
	exec "$rb" compare "${files[0]}" "${files[1]}"
}

# --- build --------------------------------------------------------------------------

built_deps=0
ensure_deps() {
	[ -z "${RMAPBENCH_NO_BUILD:-}" ] || return 0
	[ "$built_deps" -eq 0 ] || return 0
	"$RB_ROOT/scripts/deps.sh" || rb_die "scripts/deps.sh failed"
	built_deps=1
}
build_host() {
	ensure_deps
	[ -z "${RMAPBENCH_NO_BUILD:-}" ] || return 0
	make -C "$RB_ROOT" --no-print-directory >&2 || rb_die "make failed"
}
build_static() {
	ensure_deps
	[ -z "${RMAPBENCH_NO_BUILD:-}" ] || return 0
	make -C "$RB_ROOT" --no-print-directory STATIC=1 >&2 || rb_die "make STATIC=1 failed"
}

if [ "${1:-}" = compare ]; then
	shift
	run_compare_cmd "$@"
fi

while [ $# -gt 0 ]; do
	case $1 in
	-h | --help) usage; exit 0 ;;
	-v | --verbose) RB_VERBOSE=1; shift ;;
	--append-to)
		[ $# -ge 3 ] || rb_bad "--append-to needs a kernel label and arguments (see --help)"
		[ -z "${APPEND_TO[$2]:-}" ] || rb_bad "--append-to $2: given twice"
		APPEND_TO[$2]=$3
		shift 3
		;;
	--kernel | --config | --workload | --reps | --rounds | --append | --set | --sweep | --out | --mem | --cpus | --timeout | --accel | --tcg-clock)
		need_arg "$@"
		case $1 in
		--kernel) KERNELS+=("$2") ;;
		--rounds) ROUNDS=$2 ;;
		--append) RB_APPEND=$2 ;;
		--config) RB_CONFIG_FILE=$2 ;;
		--workload) WORKLOADS=$2 ;;
		--reps) REPS=$2 ;;
		--set) SETS+=("$2") ;;
		--sweep)
			[ -z "$SWEEP" ] || rb_bad "--sweep: one sweep per run"
			SWEEP=$2
			;;
		--out) OUT=$2 ;;
		--mem) RB_MEM=$2 ;;
		--cpus) RB_CPUS=$2 ;;
		--timeout) RB_TIMEOUT=$2 ;;
		--accel) RB_ACCEL=$2 ;;
		--tcg-clock) RB_TCG_CLOCK=$2 ;;
		esac
		shift 2
		;;
	--*=*)
		a=${1%%=*}
		v=${1#*=}
		shift
		set -- "$a" "$v" "$@"
		;;
	*) rb_bad "unknown argument $1 (see --help)" ;;
	esac
done

[ ${#KERNELS[@]} -gt 0 ] || KERNELS=(host)
# NAME=SPEC: a label (unless the whole argument is an existing path)
for i in "${!KERNELS[@]}"; do
	k=${KERNELS[$i]} LABELS[i]=''
	if [ ! -e "$k" ] && [[ $k =~ ^([A-Za-z0-9][A-Za-z0-9._+-]{0,63})=(.+)$ ]]; then
		LABELS[i]=${BASH_REMATCH[1]}
		KERNELS[i]=${BASH_REMATCH[2]}
		for ((j = 0; j < i; j++)); do
			[ "${LABELS[$j]}" != "${LABELS[$i]}" ] || rb_bad "--kernel $k: label ${LABELS[$i]} given twice"
		done
	elif [[ $k =~ ^[^/]*= ]] && [ ! -e "$k" ]; then
		rb_bad "--kernel $k: a label is 1 to 64 letters, digits, '.', '_', '+', '-' (NAME=SPEC)"
	fi
done
[[ $ROUNDS =~ ^[0-9]{1,9}$ ]] || rb_bad "--rounds $ROUNDS: not a positive integer"
ROUNDS=$((10#$ROUNDS))
if [ -n "$RB_APPEND" ]; then
	[[ $RB_APPEND =~ ^[[:print:]]{1,1024}$ ]] || rb_bad "--append: expected up to 1024 printable characters on one line"
fi
for name in "${!APPEND_TO[@]}"; do
	[[ ${APPEND_TO[$name]} =~ ^[[:print:]]{1,1024}$ ]] ||
		rb_bad "--append-to $name: expected up to 1024 printable characters on one line"
	found=0
	for i in "${!LABELS[@]}"; do [ "${LABELS[$i]}" != "$name" ] || found=1; done
	[ "$found" -eq 1 ] || rb_bad "--append-to $name: no --kernel $name=SPEC"
done
RB_CONFIG_FILE=${RB_CONFIG_FILE:-$RB_ROOT/configs/default.conf}
if [ ! -f "$RB_CONFIG_FILE" ] || [ ! -r "$RB_CONFIG_FILE" ]; then
	rb_bad "$RB_CONFIG_FILE: no such readable config file"
fi
if [ -n "$WORKLOADS" ]; then
	[[ $WORKLOADS =~ ^[A-Za-z0-9_-]+(,[A-Za-z0-9_-]+)*$ ]] || rb_bad "--workload $WORKLOADS: not a comma-separated list of workload names"
fi
for s in ${SETS[@]+"${SETS[@]}"}; do
	[[ $s =~ ^[A-Za-z0-9_-]+\.[A-Za-z0-9_]+=[^[:space:]]+$ ]] || rb_bad "--set $s: expected WORKLOAD.PARAM=VALUE"
done
if [ -n "$SWEEP" ]; then
	[[ $SWEEP =~ ^[A-Za-z0-9_-]+\.[A-Za-z0-9_]+=[0-9.,x+]+$ ]] || rb_bad "--sweep $SWEEP: expected WORKLOAD.PARAM=V1,V2,... or WORKLOAD.PARAM=A..BxF"
fi
in_range "$RB_MEM" 256 65536 || rb_bad "--mem $RB_MEM: not a size in MB between 256 and 65536"
[ -z "$RB_CPUS" ] || in_range "$RB_CPUS" 1 64 || rb_bad "--cpus $RB_CPUS: not a CPU count between 1 and 64"
in_range "$RB_TIMEOUT" 1 999999 || rb_bad "--timeout $RB_TIMEOUT: not a positive number of seconds"
case $RB_ACCEL in auto | kvm | tcg) ;; *) rb_bad "--accel $RB_ACCEL: expected auto, kvm or tcg" ;; esac
case ${RMAPBENCH_TCG_THREAD:-single} in single | multi) ;; *) rb_bad "RMAPBENCH_TCG_THREAD=$RMAPBENCH_TCG_THREAD: expected single or multi" ;; esac
case $RB_TCG_CLOCK in icount | host) ;; *) rb_bad "--tcg-clock $RB_TCG_CLOCK: expected icount or host" ;; esac
[ "$RB_TCG_CLOCK:${RMAPBENCH_TCG_THREAD:-single}" != icount:multi ] ||
	rb_bad "--tcg-clock icount needs RMAPBENCH_TCG_THREAD=single (QEMU's -icount runs one TCG thread)"
in_range "${RMAPBENCH_KVM_TRIAL_TIMEOUT:-30}" 1 3600 ||
	rb_bad "RMAPBENCH_KVM_TRIAL_TIMEOUT=$RMAPBENCH_KVM_TRIAL_TIMEOUT: not a number of seconds"

need_guest=0 need_static=0
for k in "${KERNELS[@]}"; do
	case $k in
	host) need_static=1 ;;
	debian:*)
		[[ $k =~ ^debian:[0-9]+\.[0-9]+$ ]] || rb_bad "$k: expected debian:X.Y (e.g. debian:6.12)"
		need_guest=1
		;;
	*)
		# Only reads: a bad path or a file that is no bzImage fails here,
		# before anything is built or booted.
		(kernel_resolve "$k") || exit $?
		need_guest=1
		;;
	esac
done
if { [ -n "$RB_APPEND" ] || [ ${#APPEND_TO[@]} -gt 0 ]; } && [ "$need_guest" -eq 0 ]; then
	rb_bad "--append: only guest kernels take command-line arguments (the running kernel's is fixed)"
fi
# Host alone: rmapbench run --rounds N does the rounds; otherwise run.sh
# interleaves the kernels' runs and boots and merges each kernel's rounds.
HOST_ROUNDS=1
if [ ${#KERNELS[@]} -eq 1 ] && [ "${KERNELS[0]}" = host ]; then
	HOST_ROUNDS=$ROUNDS
fi

# Arguments rmapbench gets after `run --config FILE --json FILE`.
RB_BASE_ARGS=()
[ -z "$WORKLOADS" ] || RB_BASE_ARGS+=(--workload "$WORKLOADS")
[ -z "$REPS" ] || RB_BASE_ARGS+=(--reps "$REPS")
for s in ${SETS[@]+"${SETS[@]}"}; do RB_BASE_ARGS+=(--set "$s"); done
[ -z "$SWEEP" ] || RB_BASE_ARGS+=(--sweep "$SWEEP")
[ "$RB_VERBOSE" -eq 0 ] || RB_BASE_ARGS+=(-v)
RB_GUEST_ARGS=("${RB_BASE_ARGS[@]}")

# build/rmapbench (run --check, merge, compare) is always built.
# Everything the runner will be asked, checked against its workload table
# and limits now: a typo costs milliseconds, not a download and a boot.
build_host
[ -x "$RB_ROOT/build/rmapbench" ] || rb_die "$RB_ROOT/build/rmapbench: missing (make failed?)"
rc=0
"$RB_ROOT/build/rmapbench" run --check --config "$RB_CONFIG_FILE" --rounds "$ROUNDS" \
	${RB_BASE_ARGS[@]+"${RB_BASE_ARGS[@]}"} || rc=$?
case $rc in
0) ;;
2) exit 2 ;; # rmapbench said which input, in one line
*) [ "$rc" -lt 128 ] || exit "$rc"; rb_die "rmapbench run --check exited $rc" ;;
esac
# Guests cannot see their host: each is told this machine's fingerprint
# (rmapbench.host_fingerprint= on its kernel command line, qemu_run), which
# its report records as machine.host_fingerprint and folds into its own, so
# compare judges timed metrics only between guests of one host and accelerator.
RB_HOST_FP=$("$RB_ROOT/build/rmapbench" fingerprint 2>/dev/null) || RB_HOST_FP=

OUT=${OUT:-$RB_ROOT/results}
mkdir -p -- "$OUT" 2>/dev/null || rb_bad "--out $OUT: cannot create the directory"
if [ ! -d "$OUT" ] || [ ! -w "$OUT" ]; then rb_bad "--out $OUT: not a writable directory"; fi
OUT=$(cd -- "$OUT" && pwd)

# --- clean-up -----------------------------------------------------------------------

RB_WORK=
CUR_TMP=
HOST_PID=
# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
	local rc=$?
	set +e
	trap - EXIT INT TERM HUP
	if [ -n "$HOST_PID" ]; then
		kill -TERM "$HOST_PID" 2>/dev/null || true
		wait "$HOST_PID" 2>/dev/null || true
	fi
	guest_kill_qemu
	[ -z "$CUR_TMP" ] || rm -rf -- "$CUR_TMP"
	[ -z "$RB_WORK" ] || rm -rf -- "$RB_WORK"
	exit "$rc"
}
trap cleanup EXIT
trap 'rb_msg "interrupted"; exit 130' INT
trap 'rb_msg "terminated"; exit 143' TERM
trap 'rb_msg "hung up"; exit 129' HUP

RB_WORK=$(mktemp -d "${TMPDIR:-/tmp}/rmapbench-run.XXXXXX")

[ "$need_static" -eq 0 ] || build_static
if [ "$need_guest" -eq 1 ]; then
	if [ -n "${RMAPBENCH_GUEST_INIT:-}" ]; then
		# Testing hook: a replacement /init (the hung-guest test).
		RB_GUEST_INIT=$RMAPBENCH_GUEST_INIT
		[ -r "$RB_GUEST_INIT" ] || rb_bad "RMAPBENCH_GUEST_INIT=$RB_GUEST_INIT: not readable"
		RB_GUEST_BIN=${RMAPBENCH_GUEST_BIN:-}
	else
		RB_GUEST_BIN=${RMAPBENCH_GUEST_BIN:-$RB_ROOT/build/static/rmapbench}
		[ -n "${RMAPBENCH_GUEST_BIN:-}" ] || build_static
	fi
	if [ -n "$RB_GUEST_BIN" ]; then
		if [ ! -f "$RB_GUEST_BIN" ] || [ ! -x "$RB_GUEST_BIN" ]; then
			rb_die "$RB_GUEST_BIN: missing (make STATIC=1 builds it)"
		fi
		if command -v readelf >/dev/null && readelf -l "$RB_GUEST_BIN" 2>/dev/null | grep -q 'program interpreter'; then
			rb_die "$RB_GUEST_BIN: dynamically linked; the guest needs the static build (make STATIC=1)"
		fi
	fi
	command -v "$QEMU" >/dev/null || rb_die "$QEMU: not installed (scripts/deps.sh installs qemu-system-x86)"
	command -v busybox >/dev/null || rb_die "busybox: not installed (scripts/deps.sh installs busybox-static)"
fi

# --- result directories ----------------------------------------------------------

# result_begin RELEASE: a private temporary directory in OUT (CUR_TMP) that
# result_end renames to OUT/RELEASE-TIMESTAMP[-N] (RESULT_DIR).
result_begin() {
	RESULT_NAME="$(printf '%s' "$1" | tr -c 'A-Za-z0-9._+~-' '_')-$(date -u +%Y%m%dT%H%M%SZ)"
	CUR_TMP=$(mktemp -d "$OUT/.$RESULT_NAME.XXXXXX")
	chmod 755 "$CUR_TMP"
}
# result_end [SUFFIX]: publishes CUR_TMP (SUFFIX .failed for a failed run).
result_end() {
	local base=$OUT/$RESULT_NAME n=1 dir
	dir=$base${1:-}
	while ! mv -T -- "$CUR_TMP" "$dir" 2>/dev/null; do
		n=$((n + 1))
		[ "$n" -lt 100 ] || rb_die "$base: cannot create a result directory"
		dir=$base-$n${1:-}
	done
	CUR_TMP=
	RESULT_DIR=$dir
}

have_python() { command -v python3 >/dev/null; }
report_summary() {
	if have_python; then
		python3 "$RB_ROOT/scripts/guest/check-report.py" summary "$1" || true
	fi
}

# --- one kernel ------------------------------------------------------------------------

REPORTS=() FAILED=0 BAD_INPUT=0

# run_host ROUNDS: the suite on the running kernel (rmapbench run --rounds ROUNDS).
run_host() {
	local rc=0 rel rounds=$1
	rel=$(uname -r)
	result_begin "${CUR_LABEL:+$CUR_LABEL-}$rel$CUR_SUFFIX"
	[ "$rounds" -eq 1 ] || RB_GUEST_ARGS+=(--rounds "$rounds")
	rb_msg "host kernel $rel: rmapbench run --config $RB_CONFIG_FILE${RB_GUEST_ARGS[*]:+ ${RB_GUEST_ARGS[*]}}"
	# the static build, as in guests: the same binary maps the same VMAs, so exact
	# counts of the host and of guest kernels are comparable
	"$RB_ROOT/build/static/rmapbench" run --config "$RB_CONFIG_FILE" --json "$CUR_TMP/report.json" \
		${RB_GUEST_ARGS[@]+"${RB_GUEST_ARGS[@]}"} &
	HOST_PID=$!
	wait "$HOST_PID" || rc=$?
	HOST_PID=
	if [ "$rc" -ne 0 ] || [ ! -s "$CUR_TMP/report.json" ]; then
		rb_msg "host kernel $rel: rmapbench exited $rc"
		[ "$rc" -ne 2 ] || BAD_INPUT=1
		if [ -s "$CUR_TMP/report.json" ]; then
			result_end .failed
			rb_msg "partial results: $RESULT_DIR"
		else
			rm -rf -- "$CUR_TMP"
			CUR_TMP=
		fi
		FAILED=1
		return 0
	fi
	result_end
	# a round of several is plotted with the others, once merged
	if [ "$ROUNDS" -eq 1 ] || [ "$HOST_ROUNDS" -gt 1 ]; then
		plot_report "$RESULT_DIR"
	fi
	report_summary "$RESULT_DIR/report.json"
	LAST_REPORT=$RESULT_DIR/report.json
	echo "$REPORT_TAG: $RESULT_DIR/report.json"
}

# plot_report DIR: graphs and index.html of DIR/report.json into DIR/plots
# (a failure here costs the graphs, not the run).
plot_report() {
	"$RB_ROOT/build/rmapbench" plot "$1/report.json" --out "$1/plots" >/dev/null 2>&1 ||
		rb_msg "plotting $1/report.json failed (the report is fine)"
}

# guest_fail MESSAGE: ends a failed guest run: keeps the console log in
# OUT/<name>.failed, prints its tail.
guest_fail() {
	rb_msg "$K_SPEC ($K_RELEASE): $*"
	printf '%s\n' "$*" >"$CUR_TMP/error.txt"
	result_end .failed
	console_tail "$RESULT_DIR/console.log" 25
	rb_msg "console log: $RESULT_DIR/console.log"
	FAILED=1
}

# Later rounds of a kernel reuse what its first round resolved and packed:
# the kernel spec's K_* variables, and the initramfs, to which each boot
# appends a small archive with its own arguments (the kernel unpacks
# concatenated cpio archives in order, later files replacing earlier ones).
declare -A RESOLVED=() MODULES=()
resolve_once() {
	if [ -n "${RESOLVED[$1]:-}" ]; then
		eval "${RESOLVED[$1]}"
		return 0
	fi
	kernel_resolve "$1" || return $?
	RESOLVED[$1]=$(declare -p K_SPEC K_IMAGE K_RELEASE K_MODSRC K_CONFIG K_VMLINUX | sed 's/^declare -[-a-zA-Z]* /declare -g /')
}
# initramfs_for KERNEL-INDEX OUT: the kernel's packed root (built once) plus
# this boot's /etc/rmapbench/args.
initramfs_for() {
	local base=$RB_WORK/base-$1.cpio.gz a
	if [ ! -s "$base" ]; then
		initramfs_build "$base" || return 1
		MODULES[$1]=${MOD_ORDER[*]}
	fi
	read -ra MOD_ORDER <<<"${MODULES[$1]}"
	rm -rf -- "$RB_WORK/args"
	mkdir -p "$RB_WORK/args/etc/rmapbench" || return 1
	for a in ${RB_GUEST_ARGS[@]+"${RB_GUEST_ARGS[@]}"}; do
		printf '%s\n' "$a"
	done >"$RB_WORK/args/etc/rmapbench/args"
	{
		cat -- "$base"
		(cd "$RB_WORK/args" && find . -print0 | LC_ALL=C sort -z |
			cpio --null -o -H newc -R 0:0 --quiet) | gzip -1
	} >"$2.tmp" || return 1
	mv -- "$2.tmp" "$2"
}

run_guest() {
	local spec=$1 idx=$2 ki=$3 rc=0 t0 t1 accel_got panic
	local own=${CUR_LABEL:+${APPEND_TO[$CUR_LABEL]:-}}
	local append="$RB_APPEND${own:+${RB_APPEND:+ }$own}"
	if ! resolve_once "$spec"; then
		rb_msg "$spec: cannot get this kernel"
		FAILED=1
		return 0
	fi
	result_begin "${CUR_LABEL:+$CUR_LABEL-}$K_RELEASE$CUR_SUFFIX"
	RB_INITRD=$RB_WORK/initrd-$idx.cpio.gz
	t0=$(date +%s.%N)
	initramfs_for "$ki" "$RB_INITRD" || rb_die "$spec: building the initramfs failed"
	t1=$(date +%s.%N)
	[ -n "${GUEST_ACCEL:-}" ] || guest_choose_accel
	rb_msg "$spec: booting $K_RELEASE under $(accel_label "$GUEST_ACCEL") (${RB_MEM} MB, $(guest_cpus "$GUEST_ACCEL") CPUs, timeout ${RB_TIMEOUT} s)"
	qemu_run "$GUEST_ACCEL" "$RB_TIMEOUT" "$CUR_TMP/console.log" "$RB_WORK/channel-$idx.raw" \
		"$CUR_TMP/qemu.log" "$append" || rc=$?
	[ -s "$CUR_TMP/qemu.log" ] || rm -f -- "$CUR_TMP/qemu.log"
	channel_parse "$RB_WORK/channel-$idx.raw" "$CUR_TMP/report.json" || true
	{
		printf 'spec=%s\nlabel=%s\nround=%s\nimage=%s\nrelease=%s\naccel=%s\nmem_mb=%s\ncpus=%s\n' \
			"$K_SPEC" "$CUR_LABEL" "$CUR_ROUND" "$K_IMAGE" "$K_RELEASE" "$(accel_label "$GUEST_ACCEL")" "$RB_MEM" "$(guest_cpus "$GUEST_ACCEL")"
		printf 'append=%s\n' "$append"
		printf 'modules=%s\n' "${MOD_ORDER[*]}"
		printf 'initramfs_bytes=%s\ninitramfs_build_s=%s\n' "$(stat -c %s -- "$RB_INITRD")" \
			"$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.2f", b - a}')"
		# Wall seconds from QEMU's start: init running, first report byte, exit.
		printf 'wall_init_s=%s\nwall_report_s=%s\nwall_exit_s=%s\n' \
			"$QEMU_T_INIT" "$QEMU_T_SEND" "$QEMU_WALL"
		printf 'qemu_exit=%s\nguest_times=%s\nguest_exit=%s\n' "$rc" "$CH_TIMES" "$CH_EXIT"
		printf 'qemu_cmdline=%s\n' "$QEMU_CMDLINE"
	} >"$CUR_TMP/guest.txt"
	rm -f -- "$RB_INITRD"

	panic=$(grep -a -m1 -o 'Kernel panic - not syncing:.*' "$CUR_TMP/console.log" | tr -d '\r' || true)
	if [ "$rc" -eq 125 ]; then
		guest_fail "KVM internal error: this machine's KVM cannot run $K_RELEASE (try --accel tcg); QEMU killed"
		return 0
	fi
	if [ "$rc" -eq 124 ]; then
		guest_fail "the guest did not finish within ${RB_TIMEOUT} s; QEMU killed${panic:+ (after: $panic)}"
		return 0
	fi
	if [ ! -s "$CUR_TMP/report.json" ]; then
		local why=$CH_ERROR
		[ -z "$panic" ] || why="the guest kernel panicked ($panic); $why"
		[ -z "$CH_EXIT" ] || why="$why (rmapbench exited $CH_EXIT)"
		[ "$rc" -eq 0 ] || why="$why; QEMU exited $rc: $(tail -n 1 "$CUR_TMP/qemu.log" 2>/dev/null)"
		[ "${CH_EXIT:-}" != 2 ] || BAD_INPUT=1
		guest_fail "$why"
		return 0
	fi
	if have_python; then
		if ! python3 "$RB_ROOT/scripts/guest/check-report.py" check "$CUR_TMP/report.json" \
			--release "$K_RELEASE" 2>"$CUR_TMP/error.txt"; then
			guest_fail "invalid report: $(cat "$CUR_TMP/error.txt")"
			return 0
		fi
		rm -f -- "$CUR_TMP/error.txt"
		accel_got=$(python3 -c 'import json,sys; print((json.load(open(sys.argv[1])).get("machine") or {}).get("accel"))' "$CUR_TMP/report.json")
		[ "$accel_got" = "$(accel_label "$GUEST_ACCEL")" ] ||
			rb_msg "warning: the report says machine.accel=$accel_got, the guest ran under $(accel_label "$GUEST_ACCEL")"
	else
		rb_msg "warning: no python3: the report was checked for length and checksum only"
	fi
	if [ "${CH_EXIT:-}" != 0 ]; then
		rb_msg "$spec ($K_RELEASE): rmapbench exited ${CH_EXIT:-?} in the guest"
		[ "${CH_EXIT:-}" != 2 ] || BAD_INPUT=1
		result_end .failed
		console_tail "$RESULT_DIR/console.log" 15
		rb_msg "partial results: $RESULT_DIR"
		FAILED=1
		return 0
	fi
	result_end
	[ "$ROUNDS" -gt 1 ] || plot_report "$RESULT_DIR"
	rb_msg "$spec ($K_RELEASE): done in ${QEMU_WALL} s under $(accel_label "$GUEST_ACCEL") (init at ${QEMU_T_INIT:-?} s, report at ${QEMU_T_SEND:-?} s)"
	[ "$ROUNDS" -gt 1 ] || report_summary "$RESULT_DIR/report.json"
	LAST_REPORT=$RESULT_DIR/report.json
	echo "$REPORT_TAG: $RESULT_DIR/report.json"
}

# merge_rounds I: one report of kernel I's rounds (rmapbench merge) in its own
# result directory, beside the per-round ones (listed in rounds.txt).
merge_rounds() {
	local i=$1 files=() rel mrc=0
	mapfile -t files < <(printf '%s' "${KREPORTS[$i]:-}")
	[ ${#files[@]} -gt 0 ] || return 0
	rel=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["kernel"]["release"])' "${files[0]}" 2>/dev/null) || rel=kernel
	result_begin "${LABELS[$i]:+${LABELS[$i]}-}$rel"
	"$RB_ROOT/build/rmapbench" merge -o "$CUR_TMP/report.json" "${files[@]}" || mrc=$?
	if [ "$mrc" -ne 0 ]; then
		rb_msg "${KERNELS[$i]}: merging its ${#files[@]} rounds failed (exit $mrc)"
		rm -rf -- "$CUR_TMP"
		CUR_TMP=
		FAILED=1
		return 0
	fi
	printf '%s\n' "${files[@]%/report.json}" >"$CUR_TMP/rounds.txt"
	result_end
	plot_report "$RESULT_DIR"
	report_summary "$RESULT_DIR/report.json"
	[ ${#files[@]} -eq "$ROUNDS" ] || rb_msg "${KERNELS[$i]}: ${#files[@]} of $ROUNDS rounds produced a report"
	REPORTS+=("$RESULT_DIR/report.json")
	echo "report: $RESULT_DIR/report.json"
}

# Round r runs the kernels forward when r is odd and backward when even
# (A B, B A, A B, ...): a drift of the machine during the run hits every
# kernel alike. Each kernel's rounds are then merged into one report.
KREPORTS=()
REPORT_TAG=report
[ "$ROUNDS" -eq 1 ] || [ "$HOST_ROUNDS" -gt 1 ] || REPORT_TAG="round report"
nk=${#KERNELS[@]}
runs=$((nk * (HOST_ROUNDS > 1 ? 1 : ROUNDS)))
# the workload order of round r: shuffled, the same for every kernel in that round
SHUFFLE_SEED=$(((RANDOM << 15 | RANDOM) % 1000000))
boot=0 t_start=$SECONDS
for ((r = 1; r <= runs / nk; r++)); do
	for ((j = 0; j < nk; j++)); do
		i=$j
		[ $((r % 2)) -eq 1 ] || i=$((nk - 1 - j))
		boot=$((boot + 1))
		CUR_LABEL=${LABELS[$i]} CUR_ROUND=$r CUR_SUFFIX='' LAST_REPORT=''
		RB_GUEST_ARGS=(${RB_BASE_ARGS[@]+"${RB_BASE_ARGS[@]}"})
		[ -z "$CUR_LABEL" ] || RB_GUEST_ARGS+=(--label "$CUR_LABEL")
		if [ "$runs" -gt "$nk" ]; then
			RB_GUEST_ARGS+=(--shuffle-seed "$((SHUFFLE_SEED + r))")
			CUR_SUFFIX=-round$r
			el=$((SECONDS - t_start))
			eta=
			[ "$boot" -eq 1 ] || eta=", ETA $((el * (runs - boot + 1) / (boot - 1))) s"
			rb_msg "round $r/$ROUNDS, run $boot/$runs: ${LABELS[$i]:+${LABELS[$i]}=}${KERNELS[$i]} (elapsed $el s$eta)"
		fi
		if [ "${KERNELS[$i]}" = host ]; then
			run_host "$HOST_ROUNDS"
		else
			run_guest "${KERNELS[$i]}" "$boot" "$i"
		fi
		[ -z "$LAST_REPORT" ] || KREPORTS[i]+="$LAST_REPORT"$'\n'
		[ "$runs" -gt "$nk" ] || [ -z "$LAST_REPORT" ] || REPORTS+=("$LAST_REPORT")
	done
done
if [ "$runs" -gt "$nk" ]; then
	for ((i = 0; i < nk; i++)); do
		merge_rounds "$i"
	done
fi

# --- compare ---------------------------------------------------------------------------

rc=0
if [ ${#KERNELS[@]} -ge 2 ]; then
	if [ ! -x "$RB_ROOT/build/rmapbench" ]; then
		rb_msg "$RB_ROOT/build/rmapbench: missing: cannot compare"
		rc=2
	elif [ ${#REPORTS[@]} -lt 2 ]; then
		rb_msg "fewer than two kernels produced a report: nothing to compare"
	else
		ts=$(date -u +%Y%m%dT%H%M%SZ)
		for ((i = 1; i < ${#REPORTS[@]}; i++)); do
			cdir=$OUT/compare-$ts
			[ ${#REPORTS[@]} -eq 2 ] || cdir=$cdir-$i
			crc=0
			rb_msg "compare ${REPORTS[0]} ${REPORTS[$i]}"
			"$RB_ROOT/build/rmapbench" compare "${REPORTS[0]}" "${REPORTS[$i]}" --out "$cdir" \
				--config "$RB_CONFIG_FILE" || crc=$?
			[ "$crc" -le "$rc" ] || rc=$crc
			if [ "$crc" -le 1 ]; then
				echo "comparison: $cdir"
			else
				rb_msg "compare failed (exit $crc)"
			fi
		done
		[ "$rc" -le 2 ] || rc=2
	fi
fi
if [ "$BAD_INPUT" -eq 1 ]; then
	exit 2
fi
if [ "$FAILED" -eq 1 ]; then
	exit 3
fi
exit "$rc"
}
