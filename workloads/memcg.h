/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A memory cgroup made for a workload (workloads/memcg.c), on the
 * machine-state guard of workload.h, and its reclaim.
 */
#ifndef RMAPBENCH_MEMCG_H
#define RMAPBENCH_MEMCG_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#include "workload.h"

struct wl_memcg {
	int version;		/* 1 or 2 */
	char dir[PATH_MAX];
	char origin_procs[PATH_MAX + 32];	/* cgroup.procs of the cgroup we left */
	long long limit;	/* lowest hard limit written to the group; 0: none */
	bool noswap;		/* swap switched off for the group (wl_memcg_cap) */
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
/*
 * The limits rmapbench put on the group, for a message: "lowest limit 12345678
 * bytes, swap off" or "no limit set by rmapbench".
 */
void wl_memcg_limits(const struct wl_memcg *cg, char *out, size_t len);
/*
 * A hard limit of @bytes with swap off for the group (v2: memory.swap.max 0,
 * memory.max; v1: memory.limit_in_bytes, then memory.memsw.limit_in_bytes
 * equal to it, else memory.swappiness 0), kept until the group is removed:
 * a member charging more than that is OOM-killed. For the OOM test knob
 * (reclaim's oom_rep). 0, or -1 with @why.
 */
int wl_memcg_cap(struct wl_memcg *cg, long long bytes, char *why, size_t len);
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
long long wl_memcg_reclaim(struct wl_ctx *ctx, struct wl_memcg *cg,
			   long long target, int steps, const char **method,
			   char *why, size_t len);

#endif
