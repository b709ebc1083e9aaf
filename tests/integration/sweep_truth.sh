# Cost curves (--sweep) against ground truth: fork-chain chain entries
# K*(D+1)(D+2)/2 - K and their exponent, linear with parents exiting,
# fork-tree anon_vma linear in processes; compare's exponents (see the .py).
. "$(dirname "$0")/lib.sh"
need_bpf
python3 "$(dirname "$0")/sweep_truth.py" "$RMB"
