#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# ci/bisect.sh without QEMU: a throwaway git history whose commits name a
# canned report (RMAPBENCH_RUN_SH: a fake run.sh that writes it), so the
# bisect logic runs in seconds: the first bad commit named, every step's
# report kept, a commit that cannot be measured skipped (125), bad input
# (exit 2, one line, nothing written, the tree untouched), GOOD failing
# (exit 3), only skipped commits left (exit 3), SIGTERM (143, tree reset).
# The real thing (Debian 6.1 and 6.12 booted in QEMU): tests/guest/bisect.sh.
set -uo pipefail
ROOT=$(cd -- "$(dirname -- "$0")/../.." && pwd)
T=$(mktemp -d "${TMPDIR:-/tmp}/rmapbench-bisect.XXXXXX")
trap 'rm -rf -- "$T"' EXIT
export RMAPBENCH_NO_BUILD=1
fails=0
[ -x "$ROOT/build/rmapbench" ] || { echo "build/rmapbench missing (make)"; exit 77; }
for t in python3 git make setsid; do command -v "$t" >/dev/null || { echo "$t not installed"; exit 77; }; done

# The fake run.sh: --kernel LABEL=SPEC --out DIR; SPEC "v:N" writes a report
# with fork-chain slab.anon_vma.allocs = N (and no vma_lock cache when N < 100,
# slab.vma_lock.allocs = N otherwise); "f:FILE" copies the report FILE; "fail"
# exits 3; "sleep" sleeps.
cat >"$T/fake-run.sh" <<'EOF'
#!/usr/bin/env bash
spec='' out=''
while [ $# -gt 0 ]; do
	case $1 in
	--kernel) spec=${2#*=}; shift 2 ;;
	--out) out=$2; shift 2 ;;
	*) shift ;;
	esac
done
echo "$spec" >>"${FAKE_LOG:-/dev/null}"
# a build tree (the fake kernel tree below): its bzImage names the spec
[ ! -f "$spec/arch/x86/boot/bzImage" ] || spec=$(cat "$spec/arch/x86/boot/bzImage")
case $spec in
fail) echo "run.sh: the guest did not finish; QEMU killed" >&2; exit 3 ;;
sleep) sleep 60; exit 3 ;;
v:*) n=${spec#v:} ;;
f:*) d=$out/fake-$RANDOM$RANDOM; mkdir -p "$d"; cp -- "${spec#f:}" "$d/report.json"; echo "report: $d/report.json"; exit 0 ;;
*) echo "run.sh: $spec: bad spec" >&2; exit 2 ;;
esac
d=$out/fake-$RANDOM$RANDOM
mkdir -p "$d"
lock=''
[ "$n" -lt 100 ] || lock=", \"slab.vma_lock.allocs\": {\"value\": $n, \"kind\": \"exact\"}"
printf '{"schema": "rmapbench-report", "schema_version": 1, "slab_accounting": {"caches": {"vma_lock": {"present": %s}}}, "workloads": [{"name": "fork-chain", "status": "ok", "reps": [{"metrics": {"slab.anon_vma.allocs": {"value": %s, "kind": "exact"}%s}}]}]}\n' \
	"$([ "$n" -ge 100 ] && echo true || echo false)" "$n" "$lock" >"$d/report.json"
echo "report: $d/report.json"
EOF
chmod +x "$T/fake-run.sh"
export RMAPBENCH_RUN_SH=$T/fake-run.sh FAKE_LOG=$T/boots.log

# history SPEC...: a fresh repository $T/h, commit i has KERNEL = SPEC i, tag ci
history() {
	local i=0 s
	rm -rf -- "$T/h"
	git init -q "$T/h"
	for s in "$@"; do
		i=$((i + 1))
		echo "$s" >"$T/h/KERNEL"
		echo "$i" >"$T/h/n"
		git -C "$T/h" add KERNEL n
		git -C "$T/h" -c user.name=t -c user.email=t@t commit -qm "c$i: $s"
		git -C "$T/h" tag "c$i"
	done
	git -C "$T/h" checkout -q -b work
}
sel='cat KERNEL'
# bisect NAME EXPECTED-RC ARGS...: runs ci/bisect.sh $T/h ARGS; checks the rc
# and that the tree is back on branch work with no bisect under way.
bisect() {
	local name=$1 want=$2
	shift 2
	rm -rf -- "$T/out"
	mkdir -p "$T/out"
	: >"$T/boots.log"
	RC=0
	"$ROOT/ci/bisect.sh" "$T/h" "$@" --out "$T/out" >"$T/stdout" 2>"$T/stderr" </dev/null || RC=$?
	if [ "$RC" -ne "$want" ]; then
		echo "FAIL $name: exit $RC, expected $want"
		sed 's/^/  | /' "$T/stderr"
		fails=$((fails + 1))
		return 1
	fi
	if [ "$(git -C "$T/h" symbolic-ref -q HEAD)" != refs/heads/work ] ||
		[ -e "$T/h/.git/BISECT_START" ]; then
		echo "FAIL $name: the tree was not reset to branch work"
		fails=$((fails + 1))
		return 1
	fi
	return 0
}
ok() { echo "ok   $*"; }
bad_ok() { # NAME NEEDLE: one stderr line naming NEEDLE, nothing in the output directory
	if ! grep -qF -- "$2" "$T/stderr" || [ "$(wc -l <"$T/stderr")" -ne 1 ] || [ -n "$(ls -A "$T/out")" ]; then
		echo "FAIL $1: expected one line naming '$2' and nothing written; got:"
		sed 's/^/  | /' "$T/stderr"
		ls -A "$T/out"
		fails=$((fails + 1))
	else
		ok "$1: $(cat "$T/stderr")"
	fi
}

# --- found: switch at c5 of 8, c3 cannot be measured (skipped) ------------------------
history v:10 v:10 fail v:10 v:12 v:12 v:12 v:12
if bisect found 0 c1 c8 --metric fork-chain/slab.anon_vma.allocs --kernel-of-commit "$sel"; then
	want=$(git -C "$T/h" rev-parse c5)
	dir=$(sed -n 's/^bisect: //p' "$T/stdout")
	if ! grep -q "^first bad commit: $want c5: v:12\$" "$T/stdout"; then
		echo "FAIL found: stdout $(cat "$T/stdout"), expected c5 ($want)"; fails=$((fails + 1))
	elif ! python3 - "$dir" "$want" <<'PY'; then
import json, os, sys
d, want = sys.argv[1:]
r = json.load(open(os.path.join(d, "result.json")))
assert r["first_bad"]["commit"] == want, r["first_bad"]
assert r["good_value"] == 10 and r["bad_value"] == 12 and r["metric"]["kind"] == "exact", r
roles = [s["role"] for s in r["steps"]]
assert roles[:2] == ["good", "bad"] and all(x == "step" for x in roles[2:]), roles
for s in r["steps"]:
    if s["verdict"] == "skip":
        assert s["report"] is None and s["note"].startswith("run.sh exited 3"), s
    else:
        assert os.path.isfile(os.path.join(d, s["report"])), s
        assert s["value"] == (10 if s["verdict"] == "good" else 12), s
assert os.path.isfile(os.path.join(d, "summary.txt")) and os.path.isfile(os.path.join(d, "bisect.log"))
assert not [f for f in os.listdir(d) if f in ("state.sh", "count", "abort")], os.listdir(d)
print(len(r["steps"]), "steps:", " ".join(f'{s["commit"][:7]}={s["verdict"]}' for s in r["steps"]))
PY
		echo "FAIL found: result.json checks"; fails=$((fails + 1))
	else
		ok "found: c5, $(grep -c . "$T/boots.log") measurements, progress: $(grep -c 'step [0-9]* (' "$T/stderr") lines"
		[ -z "$(find "$T/out" -maxdepth 1 -name '.*' ! -name . )" ] || { echo "FAIL found: temporary directory left"; fails=$((fails + 1)); }
	fi
fi

# a skipped commit: forced by making the only candidate between good and bad unmeasurable
history v:10 v:10 fail v:12
if bisect skipped-only 3 c2 c4 --metric fork-chain/slab.anon_vma.allocs --kernel-of-commit "$sel"; then
	if grep -q "one of: $(git -C "$T/h" rev-parse --short=12 c3) $(git -C "$T/h" rev-parse --short=12 c4)" "$T/stderr" &&
		[ -d "$(find "$T/out" -maxdepth 1 -name 'bisect-*.failed' | head -n1)" ]; then
		ok "skipped-only: exit 3, $(grep 'one of' "$T/stderr")"
	else
		echo "FAIL skipped-only: $(cat "$T/stderr")"; fails=$((fails + 1))
	fi
fi

# an absent cache counts as 0: the commit that adds vma_lock
history v:10 v:10 v:150 v:150
if bisect absent 0 c1 c4 --metric fork-chain/slab.vma_lock.allocs --kernel-of-commit "$sel"; then
	if grep -q "^first bad commit: $(git -C "$T/h" rev-parse c3) " "$T/stdout"; then
		ok "absent cache: c3 ($(grep -o 'slab.vma_lock.allocs = [0-9]*, GOOD [0-9]*' "$T/stderr" | head -n1))"
	else
		echo "FAIL absent: $(cat "$T/stdout")"; fails=$((fails + 1))
	fi
fi

# adjacent GOOD and BAD: no bisect run needed
history v:10 v:12
bisect adjacent 0 c1 c2 --metric fork-chain/slab.anon_vma.allocs --kernel-of-commit "$sel" &&
	grep -q "^first bad commit: $(git -C "$T/h" rev-parse c2) " "$T/stdout" && ok "adjacent: c2"

# a timed metric: 3 rounds a side, compare's verdict (tests/data: fork-chain
# fork.mean_ns is a regression of about +15% from report-base to report-test)
b=f:$ROOT/tests/data/report-base.json t=f:$ROOT/tests/data/report-test.json
history "$b" "$b" "$b" "$t" "$t"
if bisect timed 0 c1 c5 --metric fork-chain/fork.mean_ns --rounds 3 --kernel-of-commit "$sel"; then
	if grep -q "^first bad commit: $(git -C "$T/h" rev-parse c4) " "$T/stdout" &&
		grep -q 'bad (compare: regression' "$T/stderr"; then
		ok "timed: c4 ($(grep -o 'compare: regression [^;]*' "$T/stderr" | head -n1))"
	else
		echo "FAIL timed: $(cat "$T/stdout")"; sed 's/^/  | /' "$T/stderr"; fails=$((fails + 1))
	fi
fi
bisect timed-one-round 2 c1 c5 --metric fork-chain/fork.mean_ns --kernel-of-commit "$sel" &&
	grep -q 'is timed: give --rounds' "$T/stderr" && ok "timed with 1 round: exit 2"

# building: a fake kernel tree (Makefile: defconfig, olddefconfig, bzImage;
# merge_config.sh) whose bzImage is its VALUE file; "broken" fails to build
rm -rf -- "$T/k"
mkdir -p "$T/k/scripts/kconfig"
# shellcheck disable=SC2016 # make's and the stub's variables
printf 'O ?= .\ndefconfig:\n\techo CONFIG_BASE=y >$(O)/.config\nolddefconfig:\n\t@true\nbzImage:\n\t@if grep -q broken VALUE; then echo "error: does not build" >&2; exit 1; fi\n\tmkdir -p $(O)/arch/x86/boot && cp VALUE $(O)/arch/x86/boot/bzImage\n' >"$T/k/Makefile"
# shellcheck disable=SC2016
printf '#!/bin/sh\n# merge_config.sh -m -O DIR BASE FRAGMENT\ncat "$4" "$5" >"$3/.config.new" && mv "$3/.config.new" "$3/.config"\n' >"$T/k/scripts/kconfig/merge_config.sh"
chmod +x "$T/k/scripts/kconfig/merge_config.sh"
i=0
git init -q "$T/k"
# k4 (git's first pick between k1 and k8) does not build: skipped
for s in v:10 v:10 v:10 broken v:10 v:10 v:12 v:12; do
	i=$((i + 1))
	echo "$s" >"$T/k/VALUE"
	echo "$i" >"$T/k/n"
	git -C "$T/k" add -A
	git -C "$T/k" -c user.name=t -c user.email=t@t commit -qm "k$i: $s"
	git -C "$T/k" tag "k$i"
done
rm -rf -- "$T/out" "$T/kb" && mkdir -p "$T/out"
rc=0
"$ROOT/ci/bisect.sh" "$T/k" k1 k8 --metric fork-chain/slab.anon_vma.allocs --build-dir "$T/kb" \
	--jobs 1 --out "$T/out" >"$T/stdout" 2>"$T/stderr" || rc=$?
if [ "$rc" -ne 0 ] || ! grep -q "^first bad commit: $(git -C "$T/k" rev-parse k7) " "$T/stdout"; then
	echo "FAIL build: exit $rc, $(cat "$T/stdout")"; sed 's/^/  | /' "$T/stderr"; fails=$((fails + 1))
elif ! grep -q '^CONFIG_BASE=y' "$T/kb/.config" || ! grep -q '^CONFIG_BPF_SYSCALL=y' "$T/kb/.config"; then
	echo "FAIL build: $T/kb/.config is not defconfig + configs/kernel.config"; fails=$((fails + 1))
elif [ -n "$(git -C "$T/k" status --porcelain)" ]; then
	echo "FAIL build: the out-of-tree build wrote into the tree: $(git -C "$T/k" status --porcelain)"; fails=$((fails + 1))
else
	if grep -q "skipped: build of $(git -C "$T/k" rev-parse --short=12 k4) failed" "$T/stderr"; then
		ok "build: k7 found with out-of-tree builds, k4 (does not build) skipped"
	else
		echo "FAIL build: k4 was not skipped: $(grep 'step' "$T/stderr")"; fails=$((fails + 1))
	fi
fi
bisect_k() { "$ROOT/ci/bisect.sh" "$T/k" "$@" --metric fork-chain/slab.anon_vma.allocs --out "$T/out" >"$T/stdout" 2>"$T/stderr"; }
rc=0
bisect_k k4 k8 --build-dir "$T/kb" || rc=$?
if [ "$rc" -eq 3 ] && grep -q 'GOOD: build of .* failed' "$T/stderr"; then
	ok "build of GOOD fails: exit 3"
else
	echo "FAIL build-good: exit $rc"; sed 's/^/  | /' "$T/stderr"; fails=$((fails + 1))
fi

# --- exit 3: GOOD cannot be measured; selector fails for BAD --------------------------
history fail v:10 v:12
bisect good-fails 3 c1 c3 --metric fork-chain/slab.anon_vma.allocs --kernel-of-commit "$sel" &&
	ok "good-fails: exit 3: $(grep -v '^bisect.sh: step\|steps so far' "$T/stderr" | tail -n1)"
bisect selector-fails 3 c2 c3 --metric fork-chain/slab.anon_vma.allocs --kernel-of-commit 'exit 1' &&
	ok "selector-fails: exit 3: $(grep -v '^bisect.sh: step\|steps so far' "$T/stderr" | tail -n1)"

# --- exit 2: bad input --------------------------------------------------------------------
history v:10 v:10 v:12
m=(--metric fork-chain/slab.anon_vma.allocs --kernel-of-commit "$sel")
bisect not-ancestor 2 c3 c1 "${m[@]}" && bad_ok not-ancestor "not an ancestor"
bisect no-commit 2 c1 nosuch "${m[@]}" && bad_ok no-commit "BAD nosuch"
bisect same 2 c1 c1 "${m[@]}" && bad_ok same "same commit"
bisect no-metric 2 c1 c3 --kernel-of-commit "$sel" && bad_ok no-metric "--metric"
bisect metric-syntax 2 c1 c3 --metric slab.anon_vma.allocs --kernel-of-commit "$sel" && bad_ok metric-syntax "--metric slab.anon_vma.allocs"
bisect workload 2 c1 c3 --metric fork-chian/x --kernel-of-commit "$sel" && bad_ok workload "fork-chian"
bisect set-typo 2 c1 c3 "${m[@]}" --set fork-chain.forks=6 && bad_ok set-typo "forks"
bisect rounds 2 c1 c3 "${m[@]}" --rounds 0 && bad_ok rounds "--rounds 0"
bisect accel 2 c1 c3 "${m[@]}" --accel foo && bad_ok accel "--accel foo"
bisect not-kernel 2 c1 c3 --metric fork-chain/slab.anon_vma.allocs && bad_ok not-kernel "not a kernel source tree"
echo x >>"$T/h/KERNEL"
bisect dirty 2 c1 c3 "${m[@]}" && bad_ok dirty "uncommitted changes"
git -C "$T/h" checkout -q -- KERNEL
# after GOOD's boot: no such metric; BAD equal to GOOD
bisect metric-name 2 c1 c3 --metric fork-chain/slab.anon_vma.allocz --kernel-of-commit "$sel" &&
	grep -q 'no such metric' "$T/stderr" && ok "metric-name: exit 2 after GOOD's measurement: $(grep 'no such metric' "$T/stderr" | cut -c1-120)"
bisect not-bad 2 c1 c2 "${m[@]}" && grep -q 'does not differ from GOOD' "$T/stderr" && ok "not-bad: exit 2 (BAD = GOOD)"
bisect spec-refused 2 c1 c3 --metric fork-chain/slab.anon_vma.allocs --kernel-of-commit 'echo nonsense' &&
	ok "spec refused by run.sh: exit 2"

# --- SIGTERM while a step runs: 143, the tree reset, the steps so far kept -------------------
history v:10 sleep v:12
rm -rf -- "$T/out" && mkdir -p "$T/out"
"$ROOT/ci/bisect.sh" "$T/h" c1 c3 "${m[@]}" --out "$T/out" >"$T/stdout" 2>"$T/stderr" &
pid=$!
for _ in $(seq 1 100); do grep -q 'step 3 (step' "$T/stderr" && break; sleep 0.1; done
sleep 0.5
kill -TERM "$pid"
rc=0
wait "$pid" || rc=$?
if [ "$rc" -ne 143 ]; then
	echo "FAIL sigterm: exit $rc, expected 143"; sed 's/^/  | /' "$T/stderr"; fails=$((fails + 1))
elif [ "$(git -C "$T/h" symbolic-ref -q HEAD)" != refs/heads/work ] || [ -e "$T/h/.git/BISECT_START" ]; then
	echo "FAIL sigterm: the tree was not reset"; fails=$((fails + 1))
elif pgrep -f -- "$T/fake-run.sh" >/dev/null; then
	echo "FAIL sigterm: the fake run.sh still runs"; fails=$((fails + 1))
elif [ -z "$(find "$T/out" -maxdepth 1 -name 'bisect-*.interrupted')" ]; then
	echo "FAIL sigterm: no .interrupted directory: $(ls -A "$T/out")"; fails=$((fails + 1))
else
	ok "sigterm: exit 143, tree reset, $(ls "$T/out")"
fi

[ "$fails" -eq 0 ] || { echo "$fails failure(s)"; exit 1; }
echo "PASS bisect_logic"
