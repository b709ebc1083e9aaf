// SPDX-License-Identifier: GPL-2.0
/*
 * mremap-frag: does the kernel merge VMAs again after mremap()/mprotect()?
 * Every phase works on a fresh mapping of 3N pages ("work"), split in left,
 * middle and right thirds, inside a PROT_NONE reservation so that nothing
 * outside can merge with it:
 *
 *   [guard][ left | middle | right ][guard][ away (N pages) ][guard]
 *
 * "away" is the scratch destination of the middle third. After each phase the
 * VMAs of the work range are counted and compared with what every kernel does
 * (docs/workloads.md, "mremap-frag"); phases whose outcome depends on
 * the kernel version record what happened and expect nothing.
 *
 * The phase that moves a faulted VMA back between unfaulted neighbours at a
 * matching offset is a use-after-free of the anon_vma on 6.16 up to the
 * January 2026 fix (6.18.8 on the 6.18 branch): it only runs with unsafe=1.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "workload.h"
#include "wl_util.h"

#define FRAG_NO_EXPECTATION	0

struct frag {
	struct wl_ctx *ctx;
	size_t third;		/* N pages, in bytes */
	char *resv;
	size_t resv_len;
	char *work;		/* 3N pages */
	char *away;		/* N pages */
	/* filled by the phase */
	int nr_mremap;
	uint64_t mremap_ns[2];
	char error[WL_REASON_LEN];
};

struct frag_phase {
	const char *name;
	/* VMAs of the work range on every kernel, or FRAG_NO_EXPECTATION */
	int expected_vmas;
	/* whether a merge back into one VMA is the question */
	bool merge_question;
	bool unsafe;
	const char *note;
	int (*run)(struct frag *f);
};

struct frag_summary {
	int merges_expected;
	int merges_achieved;
	int mismatched;
};

static const struct wl_param mremap_frag_params[] = {
	{ "n", 16, 1, 4096, "pages per third of the 3N-page mapping" },
	{ "unsafe", 0, 0, 1,
	  "1: also move a faulted VMA back between unfaulted neighbours "
	  "(use-after-free on unpatched 6.16-6.18.7: guests only)" },
	{ NULL, 0, 0, 0, NULL },
};

static char *frag_middle(struct frag *f)
{
	return f->work + f->third;
}

static int frag_error(struct frag *f, const char *what)
{
	snprintf(f->error, sizeof(f->error), "%s: %s", what, strerror(errno));
	return -1;
}

/* mremap(MAYMOVE|FIXED) of N pages, timed. */
static int frag_move(struct frag *f, char *from, char *to)
{
	uint64_t start = wl_now_ns();
	void *ret;

	ret = mremap(from, f->third, f->third, MREMAP_MAYMOVE | MREMAP_FIXED, to);
	if (f->nr_mremap < 2)
		f->mremap_ns[f->nr_mremap++] = wl_now_ns() - start;
	if (ret == MAP_FAILED)
		return frag_error(f, "mremap");
	if (ret != to) {
		errno = EFAULT;
		return frag_error(f, "mremap moved to the wrong address");
	}
	return 0;
}

static int frag_away_and_back(struct frag *f, bool write_away)
{
	if (frag_move(f, frag_middle(f), f->away))
		return -1;
	if (write_away)
		wl_touch(f->away, f->third);
	return frag_move(f, f->away, frag_middle(f));
}

static int phase_untouched(struct frag *f)
{
	return frag_away_and_back(f, false);
}

static int phase_written_before(struct frag *f)
{
	wl_touch(f->work, 3 * f->third);
	return frag_away_and_back(f, false);
}

static int phase_written_away(struct frag *f)
{
	return frag_away_and_back(f, true);
}

static int phase_mprotect_ro(struct frag *f)
{
	wl_touch(f->work, 3 * f->third);
	if (mprotect(frag_middle(f), f->third, PROT_READ))
		return frag_error(f, "mprotect");
	return 0;
}

static int phase_mprotect_back(struct frag *f)
{
	if (phase_mprotect_ro(f))
		return -1;
	if (mprotect(frag_middle(f), f->third, PROT_READ | PROT_WRITE))
		return frag_error(f, "mprotect");
	return 0;
}

/*
 * The left 2N pages become RWX (a separate VMA) and are written; the right
 * N stay RW and untouched. Then the faulted part goes back to RW, like its
 * neighbour: 2 VMAs up to 6.15, 1 from 6.16 (commit 879bca0a2c4f). Both
 * protections stay writable on purpose: a read-only mprotect() of an
 * unfaulted VMA drops VM_ACCOUNT and would forbid the merge anyway.
 */
static int phase_mprotect_faulted_next(struct frag *f)
{
	size_t left_len = 2 * f->third;

	if (mprotect(f->work, left_len, PROT_READ | PROT_WRITE | PROT_EXEC))
		return frag_error(f, "mprotect(PROT_EXEC)");
	wl_touch(f->work, left_len);
	if (mprotect(f->work, left_len, PROT_READ | PROT_WRITE))
		return frag_error(f, "mprotect");
	return 0;
}

static int phase_munmap_hole(struct frag *f)
{
	wl_touch(f->work, 3 * f->third);
	if (munmap(frag_middle(f), f->third))
		return frag_error(f, "munmap");
	return 0;
}

/*
 * DANGER. The middle third is split off by a flag (MADV_DONTFORK), faulted,
 * moved away with its page offset kept, made compatible again and moved back
 * between its untouched neighbours: a "faulted, unfaulted" copied-range merge.
 * Unpatched 6.16-6.18.7 merge without duplicating the anon_vma state and free
 * the anon_vma under the pages. Only with unsafe=1, only in a guest.
 */
static int phase_faulted_back_unsafe(struct frag *f)
{
	if (madvise(frag_middle(f), f->third, MADV_DONTFORK))
		return frag_error(f, "madvise(MADV_DONTFORK)");
	wl_touch(frag_middle(f), f->third);
	if (frag_move(f, frag_middle(f), f->away))
		return -1;
	if (madvise(f->away, f->third, MADV_DOFORK))
		return frag_error(f, "madvise(MADV_DOFORK)");
	return frag_move(f, f->away, frag_middle(f));
}

static const struct frag_phase frag_phases[] = {
	{ "untouched", 1, true, false, NULL, phase_untouched },
	{ "written_before", 1, true, false, NULL, phase_written_before },
	{ "written_away", 3, true, false, NULL, phase_written_away },
	{ "mprotect_ro", 3, false, false, NULL, phase_mprotect_ro },
	{ "mprotect_back", 1, true, false, NULL, phase_mprotect_back },
	{ "mprotect_faulted_next", FRAG_NO_EXPECTATION, true, false,
	  "kernel-dependent: 2 VMAs up to 6.15, 1 from 6.16",
	  phase_mprotect_faulted_next },
	{ "munmap_hole", 2, false, false, NULL, phase_munmap_hole },
	{ "faulted_back_unsafe", FRAG_NO_EXPECTATION, true, true,
	  "kernel-dependent: 3 VMAs up to 6.15, 1 on fixed 6.16+; "
	  "use-after-free on unpatched 6.16-6.18.7",
	  phase_faulted_back_unsafe },
};

static int frag_map(struct frag *f)
{
	size_t page_size = wl_page_size();

	f->resv_len = 4 * f->third + 3 * page_size;
	f->resv = mmap(NULL, f->resv_len, PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (f->resv == MAP_FAILED) {
		f->resv = NULL;
		return frag_error(f, "mmap of the reservation");
	}
	f->work = f->resv + page_size;
	f->away = f->work + 3 * f->third + page_size;
	if (mmap(f->work, 3 * f->third, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == MAP_FAILED)
		return frag_error(f, "mmap of the work range");
	return 0;
}

static void frag_unmap(struct frag *f)
{
	if (f->resv)
		munmap(f->resv, f->resv_len);
	f->resv = NULL;
}

static void frag_emit(struct frag *f, const struct frag_phase *phase, int vmas,
		      const struct slab_snapshot *before,
		      const struct slab_snapshot *after,
		      struct frag_summary *sum)
{
	static const char *const mremap_names[] = { "mremap_away_ns", "mremap_back_ns" };
	char name[128];
	int i;

	snprintf(name, sizeof(name), "phase.%s.vmas", phase->name);
	wl_exact(f->ctx, name, vmas, "vmas", "none");
	if (phase->expected_vmas != FRAG_NO_EXPECTATION) {
		snprintf(name, sizeof(name), "phase.%s.expected_vmas", phase->name);
		wl_exact(f->ctx, name, phase->expected_vmas, "vmas", "none");
		if (vmas != phase->expected_vmas)
			sum->mismatched++;
	} else {
		snprintf(name, sizeof(name), "phase.%s.expected", phase->name);
		wl_note(f->ctx, name, "%s", phase->note);
	}
	if (phase->merge_question) {
		snprintf(name, sizeof(name), "phase.%s.merged", phase->name);
		wl_exact(f->ctx, name, vmas == 1, "bool", "none");
	}
	if (phase->expected_vmas == 1) {
		sum->merges_expected++;
		sum->merges_achieved += vmas == 1;
	}

	snprintf(name, sizeof(name), "phase.%s.slab", phase->name);
	wl_emit_slab_allocs(f->ctx, name, before, after);

	for (i = 0; i < f->nr_mremap; i++) {
		snprintf(name, sizeof(name), "phase.%s.%s", phase->name,
			 mremap_names[i]);
		wl_timed(f->ctx, name, (double)f->mremap_ns[i], "ns", "lower");
	}
}

static int frag_run_phase(struct frag *f, const struct frag_phase *phase,
			  struct frag_summary *sum)
{
	struct slab_snapshot before, after;
	int vmas, ret = -1;

	f->nr_mremap = 0;
	f->error[0] = '\0';
	if (frag_map(f))
		goto fail;
	wl_slab_snapshot(f->ctx, &before);
	if (phase->run(f))
		goto fail;
	wl_slab_snapshot(f->ctx, &after);
	vmas = wl_count_vmas_in((uintptr_t)f->work, 3 * f->third);
	if (vmas < 0) {
		frag_error(f, "counting VMAs");
		goto fail;
	}
	frag_emit(f, phase, vmas, &before, &after, sum);
	ret = 0;
	goto out;

fail:
	wl_fail(f->ctx, "mremap-frag: phase %s: %s", phase->name, f->error);
out:
	frag_unmap(f);
	return ret;
}

static int mremap_frag_run(struct wl_ctx *ctx)
{
	struct frag_summary sum = { 0 };
	bool unsafe = wl_param(ctx, "unsafe");
	struct frag f = { 0 };
	size_t i;

	f.ctx = ctx;
	f.third = (size_t)wl_param(ctx, "n") * wl_page_size();

	for (i = 0; i < sizeof(frag_phases) / sizeof(frag_phases[0]); i++) {
		const struct frag_phase *phase = &frag_phases[i];

		if (phase->unsafe && !unsafe) {
			wl_note(ctx, "phase.faulted_back_unsafe",
				"skipped: unsafe=0 (use-after-free of the anon_vma on "
				"unpatched 6.16-6.18.7; run it in a guest with "
				"mremap-frag.unsafe=1)");
			continue;
		}
		if (frag_run_phase(&f, phase, &sum))
			return -1;
	}

	wl_exact(ctx, "merges.expected", sum.merges_expected, "merges", "none");
	wl_exact(ctx, "merges.achieved", sum.merges_achieved, "merges", "higher");
	wl_exact(ctx, "phases.mismatched", sum.mismatched, "phases", "lower");
	return 0;
}

static void mremap_frag_estimate(struct wl_ctx *ctx, struct wl_estimate *e)
{
	e->procs = 1;
	e->bytes = 3ULL * wl_param(ctx, "n") * 4096;
	e->vmas = 128;
}

const struct workload_info mremap_frag_info = {
	.name = "mremap-frag",
	.headline = (const char *const []){ "phase.written_before.mremap_away_ns",
					    "phase.written_before.mremap_back_ns", NULL },
	.summary = "VMA merging after mremap() away and back, mprotect() and "
		   "munmap() on a 3N-page mapping, against the known outcomes",
	.params = mremap_frag_params,
	.run = mremap_frag_run,
	.host_default = true,
	.estimate = mremap_frag_estimate,
};
