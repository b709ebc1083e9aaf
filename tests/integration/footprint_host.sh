# footprint on the host: the apps' exact BPF objects against the scenario's
# formula (launcher's M regions, N apps each duplicating the launcher's P VMAs
# and mapping its own regions, split by a hole), the same in every repetition;
# the slabinfo rows present with KiB = objects x objsize and at least the
# apps' live objects active, or, for a cache merged with others, unavailable
# with the reason (never a wrong figure).
. "$(dirname "$0")/lib.sh"
need_bpf

# run NAME APPS REGIONS OWN HOLE_PCT
run() {
	"$RMB" run --workload footprint --reps 2 --set "footprint.apps=$2" \
		--set "footprint.regions=$3" --set "footprint.own_regions=$4" \
		--set "footprint.hole_pct=$5" --set footprint.pages=16 \
		--json "$TMP/$1.json" 2>"$TMP/$1.err" || fail "$1: exit $?: $(head -c 400 "$TMP/$1.err")"
}
run a 4 8 4 25
run regions 4 16 4 25
run own 4 8 8 25
run apps 8 8 4 25
run nohole 4 8 4 0

python3 - "$TMP" <<'PY'
import json, os, sys
tmp = sys.argv[1]
errors = []

def load(name):
    d = json.load(open(f"{tmp}/{name}.json"))
    w = [w for w in d["workloads"] if w["name"] == "footprint"][0]
    if w["status"] != "ok":
        sys.exit(f"FAIL: {name}: footprint {w['status']}: {w.get('reason')}")
    if w.get("headline") != []:
        errors.append(f"{name}: headline {w.get('headline')!r}, expected []")
    return d, w

def one(name, w, metric):
    vals = {r["metrics"][metric]["value"] for r in w["reps"]}
    if len(vals) != 1:
        errors.append(f"{name}: {metric} differs between repetitions: {sorted(vals, key=str)}")
    return vals.pop()

caches = ["vm_area_struct", "anon_vma", "anon_vma_chain"]
runs = {}
for name in ("a", "regions", "own", "apps", "nohole"):
    d, w = load(name)
    exact = {c: d["slab_accounting"]["caches"][c]["exact"] for c in caches}
    live = {c: one(name, w, f"apps.{c}.bpf_live") for c in caches}
    p = w["params"]
    runs[name] = dict(d=d, w=w, p=p, live=live, exact=exact,
                      P=one(name, w, "launcher.vmas"), own_vmas=one(name, w, "app.own_vmas"))
    r = runs[name]
    print(f"{name}: params {p} launcher.vmas {r['P']} app.own_vmas {r['own_vmas']} bpf_live {live}")
    for c in caches:
        m = w["reps"][0]["metrics"][f"apps.{c}.bpf_live"]
        if (m["kind"], m["better"], m["unit"]) != ("exact", "lower", "objects"):
            errors.append(f"{name}: apps.{c}.bpf_live is {m['kind']}/{m['better']}/{m['unit']}")
    # an own region with a hole in its middle is two VMAs
    split = 2 if p["hole_pct"] and 16 * p["hole_pct"] // 100 else 1
    if r["own_vmas"] != p["own_regions"] * split:
        errors.append(f"{name}: app.own_vmas {r['own_vmas']}, expected {p['own_regions'] * split}")
    # every app duplicates the launcher's P VMAs and keeps its own
    want = p["regions"] + p["apps"] * (r["P"] + r["own_vmas"])
    if live["vm_area_struct"] != want:
        errors.append(f"{name}: vm_area_struct {live['vm_area_struct']}, expected "
                      f"M + N*(P + own VMAs) = {want}")

a, N, M = runs["a"], runs["a"]["p"]["apps"], runs["a"]["p"]["regions"]
checks = [
    # M more written regions: the launcher's M, and per app one anon_vma and
    # two chain entries each (clone + fork)
    ("regions", "anon_vma", M * (1 + N)), ("regions", "anon_vma_chain", M * (1 + 2 * N)),
    # 4 more own regions per app: one anon_vma each, split: two chain entries
    ("own", "anon_vma", N * 4), ("own", "anon_vma_chain", N * 4 * 2),
    # no hole: one VMA and one chain entry less per own region
    ("nohole", "vm_area_struct", -N * 4), ("nohole", "anon_vma_chain", -N * 4),
    ("nohole", "anon_vma", 0),
]
for c in caches:
    # twice the apps: the apps' share again
    checks.append(("apps", c, a["live"][c] - M))
for name, c, want in checks:
    if not (a["exact"][c] and runs[name]["exact"][c]):
        print(f"{name}: {c}: accounting not exact here, not checked")
        continue
    got = runs[name]["live"][c] - a["live"][c]
    if got != want:
        errors.append(f"{name} - a: {c} {got}, expected {want}")

# slabinfo rows: a figure, or unavailable because the cache is merged
for c in caches:
    path = f"/sys/kernel/slab/{c}"
    try:
        aliases = int(open(f"{path}/aliases").read())
    except OSError:
        aliases = 0
    merged = os.path.islink(path) and aliases > 0
    objsize = None
    for line in open("/proc/slabinfo"):
        f = line.split()
        if f and f[0] == c:
            objsize = int(f[3])
    for rep in a["w"]["reps"]:
        for row in ("boot", "apps"):
            o, k = rep["metrics"][f"{row}.{c}.objects"], rep["metrics"][f"{row}.{c}.kib"]
            if merged:
                if o["value"] is not None or "merged with" not in o.get("reason", "") \
                        or "slab_nomerge" not in o.get("reason", ""):
                    errors.append(f"{row}.{c}.objects: merged cache gave {o}")
                continue
            if not isinstance(o["value"], (int, float)) or o["value"] <= 0:
                errors.append(f"{row}.{c}.objects: {o}")
                continue
            if (o["kind"], o["better"]) != ("timed", "none"):
                errors.append(f"{row}.{c}.objects is {o['kind']}/{o['better']}, expected timed/none")
            if objsize and abs(k["value"] - o["value"] * objsize / 1024) > 0.01:
                errors.append(f"{row}.{c}.kib {k['value']} != {o['value']} x {objsize} / 1024")
        d = rep["metrics"][f"apps.{c}.slabinfo_minus_bpf"]
        if not merged and d["value"] is None:
            errors.append(f"apps.{c}.slabinfo_minus_bpf unavailable: {d.get('reason')}")
        # slabinfo counts free objects of CPU slabs as active: never fewer than are live
        o = rep["metrics"][f"apps.{c}.objects"]["value"]
        if not merged and o is not None and o < a["live"][c]:
            errors.append(f"apps.{c}.objects {o} active < {a['live'][c]} live (BPF)")
    print(f"{c}: {'merged: rows unavailable' if merged else 'rows present'}; "
          f"slabinfo - BPF {a['w']['reps'][0]['metrics'][f'apps.{c}.slabinfo_minus_bpf']['value']}")
if errors:
    sys.exit("FAIL: " + "; ".join(errors))
PY
