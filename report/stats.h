/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Statistics for comparing timed metrics between two kernels: descriptive
 * summaries, and per round (below) Welch's t on log round medians, a seeded
 * hierarchical bootstrap interval of the ratio of medians, the MDE, the
 * run-to-run drift and Holm / Benjamini-Hochberg adjustment. All the
 * distributions, sorting, sampling and random numbers come from GSL.
 */
#ifndef RMAPBENCH_STATS_H
#define RMAPBENCH_STATS_H

#include <stdbool.h>
#include <stddef.h>

struct rstat_summary {
	size_t n;
	double median;
	double mean;
	double sd;		/* sample standard deviation, NaN when n < 2 */
	double cov;		/* sd / mean, NaN when undefined */
	double min;
	double max;
};

struct rstat_timed_opts {
	double alpha;		/* significance level of Welch's test */
	double threshold_pct;	/* |change of the median| needed to flag */
	double confidence;	/* of the bootstrap interval, e.g. 0.95 */
	unsigned int iterations;	/* bootstrap resamples */
	unsigned long seed;	/* GSL mt19937 seed, reset for every call */
};

void rstat_timed_opts_default(struct rstat_timed_opts *opts);
int rstat_summarize(const double *x, size_t n, struct rstat_summary *s);

/*
 * Rounds: a round is one run of the suite (one process, or one boot of a
 * guest); its repetitions share the round's drift, so the round, not the
 * repetition, is the unit of comparison. A side is values[i] measured in
 * round[i] (1-based); a round is summarised by the median of its values.
 */
struct rstat_sample {
	const double *values;
	const int *round;	/* NULL: every value is round 1 */
	size_t n;
};

struct rstat_rounds {
	struct rstat_summary base;	/* every repetition */
	struct rstat_summary test;
	struct rstat_summary rbase;	/* the round medians */
	struct rstat_summary rtest;
	double change_pct;	/* 100 * (median(test) / median(base) - 1), all reps */
	bool change_valid;	/* false when median(base) == 0 */
	double ci_lo_pct;	/* hierarchical bootstrap interval of change_pct */
	double ci_hi_pct;
	bool ci_valid;
	bool judged;		/* >= 2 rounds on both sides: t, df, p valid */
	bool log_scale;		/* the test ran on log(round medians) */
	double t;		/* Welch's t, test minus base */
	double df;		/* Welch-Satterthwaite degrees of freedom */
	double p;		/* two-sided */
	double sd_round;	/* pooled SD of the (log) round medians */
	struct rstat_summary lbase;	/* the values the test ran on: (log) round medians */
	struct rstat_summary ltest;
	double drift_sd;	/* run-to-run SD added per side (log), 0: none */
	double drift_df;	/* degrees of freedom of its estimate */
	int direction;		/* sign of median(test) - median(base) */
};

/* Median of each round, in round order; *k rounds. Caller frees *med. */
int rstat_round_medians(const struct rstat_sample *s, double **med, size_t *k);
/* Welch's two-sample t-test of mean(b) - mean(a); -1 when a side has < 2. */
int rstat_welch(const double *a, size_t na, const double *b, size_t nb,
		double *t, double *df, double *p);
/*
 * Percentile interval of median(test) / median(base) by a two-level
 * bootstrap: rounds are resampled with replacement, then repetitions
 * within each drawn round; the median is taken over the pooled draw.
 */
int rstat_hier_bootstrap_ratio(const struct rstat_sample *base,
			       const struct rstat_sample *test,
			       const struct rstat_timed_opts *opts,
			       double *lo, double *hi);
/*
 * Smallest change (in %) that Welch's test on @kb + @kt round medians
 * with (log) SD @sd detects with probability @power at two-sided level
 * @alpha, from 1000 seeded simulations of normal round values (so the
 * small-sample t distribution and Welch's df are exact for that model);
 * NaN when it cannot be estimated (fewer than 2 rounds).
 */
double rstat_mde_pct(double sd, size_t kb, size_t kt, double alpha,
		     double power, bool log_scale, double base_mean);
/*
 * Minimum detectable effect of a judged metric: the smallest change (in %)
 * flagged with probability @power, i.e. one that both reaches @alpha in
 * the test (rstat_mde_pct on the pooled round SD) and whose @confidence
 * interval clears @threshold_pct, whichever needs more. Approximate: it
 * takes the observed round SD for the true one.
 */
double rstat_rounds_mde(const struct rstat_rounds *r, double alpha, double power,
			double threshold_pct, double confidence);
/*
 * Run-to-run drift: each side's rounds come from one run (one process tree
 * of back-to-back rounds, or one boot) that shares a drift the rounds
 * cannot see. With @sd the SD of that drift on the log scale, estimated
 * with @df degrees of freedom (a calibration of A/A runs), the test uses
 * se^2 = v_b/k_b + v_t/k_t + 2 sd^2 with Satterthwaite's df, and the
 * interval is widened by the same term. Log-scale judged metrics only;
 * -1 (untouched) otherwise.
 */
int rstat_rounds_add_drift(struct rstat_rounds *r, double sd, double df,
			   double confidence);
/*
 * One-way random-effects estimate of the between-run SD from @nruns runs'
 * (log) round values: var(run means) - mean(within-run variance) / k,
 * floored at 0. Runs with < 2 rounds are skipped; -1 when < 3 remain.
 */
int rstat_between_run_sd(const double *const *runs, const size_t *k, size_t nruns,
			 double *sd_run, double *sd_within, double *df);
/* |t| Welch's test must exceed for p < alpha with @df degrees of freedom. */
double rstat_t_crit(double alpha, double df);
/* Everything above for one metric; -1 when either side is empty. */
int rstat_compare_rounds(const struct rstat_sample *base,
			 const struct rstat_sample *test,
			 const struct rstat_timed_opts *opts,
			 struct rstat_rounds *res);
/*
 * The decision on one judged metric: flagged when its (adjusted) p is
 * below @alpha and the interval lies beyond @threshold_pct in the
 * direction of Welch's t (the point change when the interval is missing;
 * any change when the base median is 0). *direction: sign of t.
 */
bool rstat_rounds_flagged(const struct rstat_rounds *r, double p_adj, double alpha,
			  double threshold_pct, int *direction);
/*
 * Multiplicity-adjusted p-values over a family of @m tests (order kept):
 * Holm's step-down (family-wise error rate) or Benjamini-Hochberg (false
 * discovery rate). -1 on allocation failure.
 */
int rstat_holm_adjust(const double *p, size_t m, double *adj);
int rstat_bh_adjust(const double *p, size_t m, double *adj);

#endif
