// SPDX-License-Identifier: GPL-2.0
/*
 * A tree of processes sharing the root's anonymous pages, driven in phases,
 * whose members report latencies back to the root (proctree.h).
 */
#include <errno.h>
#include <linux/futex.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "memcg.h"
#include "procfs.h"
#include "proctree.h"
#include "wl_util.h"

struct tree_sample {
	uint32_t op;
	uint64_t ns;
};

struct tree_shared {
	int phase;			/* futex word */
	int acks;			/* futex word */
	int next_index;
	int failed;
	char error[WL_REASON_LEN];
	pid_t pids[TREE_MAX_NODES + 1];
	int nr_ops;
	char ops[TREE_MAX_OPS][40];
	uint32_t nr_samples;
	uint32_t dropped;
	struct tree_sample samples[TREE_MAX_SAMPLES];
};

enum { OP_FORK, OP_EXIT_WAIT };

static long futex(int *uaddr, int op, int val, const struct timespec *ts)
{
	return syscall(SYS_futex, uaddr, op, val, ts, NULL, 0);
}

static void futex_wake_all(int *uaddr)
{
	futex(uaddr, FUTEX_WAKE, INT32_MAX, NULL);
}

long tree_size(long fanout, long depth)
{
	long n = 0, level = 1;

	for (long d = 0; d < depth; d++) {
		level *= fanout;
		n += level;
		if (n > TREE_MAX_NODES)
			return n;
	}
	return n;
}

int tree_init(struct share_tree *t, long fanout, long depth,
	      int (*member_fn)(struct share_tree *, int, void *), void *arg)
{
	memset(t, 0, sizeof(*t));
	t->fanout = fanout;
	t->depth = depth;
	t->nodes = tree_size(fanout, depth);
	if (t->nodes > TREE_MAX_NODES || fanout > 16)
		return -E2BIG;
	t->member_fn = member_fn;
	t->arg = arg;
	t->sh = mmap(NULL, sizeof(*t->sh), PROT_READ | PROT_WRITE,
		     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (t->sh == MAP_FAILED) {
		t->sh = NULL;
		return -errno;
	}
	t->sh->pids[0] = getpid();
	t->sh->next_index = 1;
	tree_op(t, "op.fork");
	tree_op(t, "op.exit_wait");
	return 0;
}

int tree_op(struct share_tree *t, const char *name)
{
	struct tree_shared *sh = t->sh;

	for (int i = 0; i < sh->nr_ops; i++)
		if (!strcmp(sh->ops[i], name))
			return i;
	if (sh->nr_ops == TREE_MAX_OPS)
		return -1;
	snprintf(sh->ops[sh->nr_ops], sizeof(sh->ops[0]), "%s", name);
	return sh->nr_ops++;
}

void tree_latency(struct share_tree *t, int op, uint64_t ns)
{
	uint32_t i;

	if (op < 0)
		return;
	i = __atomic_fetch_add(&t->sh->nr_samples, 1, __ATOMIC_RELAXED);
	if (i >= TREE_MAX_SAMPLES) {
		__atomic_fetch_add(&t->sh->dropped, 1, __ATOMIC_RELAXED);
		return;
	}
	t->sh->samples[i].op = op;
	t->sh->samples[i].ns = ns;
}

void tree_error(struct share_tree *t, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	wl_first_error(&t->sh->failed, t->sh->error, sizeof(t->sh->error), fmt, ap);
	va_end(ap);
}

static void ack(struct share_tree *t)
{
	__atomic_fetch_add(&t->sh->acks, 1, __ATOMIC_ACQ_REL);
	futex_wake_all(&t->sh->acks);
}

/* Member: blocks until the phase differs from @seen. */
static int wait_phase(struct share_tree *t, int seen)
{
	struct timespec ts = { 1, 0 };
	int phase;

	while ((phase = __atomic_load_n(&t->sh->phase, __ATOMIC_ACQUIRE)) == seen)
		futex(&t->sh->phase, FUTEX_WAIT, seen, &ts);
	return phase;
}

/* Reaps our direct children, timing each from @since (op.exit_wait). */
static void reap_kids(struct share_tree *t, uint64_t since)
{
	for (int i = 0; i < t->nr_kids; i++) {
		int status = wl_wait_child(t->kids[i]);

		tree_latency(t, OP_EXIT_WAIT, wl_now_ns() - since);
		if (status)
			tree_error(t, "tree member %d exited with status %d", t->kids[i], status);
	}
	t->nr_kids = 0;
}

static int fork_kids(struct share_tree *t);

static void member_main(struct share_tree *t)
{
	int phase = 0;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	t->nr_kids = 0;
	fork_kids(t);		/* a failure is in sh->error; the root gives up */
	if (t->member_fn(t, 0, t->arg))
		tree_error(t, "tree member %d failed in setup", t->index);
	ack(t);
	for (;;) {
		phase = wait_phase(t, phase);
		if (phase >= TREE_PHASE_EXIT)
			break;
		if (t->member_fn(t, phase, t->arg))
			tree_error(t, "tree member %d failed in phase %d", t->index, phase);
		ack(t);
	}
	reap_kids(t, wl_now_ns());
	_exit(0);
}

/* Forks our children when our level is above the tree's depth. */
static int fork_kids(struct share_tree *t)
{
	if (t->level >= t->depth)
		return 0;
	for (long i = 0; i < t->fanout; i++) {
		int index = __atomic_fetch_add(&t->sh->next_index, 1, __ATOMIC_ACQ_REL);
		uint64_t t0 = wl_now_ns();
		pid_t pid = fork();

		if (pid < 0) {
			tree_error(t, "fork: %s", strerror(errno));
			return -1;
		}
		if (pid == 0) {
			t->level++;
			t->index = index;
			t->sh->pids[index] = getpid();
			member_main(t);
		}
		tree_latency(t, OP_FORK, wl_now_ns() - t0);
		t->kids[t->nr_kids++] = pid;
	}
	return 0;
}

/* A member gone or a zombie (not yet reaped by its parent). */
static bool member_dead(pid_t pid)
{
	char path[64], buf[512], *p;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	if (procfs_read(path, buf, sizeof(buf)) < 0)
		return true;
	p = strrchr(buf, ')');
	return p && (p[2] == 'Z' || p[2] == 'X');
}

/* The first member that is dead, 0 when all live. */
static long dead_member(const struct share_tree *t)
{
	for (long i = 1; i <= t->nodes; i++)
		if (t->sh->pids[i] && member_dead(t->sh->pids[i]))
			return i;
	return 0;
}

/*
 * Root: an OOM kill in the members' memory cgroup fails the repetition with
 * a reason naming it (instead of a member's bare SIGKILL, or a phase that
 * waits for an answer that never comes). The counter goes up when the
 * victim is sent SIGKILL, before it is dead: give it up to 5 s to die, so
 * that the reason can name it.
 */
static int tree_oom(struct wl_ctx *ctx, const struct share_tree *t)
{
	long long kills = t->memcg ? wl_memcg_oom_kills(t->memcg) : -1;
	struct timespec ts = { 0, 10 * 1000000 };
	char limits[96];
	long i = 0;

	if (kills <= 0)
		return 0;
	wl_memcg_limits(t->memcg, limits, sizeof(limits));
	for (int tries = 0; tries < 500 && !(i = dead_member(t)); tries++)
		nanosleep(&ts, NULL);
	if (i)
		return wl_fail(ctx, "OOM killer in memcg %s (%s) killed pid %d (tree member %ld)%s",
			       t->memcg->dir, limits, t->sh->pids[i], i,
			       kills > 1 ? " and others" : "");
	return wl_fail(ctx, "OOM killer in memcg %s (%s) killed %lld process(es)", t->memcg->dir,
		       limits, kills);
}

/* Root: waits until every member acknowledged; bounded. */
static int wait_acks(struct wl_ctx *ctx, struct share_tree *t, int phase)
{
	uint64_t deadline = wl_now_ns() + 120ull * 1000000000ull;
	struct timespec ts = { 0, 100 * 1000000 };
	int n;

	while ((n = __atomic_load_n(&t->sh->acks, __ATOMIC_ACQUIRE)) < t->nodes) {
		if (tree_oom(ctx, t))
			return -1;
		if (__atomic_load_n(&t->sh->failed, __ATOMIC_ACQUIRE))
			break;
		if (wl_now_ns() > deadline)
			return wl_fail(ctx, "tree phase %d: %d of %ld members answered in 120 s",
				       phase, n, t->nodes);
		futex(&t->sh->acks, FUTEX_WAIT, n, &ts);
	}
	if (tree_oom(ctx, t))
		return -1;
	if (t->sh->failed)
		return wl_fail(ctx, "%s", t->sh->error);
	return 0;
}

int tree_build(struct wl_ctx *ctx, struct share_tree *t)
{
	t->level = 0;
	t->index = 0;
	t->nr_kids = 0;
	if (fork_kids(t)) {
		t->sh->phase = TREE_PHASE_EXIT;
		futex_wake_all(&t->sh->phase);
		reap_kids(t, wl_now_ns());
		return wl_fail(ctx, "%s", t->sh->error);
	}
	return wait_acks(ctx, t, 0);
}

int tree_phase(struct wl_ctx *ctx, struct share_tree *t, int phase)
{
	__atomic_store_n(&t->sh->acks, 0, __ATOMIC_RELEASE);
	__atomic_store_n(&t->sh->phase, phase, __ATOMIC_RELEASE);
	futex_wake_all(&t->sh->phase);
	return wait_acks(ctx, t, phase);
}

const pid_t *tree_pids(const struct share_tree *t)
{
	return t->sh->pids + 1;
}

int tree_finish(struct wl_ctx *ctx, struct share_tree *t)
{
	struct tree_shared *sh = t->sh;
	uint32_t n;
	int ret = 0;

	if (!sh)
		return 0;
	ret = tree_oom(ctx, t);	/* before the reaping: dead members are still zombies */
	__atomic_store_n(&sh->phase, TREE_PHASE_EXIT, __ATOMIC_RELEASE);
	futex_wake_all(&sh->phase);
	reap_kids(t, wl_now_ns());
	n = sh->nr_samples < TREE_MAX_SAMPLES ? sh->nr_samples : TREE_MAX_SAMPLES;
	for (uint32_t i = 0; i < n; i++)
		wl_latency(ctx, sh->ops[sh->samples[i].op], sh->samples[i].ns);
	if (sh->dropped)
		wl_note(ctx, "tree_dropped_samples", "%u", sh->dropped);
	if (sh->failed)
		ret = wl_fail(ctx, "%s", sh->error);
	munmap(sh, sizeof(*sh));
	t->sh = NULL;
	return ret;
}
