/* SPDX-License-Identifier: GPL-2.0 */
#ifndef RMAPBENCH_WLCTX_H
#define RMAPBENCH_WLCTX_H

#include <jansson.h>
#include "slabacct.h"
#include "workload.h"

struct wl_ctx {
	const struct workload_info *info;
	const long *values;		/* one per info->params entry */
	int rep;			/* 1-based, within the round */
	volatile struct sa_counters *counters;	/* NULL: accounting unavailable */
	const bool *present;
	json_t *metrics;
	json_t *notes;
	bool failed;			/* wl_fail() was called */
	char failure[1024];		/* its first message */
	struct wl_latency_set *lat;	/* per-operation samples */
};

/* Runs the workload in the current (child) process; returns the result object. */
json_t *wlctx_run(const struct workload_info *info, const long *values, int rep,
		  volatile struct sa_counters *counters, const bool *present);

int workload_nr_params(const struct workload_info *info);
int workload_param_index(const struct workload_info *info, const char *name);

/* Log-linear histogram of @v (bpf/loglin.h buckets, lh_hist_json) as JSON. */
json_t *latency_hist_json(const uint64_t *v, size_t n, const char *unit);
/* Timed metric from samples: median value + count/sum/min/max/p50/p90/p99
 * (exact, nearest rank) and hist. */
json_t *latency_metric(uint64_t *v, size_t n, const char *unit);

#endif
