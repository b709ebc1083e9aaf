#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# zram as a module nobody loaded (a stock Debian host): the guest's init leaves
# zram.ko where modprobe finds it instead of loading it. `rmapbench run
# --workload ksm` (then=1: KSM pages swapped to zram) must load it in the
# runner, never in the workload's tracked child (modprobe's processes would
# count in repetition 1: its exact counts would differ from the others), and
# unload it at the end of the run (the machine as it was).
set -uo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname -- "$0")/lib.sh"
need_suite_guest debian:6.12

init=$T_DIR/zram-init
python3 - "$ROOT/scripts/guest/init" "$init" <<'PY'
import sys
s = open(sys.argv[1]).read()
load = '\t\tinsmod "/lib/modules/$mod.ko" $params || log "insmod $mod failed"\n'
assert load in s
s = s.replace(load, '''\t\tif [ "$mod" = zram ]; then
\t\t\td=/lib/modules/$(uname -r)
\t\t\tmkdir -p "$d/kernel/drivers/block/zram"
\t\t\tmv /lib/modules/zram.ko "$d/kernel/drivers/block/zram/zram.ko"
\t\t\techo "kernel/drivers/block/zram/zram.ko:" >"$d/modules.dep"
\t\t\tlog "zram before the run: left for modprobe"
\t\t\tcontinue
\t\tfi
''' + load)
run = '/bin/rmapbench "$@"\nrc=$?\n'
assert run in s
s = s.replace(run, run + '''if [ -e /sys/class/zram-control ]; then log "zram after the run: loaded"
else log "zram after the run: not loaded"; fi
''')
open(sys.argv[2], "w").write(s)
PY
chmod 755 "$init"
# the hook replaces /init; the suite must still be packed, and current
make -C "$ROOT" -s STATIC=1 >/dev/null || fail "make STATIC=1 failed"
RMAPBENCH_GUEST_BIN=$ROOT/build/static/rmapbench RMAPBENCH_GUEST_INIT=$init run_sh "$T_DIR/run.log" --kernel debian:6.12 --accel tcg \
	--config "$ROOT/configs/default.conf" --workload ksm --reps 3 --set ksm.then=1 \
	--out "$T_DIR/results" --timeout "${T_TIMEOUT:-400}"
[ "$RC" -eq 0 ] || { tail -n 20 "$T_DIR/run.log"; fail "run.sh exit $RC"; }
console=$(find "$T_DIR/results" -name console.log | head -n1)
[ -n "$console" ] || fail "no console log kept"
grep -aq "zram before the run: left for modprobe" "$console" || fail "the init did not leave zram unloaded"
grep -aq "zram after the run: not loaded" "$console" ||
	fail "zram still loaded after the run: $(grep -a 'zram after' "$console")"
python3 - "$REPORT" <<'PY' || fail "see above"
import json, sys
r = json.load(open(sys.argv[1]))
w = [w for w in r["workloads"] if w["name"] == "ksm"][0]
assert w["status"] == "ok", f"ksm {w['status']}: {w.get('reason')}"
reps = [rep for rep in w["reps"] if rep["status"] == "ok"]
assert len(reps) == 3, f"{len(reps)} ok repetitions"
exact = sorted(k for k, m in reps[0]["metrics"].items() if m.get("kind") == "exact")
differ = [(k, [rep["metrics"][k]["value"] for rep in reps]) for k in exact
          if len({json.dumps(rep["metrics"][k]["value"]) for rep in reps}) > 1]
assert not differ, f"exact metrics differ between repetitions: {differ[:5]}"
assert isinstance(reps[0]["metrics"].get("op.refault", {}).get("value"), (int, float)), \
    "no op.refault: the KSM pages were not swapped"
print(f"ksm: 3 repetitions, {len(exact)} exact metrics equal in each; "
      f"vm_area_struct allocs {reps[0]['metrics']['slab.vm_area_struct.allocs']['value']}")
PY
pass "zram loaded by the runner and unloaded after the run; exact counts equal in every repetition"
