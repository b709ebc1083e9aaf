# `rmapbench stat -- /bin/true` works; objects of a reaped command are all
# freed (live 0, frees == allocs); the command's exit status passes through.
. "$(dirname "$0")/lib.sh"
need_bpf

"$RMB" stat --json "$TMP/true.json" -- /bin/true 2>"$TMP/err" || fail "stat /bin/true exited $?"
grep -q "vm_area_struct" "$TMP/err" || fail "no table on stderr"
for c in vm_area_struct anon_vma anon_vma_chain; do
	allocs=$(py "$TMP/true.json" "int(r['metrics']['slab.$c.allocs']['value'])")
	frees=$(py "$TMP/true.json" "int(r['metrics']['slab.$c.frees']['value'])")
	live=$(py "$TMP/true.json" "int(r['metrics']['slab.$c.live']['value'])")
	[ "$live" -eq 0 ] || fail "$c: $live objects live after the command was reaped"
	[ "$allocs" -eq "$frees" ] || fail "$c: allocs $allocs != frees $frees"
done
# exec of /bin/true maps at least text, data, bss/heap, stack, vdso: > 5 VMAs
v=$(py "$TMP/true.json" "int(r['metrics']['slab.vm_area_struct.allocs']['value'])")
[ "$v" -gt 5 ] || fail "vm_area_struct allocs $v: exec maps more than 5 VMAs"

set +e
"$RMB" stat -- sh -c 'exit 7' 2>/dev/null
rc=$?
set -e
[ "$rc" -eq 7 ] || fail "exit status of the command not passed through (got $rc)"
echo "stat /bin/true: vm_area_struct allocs $v, all freed"
