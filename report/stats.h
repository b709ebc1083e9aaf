/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Statistics for comparing timed metrics between two kernels: descriptive
 * summaries, the Mann-Whitney U test (exact permutation distribution for
 * small samples, normal approximation with tie correction beyond) and a
 * seeded bootstrap confidence interval of the ratio of medians. All the
 * distributions, sorting, sampling and random numbers come from GSL.
 */
#ifndef RMAPBENCH_STATS_H
#define RMAPBENCH_STATS_H

#include <stdbool.h>
#include <stddef.h>

/* Exact Mann-Whitney p-values are enumerated up to this many rank splits. */
#define RSTAT_EXACT_MAX_SPLITS 1000000.0

struct rstat_summary {
	size_t n;
	double median;
	double mean;
	double sd;		/* sample standard deviation, NaN when n < 2 */
	double cov;		/* sd / mean, NaN when undefined */
	double min;
	double max;
};

struct rstat_mw {
	double u_test;		/* pairs (base, test) with test > base, ties count 1/2 */
	double p;		/* two-sided */
	double min_p;		/* smallest two-sided p these sample sizes can give */
	bool exact;		/* permutation distribution, else normal approx. */
};

struct rstat_timed_opts {
	double alpha;		/* significance level of the U test */
	double threshold_pct;	/* |change of the median| needed to flag */
	double confidence;	/* of the bootstrap interval, e.g. 0.95 */
	unsigned int iterations;	/* bootstrap resamples */
	unsigned long seed;	/* GSL mt19937 seed, reset for every call */
};

struct rstat_timed {
	struct rstat_summary base;
	struct rstat_summary test;
	double change_pct;	/* 100 * (median(test) / median(base) - 1) */
	bool change_valid;	/* false when median(base) == 0 */
	double ci_lo_pct;	/* bootstrap interval of change_pct */
	double ci_hi_pct;
	bool ci_valid;
	struct rstat_mw mw;
	bool significant;	/* p < alpha and |change| > threshold */
	int direction;		/* sign of median(test) - median(base) */
};

void rstat_timed_opts_default(struct rstat_timed_opts *opts);
int rstat_summarize(const double *x, size_t n, struct rstat_summary *s);
int rstat_mann_whitney(const double *base, size_t nb, const double *test,
		       size_t nt, struct rstat_mw *r);
int rstat_bootstrap_median_ratio(const double *base, size_t nb,
				 const double *test, size_t nt,
				 const struct rstat_timed_opts *opts,
				 double *lo, double *hi);
/* Smallest two-sided p any samples of these sizes can give (no ties). */
double rstat_min_p(size_t nb, size_t nt);
/* Everything above for one metric; -1 when either side is empty. */
int rstat_compare_timed(const double *base, size_t nb, const double *test,
			size_t nt, const struct rstat_timed_opts *opts,
			struct rstat_timed *res);

#endif
