// SPDX-License-Identifier: GPL-2.0
/*
 * fork-tree: the root writes a private anonymous region of `pages` pages and
 * builds a tree of processes, `fanout` children per node and `depth` levels
 * below the root. Every child first writes cow_pct percent of the pages
 * (copy-on-write faults: one new anon_vma per process, chained to all of its
 * ancestors'), then forks its own children, reports ready and waits at a
 * barrier. The root times the build (first fork → every process ready) and
 * the teardown (barrier released → every process reaped).
 *
 * Barrier: every process holds the read end of one pipe whose only writer is
 * the root; closing it wakes them all at once with EOF.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "workload.h"
#include "wl_util.h"

#define TREE_MAX_PROCESSES	4096
/* Pages copied over the whole tree, at most (1 GiB of 4 KiB pages). */
#define TREE_MAX_COW_PAGES	262144L
/* How long the root waits for the tree to report ready. */
#define TREE_READY_TIMEOUT_MS	60000

#define TREE_READY		'R'
#define TREE_FAILED		'E'

struct tree_shared {
	long cow_pages_written;
};

struct tree {
	struct wl_ctx *ctx;
	long fanout;
	long depth;
	long pages;
	long cow_pct;
	long processes;		/* expected: fanout + fanout^2 + ... */
	size_t cow_len;		/* bytes each child writes */
	char *data;
	size_t data_len;
	int ready[2];		/* every process → root: one byte each */
	int barrier[2];		/* root's write end closed = teardown */
	struct tree_shared *shared;
};

static const struct wl_param fork_tree_params[] = {
	{ "fanout", 3, 1, 16, "children per process (F)" },
	{ "depth", 3, 1, 8, "levels below the root (D)" },
	{ "pages", 64, 1, 16384, "pages of the region the root writes" },
	{ "cow_pct", 50, 0, 100, "percent of the pages every child writes" },
	{ NULL, 0, 0, 0, NULL },
};

/* fanout + fanout^2 + ... + fanout^depth, or -1 above the cap. */
static long tree_count_processes(long fanout, long depth)
{
	long level = 1, total = 0, d;

	for (d = 1; d <= depth; d++) {
		level *= fanout;
		total += level;
		if (total > TREE_MAX_PROCESSES)
			return -1;
	}
	return total;
}

static void tree_report(struct tree *t, char what)
{
	ssize_t n;

	do {
		n = write(t->ready[1], &what, 1);
	} while (n < 0 && errno == EINTR);
}

static void tree_wait_barrier(struct tree *t)
{
	ssize_t n;
	char byte;

	do {
		n = read(t->barrier[0], &byte, 1);
	} while (n > 0 || (n < 0 && errno == EINTR));
}

/*
 * Body of every process but the root: never returns. @nr_children counts
 * the children forked so far, all reaped before exiting.
 */
static void tree_node(struct tree *t, long level, pid_t parent)
	__attribute__((noreturn));

static void tree_node(struct tree *t, long level, pid_t parent)
{
	pid_t children[16];
	int nr_children = 0, i, failed = 0;
	pid_t self = getpid();

	close(t->barrier[1]);
	close(t->ready[0]);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(1);

	if (t->cow_len) {
		wl_touch(t->data, t->cow_len);
		__atomic_add_fetch(&t->shared->cow_pages_written,
				   (long)(t->cow_len / wl_page_size()),
				   __ATOMIC_SEQ_CST);
	}

	for (i = 0; level < t->depth && i < t->fanout; i++) {
		pid_t pid = fork();

		if (pid == 0)
			tree_node(t, level + 1, self);
		if (pid < 0) {
			failed = 1;
			break;
		}
		children[nr_children++] = pid;
	}

	tree_report(t, failed ? TREE_FAILED : TREE_READY);
	tree_wait_barrier(t);
	for (i = 0; i < nr_children; i++)
		if (wl_wait_child(children[i]))
			failed = 1;
	_exit(failed);
}

/* Root: forks level 1. Returns the number forked; stops at the first error. */
static int tree_fork_level1(struct tree *t)
{
	pid_t self = getpid();
	int i;

	for (i = 0; i < t->fanout; i++) {
		pid_t pid = fork();

		if (pid == 0)
			tree_node(t, 1, self);
		if (pid < 0) {
			wl_fail(t->ctx, "fork-tree: fork of child %d of the root: %s",
				i, strerror(errno));
			break;
		}
	}
	return i;
}

/*
 * Collects one byte per process. Returns the number of processes ready, or
 * -1 after wl_fail() (a process failed, the tree died, or the timeout).
 */
static long tree_wait_ready(struct tree *t)
{
	struct pollfd pfd = { .fd = t->ready[0], .events = POLLIN };
	long ready = 0;
	char bytes[256];
	ssize_t n, i;
	int ret;

	while (ready < t->processes) {
		ret = poll(&pfd, 1, TREE_READY_TIMEOUT_MS);
		if (ret < 0 && errno == EINTR)
			continue;
		if (ret <= 0)
			return wl_fail(t->ctx, "fork-tree: %ld of %ld processes ready after %d ms",
				       ready, t->processes, TREE_READY_TIMEOUT_MS);
		n = read(t->ready[0], bytes, sizeof(bytes));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return wl_fail(t->ctx, "fork-tree: the tree exited with %ld of %ld processes ready",
				       ready, t->processes);
		for (i = 0; i < n; i++) {
			if (bytes[i] != TREE_READY)
				return wl_fail(t->ctx, "fork-tree: a process failed to fork its children (fanout=%ld depth=%ld)",
					       t->fanout, t->depth);
			ready++;
		}
	}
	return ready;
}


static int tree_setup(struct tree *t, struct wl_ctx *ctx)
{
	long cow_pages;

	memset(t, 0, sizeof(*t));
	t->ctx = ctx;
	t->ready[0] = t->ready[1] = t->barrier[0] = t->barrier[1] = -1;
	t->fanout = wl_param(ctx, "fanout");
	t->depth = wl_param(ctx, "depth");
	t->pages = wl_param(ctx, "pages");
	t->cow_pct = wl_param(ctx, "cow_pct");

	t->processes = tree_count_processes(t->fanout, t->depth);
	if (t->processes < 0)
		return wl_fail(ctx, "fork-tree: fanout=%ld depth=%ld needs more than %d processes (fanout + fanout^2 + ... + fanout^depth); lower fork-tree.fanout or fork-tree.depth",
			       t->fanout, t->depth, TREE_MAX_PROCESSES);
	cow_pages = t->pages * t->cow_pct / 100;
	if (cow_pages * t->processes > TREE_MAX_COW_PAGES)
		return wl_fail(ctx, "fork-tree: %ld processes x %ld pages (pages=%ld cow_pct=%ld) copy more than %ld pages; lower fork-tree.pages or fork-tree.cow_pct",
			       t->processes, cow_pages, t->pages, t->cow_pct,
			       TREE_MAX_COW_PAGES);
	t->cow_len = (size_t)cow_pages * wl_page_size();

	t->data_len = (size_t)t->pages * wl_page_size();
	t->data = mmap(NULL, t->data_len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	t->shared = mmap(NULL, sizeof(*t->shared), PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (t->data == MAP_FAILED || t->shared == MAP_FAILED)
		return wl_fail(ctx, "fork-tree: mmap: %s", strerror(errno));
	t->shared->cow_pages_written = 0;
	if (pipe2(t->ready, O_CLOEXEC) || pipe2(t->barrier, O_CLOEXEC))
		return wl_fail(ctx, "fork-tree: pipe: %s", strerror(errno));
	wl_touch(t->data, t->data_len);
	return 0;
}

static void tree_cleanup(struct tree *t)
{
	int i;

	for (i = 0; i < 2; i++) {
		if (t->ready[i] >= 0)
			close(t->ready[i]);
		if (t->barrier[i] >= 0)
			close(t->barrier[i]);
	}
	if (t->data && t->data != MAP_FAILED)
		munmap(t->data, t->data_len);
	if (t->shared && t->shared != MAP_FAILED)
		munmap(t->shared, sizeof(*t->shared));
}

static int fork_tree_run(struct wl_ctx *ctx)
{
	uint64_t build_start, build_end, teardown_start, teardown_end;
	int old_subreaper = 0, root_vmas, failed, ret = -1;
	bool subreaper_set = false;
	long ready;
	struct tree t;

	if (tree_setup(&t, ctx))
		goto cleanup;
	root_vmas = wl_count_vmas();
	if (root_vmas < 0) {
		wl_fail(ctx, "fork-tree: counting VMAs: %s", strerror(errno));
		goto cleanup;
	}
	if (prctl(PR_GET_CHILD_SUBREAPER, &old_subreaper) ||
	    prctl(PR_SET_CHILD_SUBREAPER, 1)) {
		wl_fail(ctx, "fork-tree: PR_SET_CHILD_SUBREAPER: %s", strerror(errno));
		goto cleanup;
	}
	subreaper_set = true;

	build_start = wl_now_ns();
	if (tree_fork_level1(&t) < t.fanout)
		ready = -1;
	else
		ready = 0;
	close(t.ready[1]);		/* EOF once every process is gone */
	t.ready[1] = -1;
	if (ready == 0)
		ready = tree_wait_ready(&t);
	build_end = wl_now_ns();

	teardown_start = wl_now_ns();
	close(t.barrier[1]);
	t.barrier[1] = -1;
	failed = wl_reap_all();	/* orphans come back: subreaper */
	teardown_end = wl_now_ns();

	if (ready < 0)
		goto cleanup;
	if (failed < 0) {
		wl_fail(ctx, "fork-tree: waitpid: %s", strerror(errno));
		goto cleanup;
	}
	if (failed) {
		wl_fail(ctx, "fork-tree: %d processes of the tree exited with an error",
			failed);
		goto cleanup;
	}

	wl_exact(ctx, "processes", (double)ready, "processes", "none");
	wl_exact(ctx, "cow_pages_written", (double)t.shared->cow_pages_written,
		 "pages", "none");
	wl_exact(ctx, "root.vmas", root_vmas, "vmas", "lower");
	wl_timed(ctx, "build_ns", (double)(build_end - build_start), "ns", "lower");
	wl_timed(ctx, "teardown_ns", (double)(teardown_end - teardown_start),
		 "ns", "lower");
	ret = 0;

cleanup:
	if (subreaper_set)
		prctl(PR_SET_CHILD_SUBREAPER, old_subreaper);
	tree_cleanup(&t);
	return ret;
}

/* Every member copies cow_pct of the root's pages. */
static void fork_tree_estimate(struct wl_ctx *ctx, struct wl_estimate *e)
{
	uint64_t members = 0, level = 1;

	for (long d = 0; d < wl_param(ctx, "depth") && members < (1ULL << 40); d++) {
		level *= wl_param(ctx, "fanout");
		members += level;
	}
	e->procs = members + 1;
	e->bytes = (uint64_t)wl_param(ctx, "pages") * 4096 *
		   (100 + members * wl_param(ctx, "cow_pct")) / 100;
	e->vmas = 128;
}

const struct workload_info fork_tree_info = {
	.name = "fork-tree",
	.headline = (const char *const []){ "build_ns", "teardown_ns", NULL },
	.summary = "tree of fanout^1..fanout^depth processes sharing a written "
		   "region, each copying cow_pct of it: build and teardown time",
	.params = fork_tree_params,
	.run = fork_tree_run,
	.host_default = true,
	.estimate = fork_tree_estimate,
};
