/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared between bpf/slabacct.bpf.c and bench/slabacct.c (its user-space API
 * is bench/slabacct.h).
 */
#ifndef RMAPBENCH_SLABACCT_SHARED_H
#define RMAPBENCH_SLABACCT_SHARED_H

/*
 * The tracked caches, the one list: X(kind, cache name), in kind order. The
 * kinds (enum slab_kind), their count and their names (slab_kind_name()) all
 * come from it, on the BPF side, in the runner and in the workloads.
 */
#define SA_CACHES(X)					\
	X(SLAB_VMA,		"vm_area_struct")	\
	X(SLAB_ANON_VMA,	"anon_vma")		\
	X(SLAB_AVC,		"anon_vma_chain")	\
	X(SLAB_VMA_LOCK,	"vma_lock")

/*
 * The report's total anon-rmap metadata bytes: slab.<cache>.alloc_bytes summed
 * over the caches of SA_CACHES present on the running kernel.
 */
#define SA_TOTAL_BYTES	"slab.anon_rmap.alloc_bytes"

#define SA_CACHE_KIND(kind, name)	kind,
#define SA_CACHE_NAME(kind, name)	[kind] = name,

/* Cache kinds counted by the slab accounting. */
enum slab_kind {
	SA_CACHES(SA_CACHE_KIND)
	NR_SLAB_KINDS
};
#define SA_NR_KINDS	NR_SLAB_KINDS	/* the BPF side's name for the count */

#ifndef __bpf__
/* "vm_area_struct", ...; "?" for a kind out of range. */
static inline const char *slab_kind_name(int kind)
{
	static const char *const names[NR_SLAB_KINDS] = { SA_CACHES(SA_CACHE_NAME) };

	return kind >= 0 && kind < NR_SLAB_KINDS ? names[kind] : "?";
}
#endif
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
