// SPDX-License-Identifier: GPL-2.0
/*
 * User-space side of bpf/slabacct.bpf.c: resolves which slab cache each kind
 * lives in (merged or not), the call-site ranges needed to tell a merged
 * cache's objects apart, loads and attaches the raw tracepoints.
 */
#include <errno.h>
#include <limits.h>
#include <linux/membarrier.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "procfs.h"
#include "slabacct.h"
#include "kallsyms.h"
#include "slabcache.h"
#include "slabacct.skel.h"
#include "sysinfo.h"
#include "util.h"

/*
 * Functions that allocate each kind. The allocation helpers (anon_vma_alloc,
 * anon_vma_chain_alloc, vma_lock_alloc) are usually inlined into their callers;
 * both are listed so either layout is covered.
 */
static const char *const kind_sites[SA_NR_KINDS][5] = {
	[SLAB_VMA] = { "vm_area_alloc", "vm_area_dup" },
	[SLAB_ANON_VMA] = { "__anon_vma_prepare", "anon_vma_fork", "anon_vma_alloc" },
	[SLAB_AVC] = { "__anon_vma_prepare", "anon_vma_clone", "anon_vma_fork",
		       "anon_vma_chain_alloc" },
	[SLAB_VMA_LOCK] = { "vm_area_alloc", "vm_area_dup", "vma_lock_alloc" },
};

struct kind_info {
	bool present;
	char slab[SA_NAME_LEN];	/* name of the real cache (differs when merged) */
	bool merged;		/* the real cache also serves other caches */
	bool merge_known;	/* false: no /sys/kernel/slab to tell */
	int aliases;
	char alias_names[256];
	int nr_sites;
	bool exact;
	char note[160];
	/* what one object costs (bytes metrics): slab_size, see read_sizes() */
	long object_size;	/* -1: unknown */
	long slab_size;		/* -1: unknown */
	char size_source[160];	/* where slab_size was read */
	char size_reason[160];	/* why it is unknown */
};

#define SA_NR_PROGS 8	/* programs in the object, either method */

struct slabacct {
	struct slabacct_bpf *skel;
	const char *method;		/* "tp_btf" or "raw_tp" */
	struct kind_info kinds[SA_NR_KINDS];
	bool present[SA_NR_KINDS];
	struct sa_site sites[SA_MAX_SITES];
	int nr_sites;
	unsigned long long missed_base[SA_NR_PROGS];	/* recursion misses at the last reset */
	unsigned int drop_free;		/* test knob: every Nth tracked free ignored */
	unsigned int skip_free;		/* test knob: main free program skips every Nth */
	/* end of the repetition (slabacct_settle) */
	bool settled;			/* every tracked object freed */
	unsigned int unsettled;		/* kinds with objects still live at the timeout */
	long settle_ms;			/* time the wait took */
	long grace_periods;		/* membarrier(MEMBARRIER_CMD_GLOBAL) calls */
	char settle_reason[256];
};

/*
 * Invocations of our programs the kernel skipped ("recursion misses"). Why
 * they cannot make a count silently wrong (docs/report-schema.md):
 * - a tracepoint runs its BPF programs with preemption disabled, and the
 *   kernel skips a program only when the same program is already running on
 *   that CPU: a missed invocation is one nested in an interrupt (hardirq,
 *   softirq, NMI) that arrived while the program ran;
 * - our kinds are only allocated in process context (GFP_KERNEL in
 *   vm_area_alloc/dup, anon_vma_fork/clone, __anon_vma_prepare), so a missed
 *   allocation is never one of ours (at most another cache's object: for a
 *   merged cache, a "foreign" one), and sched_process_fork never nests;
 * - a free can be ours (an RCU callback freeing vm_area_struct or vma_lock
 *   in softirq). When it interrupts the main free program, the backup free
 *   program counts it ("nested_frees_recovered"); when it interrupts the
 *   backup, the main one counts it. Both are skipped only on a third nested
 *   context (hardirq or NMI), where our objects are never freed (see
 *   on_free_backup() in bpf/slabacct.bpf.c). Should one be missed anyway,
 *   the object stays in the map and "live", so the end-of-repetition wait
 *   (slabacct_settle) never sees all objects freed, times out and marks the
 *   kind inexact; a reused pointer shows as "stale".
 * RMAPBENCH_TEST_DROP_FREE=N makes the BPF side drop every Nth tracked free
 * to test exactly that (tests/integration/missed_free.sh).
 *
 * Fills @misses (and @names, without the method prefix) per loaded program
 * in object order; returns their number.
 */
static int program_misses(const struct slabacct *sa, unsigned long long *misses,
			  const char **names)
{
	struct bpf_program *prog;
	int n = 0;

	bpf_object__for_each_program(prog, sa->skel->obj) {
		struct bpf_prog_info info = {};
		__u32 len = sizeof(info);
		const char *name = bpf_program__name(prog);

		if (bpf_program__fd(prog) < 0 || n >= SA_NR_PROGS)
			continue;
		misses[n] = 0;
		if (!bpf_obj_get_info_by_fd(bpf_program__fd(prog), &info, &len))
			misses[n] = info.recursion_misses;
		if (names)
			names[n] = strncmp(name, "btf_", 4) && strncmp(name, "raw_", 4) ?
				   name : name + 4;
		n++;
	}
	return n;
}

/* Names the cache is also known by, "a,b,c" (at most alias_names' size). */
static void list_aliases(const struct slab_cache *c, struct kind_info *ki)
{
	size_t used = 0;

	ki->alias_names[0] = 0;
	for (size_t i = 0; i < c->nr_merged && used < sizeof(ki->alias_names); i++)
		used += snprintf(ki->alias_names + used, sizeof(ki->alias_names) - used,
				 "%s%s", used ? "," : "", c->merged[i]);
}

/* The objsize column (bytes per object, s->size) of @name's line in /proc/slabinfo. */
static long slabinfo_objsize(const char *slabinfo, const char *name)
{
	size_t n = strlen(name);
	const char *p = slabinfo;
	long active, total, size;

	for (; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (!strncmp(p, name, n) && p[n] == ' ' &&
		    sscanf(p + n, "%ld %ld %ld", &active, &total, &size) == 3 && size > 0)
			return size;
	return -1;
}

/*
 * The bytes one object of @kind costs: the cache's slab_size, the stride of
 * objects in a slab (object, alignment padding, a free pointer kept outside
 * the object, debug metadata). Not object_size: that is sizeof the struct for
 * an unmerged cache, but the largest of the merged structs for a merged one,
 * and leaves out what the allocator adds per object. /proc/slabinfo's objsize
 * column is the same number (s->size), so it is the fallback without sysfs.
 * Per-slab leftover space is not included (docs/report-schema.md).
 */
static void read_sizes(int kind, struct kind_info *ki, const char *slabinfo, bool sysfs,
		       const char *target)
{
	const char *name = slab_kind_name(kind);
	char path[PATH_MAX];

	ki->object_size = ki->slab_size = -1;
	if (sysfs) {
		snprintf(path, sizeof(path), SLAB_SYSFS "/%s/object_size", name);
		if (procfs_read_long(path, &ki->object_size) || ki->object_size <= 0)
			ki->object_size = -1;
		snprintf(path, sizeof(path), SLAB_SYSFS "/%s/slab_size", name);
		if (!procfs_read_long(path, &ki->slab_size) && ki->slab_size > 0) {
			/* a merged cache's name is a symlink: say where it led */
			snprintf(ki->size_source, sizeof(ki->size_source), "%s%s%s%s", path,
				 target[0] ? " (-> " : "", target, target[0] ? ")" : "");
			return;
		}
		ki->slab_size = -1;
	}
	ki->slab_size = slabinfo_objsize(slabinfo, ki->slab);
	if (ki->slab_size > 0) {
		snprintf(ki->size_source, sizeof(ki->size_source), "/proc/slabinfo objsize of %s",
			 ki->slab);
		return;
	}
	ki->slab_size = -1;
	snprintf(ki->size_reason, sizeof(ki->size_reason),
		 "object size of %s not readable from %s/%s/slab_size or /proc/slabinfo",
		 name, SLAB_SYSFS, name);
}

static void resolve_kind(int kind, struct kind_info *ki, const char *slabinfo)
{
	const char *name = slab_kind_name(kind), *listed;
	struct slab_cache c;

	snprintf(ki->slab, sizeof(ki->slab), "%s", name);
	if (slab_cache_lookup(name, &c) || !c.sysfs) {
		/* no sysfs entry: no such cache, or no /sys/kernel/slab at all */
		ki->present = slabinfo_has(slabinfo, name);
		ki->merge_known = access(SLAB_SYSFS, F_OK) == 0;
		if (ki->present)
			read_sizes(kind, ki, slabinfo, false, "");
		return;
	}
	ki->present = true;
	ki->merge_known = true;
	listed = slab_cache_slabinfo_name(&c, name, slabinfo);
	if (listed)
		snprintf(ki->slab, sizeof(ki->slab), "%s", listed);
	ki->aliases = c.aliases > 0 ? c.aliases : 0;
	ki->merged = ki->aliases > 0 || strcmp(ki->slab, name);
	if (ki->merged)
		list_aliases(&c, ki);
	read_sizes(kind, ki, slabinfo, true, c.target);
	slab_cache_free(&c);
}

static void add_sites(struct slabacct *sa, const struct ksyms *ks, int kind)
{
	struct kind_info *ki = &sa->kinds[kind];

	for (size_t i = 0; i < ks->nr; i++) {
		const struct ksym *sym = &ks->syms[i];
		unsigned long long end;
		bool wanted = false;

		for (size_t j = 0; j < 5 && kind_sites[kind][j]; j++)
			wanted |= ksym_of(sym->name, kind_sites[kind][j]);
		if (!wanted || sa->nr_sites >= SA_MAX_SITES)
			continue;
		end = ksyms_end(ks, sym);
		if (!end)
			continue;
		sa->sites[sa->nr_sites++] = (struct sa_site){
			.start = sym->addr, .end = end, .kind = kind,
		};
		ki->nr_sites++;
	}
}

/* Decides, per kind, whether counts are exact, and collects call sites. */
static unsigned int plan_site_filter(struct slabacct *sa)
{
	const struct ksyms *ks = ksyms_get();
	/* function ranges need the addresses (kptr_restrict hides them) */
	bool have_syms = !ks->err && ks->addrs;
	unsigned int mask = 0;

	for (int k = 0; k < SA_NR_KINDS; k++) {
		struct kind_info *ki = &sa->kinds[k];

		ki->exact = ki->present;
		if (!ki->present)
			continue;
		if (ki->merge_known && !ki->merged)
			continue;
		mask |= 1U << k;
		if (have_syms)
			add_sites(sa, ks, k);
		if (!ki->nr_sites) {
			ki->exact = false;
			mask &= ~(1U << k);
			snprintf(ki->note, sizeof(ki->note),
				 "approximate: cache %s%s and %s; boot with slab_nomerge for exact counts",
				 ki->merge_known ? "merged with " : "merge state unknown",
				 ki->merge_known ? ki->alias_names : "",
				 have_syms ? "no allocating function found in kallsyms"
					   : "kallsyms addresses hidden");
		} else {
			snprintf(ki->note, sizeof(ki->note),
				 "cache %s%s: allocations told apart by call site (%d functions)",
				 ki->merge_known ? "merged with " : "merge state unknown",
				 ki->merge_known ? ki->alias_names : "", ki->nr_sites);
		}
	}
	return mask;
}

/* Real caches behind the present kinds (two kinds may share one when merged). */
static unsigned int count_distinct_caches(const struct slabacct *sa)
{
	unsigned int n = 0;

	for (int k = 0; k < SA_NR_KINDS; k++) {
		bool seen = false;

		if (!sa->kinds[k].present)
			continue;
		for (int j = 0; j < k; j++)
			seen |= sa->kinds[j].present && !strcmp(sa->kinds[j].slab, sa->kinds[k].slab);
		n += !seen;
	}
	return n;
}

static int configure(struct slabacct *sa, char *reason, size_t len)
{
	struct slabacct_bpf *skel = sa->skel;
	unsigned int mask;
	char *slabinfo;
	int k;

	slabinfo = procfs_slurp("/proc/slabinfo", NULL);
	for (k = 0; k < SA_NR_KINDS; k++) {
		resolve_kind(k, &sa->kinds[k], slabinfo);
		sa->present[k] = sa->kinds[k].present;
	}
	free(slabinfo);
	if (!sa->present[SLAB_VMA] || !sa->present[SLAB_ANON_VMA]) {
		snprintf(reason, len, "slab caches vm_area_struct/anon_vma not found in /proc/slabinfo");
		return -1;
	}
	mask = plan_site_filter(sa);
	for (k = 0; k < SA_NR_KINDS; k++) {
		if (sa->present[k])
			memcpy((char *)skel->rodata->kind_slab[k], sa->kinds[k].slab, SA_NAME_LEN);
	}
	skel->rodata->nr_our_caches = count_distinct_caches(sa);
	skel->rodata->site_filter_mask = mask;
	skel->rodata->nr_sites = sa->nr_sites;
	memcpy((void *)skel->rodata->sites, sa->sites, sizeof(sa->sites));
	skel->rodata->test_drop_free = sa->drop_free;
	skel->rodata->test_skip_free = sa->skip_free;
	return 0;
}

static void choose_method(struct slabacct_bpf *skel, bool btf)
{
	bpf_program__set_autoload(skel->progs.btf_cache_alloc, btf);
	bpf_program__set_autoload(skel->progs.btf_cache_free, btf);
	bpf_program__set_autoload(skel->progs.btf_cache_free_backup, btf);
	bpf_program__set_autoload(skel->progs.btf_fork, btf);
	bpf_program__set_autoload(skel->progs.raw_cache_alloc, !btf);
	bpf_program__set_autoload(skel->progs.raw_cache_free, !btf);
	bpf_program__set_autoload(skel->progs.raw_cache_free_backup, !btf);
	/* attached by attach_backup(), after the main free program */
	bpf_program__set_autoattach(skel->progs.btf_cache_free_backup, false);
	bpf_program__set_autoattach(skel->progs.raw_cache_free_backup, false);
	bpf_program__set_autoload(skel->progs.raw_fork, !btf);
}

/* Hidden test knobs: a whole number in [min, max] from the environment, else @def. */
static long env_long(const char *name, long def, long min, long max)
{
	const char *s = getenv(name);
	char *end;
	long v;

	if (!s || !*s)
		return def;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < min || v > max) {
		err("%s=%s: not a whole number in [%ld, %ld], ignored", name, s, min, max);
		return def;
	}
	return v;
}

/*
 * The backup free program must run after the main one on each free (a
 * tracepoint calls its probes in the order they were attached): the other
 * way round it would count every tracked free itself, still once each, but
 * with an extra lookup. The skeleton destroys the link.
 */
static int attach_backup(struct slabacct *sa, bool btf)
{
	struct bpf_program *prog = btf ? sa->skel->progs.btf_cache_free_backup :
					 sa->skel->progs.raw_cache_free_backup;
	struct bpf_link **link = btf ? &sa->skel->links.btf_cache_free_backup :
				       &sa->skel->links.raw_cache_free_backup;

	*link = bpf_program__attach(prog);
	return *link ? 0 : -errno;
}

/* Opens, configures, loads and attaches with one method; 0 or -errno. */
static int load_with(struct slabacct *sa, bool btf, char *reason, size_t len)
{
	int ret;

	slabacct_bpf__destroy(sa->skel);
	sa->nr_sites = 0;
	memset(sa->kinds, 0, sizeof(sa->kinds));
	sa->drop_free = env_long("RMAPBENCH_TEST_DROP_FREE", 0, 0, 1000000);
	sa->skip_free = env_long("RMAPBENCH_TEST_SKIP_FREE", 0, 0, 1000000);
	sa->skel = slabacct_bpf__open();
	if (!sa->skel) {
		snprintf(reason, len, "cannot open BPF object: %s", strerror(errno));
		return -errno;
	}
	if (configure(sa, reason, len))
		return -ENOENT;
	choose_method(sa->skel, btf);
	sa->method = btf ? "tp_btf" : "raw_tp";
	ret = slabacct_bpf__load(sa->skel);
	if (ret) {
		snprintf(reason, len, "%s: BPF load refused: %s", sa->method, strerror(-ret));
		return ret;
	}
	ret = slabacct_bpf__attach(sa->skel);
	if (!ret)
		ret = attach_backup(sa, btf);
	if (ret)
		snprintf(reason, len, "%s: attach to kmem_cache_alloc/free, sched_process_fork failed: %s",
			 sa->method, strerror(-ret));
	return ret;
}

int slabacct_open(struct slabacct **out, char *reason, size_t len)
{
	struct slabacct *sa = calloc(1, sizeof(*sa));
	char btf_reason[256];
	int ret;

	if (!sa) {
		snprintf(reason, len, "out of memory");
		return -1;
	}
	if (!verbose)
		libbpf_set_print(NULL);
	/* tp_btf where the kernel allows tracing programs, raw_tp otherwise */
	ret = load_with(sa, true, btf_reason, sizeof(btf_reason));
	if (ret == -ENOENT) {
		snprintf(reason, len, "%s", btf_reason);
		goto fail;
	}
	if (ret) {
		info("slab accounting: %s; falling back to raw_tp", btf_reason);
		ret = load_with(sa, false, reason, len);
	}
	if (ret)
		goto fail;
	*out = sa;
	return 0;
fail:
	slabacct_close(sa);
	return -1;
}

void slabacct_close(struct slabacct *sa)
{
	if (!sa)
		return;
	slabacct_bpf__destroy(sa->skel);
	free(sa);
}

int slabacct_track(struct slabacct *sa, pid_t pid)
{
	__u32 key = pid;
	__u8 one = 1;

	return bpf_map__update_elem(sa->skel->maps.tracked, &key, sizeof(key), &one,
				    sizeof(one), BPF_ANY);
}

static void clear_map(struct bpf_map *map, size_t key_size)
{
	unsigned char key[16], next[16];
	bool first = true;

	/* delete as we go: always restart from the first key */
	while (bpf_map__get_next_key(map, first ? NULL : key, next, key_size) == 0) {
		bpf_map__delete_elem(map, next, key_size, 0);
		first = true;
	}
}

void slabacct_reset(struct slabacct *sa)
{
	clear_map(sa->skel->maps.tracked, sizeof(__u32));
	clear_map(sa->skel->maps.objs, sizeof(__u64));
	memset((void *)sa->skel->bss->counters, 0, sizeof(sa->skel->bss->counters));
	sa->skel->bss->test_dropped = 0;
	sa->skel->bss->test_skipped = 0;
	sa->skel->bss->nested_frees_recovered = 0;
	program_misses(sa, sa->missed_base, NULL);
	sa->settled = false;
	sa->unsettled = 0;
	sa->settle_ms = 0;
	sa->grace_periods = 0;
	snprintf(sa->settle_reason, sizeof(sa->settle_reason), "not waited for");
}

volatile struct sa_counters *slabacct_counters(struct slabacct *sa)
{
	return sa->skel->bss->counters;
}

bool slabacct_present(const struct slabacct *sa, int kind)
{
	return sa->present[kind];
}

unsigned int slabacct_present_mask(const struct slabacct *sa)
{
	unsigned int mask = 0;

	for (int k = 0; k < SA_NR_KINDS; k++)
		mask |= sa->present[k] ? 1U << k : 0;
	return mask;
}

int slabacct_counters_fd(const struct slabacct *sa)
{
	return bpf_map__fd(sa->skel->maps.bss);
}

volatile struct sa_counters *slabacct_map_counters(int map_fd)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);
	size_t size;
	void *p;

	if (bpf_obj_get_info_by_fd(map_fd, &info, &len))
		return NULL;
	size = (size_t)info.value_size * info.max_entries;
	size = (size + getpagesize() - 1) / getpagesize() * getpagesize();
	p = mmap(NULL, size, PROT_READ, MAP_SHARED, map_fd, 0);
	if (p == MAP_FAILED)
		return NULL;
	return (volatile struct sa_counters *)((char *)p +
					       offsetof(struct slabacct_bpf__bss, counters));
}

const bool *slabacct_present_array(const struct slabacct *sa)
{
	return sa->present;
}

void slabacct_snapshot(volatile struct sa_counters *counters, const bool *present,
		       struct slab_snapshot *snap)
{
	memset(snap, 0, sizeof(*snap));
	if (!counters)
		return;
	snap->valid = true;
	for (int k = 0; k < SA_NR_KINDS; k++) {
		snap->present[k] = present[k];
		snap->allocs[k] = counters[k].allocs;
		snap->frees[k] = counters[k].frees;
		snap->live[k] = counters[k].live;
	}
}

/* Kinds with tracked objects still live; @total gets their sum. */
static unsigned int live_kinds(const struct slabacct *sa, long long *total)
{
	volatile struct sa_counters *c = sa->skel->bss->counters;
	unsigned int mask = 0;

	*total = 0;
	for (int k = 0; k < SA_NR_KINDS; k++) {
		long long live = c[k].live;

		if (sa->present[k] && live) {
			mask |= 1U << k;
			*total += live;
		}
	}
	return mask;
}

/*
 * End of a repetition, reached deterministically. Called once the tree is
 * reaped: every object it allocated is then either freed or queued to be
 * freed after an RCU grace period (vm_area_struct and vma_lock on 6.4 up to
 * the kernels where the VMA cache became SLAB_TYPESAFE_BY_RCU), because
 * nothing else holds them: the workloads leave no object pinned (ksm waits
 * for ksmd to drop its anon_vma references before exiting, see
 * workloads/ksm.c). So the end state is "every tracked object freed", and we
 * wait for exactly that, not for the counts to stop moving:
 * membarrier(MEMBARRIER_CMD_GLOBAL) returns after a grace period, and the
 * callbacks queued before it run soon after, so each round pushes the
 * deferred frees along. If objects are still live after @timeout_ms, one of
 * their frees was missed (see program_misses()) or something pins them:
 * those kinds' frees and live are reported as inexact, with this reason.
 * Returns true when settled.
 */
bool slabacct_settle(struct slabacct *sa, int timeout_ms)
{
	struct timespec nap = { 0, 2 * 1000 * 1000 };
	uint64_t t0 = now_ns(), elapsed = 0;
	bool barrier = true;
	long long live;

	sa->grace_periods = 0;
	while ((sa->unsettled = live_kinds(sa, &live))) {
		elapsed = now_ns() - t0;
		if (elapsed >= (uint64_t)timeout_ms * 1000000)
			break;
		/* no membarrier (CONFIG_MEMBARRIER off): grace periods come anyway */
		if (barrier && syscall(__NR_membarrier, MEMBARRIER_CMD_GLOBAL, 0, 0) == 0)
			sa->grace_periods++;
		else
			barrier = false;
		nanosleep(&nap, NULL);
	}
	sa->settle_ms = (now_ns() - t0) / 1000000;
	sa->settled = !sa->unsettled;
	sa->settle_reason[0] = 0;
	if (!sa->settled) {
		size_t used = snprintf(sa->settle_reason, sizeof(sa->settle_reason),
				       "%lld objects still live %.1f s after the tree was reaped (",
				       live, sa->settle_ms / 1000.0);

		for (int k = 0; k < SA_NR_KINDS && used < sizeof(sa->settle_reason); k++)
			if (sa->unsettled & (1U << k))
				used += snprintf(sa->settle_reason + used,
						 sizeof(sa->settle_reason) - used, "%s%s %lld",
						 used && sa->settle_reason[used - 1] != '(' ? ", " : "",
						 slab_kind_name(k),
						 (long long)sa->skel->bss->counters[k].live);
		if (used < sizeof(sa->settle_reason))
			snprintf(sa->settle_reason + used, sizeof(sa->settle_reason) - used,
				 "): a free was missed or the objects are pinned");
	}
	return sa->settled;
}

int slabacct_settle_timeout_ms(void)
{
	return env_long("RMAPBENCH_SETTLE_TIMEOUT_MS", SA_SETTLE_TIMEOUT_MS, 1, 600000);
}

int slabacct_tracked_pids(struct slabacct *sa, pid_t *pids, int max)
{
	__u32 key, next;
	int n = 0;
	bool first = true;

	while (n < max && bpf_map__get_next_key(sa->skel->maps.tracked, first ? NULL : &key,
						&next, sizeof(next)) == 0) {
		pids[n++] = next;
		key = next;
		first = false;
	}
	return n;
}

static json_t *size_json(long v)
{
	return v > 0 ? json_integer(v) : json_null();
}

/* What the bytes metrics multiply by, and where it was read (docs/report-schema.md). */
static void add_sizes(json_t *o, const struct kind_info *ki)
{
	json_object_set_new(o, "object_size", size_json(ki->object_size));
	json_object_set_new(o, "slab_size", size_json(ki->slab_size));
	json_object_set_new(o, "bytes_per_object", size_json(ki->slab_size));
	json_object_set_new(o, "bytes_per_object_source", ki->slab_size > 0 ?
			    json_string(ki->size_source) : json_null());
	if (ki->slab_size <= 0)
		json_object_set_new(o, "bytes_per_object_reason", json_string(ki->size_reason));
}

json_t *slabacct_describe(const struct slabacct *sa)
{
	json_t *caches = json_object();

	for (int k = 0; k < SA_NR_KINDS; k++) {
		const struct kind_info *ki = &sa->kinds[k];

		json_t *o = json_pack(
			"{s:b, s:s?, s:b, s:i, s:s?, s:b, s:b, s:s?}",
			"present", ki->present,
			"slab", ki->present ? ki->slab : NULL,
			"merged", ki->merged, "aliases", ki->aliases,
			"aliased_with", ki->merged ? ki->alias_names : NULL,
			"call_site_filter", ki->nr_sites > 0,
			"exact", ki->exact,
			"note", ki->note[0] ? ki->note : NULL);

		if (ki->present)
			add_sizes(o, ki);
		json_object_set_new(caches, slab_kind_name(k), o);
	}
	return json_pack("{s:b, s:n, s:s, s:o}", "available", 1, "reason",
			 "method", sa->method, "caches", caches);
}

static json_t *metric(double value, const char *unit, const char *better, const char *kind)
{
	return json_pack("{s:f, s:s, s:s, s:s}", "value", value, "unit", unit,
			 "better", better, "kind", kind);
}

/* A count that would look exact and is not: null, and why. */
static json_t *inexact_metric(const char *unit, const char *better, const char *kind,
			      const char *why)
{
	return json_pack("{s:n, s:s, s:s, s:s, s:s}", "value", "unit", unit, "better", better,
			 "kind", kind, "reason", why);
}

/*
 * slab.<cache>.alloc_bytes = allocs x the cache's bytes per object (slab_size,
 * read when the accounting was opened), and their sum over the caches present
 * on this kernel, slab.anon_rmap.alloc_bytes: exact, lower is better. A cache
 * whose allocs are spoiled, or whose size is unknown, makes its bytes and the
 * total null with the reason. No live or peak bytes: live is 0 whenever the
 * counts are exact, and the caches peak at different moments.
 */
static void add_bytes_metrics(const struct slabacct *sa, json_t *metrics)
{
	volatile struct sa_counters *c = sa->skel->bss->counters;
	char name[96], why[256], total_why[320] = "";
	double total = 0;

	for (int k = 0; k < SA_NR_KINDS; k++) {
		const struct kind_info *ki = &sa->kinds[k];

		if (!sa->present[k])
			continue;
		why[0] = 0;
		if (c[k].lost)
			snprintf(why, sizeof(why), "inexact: %lld objects not tracked (object map full)",
				 (long long)c[k].lost);
		else if (ki->slab_size <= 0)
			snprintf(why, sizeof(why), "unavailable: %s", ki->size_reason);
		snprintf(name, sizeof(name), "slab.%s.alloc_bytes", slab_kind_name(k));
		if (why[0]) {
			json_object_set_new(metrics, name, inexact_metric("bytes", "lower", "exact", why));
			/* "inexact: vm_area_struct: ..." */
			if (!total_why[0])
				snprintf(total_why, sizeof(total_why), "%.*s %s: %s",
					 (int)(strchr(why, ':') - why + 1), why,
					 slab_kind_name(k), strchr(why, ':') + 2);
			continue;
		}
		total += (double)c[k].allocs * ki->slab_size;
		json_object_set_new(metrics, name, metric((double)c[k].allocs * ki->slab_size,
							  "bytes", "lower", "exact"));
	}
	json_object_set_new(metrics, SA_TOTAL_BYTES, total_why[0] ?
			    inexact_metric("bytes", "lower", "exact", total_why) :
			    metric(total, "bytes", "lower", "exact"));
}

/*
 * slab.<cache>.{allocs,frees,live,peak}. allocs, frees and live are exact:
 * the peak depends on how exits and deferred frees interleave, so it is
 * compared statistically ("timed"). allocs is "lower is better"; frees and
 * live have no better direction: with the same allocations more frees only
 * means fewer objects left live, and after the settle wait live is 0
 * whenever the counts are exact. A kind whose counts cannot be trusted in
 * this repetition gets null values with an "inexact: ..." reason instead of
 * numbers: lost objects (map full) spoil every count, a missed free
 * (objects still live at the settle timeout, or a stale pointer) spoils
 * frees and live (allocs stay exact: an allocation is never missed).
 */
void slabacct_add_metrics(const struct slabacct *sa, json_t *metrics, json_t *rep)
{
	volatile struct sa_counters *c = sa->skel->bss->counters;
	unsigned long long misses[SA_NR_PROGS], missed = 0;
	const char *prog_names[SA_NR_PROGS];
	int nr_progs = program_misses(sa, misses, prog_names);
	json_t *acct = json_object(), *by_prog = json_object();
	char name[96], why[384];

	for (int k = 0; k < SA_NR_KINDS; k++) {
		bool lost = c[k].lost, missed_free = c[k].stale || (sa->unsettled & (1U << k));

		if (!sa->present[k])
			continue;
		if (lost)
			snprintf(why, sizeof(why), "inexact: %lld objects not tracked (object map full)",
				 (long long)c[k].lost);
		else if (c[k].stale)
			snprintf(why, sizeof(why), "inexact: %lld frees missed (pointer allocated twice)",
				 (long long)c[k].stale);
		else if (missed_free)
			snprintf(why, sizeof(why), "inexact: %s", sa->settle_reason);
#define ADD(field, better, kind, spoiled)					\
		snprintf(name, sizeof(name), "slab.%s." #field, slab_kind_name(k));	\
		json_object_set_new(metrics, name, (spoiled) ?				\
			inexact_metric("objects", better, kind, why) :			\
			metric(c[k].field, "objects", better, kind))
		ADD(allocs, "lower", "exact", lost);
		ADD(frees, "none", "exact", lost || missed_free);
		ADD(live, "none", "exact", lost || missed_free);
		ADD(peak, "lower", "timed", lost);
#undef ADD
		json_object_set_new(acct, slab_kind_name(k), json_pack(
			"{s:I, s:I, s:I, s:b}", "foreign", (json_int_t)c[k].foreign,
			"lost", (json_int_t)c[k].lost, "stale", (json_int_t)c[k].stale,
			"exact", sa->kinds[k].exact && !lost && !missed_free));
	}
	for (int i = 0; i < nr_progs; i++) {
		missed += misses[i] - sa->missed_base[i];
		json_object_set_new(by_prog, prog_names[i],
				    json_integer(misses[i] - sa->missed_base[i]));
	}
	add_bytes_metrics(sa, metrics);
	json_object_set_new(acct, "missed_events", json_integer(missed));
	json_object_set_new(acct, "missed_by_program", by_prog);
	json_object_set_new(acct, "nested_frees_recovered",
			    json_integer(sa->skel->bss->nested_frees_recovered));
	json_object_set_new(acct, "settled", json_boolean(sa->settled));
	json_object_set_new(acct, "settle_ms", json_integer(sa->settle_ms));
	json_object_set_new(acct, "grace_periods", json_integer(sa->grace_periods));
	if (!sa->settled)
		json_object_set_new(acct, "settle_reason", json_string(sa->settle_reason));
	if (sa->drop_free) {
		json_object_set_new(acct, "test_drop_free", json_integer(sa->drop_free));
		json_object_set_new(acct, "test_dropped",
				    json_integer(sa->skel->bss->test_dropped));
	}
	if (sa->skip_free) {
		json_object_set_new(acct, "test_skip_free", json_integer(sa->skip_free));
		json_object_set_new(acct, "test_skipped",
				    json_integer(sa->skel->bss->test_skipped));
	}
	json_object_set_new(rep, "slab_accounting", acct);
}

void slabacct_add_unavailable(json_t *metrics, const char *reason)
{
	static const char *const fields[] = { "allocs", "frees", "live", "peak" };
	char name[96], why[512];

	snprintf(why, sizeof(why), "unavailable: %s", reason);
	for (int k = 0; k < SLAB_VMA_LOCK; k++) {
		for (int f = 0; f < 4; f++) {
			snprintf(name, sizeof(name), "slab.%s.%s", slab_kind_name(k), fields[f]);
			json_object_set_new(metrics, name, json_pack(
				"{s:n, s:s, s:s, s:s, s:s}", "value", "unit", "objects",
				"better", f == 1 || f == 2 ? "none" : "lower",
				"kind", f == 3 ? "timed" : "exact", "reason", why));
		}
		snprintf(name, sizeof(name), "slab.%s.alloc_bytes", slab_kind_name(k));
		json_object_set_new(metrics, name, inexact_metric("bytes", "lower", "exact", why));
	}
	json_object_set_new(metrics, SA_TOTAL_BYTES, inexact_metric("bytes", "lower", "exact", why));
}
