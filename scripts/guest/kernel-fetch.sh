#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# kernel-fetch.sh debian:X.Y
#
# Finds the newest linux-image-X.Y.*-cloud-amd64-unsigned package in the apt
# archive, downloads it with `apt-get download` into the rmapbench cache
# ($RMAPBENCH_CACHE, default ~/.cache/rmapbench), unpacks it there (kernel
# image, config, modules) and prints the unpacked directory on stdout.
# A second call finds it in the cache and does no download. With no network,
# the newest cached package of the series is used (with a note on stderr).
#
# Exit: 0 ok, 2 bad spec or no such package, 3 download/unpack failure.
set -euo pipefail

prog=kernel-fetch.sh
die() { echo "$prog: $*" >&2; exit 3; }
bad() { echo "$prog: $*" >&2; exit 2; }

[ $# -eq 1 ] || bad "usage: $prog debian:X.Y (e.g. debian:6.12)"
spec=$1
[[ $spec =~ ^debian:([0-9]+)\.([0-9]+)$ ]] ||
	bad "$spec: not a Debian kernel spec (expected debian:X.Y, e.g. debian:6.1 or debian:6.12)"
series="${BASH_REMATCH[1]}.${BASH_REMATCH[2]}"
series_re="${BASH_REMATCH[1]}\\.${BASH_REMATCH[2]}"

cache="${RMAPBENCH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/rmapbench}/debian"
mkdir -p "$cache" || die "$cache: cannot create the cache directory"

# Package names look like linux-image-6.1.0-56-cloud-amd64-unsigned and
# linux-image-6.12.117+deb12-cloud-amd64-unsigned.
name_re="^linux-image-${series_re}\\.[0-9]+[-+][0-9a-z.+~-]*-cloud-amd64-unsigned\$"

newest_pkg() {
	apt-cache search --names-only "$name_re" 2>/dev/null | awk '{print $1}' |
		grep -E "$name_re" | sort -V | tail -n 1
}

# The newest complete unpacked directory of this series in the cache, if any.
newest_cached() {
	local d best=
	for d in "$cache"/linux-image-"$series".*_*; do
		[ -f "$d/.complete" ] || continue
		best=$(printf '%s\n%s\n' "$best" "$d" | sed '/^$/d' | sort -V | tail -n 1)
	done
	printf '%s' "$best"
}

pkg=$(newest_pkg || true)
if [ -z "$pkg" ] && [ "$(id -u)" -eq 0 ] && [ -z "${RMAPBENCH_OFFLINE:-}" ]; then
	# apt lists may be missing or stale: refresh once.
	echo "$prog: no $spec package in the apt lists; running apt-get update" >&2
	apt-get update -qq >&2 || true
	pkg=$(newest_pkg || true)
fi
if [ -z "$pkg" ]; then
	cached=$(newest_cached)
	[ -n "$cached" ] || bad "$spec: no linux-image-$series.*-cloud-amd64-unsigned package in the apt archive, and none in $cache"
	echo "$prog: $spec: not in the apt lists; using the cached $(basename "$cached")" >&2
	printf '%s\n' "$cached"
	exit 0
fi

version=$(apt-cache policy "$pkg" 2>/dev/null | awk '/Candidate:/ {print $2; exit}')
if [ -z "$version" ] || [ "$version" = "(none)" ]; then
	bad "$pkg: apt has no candidate version"
fi
dir="$cache/${pkg}_${version//[^0-9A-Za-z.+~-]/_}"

if [ -f "$dir/.complete" ]; then
	printf '%s\n' "$dir"
	exit 0
fi

tmp=$(mktemp -d "$cache/.fetch.XXXXXX")
trap 'rm -rf -- "$tmp"' EXIT
echo "$prog: downloading $pkg $version" >&2
# The download runs as root here; apt's _apt sandbox user could not write
# into a root-owned cache, so keep the sandbox user root for this call.
(cd "$tmp" && apt-get download -q -o APT::Sandbox::User=root "$pkg=$version" >/dev/null) ||
	die "$pkg $version: apt-get download failed"
deb=$(find "$tmp" -maxdepth 1 -name '*.deb' | head -n 1)
[ -n "$deb" ] || die "$pkg: apt-get download produced no .deb"
mkdir "$tmp/root"
dpkg-deb -x "$deb" "$tmp/root" || die "$deb: dpkg-deb -x failed"
rm -f -- "$deb"
rm -rf -- "$tmp/root/usr/share/doc"
rel=$(find "$tmp/root/lib/modules" -mindepth 1 -maxdepth 1 -type d -printf '%f\n' | head -n 1)
if [ -z "$rel" ] || [ ! -f "$tmp/root/boot/vmlinuz-$rel" ]; then
	die "$pkg: no boot/vmlinuz-<release> with lib/modules/<release> in the package"
fi
printf '%s\n' "$pkg $version $rel" >"$tmp/root/.complete"
# Another run may have unpacked the same package meanwhile: keep theirs.
if ! mv -T -- "$tmp/root" "$dir" 2>/dev/null; then
	[ -f "$dir/.complete" ] || die "$dir: exists but is incomplete; remove it and retry"
fi
printf '%s\n' "$dir"
