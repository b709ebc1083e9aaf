// SPDX-License-Identifier: GPL-2.0
/*
 * migrate: anonymous pages mapped by a tree of processes are migrated, so
 * that try_to_migrate walks every member's mapping of each of them.
 *
 * The root writes `pages` pages and forks the tree (`fanout`, `depth`);
 * members rewrite cow_pct percent of them (private copies), the rest stays
 * shared by all. Then the root migrates the region, by one of:
 *
 * - move_pages(2) with MPOL_MF_MOVE_ALL, every page to the other of two
 *   NUMA nodes with memory, in calls of 64 pages (op.move_pages);
 * - compaction of all zones through /proc/sys/vm/compact_memory
 *   (op.compact): system-wide, moves whatever movable pages lie below the
 *   free-page scanner, so only some of the region may move;
 * - soft offline of each page (/sys/devices/system/memory/soft_offline_page,
 *   CONFIG_MEMORY_FAILURE; op.soft_offline): the old frames stay poisoned,
 *   so it is never chosen automatically (method=3, for guests).
 *
 * method=0 picks move_pages with two or more nodes, else compaction; the
 * method that ran is in notes.migrate_method. Pages whose frame changed are
 * counted from /proc/self/pagemap before and after (root's view).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "procfs.h"
#include "proctree.h"
#include "treewl.h"
#include "workload.h"
#include "wl_util.h"

#define MIGRATE_BATCH		64
#define MIGRATE_OFFLINE_MAX	256
#define MPOL_MF_MOVE_ALL_	(1 << 2)

#define COMPACT_PATH	"/proc/sys/vm/compact_memory"
#define OFFLINE_PATH	"/sys/devices/system/memory/soft_offline_page"

enum migrate_method { M_AUTO, M_MOVE_PAGES, M_COMPACT, M_SOFT_OFFLINE };

static const char *const method_names[] = {
	[M_AUTO] = "auto", [M_MOVE_PAGES] = "move_pages(MPOL_MF_MOVE_ALL)",
	[M_COMPACT] = "compaction (" COMPACT_PATH ")",
	[M_SOFT_OFFLINE] = "soft offline (" OFFLINE_PATH ")",
};

struct migrate {
	struct treewl w;
	long pages;
	long cow_pct;
	int method;
	uint64_t *pfn_before;
	uint64_t *pfn_after;
};

static const struct wl_param migrate_params[] = {
	{ "fanout", 4, 1, 16, "children per process of the tree sharing the pages" },
	TREEWL_PARAM_DEPTH,
	{ "pages", 2048, 16, 65536, "pages of the region the root writes" },
	{ "cow_pct", 0, 0, 100, "percent of the pages every member rewrites (private copies)" },
	{ "method", 0, 0, 3,
	  "0 auto, 1 move_pages (2+ nodes), 2 compaction, 3 soft offline (poisons frames)" },
	{ NULL, 0, 0, 0, NULL },
};

/* Nodes with memory ("0", "0-1", "0,2", as the probe found them); at least 1. */
static int memory_nodes(int *first, int *second)
{
	char buf[256];
	int n = 0, a, b;
	char *p = buf;

	*first = *second = -1;
	if (!wl_kernel_detail("numa", "memory_nodes", buf, sizeof(buf)))
		return 1;
	while (*p) {
		if (sscanf(p, "%d-%d", &a, &b) != 2) {
			if (sscanf(p, "%d", &a) != 1)
				break;
			b = a;
		}
		for (int i = a; i <= b; i++, n++) {
			if (*first < 0)
				*first = i;
			else if (*second < 0)
				*second = i;
		}
		p += strcspn(p, ",");
		if (*p == ',')
			p++;
	}
	return n ? n : 1;
}

static int member_fn(struct share_tree *t, int phase, void *arg)
{
	struct migrate *m = arg;

	if (phase == 0)
		for (long i = 0; i < m->pages; i++)
			if (i % 100 < m->cow_pct)
				m->w.region[i * wl_page_size()] = (char)(t->index + 1);
	return 0;
}

/*
 * Every page to the other node of @a and @b than the one it is on,
 * MIGRATE_BATCH pages per call (each timed; the query before it is not).
 */
static int by_move_pages(struct migrate *m, int a, int b)
{
	void *addrs[MIGRATE_BATCH];
	int nodes[MIGRATE_BATCH], status[MIGRATE_BATCH];

	wl_note(m->w.ctx, "migrate_nodes", "%d <-> %d", a, b);
	for (long i = 0; i < m->pages; i += MIGRATE_BATCH) {
		long n = m->pages - i < MIGRATE_BATCH ? m->pages - i : MIGRATE_BATCH;
		uint64_t t0;
		long ret;

		for (long j = 0; j < n; j++)
			addrs[j] = m->w.region + (i + j) * wl_page_size();
		if (syscall(SYS_move_pages, 0, n, addrs, NULL, status, 0))
			return wl_fail(m->w.ctx, "move_pages (query): %s", strerror(errno));
		for (long j = 0; j < n; j++)
			nodes[j] = status[j] == a ? b : a;
		t0 = wl_now_ns();
		ret = syscall(SYS_move_pages, 0, n, addrs, nodes, status, MPOL_MF_MOVE_ALL_);
		wl_latency(m->w.ctx, "op.move_pages", wl_now_ns() - t0);
		if (ret < 0)
			return wl_fail(m->w.ctx, "move_pages: %s", strerror(errno));
	}
	return 0;
}

static int by_compaction(struct migrate *m)
{
	uint64_t t0 = wl_now_ns();
	int ret = procfs_write(COMPACT_PATH, "1");

	wl_latency(m->w.ctx, "op.compact", wl_now_ns() - t0);
	if (ret)
		return wl_fail(m->w.ctx, "write %s: %s", COMPACT_PATH, strerror(-ret));
	return 0;
}

static int by_soft_offline(struct migrate *m)
{
	long n = m->pages < MIGRATE_OFFLINE_MAX ? m->pages : MIGRATE_OFFLINE_MAX;
	char addr[32];

	for (long i = 0; i < n; i++) {
		uint64_t t0;
		int ret;

		if (!m->pfn_before[i])
			continue;
		snprintf(addr, sizeof(addr), "0x%llx",
			 (unsigned long long)m->pfn_before[i] * wl_page_size());
		t0 = wl_now_ns();
		ret = procfs_write(OFFLINE_PATH, addr);
		wl_latency(m->w.ctx, "op.soft_offline", wl_now_ns() - t0);
		if (ret)
			return wl_fail(m->w.ctx, "write %s to %s: %s", addr, OFFLINE_PATH,
				       strerror(-ret));
	}
	wl_note(m->w.ctx, "soft_offline_pages", "%ld (their old frames stay poisoned)", n);
	return 0;
}

static int choose_method(struct migrate *m, int *a, int *b)
{
	int nodes = memory_nodes(a, b);
	char why[WL_REASON_LEN];

	if (m->method == M_AUTO)
		m->method = nodes >= 2 ? M_MOVE_PAGES : M_COMPACT;
	if (m->method == M_MOVE_PAGES && nodes < 2)
		return wl_fail(m->w.ctx, "method=1 (move_pages) needs two NUMA nodes with memory; "
			       "this machine has %d", nodes);
	if (m->method == M_COMPACT && !wl_kernel_has("compaction", why, sizeof(why)))
		return wl_fail(m->w.ctx, "%s", why);
	if (m->method == M_SOFT_OFFLINE && !wl_kernel_has("soft_offline", why, sizeof(why)))
		return wl_fail(m->w.ctx, "%s", why);
	wl_note(m->w.ctx, "migrate_method", "%s", method_names[m->method]);
	wl_note(m->w.ctx, "numa_nodes", "%d", nodes);
	return 0;
}

static int migrate_region(struct migrate *m)
{
	long long ok0 = wl_vmstat("pgmigrate_success"), fail0 = wl_vmstat("pgmigrate_fail");
	long moved = 0, present = 0;
	uint64_t t0;
	int a, b, ret;

	if (choose_method(m, &a, &b))
		return -1;
	if (wl_pfns(m->w.region, m->pages, m->pfn_before))
		return wl_fail(m->w.ctx, "read /proc/self/pagemap: %s", strerror(errno));
	t0 = wl_now_ns();
	if (m->method == M_MOVE_PAGES)
		ret = by_move_pages(m, a, b);
	else if (m->method == M_COMPACT)
		ret = by_compaction(m);
	else
		ret = by_soft_offline(m);
	if (ret)
		return -1;
	/*
	 * Compaction walks every zone of the machine: its time is the whole
	 * system's memory layout far more than this region's rmap (on a 24 GiB
	 * host it is bimodal, 3 or 10 ms, from run to run), so it is shown as
	 * compact.ns and never gates; migrate.ns (headline) times only methods
	 * that move exactly the region's pages.
	 */
	wl_timed(m->w.ctx, m->method == M_COMPACT ? "compact.ns" : "migrate.ns",
		 wl_now_ns() - t0, "ns", "lower");
	if (wl_pfns(m->w.region, m->pages, m->pfn_after))
		return wl_fail(m->w.ctx, "read /proc/self/pagemap: %s", strerror(errno));
	for (long i = 0; i < m->pages; i++) {
		present += m->pfn_before[i] != 0;
		moved += m->pfn_before[i] && m->pfn_after[i] &&
			 m->pfn_before[i] != m->pfn_after[i];
	}
	if (!present)
		wl_unavailable(m->w.ctx, "migrate.pages_moved",
			       "/proc/self/pagemap shows no frame numbers (needs CAP_SYS_ADMIN)");
	else
		wl_timed(m->w.ctx, "migrate.pages_moved", moved, "pages", "none");
	wl_timed(m->w.ctx, "migrate.pgmigrate_success", wl_vmstat("pgmigrate_success") - ok0,
		 "pages", "none");
	wl_timed(m->w.ctx, "migrate.pgmigrate_fail", wl_vmstat("pgmigrate_fail") - fail0,
		 "pages", "lower");
	return 0;
}

static int setup(void *arg, char *why, size_t len)
{
	struct migrate *m = arg;

	m->pfn_before = calloc(m->pages, sizeof(uint64_t));
	m->pfn_after = calloc(m->pages, sizeof(uint64_t));
	if (!m->pfn_before || !m->pfn_after) {
		snprintf(why, len, "out of memory");
		return -1;
	}
	return 0;
}

static int run_tree(void *arg)
{
	struct migrate *m = arg;
	int ret;

	if (treewl_map_written(&m->w, m->pages))
		return -1;
	if (treewl_tree(&m->w, member_fn, m))
		return -1;
	ret = treewl_build(&m->w, NULL);
	wl_exact(m->w.ctx, "region.pages", m->pages, "pages", "none");
	if (!ret)
		ret = migrate_region(m);
	ret |= tree_finish(m->w.ctx, &m->w.tree);
	return ret ? -1 : 0;
}

static int migrate_run(struct wl_ctx *ctx)
{
	struct migrate m = {
		.pages = wl_param(ctx, "pages"),
		.cow_pct = wl_param(ctx, "cow_pct"),
		.method = wl_param(ctx, "method"),
	};
	int ret = treewl_run(&m.w, ctx, false, setup, run_tree, &m);

	free(m.pfn_before);
	free(m.pfn_after);
	return ret;
}

/* The probe's nodes with memory and its compaction. */
static bool migrate_supported(char *reason, size_t len)
{
	int a, b;

	if (geteuid() != 0) {
		snprintf(reason, len, "needs root (compaction, move_pages of shared pages)");
		return false;
	}
	if (memory_nodes(&a, &b) >= 2 || wl_kernel_has("compaction", reason, len))
		return true;
	snprintf(reason, len, "one NUMA node and no %s (CONFIG_COMPACTION)", COMPACT_PATH);
	return false;
}

/* The root's region plus every member's private copies (cow_pct). */
static void migrate_estimate(struct wl_ctx *ctx, struct wl_estimate *e)
{
	treewl_estimate(ctx, e, treewl_cow_bytes(ctx, wl_param(ctx, "pages"),
						 wl_param(ctx, "cow_pct")));
}

const struct workload_info migrate_info = {
	.name = "migrate",
	.headline = (const char *const []){ "migrate.ns", NULL },
	.summary = "pages shared by a process tree migrated (move_pages MPOL_MF_MOVE_ALL, "
		   "compaction or soft offline): try_to_migrate walks",
	.params = migrate_params,
	.supported = migrate_supported,
	.run = migrate_run,
	.host_default = true,
	.estimate = migrate_estimate,
};
