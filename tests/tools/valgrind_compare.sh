#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# valgrind memcheck over the report and compare code (docs/reliability.md):
# `rmapbench compare` of the sample reports (with graphs, --json, a bad
# report), `rmapbench plot`, and `rmapbench run --workload mremap-multi
# --reps 1 --json` with a refused config. No memory errors and nothing
# "definitely" or "indirectly lost" in the rmapbench process itself
# (--trace-children=no: gnuplot and the workload's re-executed child are
# not checked). The runner re-executes /proc/self/exe, which under valgrind
# is valgrind's own binary, so that repetition fails ("workload sent no
# result"): the report is still written and checked. BPF probes are off
# (--no-probes) because libbpf's BTF work takes minutes under memcheck;
# VALGRIND_PROBES=1 turns them on (about 3 minutes).
# shellcheck source-path=SCRIPTDIR source=../integration/lib.sh
. "$(dirname "$0")/../integration/lib.sh"

command -v valgrind >/dev/null || skip "valgrind not installed (apt-get install valgrind)"
[ -z "${RMAPBENCH_CHECK_ASAN:-}" ] || skip "RMB is an ASan build: valgrind runs on build/rmapbench in make test"
[ -x "$RMB" ] || fail "$RMB not built"
DATA=$ROOT/tests/data

# valgrind's bpf(2) wrapper checks every field of union bpf_attr, libbpf
# fills only those of the command (and passes key NULL to get the first key)
supp=$TMP/libbpf.supp
for p in expected_attach_type prog_ifindex flags key value map_extra btf_fd; do
	printf '{\n   libbpf-bpf-attr-%s\n   Memcheck:Param\n   bpf(attr->%s)\n   ...\n   obj:*/libbpf.so*\n}\n' \
		"$p" "$p"
done >"$supp"

n=0
# vg EXPECTED_RCS WHAT CMD...: runs CMD under memcheck, checks its exit code
# is one of EXPECTED_RCS ("0 1"), and that the log of the process is clean
vg() {
	local rcs=$1 what=$2 rc log
	shift 2
	n=$((n + 1))
	log=$TMP/vg.$n.log
	set +e
	valgrind --leak-check=full --show-leak-kinds=definite,indirect \
		--errors-for-leak-kinds=definite,indirect --error-exitcode=99 \
		--trace-children=no --child-silent-after-fork=yes --suppressions="$supp" \
		--log-file="$log" "$@" >"$TMP/out.$n" 2>"$TMP/err.$n"
	rc=$?
	set -e
	if [ "$rc" -eq 99 ] || ! grep -q 'ERROR SUMMARY: 0 errors' "$log"; then
		sed -n '/^==[0-9]*== [A-Z]/,$p' "$log" | head -n 80
		fail "$what: memcheck found errors or leaks (log above)"
	fi
	[[ " $rcs " == *" $rc "* ]] || fail "$what: exit $rc, expected one of $rcs: $(tail -n 5 "$TMP/err.$n")"
	lost=$(sed -n 's/.*definitely lost: \([0-9,]*\) bytes.*/\1/p' "$log")
	printf '%-28s exit %d, definitely lost: %s bytes, errors: 0\n' "$what" "$rc" "${lost:-0}"
}

graphs=(--no-graphs)
if command -v gnuplot >/dev/null; then graphs=(); fi
vg "1" "compare (3 reports)" "$RMB" compare "$DATA/report-base.json" "$DATA/report-test.json" \
	"$DATA/report-tcg.json" --out "$TMP/cmp" "${graphs[@]}"
[ -s "$TMP/cmp/comparison.json" ] || fail "compare wrote no comparison.json"

printf '[compare]\ncorrection = holm\nbootstrap = 500\nthreshold.fork.* = 1\ngate = exact:*\n' >"$TMP/c.conf"
vg "0 1" "compare --json --config" "$RMB" compare --json --force --config "$TMP/c.conf" \
	"$DATA/report-base.json" "$DATA/report-tcg.json" --out "$TMP/cmp2" --no-graphs

head -c 30000 "$DATA/report-test.json" >"$TMP/truncated.json"
vg "2" "compare (truncated report)" "$RMB" compare "$DATA/report-base.json" "$TMP/truncated.json" \
	--out "$TMP/cmp3" --no-graphs
python3 - "$DATA/report-test.json" "$TMP/badmetric.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
r["workloads"][-1]["reps"][-1]["metrics"]["x"] = {"value": 1, "unit": "ns", "kind": "odd", "better": "lower"}
json.dump(r, open(sys.argv[2], "w"))
PY
vg "2" "compare (invalid metric)" "$RMB" compare "$DATA/report-base.json" "$TMP/badmetric.json" \
	--out "$TMP/cmp4" --no-graphs

vg "0" "plot" "$RMB" plot "$DATA/report-base.json" --out "$TMP/plot" "${graphs[@]}"
[ -s "$TMP/plot/index.html" ] || fail "plot wrote no index.html"

probes=(--no-probes)
if [ "${VALGRIND_PROBES:-0}" = 1 ] && [ "$(id -u)" -eq 0 ]; then probes=(); fi
vg "0 3" "run mremap-multi" "$RMB" run --workload mremap-multi --reps 1 "${probes[@]}" --json "$TMP/r.json"
py "$TMP/r.json" '[w["name"] for w in r["workloads"]] == ["mremap-multi"] or exit(1)' >/dev/null ||
	fail "run under valgrind wrote no report of mremap-multi"
printf '[run]\nreps = 1\n[fork-chain]\ndepth = 1000000\n' >"$TMP/bad.conf"
vg "2" "run (refused config)" "$RMB" run --config "$TMP/bad.conf" --json "$TMP/r2.json"
echo "memcheck: $n commands, no errors, no leaks"
