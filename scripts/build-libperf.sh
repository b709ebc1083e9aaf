#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Builds libperf (tools/lib/perf) and the libapi it needs from Debian's
# linux-source-6.12 package, which is the only packaged copy of it.
#
#   build/libperf-src/          only tools/, scripts/ and the top Makefile
#   build/libperf/lib/          libperf.a libapi.a
#   build/libperf/include/      perf/*.h (libperf's public headers)
#   build/libperf/.stamp        source tarball it was built from
#
# Idempotent: a second run with the stamp in place does nothing. Installs
# linux-source-6.12 with apt-get when the tarball is missing (root only).
# Both libraries are position-independent archives: they link into the
# dynamic and the static (make STATIC=1) rmapbench alike.
# Exit: 0 built (or already there), 3 failed.
set -eEuo pipefail
trap 'echo "build-libperf: failed" >&2; exit 3' ERR

ROOT=$(cd "$(dirname "$0")/.." && pwd)
PKG=${LIBPERF_SOURCE_PKG:-linux-source-6.12}
TARBALL=/usr/src/$PKG.tar.xz
SRC=$ROOT/build/libperf-src
OUT=$ROOT/build/libperf
STAMP=$OUT/.stamp

say() { echo "build-libperf: $*" >&2; }

built() {
	[ -f "$STAMP" ] && [ -f "$OUT/lib/libperf.a" ] && [ -f "$OUT/lib/libapi.a" ] &&
		[ -f "$OUT/include/perf/evsel.h" ] && [ "$(cat "$STAMP")" = "$TARBALL" ]
}

install_source() {
	[ -f "$TARBALL" ] && return 0
	if [ "$(id -u)" -ne 0 ]; then
		say "$TARBALL missing; run as root or: apt-get install $PKG"
		exit 3
	fi
	say "installing $PKG"
	export DEBIAN_FRONTEND=noninteractive
	if ! apt-get install -y -qq --no-install-recommends "$PKG" >/dev/null 2>&1; then
		apt-get update -qq
		apt-get install -y -qq --no-install-recommends "$PKG" >/dev/null
	fi
	[ -f "$TARBALL" ] || { say "$PKG installed no $TARBALL"; exit 3; }
}

extract() {
	local top

	top=$(basename "$TARBALL" .tar.xz)
	rm -rf "$SRC" "$SRC.tmp"
	mkdir -p "$SRC.tmp"
	say "extracting tools/ scripts/ Makefile of $TARBALL"
	tar -xf "$TARBALL" -C "$SRC.tmp" --strip-components=1 \
		"$top/tools" "$top/scripts" "$top/Makefile"
	mv "$SRC.tmp" "$SRC"
}

build() {
	local jobs

	jobs=$(nproc 2>/dev/null || echo 2)
	rm -rf "$OUT"
	mkdir -p "$OUT/lib" "$OUT/include" "$OUT/obj/perf/" "$OUT/obj/api/"
	say "building libapi.a and libperf.a"
	# both Makefiles compile with -fPIC: the archives also serve PIE links
	make -s -j"$jobs" -C "$SRC/tools/lib/api" OUTPUT="$OUT/obj/api/" \
		"$OUT/obj/api/libapi.a" >/dev/null
	make -s -j"$jobs" -C "$SRC/tools/lib/perf" OUTPUT="$OUT/obj/perf/" \
		"$OUT/obj/perf/libperf.a" >/dev/null
	cp "$OUT/obj/api/libapi.a" "$OUT/obj/perf/libperf.a" "$OUT/lib/"
	cp -r "$SRC/tools/lib/perf/include/perf" "$OUT/include/"
	echo "$TARBALL" >"$STAMP"
}

main() {
	if built; then
		exit 0
	fi
	install_source
	[ -f "$SRC/tools/lib/perf/Makefile" ] || extract
	build
	say "done: $OUT/lib/libperf.a $OUT/lib/libapi.a"
}

main "$@"
