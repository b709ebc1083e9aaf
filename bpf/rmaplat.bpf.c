// SPDX-License-Identifier: GPL-2.0
/*
 * rmap walk latency: duration of every call of rmap_walk_anon,
 * folio_referenced, try_to_unmap, try_to_migrate, rmap_walk_ksm and
 * folio_lock_anon_vma_read, as log-linear histograms (bpf/loglin.h: 16
 * sub-buckets per power of two) with exact count, sum, min and max,
 * plus the folio's mapcount at entry; and of the walks' per-VMA callbacks
 * (try_to_unmap_one, folio_referenced_one, try_to_migrate_one), whose calls
 * count the VMAs the walks visited.
 *
 * Every function has an fentry/fexit pair and a kprobe/kretprobe pair; user
 * space loads exactly one pair per function (bpf_program__set_autoload), the
 * first that the running kernel accepts.
 *
 * Calls are counted system-wide (reclaim walks run in kswapd, compaction in
 * kcompactd, KSM in ksmd), but only inside a window user space opens and
 * closes (@enabled, @window_gen): a call that started in another window is
 * dropped. Calls made by the tracked process tree (the workload) are also
 * counted apart, in own_calls.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include "core_fixes.bpf.h"
#include "rmaplat.h"
#include "track.bpf.h"

/* Written by user space through the mmap'ed .bss. */
volatile unsigned int enabled;
volatile unsigned int window_gen;
struct rl_stats stats[RL_NR_FUNCS] = {};

struct rl_start {
	u64 ts;
	u32 gen;
	int mapcount;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, RL_MAX_INFLIGHT);
	__type(key, u64);	/* tid << 8 | function */
	__type(value, struct rl_start);
} starts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, RL_MAX_TASKS);
	__type(key, u32);	/* tgid */
	__type(value, u8);
} tracked SEC(".maps");

/* Raise *@p to @v (a CAS loop, bounded for the verifier). */
static __always_inline void raise_to(u64 *p, u64 v)
{
	for (int i = 0; i < 16; i++) {
		u64 cur = *p;

		if (v <= cur)
			return;
		if (__sync_val_compare_and_swap(p, cur, v) == cur)
			return;
	}
}

static __always_inline void hist_add(struct rl_hist *h, u64 v)
{
	u32 b = lh_index(v);

	__sync_fetch_and_add(&h->count, 1);
	__sync_fetch_and_add(&h->sum, v);
	__sync_fetch_and_add(&h->bucket[b & (LH_BPF_SLOTS - 1)], 1);
	raise_to(&h->max, v);
	raise_to(&h->min_inv, ~v);
}

static __always_inline u64 start_key(u32 func)
{
	u32 tid = (u32)bpf_get_current_pid_tgid();

	return ((u64)tid << 8) | func;
}

static __always_inline bool task_tracked(void)
{
	u32 tgid = bpf_get_current_pid_tgid() >> 32;

	return bpf_map_lookup_elem(&tracked, &tgid) != NULL;
}

static __always_inline int on_entry(u32 func, const struct folio *folio)
{
	struct rl_start st = {};
	u64 key = start_key(func);

	if (!enabled)
		return 0;
	st.gen = window_gen;
	st.mapcount = folio && func < RL_FIRST_PER_VMA ? rmb_folio_mapcount(folio) : -1;
	st.ts = bpf_ktime_get_ns();
	bpf_map_update_elem(&starts, &key, &st, BPF_ANY);
	return 0;
}

static __always_inline int on_exit(u32 func)
{
	u64 now = bpf_ktime_get_ns();
	u64 key = start_key(func);
	struct rl_stats *s;
	struct rl_start *st;
	u64 ts;
	u32 gen;
	int mapcount;

	if (func >= RL_NR_FUNCS)
		return 0;
	s = &stats[func];
	st = bpf_map_lookup_elem(&starts, &key);
	if (!st) {
		if (enabled)
			__sync_fetch_and_add(&s->unmatched, 1);
		return 0;
	}
	ts = st->ts;
	gen = st->gen;
	mapcount = st->mapcount;
	bpf_map_delete_elem(&starts, &key);
	if (!enabled || gen != window_gen || now < ts)
		return 0;
	hist_add(&s->ns, now - ts);
	if (mapcount >= 0)
		hist_add(&s->mapcount, mapcount);
	if (task_tracked())
		__sync_fetch_and_add(&s->own_calls, 1);
	return 0;
}

/* Every timed function takes the folio first: 6.1 to 6.18 alike. */
#define RL_PROBES(fn, id)						\
SEC("fentry/" #fn)							\
int BPF_PROG(fentry_##fn, const struct folio *folio)			\
{									\
	return on_entry(id, folio);					\
}									\
									\
SEC("fexit/" #fn)							\
int BPF_PROG(fexit_##fn)						\
{									\
	return on_exit(id);						\
}									\
									\
SEC("kprobe/" #fn)							\
int BPF_KPROBE(kprobe_##fn, const struct folio *folio)			\
{									\
	return on_entry(id, folio);					\
}									\
									\
SEC("kretprobe/" #fn)							\
int BPF_KRETPROBE(kretprobe_##fn)					\
{									\
	return on_exit(id);						\
}

RL_PROBES(rmap_walk_anon, RL_RMAP_WALK_ANON)
RL_PROBES(folio_referenced, RL_FOLIO_REFERENCED)
RL_PROBES(try_to_unmap, RL_TRY_TO_UNMAP)
RL_PROBES(try_to_migrate, RL_TRY_TO_MIGRATE)
RL_PROBES(rmap_walk_ksm, RL_RMAP_WALK_KSM)
RL_PROBES(folio_lock_anon_vma_read, RL_LOCK_ANON_VMA)
RL_PROBES(try_to_unmap_one, RL_TRY_TO_UNMAP_ONE)
RL_PROBES(folio_referenced_one, RL_FOLIO_REFERENCED_ONE)
RL_PROBES(try_to_migrate_one, RL_TRY_TO_MIGRATE_ONE)

/* The workload's tree: children of tracked tasks are tracked. */
SEC("raw_tp/sched_process_fork")
int BPF_PROG(rl_fork, struct task_struct *parent, struct task_struct *child)
{
	return track_child(&tracked, parent, child);
}

char LICENSE[] SEC("license") = "GPL";
