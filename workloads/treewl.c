// SPDX-License-Identifier: GPL-2.0
/* The skeleton of the tree workloads (treewl.h). */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>

#include "memcg.h"
#include "treewl.h"
#include "wl_util.h"
#include "zram.h"

static int treewl_begin(struct treewl *w, struct wl_ctx *ctx, bool guarded)
{
	char why[WL_REASON_LEN] = "";

	memset(w, 0, sizeof(*w));
	w->ctx = ctx;
	w->fanout = wl_param(ctx, "fanout");
	w->depth = wl_param(ctx, "depth");
	if (tree_size(w->fanout, w->depth) > TREE_MAX_NODES)
		return wl_fail(ctx, "fanout^1 + ... + fanout^depth = %ld processes: at most %d",
			       tree_size(w->fanout, w->depth), TREE_MAX_NODES);
	if (guarded && wl_guard_begin(&w->guard, why, sizeof(why)))
		return wl_fail(ctx, "%s", why);
	w->guarded = guarded;
	return 0;
}

void treewl_unmap(struct treewl *w)
{
	if (w->region)
		munmap(w->region, w->len);
	w->region = NULL;
}

static void treewl_end(struct treewl *w)
{
	treewl_unmap(w);
	if (w->guarded)
		wl_guard_end(&w->guard);
	w->guarded = false;
}

int treewl_run(struct treewl *w, struct wl_ctx *ctx, bool guarded,
	       int (*setup)(void *arg, char *why, size_t len), int (*run)(void *arg),
	       void *arg)
{
	char why[WL_REASON_LEN] = "";
	int ret = -1;

	if (treewl_begin(w, ctx, guarded))
		return -1;
	if (setup && setup(arg, why, sizeof(why)))
		wl_fail(ctx, "%s", why);
	else
		ret = run(arg);
	treewl_end(w);
	return ret;
}

int treewl_map(struct treewl *w, long pages, bool mergeable)
{
	char *p;

	w->len = pages * wl_page_size();
	p = mmap(NULL, w->len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return wl_fail(w->ctx, "mmap %zu bytes: %s", w->len, strerror(errno));
	w->region = p;
	if (mergeable && madvise(p, w->len, MADV_MERGEABLE))
		return wl_fail(w->ctx, "MADV_MERGEABLE: %s", strerror(errno));
	/* small folios only: THP (mode "always") would make sharing per 2 MiB */
	madvise(p, w->len, MADV_NOHUGEPAGE);
	return 0;
}

int treewl_map_written(struct treewl *w, long pages)
{
	if (treewl_map(w, pages, false))
		return -1;
	memset(w->region, 0x5a, w->len);
	return 0;
}

int treewl_tree(struct treewl *w, int (*member_fn)(struct share_tree *, int, void *),
		void *arg)
{
	int ret = tree_init(&w->tree, w->fanout, w->depth, member_fn, arg);

	return ret ? wl_fail(w->ctx, "tree: %s", strerror(-ret)) : 0;
}

int treewl_build(struct treewl *w, const struct wl_memcg *memcg)
{
	int ret;

	w->tree.memcg = memcg;
	ret = tree_build(w->ctx, &w->tree);
	wl_exact(w->ctx, "tree.processes", w->tree.nodes + 1, "processes", "none");
	return ret;
}

unsigned long treewl_read_pages(const char *p, size_t len)
{
	unsigned long sum = 0;

	for (size_t off = 0; off < len; off += wl_page_size())
		sum += ((const volatile char *)p)[off];
	return sum;
}

int treewl_swap_memcg(struct treewl *w, uint64_t anon_pages, struct wl_swap *sw,
		      struct wl_memcg *cg, char *why, size_t len)
{
	uint64_t bytes = anon_pages * wl_page_size() * 5 / 4 + (16 << 20);

	if (!wl_swap_supported(why, len) || !wl_memcg_supported(why, len) ||
	    wl_swap_create(&w->guard, sw, bytes, why, len) ||
	    wl_memcg_create(&w->guard, cg, why, len))
		return -1;
	return 0;
}

uint64_t treewl_members(struct wl_ctx *ctx)
{
	return tree_size(wl_param(ctx, "fanout"), wl_param(ctx, "depth"));
}

void treewl_estimate(struct wl_ctx *ctx, struct wl_estimate *e, uint64_t bytes)
{
	e->procs = treewl_members(ctx) + 1;
	e->bytes = bytes;
	e->vmas = 128;
}

uint64_t treewl_cow_bytes(struct wl_ctx *ctx, long pages, long cow_pct)
{
	return (uint64_t)pages * wl_page_size() * (100 + treewl_members(ctx) * cow_pct) / 100;
}
