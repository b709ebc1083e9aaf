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

#include "loglin.h"

#define RL_MAX_TASKS	16384
#define RL_MAX_INFLIGHT	16384

/*
 * count is a counter of its own (one add per call), not a sum of buckets;
 * bucket[] is indexed by lh_index() (loglin.h). min_inv holds ~min so that
 * the zeroed state means "no value yet" and one raise-only update serves
 * both extremes.
 */
struct rl_hist {
	unsigned long long count;
	unsigned long long sum;
	unsigned long long max;
	unsigned long long min_inv;
	unsigned long long bucket[LH_BPF_SLOTS];
};

/* One window's worth of one function. */
struct rl_stats {
	struct rl_hist ns;		/* duration of each call */
	struct rl_hist mapcount;	/* folio mappings at entry (not per VMA) */
	unsigned long long own_calls;	/* calls made by the tracked tree */
	unsigned long long unmatched;	/* returns whose entry was not seen */
};

#endif
