#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The OOM path of the squeezed memory cgroup (docs/reliability.md): with the
# test knob reclaim.oom_rep=2, repetition 2 of reclaim caps its group below
# what its members write, swap off for the group, and the OOM killer kills a
# member. Checked: that repetition fails with a reason naming the OOM, the
# cgroup and its limit (never a bare "Killed"); the run exits 3; repetitions
# 1 and 3 and the other workloads are ok with the same exact counts; the
# kernel's log agrees (a memcg OOM kill of the pid named, inside that group,
# and no other OOM kill) and the runner does not mistake it for its own
# death; right after the run the machine is as before: no rmapbench cgroup,
# swap, zram device or journal, THP/KSM/zswap settings unchanged.
# RB_HOST_LOCK=FILE: hold flock FILE for the whole test (shared machines).
if [ -n "${RB_HOST_LOCK:-}" ] && [ -z "${RB_HOST_LOCKED:-}" ]; then
	RB_HOST_LOCKED=1 exec flock "$RB_HOST_LOCK" bash "$0" "$@"
fi
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
need_root

state() {
	local f
	echo "swaps: $(tail -n +2 /proc/swaps | awk '{print $1}' | sort | tr '\n' ' ')"
	for f in /sys/block/zram*; do
		[ -e "$f" ] && echo "zram: ${f##*/} disksize $(cat "$f/disksize" 2>/dev/null)"
	done
	echo "cgroups: $(find /sys/fs/cgroup -maxdepth 6 -type d -name 'rmapbench-*' 2>/dev/null | sort | tr '\n' ' ')"
	echo "journals: $(find /run/rmapbench /tmp/rmapbench-guard -name 'guard.*' 2>/dev/null | tr '\n' ' ')"
	for f in /sys/kernel/mm/transparent_hugepage/{enabled,defrag} \
		/sys/kernel/mm/ksm/{run,pages_to_scan,sleep_millisecs} \
		/sys/module/zswap/parameters/enabled /proc/sys/vm/swappiness; do
		[ -r "$f" ] && echo "$f: $(cat "$f")"
	done
	return 0
}

"$RMB" list --json >"$TMP/list.json"
python3 - "$TMP/list.json" <<'PY' || fail "rmapbench list: no reclaim.oom_rep parameter with a range"
import json, sys
ws = {w["name"]: w for w in json.load(open(sys.argv[1]))}
p = {p["name"]: p for p in ws["reclaim"]["params"]}["oom_rep"]
assert p["default"] == 0 and p["min"] == 0 and p["max"] >= 3, p
PY

state >"$TMP/before"
marker="rmapbench-oom-test-$$-$RANDOM"
echo "$marker" >/dev/kmsg
set +e
"$RMB" run --workload fork-chain,reclaim,fork-tree --reps 3 --set reclaim.oom_rep=2 \
	--interval 0 --json "$TMP/r.json" 2>"$TMP/err"
rc=$?
set -e
state >"$TMP/after"
dmesg | sed -n "/$marker/,\$p" >"$TMP/dmesg"
diff -u "$TMP/before" "$TMP/after" || fail "machine state not restored right after the run"
[ -s "$TMP/r.json" ] || { cat "$TMP/err"; fail "no report (exit $rc)"; }
if [ "$(py "$TMP/r.json" "[w for w in r['workloads'] if w['name'] == 'reclaim'][0]['status']")" = unavailable ]; then
	skip "reclaim unavailable here: $(py "$TMP/r.json" "[w for w in r['workloads'] if w['name'] == 'reclaim'][0]['reason']")"
fi
[ "$rc" -eq 3 ] || { cat "$TMP/err"; fail "run exited $rc, expected 3 (a failed repetition)"; }
grep -q "reclaim rep 2 failed: OOM killer in memcg " "$TMP/err" ||
	{ cat "$TMP/err"; fail "stderr does not name the OOM of reclaim rep 2"; }
! grep -qi "undoing what process\|^Killed\|: Killed$" "$TMP/err" ||
	{ cat "$TMP/err"; fail "the runner saw a bare kill or recovered a stale journal"; }

python3 - "$TMP/r.json" "$TMP/dmesg" "$(basename "$RMB")" <<'PY' || fail "OOM checks failed"
import json, re, sys
r = json.load(open(sys.argv[1]))
log = open(sys.argv[2], errors="replace").read()
ws = {w["name"]: w for w in r["workloads"]}

def exact(rep):
    return {k: m.get("value") for k, m in rep["metrics"].items() if m.get("kind") == "exact"}

for name in ("fork-chain", "fork-tree"):
    w = ws[name]
    assert w["status"] == "ok", (name, w.get("reason"))
    assert [rep["status"] for rep in w["reps"]] == ["ok"] * 3, name
    assert exact(w["reps"][0]) == exact(w["reps"][1]) == exact(w["reps"][2]), \
        f"{name}: exact counts differ between repetitions"
w = ws["reclaim"]
reps = {rep["rep"]: rep for rep in w["reps"]}
assert w["status"] == "failed", w["status"]
assert reps[1]["status"] == "ok" and reps[3]["status"] == "ok", \
    (reps[1].get("reason"), reps[3].get("reason"))
for k in ("reclaim.pages_out", "refault.pages_in"):
    assert reps[1]["metrics"][k]["value"] > 0 and reps[3]["metrics"][k]["value"] > 0, k
assert exact(reps[1]) == exact(reps[3]), "reclaim: exact counts of reps 1 and 3 differ"
why = reps[2]["reason"]
m = re.fullmatch(r"OOM killer in memcg (\S+/(rmapbench-\d+)) \(lowest limit (\d+) bytes, "
                 r"swap off\) killed pid (\d+) \(tree member \d+\)( and others)?", why)
assert m, f"rep 2 reason: {why!r}"
group, limit, pid = m.group(2), int(m.group(3)), m.group(4)
cap = reps[2]["notes"]["oom_cap"]
assert cap.startswith(f"{limit} bytes"), (cap, limit)
# the kernel's side: the pid named was killed by a memcg OOM in that group, nothing else was
kills = re.findall(r"Memory cgroup out of memory: Killed process (\d+) \(([^)]*)\)", log)
comm = sys.argv[3][:15]     # the task's comm: the binary's name
assert (pid, comm) in kills, f"dmesg has no memcg OOM kill of pid {pid} ({comm}): {kills}"
assert "Out of memory: Killed process" not in log, "a global OOM kill during the run"
ctx = re.findall(r"oom-kill:constraint=(\w+),.*?oom_memcg=(\S+?),task_memcg=\S+?,task=\S+?,pid=(\d+)", log)
assert ctx and all(c == "CONSTRAINT_MEMCG" and g.endswith("/" + group) for c, g, _ in ctx), ctx
assert len(ctx) == len(kills), (ctx, kills)
print(f"reclaim rep 2: {why}; dmesg: {len(kills)} memcg OOM kill(s) in {group}: "
      f"pids {', '.join(p for p, _ in kills)}; reps 1, 3 and fork-chain, fork-tree ok")
PY
