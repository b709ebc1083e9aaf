#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# One exit-code convention for every command and script (README, Exit codes):
# 0 ok, 1 regression (compare only), 2 bad input, 3 a failed run, build or
# boot, 128+N a signal. Each path, for rmapbench, run.sh, ci/compare-kernels.sh
# and the scripts; a failed build must not read as a regression (1).
. "$(dirname "$0")/lib.sh"
B=$ROOT/tests/data/report-base.json
fails=0

# expect CODE NAME CMD...: CMD exits CODE
expect() {
	local want=$1 name=$2 rc=0
	shift 2
	"$@" >"$TMP/out" 2>"$TMP/err" </dev/null || rc=$?
	if [ "$rc" -ne "$want" ]; then
		echo "FAIL $name: exit $rc, expected $want ($*)"
		tail -n 5 "$TMP/err" | sed 's/^/  | /'
		fails=$((fails + 1))
	else
		echo "ok   $want $name: $(tail -n 1 "$TMP/err")"
	fi
}

# --- 1: regression, from two crafted reports differing in one gated exact count
python3 - "$B" "$TMP/same.json" "$TMP/worse.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
json.dump(r, open(sys.argv[2], "w"))
for rep in r["workloads"][0]["reps"]:           # fork-chain: 2 more chain entries per rep
    rep["metrics"]["slab.anon_vma_chain.allocs"]["value"] += 2
json.dump(r, open(sys.argv[3], "w"))
PY
expect 0 "compare A A" "$RMB" compare "$B" "$TMP/same.json"
expect 1 "compare exact +2" "$RMB" compare "$B" "$TMP/worse.json"
expect 1 "run.sh compare exact +2" env RMAPBENCH_NO_BUILD=1 "$ROOT/run.sh" compare "$B" "$TMP/worse.json"

# --- 2: bad input -----------------------------------------------------------------
expect 2 "run --set typo" "$RMB" run --set fork-chain.forks=6
expect 2 "run --check bad reps" "$RMB" run --check --reps 0
expect 2 "merge mismatch" "$RMB" merge -o "$TMP/m.json" "$B" "$ROOT/tests/data/report-test.json"
expect 2 "compare missing file" "$RMB" compare "$B" "$TMP/none.json"
expect 2 "probe bad option" "$RMB" probe --frobnicate
expect 2 "fingerprint bad option" "$RMB" fingerprint --frobnicate
expect 0 "fingerprint" "$RMB" fingerprint
expect 2 "unknown command" "$RMB" frobnicate
expect 2 "run.sh bad option" env RMAPBENCH_NO_BUILD=1 "$ROOT/run.sh" --frobnicate
expect 2 "run.sh --set typo" env RMAPBENCH_NO_BUILD=1 "$ROOT/run.sh" --kernel debian:6.12 --set fork-chain.forks=6
expect 2 "ci one kernel" "$ROOT/ci/compare-kernels.sh" host
expect 2 "ci --set typo" env RMAPBENCH_NO_BUILD=1 "$ROOT/ci/compare-kernels.sh" host debian:6.12 \
	--out "$TMP/ci2" -- --set fork-chain.forks=6
expect 2 "kernel-fetch bad spec" "$ROOT/scripts/guest/kernel-fetch.sh" debian:six
expect 2 "check-report bad report" python3 "$ROOT/scripts/guest/check-report.py" check "$TMP/worse.json" --release 9.9

# --- 3: failed run, build or boot -----------------------------------------------------
expect 3 "probe: stdout unwritable" sh -c "'$RMB' probe --json >/dev/full"
# a failed build: make fails (a fake make first in PATH); was exit 1 = "regression"
mkdir -p "$TMP/bin"
printf '#!/bin/sh\necho "make: fake failure" >&2\nexit 2\n' >"$TMP/bin/make"
chmod +x "$TMP/bin/make"
expect 3 "run.sh: make fails" env -u RMAPBENCH_NO_BUILD PATH="$TMP/bin:$PATH" "$ROOT/run.sh" \
	--workload fork-chain --out "$TMP/res-make"
grep -q "make failed" "$TMP/err" || { echo "FAIL run.sh: make fails: not said"; fails=$((fails + 1)); }
if [ "$(id -u)" -eq 0 ]; then
	# a workload forced to fail: a repetition timeout of 1 s on a long fork chain
	printf '[run]\nrep_timeout_s = 1\nreps = 1\nworkloads = fork-chain\n[fork-chain]\nregions = 4096\npages = 64\ndepth = 64\n' >"$TMP/slow.conf"
	expect 3 "run: a repetition times out" "$RMB" run --config "$TMP/slow.conf" --json "$TMP/slow.json"
	expect 3 "run.sh host: a repetition times out" env RMAPBENCH_NO_BUILD=1 "$ROOT/run.sh" \
		--config "$TMP/slow.conf" --out "$TMP/res-slow"
	# a signal: SIGINT while running
	"$RMB" run --workload fork-chain --reps 200 --json "$TMP/int.json" 2>/dev/null &
	pid=$!
	sleep 1.5
	kill -INT "$pid"
	rc=0
	wait "$pid" || rc=$?
	if [ "$rc" -ne 130 ] || [ -e "$TMP/int.json" ]; then
		echo "FAIL run SIGINT: exit $rc, expected 130, no report"
		fails=$((fails + 1))
	else
		echo "ok   130 run: SIGINT"
	fi
else
	echo "skip workload and signal cases: need root"
fi
# a bogus bzImage (a setup header, nothing bootable): QEMU fails, exit 3
if command -v qemu-system-x86_64 >/dev/null && command -v busybox >/dev/null &&
	[ -x "$ROOT/build/static/rmapbench" ]; then
	python3 - "$TMP/bzImage" <<'PY'
import struct, sys
img = bytearray(65536)
img[514:518] = b"HdrS"
struct.pack_into("<H", img, 526, 0x100)            # kernel_version at 0x200 + 0x100
v = b"9.9.9-bogus (test@rmapbench) #1\0"
img[0x300:0x300 + len(v)] = v
open(sys.argv[1], "wb").write(img)
PY
	expect 3 "run.sh: a kernel that does not boot" env RMAPBENCH_NO_BUILD=1 "$ROOT/run.sh" \
		--kernel "$TMP/bzImage" --accel tcg --timeout 60 --config "$ROOT/configs/quick.conf" --out "$TMP/res-boot"
	expect 3 "ci: a kernel that does not boot" env RMAPBENCH_NO_BUILD=1 "$ROOT/ci/compare-kernels.sh" \
		"$TMP/bzImage" "$TMP/bzImage" --rounds 1 --accel tcg --config "$ROOT/configs/quick.conf" \
		--out "$TMP/ci3" -- --timeout 60
else
	echo "skip boot cases: QEMU, busybox or build/static/rmapbench missing"
fi

[ "$fails" -eq 0 ] || fail "$fails exit code(s) wrong"
echo "every exit code as documented"
