#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The include rules of docs/architecture.md ("Who may include whom"), checked
# by scripts/check-layers.py: no layer includes a header it may not, no
# include cycle between files. The checker is shown to catch both on a copy
# of the tree with one violation and one cycle put in.
# shellcheck source-path=SCRIPTDIR source=../integration/lib.sh
. "$(dirname "$0")/../integration/lib.sh"

out=$(python3 "$ROOT/scripts/check-layers.py" -v) || fail "layering violations:
$out"
case $out in *"0 violations, 0 include cycles"*) ;; *) fail "unexpected: $out" ;; esac

mkdir -p "$TMP/tree/scripts"
cp -r "$ROOT/bench" "$ROOT/workloads" "$ROOT/report" "$ROOT/bpf" "$TMP/tree/"
# bench/ including a report/ header; list.h's file including summary.h's
# while summary.c includes list.h: a cycle
sed -i '0,/#include "/s//#include "compare.h"\n#include "/' "$TMP/tree/bench/stat.c"
echo '#include "summary.h"' >>"$TMP/tree/bench/list.c"
echo '#include "list.h"' >>"$TMP/tree/bench/summary.c"
rc=0
bad=$(python3 "$ROOT/scripts/check-layers.py" --root "$TMP/tree") || rc=$?
[ $rc -eq 1 ] || fail "check-layers exit $rc on a broken tree, want 1"
printf '%s\n' "$bad" | grep -q "bench/stat.c: includes report/compare.h" ||
	fail "bench/ including report/ not caught: $bad"
printf '%s\n' "$bad" | grep -q "include cycle between files: .*bench/list.*bench/summary" ||
	fail "the list <-> summary cycle not caught: $bad"
echo "ok: layers: $(printf '%s\n' "$out" | tail -1 | sed 's/^check-layers: //')"
