// SPDX-License-Identifier: GPL-2.0
/*
 * ksm: identical pages across a tree of processes merged by KSM, then
 * reclaimed (then=1) or migrated by compaction (then=2), so that the kernel
 * walks the KSM pages' mappings with rmap_walk_ksm.
 *
 * The root writes `pages` pages with `distinct` different contents (page i
 * holds pattern i % distinct), marks them MADV_MERGEABLE and forks the tree
 * (`fanout`, `depth`); every member rewrites all pages with the same
 * contents, so each process holds private identical copies. ksmd is started
 * (run=1, pages_to_scan and sleep_millisecs raised for the run) until it has
 * merged them into `distinct` KSM pages or merge_timeout_s passes. Every
 * KSM setting changed is restored afterwards, also on error.
 *
 * then=1 swaps the KSM pages out through the memory cgroup the root entered
 * first (zram swap, like the reclaim workload) and faults them back in; the
 * root leaves the group once the tree is built, so only the members are
 * squeezed, and an OOM kill among them fails the repetition by name;
 * then=2 compacts memory (/proc/sys/vm/compact_memory).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "memcg.h"
#include "procfs.h"
#include "proctree.h"
#include "treewl.h"
#include "workload.h"
#include "wl_util.h"
#include "zram.h"

#define KSM_DIR		"/sys/kernel/mm/ksm"
#define KSM_PHASE_REFAULT 1

enum ksm_then { THEN_NOTHING, THEN_RECLAIM, THEN_COMPACT };

struct ksm {
	struct treewl w;
	long pages;
	long distinct;
	long then;
	long merge_timeout_s;
	int op_refault;
	struct wl_swap swap;
	struct wl_memcg cg;
};

static const struct wl_param ksm_params[] = {
	{ "fanout", 2, 1, 16, "children per process of the tree" },
	TREEWL_PARAM_DEPTH,
	{ "pages", 1024, 16, 65536, "mergeable pages per process" },
	{ "distinct", 16, 1, 4096, "different page contents (KSM pages after merging)" },
	{ "then", 1, 0, 2, "after merging: 0 nothing, 1 cgroup reclaim + refault, 2 compaction" },
	{ "merge_timeout_s", 30, 1, 600, "longest wait for ksmd to merge" },
	{ NULL, 0, 0, 0, NULL },
};

static void fill(struct ksm *k)
{
	size_t page = wl_page_size();

	for (long i = 0; i < k->pages; i++)
		memset(k->w.region + i * page, (int)(i % k->distinct) + 1, page);
}

static int member_fn(struct share_tree *t, int phase, void *arg)
{
	struct ksm *k = arg;
	uint64_t t0;

	if (phase == 0) {
		fill(k);
	} else if (phase == KSM_PHASE_REFAULT) {
		t0 = wl_now_ns();
		treewl_read_pages(k->w.region, k->w.len);
		tree_latency(t, k->op_refault, wl_now_ns() - t0);
	}
	return 0;
}

static long long ksm_value(const char *name)
{
	char path[128];
	long long v;

	snprintf(path, sizeof(path), KSM_DIR "/%s", name);
	return procfs_read_ll(path, &v) ? -1 : v;
}

static int start_ksmd(struct ksm *k, char *why, size_t len)
{
	if (wl_guard_set(&k->w.guard, KSM_DIR "/pages_to_scan", "5000", why, len) ||
	    wl_guard_set(&k->w.guard, KSM_DIR "/sleep_millisecs", "10", why, len))
		return -1;
	return wl_guard_set(&k->w.guard, KSM_DIR "/run", "1", why, len);
}

/* Pages of the tree's processes mapped to KSM pages; -1 before 5.19. */
static long long tree_merging(struct ksm *k)
{
	const pid_t *pids = tree_pids(&k->w.tree);
	char path[64];
	long long sum = 0, v;

	for (long i = -1; i < k->w.tree.nodes; i++) {
		snprintf(path, sizeof(path), "/proc/%d/ksm_merging_pages",
			 i < 0 ? getpid() : pids[i]);
		if (procfs_read_ll(path, &v))
			return -1;
		sum += v;
	}
	return sum;
}

/*
 * Merged pages: per process (/proc/PID/ksm_merging_pages) where the kernel
 * has it, else the system-wide pages_sharing, which also counts every other
 * MADV_MERGEABLE user (QEMU guests' memory, for one).
 */
static long long merged_now(struct ksm *k, long long sharing0)
{
	long long v = tree_merging(k);

	return v >= 0 ? v : ksm_value("pages_sharing") - sharing0;
}

/* Waits until all pages merged, or no progress for 2 s, or the timeout. */
static int wait_merged(struct ksm *k, long long sharing0, long long shared0)
{
	bool per_process = tree_merging(k) >= 0;
	long long expect = (k->w.tree.nodes + 1) * k->pages, got = 0, last = -1;
	uint64_t t0 = wl_now_ns(), still = t0, now;
	struct timespec ts = { 0, 50 * 1000000 };

	if (!per_process)
		expect -= k->distinct;
	for (;;) {
		now = wl_now_ns();
		got = merged_now(k, sharing0);
		if (got >= expect)
			break;
		if (got != last) {
			last = got;
			still = now;
		} else if (got > 0 && now - still > 2000000000ull) {
			break;
		}
		if (now - t0 > (uint64_t)k->merge_timeout_s * 1000000000ull)
			break;
		nanosleep(&ts, NULL);
	}
	wl_timed(k->w.ctx, "ksm.merge_ns", wl_now_ns() - t0, "ns", "lower");
	wl_note(k->w.ctx, "ksm_merged_count", "%s", per_process ?
		"sum of /proc/PID/ksm_merging_pages over the tree" :
		"system-wide pages_sharing delta (no /proc/PID/ksm_merging_pages)");
	wl_exact(k->w.ctx, "ksm.expected_merged", expect, "pages", "none");
	wl_timed(k->w.ctx, "ksm.merged", got, "pages", "higher");
	/* system-wide: whatever else is MADV_MERGEABLE (QEMU guests) counts too */
	wl_timed(k->w.ctx, "ksm.pages_shared", ksm_value("pages_shared") - shared0, "pages",
		 "none");
	wl_timed(k->w.ctx, "ksm.pages_sharing", ksm_value("pages_sharing") - sharing0, "pages",
		 "none");
	wl_note(k->w.ctx, "ksm_pages_shared", "ksm.pages_shared/pages_sharing: system-wide "
		"deltas of %s/pages_shared and pages_sharing", KSM_DIR);
	if (got <= 0)
		return wl_fail(k->w.ctx, "ksmd merged nothing in %ld s", k->merge_timeout_s);
	return 0;
}

/*
 * KSM holds a reference on the anon_vma of every page merged into its
 * stable tree (one per rmap_item), dropped only when ksmd next scans the
 * owning mm, also for an mm that has exited. Left alone, those anon_vmas
 * would outlive the tree until ksmd happens to run again (with run restored
 * to 0: in the next repetition), and the number freed within a repetition
 * would depend on ksmd's timing (seen: 13 vs 15 frees for the same 76
 * allocations). So, with ksmd still running, after the tree is reaped and the
 * region unmapped: two more full scans (the first may have begun before the
 * unmap) visit every mm again and drop every such reference. ksmd forgets an
 * mm without mergeable VMAs and stops scanning when it knows none, so the
 * root keeps one mergeable page, never written (no rmap_item, nothing
 * merged), mapped while it waits. Every anon_vma of the tree is then freed
 * when the root exits, the same end state in every repetition, which the
 * runner waits for (bench/slabacct.c). If ksmd does not finish the scans
 * within merge_timeout_s, the references stay and the runner reports the
 * anon_vma counts as inexact.
 */
static void release_ksm_refs(struct ksm *k)
{
	long long start, now = 0;
	struct timespec ts = { 0, 5 * 1000000 };
	size_t page = wl_page_size();
	uint64_t t0 = wl_now_ns();
	void *keep = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			  -1, 0);

	if (keep == MAP_FAILED || madvise(keep, page, MADV_MERGEABLE)) {
		wl_note(k->w.ctx, "ksm_release", "cannot map a mergeable page (%s): anon_vmas "
			"may stay referenced after the tree exits", strerror(errno));
		goto out;
	}
	start = ksm_value("full_scans");
	while (start >= 0 && (now = ksm_value("full_scans")) >= 0 && now < start + 2) {
		if (wl_now_ns() - t0 > (uint64_t)k->merge_timeout_s * 1000000000ull) {
			wl_note(k->w.ctx, "ksm_release", "ksmd did not complete 2 full scans in "
				"%ld s: anon_vmas may stay referenced", k->merge_timeout_s);
			goto out;
		}
		nanosleep(&ts, NULL);
	}
	if (start < 0 || now < 0)
		wl_note(k->w.ctx, "ksm_release", "no %s/full_scans: anon_vmas may stay "
			"referenced after the tree exits", KSM_DIR);
out:
	if (keep != MAP_FAILED)
		munmap(keep, page);
}

static int then_reclaim(struct ksm *k, long long usage0)
{
	long long out0 = wl_vmstat("pswpout"), in0, ns;
	long long target = usage0 + (wl_memcg_usage(&k->cg) - usage0) / 10;
	const char *method = "";
	char why[WL_REASON_LEN];
	uint64_t t0;

	ns = wl_memcg_reclaim(k->w.ctx, &k->cg, target, 8, &method, why, sizeof(why));
	if (ns < 0)
		return wl_fail(k->w.ctx, "cgroup reclaim: %s", why);
	wl_note(k->w.ctx, "reclaim_method", "%s", method);
	wl_timed(k->w.ctx, "reclaim.pages_out", wl_vmstat("pswpout") - out0, "pages", "none");
	wl_timed(k->w.ctx, "reclaim.ns", ns, "ns", "lower");
	in0 = wl_vmstat("pswpin");
	t0 = wl_now_ns();
	treewl_read_pages(k->w.region, k->w.len);
	wl_latency(k->w.ctx, "op.refault", wl_now_ns() - t0);
	if (tree_phase(k->w.ctx, &k->w.tree, KSM_PHASE_REFAULT))
		return -1;
	wl_timed(k->w.ctx, "refault.ns", wl_now_ns() - t0, "ns", "lower");
	wl_timed(k->w.ctx, "refault.pages_in", wl_vmstat("pswpin") - in0, "pages", "none");
	return 0;
}

static int then_compact(struct ksm *k)
{
	long long ok0 = wl_vmstat("pgmigrate_success");
	uint64_t t0 = wl_now_ns();
	int ret = procfs_write("/proc/sys/vm/compact_memory", "1");

	wl_latency(k->w.ctx, "op.compact", wl_now_ns() - t0);
	if (ret)
		return wl_fail(k->w.ctx, "write /proc/sys/vm/compact_memory: %s", strerror(-ret));
	wl_timed(k->w.ctx, "migrate.pgmigrate_success", wl_vmstat("pgmigrate_success") - ok0,
		 "pages", "none");
	return 0;
}

static int run_tree(void *arg)
{
	struct ksm *k = arg;
	long long usage0 = k->then == THEN_RECLAIM ? wl_memcg_usage(&k->cg) : 0;
	long long sharing0 = ksm_value("pages_sharing"), shared0 = ksm_value("pages_shared");
	char why[WL_REASON_LEN];
	bool ksmd_started = false;
	int ret;

	/* KSM merges small pages: no THP */
	if (treewl_map(&k->w, k->pages, true))
		return -1;
	fill(k);
	if (treewl_tree(&k->w, member_fn, k))
		return -1;
	k->op_refault = tree_op(&k->w.tree, "op.refault");
	ret = treewl_build(&k->w, k->then == THEN_RECLAIM ? &k->cg : NULL);
	/* the pages are charged: the driver leaves before the group is squeezed */
	if (!ret && k->then == THEN_RECLAIM && wl_memcg_leave(&k->cg, why, sizeof(why)))
		ret = wl_fail(k->w.ctx, "%s", why);
	if (!ret && start_ksmd(k, why, sizeof(why)))
		ret = wl_fail(k->w.ctx, "%s", why);
	else if (!ret)
		ksmd_started = true;
	if (!ret)
		ret = wait_merged(k, sharing0, shared0);
	if (!ret && k->then == THEN_RECLAIM)
		ret = then_reclaim(k, usage0);
	else if (!ret && k->then == THEN_COMPACT)
		ret = then_compact(k);
	ret |= tree_finish(k->w.ctx, &k->w.tree);
	treewl_unmap(&k->w);
	if (ksmd_started)
		release_ksm_refs(k);
	return ret ? -1 : 0;
}

/* then=1: zram swap and a memory cgroup */
static int setup(void *arg, char *why, size_t len)
{
	struct ksm *k = arg;
	char reason[WL_REASON_LEN] = "";

	if (k->then != THEN_RECLAIM)
		return 0;
	/* zram only uses memory for what is swapped: size it for no merging at all */
	if (treewl_swap_memcg(&k->w, (treewl_members(k->w.ctx) + 1) * k->pages, &k->swap,
			      &k->cg, reason, sizeof(reason))) {
		snprintf(why, len, "then=1 (reclaim): %s", reason);
		return -1;
	}
	return 0;
}

static int ksm_run(struct wl_ctx *ctx)
{
	struct ksm k = {
		.pages = wl_param(ctx, "pages"),
		.distinct = wl_param(ctx, "distinct"),
		.then = wl_param(ctx, "then"),
		.merge_timeout_s = wl_param(ctx, "merge_timeout_s"),
	};

	return treewl_run(&k.w, ctx, true, setup, run_tree, &k);
}

/* The probe says whether KSM's sysfs file is there. */
static bool ksm_supported(char *reason, size_t len)
{
	if (!wl_kernel_flag("ksm", "sysfs")) {
		snprintf(reason, len, "no %s/run: kernel without CONFIG_KSM", KSM_DIR);
		return false;
	}
	if (geteuid() != 0) {
		snprintf(reason, len, "needs root (starts ksmd)");
		return false;
	}
	return true;
}

/* Every process writes its own copy before KSM merges them. */
static void ksm_estimate(struct wl_ctx *ctx, struct wl_estimate *e)
{
	treewl_estimate(ctx, e, (uint64_t)wl_param(ctx, "pages") * wl_page_size() *
				(treewl_members(ctx) + 1));
}

const struct workload_info ksm_info = {
	.name = "ksm",
	.headline = (const char *const []){ "op.refault", "op.compact", NULL },
	.uses_zram = true,
	.summary = "identical pages of a process tree merged by KSM, then reclaimed or "
		   "compacted: rmap_walk_ksm over the KSM pages' mappings",
	.params = ksm_params,
	.supported = ksm_supported,
	.run = ksm_run,
	.host_default = true,
	.estimate = ksm_estimate,
};
