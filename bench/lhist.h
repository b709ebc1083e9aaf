/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Log-linear histograms in reports: JSON of the buckets of bpf/loglin.h and
 * quantiles with the bounds of the bucket they fall in.
 */
#ifndef RMAPBENCH_LHIST_H
#define RMAPBENCH_LHIST_H

#include <stdint.h>
#include <jansson.h>
#include "loglin.h"

struct lh_quantile {
	uint64_t value;		/* interpolated within [lo, hi] */
	uint64_t lo, hi;	/* bucket bounds, clamped to [min, max] */
};

/* Sum of @bucket[0 .. LH_NR_BUCKETS). */
uint64_t lh_total(const unsigned long long *bucket);
/*
 * Nearest-rank @pct percentile of the values counted in @bucket, whose
 * smallest and largest are @min and @max. The true nearest-rank sample lies
 * in [lo, hi]; value places the k-th of the bucket's c samples at
 * lo + (hi - lo) * (k - 1/2) / c. Returns -1 when @bucket is empty.
 */
int lh_quantile(const unsigned long long *bucket, uint64_t min, uint64_t max, double pct,
		struct lh_quantile *q);
/* {"unit", "layout": "log-linear", "sub_buckets", "rel_width_max_pct",
 *  "buckets": [{"ge", "le", "count"}, ...]}: the non-empty buckets, ascending. */
json_t *lh_hist_json(const unsigned long long *bucket, const char *unit);
/* Sets "p50", "p50_lo", "p50_hi", and the same for p90 and p99, on @m. */
void lh_set_quantiles(json_t *m, const unsigned long long *bucket, uint64_t min, uint64_t max);

#endif
