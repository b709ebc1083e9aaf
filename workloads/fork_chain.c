// SPDX-License-Identifier: GPL-2.0
/*
 * fork-chain: K private anonymous regions, then a chain of D forks (the root
 * forks generation 1, generation 1 forks generation 2, ...). Each fork is
 * measured alone: the forking process takes a slab snapshot, forks, takes a
 * second snapshot while the new child is still blocked on a pipe, and only
 * then lets it go. The per-fork deltas are the cost of dup_mmap():
 * vm_area_struct allocations == the parent's VMA count, and per written
 * region one anon_vma_chain per entry of the parent's chain plus, unless an
 * ancestor anon_vma is reused, one anon_vma and one more chain entry.
 *
 * Results travel back to the root in a MAP_SHARED anonymous array mapped
 * before the first fork (a shared mapping never gets an anon_vma, so it adds
 * one plain VMA to every generation and nothing else).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "workload.h"
#include "wl_util.h"

#define CHAIN_MAX_DEPTH		64
/* How long a child waits for its parent to exit (parent_exits=1). */
#define CHAIN_REPARENT_TIMEOUT_NS	(10ull * 1000000000ull)

struct chain_gen {
	bool done;
	bool slab_valid;
	bool present[NR_SLAB_KINDS];
	int64_t parent_vmas;
	int64_t allocs[NR_SLAB_KINDS];
	uint64_t fork_ns;
};

/* Lives in a MAP_SHARED mapping: written by every generation. */
struct chain_shared {
	int failed;
	char error[WL_REASON_LEN];
	struct chain_gen gen[CHAIN_MAX_DEPTH + 1];	/* [1..depth] */
};

struct chain {
	struct wl_ctx *ctx;
	long regions;
	long pages;
	long depth;
	bool parent_exits;
	bool touch;
	bool wipeonfork;
	pid_t root_pid;
	char *area;
	size_t area_len;
	struct chain_shared *shared;
};

static const struct wl_param fork_chain_params[] = {
	{ "regions", 8, 1, 4096, "separate private anonymous regions (K)" },
	{ "pages", 4, 1, 64, "pages per region" },
	{ "depth", 4, 1, CHAIN_MAX_DEPTH, "forks in the chain (D)" },
	{ "parent_exits", 0, 0, 1,
	  "1: each parent exits before its child forks (anon_vma reuse)" },
	{ "touch", 1, 0, 1, "1: the root writes every page before forking" },
	{ "wipeonfork", 0, 0, 1, "1: MADV_WIPEONFORK on the regions" },
	{ NULL, 0, 0, 0, NULL },
};

/* Records the first error of any process of the chain. */
static void chain_error(struct chain *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void chain_error(struct chain *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	wl_first_error(&c->shared->failed, c->shared->error, sizeof(c->shared->error), fmt, ap);
	va_end(ap);
}

/* Guard pages (PROT_NONE) around every region, so that no two merge. */
static int chain_map_regions(struct chain *c)
{
	size_t page_size = wl_page_size();
	size_t region_len = (size_t)c->pages * page_size;
	size_t stride = region_len + page_size;
	long i;

	c->area_len = (size_t)c->regions * stride + page_size;
	c->area = mmap(NULL, c->area_len, PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (c->area == MAP_FAILED) {
		c->area = NULL;
		return wl_fail(c->ctx, "fork-chain: mmap of %zu bytes: %s",
			       c->area_len, strerror(errno));
	}

	for (i = 0; i < c->regions; i++) {
		char *region = c->area + page_size + (size_t)i * stride;

		if (mmap(region, region_len, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == MAP_FAILED)
			return wl_fail(c->ctx, "fork-chain: mmap of region %ld: %s",
				       i, strerror(errno));
		if (c->wipeonfork && madvise(region, region_len, MADV_WIPEONFORK))
			return wl_fail(c->ctx, "fork-chain: MADV_WIPEONFORK: %s",
				       strerror(errno));
		if (c->touch)
			wl_touch(region, region_len);
	}
	return 0;
}

/*
 * In a new child: arm the death signal (unless the parent is about to exit
 * on purpose), then block until the parent has taken its "after" snapshot.
 */
static void chain_child_wait_release(struct chain *c, int gen, pid_t parent,
				     int release[2])
{
	bool parent_will_exit = c->parent_exits && gen >= 2;
	ssize_t n;
	char byte;

	close(release[1]);
	if (!parent_will_exit) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(1);
	}
	do {
		n = read(release[0], &byte, 1);
	} while (n < 0 && errno == EINTR);
	if (n != 1)
		_exit(1);	/* the parent failed and said so */
	close(release[0]);
}

/*
 * Forks generation @gen from the calling process (generation @gen - 1).
 * Returns the child's pid in the parent, 0 in the child, -1 on error.
 */
static pid_t chain_fork(struct chain *c, int gen)
{
	struct chain_gen *result = &c->shared->gen[gen];
	struct slab_snapshot before, after;
	pid_t parent = getpid(), pid;
	uint64_t start_ns, end_ns;
	int release[2], vmas, kind;

	if (pipe2(release, O_CLOEXEC)) {
		chain_error(c, "fork-chain: pipe in generation %d: %s", gen - 1,
			    strerror(errno));
		return -1;
	}
	vmas = wl_count_vmas();
	if (vmas < 0) {
		chain_error(c, "fork-chain: counting VMAs in generation %d: %s",
			    gen - 1, strerror(errno));
		goto close_pipe;
	}
	wl_slab_snapshot(c->ctx, &before);
	start_ns = wl_now_ns();
	pid = fork();
	if (pid == 0) {
		chain_child_wait_release(c, gen, parent, release);
		return 0;
	}
	end_ns = wl_now_ns();
	wl_slab_snapshot(c->ctx, &after);

	if (pid < 0) {
		chain_error(c, "fork-chain: fork in generation %d: %s", gen - 1,
			    strerror(errno));
		goto close_pipe;
	}

	result->parent_vmas = vmas;
	result->fork_ns = end_ns - start_ns;
	result->slab_valid = before.valid && after.valid;
	for (kind = 0; kind < NR_SLAB_KINDS; kind++) {
		result->present[kind] = after.present[kind];
		result->allocs[kind] = after.allocs[kind] - before.allocs[kind];
	}
	result->done = true;

	if (write(release[1], "g", 1) != 1)
		chain_error(c, "fork-chain: releasing generation %d: %s", gen,
			    strerror(errno));
	close(release[0]);
	close(release[1]);
	return pid;

close_pipe:
	close(release[0]);
	close(release[1]);
	return -1;
}

/*
 * parent_exits=1: wait until the parent has exited and we were reparented to
 * the root (a child subreaper), then arm the death signal.
 */
static int chain_wait_reparent(struct chain *c, int gen)
{
	struct timespec pause = { 0, 20000 };
	pid_t parent = getppid();
	uint64_t deadline = wl_now_ns() + CHAIN_REPARENT_TIMEOUT_NS;

	while (getppid() == parent && parent != c->root_pid) {
		if (wl_now_ns() > deadline) {
			chain_error(c, "fork-chain: generation %d: parent %d did not exit",
				    gen, (int)parent);
			return -1;
		}
		nanosleep(&pause, NULL);
	}
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != c->root_pid) {
		chain_error(c, "fork-chain: generation %d reparented to %d, not the root",
			    gen, (int)getppid());
		return -1;
	}
	return 0;
}

/*
 * Walks down the chain. Only the root returns (after forking generation 1);
 * every other generation ends in _exit() so that nothing of the runner's
 * state (stdio buffers, atexit handlers) runs twice.
 */
static int chain_descend(struct chain *c)
{
	int gen = 0;
	pid_t pid;

	for (;;) {
		if (gen == c->depth)
			_exit(0);
		/* wait on the previous generation before forking the next */
		if (gen >= 2 && c->parent_exits && chain_wait_reparent(c, gen))
			_exit(1);
		pid = chain_fork(c, gen + 1);
		if (pid == 0) {
			gen++;
			continue;
		}
		if (gen == 0)
			return pid < 0 ? -1 : 0;
		if (pid < 0)
			_exit(1);
		if (c->parent_exits)
			_exit(0);
		_exit(wl_wait_child(pid) == 0 ? 0 : 1);
	}
}

/* Reaps the whole chain (orphans come back to the root: subreaper). */
static int chain_reap(struct chain *c)
{
	int failed = wl_reap_all();

	if (failed < 0)
		chain_error(c, "fork-chain: waitpid: %s", strerror(errno));
	return failed < 0 ? 0 : failed;
}

static int chain_generations_done(struct chain *c)
{
	int gen;

	for (gen = 1; gen <= c->depth; gen++)
		if (!c->shared->gen[gen].done)
			break;
	return gen - 1;
}

static void chain_emit_slab(struct chain *c, const char *prefix,
			    const int64_t *allocs, bool valid,
			    const bool *present)
{
	char name[96];
	int kind;

	for (kind = 0; kind < NR_SLAB_KINDS; kind++) {
		snprintf(name, sizeof(name), "%s.%s", prefix, slab_kind_name(kind));
		if (!valid) {
			if (kind != SLAB_VMA_LOCK)
				wl_unavailable(c->ctx, name, "slab accounting unavailable");
			continue;
		}
		if (present[kind])
			wl_exact(c->ctx, name, (double)allocs[kind], "objects", "lower");
	}
}

static void chain_emit(struct chain *c, int region_vmas)
{
	int64_t total[NR_SLAB_KINDS] = { 0 };
	bool valid = true, *present = c->shared->gen[1].present;
	uint64_t total_ns = 0;
	char name[96];
	int gen, kind;

	wl_exact(c->ctx, "setup.region_vmas", region_vmas, "vmas", "none");
	wl_exact(c->ctx, "chain.processes", c->depth, "processes", "none");

	for (gen = 1; gen <= c->depth; gen++) {
		struct chain_gen *result = &c->shared->gen[gen];

		snprintf(name, sizeof(name), "fork.%d.parent_vmas", gen);
		wl_exact(c->ctx, name, (double)result->parent_vmas, "vmas", "lower");
		snprintf(name, sizeof(name), "fork.%d", gen);
		chain_emit_slab(c, name, result->allocs, result->slab_valid,
				result->present);
		snprintf(name, sizeof(name), "fork.%d.ns", gen);
		wl_timed(c->ctx, name, (double)result->fork_ns, "ns", "lower");

		valid = valid && result->slab_valid;
		total_ns += result->fork_ns;
		for (kind = 0; kind < NR_SLAB_KINDS; kind++)
			total[kind] += result->allocs[kind];
	}
	chain_emit_slab(c, "fork.total", total, valid, present);
	wl_timed(c->ctx, "fork.mean_ns", (double)total_ns / (double)c->depth,
		 "ns", "lower");
}

static void chain_read_params(struct chain *c, struct wl_ctx *ctx)
{
	memset(c, 0, sizeof(*c));
	c->ctx = ctx;
	c->regions = wl_param(ctx, "regions");
	c->pages = wl_param(ctx, "pages");
	c->depth = wl_param(ctx, "depth");
	c->parent_exits = wl_param(ctx, "parent_exits");
	c->touch = wl_param(ctx, "touch");
	c->wipeonfork = wl_param(ctx, "wipeonfork");
	c->root_pid = getpid();
}

static int fork_chain_run(struct wl_ctx *ctx)
{
	int old_subreaper = 0, region_vmas, failed, ret = -1;
	bool subreaper_set = false;
	struct chain c;

	chain_read_params(&c, ctx);
	c.shared = mmap(NULL, sizeof(*c.shared), PROT_READ | PROT_WRITE,
			MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (c.shared == MAP_FAILED) {
		c.shared = NULL;
		wl_fail(ctx, "fork-chain: shared results mapping: %s", strerror(errno));
		goto cleanup;
	}
	memset(c.shared, 0, sizeof(*c.shared));	/* faults it in before forking */

	if (chain_map_regions(&c))
		goto cleanup;
	region_vmas = wl_count_vmas_in((uintptr_t)c.area, c.area_len);
	if (region_vmas != 2 * c.regions + 1) {
		wl_fail(ctx, "fork-chain: %d VMAs in the region area, expected %ld",
			region_vmas, 2 * c.regions + 1);
		goto cleanup;
	}

	if (prctl(PR_GET_CHILD_SUBREAPER, &old_subreaper) ||
	    prctl(PR_SET_CHILD_SUBREAPER, 1)) {
		wl_fail(ctx, "fork-chain: PR_SET_CHILD_SUBREAPER: %s", strerror(errno));
		goto cleanup;
	}
	subreaper_set = true;

	chain_descend(&c);
	failed = chain_reap(&c);
	if (c.shared->failed || failed) {
		wl_fail(ctx, "%s", c.shared->failed ? c.shared->error :
			"fork-chain: a process of the chain failed");
		goto cleanup;
	}
	if (chain_generations_done(&c) != c.depth) {
		wl_fail(ctx, "fork-chain: %d of %ld generations reported",
			chain_generations_done(&c), c.depth);
		goto cleanup;
	}
	chain_emit(&c, region_vmas);
	ret = 0;

cleanup:
	if (subreaper_set)
		prctl(PR_SET_CHILD_SUBREAPER, old_subreaper);
	if (c.area)
		munmap(c.area, c.area_len);
	if (c.shared)
		munmap(c.shared, sizeof(*c.shared));
	return ret;
}

/* All generations alive at once; children write nothing. */
static void fork_chain_estimate(struct wl_ctx *ctx, struct wl_estimate *e)
{
	uint64_t bytes = (uint64_t)wl_param(ctx, "regions") * wl_param(ctx, "pages") * 4096;

	e->procs = wl_param(ctx, "depth") + 1;
	e->bytes = wl_param(ctx, "touch") ? bytes : 0;
	e->vmas = 2 * wl_param(ctx, "regions") + 128;
}

const struct workload_info fork_chain_info = {
	.name = "fork-chain",
	.headline = (const char *const []){ "fork.mean_ns", NULL },
	.summary = "chain of D forks over K separate regions: per-fork "
		   "vm_area_struct/anon_vma/anon_vma_chain allocations",
	.params = fork_chain_params,
	.run = fork_chain_run,
	.host_default = true,
	.estimate = fork_chain_estimate,
};
