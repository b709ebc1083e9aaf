/* SPDX-License-Identifier: GPL-2.0 */
/* Following a workload's process tree: shared by the BPF objects. */
#ifndef RMAPBENCH_TRACK_BPF_H
#define RMAPBENCH_TRACK_BPF_H

/*
 * sched_process_fork: a new thread group whose parent's is in @tracked (a hash
 * of tgid → u8) is tracked too; threads (same tgid) need nothing.
 */
static __always_inline int track_child(void *tracked, struct task_struct *parent,
				       struct task_struct *child)
{
	u32 ptgid = BPF_CORE_READ(parent, tgid);
	u32 ctgid = BPF_CORE_READ(child, tgid);
	u8 one = 1;

	if (ptgid == ctgid || !bpf_map_lookup_elem(tracked, &ptgid))
		return 0;
	bpf_map_update_elem(tracked, &ctgid, &one, BPF_ANY);
	return 0;
}

#endif
