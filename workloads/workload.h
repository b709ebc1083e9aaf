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

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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

/* Counters of this repetition's process tree so far. */
void wl_slab_snapshot(struct wl_ctx *ctx, struct slab_snapshot *snap);

/*
 * What the capability probe (`rmapbench probe`, once per process) found:
 * whether the kernel has capability @cap ("zram", "memcg"); false with
 * "<cap>: <the probe's reason>" in @why. supported() asks these instead of
 * probing the kernel again.
 */
bool wl_kernel_has(const char *cap, char *why, size_t len);
/* A string detail of @cap ("memcg", "v2": the cgroup2 mount) in @out; false when none. */
bool wl_kernel_detail(const char *cap, const char *key, char *out, size_t len);

/* Helpers shared by workloads (workloads/common.c). */
/* Number of VMAs of the calling process ([vsyscall] excluded). */
int wl_count_vmas(void);
/* Number of VMAs intersecting [start, start+len) of the calling process. */
int wl_count_vmas_in(uintptr_t start, size_t len);
/* CLOCK_MONOTONIC in ns. */
uint64_t wl_now_ns(void);
/* Writes one byte per page of [addr, addr+len). */
void wl_touch(void *addr, size_t len);
/* Waits for a child and returns its exit status, -1 on error. */
int wl_wait_child(int pid);
/* Reaps all children; how many failed, or -1 on a waitpid error. */
int wl_reap_all(void);

extern const struct workload_info *const workload_table[];
const struct workload_info *workload_find(const char *name);

#endif
