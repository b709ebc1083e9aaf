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
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "memcg.h"
#include "proctree.h"
#include "workload.h"
#include "wl_util.h"
#include "zram.h"

#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT 21
#endif

#define RECLAIM_PHASE_REFAULT	1

struct reclaim {
	struct wl_ctx *ctx;
	long fanout;
	long depth;
	long pages;
	long cow_pct;
	long steps;
	bool pageout;
	char *region;
	size_t len;
	long cow_pages;		/* pages every member rewrites */
	int op_refault;
	struct share_tree tree;
	struct wl_guard guard;
	struct wl_swap swap;
	struct wl_memcg cg;
};

static const struct wl_param reclaim_params[] = {
	{ "fanout", 4, 1, 16, "children per process of the tree sharing the pages" },
	{ "depth", 1, 1, 4, "levels of the tree below the root" },
	{ "pages", 4096, 64, 262144, "pages of the region the root writes (4 KiB each)" },
	{ "cow_pct", 25, 0, 100, "percent of the pages every member rewrites (private copies)" },
	{ "pageout", 1, 0, 1, "1: MADV_PAGEOUT by the root first (shared folios are skipped)" },
	{ "steps", 16, 1, 256, "cgroup reclaim writes (each timed as op.memory_reclaim)" },
	{ NULL, 0, 0, 0, NULL },
};

static bool is_cow_page(const struct reclaim *r, long i)
{
	return i % 100 < r->cow_pct;
}

/* Reads one byte per page; the sum keeps the loads. */
static unsigned long read_pages(const char *p, size_t len)
{
	unsigned long sum = 0;

	for (size_t off = 0; off < len; off += wl_page_size())
		sum += ((const volatile char *)p)[off];
	return sum;
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
				r->region[i * page] = (char)(t->index + 1);
		return 0;
	case RECLAIM_PHASE_REFAULT:
		t0 = wl_now_ns();
		read_pages(r->region, r->len);
		tree_latency(t, r->op_refault, wl_now_ns() - t0);
		return 0;
	}
	return 0;
}

static int setup(struct reclaim *r, char *why, size_t len)
{
	long members = tree_size(r->fanout, r->depth);
	uint64_t anon_pages, bytes;

	for (long i = 0; i < r->pages; i++)
		r->cow_pages += is_cow_page(r, i);
	anon_pages = r->pages + members * r->cow_pages;
	bytes = anon_pages * wl_page_size() * 5 / 4 + (16 << 20);
	if (wl_swap_create(&r->guard, &r->swap, bytes, why, len))
		return -1;
	if (wl_memcg_create(&r->guard, &r->cg, why, len))
		return -1;
	wl_note(r->ctx, "swap", "%s (zram, %llu MiB)", r->swap.dev,
		(unsigned long long)(bytes >> 20));
	wl_note(r->ctx, "cgroup", "%s (v%d)", r->cg.dir, r->cg.version);
	return 0;
}

static void do_pageout(struct reclaim *r)
{
	long long before = wl_vmstat("pswpout");
	uint64_t t0 = wl_now_ns(), ns;
	int ret;

	ret = madvise(r->region, r->len, MADV_PAGEOUT);
	ns = wl_now_ns() - t0;
	if (ret) {
		wl_unavailable(r->ctx, "pageout.pages_out", strerror(errno));
		wl_note(r->ctx, "madv_pageout", "MADV_PAGEOUT: %s", strerror(errno));
		return;
	}
	wl_latency(r->ctx, "op.madv_pageout", ns);
	wl_exact(r->ctx, "pageout.exclusive_pages", r->cow_pages, "pages", "none");
	wl_timed(r->ctx, "pageout.pages_out", wl_vmstat("pswpout") - before, "pages", "none");
}

static int do_reclaim(struct reclaim *r, long long usage0)
{
	long long usage1 = wl_memcg_usage(&r->cg);
	long long out0 = wl_vmstat("pswpout"), target, ns, out;
	const char *method = "";
	char why[WL_REASON_LEN];

	target = usage0 + (usage1 - usage0) / 10;
	ns = wl_memcg_reclaim(r->ctx, &r->cg, target, r->steps, &method, why, sizeof(why));
	if (ns < 0)
		return wl_fail(r->ctx, "cgroup reclaim: %s", why);
	out = wl_vmstat("pswpout") - out0;
	wl_note(r->ctx, "reclaim_method", "%s", method);
	wl_timed(r->ctx, "reclaim.pages_out", out, "pages", "none");
	wl_timed(r->ctx, "reclaim.ns", ns, "ns", "lower");
	if (ns > 0 && out > 0)
		wl_timed(r->ctx, "reclaim.throughput", out * (double)wl_page_size() / (1 << 20) /
			 (ns / 1e9), "MiB/s", "higher");
	else
		wl_unavailable(r->ctx, "reclaim.throughput", "no page was swapped out");
	if (wl_memcg_swap(&r->cg) >= 0)
		wl_timed(r->ctx, "reclaim.cgroup_swap_pages",
			 wl_memcg_swap(&r->cg) / (double)wl_page_size(), "pages", "none");
	wl_timed(r->ctx, "reclaim.usage_before_bytes", usage1, "bytes", "none");
	wl_timed(r->ctx, "reclaim.usage_after_bytes", wl_memcg_usage(&r->cg), "bytes", "none");
	if (out <= 0)
		return wl_fail(r->ctx, "cgroup reclaim swapped nothing out (%s)", method);
	return 0;
}

static int do_refault(struct reclaim *r)
{
	long long in0 = wl_vmstat("pswpin"), in;
	uint64_t t0 = wl_now_ns(), t1, total;

	read_pages(r->region, r->len);
	t1 = wl_now_ns();
	wl_latency(r->ctx, "op.refault", t1 - t0);
	if (tree_phase(r->ctx, &r->tree, RECLAIM_PHASE_REFAULT))
		return -1;
	total = wl_now_ns() - t0;
	in = wl_vmstat("pswpin") - in0;
	wl_timed(r->ctx, "refault.pages_in", in, "pages", "none");
	wl_timed(r->ctx, "refault.ns", total, "ns", "lower");
	if (in > 0)
		wl_timed(r->ctx, "refault.ns_per_page", (double)total / in, "ns", "lower");
	else
		wl_unavailable(r->ctx, "refault.ns_per_page", "no page was swapped in");
	return 0;
}

static int run_tree(struct reclaim *r)
{
	long long usage0 = wl_memcg_usage(&r->cg);
	char why[WL_REASON_LEN];
	int ret;

	r->len = r->pages * wl_page_size();
	r->region = mmap(NULL, r->len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			 -1, 0);
	if (r->region == MAP_FAILED)
		return wl_fail(r->ctx, "mmap %zu bytes: %s", r->len, strerror(errno));
	/* small folios only: THP (mode "always") would make sharing per 2 MiB */
	madvise(r->region, r->len, MADV_NOHUGEPAGE);
	memset(r->region, 0x5a, r->len);
	ret = tree_init(&r->tree, r->fanout, r->depth, member_fn, r);
	if (ret)
		return wl_fail(r->ctx, "tree: %s", strerror(-ret));
	r->op_refault = tree_op(&r->tree, "op.refault");
	r->tree.memcg = &r->cg;
	ret = tree_build(r->ctx, &r->tree);
	wl_exact(r->ctx, "tree.processes", r->tree.nodes + 1, "processes", "none");
	/* the pages are charged: the driver leaves before the group is squeezed */
	if (!ret && wl_memcg_leave(&r->cg, why, sizeof(why)))
		ret = wl_fail(r->ctx, "%s", why);
	wl_exact(r->ctx, "region.pages", r->pages, "pages", "none");
	if (!ret && r->pageout)
		do_pageout(r);
	if (!ret)
		ret = do_reclaim(r, usage0);
	if (!ret)
		ret = do_refault(r);
	ret |= tree_finish(r->ctx, &r->tree);
	munmap(r->region, r->len);
	return ret ? -1 : 0;
}

static int reclaim_run(struct wl_ctx *ctx)
{
	struct reclaim r = {
		.ctx = ctx,
		.fanout = wl_param(ctx, "fanout"),
		.depth = wl_param(ctx, "depth"),
		.pages = wl_param(ctx, "pages"),
		.cow_pct = wl_param(ctx, "cow_pct"),
		.pageout = wl_param(ctx, "pageout"),
		.steps = wl_param(ctx, "steps"),
	};
	char why[WL_REASON_LEN] = "";
	int ret = -1;

	if (tree_size(r.fanout, r.depth) > TREE_MAX_NODES)
		return wl_fail(ctx, "fanout^1 + ... + fanout^depth = %ld processes: at most %d",
			       tree_size(r.fanout, r.depth), TREE_MAX_NODES);
	if (wl_guard_begin(&r.guard, why, sizeof(why)))
		return wl_fail(ctx, "%s", why);
	if (setup(&r, why, sizeof(why)))
		wl_fail(ctx, "%s", why);
	else
		ret = run_tree(&r);
	wl_guard_end(&r.guard);
	return ret;
}

static bool reclaim_supported(char *reason, size_t len)
{
	return wl_swap_supported(reason, len) && wl_memcg_supported(reason, len);
}

/* The root's region plus every member's private copies (cow_pct). */
static void reclaim_estimate(struct wl_ctx *ctx, struct wl_estimate *e)
{
	uint64_t members = tree_size(wl_param(ctx, "fanout"), wl_param(ctx, "depth"));

	e->procs = members + 1;
	e->bytes = (uint64_t)wl_param(ctx, "pages") * 4096 *
		   (100 + members * wl_param(ctx, "cow_pct")) / 100;
	e->vmas = 128;
}

const struct workload_info reclaim_info = {
	.name = "reclaim",
	.headline = (const char *const []){ "reclaim.ns", "refault.ns", NULL },
	.summary = "pages shared by a process tree swapped out by memory-cgroup reclaim "
		   "(zram swap), then refaulted: reclaim throughput, refault cost, rmap walks",
	.params = reclaim_params,
	.supported = reclaim_supported,
	.run = reclaim_run,
	.host_default = true,
	.estimate = reclaim_estimate,
};
