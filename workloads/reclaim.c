// SPDX-License-Identifier: GPL-2.0
/*
 * reclaim: anonymous pages shared by a tree of processes are swapped out by
 * memory-cgroup reclaim, then faulted back in.
 *
 * The root enters a memory cgroup of its own, writes a region of `pages`
 * pages and forks a tree (`fanout` children per process, `depth` levels),
 * then leaves the group (its pages stay charged there): the driver is never
 * inside the group it squeezes, and an OOM kill of a member fails the
 * repetition with a reason naming it;
 * every member rewrites the same cow_pct percent of the pages, so those
 * pages get a private copy in each member and the root's originals become
 * mapped by the root alone, while the rest stays shared by all processes.
 *
 * 1. MADV_PAGEOUT by the root (pageout=1): pages out only the root's
 *    exclusive pages; the kernel skips folios mapped by more than one process.
 * 2. Cgroup reclaim (memory.reclaim on v2; memory.limit_in_bytes lowered in
 *    `steps` steps on v1, never below what the members need): swaps out the shared pages too, each of which
 *    costs an rmap walk over every member's mapping (try_to_unmap,
 *    folio_referenced; see the rmap.* latencies).
 * 3. Refault: every process reads the whole region again.
 *
 * Swap is a zram device made for the run; the device, the swap, the cgroup
 * and any setting changed are removed/restored afterwards, also on error.
 *
 * oom_rep=N is a test knob for the OOM path: in repetition N, once the root
 * has left, the group is capped at its usage plus half the region with swap
 * off for it (wl_memcg_cap), and every member writes a fresh region of its
 * own: more than the cap lets one member have, so the OOM killer kills one
 * and the repetition fails with a reason naming the OOM, the group and its
 * limit. Steps 1-3 are skipped in that repetition.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "memcg.h"
#include "proctree.h"
#include "treewl.h"
#include "workload.h"
#include "wl_util.h"
#include "zram.h"

#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT 21
#endif

#define RECLAIM_PHASE_REFAULT	1
#define RECLAIM_PHASE_OVERRUN	2

struct reclaim {
	struct treewl w;
	long pages;
	long cow_pct;
	long steps;
	bool pageout;
	bool overrun;		/* this repetition is oom_rep */
	long cow_pages;		/* pages every member rewrites */
	int op_refault;
	struct wl_swap swap;
	struct wl_memcg cg;
};

static const struct wl_param reclaim_params[] = {
	{ "fanout", 4, 1, 16, "children per process of the tree sharing the pages" },
	TREEWL_PARAM_DEPTH,
	{ "pages", 4096, 64, 262144, "pages of the region the root writes (4 KiB each)" },
	{ "cow_pct", 25, 0, 100, "percent of the pages every member rewrites (private copies)" },
	{ "pageout", 1, 0, 1, "1: MADV_PAGEOUT by the root first (shared folios are skipped)" },
	{ "steps", 16, 1, 256, "cgroup reclaim writes (each timed as op.memory_reclaim)" },
	{ "oom_rep", 0, 0, 100000,
	  "test knob: this repetition (1-based; 0 none) caps the group below what its members "
	  "write, swap off: an OOM kill fails it" },
	{ NULL, 0, 0, 0, NULL },
};

static bool is_cow_page(const struct reclaim *r, long i)
{
	return i % 100 < r->cow_pct;
}

/* Member, oom_rep: a fresh region as large as the root's, written (charged to the group). */
static int overrun(struct reclaim *r)
{
	char *p = mmap(NULL, r->w.len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		       -1, 0);

	if (p == MAP_FAILED)
		return -1;
	memset(p, 0x6b, r->w.len);
	munmap(p, r->w.len);
	return 0;
}

static int member_fn(struct share_tree *t, int phase, void *arg)
{
	struct reclaim *r = arg;
	size_t page = wl_page_size();
	uint64_t t0;

	switch (phase) {
	case 0:
		for (long i = 0; i < r->pages; i++)
			if (is_cow_page(r, i))
				r->w.region[i * page] = (char)(t->index + 1);
		return 0;
	case RECLAIM_PHASE_REFAULT:
		t0 = wl_now_ns();
		treewl_read_pages(r->w.region, r->w.len);
		tree_latency(t, r->op_refault, wl_now_ns() - t0);
		return 0;
	case RECLAIM_PHASE_OVERRUN:
		return overrun(r);
	}
	return 0;
}

static int setup(void *arg, char *why, size_t len)
{
	struct reclaim *r = arg;
	long members = tree_size(r->w.fanout, r->w.depth);

	for (long i = 0; i < r->pages; i++)
		r->cow_pages += is_cow_page(r, i);
	if (treewl_swap_memcg(&r->w, r->pages + members * r->cow_pages, &r->swap, &r->cg,
			      why, len))
		return -1;
	wl_note(r->w.ctx, "swap", "%s (zram, %llu MiB)", r->swap.dev,
		(unsigned long long)(r->swap.bytes >> 20));
	wl_note(r->w.ctx, "cgroup", "%s (v%d)", r->cg.dir, r->cg.version);
	return 0;
}

static void do_pageout(struct reclaim *r)
{
	long long before = wl_vmstat("pswpout");
	uint64_t t0 = wl_now_ns(), ns;
	int ret;

	ret = madvise(r->w.region, r->w.len, MADV_PAGEOUT);
	ns = wl_now_ns() - t0;
	if (ret) {
		wl_unavailable(r->w.ctx, "pageout.pages_out", strerror(errno));
		wl_note(r->w.ctx, "madv_pageout", "MADV_PAGEOUT: %s", strerror(errno));
		return;
	}
	wl_latency(r->w.ctx, "op.madv_pageout", ns);
	wl_exact(r->w.ctx, "pageout.exclusive_pages", r->cow_pages, "pages", "none");
	wl_timed(r->w.ctx, "pageout.pages_out", wl_vmstat("pswpout") - before, "pages", "none");
}

static int do_reclaim(struct reclaim *r, long long usage0)
{
	long long usage1 = wl_memcg_usage(&r->cg);
	long long out0 = wl_vmstat("pswpout"), target, ns, out;
	const char *method = "";
	char why[WL_REASON_LEN];

	target = usage0 + (usage1 - usage0) / 10;
	ns = wl_memcg_reclaim(r->w.ctx, &r->cg, target, r->steps, &method, why, sizeof(why));
	if (ns < 0)
		return wl_fail(r->w.ctx, "cgroup reclaim: %s", why);
	out = wl_vmstat("pswpout") - out0;
	wl_note(r->w.ctx, "reclaim_method", "%s", method);
	wl_timed(r->w.ctx, "reclaim.pages_out", out, "pages", "none");
	wl_timed(r->w.ctx, "reclaim.ns", ns, "ns", "lower");
	if (ns > 0 && out > 0)
		wl_timed(r->w.ctx, "reclaim.throughput", out * (double)wl_page_size() / (1 << 20) /
			 (ns / 1e9), "MiB/s", "higher");
	else
		wl_unavailable(r->w.ctx, "reclaim.throughput", "no page was swapped out");
	if (wl_memcg_swap(&r->cg) >= 0)
		wl_timed(r->w.ctx, "reclaim.cgroup_swap_pages",
			 wl_memcg_swap(&r->cg) / (double)wl_page_size(), "pages", "none");
	wl_timed(r->w.ctx, "reclaim.usage_before_bytes", usage1, "bytes", "none");
	wl_timed(r->w.ctx, "reclaim.usage_after_bytes", wl_memcg_usage(&r->cg), "bytes", "none");
	if (out <= 0)
		return wl_fail(r->w.ctx, "cgroup reclaim swapped nothing out (%s)", method);
	return 0;
}

static int do_refault(struct reclaim *r)
{
	long long in0 = wl_vmstat("pswpin"), in;
	uint64_t t0 = wl_now_ns(), t1, total;

	treewl_read_pages(r->w.region, r->w.len);
	t1 = wl_now_ns();
	wl_latency(r->w.ctx, "op.refault", t1 - t0);
	if (tree_phase(r->w.ctx, &r->w.tree, RECLAIM_PHASE_REFAULT))
		return -1;
	total = wl_now_ns() - t0;
	in = wl_vmstat("pswpin") - in0;
	wl_timed(r->w.ctx, "refault.pages_in", in, "pages", "none");
	wl_timed(r->w.ctx, "refault.ns", total, "ns", "lower");
	if (in > 0)
		wl_timed(r->w.ctx, "refault.ns_per_page", (double)total / in, "ns", "lower");
	else
		wl_unavailable(r->w.ctx, "refault.ns_per_page", "no page was swapped in");
	return 0;
}

/*
 * oom_rep: the cap leaves room for half a member's fresh region; its members
 * write a whole one each. Returns -1 (the OOM, by tree_phase), or a failure
 * that says the OOM did not come.
 */
static int do_overrun(struct reclaim *r)
{
	long long usage = wl_memcg_usage(&r->cg), cap = usage + (long long)r->w.len / 2;
	char why[WL_REASON_LEN];

	if (usage < 0)
		return wl_fail(r->w.ctx, "oom_rep: cannot read the usage of %s", r->cg.dir);
	if (wl_memcg_cap(&r->cg, cap, why, sizeof(why)))
		return wl_fail(r->w.ctx, "oom_rep: %s", why);
	wl_note(r->w.ctx, "oom_cap", "%lld bytes (usage %lld + %zu), swap off", cap, usage,
		r->w.len / 2);
	if (tree_phase(r->w.ctx, &r->w.tree, RECLAIM_PHASE_OVERRUN))
		return -1;
	return wl_fail(r->w.ctx, "oom_rep: %ld members wrote %zu bytes each over a cap of %lld "
		       "bytes in %s without an OOM kill", r->w.tree.nodes, r->w.len, cap,
		       r->cg.dir);
}

static int run_tree(void *arg)
{
	struct reclaim *r = arg;
	long long usage0 = wl_memcg_usage(&r->cg);
	char why[WL_REASON_LEN];
	int ret;

	if (treewl_map_written(&r->w, r->pages))
		return -1;
	if (treewl_tree(&r->w, member_fn, r))
		return -1;
	r->op_refault = tree_op(&r->w.tree, "op.refault");
	ret = treewl_build(&r->w, &r->cg);
	/* the pages are charged: the driver leaves before the group is squeezed */
	if (!ret && wl_memcg_leave(&r->cg, why, sizeof(why)))
		ret = wl_fail(r->w.ctx, "%s", why);
	wl_exact(r->w.ctx, "region.pages", r->pages, "pages", "none");
	if (!ret && r->overrun)
		ret = do_overrun(r);
	else if (!ret && r->pageout)
		do_pageout(r);
	if (!ret)
		ret = do_reclaim(r, usage0);
	if (!ret)
		ret = do_refault(r);
	ret |= tree_finish(r->w.ctx, &r->w.tree);
	treewl_unmap(&r->w);
	return ret ? -1 : 0;
}

static int reclaim_run(struct wl_ctx *ctx)
{
	struct reclaim r = {
		.pages = wl_param(ctx, "pages"),
		.cow_pct = wl_param(ctx, "cow_pct"),
		.pageout = wl_param(ctx, "pageout"),
		.steps = wl_param(ctx, "steps"),
		.overrun = wl_param(ctx, "oom_rep") == wl_rep(ctx),
	};

	return treewl_run(&r.w, ctx, true, setup, run_tree, &r);
}

static bool reclaim_supported(char *reason, size_t len)
{
	return wl_swap_supported(reason, len) && wl_memcg_supported(reason, len);
}

/* The root's region plus every member's private copies (cow_pct). */
static void reclaim_estimate(struct wl_ctx *ctx, struct wl_estimate *e)
{
	treewl_estimate(ctx, e, treewl_cow_bytes(ctx, wl_param(ctx, "pages"),
						 wl_param(ctx, "cow_pct")));
}

const struct workload_info reclaim_info = {
	.name = "reclaim",
	.headline = (const char *const []){ "reclaim.ns", "refault.ns", NULL },
	.uses_zram = true,
	.summary = "pages shared by a process tree swapped out by memory-cgroup reclaim "
		   "(zram swap), then refaulted: reclaim throughput, refault cost, rmap walks",
	.params = reclaim_params,
	.supported = reclaim_supported,
	.run = reclaim_run,
	.host_default = true,
	.estimate = reclaim_estimate,
};
