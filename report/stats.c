// SPDX-License-Identifier: GPL-2.0
/*
 * Statistics of timed metrics, see stats.h. Nothing here prints: callers
 * decide what a result means for a kernel.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_combination.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_sf_gamma.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include "stats.h"

void rstat_timed_opts_default(struct rstat_timed_opts *opts)
{
	opts->alpha = 0.05;
	opts->threshold_pct = 5.0;
	opts->confidence = 0.95;
	opts->iterations = 10000;
	opts->seed = 5489;	/* mt19937's reference seed */
}

static double median_of_copy(const double *x, size_t n, double *scratch)
{
	memcpy(scratch, x, n * sizeof(*x));
	gsl_sort(scratch, 1, n);
	return gsl_stats_median_from_sorted_data(scratch, 1, n);
}

int rstat_summarize(const double *x, size_t n, struct rstat_summary *s)
{
	double *sorted;

	memset(s, 0, sizeof(*s));
	s->sd = s->cov = NAN;
	s->n = n;
	if (n == 0) {
		s->median = s->mean = s->min = s->max = NAN;
		return -1;
	}
	sorted = malloc(n * sizeof(*sorted));
	if (!sorted)
		return -1;
	s->median = median_of_copy(x, n, sorted);
	s->min = sorted[0];
	s->max = sorted[n - 1];
	s->mean = gsl_stats_mean(x, 1, n);
	if (n >= 2) {
		s->sd = gsl_stats_sd_m(x, 1, n, s->mean);
		if (s->mean != 0)
			s->cov = s->sd / fabs(s->mean);
	}
	free(sorted);
	return 0;
}

/*
 * Midranks of the pooled sample, doubled so that ties stay integers:
 * rank2[i] is twice the (1-based, averaged over ties) rank of pooled[i].
 * Returns sum over tie groups of t^3 - t, for the variance correction.
 */
static double pooled_ranks2(const double *pooled, size_t n, long *rank2)
{
	size_t *order = malloc(n * sizeof(*order));
	double ties = 0;
	size_t i, j, k;

	if (!order)
		return NAN;
	gsl_sort_index(order, pooled, 1, n);
	for (i = 0; i < n; i = j) {
		for (j = i + 1; j < n && pooled[order[j]] == pooled[order[i]]; j++)
			;
		/* positions i..j-1 share rank ((i+1) + j) / 2 */
		for (k = i; k < j; k++)
			rank2[order[k]] = (long)(i + 1 + j);
		ties += pow((double)(j - i), 3) - (double)(j - i);
	}
	free(order);
	return ties;
}

/*
 * Exact two-sided p: the share of all splits of the pooled ranks into
 * groups of the observed sizes whose rank sum lies at least as far from
 * its mean as the observed one. Enumerated with gsl_combination over the
 * smaller group; ties are handled because the midranks are permuted.
 */
static int mw_exact(const long *rank2, size_t n, size_t k, long obs_dev2,
		    struct rstat_mw *r)
{
	gsl_combination *c = gsl_combination_calloc(n, k);
	long mean2 = (long)(k * (n + 1));
	double total = 0, extreme = 0, at_max = 0;
	long max_dev2 = -1;
	const size_t *idx;

	if (!c)
		return -1;
	idx = gsl_combination_data(c);

	do {
		long sum2 = 0, dev2;
		size_t i;

		for (i = 0; i < k; i++)
			sum2 += rank2[idx[i]];
		dev2 = labs(sum2 - mean2);
		total++;
		if (dev2 >= obs_dev2)
			extreme++;
		if (dev2 > max_dev2) {
			max_dev2 = dev2;
			at_max = 0;
		}
		if (dev2 == max_dev2)
			at_max++;
	} while (gsl_combination_next(c) == GSL_SUCCESS);
	gsl_combination_free(c);
	r->p = extreme / total;
	r->min_p = at_max / total;
	r->exact = true;
	return 0;
}

static void mw_normal(double u, size_t nb, size_t nt, double ties,
		      struct rstat_mw *r)
{
	double n = (double)(nb + nt);
	double mu = (double)nb * nt / 2.0;
	double var = (double)nb * nt / 12.0 * ((n + 1) - ties / (n * (n - 1)));
	double z, zmax;

	r->exact = false;
	if (var <= 0) {
		r->p = r->min_p = 1;
		return;
	}
	z = fmax(fabs(u - mu) - 0.5, 0) / sqrt(var);
	zmax = fmax(mu - 0.5, 0) / sqrt(var);
	r->p = fmin(1, 2 * gsl_cdf_ugaussian_Q(z));
	r->min_p = fmin(1, 2 * gsl_cdf_ugaussian_Q(zmax));
}

int rstat_mann_whitney(const double *base, size_t nb, const double *test,
		       size_t nt, struct rstat_mw *r)
{
	size_t n = nb + nt, i, small;
	double *pooled = NULL, ties;
	long *rank2 = NULL, sum2_test = 0, obs_dev2;
	int ret = -1;

	memset(r, 0, sizeof(*r));
	r->p = r->min_p = 1;
	if (!nb || !nt)
		return -1;
	pooled = malloc(n * sizeof(*pooled));
	rank2 = malloc(n * sizeof(*rank2));
	if (!pooled || !rank2)
		goto out;
	/* test first: the exact enumeration runs over indices 0..small-1 */
	memcpy(pooled, test, nt * sizeof(*test));
	memcpy(pooled + nt, base, nb * sizeof(*base));
	ties = pooled_ranks2(pooled, n, rank2);
	if (isnan(ties))
		goto out;
	for (i = 0; i < nt; i++)
		sum2_test += rank2[i];
	r->u_test = sum2_test / 2.0 - (double)nt * (nt + 1) / 2.0;
	obs_dev2 = labs(sum2_test - (long)(nt * (n + 1)));

	small = nt < nb ? nt : nb;
	if (gsl_sf_choose(n, small) <= RSTAT_EXACT_MAX_SPLITS) {
		/* |deviation| of either group's rank sum is the same */
		ret = mw_exact(rank2, n, small, obs_dev2, r);
	} else {
		mw_normal(r->u_test, nb, nt, ties, r);
		ret = 0;
	}
out:
	free(pooled);
	free(rank2);
	return ret;
}

/* Median of @n values drawn with replacement from @x (n is small). */
static double resample_median(gsl_rng *rng, const double *x, size_t n,
			      double *buf)
{
	size_t i, j;

	for (i = 0; i < n; i++) {
		double v = x[gsl_rng_uniform_int(rng, n)];

		/* insertion sort while drawing */
		for (j = i; j > 0 && buf[j - 1] > v; j--)
			buf[j] = buf[j - 1];
		buf[j] = v;
	}
	return gsl_stats_median_from_sorted_data(buf, 1, n);
}

/*
 * Percentile bootstrap of median(test) / median(base): both samples are
 * resampled with replacement, independently. Resamples whose base median
 * is 0 have no ratio; the interval is invalid when they are more than the
 * tails it cuts off.
 */
int rstat_bootstrap_median_ratio(const double *base, size_t nb,
				 const double *test, size_t nt,
				 const struct rstat_timed_opts *opts,
				 double *lo, double *hi)
{
	double *ratios = NULL, *rb = NULL, *rt = NULL, tail;
	size_t valid = 0, iter;
	gsl_rng *rng = NULL;
	int ret = -1;

	*lo = *hi = NAN;
	if (!nb || !nt || !opts->iterations)
		return -1;
	ratios = malloc(opts->iterations * sizeof(*ratios));
	rb = malloc(nb * sizeof(*rb));
	rt = malloc(nt * sizeof(*rt));
	rng = gsl_rng_alloc(gsl_rng_mt19937);
	if (!ratios || !rb || !rt || !rng)
		goto out;
	gsl_rng_set(rng, opts->seed);
	for (iter = 0; iter < opts->iterations; iter++) {
		double mb, mt;

		mb = resample_median(rng, base, nb, rb);
		mt = resample_median(rng, test, nt, rt);
		if (mb != 0)
			ratios[valid++] = mt / mb;
	}
	tail = (1 - opts->confidence) / 2;
	if (valid < 2 || (double)(opts->iterations - valid) >
			 tail * opts->iterations)
		goto out;
	gsl_sort(ratios, 1, valid);
	*lo = gsl_stats_quantile_from_sorted_data(ratios, 1, valid, tail);
	*hi = gsl_stats_quantile_from_sorted_data(ratios, 1, valid, 1 - tail);
	ret = 0;
out:
	gsl_rng_free(rng);
	free(ratios);
	free(rb);
	free(rt);
	return ret;
}

double rstat_min_p(size_t nb, size_t nt)
{
	struct rstat_mw r;
	double *x, *y;
	size_t i;

	if (!nb || !nt)
		return 1;
	if (gsl_sf_choose(nb + nt, nb < nt ? nb : nt) > RSTAT_EXACT_MAX_SPLITS) {
		/* normal approximation: the most extreme U */
		double mu = (double)nb * nt / 2, n = (double)(nb + nt);
		double sd = sqrt((double)nb * nt * (n + 1) / 12);

		return fmin(1, 2 * gsl_cdf_ugaussian_Q((mu - 0.5) / sd));
	}
	x = malloc(nb * sizeof(*x));
	y = malloc(nt * sizeof(*y));
	r.min_p = 1;
	if (x && y) {
		/* fully separated distinct samples: the extreme split */
		for (i = 0; i < nb; i++)
			x[i] = (double)i;
		for (i = 0; i < nt; i++)
			y[i] = (double)(nb + i);
		rstat_mann_whitney(x, nb, y, nt, &r);
	}
	free(x);
	free(y);
	return r.min_p;
}

int rstat_compare_timed(const double *base, size_t nb, const double *test,
			size_t nt, const struct rstat_timed_opts *opts,
			struct rstat_timed *res)
{
	double lo, hi;

	memset(res, 0, sizeof(*res));
	res->change_pct = res->ci_lo_pct = res->ci_hi_pct = NAN;
	if (rstat_summarize(base, nb, &res->base) ||
	    rstat_summarize(test, nt, &res->test))
		return -1;
	if (rstat_mann_whitney(base, nb, test, nt, &res->mw))
		return -1;
	res->direction = (res->test.median > res->base.median) -
			 (res->test.median < res->base.median);
	if (res->base.median != 0) {
		res->change_pct = 100 * (res->test.median / res->base.median - 1);
		res->change_valid = true;
	}
	if (!rstat_bootstrap_median_ratio(base, nb, test, nt, opts, &lo, &hi)) {
		res->ci_lo_pct = 100 * (lo - 1);
		res->ci_hi_pct = 100 * (hi - 1);
		res->ci_valid = true;
	}
	res->significant = res->mw.p < opts->alpha && res->direction &&
			   (!res->change_valid ||
			    fabs(res->change_pct) > opts->threshold_pct);
	return 0;
}
