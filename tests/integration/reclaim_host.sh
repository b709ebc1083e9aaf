#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The reclaim workload really swaps shared pages out (pswpout delta, the
# cgroup's swap), MADV_PAGEOUT pages out only the root's exclusive pages, the
# pages come back in (pswpin), and the machine is left as it was: no swap,
# zram device, memory cgroup or journal of ours, zswap setting unchanged.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
need_root

state() {
	echo "swaps: $(tail -n +2 /proc/swaps | awk '{print $1}' | sort | tr '\n' ' ')"
	echo "zram: $(find /sys/block -maxdepth 1 -name 'zram*' -printf '%f\n' | sort | tr '\n' ' ')"
	echo "cgroups: $(find /sys/fs/cgroup -maxdepth 5 -type d -name 'rmapbench-*' 2>/dev/null | sort | tr '\n' ' ')"
	echo "journals: $(find /run/rmapbench /tmp/rmapbench-guard -name 'guard.*' 2>/dev/null | tr '\n' ' ')"
	echo "zswap: $(cat /sys/module/zswap/parameters/enabled 2>/dev/null)"
}

"$RMB" list >"$TMP/list" && grep -qx reclaim "$TMP/list" || fail "reclaim not in rmapbench list"

state >"$TMP/before"
"$RMB" run --workload reclaim --reps 2 --interval 0 --json "$TMP/r.json" 2>"$TMP/err" ||
	{ cat "$TMP/err"; fail "run exited $?"; }
state >"$TMP/after"
diff -u "$TMP/before" "$TMP/after" || fail "machine state changed by the reclaim workload"
if [ "$(py "$TMP/r.json" "r['workloads'][0]['status']")" = unavailable ]; then
	skip "reclaim unavailable here: $(py "$TMP/r.json" "r['workloads'][0]['reason']")"
fi

python3 - "$TMP/r.json" <<'PY' || fail "reclaim checks failed"
import json, sys
r = json.load(open(sys.argv[1]))
w = r["workloads"][0]
assert w["status"] == "ok", f"{w['status']}: {w.get('reason')}"
for rep in w["reps"]:
    m = rep["metrics"]
    v = lambda k: m[k]["value"]
    assert rep["status"] == "ok", rep.get("reason")
    assert v("reclaim.pages_out") > 0, f"pswpout delta {v('reclaim.pages_out')}"
    excl = v("pageout.exclusive_pages")
    assert 0 < v("pageout.pages_out") <= excl + 64, \
        f"MADV_PAGEOUT paged out {v('pageout.pages_out')}, root-exclusive pages {excl}"
    total = v("region.pages") + (v("tree.processes") - 1) * excl
    assert v("pageout.pages_out") + v("reclaim.pages_out") >= 0.5 * total, \
        f"{v('pageout.pages_out')} + {v('reclaim.pages_out')} pages out of {total}"
    if "reclaim.cgroup_swap_pages" in m:
        assert v("reclaim.cgroup_swap_pages") > 0
    assert v("refault.pages_in") > 0, "no page swapped back in"
    assert v("reclaim.throughput") > 0
    assert m["op.memory_reclaim"]["count"] >= 1
    notes = rep["notes"]
    assert "zram" in notes["swap"] and notes["cgroup"] and notes["reclaim_method"], notes
print("reclaim: " + ", ".join(f"rep {i + 1}: {rep['metrics']['reclaim.pages_out']['value']:.0f} pages out"
                              for i, rep in enumerate(w["reps"])) + f" ({w['reps'][0]['notes']['reclaim_method']})")
PY
