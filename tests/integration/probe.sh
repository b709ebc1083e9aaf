# `rmapbench probe`: every capability has "available" and, when false, a reason;
# the figures agree with what /proc and /sys say directly.
. "$(dirname "$0")/lib.sh"
need_root
"$RMB" probe --json >"$TMP/caps.json"
"$RMB" probe >"$TMP/caps.txt"
python3 - "$TMP/caps.json" "$TMP/caps.txt" <<'PY'
import json, os, re, sys
caps = json.load(open(sys.argv[1]))
text = open(sys.argv[2]).read()
bad = []

def walk(node, path):
    if isinstance(node, dict) and "available" in node:
        if node["available"] is False and not node.get("reason"):
            bad.append(f"{path}: 'no' without a reason")
        if not re.search(rf"^{re.escape(path)}: (yes|no)", text, re.M):
            bad.append(f"{path}: missing from the text output")
        return
    if isinstance(node, dict):
        for k, v in node.items():
            walk(v, f"{path}.{k}" if path else k)

walk(caps, "")
for key in ("kernel", "btf", "attach", "tracepoints", "swap", "zram", "memcg", "thp", "ksm",
            "numa", "max_map_count", "compaction", "soft_offline", "slab_caches"):
    if key not in caps:
        bad.append(f"capability {key} missing")
if caps["kernel"].get("release") != os.uname().release:
    bad.append("kernel release differs from uname")
mmc = int(open("/proc/sys/vm/max_map_count").read())
if caps["max_map_count"].get("value") != mmc:
    bad.append(f"max_map_count {caps['max_map_count'].get('value')} != {mmc}")
thp = re.search(r"\[(\w+)\]", open("/sys/kernel/mm/transparent_hugepage/enabled").read()).group(1)
if caps["thp"].get("enabled") != thp:
    bad.append(f"thp {caps['thp'].get('enabled')} != {thp}")
# the facts workloads' supported() read instead of looking themselves
for cap, path in (("thp", "/sys/kernel/mm/transparent_hugepage/enabled"),
                  ("ksm", "/sys/kernel/mm/ksm/run")):
    if caps[cap].get("sysfs") != os.path.exists(path):
        bad.append(f"{cap}.sysfs {caps[cap].get('sysfs')} != exists({path})")
if caps["thp"].get("writable") != os.access("/sys/kernel/mm/transparent_hugepage/enabled", os.W_OK):
    bad.append("thp.writable differs from access(W_OK)")
if caps["compaction"]["available"] != os.access("/proc/sys/vm/compact_memory", os.W_OK):
    bad.append("compaction differs from access(/proc/sys/vm/compact_memory, W_OK)")
offline = "/sys/devices/system/memory/soft_offline_page"
if caps["soft_offline"]["available"] != os.access(offline, os.W_OK):
    bad.append(f"soft_offline differs from access({offline}, W_OK)")
if caps["swap"].get("procfs") != os.path.exists("/proc/swaps"):
    bad.append(f"swap.procfs {caps['swap'].get('procfs')} != exists(/proc/swaps)")
mem = "/sys/devices/system/node/has_memory"
if os.path.exists(mem) and caps["numa"].get("memory_nodes") != open(mem).read().strip():
    bad.append(f"numa.memory_nodes {caps['numa'].get('memory_nodes')} != {mem}")
nodes = len([d for d in os.listdir("/sys/devices/system/node") if re.fullmatch(r"node\d+", d)])
if caps["numa"].get("nodes") != nodes:
    bad.append(f"numa nodes {caps['numa'].get('nodes')} != {nodes}")
for cache in ("vm_area_struct", "anon_vma", "anon_vma_chain"):
    p = f"/sys/kernel/slab/{cache}"
    if os.path.exists(p):
        merged = os.path.islink(p) and int(open(p + "/aliases").read()) > 0
        if caps["slab_caches"][cache].get("merged") != merged:
            bad.append(f"{cache}: merged {caps['slab_caches'][cache].get('merged')} != sysfs {merged}")
# the slab accounting needs raw_tp or tp_btf: one of them must attach where BTF exists
if caps["btf"]["available"] and not (caps["attach"]["raw_tp"]["available"]
                                     or caps["attach"]["tp_btf"]["available"]):
    bad.append("neither raw_tp nor tp_btf attaches")
for b in bad:
    print("FAIL:", b)
sys.exit(1 if bad else 0)
PY
set +e
"$RMB" probe --bogus 2>"$TMP/err"; rc=$?
set -e
[ "$rc" -eq 2 ] && grep -q -- "--bogus" "$TMP/err" || fail "probe --bogus: exit $rc"
echo "probe: $(grep -c ': yes' "$TMP/caps.txt") yes, $(grep -c ': no' "$TMP/caps.txt") no (each with a reason)"
