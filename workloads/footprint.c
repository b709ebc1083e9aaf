// SPDX-License-Identifier: GPL-2.0
/*
 * footprint: the system's slab footprint the way anon_vma series report it
 * (ANON_VMA_LAZY: active objects and KiB of anon_vma, anon_vma_chain and
 * vm_area_struct after boot and after launching 24 apps).
 *
 * Scenario: a launcher (the tracked process) maps and writes `regions`
 * regions of `pages` pages, then forks `apps` processes one after the
 * other; each maps and writes `own_regions` regions of its own, unmaps a hole
 * of `hole_pct` percent in the middle of each, reports ready and idles. While
 * all of them idle, the launcher reads /proc/slabinfo (system-wide, "after N
 * apps") and the exact BPF counts of what the launch left live; the runner's
 * reading at the start of the run is the "after boot" row (bench/sysslab.c).
 *
 * Regions sit in slots with an unmapped page between them, at addresses
 * chosen before anything is counted, so no two merge and nothing but the
 * holes is ever freed.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/membarrier.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "workload.h"
#include "wl_util.h"

#define FP_READY_TIMEOUT_MS	60000
/* How long the launcher waits for the holes' deferred frees (RCU) to land. */
#define FP_SETTLE_MS		5000
#define FP_SETTLE_STEP_MS	20
#define FP_SETTLE_QUIET		3
#define FP_READY		'R'
#define FP_FAILED		'E'

struct fp_shared {
	int failed;
	char error[512];
	int own_vmas[];		/* per app: VMAs of its own regions after the holes */
};

struct fp {
	struct wl_ctx *ctx;
	long apps, regions, pages, own, hole_pct;
	size_t page, region_len, stride;
	long hole_off, hole_pages;	/* pages */
	char *base;			/* the free range the slots are carved from */
	long mapped;			/* the launcher's regions mapped so far */
	int ready[2];			/* apps → launcher: one byte each */
	int release[2];			/* launcher's write end closed: apps exit */
	struct fp_shared *sh;
	size_t sh_len;
	pid_t *pids;
	long forked;
};

static const struct wl_param footprint_params[] = {
	{ "apps", 24, 1, 512, "app-like processes launched (N)" },
	{ "regions", 8, 0, 256, "anonymous regions the common parent maps and writes (M)" },
	{ "pages", 16, 1, 4096, "pages per region" },
	{ "own_regions", 8, 0, 256, "regions every app maps and writes itself" },
	{ "hole_pct", 25, 0, 90, "percent of each own region an app unmaps, in the middle" },
	{ NULL, 0, 0, 0, NULL },
};

static void fp_error(struct fp *f, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void fp_error(struct fp *f, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	wl_first_error(&f->sh->failed, f->sh->error, sizeof(f->sh->error), fmt, ap);
	va_end(ap);
}

/* Maps slot @i, written. NULL (errno set) on failure. */
static char *fp_map_slot(struct fp *f, long i)
{
	char *want = f->base + i * f->stride;
	char *p = mmap(want, f->region_len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	if (p != want) {	/* a kernel without MAP_FIXED_NOREPLACE: a hint */
		munmap(p, f->region_len);
		errno = EEXIST;
		return NULL;
	}
	wl_touch(p, f->region_len);
	return p;
}

static void fp_report(struct fp *f, char what)
{
	ssize_t n;

	do {
		n = write(f->ready[1], &what, 1);
	} while (n < 0 && errno == EINTR);
}

/* App @idx: its own regions, the holes, ready, idle until released. */
static void fp_app(struct fp *f, long idx, pid_t launcher) __attribute__((noreturn));

static void fp_app(struct fp *f, long idx, pid_t launcher)
{
	uintptr_t own_start = (uintptr_t)(f->base + f->regions * f->stride);
	ssize_t n;
	char byte;
	long j;
	int vmas;

	close(f->ready[0]);
	close(f->release[1]);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != launcher)
		_exit(1);
	for (j = 0; j < f->own; j++) {
		char *p = fp_map_slot(f, f->regions + j);

		if (!p) {
			fp_error(f, "footprint: app %ld: mmap of its region %ld: %s", idx, j,
				 strerror(errno));
			goto failed;
		}
		if (f->hole_pages && munmap(p + f->hole_off * f->page, f->hole_pages * f->page)) {
			fp_error(f, "footprint: app %ld: munmap of a hole: %s", idx, strerror(errno));
			goto failed;
		}
	}
	vmas = f->own ? wl_count_vmas_in(own_start, f->own * f->stride) : 0;
	if (vmas < 0) {
		fp_error(f, "footprint: app %ld: counting VMAs: %s", idx, strerror(errno));
		goto failed;
	}
	f->sh->own_vmas[idx] = vmas;
	fp_report(f, FP_READY);
	do {
		n = read(f->release[0], &byte, 1);
	} while (n > 0 || (n < 0 && errno == EINTR));
	_exit(0);
failed:
	fp_report(f, FP_FAILED);
	_exit(1);
}

/* Launcher: N apps, one byte each back. The number ready, or -1 after wl_fail(). */
static long fp_launch(struct fp *f)
{
	struct pollfd pfd = { .fd = f->ready[0], .events = POLLIN };
	pid_t self = getpid();
	long ready = 0;
	char bytes[256];
	ssize_t n, i;
	int ret;

	for (f->forked = 0; f->forked < f->apps; f->forked++) {
		pid_t pid = fork();

		if (pid == 0)
			fp_app(f, f->forked, self);
		if (pid < 0)
			return wl_fail(f->ctx, "footprint: fork of app %ld: %s", f->forked,
				       strerror(errno));
		f->pids[f->forked] = pid;
	}
	close(f->ready[1]);		/* EOF once every app is gone */
	f->ready[1] = -1;
	while (ready < f->apps) {
		ret = poll(&pfd, 1, FP_READY_TIMEOUT_MS);
		if (ret < 0 && errno == EINTR)
			continue;
		if (ret <= 0)
			return wl_fail(f->ctx, "footprint: %ld of %ld apps ready after %d ms",
				       ready, f->apps, FP_READY_TIMEOUT_MS);
		n = read(f->ready[0], bytes, sizeof(bytes));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return wl_fail(f->ctx, "footprint: the apps exited with %ld of %ld ready",
				       ready, f->apps);
		for (i = 0; i < n; i++) {
			if (bytes[i] != FP_READY)
				return wl_fail(f->ctx, "%s", f->sh->failed ? f->sh->error :
					       "footprint: an app failed");
			ready++;
		}
	}
	return ready;
}

static bool fp_same_frees(const struct slab_snapshot *a, const struct slab_snapshot *b)
{
	for (int k = 0; k < NR_SLAB_KINDS; k++)
		if (a->frees[k] != b->frees[k])
			return false;
	return true;
}

/*
 * The holes' objects are freed after an RCU grace period on some kernels
 * (vm_area_struct, vma_lock on 6.4-6.14), and the callbacks run in batches
 * (10 a softirq pass by default), one pass a tick: push grace periods until
 * FP_SETTLE_QUIET in a row, each followed by FP_SETTLE_STEP_MS (several
 * ticks), free nothing more. Seen on 6.12 under TCG: with two 2 ms steps,
 * 11 to 17 of 192 frees were still queued; without a settle before the first
 * snapshot, the free of the setup's probe mapping landed in the count (-1).
 * False when frees still arrive after FP_SETTLE_MS.
 */
static bool fp_settle(struct fp *f, struct slab_snapshot *snap)
{
	uint64_t deadline = wl_now_ns() + FP_SETTLE_MS * 1000000ull;
	struct slab_snapshot prev;
	int quiet = 0;

	wl_slab_snapshot(f->ctx, snap);
	if (!snap->valid)
		return true;
	while (quiet < FP_SETTLE_QUIET) {
		if (wl_now_ns() > deadline)
			return false;
		prev = *snap;
		syscall(__NR_membarrier, MEMBARRIER_CMD_GLOBAL, 0, 0);
		usleep(FP_SETTLE_STEP_MS * 1000);
		wl_slab_snapshot(f->ctx, snap);
		quiet = fp_same_frees(&prev, snap) ? quiet + 1 : 0;
	}
	return true;
}

static void fp_metric(struct wl_ctx *ctx, const char *row, int k, const char *what,
		      double v, const char *unit)
{
	char name[96];

	snprintf(name, sizeof(name), "%s.%s.%s", row, slab_kind_name(k), what);
	wl_timed(ctx, name, v, unit, "none");
}

static void fp_row_unavailable(struct wl_ctx *ctx, const char *row, int k,
			       const char *const *what, const char *why)
{
	char name[96];

	for (; *what; what++) {
		snprintf(name, sizeof(name), "%s.%s.%s", row, slab_kind_name(k), *what);
		wl_unavailable(ctx, name, why);
	}
}

/* "boot" or "apps": objects and KiB (active objects x objsize) per cache. */
static void fp_emit_row(struct wl_ctx *ctx, const char *row, const struct wl_sysslab *s,
			const char *why, const bool *present)
{
	static const char *const cols[] = { "objects", "kib", NULL };

	for (int k = 0; k < NR_SLAB_KINDS; k++) {
		if (!present[k])
			continue;
		if (why || !s->ok[k]) {
			fp_row_unavailable(ctx, row, k, cols, why ? why : s->why[k]);
			continue;
		}
		fp_metric(ctx, row, k, "objects", s->active[k], "objects");
		fp_metric(ctx, row, k, "kib", s->active[k] * s->objsize[k] / 1024.0, "KiB");
	}
}

/* The apps' objects: exact from BPF, system-wide from slabinfo, their difference. */
static void fp_emit_delta(struct fp *f, const struct slab_snapshot *b0,
			  const struct slab_snapshot *b1, bool settled,
			  const struct wl_sysslab *s0, const struct wl_sysslab *s1,
			  const char *why, const bool *present)
{
	static const char *const cols[] = { "slabinfo_delta", "slabinfo_minus_bpf", NULL };
	char name[96];

	for (int k = 0; k < NR_SLAB_KINDS; k++) {
		bool bpf = b0->valid && b1->valid && b1->present[k] && settled;
		long long live = b1->live[k] - b0->live[k];
		long sdelta = s1->active[k] - s0->active[k];

		if (!present[k])
			continue;
		snprintf(name, sizeof(name), "apps.%s.bpf_live", slab_kind_name(k));
		if (bpf)
			wl_exact(f->ctx, name, (double)live, "objects", "lower");
		else
			wl_unavailable(f->ctx, name, !b0->valid || !b1->valid ?
				       "slab accounting unavailable" : !settled ?
				       "inexact: frees still arriving 5 s after the apps were ready" :
				       "cache not tracked");
		if (why || !s0->ok[k] || !s1->ok[k]) {
			fp_row_unavailable(f->ctx, "apps", k, cols,
					   why ? why : !s1->ok[k] ? s1->why[k] : s0->why[k]);
			continue;
		}
		fp_metric(f->ctx, "apps", k, "slabinfo_delta", sdelta, "objects");
		if (bpf)
			fp_metric(f->ctx, "apps", k, "slabinfo_minus_bpf", sdelta - live, "objects");
		else
			fp_row_unavailable(f->ctx, "apps", k, cols + 1, "no exact BPF count");
	}
}

static int fp_setup(struct fp *f, struct wl_ctx *ctx)
{
	size_t span;

	memset(f, 0, sizeof(*f));
	f->ctx = ctx;
	f->ready[0] = f->ready[1] = f->release[0] = f->release[1] = -1;
	f->apps = wl_param(ctx, "apps");
	f->regions = wl_param(ctx, "regions");
	f->pages = wl_param(ctx, "pages");
	f->own = wl_param(ctx, "own_regions");
	f->hole_pct = wl_param(ctx, "hole_pct");
	f->page = wl_page_size();
	f->region_len = f->pages * f->page;
	f->stride = f->region_len + f->page;	/* an unmapped page between slots */
	f->hole_pages = f->pages * f->hole_pct / 100;
	f->hole_off = (f->pages - f->hole_pages) / 2;

	f->sh_len = sizeof(*f->sh) + f->apps * sizeof(f->sh->own_vmas[0]);
	f->sh = mmap(NULL, f->sh_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (f->sh == MAP_FAILED) {
		f->sh = NULL;
		return wl_fail(ctx, "footprint: mmap: %s", strerror(errno));
	}
	f->pids = calloc(f->apps, sizeof(*f->pids));
	if (!f->pids)
		return wl_fail(ctx, "footprint: out of memory");
	if (pipe2(f->ready, O_CLOEXEC) || pipe2(f->release, O_CLOEXEC))
		return wl_fail(ctx, "footprint: pipe: %s", strerror(errno));
	/* a free range for every slot, found now and left unmapped */
	span = (f->regions + f->own) * f->stride + f->page;
	f->base = mmap(NULL, span, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (f->base == MAP_FAILED)
		return wl_fail(ctx, "footprint: mmap of %zu bytes: %s", span, strerror(errno));
	munmap(f->base, span);
	return 0;
}

/* Releases and reaps the apps; how many of them failed. */
static int fp_reap(struct fp *f)
{
	int failed = 0;

	if (f->release[1] >= 0) {
		close(f->release[1]);
		f->release[1] = -1;
	}
	for (long i = 0; i < f->forked; i++)
		failed += wl_wait_child(f->pids[i]) != 0;
	f->forked = 0;
	return failed;
}

static void fp_cleanup(struct fp *f)
{
	fp_reap(f);
	for (int i = 0; i < 2; i++) {
		if (f->ready[i] >= 0)
			close(f->ready[i]);
		if (f->release[i] >= 0)
			close(f->release[i]);
	}
	for (long i = 0; i < f->mapped; i++)
		munmap(f->base + i * f->stride, f->region_len);
	if (f->sh)
		munmap(f->sh, f->sh_len);
	free(f->pids);
}

/* Every app's own regions ended up as the same number of VMAs; that number. */
static int fp_own_vmas(struct fp *f)
{
	for (long i = 1; i < f->apps; i++)
		if (f->sh->own_vmas[i] != f->sh->own_vmas[0])
			return wl_fail(f->ctx, "footprint: app %ld has %d VMAs in its regions, app 0 %d",
				       i, f->sh->own_vmas[i], f->sh->own_vmas[0]);
	return f->sh->own_vmas[0];
}

static int footprint_run(struct wl_ctx *ctx)
{
	struct wl_sysslab boot, pre, apps;
	struct slab_snapshot b0, b1;
	char boot_why[WL_REASON_LEN], now_why[WL_REASON_LEN];
	bool present[NR_SLAB_KINDS], boot_ok, now_ok, settled;
	int ret = -1, launcher_vmas, own_vmas;
	long ready;
	uint64_t t0;
	struct fp f;

	if (fp_setup(&f, ctx))
		goto cleanup;
	boot_ok = !wl_sysslab_start(&boot, boot_why, sizeof(boot_why));
	now_ok = !wl_sysslab_now(&pre, now_why, sizeof(now_why));
	/* the setup's (and exec's) deferred frees land before, not in, the count */
	if (!fp_settle(&f, &b0)) {
		wl_fail(ctx, "footprint: frees still arriving %d ms after the start", FP_SETTLE_MS);
		goto cleanup;
	}

	for (f.mapped = 0; f.mapped < f.regions; f.mapped++)
		if (!fp_map_slot(&f, f.mapped)) {
			wl_fail(ctx, "footprint: mmap of region %ld: %s", f.mapped, strerror(errno));
			goto cleanup;
		}
	launcher_vmas = wl_count_vmas();
	if (launcher_vmas < 0) {
		wl_fail(ctx, "footprint: counting VMAs: %s", strerror(errno));
		goto cleanup;
	}
	ready = fp_launch(&f);
	if (ready < 0)
		goto cleanup;
	t0 = wl_now_ns();
	settled = fp_settle(&f, &b1);
	wl_note(ctx, "settle_ms", "%llu", (unsigned long long)((wl_now_ns() - t0) / 1000000));
	now_ok &= !wl_sysslab_now(&apps, now_why, sizeof(now_why));
	if (fp_reap(&f)) {
		wl_fail(ctx, "footprint: %s", f.sh->failed ? f.sh->error : "an app exited with an error");
		goto cleanup;
	}
	own_vmas = fp_own_vmas(&f);
	if (own_vmas < 0)
		goto cleanup;

	for (int k = 0; k < NR_SLAB_KINDS; k++)
		present[k] = pre.present[k] || (b1.valid && b1.present[k]);
	wl_exact(ctx, "apps.processes", (double)ready, "processes", "none");
	wl_exact(ctx, "launcher.vmas", launcher_vmas, "vmas", "none");
	wl_exact(ctx, "app.own_vmas", own_vmas, "vmas", "none");
	fp_emit_row(ctx, "boot", &boot, boot_ok ? NULL : boot_why, present);
	fp_emit_row(ctx, "apps", &apps, now_ok ? NULL : now_why, present);
	fp_emit_delta(&f, &b0, &b1, settled, &pre, &apps, now_ok ? NULL : now_why, present);
	if (boot_ok)
		wl_note(ctx, "boot_uptime_s", "%.2f", boot.uptime_s);
	if (now_ok)
		wl_note(ctx, "apps_uptime_s", "%.2f", apps.uptime_s);
	ret = 0;

cleanup:
	fp_cleanup(&f);
	return ret;
}

static void footprint_estimate(struct wl_ctx *ctx, struct wl_estimate *e)
{
	uint64_t apps = wl_param(ctx, "apps"), own = wl_param(ctx, "own_regions");

	e->procs = apps + 1;
	e->bytes = (wl_param(ctx, "regions") + apps * own) * wl_param(ctx, "pages") *
		   wl_page_size();
	e->vmas = 128 + wl_param(ctx, "regions") + 2 * own;
}

const struct workload_info footprint_info = {
	.name = "footprint",
	.summary = "system slab footprint as anon_vma series report it: active objects "
		   "and KiB per cache after boot and with N app-like processes idle "
		   "(/proc/slabinfo), cross-checked with the exact BPF counts",
	.params = footprint_params,
	.run = footprint_run,
	/* system-wide figures: run it on purpose (configs/footprint.conf) */
	.host_default = false,
	.estimate = footprint_estimate,
	.headline = (const char *const []){ NULL },
};
