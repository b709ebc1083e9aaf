/* SPDX-License-Identifier: GPL-2.0 */
/* Shared between bpf/rmaplat.bpf.c and bench/rmaplat.c. */
#ifndef RMAPBENCH_RMAPLAT_H
#define RMAPBENCH_RMAPLAT_H

/* Timed kernel functions; the order is the report's. */
enum rl_func {
	RL_RMAP_WALK_ANON,
	RL_FOLIO_REFERENCED,
	RL_TRY_TO_UNMAP,
	RL_TRY_TO_MIGRATE,
	RL_RMAP_WALK_KSM,
	RL_LOCK_ANON_VMA,	/* folio_lock_anon_vma_read: the anon_vma lock wait */
	/* per-VMA callbacks of the walks: their calls count the VMAs visited */
	RL_FIRST_PER_VMA,
	RL_TRY_TO_UNMAP_ONE = RL_FIRST_PER_VMA,
	RL_FOLIO_REFERENCED_ONE,
	RL_TRY_TO_MIGRATE_ONE,
	RL_NR_FUNCS,
};

/*
 * Bucket b counts values v with 2^(b-1) <= v < 2^b (bucket 0: v == 0), the
 * layout of the workloads' own latency histograms (bench/wlctx.c).
 */
#define RL_NR_BUCKETS	64
#define RL_MAX_TASKS	16384
#define RL_MAX_INFLIGHT	16384

struct rl_hist {
	unsigned long long count;
	unsigned long long sum;
	unsigned long long max;
	unsigned long long bucket[RL_NR_BUCKETS];
};

/* One window's worth of one function. */
struct rl_stats {
	struct rl_hist ns;		/* duration of each call */
	struct rl_hist mapcount;	/* folio mappings at entry (not per VMA) */
	unsigned long long own_calls;	/* calls made by the tracked tree */
	unsigned long long unmatched;	/* returns whose entry was not seen */
};

#endif
