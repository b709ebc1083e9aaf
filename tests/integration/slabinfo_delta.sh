# rmapbench stat's vm_area_struct figures against /proc/slabinfo: a helper maps
# N separate VMAs and reports the slabinfo delta; the BPF peak must be N plus the
# few VMAs of exec, and agree with slabinfo within its slack (per-CPU caches).
. "$(dirname "$0")/lib.sh"
need_bpf
N=20000
gcc -O2 -o "$TMP/many_vmas" "$ROOT/tests/helpers/many_vmas.c"
"$RMB" stat --json "$TMP/s.json" -- "$TMP/many_vmas" "$N" >"$TMP/delta" 2>/dev/null
delta=$(cat "$TMP/delta")
peak=$(py "$TMP/s.json" "int(r['metrics']['slab.vm_area_struct.peak']['value'])")
allocs=$(py "$TMP/s.json" "int(r['metrics']['slab.vm_area_struct.allocs']['value'])")
live=$(py "$TMP/s.json" "int(r['metrics']['slab.vm_area_struct.live']['value'])")
echo "N=$N slabinfo delta=$delta bpf allocs=$allocs peak=$peak live=$live"
[ "$peak" -ge "$N" ] && [ "$peak" -le $((N + 100)) ] || fail "peak $peak not N..N+100"
[ "$allocs" -ge "$peak" ] || fail "allocs $allocs < peak $peak"
[ "$live" -eq 0 ] || fail "$live VMAs live after exit"
d=$((delta - N)); d=${d#-}
[ "$d" -le $((N / 20)) ] || fail "slabinfo delta $delta differs from N=$N by more than 5%"
