/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A tree of processes sharing the root's anonymous pages, driven in phases,
 * whose members report latencies back to the root (workloads/proctree.c).
 */
#ifndef RMAPBENCH_PROCTREE_H
#define RMAPBENCH_PROCTREE_H

#include <stdint.h>
#include <sys/types.h>

#include "workload.h"

struct wl_memcg;

#define TREE_MAX_NODES	512
#define TREE_MAX_OPS	16
#define TREE_MAX_SAMPLES 8192
#define TREE_PHASE_EXIT	1000

struct tree_shared;

struct share_tree {
	long fanout;
	long depth;
	long nodes;			/* members, the root excluded */
	int level;			/* of the calling process, root = 0 */
	int index;			/* 0 = root, 1.. members in fork order */
	pid_t kids[16];
	int nr_kids;
	struct tree_shared *sh;		/* MAP_SHARED */
	/* the group the members live in: an OOM kill there fails the phase */
	const struct wl_memcg *memcg;
	/* run by every member (not the root) for each phase; 0 or -1 */
	int (*member_fn)(struct share_tree *t, int phase, void *arg);
	void *arg;
};

/* Members of a tree with @fanout children per node, @depth levels. */
long tree_size(long fanout, long depth);
/* Maps the shared control block; registers the built-in ops. */
int tree_init(struct share_tree *t, long fanout, long depth,
	      int (*member_fn)(struct share_tree *, int, void *), void *arg);
/* Id of a latency op ("op.refault"); call in the root before tree_build. */
int tree_op(struct share_tree *t, const char *name);
/* Any member: records a latency sample for the root to report. */
void tree_latency(struct share_tree *t, int op, uint64_t ns);
/* Any member: records the first error; the root fails the repetition. */
void tree_error(struct share_tree *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Root: forks the tree (op.fork), each member runs phase 0. */
int tree_build(struct wl_ctx *ctx, struct share_tree *t);
/* Root: every member runs @phase (1..); waits for all of them. */
int tree_phase(struct wl_ctx *ctx, struct share_tree *t, int phase);
/* Pids of the members (root excluded), in index order. */
const pid_t *tree_pids(const struct share_tree *t);
/* Root: members exit (op.exit_wait), samples go to wl_latency, unmaps. */
int tree_finish(struct wl_ctx *ctx, struct share_tree *t);

#endif
