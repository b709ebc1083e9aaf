#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# End to end on two real reports: the running kernel (host) against Debian's
# 6.12 kernel booted under QEMU/TCG by ./run.sh (configs/quick.conf). Exact
# metrics must be compared; timed ones refused as unlike environments, and
# every output must say so. RMAPBENCH_GUEST_REPORT=FILE reuses a guest report
# instead of booting one; under tests/run.sh this test runs in the guest lane
# after tests/guest/debian_6_12.sh and reuses that test's first boot (the same
# run.sh options: debian:6.12, quick config, TCG), checked there against
# kernel-facts. Exit 0 pass, 77 skip, else fail.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
RMB=${RMAPBENCH:-$RMB}

[ -x "$RMB" ] || skip "$RMB not built (make)"
need_bpf

guest=${RMAPBENCH_GUEST_REPORT:-}
shared=${RMAPBENCH_TEST_SHARE:-/nonexistent}/debian-6.12-quick.json
if [ -z "$guest" ] && [ -s "$shared" ]; then
	guest=$shared
	echo "reusing tests/guest/debian_6_12.sh's boot: $guest"
fi
if [ -z "$guest" ]; then
	[ -x "$ROOT/build/static/rmapbench" ] || skip "build/static/rmapbench missing (make STATIC=1)"
	command -v qemu-system-x86_64 >/dev/null || skip "qemu-system-x86_64 not installed"
	"$ROOT/scripts/guest/kernel-fetch.sh" debian:6.12 >/dev/null 2>&1 ||
		skip "debian:6.12: cannot fetch the kernel package"
	RMAPBENCH_NO_BUILD=1 "$ROOT/run.sh" --kernel debian:6.12 --accel tcg \
		--config "$ROOT/configs/quick.conf" --out "$TMP/results" --timeout 500 \
		>"$TMP/guest.log" 2>&1 || fail "run.sh --kernel debian:6.12: exit $?: $(tail -n 20 "$TMP/guest.log")"
	guest=$(sed -n 's/^report: //p' "$TMP/guest.log" | tail -n 1)
	[ -s "$guest" ] || fail "run.sh printed no report path: $(tail -n 20 "$TMP/guest.log")"
fi
"$RMB" run --config "$ROOT/configs/quick.conf" --json "$TMP/host.json" >"$TMP/host.log" 2>&1 ||
	fail "host run: exit $?: $(tail -n 5 "$TMP/host.log")"

set +e
"$RMB" compare "$TMP/host.json" "$guest" --out "$TMP/cmp" >"$TMP/cmp.txt" 2>"$TMP/cmp.err"
rc=$?
set -e
[ "$rc" -le 1 ] || fail "compare: exit $rc: $(cat "$TMP/cmp.err")"
j=$TMP/cmp/comparison.json
[ "$(py "$j" 'r["tests"][0]["environment"]["timed"]')" = refused ] ||
	fail "host vs TCG guest: timed metrics were not refused ($(py "$j" 'r["tests"][0]["environment"]'))"
py "$j" 'r["tests"][0]["environment"]["differences"]' | grep -q 'machine.virt' ||
	fail "the refusal does not name machine.virt"
judged=$(py "$j" 'sum(1 for w in r["tests"][0]["workloads"] for m in w["metrics"] if m["kind"] == "timed" and m["verdict"] not in ("not-judged", "unavailable"))')
[ "$judged" -eq 0 ] || fail "$judged timed metrics judged between host and a TCG guest"
exact=$(py "$j" 'sum(1 for w in r["tests"][0]["workloads"] for m in w["metrics"] if m["kind"] == "exact" and m["verdict"] != "unavailable")')
slab=$(py "$j" 'sum(1 for w in r["tests"][0]["workloads"] for m in w["metrics"] if m["name"].startswith("slab.") and m["verdict"] != "unavailable")')
{ [ "$exact" -gt 0 ] && [ "$slab" -gt 0 ]; } || fail "exact metrics were not compared ($exact exact, $slab slab.*)"
grep -q 'NOT judged' "$TMP/cmp.txt" || fail "stdout does not say timed metrics were not judged"
grep -q 'NOT judged' "$TMP/cmp/summary.md" || fail "summary.md does not say so"
grep -q 'NOT judged' "$TMP/cmp/index.html" || fail "index.html does not say so"
[ -z "${RMAPBENCH_KEEP:-}" ] || { mkdir -p "$RMAPBENCH_KEEP" && cp -r "$TMP/cmp" "$TMP/host.json" "$guest" "$RMAPBENCH_KEEP"/; }
echo "host $(uname -r) vs $(py "$guest" 'r["kernel"]["release"]'): $exact exact metrics compared ($slab slab), timed refused, exit $rc"
