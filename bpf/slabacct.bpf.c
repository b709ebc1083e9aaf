// SPDX-License-Identifier: GPL-2.0
/*
 * Exact slab accounting of vm_area_struct, anon_vma, anon_vma_chain and
 * vma_lock objects allocated by a process tree.
 *
 * - Tracked tasks: thread groups in @tracked; sched_process_fork adds the
 *   children of tracked tasks.
 * - Caches are identified by their struct kmem_cache pointer. The pointer of
 *   each kind is learned the first time a tracked task allocates from it, by
 *   comparing s->name once with the slab name user space resolved (which is
 *   the name of the real cache when the kind is merged into another).
 * - Where a kind's cache is merged with unrelated caches, an allocation only
 *   counts when its call site lies in one of the functions that allocate that
 *   kind (ranges from kallsyms, see @sites); others count as "foreign".
 * - Objects are remembered by pointer, so their frees match from any task or
 *   context (RCU callbacks, other CPUs, exit).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include "slabacct_shared.h"
#include "track.bpf.h"

#define KIND_NONE 0xff

/* Set by user space before load. */
const volatile char kind_slab[SA_NR_KINDS][SA_NAME_LEN] = {};
const volatile unsigned int site_filter_mask = 0; /* kinds needing call sites */
const volatile unsigned int nr_sites = 0;
const volatile struct sa_site sites[SA_MAX_SITES] = {};
/* Distinct caches behind our kinds: once all are in recent[], others are skipped. */
const volatile unsigned int nr_our_caches = SA_NR_KINDS;
/*
 * Test only (RMAPBENCH_TEST_DROP_FREE=N): ignore every Nth free of a tracked
 * object, as if the kernel had skipped that invocation (a recursion miss).
 * 0 in real runs: the verifier then removes the test as dead code.
 */
const volatile unsigned int test_drop_free = 0;
unsigned long long test_free_seq = 0;
unsigned long long test_dropped = 0;
/*
 * Test only (RMAPBENCH_TEST_SKIP_FREE=N): the main free program returns at
 * once on every Nth free of a tracked object, as if the kernel had skipped it
 * for nesting: the backup program must count those. 0 in real runs.
 */
const volatile unsigned int test_skip_free = 0;
unsigned long long test_skip_seq = 0;
unsigned long long test_skipped = 0;

/* Read (mmap'ed) by user space. */
struct sa_counters counters[SA_NR_KINDS] = {};
/* Tracked frees the main free program was skipped for, counted by the backup. */
unsigned long long nested_frees_recovered = 0;

/*
 * Fast path: our caches' pointers and kind masks. A slot is claimed by a
 * compare-and-swap of its pointer, then its mask is set; a reader seeing the
 * pointer but no mask yet takes the slow path. (Only equality tests on the
 * pointer: tp_btf programs may not do arithmetic on a typed pointer.)
 */
#define NR_RECENT 4
unsigned long long recent_cache[NR_RECENT] = {};
unsigned int recent_mask[NR_RECENT] = {};
unsigned int recent_nr = 0;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, SA_MAX_TASKS);
	__type(key, u32);	/* tgid */
	__type(value, u8);
} tracked SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, SA_MAX_OBJS);
	__type(key, u64);	/* object pointer */
	__type(value, u8);	/* kind */
} objs SEC(".maps");

/*
 * Per CPU: the object the main free program last started on (0 once the
 * backup program has run). See on_free_backup().
 */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, u64);
} free_seen SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, SA_MAX_CACHES);
	__type(key, u64);	/* struct kmem_cache * */
	__type(value, u32);	/* bitmask of kinds using this cache, 0 = none */
} cache_kinds SEC(".maps");

static __always_inline bool task_tracked(void)
{
	u32 tgid = bpf_get_current_pid_tgid() >> 32;

	return bpf_map_lookup_elem(&tracked, &tgid) != NULL;
}

/* Caches of our kinds are few: keep them where a compare finds them. */
static __always_inline void remember_cache(u64 key, u32 mask)
{
	for (int i = 0; i < NR_RECENT; i++) {
		u64 old = __sync_val_compare_and_swap(&recent_cache[i], 0, key);

		if (old == 0) {
			recent_mask[i] = mask;
			__sync_fetch_and_add(&recent_nr, 1);
			return;
		}
		if (old == key)
			return;
	}
}

/*
 * Kinds served by cache @s from recent[]: 0 when @s is known not to be one of
 * ours (every one of ours is already in recent[]), -1 when unknown yet.
 */
static __always_inline int recent_kinds(const void *s)
{
	for (int i = 0; i < NR_RECENT; i++) {
		if (recent_cache[i] == (u64)s) {
			u32 mask = recent_mask[i];

			return mask ? (int)mask : -1;
		}
	}
	return recent_nr >= nr_our_caches ? 0 : -1;
}

static __always_inline u32 kinds_of_cache(struct kmem_cache *s)
{
	char name[SA_NAME_LEN] = {};
	u64 key = (u64)s;
	u32 *known, mask = 0;
	const char *np;

	known = bpf_map_lookup_elem(&cache_kinds, &key);
	if (known) {
		if (*known)
			remember_cache(key, *known);
		return *known;
	}

	np = BPF_CORE_READ(s, name);
	if (bpf_probe_read_kernel_str(name, sizeof(name), np) < 0)
		return 0;
	for (int k = 0; k < SA_NR_KINDS; k++) {
		bool same = kind_slab[k][0] != 0;

		for (int i = 0; i < SA_NAME_LEN && same; i++) {
			if (name[i] != kind_slab[k][i])
				same = false;
			else if (!name[i])
				break;
		}
		if (same)
			mask |= 1U << k;
	}
	bpf_map_update_elem(&cache_kinds, &key, &mask, BPF_ANY);
	if (mask)
		remember_cache(key, mask);
	return mask;
}

/* The kind an allocation from a cache used by @mask belongs to, or KIND_NONE. */
static __always_inline u32 kind_of_alloc(u32 mask, u64 call_site)
{
	if (!(mask & site_filter_mask)) {
		for (int k = 0; k < SA_NR_KINDS; k++)
			if (mask & (1U << k))
				return k;
		return KIND_NONE;
	}
	for (int i = 0; i < SA_MAX_SITES; i++) {
		if (i >= nr_sites)
			break;
		if (!(mask & (1U << sites[i].kind)))
			continue;
		if (call_site >= sites[i].start && call_site < sites[i].end)
			return sites[i].kind;
	}
	return KIND_NONE;
}

static __always_inline void raise_peak(struct sa_counters *c, long long live)
{
	for (int i = 0; i < 16; i++) {
		long long peak = c->peak;

		if (live <= peak)
			return;
		if (__sync_val_compare_and_swap(&c->peak, peak, live) == peak)
			return;
	}
}

static __always_inline void count_alloc(u32 kind, u64 ptr)
{
	struct sa_counters *c;
	u8 k = kind;
	long long live;

	if (kind >= SA_NR_KINDS)
		return;
	c = &counters[kind];
	if (bpf_map_update_elem(&objs, &ptr, &k, BPF_NOEXIST)) {
		/* -EEXIST: a free of this pointer was missed; else the map is full */
		if (bpf_map_update_elem(&objs, &ptr, &k, BPF_EXIST) == 0) {
			__sync_fetch_and_add(&c->stale, 1);
		} else {
			__sync_fetch_and_add(&c->lost, 1);
			return;
		}
	}
	__sync_fetch_and_add(&c->allocs, 1);
	live = __sync_fetch_and_add(&c->live, 1) + 1;
	raise_peak(c, live);
}

/*
 * Counts the free of @ptr if it is a tracked object; true if it did. The map
 * delete decides: whoever deletes the entry counts the free, so a free seen
 * by both free programs is counted once. (The object cannot be allocated
 * again meanwhile: the tracepoint fires before the slab takes it back.)
 */
static __always_inline bool count_free(u64 ptr)
{
	struct sa_counters *c;
	u8 *k = bpf_map_lookup_elem(&objs, &ptr);
	u32 kind;

	if (!k)
		return false;
	if (test_drop_free &&
	    __sync_fetch_and_add(&test_free_seq, 1) % test_drop_free == test_drop_free - 1) {
		__sync_fetch_and_add(&test_dropped, 1);
		return false;
	}
	kind = *k;
	if (bpf_map_delete_elem(&objs, &ptr))
		return false;	/* a concurrent free of the same pointer won */
	if (kind >= SA_NR_KINDS)
		return false;
	c = &counters[kind];
	__sync_fetch_and_add(&c->frees, 1);
	__sync_fetch_and_add(&c->live, -1);
	return true;
}

static __always_inline int on_alloc(unsigned long call_site, const void *ptr,
				    struct kmem_cache *s)
{
	int known = recent_kinds(s);
	u32 mask, kind;

	/* cheapest test first: most allocations are from other caches */
	if (!ptr || !known || !task_tracked())
		return 0;
	mask = known > 0 ? known : kinds_of_cache(s);
	if (!mask)
		return 0;
	kind = kind_of_alloc(mask, call_site);
	if (kind == KIND_NONE) {
		for (int k = 0; k < SA_NR_KINDS; k++) {
			if (mask & (1U << k)) {
				__sync_fetch_and_add(&counters[k].foreign, 1);
				break;
			}
		}
		return 0;
	}
	count_alloc(kind, (u64)ptr);
	return 0;
}

/*
 * Two attach methods, one chosen at run time with bpf_program__set_autoload():
 * tp_btf (BTF-typed, cheapest) where the kernel allows it, raw_tp otherwise.
 * kmem_cache_alloc(call_site, ptr, s, gfp_flags, node) and
 * kmem_cache_free(call_site, ptr, s) have these prototypes from 6.1 to 6.18.
 */
SEC("tp_btf/kmem_cache_alloc")
int BPF_PROG(btf_cache_alloc, unsigned long call_site, const void *ptr, struct kmem_cache *s)
{
	return on_alloc(call_site, ptr, s);
}

/* The main free program: every free from a cache that may be ours. */
static __always_inline int on_free(const void *ptr, const struct kmem_cache *s)
{
	u32 zero = 0;
	u64 *seen;

	if (!ptr || !recent_kinds(s))
		return 0;
	if (test_skip_free && bpf_map_lookup_elem(&objs, &ptr) &&
	    __sync_fetch_and_add(&test_skip_seq, 1) % test_skip_free == test_skip_free - 1) {
		__sync_fetch_and_add(&test_skipped, 1);
		return 0;
	}
	seen = bpf_map_lookup_elem(&free_seen, &zero);
	if (seen)
		*seen = (u64)ptr;
	count_free((u64)ptr);
	return 0;
}

/*
 * The backup free program, attached to the same tracepoint after the main
 * one, so it runs right after it for every free. The kernel skips a program
 * only while that same program is running on this CPU (prog->active): a free
 * in an interrupt (RCU callbacks in softirq) that arrives while the main
 * program runs is skipped for it, but not for this one. The main program
 * records the object it started on; if that is not this object, the main
 * program did not start on this free, and this one counts it. Every order:
 * - main ran for this free: it recorded the pointer; nothing nested since
 *   could have replaced it with the same pointer (this object is still being
 *   freed), so a mismatch only happens when a nested free replaced or cleared
 *   the record, and then counting here finds the object already deleted: the
 *   map delete in count_free() makes counting twice impossible;
 * - main skipped (this free interrupted it, in its program or in the kernel
 *   code around it): the record holds the interrupted free's object, or 0,
 *   never this one, so this program counts it;
 * - this program skipped (the free interrupted this program): the main
 *   program was not running then, so it counted the free;
 * - both skipped: only when the free interrupts one of the two programs
 *   while that one itself runs nested in (interrupted) the other, i.e. on
 *   the third of three nested contexts (a hardirq or NMI inside a softirq
 *   inside task context); our objects are freed in task context and softirq
 *   (RCU callbacks) only, so this cannot lose one of ours.
 * The kernel counts every skipped invocation in recursion_misses.
 * Clearing the record at the end keeps a stale pointer from matching a later
 * free of the same object.
 */
static __always_inline int on_free_backup(const void *ptr, const struct kmem_cache *s)
{
	u32 zero = 0;
	u64 *seen;

	if (!ptr || !recent_kinds(s))
		return 0;
	seen = bpf_map_lookup_elem(&free_seen, &zero);
	if (!seen)
		return 0;
	if (*seen != (u64)ptr && count_free((u64)ptr))
		__sync_fetch_and_add(&nested_frees_recovered, 1);
	*seen = 0;
	return 0;
}

SEC("tp_btf/kmem_cache_free")
int BPF_PROG(btf_cache_free, unsigned long call_site, const void *ptr,
	     const struct kmem_cache *s)
{
	return on_free(ptr, s);
}

SEC("tp_btf/kmem_cache_free")
int BPF_PROG(btf_cache_free_backup, unsigned long call_site, const void *ptr,
	     const struct kmem_cache *s)
{
	return on_free_backup(ptr, s);
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(btf_fork, struct task_struct *parent, struct task_struct *child)
{
	return track_child(&tracked, parent, child);
}

SEC("raw_tp/kmem_cache_alloc")
int BPF_PROG(raw_cache_alloc, unsigned long call_site, const void *ptr, struct kmem_cache *s)
{
	return on_alloc(call_site, ptr, s);
}

SEC("raw_tp/kmem_cache_free")
int BPF_PROG(raw_cache_free, unsigned long call_site, const void *ptr,
	     const struct kmem_cache *s)
{
	return on_free(ptr, s);
}

SEC("raw_tp/kmem_cache_free")
int BPF_PROG(raw_cache_free_backup, unsigned long call_site, const void *ptr,
	     const struct kmem_cache *s)
{
	return on_free_backup(ptr, s);
}

SEC("raw_tp/sched_process_fork")
int BPF_PROG(raw_fork, struct task_struct *parent, struct task_struct *child)
{
	return track_child(&tracked, parent, child);
}

char LICENSE[] SEC("license") = "GPL";
