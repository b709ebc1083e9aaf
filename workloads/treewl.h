/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The skeleton of the tree workloads (reclaim, migrate, thp, ksm;
 * workloads/treewl.c): the root's region, shared by a tree of processes
 * (proctree.h) of `fanout` children per process and `depth` levels, the
 * parameters and size check they all have, the machine-state guard
 * (workload.h) and the estimate. A workload embeds a struct treewl and
 * drives its phases from treewl_run(); the order is always
 *
 *   treewl_run: guard → setup (swap, cgroup, settings) → run: treewl_map
 *   → treewl_tree → tree_op()s → treewl_build → tree_phase()s → tree_finish
 *   → (treewl_unmap) ; unmap, guard undone.
 */
#ifndef RMAPBENCH_TREEWL_H
#define RMAPBENCH_TREEWL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proctree.h"
#include "workload.h"

struct wl_memcg;
struct wl_swap;

/* The `depth` parameter, the same in every tree workload. */
#define TREEWL_PARAM_DEPTH	{ "depth", 1, 1, 4, "levels of the tree below the root" }

struct treewl {
	struct wl_ctx *ctx;
	long fanout;
	long depth;
	char *region;		/* the root's region, NULL when not mapped */
	size_t len;
	struct share_tree tree;
	bool guarded;
	struct wl_guard guard;
};

/*
 * A tree workload's run(): reads fanout and depth, refuses a tree above
 * TREE_MAX_NODES, begins the guard (with @guarded), then calls @setup (NULL:
 * none; a failure fails the repetition with the reason it wrote to @why),
 * then @run; finally unmaps the region if still mapped and ends the guard.
 * Returns 0 or -1.
 */
int treewl_run(struct treewl *w, struct wl_ctx *ctx, bool guarded,
	       int (*setup)(void *arg, char *why, size_t len), int (*run)(void *arg),
	       void *arg);
/*
 * Maps @pages private anonymous pages, small folios only (MADV_NOHUGEPAGE),
 * after MADV_MERGEABLE when @mergeable. Not written. 0, or -1 after wl_fail().
 */
int treewl_map(struct treewl *w, long pages, bool mergeable);
/* treewl_map, then every byte written (0x5a): the root's pages, each a private folio. */
int treewl_map_written(struct treewl *w, long pages);
void treewl_unmap(struct treewl *w);
/* Maps the tree's control block (tree_init); 0, or -1 after wl_fail(). */
int treewl_tree(struct treewl *w, int (*member_fn)(struct share_tree *, int, void *),
		void *arg);
/*
 * Forks the tree (tree_build) whose members' OOM kills in @memcg (NULL:
 * none) fail it; emits tree.processes. 0 or -1.
 */
int treewl_build(struct treewl *w, const struct wl_memcg *memcg);
/*
 * The squeezed group of reclaim and ksm (then=1), made in setup on the guard:
 * a zram swap device sized for @anon_pages (all the anonymous pages the tree
 * may write: 5/4 of them, plus 16 MiB) and a memory cgroup the calling root
 * enters (wl_memcg_create). Checks first that both can be made here. 0, or
 * -1 with @why.
 */
int treewl_swap_memcg(struct treewl *w, uint64_t anon_pages, struct wl_swap *sw,
		      struct wl_memcg *cg, char *why, size_t len);
/* Reads one byte per page of [p, p + len); the sum keeps the loads. */
unsigned long treewl_read_pages(const char *p, size_t len);

/* Members of the tree the parameters of @ctx describe (the root excluded). */
uint64_t treewl_members(struct wl_ctx *ctx);
/*
 * Every process of the tree alive at once, @bytes written in all, 128 VMAs
 * in the largest process.
 */
void treewl_estimate(struct wl_ctx *ctx, struct wl_estimate *e, uint64_t bytes);
/* Bytes of @pages pages in the root plus @cow_pct percent of them in each member. */
uint64_t treewl_cow_bytes(struct wl_ctx *ctx, long pages, long cow_pct);

#endif
