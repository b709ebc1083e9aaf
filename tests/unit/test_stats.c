// SPDX-License-Identifier: GPL-2.0
/*
 * Honesty of the timed-metric statistics (report/stats.c) that `rmapbench
 * compare` judges with, at its default settings (alpha 0.05, threshold 5%,
 * Holm over the gating metrics). Simulated samples are log-normal, as
 * latencies are right-skewed; seeds are fixed, so every run draws the same
 * samples.
 *
 *  - A/A with between-round drift: at most 5% of comparisons of 13 gating
 *    metrics call any of them a regression.
 *  - Power: a 30% slowdown with 3 rounds per side at a quiet round CoV is
 *    caught; the stated MDE is caught about 90% of the time.
 *  - Round medians, Welch's t, Holm and Benjamini-Hochberg, the drift of
 *    calibrate, summaries: against hand-computed values.
 */
#include <math.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "stats.h"

/* Log-normal with mean ~@mean and coefficient of variation @cov. */
static double draw(gsl_rng *rng, double mean, double cov)
{
	double sigma = sqrt(log(1 + cov * cov));

	return mean * gsl_ran_lognormal(rng, -sigma * sigma / 2, sigma);
}

/* ---- rounds: what `rmapbench compare` judges with ------------------------ */

/*
 * A comparison of @m gating metrics, each measured in @rounds rounds of
 * @reps repetitions per side. A round multiplies every repetition of it by
 * one log-normal factor of CoV @round_cov (the drift a run or a boot
 * shares); repetitions add CoV @rep_cov. The test side's metric 0 is
 * @slow times slower. Judged as compare does: Welch on log round medians,
 * Holm over the m metrics, the interval clearing the 5% threshold.
 */
struct round_sim {
	unsigned long seed;
	int trials;
	int m;
	int rounds;
	int reps;
	double round_cov;
	double rep_cov;
	double slow;
	unsigned int iterations;	/* bootstrap resamples */
};

struct round_sim_result {
	int any_regression;	/* comparisons with a regression in any metric */
	int caught;		/* comparisons with metric 0 a regression */
	double mde_sum;		/* mean MDE of metric 0, for the MDE check */
	int mde_n;
};

#define SIM_MAX_VALUES 128
#define SIM_MAX_M 16

static void draw_side(gsl_rng *rng, const struct round_sim *s, double f,
		      double *v, int *round)
{
	int r, i, n = 0;

	for (r = 0; r < s->rounds; r++) {
		double drift = draw(rng, 1, s->round_cov);

		for (i = 0; i < s->reps; i++, n++) {
			v[n] = draw(rng, 100000 * f * drift, s->rep_cov);
			round[n] = r + 1;
		}
	}
}

static void simulate_rounds(const struct round_sim *s, struct round_sim_result *res)
{
	static double vb[SIM_MAX_M][SIM_MAX_VALUES], vt[SIM_MAX_M][SIM_MAX_VALUES];
	static int rb[SIM_MAX_M][SIM_MAX_VALUES], rt[SIM_MAX_M][SIM_MAX_VALUES];
	struct rstat_rounds rr[SIM_MAX_M];
	gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
	double p[SIM_MAX_M], adj[SIM_MAX_M];
	struct rstat_timed_opts opts;
	int t, j, n = s->rounds * s->reps;

	assert_non_null(rng);
	assert_true(n <= SIM_MAX_VALUES && s->m <= SIM_MAX_M);
	gsl_rng_set(rng, s->seed);
	rstat_timed_opts_default(&opts);
	opts.iterations = s->iterations;
	memset(res, 0, sizeof(*res));
	for (t = 0; t < s->trials; t++) {
		bool any = false;

		for (j = 0; j < s->m; j++) {
			struct rstat_sample b = { vb[j], rb[j], n }, x = { vt[j], rt[j], n };

			draw_side(rng, s, 1, vb[j], rb[j]);
			draw_side(rng, s, j ? 1 : s->slow, vt[j], rt[j]);
			opts.seed = 5489 + t;
			assert_int_equal(rstat_compare_rounds(&b, &x, &opts, &rr[j]), 0);
			assert_true(rr[j].judged);
			p[j] = rr[j].p;
		}
		assert_int_equal(rstat_holm_adjust(p, s->m, adj), 0);
		for (j = 0; j < s->m; j++) {
			int dir;

			if (rstat_rounds_flagged(&rr[j], adj[j], opts.alpha, opts.threshold_pct,
						 &dir) && dir > 0) {
				any = true;
				if (!j)
					res->caught++;
			}
		}
		res->any_regression += any;
		res->mde_sum += rstat_rounds_mde(&rr[0], opts.alpha / s->m, 0.9,
						 opts.threshold_pct, opts.confidence);
		res->mde_n++;
	}
	gsl_rng_free(rng);
}

/*
 * A/A with between-round drift: 13 gating metrics (every workload's
 * headline metrics), 3 rounds of 5 repetitions per side, round CoV 15% and
 * repetition CoV 5%. Pooling the 15 repetitions would call most of these
 * comparisons a regression; per comparison (not per metric) at most 5%
 * may be called one.
 */
static void test_rounds_aa_drift(void **state)
{
	static const double covs[] = { 0.10, 0.20 };
	struct round_sim_result r;
	size_t i;

	(void)state;
	for (i = 0; i < 2; i++) {
		struct round_sim s = {
			.seed = 11 + i, .trials = 1000, .m = 13, .rounds = 3, .reps = 5,
			.round_cov = covs[i], .rep_cov = 0.05, .slow = 1, .iterations = 300,
		};

		simulate_rounds(&s, &r);
		printf("  A/A, 13 metrics, 3+3 rounds x 5 reps, round CoV %.0f%%, rep CoV 5%%: %d/%d comparisons with a regression\n",
		       covs[i] * 100, r.any_regression, s.trials);
		assert_true(r.any_regression <= s.trials * 5 / 100);
	}
}

/*
 * Power: metric 0 of 13 is 30% slower with 3 rounds per side. With a
 * round CoV of 3% (a quiet machine) it must be caught in at least 9 of 10
 * trials (here 200). At a 15% round CoV it cannot be: the MDE compare
 * states must then exceed 30%, and it does (docs/compare.md).
 */
static void test_rounds_power_30pct(void **state)
{
	struct round_sim s = {
		.seed = 21, .trials = 200, .m = 6, .rounds = 3, .reps = 5,
		.round_cov = 0.02, .rep_cov = 0.05, .slow = 1.3, .iterations = 1000,
	};
	struct round_sim_result r;

	(void)state;
	simulate_rounds(&s, &r);
	printf("  +30%%, 6 metrics, 3+3 rounds, round CoV 2%%: caught %d/%d, mean MDE %.1f%%\n",
	       r.caught, s.trials, r.mde_sum / r.mde_n);
	assert_true(r.caught * 10 >= s.trials * 9);

	s.seed = 22;
	s.round_cov = 0.15;
	simulate_rounds(&s, &r);
	printf("  +30%%, 6 metrics, 3+3 rounds, round CoV 15%%: caught %d/%d, mean MDE %.1f%%\n",
	       r.caught, s.trials, r.mde_sum / r.mde_n);
	assert_true(r.mde_sum / r.mde_n > 30);
}

/*
 * The MDE means what it says: a change of the size compare states for a
 * noise level is caught in about 90% of trials (70..99% allowed: the MDE
 * is approximate, it takes the observed spread for the true one).
 */
static void test_rounds_mde_is_honest(void **state)
{
	struct round_sim s = {
		.seed = 31, .trials = 300, .m = 4, .rounds = 4, .reps = 5,
		.round_cov = 0.05, .rep_cov = 0.05, .slow = 1, .iterations = 300,
	};
	struct round_sim_result r;
	double mde;

	(void)state;
	simulate_rounds(&s, &r);	/* A/A: the typical stated MDE */
	mde = r.mde_sum / r.mde_n;
	s.seed = 32;
	s.slow = 1 + mde / 100;
	simulate_rounds(&s, &r);
	printf("  MDE at round CoV 5%%, 4+4 rounds, 4 metrics: %.1f%%; a change of that size caught %d/%d\n",
	       mde, r.caught, s.trials);
	assert_true(r.caught >= s.trials * 70 / 100);
	assert_true(r.caught <= s.trials * 99 / 100);
}

static void test_round_medians_and_welch(void **state)
{
	const double v[] = { 5, 1, 3, 10, 30, 20, 7 };
	const int round[] = { 1, 1, 1, 3, 3, 3, 2 };
	const struct rstat_sample s = { v, round, 7 };
	const double a[] = { 1, 2, 3 }, b[] = { 4, 5, 6 };
	double *med, t, df, p;
	size_t k;

	(void)state;
	assert_int_equal(rstat_round_medians(&s, &med, &k), 0);
	assert_int_equal(k, 3);
	assert_true(med[0] == 3 && med[1] == 7 && med[2] == 20);
	free(med);
	/* equal variances 1, n 3+3: t = 3 / sqrt(2/3), df = 4 */
	assert_int_equal(rstat_welch(a, 3, b, 3, &t, &df, &p), 0);
	assert_float_equal(t, 3 / sqrt(2.0 / 3), 1e-12);
	assert_float_equal(df, 4, 1e-12);
	assert_float_equal(p, 0.02131, 1e-4);	/* 2 * P(T4 > 3.674) */
	assert_int_equal(rstat_welch(a, 1, b, 3, &t, &df, &p), -1);
	/* no spread at all */
	assert_int_equal(rstat_welch(a, 1, a, 1, &t, &df, &p), -1);
	{
		const double c[] = { 2, 2, 2 }, d[] = { 3, 3, 3 };

		assert_int_equal(rstat_welch(c, 3, d, 3, &t, &df, &p), 0);
		assert_true(p == 0);
		assert_int_equal(rstat_welch(c, 3, c, 3, &t, &df, &p), 0);
		assert_true(p == 1);
	}
	/* 3+3 rounds: p < 0.05 needs |t| > 2.776 at df 4: reachable */
	assert_float_equal(rstat_t_crit(0.05, 4), 2.776, 1e-3);
}

static void test_one_round_not_judged(void **state)
{
	const double v[] = { 100, 101, 99, 100, 102 };
	const double w[] = { 200, 201, 199, 200, 202 };
	const struct rstat_sample b = { v, NULL, 5 }, t = { w, NULL, 5 };
	struct rstat_timed_opts opts;
	struct rstat_rounds r;
	int dir;

	(void)state;
	rstat_timed_opts_default(&opts);
	assert_int_equal(rstat_compare_rounds(&b, &t, &opts, &r), 0);
	assert_false(r.judged);
	assert_int_equal(r.rbase.n, 1);
	assert_float_equal(r.change_pct, 100, 1e-9);	/* still shown */
	assert_false(rstat_rounds_flagged(&r, r.p, opts.alpha, 5, &dir));
	assert_true(isnan(rstat_rounds_mde(&r, 0.05, 0.9, 5, 0.95)));
}

static void test_holm_bh(void **state)
{
	const double p[] = { 0.01, 0.04, 0.03, 0.005 };
	double adj[4];

	(void)state;
	assert_int_equal(rstat_holm_adjust(p, 4, adj), 0);
	/* sorted 0.005 0.01 0.03 0.04 -> 0.02 0.03 0.06 0.06 */
	assert_float_equal(adj[3], 0.02, 1e-12);
	assert_float_equal(adj[0], 0.03, 1e-12);
	assert_float_equal(adj[2], 0.06, 1e-12);
	assert_float_equal(adj[1], 0.06, 1e-12);
	assert_int_equal(rstat_bh_adjust(p, 4, adj), 0);
	/* 4p/rank: 0.02 0.02 0.04 0.04, then running minimum from the top */
	assert_float_equal(adj[3], 0.02, 1e-12);
	assert_float_equal(adj[0], 0.02, 1e-12);
	assert_float_equal(adj[2], 0.04, 1e-12);
	assert_float_equal(adj[1], 0.04, 1e-12);
	assert_int_equal(rstat_holm_adjust(p, 0, adj), 0);
}

static void test_summary(void **state)
{
	const double x[] = { 4, 1, 3, 2, 10 };
	struct rstat_summary s;

	(void)state;
	assert_int_equal(rstat_summarize(x, 5, &s), 0);
	assert_float_equal(s.median, 3, 1e-12);
	assert_float_equal(s.mean, 4, 1e-12);
	assert_float_equal(s.sd, sqrt(12.5), 1e-12);
	assert_float_equal(s.cov, sqrt(12.5) / 4, 1e-12);
	assert_float_equal(s.min, 1, 1e-12);
	assert_float_equal(s.max, 10, 1e-12);
	assert_int_equal(rstat_summarize(x, 1, &s), 0);
	assert_true(isnan(s.sd));
	assert_int_not_equal(rstat_summarize(x, 0, &s), 0);
}

static int setup(void **state)
{
	(void)state;
	gsl_set_error_handler_off();
	return 0;
}

/*
 * Run-to-run drift (rmapbench calibrate, compare --noise): the between-run
 * SD is var(run means) - mean(within var) / k; adding a drift of 0.15 (log)
 * per side to a +30% change seen in 3+3 tight rounds turns p < 0.001 into
 * p > 0.05, widens the interval past 0 and raises the MDE.
 */
static void test_rounds_drift(void **state)
{
	static const double r1[] = { 0, 0.02 }, r2[] = { 0.3, 0.32 }, r3[] = { -0.3, -0.28 },
			    r4[] = { 0.1, 0.12 }, r5[] = { 1 };
	const double *runs[] = { r1, r2, r3, r4, r5 };
	size_t k[] = { 2, 2, 2, 2, 1 };
	static const double b[] = { 100, 101, 99 }, t[] = { 130, 131, 129 };
	static const int rb[] = { 1, 2, 3 };
	struct rstat_sample sb = { .values = b, .round = rb, .n = 3 };
	struct rstat_sample st = { .values = t, .round = rb, .n = 3 };
	struct rstat_timed_opts o;
	struct rstat_rounds r;
	double sd_run, sd_within, df, mde0, want;

	(void)state;
	/* run means 0.01, 0.31, -0.29, 0.11 (the 1-round run is skipped) */
	assert_int_equal(rstat_between_run_sd(runs, k, 5, &sd_run, &sd_within, &df), 0);
	want = sqrt((0.01 * 0.01 + 0.31 * 0.31 + 0.29 * 0.29 + 0.11 * 0.11 - 4 * 0.035 * 0.035) / 3
		    - 0.0002 / 2);
	assert_float_equal(sd_run, want, 1e-9);
	assert_float_equal(sd_within, sqrt(0.0002), 1e-9);
	assert_float_equal(df, 3, 0);
	assert_int_equal(rstat_between_run_sd(runs, k, 2, &sd_run, &sd_within, &df), -1);

	rstat_timed_opts_default(&o);
	assert_int_equal(rstat_compare_rounds(&sb, &st, &o, &r), 0);
	assert_true(r.judged && r.log_scale);
	assert_true(r.p < 0.001);
	mde0 = rstat_rounds_mde(&r, 0.05, 0.9, 5, 0.95);
	assert_int_equal(rstat_rounds_add_drift(&r, 0.15, 5, 0.95), 0);
	assert_true(r.p > 0.05);
	assert_true(r.ci_lo_pct < 0 && r.ci_hi_pct > 60);
	assert_true(rstat_rounds_mde(&r, 0.05, 0.9, 5, 0.95) > 2 * mde0);
	assert_float_equal(r.drift_sd, 0.15, 0);
	/* no drift, or a linear-scale metric: untouched */
	assert_int_equal(rstat_rounds_add_drift(&r, 0, 5, 0.95), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_summary),
		cmocka_unit_test(test_round_medians_and_welch),
		cmocka_unit_test(test_one_round_not_judged),
		cmocka_unit_test(test_holm_bh),
		cmocka_unit_test(test_rounds_aa_drift),
		cmocka_unit_test(test_rounds_power_30pct),
		cmocka_unit_test(test_rounds_mde_is_honest),
		cmocka_unit_test(test_rounds_drift),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
