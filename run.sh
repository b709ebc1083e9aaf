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
usage: ./run.sh [--kernel SPEC]... [--config FILE] [--workload NAME[,NAME]] [--reps N]
                [--set WORKLOAD.PARAM=VALUE]... [--out DIR] [--mem MB] [--cpus N]
                [--timeout S] [--accel auto|kvm|tcg] [-v]
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
  --config FILE    suite configuration (INI); default configs/default.conf
  --workload LIST  only these workloads (comma-separated)
  --reps N         repetitions per workload
  --set W.P=V      override one workload parameter (repeatable)
  --out DIR        where result directories go (default results/)
  --mem MB         guest memory (default 1024)
  --cpus N         guest CPUs (default 2)
  --timeout S      hard limit per guest boot, seconds (default 600)
  --accel A        auto (default: KVM if it can boot a stock kernel here,
                   else TCG), kvm or tcg
  -v               verbose: rmapbench -v, and the guest console as it runs

Exit: 0 done (no regression), 1 regression found by compare, 2 bad input or
compare error, 3 a kernel's run failed (timeout, panic, no or bad report).
EOF
}

# --- arguments -----------------------------------------------------------------

KERNELS=() SETS=()
RB_CONFIG_FILE='' WORKLOADS='' REPS='' OUT='' RB_MEM=1024 RB_CPUS=2 RB_TIMEOUT=600
RB_ACCEL=${RMAPBENCH_ACCEL:-auto} RB_VERBOSE=0

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
	--kernel | --config | --workload | --reps | --set | --out | --mem | --cpus | --timeout | --accel)
		need_arg "$@"
		case $1 in
		--kernel) KERNELS+=("$2") ;;
		--config) RB_CONFIG_FILE=$2 ;;
		--workload) WORKLOADS=$2 ;;
		--reps) REPS=$2 ;;
		--set) SETS+=("$2") ;;
		--out) OUT=$2 ;;
		--mem) RB_MEM=$2 ;;
		--cpus) RB_CPUS=$2 ;;
		--timeout) RB_TIMEOUT=$2 ;;
		--accel) RB_ACCEL=$2 ;;
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
RB_CONFIG_FILE=${RB_CONFIG_FILE:-$RB_ROOT/configs/default.conf}
if [ ! -f "$RB_CONFIG_FILE" ] || [ ! -r "$RB_CONFIG_FILE" ]; then
	rb_bad "$RB_CONFIG_FILE: no such readable config file"
fi
if [ -n "$REPS" ]; then
	in_range "$REPS" 1 1000000 || rb_bad "--reps $REPS: not a positive integer"
fi
if [ -n "$WORKLOADS" ]; then
	[[ $WORKLOADS =~ ^[A-Za-z0-9_-]+(,[A-Za-z0-9_-]+)*$ ]] || rb_bad "--workload $WORKLOADS: not a comma-separated list of workload names"
fi
for s in ${SETS[@]+"${SETS[@]}"}; do
	[[ $s =~ ^[A-Za-z0-9_-]+\.[A-Za-z0-9_]+=[^[:space:]]+$ ]] || rb_bad "--set $s: expected WORKLOAD.PARAM=VALUE"
done
in_range "$RB_MEM" 256 65536 || rb_bad "--mem $RB_MEM: not a size in MB between 256 and 65536"
in_range "$RB_CPUS" 1 64 || rb_bad "--cpus $RB_CPUS: not a CPU count between 1 and 64"
in_range "$RB_TIMEOUT" 1 999999 || rb_bad "--timeout $RB_TIMEOUT: not a positive number of seconds"
case $RB_ACCEL in auto | kvm | tcg) ;; *) rb_bad "--accel $RB_ACCEL: expected auto, kvm or tcg" ;; esac
case ${RMAPBENCH_TCG_THREAD:-single} in single | multi) ;; *) rb_bad "RMAPBENCH_TCG_THREAD=$RMAPBENCH_TCG_THREAD: expected single or multi" ;; esac
in_range "${RMAPBENCH_KVM_TRIAL_TIMEOUT:-30}" 1 3600 ||
	rb_bad "RMAPBENCH_KVM_TRIAL_TIMEOUT=$RMAPBENCH_KVM_TRIAL_TIMEOUT: not a number of seconds"

need_host=0 need_guest=0 need_static=0
for k in "${KERNELS[@]}"; do
	case $k in
	host) need_host=1 need_static=1 ;;
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
[ ${#KERNELS[@]} -lt 2 ] || need_host=1 # compare runs build/rmapbench

OUT=${OUT:-$RB_ROOT/results}
mkdir -p -- "$OUT" 2>/dev/null || rb_bad "--out $OUT: cannot create the directory"
if [ ! -d "$OUT" ] || [ ! -w "$OUT" ]; then rb_bad "--out $OUT: not a writable directory"; fi
OUT=$(cd -- "$OUT" && pwd)

# Arguments rmapbench gets after `run --config FILE --json FILE`.
RB_GUEST_ARGS=()
[ -z "$WORKLOADS" ] || RB_GUEST_ARGS+=(--workload "$WORKLOADS")
[ -z "$REPS" ] || RB_GUEST_ARGS+=(--reps "$REPS")
for s in ${SETS[@]+"${SETS[@]}"}; do RB_GUEST_ARGS+=(--set "$s"); done
[ "$RB_VERBOSE" -eq 0 ] || RB_GUEST_ARGS+=(-v)

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

[ "$need_host" -eq 0 ] || build_host
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

run_host() {
	local rc=0 rel
	rel=$(uname -r)
	result_begin "$rel"
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
	plot_report "$RESULT_DIR"
	report_summary "$RESULT_DIR/report.json"
	REPORTS+=("$RESULT_DIR/report.json")
	echo "report: $RESULT_DIR/report.json"
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

run_guest() {
	local spec=$1 idx=$2 rc=0 t0 t1 accel_got panic
	if ! kernel_resolve "$spec"; then
		rb_msg "$spec: cannot get this kernel"
		FAILED=1
		return 0
	fi
	result_begin "$K_RELEASE"
	RB_INITRD=$RB_WORK/initrd-$idx.cpio.gz
	t0=$(date +%s.%N)
	initramfs_build "$RB_INITRD" || rb_die "$spec: building the initramfs failed"
	t1=$(date +%s.%N)
	[ -n "${GUEST_ACCEL:-}" ] || guest_choose_accel
	rb_msg "$spec: booting $K_RELEASE under $GUEST_ACCEL (${RB_MEM} MB, ${RB_CPUS} CPUs, timeout ${RB_TIMEOUT} s)"
	qemu_run "$GUEST_ACCEL" "$RB_TIMEOUT" "$CUR_TMP/console.log" "$RB_WORK/channel-$idx.raw" \
		"$CUR_TMP/qemu.log" || rc=$?
	[ -s "$CUR_TMP/qemu.log" ] || rm -f -- "$CUR_TMP/qemu.log"
	channel_parse "$RB_WORK/channel-$idx.raw" "$CUR_TMP/report.json" || true
	{
		printf 'spec=%s\nimage=%s\nrelease=%s\naccel=%s\nmem_mb=%s\ncpus=%s\n' \
			"$K_SPEC" "$K_IMAGE" "$K_RELEASE" "$GUEST_ACCEL" "$RB_MEM" "$RB_CPUS"
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
		[ "$accel_got" = "$GUEST_ACCEL" ] ||
			rb_msg "warning: the report says machine.accel=$accel_got, the guest ran under $GUEST_ACCEL"
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
	plot_report "$RESULT_DIR"
	rb_msg "$spec ($K_RELEASE): done in ${QEMU_WALL} s under $GUEST_ACCEL (init at ${QEMU_T_INIT:-?} s, report at ${QEMU_T_SEND:-?} s)"
	report_summary "$RESULT_DIR/report.json"
	REPORTS+=("$RESULT_DIR/report.json")
	echo "report: $RESULT_DIR/report.json"
}

idx=0
for k in "${KERNELS[@]}"; do
	idx=$((idx + 1))
	if [ "$k" = host ]; then
		run_host
	else
		run_guest "$k" "$idx"
	fi
done

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
