#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# ci/bisect.sh over a throwaway git history of 6 commits whose KERNEL file
# names a prebuilt kernel (--kernel-of-commit 'cat KERNEL'): c1-c3 Debian 6.1,
# c4-c6 Debian 6.12. The metric fork-chain/slab.vma_lock.allocs is 0 on 6.1
# (no vma_lock cache: "absent") and 153 on 6.12 with configs/quick.conf, so
# the bisect must name c4. Checks: exit 0, c4 on stdout and in result.json,
# every step's report kept with the release its commit names, one boot per
# commit (exact metric), the tree back on its branch. Quick config, fork-chain
# only, TCG; about 5 boots. The bisect logic itself (skips, exit codes,
# Ctrl-C): tests/integration/bisect_logic.sh, without QEMU.
set -uo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname -- "$0")/lib.sh"
need_root
need_tools
need_static
command -v git >/dev/null || skip "git not installed"
fetch_debian debian:6.1
rel61=$K_RELEASE
fetch_debian debian:6.12
rel612=$K_RELEASE

h=$T_DIR/history
git init -q "$h"
for i in 1 2 3 4 5 6; do
	k=debian:6.1
	[ "$i" -lt 4 ] || k=debian:6.12
	echo "$k" >"$h/KERNEL"
	echo "$i" >"$h/n"
	git -C "$h" add KERNEL n
	git -C "$h" -c user.name=t -c user.email=t@t commit -qm "c$i: boots $k"
	git -C "$h" tag "c$i"
done
git -C "$h" checkout -q -b work c6

t0=$SECONDS
rc=0
"$ROOT/ci/bisect.sh" "$h" c1 c6 --metric fork-chain/slab.vma_lock.allocs \
	--kernel-of-commit 'cat KERNEL' --config "$ROOT/configs/quick.conf" --reps 1 \
	--accel tcg --timeout "${T_TIMEOUT:-400}" --out "$T_DIR/out" \
	>"$T_DIR/stdout" 2>"$T_DIR/stderr" || rc=$?
note "ci/bisect.sh -> exit $rc in $((SECONDS - t0)) s"
sed 's/^/  | /' "$T_DIR/stderr" "$T_DIR/stdout"
[ "$rc" -eq 0 ] || fail "ci/bisect.sh exited $rc"
want=$(git -C "$h" rev-parse c4)
grep -q "^first bad commit: $want c4: boots debian:6.12\$" "$T_DIR/stdout" || fail "did not name c4 ($want)"
dir=$(sed -n 's/^bisect: //p' "$T_DIR/stdout")
[ -f "$dir/result.json" ] || fail "no result.json in '$dir'"
[ "$(git -C "$h" symbolic-ref -q HEAD)" = refs/heads/work ] || fail "the tree is not back on branch work"
[ ! -e "$h/.git/BISECT_START" ] || fail "a bisect is still under way in the tree"
[ -z "$(find "$T_DIR/out" -maxdepth 1 -name '.*' ! -name .)" ] || fail "a temporary directory was left in --out"
python3 - "$dir" "$h" "$rel61" "$rel612" <<'PY' || fail "result.json checks failed"
import json, os, subprocess, sys
d, h, rel61, rel612 = sys.argv[1:]
r = json.load(open(os.path.join(d, "result.json")))
tag = {subprocess.check_output(["git", "-C", h, "rev-parse", f"c{i}"], text=True).strip(): i for i in range(1, 7)}
assert r["metric"] == {"workload": "fork-chain", "name": "slab.vma_lock.allocs", "kind": "exact"}, r["metric"]
assert r["good_value"] == 0 and r["bad_value"] > 0, (r["good_value"], r["bad_value"])
assert tag[r["first_bad"]["commit"]] == 4, r["first_bad"]
commits = [s["commit"] for s in r["steps"]]
assert len(commits) == len(set(commits)), f"a commit booted twice: {commits}"
for s in r["steps"]:
    i = tag[s["commit"]]
    assert s["verdict"] == ("good" if i < 4 else "bad"), s
    assert s["kernel"] == ("debian:6.1" if i < 4 else "debian:6.12"), s
    rep = json.load(open(os.path.join(d, s["report"])))
    assert rep["kernel"]["release"] == (rel61 if i < 4 else rel612), (s, rep["kernel"]["release"])
    assert [w["name"] for w in rep["workloads"]] == ["fork-chain"], [w["name"] for w in rep["workloads"]]
    assert s["value"] == (0 if i < 4 else r["bad_value"]), s
print(f"{len(r['steps'])} boots in {r['seconds']} s:", " ".join(f"c{tag[s['commit']]}={s['verdict']}({s['value']}, {s['seconds']} s)" for s in r["steps"]))
PY
pass "c4 named; $(grep -c . "$dir/steps.tsv") boots, every report kept"
