/* SPDX-License-Identifier: GPL-2.0 */
/* Shared between bpf/slabacct.bpf.c and bench/slabacct.c. */
#ifndef RMAPBENCH_SLABACCT_H
#define RMAPBENCH_SLABACCT_H

#define SA_NR_KINDS	4	/* vm_area_struct, anon_vma, anon_vma_chain, vma_lock */
#define SA_NAME_LEN	32
#define SA_MAX_SITES	32
#define SA_MAX_TASKS	16384
#define SA_MAX_OBJS	(1 << 20)
#define SA_MAX_CACHES	256

struct sa_counters {
	long long allocs;	/* allocated by a tracked task */
	long long frees;	/* of those, freed (any task, any context) */
	long long live;		/* allocs - frees */
	long long peak;		/* highest live */
	long long foreign;	/* merged cache: allocs from call sites not ours */
	long long lost;		/* object map full: cannot match the free */
	long long stale;	/* pointer already tracked: a free was missed */
};

/* [start, end) of a function that allocates objects of @kind */
struct sa_site {
	unsigned long long start;
	unsigned long long end;
	unsigned int kind;
	unsigned int pad;
};

#endif
