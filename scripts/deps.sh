#!/usr/bin/env bash
# Installs the Debian packages rmapbench needs, idempotently: only missing ones,
# and apt-get update only when something is missing.
# Exit: 0 everything installed, 3 something could not be installed.
set -eEuo pipefail
trap 'echo "rmapbench: installing packages failed" >&2; exit 3' ERR

PKGS=(
	make gcc clang llvm pkg-config bpftool
	libbpf-dev libelf-dev zlib1g-dev libzstd-dev   # BPF loading (libbpf static + its deps)
	libjansson-dev                                  # JSON reports and comparisons
	libinih-dev                                     # INI config files
	libgsl-dev                                      # statistics in compare
	nettle-dev                                      # SHA-256 of the kernel config (static libnettle.a too)
	libcmocka-dev valgrind libclang-rt-14-dev      # unit tests, leak checks, fuzzing/ASan
	busybox-static cpio zstd xz-utils kmod procps   # guest initramfs (procps: pgrep in the guest tests)
	qemu-system-x86                                 # booting kernels under test
	gnuplot-nox                                     # graphs
	shellcheck bc python3                          # run.sh lint, benchmark and test scripts
	python3-jsonschema python3-yaml yamllint libxml2-utils  # export tests: KCIDB schema, CI YAML, JUnit XSD
)

missing=()
for p in "${PKGS[@]}"; do
	[[ $p == \#* ]] && continue
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "rmapbench: missing packages: ${missing[*]} (run as root, or: apt-get install ${missing[*]})" >&2
	exit 3
fi
echo "rmapbench: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
