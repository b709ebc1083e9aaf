#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Every command a user runs answers --help at once (within 10 s, doing
# nothing else), exit 0, with its exit codes and an example: each
# `rmapbench COMMAND` listed by `rmapbench --help`, run.sh, ci/*.sh and the
# long scripts (validate, soak, fuzz, benchmarks).
. "$(dirname "$0")/lib.sh"

check_help() { # NAME CMD...: NAME is what an example line names
	local name=$1 out rc=0
	shift
	out=$(cd "$TMP" && timeout 10 "$@" --help 2>&1) || rc=$?
	[ $rc -eq 0 ] || fail "$* --help: exit $rc"
	printf '%s\n' "$out" | grep -qi "exit" || fail "$* --help: no exit codes"
	printf '%s\n' "$out" | grep -qiE "^examples?:|^  +(.*/)?$name( |$)" ||
		fail "$* --help: no example"
}

cmds=$("$RMB" --help | sed -n '/^commands:/,/^$/p' | awk 'NR > 1 && NF { print $1 }')
[ "$(printf '%s\n' "$cmds" | wc -l)" -ge 10 ] || fail "rmapbench --help lists: $cmds"
for c in $cmds; do
	check_help "rmapbench $c" "$RMB" "$c"
done
check_help rmapbench "$RMB"
for s in run.sh ci/bisect.sh ci/compare-kernels.sh ci/gather-compare.sh \
	scripts/validate-verdict.sh scripts/validate-exact.sh scripts/soak.sh scripts/fuzz.sh \
	scripts/bench-overhead.sh; do
	check_help "$s" "$ROOT/$s"
done
[ -z "$(ls -A "$TMP")" ] || fail "--help wrote files: $(ls -A "$TMP")"
echo "ok: --help of $(printf '%s\n' "$cmds" | wc -l) commands and 9 scripts"
