/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Workload interface. Each workload is one file in workloads/ that ends in a
 * `const struct workload_info` and is listed once in workloads/table.c.
 *
 * The runner forks a child for every repetition, attaches the slab
 * accounting to it (and, through fork tracking, to all its descendants),
 * and then calls info->run() inside that child. Anything the workload
 * reports goes through the wl_*() helpers below; the child serialises it
 * back to the runner when run() returns.
 */
#ifndef RMAPBENCH_WORKLOAD_H
#define RMAPBENCH_WORKLOAD_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "slabacct_shared.h"	/* enum slab_kind, slab_kind_name(): the tracked caches */

#define WL_REASON_LEN 256

struct wl_param {
	const char *name;
	long def;
	long min;
	long max;
	const char *help;
};

struct wl_ctx;

/* Peak resources a run needs with given params: the runner's bounds check. */
struct wl_estimate {
	uint64_t bytes;		/* anonymous memory written, all processes */
	uint64_t vmas;		/* VMAs of the largest process */
	uint64_t procs;		/* processes alive at once */
};

struct workload_info {
	const char *name;
	const char *summary;
	/* NULL-name-terminated */
	const struct wl_param *params;
	/*
	 * Returns true when the running kernel can run the workload; otherwise
	 * fills @reason (shown as "unavailable: <reason>").
	 */
	bool (*supported)(char *reason, size_t len);
	/* Runs in the tracked child. 0 on success, -1 after wl_fail(). */
	int (*run)(struct wl_ctx *ctx);
	/* Part of the default host suite (false for cases that can crash a host) */
	bool host_default;
	/*
	 * Upper estimate of what run() needs with the params of @ctx (read
	 * with wl_param()); NULL: small (one process, a few MiB, few VMAs).
	 */
	void (*estimate)(struct wl_ctx *ctx, struct wl_estimate *e);
	/*
	 * NULL-terminated names of the few timed metrics a reviewer quotes
	 * (its latencies/throughputs): the only timed metrics of this
	 * workload that gate `rmapbench compare` (docs/compare.md). Written
	 * to the report as the workload's "headline".
	 */
	const char *const *headline;
	/*
	 * May make zram swap (wl_swap_create): the runner loads a modular
	 * zram before its first repetition, outside the tracked tree.
	 */
	bool uses_zram;
};

struct slab_snapshot {
	bool valid;			/* false: accounting unavailable */
	bool present[NR_SLAB_KINDS];	/* cache exists on this kernel */
	int64_t allocs[NR_SLAB_KINDS];
	int64_t frees[NR_SLAB_KINDS];
	int64_t live[NR_SLAB_KINDS];
};

/* Value of a parameter (always within its declared range). */
long wl_param(struct wl_ctx *ctx, const char *name);
/* This repetition's number in its round, 1-based. */
int wl_rep(struct wl_ctx *ctx);

/* Metrics: a flat namespace per workload, dotted names ("phase.back.vmas"). */
void wl_exact(struct wl_ctx *ctx, const char *name, double value,
	      const char *unit, const char *better);
void wl_timed(struct wl_ctx *ctx, const char *name, double value,
	      const char *unit, const char *better);
/*
 * One latency sample of operation @name (e.g. "op.fork"). At the end of the
 * repetition each operation becomes a timed metric: value = median ns, with
 * count, sum, max, exact p50/p90/p99 and a log2 histogram ("hist").
 */
void wl_latency(struct wl_ctx *ctx, const char *name, uint64_t ns);
/* Metric that cannot be measured here; the reason lands in the report. */
void wl_unavailable(struct wl_ctx *ctx, const char *name, const char *reason);
/*
 * An exact metric holding an errno (0: the call succeeded), unit "errno";
 * when not 0 it also carries "errno_name" ("EFAULT") and "message".
 */
void wl_errno(struct wl_ctx *ctx, const char *name, int err);
/* Free-form note (e.g. the errno of an unsupported call). */
void wl_note(struct wl_ctx *ctx, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Marks the repetition failed with a message; returns -1 for convenience. */
int wl_fail(struct wl_ctx *ctx, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Verbose progress/diagnostics on stderr, shown with -v only. */
void wl_debug(struct wl_ctx *ctx, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * Machine state (bench/guard.c, a service of the runner): a workload that
 * changes sysfs/procfs values, zram swap, memory cgroups or mounts does it
 * through a guard, which journals every change first and puts all of it
 * back, newest first, in wl_guard_end(), also on error; what a killed
 * workload left behind is undone by the runner (or the next run). One guard
 * at a time changes the machine (others wait).
 */
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
/* Records an undo step for something the caller is about to do, or just did. */
int wl_guard_push(struct wl_guard *g, enum guard_kind kind, const char *path,
		  const char *value);
/* Forgets the newest step: what it was to undo did not happen. */
void wl_guard_pop(struct wl_guard *g);
/* Does one undo step now, for something done that could not be journaled. 0 or -errno. */
int wl_guard_undo(enum guard_kind kind, const char *path, const char *value);
/* Where journals live (/run/rmapbench, else /tmp/rmapbench-guard); room for our own mounts. */
const char *wl_guard_dir(void);

/* Counters of this repetition's process tree so far. */
void wl_slab_snapshot(struct wl_ctx *ctx, struct slab_snapshot *snap);

/*
 * System-wide figures of the tracked caches from /proc/slabinfo (bench/
 * sysslab.c): every object of the cache on the machine, not only ours, so
 * not exact (other processes, SLUB's per-CPU slabs count as in use).
 */
struct wl_sysslab {
	double uptime_s;			/* /proc/uptime when read, -1 unknown */
	bool present[NR_SLAB_KINDS];		/* the cache exists (listed or merged) */
	/* false: no figure for this cache, @why says why ("cache merged with ...") */
	bool ok[NR_SLAB_KINDS];
	char why[NR_SLAB_KINDS][WL_REASON_LEN];
	long active[NR_SLAB_KINDS];		/* active objects */
	long objsize[NR_SLAB_KINDS];		/* bytes per object in its slab (objsize) */
};

/* Reads /proc/slabinfo now. 0, or -1 with the reason in @why. */
int wl_sysslab_now(struct wl_sysslab *s, char *why, size_t len);
/*
 * The runner's reading at the start of the run (in a guest run.sh boots:
 * right after boot). 0, or -1 with the reason in @why.
 */
int wl_sysslab_start(struct wl_sysslab *s, char *why, size_t len);

/*
 * What the capability probe (`rmapbench probe`, once per process) found:
 * whether the kernel has capability @cap ("zram", "memcg"); false with
 * "<cap>: <the probe's reason>" in @why. supported() asks these instead of
 * probing the kernel again.
 */
bool wl_kernel_has(const char *cap, char *why, size_t len);
/* A string detail of @cap ("memcg", "v2": the cgroup2 mount) in @out; false when none. */
bool wl_kernel_detail(const char *cap, const char *key, char *out, size_t len);
/* A true/false detail of @cap ("thp", "sysfs"); false when absent. */
bool wl_kernel_flag(const char *cap, const char *key);

/* The registry (workloads/table.c). */
extern const struct workload_info *const workload_table[];
const struct workload_info *workload_find(const char *name);
struct json_t;
/*
 * Whether two reports' "params" objects of @workload are the same run: equal
 * values, and a parameter only one has (added by a newer build, like
 * reclaim.oom_rep) at its declared default. Used by compare, calibrate and merge.
 */
bool workload_params_equal(const char *workload, struct json_t *a, struct json_t *b);

#endif
