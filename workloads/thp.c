// SPDX-License-Identifier: GPL-2.0
/*
 * thp: transparent huge pages shared across fork, then split by each
 * process's own mremap/munmap/mprotect on unaligned addresses, and
 * collapsed again by the root (MADV_COLLAPSE).
 *
 * The root maps `hugepages` PMD-aligned huge pages (MADV_HUGEPAGE), writes
 * them and forks the tree (`fanout`, `depth`): fork copies the PMDs, every
 * member maps the same huge folios. Then every process, members first and
 * the root last, splits its own mappings of all of them:
 *
 *   huge page 0      mprotect of one 4 KiB page and back    op.thp_split
 *   huge page 1      mremap of [+4 KiB, +2 MiB) to an unaligned address
 *                                                           op.mremap
 *   huge page 2      munmap of one 4 KiB page inside        op.munmap
 *   huge pages 3..   like huge page 0                       op.thp_split
 *
 * so thp_split_pmd grows with the number of processes times hugepages. The
 * root finally writes one page of each of its huge pages 3.. (a writable PTE
 * is needed for a collapse) and collapses them back (op.thp_collapse). Counters
 * are /proc/vmstat deltas (thp_split_pmd, thp_split_page, thp_fault_alloc,
 * thp_collapse_alloc). THP mode "never" is switched to "madvise" meanwhile.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "procfs.h"
#include "proctree.h"
#include "treewl.h"
#include "workload.h"
#include "wl_util.h"

#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE 25
#endif

#define THP_DIR		"/sys/kernel/mm/transparent_hugepage"
#define THP_PHASE_SPLIT	1

struct thp {
	struct treewl w;
	long hugepages;
	bool collapse;
	size_t hpage;		/* PMD size */
	int op_split, op_mremap, op_munmap;
};

static const struct wl_param thp_params[] = {
	{ "fanout", 2, 1, 16, "children per process of the tree sharing the huge pages" },
	TREEWL_PARAM_DEPTH,
	{ "hugepages", 8, 4, 512, "PMD-sized huge pages of the region (2 MiB on x86-64)" },
	{ "collapse", 1, 0, 1, "1: the root collapses its split huge pages (MADV_COLLAPSE)" },
	{ NULL, 0, 0, 0, NULL },
};

static size_t pmd_size(void)
{
	long long v;

	return procfs_read_ll(THP_DIR "/hpage_pmd_size", &v) || v <= 0 ? 2 << 20 : (size_t)v;
}

/* Splits the PMD of huge page @k by changing the protection of one page. */
static int split_by_mprotect(struct thp *th, long k)
{
	char *p = th->w.region + k * th->hpage + wl_page_size();
	uint64_t t0 = wl_now_ns();

	if (mprotect(p, wl_page_size(), PROT_READ))
		return -1;
	tree_latency(&th->w.tree, th->op_split, wl_now_ns() - t0);
	/* back to one VMA, PTE-mapped */
	return mprotect(p, wl_page_size(), PROT_READ | PROT_WRITE);
}

/* Moves [+4 KiB, +2 MiB) of huge page 1 to an address that is not PMD aligned. */
static int split_by_mremap(struct thp *th)
{
	size_t len = th->hpage - wl_page_size();
	char *src = th->w.region + th->hpage + wl_page_size();
	char *res, *dst, *moved;
	uint64_t t0;

	res = mmap(NULL, 3 * th->hpage, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (res == MAP_FAILED)
		return -1;
	dst = (char *)(((uintptr_t)res + th->hpage - 1) & ~(uintptr_t)(th->hpage - 1));
	dst += 3 * wl_page_size();
	t0 = wl_now_ns();
	moved = mremap(src, len, len, MREMAP_MAYMOVE | MREMAP_FIXED, dst);
	if (moved == MAP_FAILED)
		return -1;
	tree_latency(&th->w.tree, th->op_mremap, wl_now_ns() - t0);
	return 0;
}

static int split_by_munmap(struct thp *th)
{
	char *p = th->w.region + 2 * th->hpage + th->hpage / 2;
	uint64_t t0 = wl_now_ns();

	if (munmap(p, wl_page_size()))
		return -1;
	tree_latency(&th->w.tree, th->op_munmap, wl_now_ns() - t0);
	return 0;
}

static int split_all(struct thp *th)
{
	if (split_by_mprotect(th, 0) || split_by_mremap(th) || split_by_munmap(th))
		return -1;
	for (long k = 3; k < th->hugepages; k++)
		if (split_by_mprotect(th, k))
			return -1;
	return 0;
}

static int member_fn(struct share_tree *t, int phase, void *arg)
{
	struct thp *th = arg;

	if (phase != THP_PHASE_SPLIT)
		return 0;
	if (split_all(th)) {
		tree_error(t, "member %d: split: %s", t->index, strerror(errno));
		return -1;
	}
	return 0;
}

static void collapse(struct thp *th)
{
	long ok = 0, failed = 0;
	int err = 0;

	/* a zero-length call tells whether the kernel knows MADV_COLLAPSE (6.1+) */
	if (madvise(th->w.region, 0, MADV_COLLAPSE)) {
		wl_unavailable(th->w.ctx, "thp.collapsed",
			       "MADV_COLLAPSE not supported (before 6.1)");
		return;
	}
	for (long k = 3; k < th->hugepages; k++) {
		uint64_t t0;

		/*
		 * After fork every PTE of the shared folio is read-only, and
		 * kernels up to at least 6.12 refuse to collapse a range without
		 * one writable PTE (SCAN_PAGE_RO, EINVAL): copy one page first.
		 */
		th->w.region[k * th->hpage] ^= 1;
		t0 = wl_now_ns();
		if (madvise(th->w.region + k * th->hpage, th->hpage, MADV_COLLAPSE)) {
			err = errno;
			failed++;
			continue;
		}
		wl_latency(th->w.ctx, "op.thp_collapse", wl_now_ns() - t0);
		ok++;
	}
	if (failed)
		wl_note(th->w.ctx, "collapse_failed", "%ld of %ld huge pages, last error %s",
			failed, th->hugepages - 3, strerrorname_np(err));
	wl_timed(th->w.ctx, "thp.collapsed", ok, "hugepages", "higher");
}

/* AnonHugePages of the VMAs in [start, start + len) (/proc/self/smaps), in huge pages. */
static long huge_mapped_in(const struct thp *th, const char *start, size_t len)
{
	uintptr_t lo = (uintptr_t)start, hi = lo + len, vs = 0, ve = 0;
	FILE *f = fopen("/proc/self/smaps", "re");
	unsigned long a, b;
	char line[512];
	long long kb, sum = 0;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		/* a VMA's header: "start-end perms ..."; fields: "Name:   value" */
		if (sscanf(line, "%lx-%lx ", &a, &b) == 2) {
			vs = a;
			ve = b;
		} else if (sscanf(line, "AnonHugePages: %lld kB", &kb) == 1 && vs < hi && ve > lo) {
			sum += kb;
		}
	}
	fclose(f);
	return sum * 1024 / th->hpage;
}

static int populate(struct thp *th)
{
	long long alloc0 = wl_vmstat("thp_fault_alloc");

	th->w.len = th->hugepages * th->hpage;
	th->w.region = wl_map_aligned(th->w.len, th->hpage);
	if (!th->w.region)
		return wl_fail(th->w.ctx, "mmap %zu bytes: %s", th->w.len, strerror(errno));
	if (madvise(th->w.region, th->w.len, MADV_HUGEPAGE))
		return wl_fail(th->w.ctx, "MADV_HUGEPAGE: %s", strerror(errno));
	memset(th->w.region, 0x5a, th->w.len);
	wl_timed(th->w.ctx, "thp.fault_alloc", wl_vmstat("thp_fault_alloc") - alloc0,
		 "hugepages", "none");
	wl_timed(th->w.ctx, "thp.huge_at_start", huge_mapped_in(th, th->w.region, th->w.len),
		 "hugepages", "higher");
	return 0;
}

static int run_tree(void *arg)
{
	struct thp *th = arg;
	long long pmd0, page0 = wl_vmstat("thp_split_page"), coll0;
	int ret;

	if (populate(th))
		return -1;
	if (treewl_tree(&th->w, member_fn, th))
		return -1;
	th->op_split = tree_op(&th->w.tree, "op.thp_split");
	th->op_mremap = tree_op(&th->w.tree, "op.mremap");
	th->op_munmap = tree_op(&th->w.tree, "op.munmap");
	ret = treewl_build(&th->w, NULL);
	pmd0 = wl_vmstat("thp_split_pmd");
	if (!ret)
		ret = tree_phase(th->w.ctx, &th->w.tree, THP_PHASE_SPLIT);
	if (!ret && split_all(th))
		ret = wl_fail(th->w.ctx, "root: split: %s", strerror(errno));
	if (!ret)
		wl_timed(th->w.ctx, "thp.split_pmd", wl_vmstat("thp_split_pmd") - pmd0, "splits",
			 "none");
	coll0 = wl_vmstat("thp_collapse_alloc");
	if (!ret && th->collapse) {
		collapse(th);
		wl_timed(th->w.ctx, "thp.collapse_alloc", wl_vmstat("thp_collapse_alloc") - coll0,
			 "hugepages", "none");
	}
	ret |= tree_finish(th->w.ctx, &th->w.tree);
	wl_timed(th->w.ctx, "thp.split_page", wl_vmstat("thp_split_page") - page0, "splits",
		 "none");
	return ret ? -1 : 0;
}

/* THP mode "never" becomes "madvise" for the run. */
static int setup(void *arg, char *why, size_t len)
{
	struct thp *th = arg;
	char mode[64] = "";

	procfs_read(THP_DIR "/enabled", mode, sizeof(mode));
	wl_note(th->w.ctx, "thp_enabled", "%s", mode);
	if (strstr(mode, "[never]") &&
	    wl_guard_set(&th->w.guard, THP_DIR "/enabled", "madvise", why, len))
		return -1;
	return 0;
}

static int thp_run(struct wl_ctx *ctx)
{
	struct thp th = {
		.hugepages = wl_param(ctx, "hugepages"),
		.collapse = wl_param(ctx, "collapse"),
		.hpage = pmd_size(),
	};

	return treewl_run(&th.w, ctx, true, setup, run_tree, &th);
}

/* The probe says whether THP's sysfs file is there and writable. */
static bool thp_supported(char *reason, size_t len)
{
	if (!wl_kernel_flag("thp", "sysfs")) {
		snprintf(reason, len, "no %s/enabled: kernel without CONFIG_TRANSPARENT_HUGEPAGE",
			 THP_DIR);
		return false;
	}
	if (geteuid() != 0 && !wl_kernel_flag("thp", "writable")) {
		snprintf(reason, len, "needs root when THP is \"never\"");
		return false;
	}
	return true;
}

/* Splits copy page tables, not data: the huge pages once, plus slack. */
static void thp_estimate(struct wl_ctx *ctx, struct wl_estimate *e)
{
	treewl_estimate(ctx, e, 2ULL * wl_param(ctx, "hugepages") * pmd_size());
	e->vmas += 4 * wl_param(ctx, "hugepages");
}

const struct workload_info thp_info = {
	.name = "thp",
	.headline = (const char *const []){ "op.thp_split", "op.thp_collapse", NULL },
	.summary = "THP-backed regions shared across fork, split by mprotect/mremap/munmap "
		   "at unaligned addresses in every process, collapsed back: PMD splits",
	.params = thp_params,
	.supported = thp_supported,
	.run = thp_run,
	.host_default = true,
	.estimate = thp_estimate,
};
