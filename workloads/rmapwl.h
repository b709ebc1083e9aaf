/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers of the rmap workloads (reclaim, migrate, thp, ksm),
 * workloads/rmapwl.c:
 *
 * - a guard that changes machine state (sysfs/procfs values, zram swap,
 *   memory cgroups, mounts) and puts all of it back, in reverse order, on
 *   success and on error; every change is journaled first under
 *   /run/rmapbench/guard.PID, a file its owner keeps flock()ed for its life,
 *   so what a killed workload left behind is undone by the runner or the
 *   next run (wl_guard_recover_stale, under state.lock) once the kernel drops
 *   the lock (a journal without its header line: once its pid is gone);
 *   one guard at a time holds /run/rmapbench/state.lock (others wait);
 * - zram swap and memory-cgroup reclaim built on the guard;
 * - a tree of processes sharing the root's anonymous pages, driven in
 *   phases, whose members report latencies back to the root;
 * - /proc/vmstat counters and page frame numbers.
 */
#ifndef RMAPBENCH_RMAPWL_H
#define RMAPBENCH_RMAPWL_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "workload.h"

/* ---- machine-state guard --------------------------------------------- */

#define GUARD_MAX	32
#define GUARD_VALUE_LEN	160

enum guard_kind {
	GUARD_WRITE,	/* write value back to path */
	GUARD_SWAPOFF,	/* swapoff(path) */
	GUARD_ZRAM,	/* reset and hot_remove zram device number value */
	GUARD_UNLINK,	/* unlink(path) (a device node we made) */
	GUARD_RMDIR,	/* rmdir(path) (a cgroup we made) */
	GUARD_ENTER,	/* write our pid to path (the cgroup.procs we left) */
	GUARD_UMOUNT,	/* umount(path) and rmdir it */
};

struct guard_undo {
	enum guard_kind kind;
	char path[PATH_MAX];
	char value[GUARD_VALUE_LEN];
};

struct wl_guard {
	pid_t owner;		/* only this process undoes */
	int nr;
	int fd;			/* the journal, flock()ed for the owner's life */
	int state_fd;		/* state.lock: one guard at a time changes the machine */
	char journal[PATH_MAX];
	struct guard_undo undo[GUARD_MAX];
};

/*
 * Undoes journals whose lock is free (their owners died), waiting up to 30 s
 * for an owner that is dying; journals of live runs are left alone. Takes
 * state.lock first (skips when a live process holds it); never call it
 * inside a guard. Returns how many were replayed.
 */
int wl_guard_recover_stale(void);
/*
 * Starts a guard: waits (up to 240 s) for the machine-state lock, recovers
 * stale journals, opens and locks this process's journal.
 */
int wl_guard_begin(struct wl_guard *g, char *why, size_t len);
/* Undoes everything, newest first; errors are printed, not returned. */
void wl_guard_end(struct wl_guard *g);
/*
 * Writes @value to @path after saving the old value (the bracketed choice
 * of files like "always [madvise] never"). No-op when already equal.
 */
int wl_guard_set(struct wl_guard *g, const char *path, const char *value,
		 char *why, size_t len);
/* Records an undo step for something the caller just did. */
int wl_guard_push(struct wl_guard *g, enum guard_kind kind, const char *path,
		  const char *value);

/* ---- zram swap ---------------------------------------------------------- */

struct wl_swap {
	int zram_id;
	char dev[PATH_MAX];
	uint64_t bytes;
};

/* Whether a zram swap device can be made here; @why says why not. */
bool wl_swap_supported(char *why, size_t len);
/*
 * Creates a zram device of @bytes, writes a swap header and enables it with
 * the highest priority; zswap is switched off meanwhile so that pswpout
 * counts every page. Everything is undone by wl_guard_end().
 */
int wl_swap_create(struct wl_guard *g, struct wl_swap *sw, uint64_t bytes,
		   char *why, size_t len);

/* ---- memory cgroup ------------------------------------------------------ */

struct wl_memcg {
	int version;		/* 1 or 2 */
	char dir[PATH_MAX];
	char origin_procs[PATH_MAX + 32];	/* cgroup.procs of the cgroup we left */
};

/* Whether a memory cgroup can be made and entered here. */
bool wl_memcg_supported(char *why, size_t len);
/* Creates a memory cgroup and moves the calling process into it. */
int wl_memcg_create(struct wl_guard *g, struct wl_memcg *cg, char *why, size_t len);
/*
 * Moves the calling process back to the cgroup it came from. Pages it
 * charged stay charged to @cg (charges never move with a task on v2, nor on
 * v1 without move_charge_at_immigrate), so a driver that wrote its pages
 * inside and then left can squeeze the group without ever being squeezed.
 */
int wl_memcg_leave(const struct wl_memcg *cg, char *why, size_t len);
/* OOM kills inside the group (memory.events / memory.oom_control oom_kill); -1 unknown. */
long long wl_memcg_oom_kills(const struct wl_memcg *cg);
/* Charged bytes (memory.current / memory.usage_in_bytes); -1 on error. */
long long wl_memcg_usage(const struct wl_memcg *cg);
/* Swapped-out bytes of the cgroup; -1 when unknown. */
long long wl_memcg_swap(const struct wl_memcg *cg);
/*
 * Reclaims the cgroup down to about @target bytes in @steps timed writes
 * (op.memory_reclaim). v2: memory.reclaim, which sets no limit and so can
 * never OOM-kill. v1: memory.limit_in_bytes lowered step by step but never
 * below a floor (the group's kernel memory plus room for every task in it
 * to fault its stack back in); when @target is below that floor, one write
 * to memory.force_empty (no limit either) takes the rest; the limit is
 * lifted again before returning. Returns the total ns spent in the writes,
 * or -1 with @why. @method receives a description.
 */
long long wl_memcg_reclaim(struct wl_ctx *ctx, const struct wl_memcg *cg,
			   long long target, int steps, const char **method,
			   char *why, size_t len);

/* ---- process trees sharing pages --------------------------------------- */

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

/* ---- counters ------------------------------------------------------------ */

/* A /proc/vmstat counter, -1 when absent. */
long long wl_vmstat(const char *name);
/* Reads a whole small file; 0 or -errno. Trailing newline cut. */
int wl_read_file(const char *path, char *buf, size_t len);
/* Writes @value to @path; 0 or -errno. */
int wl_write_file(const char *path, const char *value);
/* Integer value of a file (first number); 0 or -errno. */
int wl_read_ll(const char *path, long long *val);
/* "key value" line of a stat file (memory.stat), 0 or -errno. */
int wl_read_keyed(const char *path, const char *key, long long *val);
/*
 * Page frame numbers backing @n pages from @addr in this process (0: not
 * present); needs CAP_SYS_ADMIN for real numbers. 0 or -errno.
 */
int wl_pfns(const void *addr, size_t n, uint64_t *pfns);
/* Anonymous memory mapping aligned to @align (a power of two). */
void *wl_map_aligned(size_t len, size_t align);

#endif
