# fork-chain slab counts against the kernel's fork/anon_vma rules (see the .py).
. "$(dirname "$0")/lib.sh"
need_bpf
python3 "$(dirname "$0")/fork_chain_truth.py" "$RMB"
