# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# shellcheck disable=SC2034 # K_*, CH_*, GUEST_ACCEL, QEMU_* are the caller's
#
# Guest runner library, sourced by run.sh: resolves kernel specs, builds the
# initramfs, chooses the accelerator, boots QEMU under a hard timeout and
# takes the report back from the second serial port.
#
# Needs from the caller: RB_ROOT (repository root) and RB_WORK (a private
# temporary directory that the caller removes). Sets no traps itself; the
# caller's trap calls guest_kill_qemu.

RB_PROG=${RB_PROG:-run.sh}
RB_CACHE=${RMAPBENCH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/rmapbench}
QEMU=${QEMU:-qemu-system-x86_64}
QEMU_PID=
TAIL_PID=

rb_msg() { printf '%s: %s\n' "$RB_PROG" "$*" >&2; }
rb_vmsg() { if [ "${RB_VERBOSE:-0}" -ne 0 ]; then rb_msg "$@"; fi; }
# Failure of a run, a build, a download (not of the input): exit 3. Never 1,
# which means "regression" (README, Exit codes).
rb_die() { rb_msg "$*"; exit 3; }
# Bad input (a spec, a path, an option value): exit 2.
rb_bad() { rb_msg "$*"; exit 2; }

# --- kernel specs -------------------------------------------------------------

# The version string of a bzImage, from its setup header: the 16-bit
# kernel_version field at 0x20e points (from 0x200) to "RELEASE (user@host) #1 ...".
bzimage_release() {
	local img=$1 magic off
	magic=$(dd if="$img" bs=1 skip=514 count=4 2>/dev/null) || return 1
	[ "$magic" = HdrS ] || return 1
	off=$(od -An -tu2 -j526 -N2 "$img" | tr -d ' ')
	[ -n "$off" ] && [ "$off" -gt 0 ] || return 1
	dd if="$img" bs=1 skip=$((off + 512)) count=200 2>/dev/null |
		tr '\0' '\n' | head -n 1 | cut -d' ' -f1
}

# kernel_resolve SPEC: sets
#   K_SPEC     the spec as given
#   K_IMAGE    kernel image to boot
#   K_RELEASE  its release (uname -r)
#   K_MODSRC   where its modules are: a lib/modules/<release> directory, a
#              kernel build tree, or empty (none; built-in drivers only)
#   K_CONFIG   its .config, or empty when unknown
#   K_VMLINUX  vmlinux of a build tree, or empty
kernel_resolve() {
	local spec=$1 dir tree
	K_SPEC=$spec K_IMAGE='' K_RELEASE='' K_MODSRC='' K_CONFIG='' K_VMLINUX=''
	case $spec in
	debian:*)
		dir=$("$RB_ROOT/scripts/guest/kernel-fetch.sh" "$spec") || return $?
		K_RELEASE=$(find "$dir/lib/modules" -mindepth 1 -maxdepth 1 -type d -printf '%f\n' | head -n 1)
		K_IMAGE=$dir/boot/vmlinuz-$K_RELEASE
		K_MODSRC=$dir/lib/modules/$K_RELEASE
		K_CONFIG=$dir/boot/config-$K_RELEASE
		;;
	*)
		if [ -d "$spec" ]; then
			tree=$spec
			K_IMAGE=$tree/arch/x86/boot/bzImage
			[ -f "$K_IMAGE" ] || rb_bad "$spec: a directory without arch/x86/boot/bzImage (build it with: make -C '$spec' bzImage)"
		elif [ -f "$spec" ]; then
			K_IMAGE=$spec
			tree=
			# .../arch/x86/boot/bzImage of a build tree: use the tree.
			case $(realpath -- "$spec") in
			*/arch/x86/boot/bzImage)
				tree=$(realpath -- "$spec")
				tree=${tree%/arch/x86/boot/bzImage}
				[ -f "$tree/.config" ] || tree=
				;;
			esac
		else
			rb_bad "$spec: no such file or directory (a kernel spec is host, debian:X.Y, a bzImage or a kernel build tree)"
		fi
		[ -r "$K_IMAGE" ] || rb_bad "$K_IMAGE: not readable"
		K_RELEASE=$(bzimage_release "$K_IMAGE") || true
		[ -n "$K_RELEASE" ] || rb_bad "$K_IMAGE: not an x86 bzImage (no HdrS setup header)"
		if [ -n "$tree" ]; then
			K_MODSRC=$tree
			K_CONFIG=$tree/.config
			[ -f "$tree/vmlinux" ] && K_VMLINUX=$tree/vmlinux
			if [ -f "$tree/include/config/kernel.release" ] &&
				[ "$(cat "$tree/include/config/kernel.release")" != "$K_RELEASE" ]; then
				rb_msg "warning: $tree: include/config/kernel.release says $(cat "$tree/include/config/kernel.release"), the bzImage says $K_RELEASE (stale bzImage?)"
			fi
		elif [ -d "/lib/modules/$K_RELEASE/kernel" ]; then
			# An installed kernel (e.g. /boot/vmlinuz-R): its modules are here.
			K_MODSRC=/lib/modules/$K_RELEASE
			[ -f "/boot/config-$K_RELEASE" ] && K_CONFIG=/boot/config-$K_RELEASE
		fi
		;;
	esac
	[ -f "$K_IMAGE" ] || rb_die "$spec: kernel image $K_IMAGE missing"
	return 0
}

# kconfig NAME: value of CONFIG_NAME in K_CONFIG ("y", "m", a string without
# quotes), empty when unset or unknown.
kconfig() {
	[ -n "$K_CONFIG" ] && [ -f "$K_CONFIG" ] || return 0
	sed -n "s/^CONFIG_$1=\"\\{0,1\\}\\([^\"]*\\)\"\\{0,1\\}\$/\\1/p" "$K_CONFIG" | head -n 1
}

# --- modules --------------------------------------------------------------------

declare -A MOD_PATH=() MOD_SEEN=()
MOD_ORDER=()

# Index every module file of K_MODSRC by normalised name (- and _ alike).
mod_index() {
	local f n
	MOD_PATH=() MOD_SEEN=() MOD_ORDER=()
	[ -n "$K_MODSRC" ] || return 0
	while IFS= read -r -d '' f; do
		n=${f##*/}
		n=${n%%.ko*}
		MOD_PATH[${n//-/_}]=$f
	done < <(find "$K_MODSRC" \( -name .git -prune \) -o -type f \
		\( -name '*.ko' -o -name '*.ko.xz' -o -name '*.ko.zst' -o -name '*.ko.gz' \) -print0)
}

# mod_add NAME: NAME and (first) its dependencies, once, into MOD_ORDER.
mod_add() {
	local n=${1//-/_} f deps d
	[ -n "${MOD_SEEN[$n]+x}" ] && return 0
	MOD_SEEN[$n]=1
	f=${MOD_PATH[$n]:-}
	[ -n "$f" ] || return 1
	deps=$(modinfo -F depends "$f" 2>/dev/null) || deps=
	for d in ${deps//,/ }; do
		mod_add "$d" || rb_msg "warning: module $n needs $d, which is neither a module here nor known"
	done
	MOD_ORDER+=("$n")
}

# The modules the guest run needs: zram (swap for reclaim workloads) and the
# compressor it uses by default. Built-in drivers need nothing; the serial
# ports the runner talks over are 8250, built into every x86 config worth
# booting (SERIAL_8250_CONSOLE=y), so no virtio module is needed.
guest_modules() {
	local zram comp c
	mod_index
	[ -n "$K_MODSRC" ] || return 0
	zram=$(kconfig ZRAM)
	if [ "$zram" = y ]; then
		return 0
	fi
	mod_add zram || { rb_vmsg "$K_RELEASE: no zram module: the guest has no zram"; return 0; }
	comp=$(kconfig ZRAM_DEF_COMP)
	# Before 6.12 zram compresses through the crypto API, which loads the
	# algorithm's module on demand (no modprobe in the guest: load it first).
	for c in ${comp:-lzo-rle lzo lz4 zstd}; do
		mod_add "$c" || true
	done
}

# --- initramfs --------------------------------------------------------------------

# initramfs_build OUT: packs the guest root for K_* into OUT (cpio newc, gzip).
# Needs RB_GUEST_BIN (static rmapbench, or empty with RB_GUEST_INIT),
# RB_CONFIG_FILE and RB_GUEST_ARGS (array).
initramfs_build() {
	local out=$1 root=$RB_WORK/root a n f btf
	rm -rf -- "$root"
	mkdir -p "$root"/{bin,dev,proc,sys,tmp,run,etc/rmapbench,lib/modules,boot} || return 1
	cp -- "$(command -v busybox)" "$root/bin/busybox" || return 1
	"$root/bin/busybox" --list | while IFS= read -r a; do
		[ "$a" = busybox ] || ln -s busybox "$root/bin/$a"
	done
	if [ -n "${RB_GUEST_INIT:-}" ]; then
		cp -- "$RB_GUEST_INIT" "$root/init" || return 1
	else
		cp -- "$RB_ROOT/scripts/guest/init" "$root/init" || return 1
	fi
	chmod 755 "$root/init"
	if [ -n "${RB_GUEST_BIN:-}" ]; then
		cp -- "$RB_GUEST_BIN" "$root/bin/rmapbench" || return 1
		chmod 755 "$root/bin/rmapbench"
	fi
	cp -- "$RB_CONFIG_FILE" "$root/etc/rmapbench/run.conf" || return 1
	: >"$root/etc/rmapbench/args"
	for a in "${RB_GUEST_ARGS[@]}"; do
		printf '%s\n' "$a" >>"$root/etc/rmapbench/args"
	done

	guest_modules
	: >"$root/etc/rmapbench/modules"
	for n in "${MOD_ORDER[@]}"; do
		f=${MOD_PATH[$n]}
		case $f in
		*.ko.xz) xz -dc -- "$f" ;;
		*.ko.zst) zstd -qdc -- "$f" ;;
		*.ko.gz) gzip -dc -- "$f" ;;
		*) cat -- "$f" ;;
		esac >"$root/lib/modules/$n.ko" || { rb_msg "$f: cannot decompress"; return 1; }
		# zram: no device yet; rmapbench makes its own with hot_add.
		if [ "$n" = zram ]; then
			printf '%s num_devices=0\n' "$n"
		else
			printf '%s\n' "$n"
		fi >>"$root/etc/rmapbench/modules"
	done
	[ ${#MOD_ORDER[@]} -eq 0 ] || rb_vmsg "$K_RELEASE: modules: ${MOD_ORDER[*]}"

	# A kernel without BTF: CO-RE relocations can use BTF generated from the
	# build tree's vmlinux (DWARF) by pahole; libbpf looks in /boot/vmlinux-R.
	if [ -n "$K_CONFIG" ] && [ "$(kconfig DEBUG_INFO_BTF)" != y ]; then
		btf=$root/boot/vmlinux-$K_RELEASE
		if [ -n "$K_VMLINUX" ] && command -v pahole >/dev/null &&
			pahole --btf_encode_detached="$btf" "$K_VMLINUX" >/dev/null 2>&1; then
			rb_msg "$K_RELEASE: no DEBUG_INFO_BTF; packed BTF generated from $K_VMLINUX (fentry programs still need the kernel's own BTF)"
		else
			rm -f -- "$btf"
			rb_msg "warning: $K_RELEASE: built without CONFIG_DEBUG_INFO_BTF and no BTF could be made from vmlinux (needs vmlinux with DWARF and pahole): BPF probes will be unavailable in the guest"
		fi
	fi

	(cd "$root" && find . -print0 | LC_ALL=C sort -z |
		cpio --null -o -H newc -R 0:0 --quiet) | gzip -1 >"$out.tmp" || return 1
	mv -- "$out.tmp" "$out"
}

# elapsed_since T0: seconds (2 decimals) since T0 (date +%s.%N).
elapsed_since() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN {printf "%.2f", b - a}'; }

# --- QEMU -------------------------------------------------------------------------

# Kills the running QEMU (its process group) and waits for it.
guest_kill_qemu() {
	local pid=$QEMU_PID i
	[ -n "$pid" ] || return 0
	QEMU_PID=
	kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
	for i in 1 2 3 4 5 6 7 8 9 10; do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.2
	done
	kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	if [ -n "$TAIL_PID" ]; then
		kill "$TAIL_PID" 2>/dev/null || true
		wait "$TAIL_PID" 2>/dev/null || true
		TAIL_PID=
	fi
}

# accel_label ACCEL: machine.accel of a guest run under ACCEL: under TCG with
# the instruction-counting clock (RB_TCG_CLOCK=icount, the default) it is
# tcg-icount, so compare never judges its timings against the host-clock kind.
accel_label() {
	if [ "$1" = tcg ] && [ "${RB_TCG_CLOCK:-icount}" = icount ]; then
		echo tcg-icount
	else
		echo "$1"
	fi
}

# qemu_run ACCEL TIMEOUT CONSOLE CHANNEL ERRFILE [EXTRA-APPEND]: boots
# K_IMAGE with RB_INITRD under a hard timeout. Returns QEMU's exit code, 124
# on timeout, 125 when KVM failed (internal error). Sets QEMU_WALL (seconds).
qemu_run() {
	local accel=$1 timeout=$2 console=$3 channel=$4 errf=$5 extra=${6:-} deadline rc=0 t0
	local -a args
	args=(-nodefaults -no-user-config -display none -monitor none -no-reboot
		-m "${RB_MEM:-1024}" -smp "${RB_CPUS:-2}"
		-kernel "$K_IMAGE" -initrd "$RB_INITRD"
		-append "console=ttyS0 panic=-1 quiet slab_nomerge rmapbench.accel=$(accel_label "$accel")${extra:+ $extra}"
		-serial "file:$console" -serial "file:$channel")
	case $accel in
	kvm) args+=(-accel kvm -cpu host) ;;
	*)
		args+=(-accel "tcg,thread=${RMAPBENCH_TCG_THREAD:-single}" -cpu max)
		# the guest clock counts instructions: timings independent of host load
		[ "$(accel_label "$accel")" != tcg-icount ] || args+=(-icount shift=0,sleep=off,align=off)
		;;
	esac
	: >"$console"
	: >"$channel"
	QEMU_CMDLINE=$(printf '%q ' "$QEMU" "${args[@]}")
	QEMU_T_INIT='' QEMU_T_SEND=''
	t0=$(date +%s.%N)
	# setsid: QEMU leads its own process group, killed as a whole.
	setsid "$QEMU" "${args[@]}" </dev/null >"$errf" 2>&1 &
	QEMU_PID=$!
	if [ "${RB_VERBOSE:-0}" -ne 0 ] && [ -z "${RB_QUIET_CONSOLE:-}" ]; then
		tail -n +1 -f --pid="$QEMU_PID" -- "$console" >&2 &
		TAIL_PID=$!
	fi
	deadline=$((SECONDS + timeout))
	while kill -0 "$QEMU_PID" 2>/dev/null; do
		if [ "$SECONDS" -ge "$deadline" ]; then
			rc=124
			break
		fi
		if [ "$accel" = kvm ] && grep -q 'KVM internal error' "$errf" 2>/dev/null; then
			rc=125
			break
		fi
		# Host-side milestones (guest clocks under TCG are not wall time):
		# init started, first byte on the report port.
		if [ -z "$QEMU_T_INIT" ] && grep -qa 'rmapbench-guest: up' "$console" 2>/dev/null; then
			QEMU_T_INIT=$(elapsed_since "$t0")
		fi
		if [ -z "$QEMU_T_SEND" ] && [ -s "$channel" ]; then
			QEMU_T_SEND=$(elapsed_since "$t0")
		fi
		sleep 0.2
	done
	if [ "$rc" -ne 0 ]; then
		guest_kill_qemu
	else
		wait "$QEMU_PID" || rc=$?
		QEMU_PID=
		if [ -n "$TAIL_PID" ]; then
			wait "$TAIL_PID" 2>/dev/null || true
			TAIL_PID=
		fi
	fi
	QEMU_WALL=$(elapsed_since "$t0")
	return "$rc"
}

# The accelerator: RB_ACCEL (auto|kvm|tcg). auto = KVM when a time-bounded
# trial boot of the current K_IMAGE under KVM reaches init, else TCG. The
# verdict is cached per machine (machine id, host kernel, QEMU version).
guest_choose_accel() {
	local key vfile verdict reason probe=$RB_WORK/kvm-probe saved_initrd=${RB_INITRD:-} rc=0
	case ${RB_ACCEL:-auto} in
	kvm | tcg) GUEST_ACCEL=$RB_ACCEL; return 0 ;;
	esac
	if [ ! -c /dev/kvm ] || [ ! -w /dev/kvm ]; then
		GUEST_ACCEL=tcg
		rb_vmsg "no usable /dev/kvm: TCG"
		return 0
	fi
	key=$({
		cat /etc/machine-id 2>/dev/null || hostname
		uname -r
		"$QEMU" --version | head -n 1
	} | sha256sum | cut -c1-16)
	vfile=$RB_CACHE/kvm-verdict-$key
	if [ -f "$vfile" ]; then
		read -r verdict reason <"$vfile" || true
		case $verdict in
		kvm | tcg)
			GUEST_ACCEL=$verdict
			rb_vmsg "accelerator $verdict (cached verdict in $vfile${reason:+: $reason})"
			return 0
			;;
		esac
	fi
	# The trial: a busybox init that prints a marker and powers off.
	mkdir -p "$probe/root/bin" "$probe/root/dev" "$probe/root/proc"
	cp -- "$(command -v busybox)" "$probe/root/bin/busybox"
	printf '#!/bin/busybox sh\n/bin/busybox echo RMAPBENCH-KVM-OK\n/bin/busybox poweroff -f\n' >"$probe/root/init"
	chmod 755 "$probe/root/init"
	(cd "$probe/root" && find . | cpio -o -H newc -R 0:0 --quiet) | gzip -1 >"$probe/initrd.gz"
	RB_INITRD=$probe/initrd.gz
	rb_msg "trying KVM with $K_RELEASE (at most ${RMAPBENCH_KVM_TRIAL_TIMEOUT:-30} s)"
	RB_QUIET_CONSOLE=1 qemu_run kvm "${RMAPBENCH_KVM_TRIAL_TIMEOUT:-30}" "$probe/console.log" /dev/null "$probe/qemu.err" || rc=$?
	RB_INITRD=$saved_initrd
	if [ "$rc" -eq 0 ] && grep -q RMAPBENCH-KVM-OK "$probe/console.log"; then
		verdict=kvm reason="booted $K_RELEASE in ${QEMU_WALL}s"
	elif [ "$rc" -eq 125 ]; then
		verdict=tcg reason="KVM internal error booting $K_RELEASE (a hypervisor that cannot run stock kernels)"
	elif [ "$rc" -eq 124 ]; then
		verdict=tcg reason="KVM trial boot of $K_RELEASE hung"
	else
		verdict=tcg reason="KVM trial boot of $K_RELEASE failed: $(tail -n 1 "$probe/qemu.err" 2>/dev/null)"
	fi
	GUEST_ACCEL=$verdict
	rb_msg "accelerator: $verdict ($reason)"
	# Cache only what says something about the machine: a boot, or KVM's own
	# failure. A hang or a QEMU error may be this kernel's fault.
	if [ "$verdict" = kvm ] || [ "$rc" -eq 125 ]; then
		mkdir -p "$RB_CACHE" && printf '%s %s\n' "$verdict" "$reason" >"$vfile.tmp" &&
			mv -- "$vfile.tmp" "$vfile"
	fi
	return 0
}

# --- the report channel -------------------------------------------------------------

# channel_parse CHANNEL OUTJSON: checks the frame, length, checksum and
# decompresses the report into OUTJSON. Sets CH_EXIT (guest rmapbench exit
# code, empty if never sent), CH_TIMES, CH_ERROR (why there is no report).
channel_parse() {
	local ch=$1 out=$2 hdr off magic ver enc plen jlen sum start trailer got
	CH_EXIT='' CH_TIMES='' CH_ERROR=''
	rm -f -- "$out"
	if [ ! -s "$ch" ]; then
		CH_ERROR="the guest sent nothing on the report port"
		return 1
	fi
	hdr=$(grep -a -m1 '^BEGIN rmapbench-report ' -- "$ch" || true)
	if [ -z "$hdr" ]; then
		CH_EXIT=$(grep -a -m1 '^EXIT ' -- "$ch" | cut -d' ' -f2 || true)
		CH_TIMES=$(grep -a -m1 '^TIMES ' -- "$ch" | cut -d' ' -f2- || true)
		CH_ERROR="the guest sent no report"
		return 1
	fi
	off=$(grep -a -b -m1 '^BEGIN rmapbench-report ' -- "$ch" | cut -d: -f1)
	read -r magic _ ver enc plen jlen sum <<<"$hdr"
	if [ "$magic" != BEGIN ] || [ "$ver" != 1 ] || [ "$enc" != gzip ] ||
		! [[ $plen =~ ^[0-9]+$ && $jlen =~ ^[0-9]+$ && $sum =~ ^[0-9a-f]{64}$ ]]; then
		CH_ERROR="bad report header: $hdr"
		return 1
	fi
	start=$((off + ${#hdr} + 2))
	tail -c +"$start" -- "$ch" | head -c "$plen" >"$out.gz"
	got=$(stat -c %s -- "$out.gz")
	if [ "$got" -ne "$plen" ]; then
		CH_ERROR="report truncated: $got of $plen bytes arrived"
		return 1
	fi
	trailer=$(tail -c +"$((start + plen))" -- "$ch" | head -c 4096 | tr -d '\r')
	if [ "$(printf '%s' "$trailer" | sed -n 2p)" != "END rmapbench-report" ]; then
		CH_ERROR="report frame not closed (no END line after $plen bytes)"
		return 1
	fi
	CH_TIMES=$(printf '%s\n' "$trailer" | sed -n 's/^TIMES //p' | head -n 1)
	CH_EXIT=$(printf '%s\n' "$trailer" | sed -n 's/^EXIT //p' | head -n 1)
	if ! gzip -dc <"$out.gz" >"$out.tmp" 2>/dev/null; then
		CH_ERROR="report payload is not valid gzip"
		rm -f -- "$out.gz" "$out.tmp"
		return 1
	fi
	rm -f -- "$out.gz"
	got=$(stat -c %s -- "$out.tmp")
	if [ "$got" -ne "$jlen" ]; then
		CH_ERROR="report length $got, header says $jlen"
		rm -f -- "$out.tmp"
		return 1
	fi
	if [ "$(sha256sum <"$out.tmp" | cut -d' ' -f1)" != "$sum" ]; then
		CH_ERROR="report checksum mismatch"
		rm -f -- "$out.tmp"
		return 1
	fi
	mv -- "$out.tmp" "$out"
}

# console_tail FILE [N]: the last N (20) lines of a console log, indented.
console_tail() {
	local n=${2:-20}
	if [ -s "$1" ]; then
		echo "--- last $n lines of $1 ---" >&2
		tail -n "$n" -- "$1" | tr -d '\r' | sed 's/^/  /' >&2
		echo "---" >&2
	else
		echo "(the console log $1 is empty)" >&2
	fi
}
