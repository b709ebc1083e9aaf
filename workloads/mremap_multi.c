// SPDX-License-Identifier: GPL-2.0
/*
 * mremap-multi: one mremap(MREMAP_MAYMOVE | MREMAP_FIXED, old_len == new_len)
 * over a range holding several VMAs separated by one-page holes. Linux 6.17
 * moves them all and keeps the holes; earlier kernels fail with EFAULT. The
 * calls that fail on every kernel are checked too: no MREMAP_FIXED, a resize,
 * a range starting in a hole.
 *
 * Every case gets a fresh layout: the source VMAs inside a PROT_NONE
 * reservation, and an unmapped destination hole of the same size with
 * PROT_NONE guards on both sides, so nothing can merge with what moves.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "workload.h"
#include "wl_util.h"

struct multi {
	struct wl_ctx *ctx;
	long vmas;
	long pages;
	size_t seg_len;		/* bytes per source VMA */
	size_t stride;		/* seg_len + one-page hole */
	size_t span;		/* first VMA start to last VMA end */
	size_t resv_len;	/* span + two guard pages */
	char *src_resv;
	char *dst_resv;
	char *src;
	char *dst;
};

static const struct wl_param mremap_multi_params[] = {
	{ "vmas", 3, 2, 64, "VMAs in the moved range, one-page holes between" },
	{ "pages", 4, 1, 256, "pages per VMA" },
	{ NULL, 0, 0, 0, NULL },
};

static unsigned char multi_pattern(long vma, long page)
{
	return (unsigned char)(1 + ((vma * 31 + page) % 251));
}

static void multi_unmap(struct multi *m)
{
	if (m->src_resv)
		munmap(m->src_resv, m->resv_len);
	if (m->dst_resv)
		munmap(m->dst_resv, m->resv_len);
	m->src_resv = m->dst_resv = NULL;
}

static char *multi_reserve(struct multi *m)
{
	char *resv = mmap(NULL, m->resv_len, PROT_NONE,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	return resv == MAP_FAILED ? NULL : resv;
}

/* Source: m->vmas written VMAs with holes; destination: an empty hole. */
static int multi_map(struct multi *m)
{
	size_t page_size = wl_page_size();
	long i, p;

	m->src_resv = multi_reserve(m);
	m->dst_resv = multi_reserve(m);
	if (!m->src_resv || !m->dst_resv)
		goto fail;
	m->src = m->src_resv + page_size;
	m->dst = m->dst_resv + page_size;
	if (mmap(m->src, m->span, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == MAP_FAILED)
		goto fail;
	for (i = 0; i + 1 < m->vmas; i++)
		if (munmap(m->src + i * m->stride + m->seg_len, page_size))
			goto fail;
	for (i = 0; i < m->vmas; i++)
		for (p = 0; p < m->pages; p++)
			m->src[i * m->stride + p * page_size] = multi_pattern(i, p);
	if (munmap(m->dst, m->span))
		goto fail;
	if (wl_count_vmas_in((uintptr_t)m->src, m->span) != m->vmas) {
		errno = EPROTO;
		goto fail;
	}
	return 0;

fail:
	wl_fail(m->ctx, "mremap-multi: setting up %ld VMAs of %ld pages: %s",
		m->vmas, m->pages, strerror(errno));
	multi_unmap(m);
	return -1;
}

struct multi_layout_check {
	struct multi *m;
	long seen;
	bool ok;
};

/* Every VMA at the destination must be segment #seen, in place, rw. */
static int multi_check_vma(const struct wl_vma *vma, void *arg)
{
	struct multi_layout_check *check = arg;
	struct multi *m = check->m;
	uintptr_t want = (uintptr_t)m->dst + check->seen * m->stride;

	if (check->seen >= m->vmas || vma->start != want ||
	    vma->end != want + m->seg_len || strncmp(vma->perms, "rw", 2))
		check->ok = false;
	check->seen++;
	return 0;
}

/* Moved VMAs where they belong, holes between them, read via /proc/self/maps. */
static int multi_gaps_preserved(struct multi *m)
{
	struct multi_layout_check check = { .m = m, .ok = true };

	if (wl_maps_walk((uintptr_t)m->dst, m->span, multi_check_vma, &check) < 0)
		return -1;
	return check.ok && check.seen == m->vmas;
}

static bool multi_data_preserved(struct multi *m)
{
	size_t page_size = wl_page_size();
	long i, p;

	for (i = 0; i < m->vmas; i++)
		for (p = 0; p < m->pages; p++)
			if ((unsigned char)m->dst[i * m->stride + p * page_size] !=
			    multi_pattern(i, p))
				return false;
	return true;
}

static void multi_unavailable(struct multi *m, int err)
{
	static const char *const names[] = {
		"multi.vmas_after", "multi.gaps_preserved", "multi.data_preserved",
		"multi.source_vmas_after", "multi.mremap_ns",
		"multi.slab.vm_area_struct", "multi.slab.anon_vma",
		"multi.slab.anon_vma_chain",
	};
	char reason[160];
	size_t i;

	snprintf(reason, sizeof(reason),
		 "moving several VMAs in one mremap() is unsupported (errno %d %s: %s)", err,
		 strerrorname_np(err) ? strerrorname_np(err) : "?", strerror(err));
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		wl_unavailable(m->ctx, names[i], reason);
}

static int multi_emit_moved(struct multi *m, uint64_t ns,
			    const struct slab_snapshot *before,
			    const struct slab_snapshot *after)
{
	int vmas_after, source_after, gaps;

	vmas_after = wl_count_vmas_in((uintptr_t)m->dst, m->span);
	source_after = wl_count_vmas_in((uintptr_t)m->src, m->span);
	gaps = multi_gaps_preserved(m);
	if (vmas_after < 0 || source_after < 0 || gaps < 0)
		return wl_fail(m->ctx, "mremap-multi: reading the VMAs: %s",
			       strerror(errno));
	wl_exact(m->ctx, "multi.vmas_after", vmas_after, "vmas", "none");
	wl_exact(m->ctx, "multi.gaps_preserved", gaps, "bool", "higher");
	wl_exact(m->ctx, "multi.data_preserved", multi_data_preserved(m),
		 "bool", "higher");
	wl_exact(m->ctx, "multi.source_vmas_after", source_after, "vmas", "none");
	wl_timed(m->ctx, "multi.mremap_ns", (double)ns, "ns", "lower");
	wl_emit_slab_allocs(m->ctx, "multi.slab", before, after);
	return 0;
}

/* The move that 6.17 made possible. */
static int multi_case_fixed(struct multi *m)
{
	struct slab_snapshot before, after;
	uint64_t start, ns;
	int err = 0, ret;
	void *res;

	if (multi_map(m))
		return -1;
	wl_slab_snapshot(m->ctx, &before);
	start = wl_now_ns();
	res = mremap(m->src, m->span, m->span, MREMAP_MAYMOVE | MREMAP_FIXED, m->dst);
	ns = wl_now_ns() - start;
	if (res == MAP_FAILED)
		err = errno;
	wl_slab_snapshot(m->ctx, &after);

	if (res != MAP_FAILED && res != m->dst) {
		multi_unmap(m);
		return wl_fail(m->ctx, "mremap-multi: MREMAP_FIXED moved to %p, not %p",
			       res, (void *)m->dst);
	}
	wl_exact(m->ctx, "multi.supported", err == 0, "bool", "none");
	wl_errno(m->ctx, "multi.errno", err);
	if (err) {
		wl_note(m->ctx, "multi", "mremap of %ld VMAs: %s", m->vmas,
			strerror(err));
		multi_unavailable(m, err);
		ret = 0;
	} else {
		ret = multi_emit_moved(m, ns, &before, &after);
	}
	multi_unmap(m);
	return ret;
}

/* A call that fails everywhere: records its errno (0 if it did not fail). */
static int multi_case_failing(struct multi *m, const char *name, size_t old_off,
			      size_t old_len, size_t new_len, int flags)
{
	char metric[64];
	int err = 0;
	void *res;

	if (multi_map(m))
		return -1;
	res = mremap(m->src + old_off, old_len, new_len, flags, m->dst);
	if (res == MAP_FAILED)
		err = errno;
	else if (res == m->src + old_off)
		wl_note(m->ctx, name, "mremap returned the old address (no move)");
	else
		wl_note(m->ctx, name, "mremap moved the range to %p", res);
	if (res != MAP_FAILED && !(flags & MREMAP_FIXED) && res != m->src + old_off)
		munmap(res, new_len);	/* moved somewhere of its choosing */
	snprintf(metric, sizeof(metric), "%s.errno", name);
	wl_errno(m->ctx, metric, err);
	multi_unmap(m);
	return 0;
}

static int mremap_multi_run(struct wl_ctx *ctx)
{
	size_t page_size = wl_page_size();
	struct multi m = { 0 };

	m.ctx = ctx;
	m.vmas = wl_param(ctx, "vmas");
	m.pages = wl_param(ctx, "pages");
	m.seg_len = (size_t)m.pages * page_size;
	m.stride = m.seg_len + page_size;
	m.span = (size_t)m.vmas * m.stride - page_size;
	m.resv_len = m.span + 2 * page_size;

	if (multi_case_fixed(&m))
		return -1;
	/* the hole after the first VMA starts at seg_len */
	if (multi_case_failing(&m, "nofixed", 0, m.span, m.span,
			       MREMAP_MAYMOVE) ||
	    multi_case_failing(&m, "resize", 0, m.span, m.span + page_size,
			       MREMAP_MAYMOVE | MREMAP_FIXED) ||
	    multi_case_failing(&m, "gapstart", m.seg_len, m.span - m.seg_len,
			       m.span - m.seg_len, MREMAP_MAYMOVE | MREMAP_FIXED))
		return -1;
	return 0;
}

static void mremap_multi_estimate(struct wl_ctx *ctx, struct wl_estimate *e)
{
	e->procs = 1;
	e->bytes = 2ULL * wl_param(ctx, "vmas") * wl_param(ctx, "pages") * 4096;
	e->vmas = 2 * wl_param(ctx, "vmas") + 128;
}

const struct workload_info mremap_multi_info = {
	.name = "mremap-multi",
	.headline = (const char *const []){ "multi.mremap_ns", NULL },
	.summary = "one mremap(MREMAP_FIXED) across several VMAs with holes "
		   "(6.17+), and the variants that fail on every kernel",
	.params = mremap_multi_params,
	.run = mremap_multi_run,
	.host_default = true,
	.estimate = mremap_multi_estimate,
};
