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

/* ---- rounds ------------------------------------------------------------ */

static int round_of(const struct rstat_sample *s, size_t i)
{
	return s->round ? s->round[i] : 1;
}

/*
 * Indices of @s grouped by round: idx[start[r]..start[r+1]) are the values
 * of the r-th round (in round order). Returns the number of rounds.
 */
static size_t group_rounds(const struct rstat_sample *s, size_t *idx,
			   size_t *start)
{
	size_t i, j, k = 0;

	for (i = 0; i < s->n; i++)
		idx[i] = i;
	/* insertion sort by round: stable, n is small */
	for (i = 1; i < s->n; i++) {
		size_t v = idx[i];

		for (j = i; j > 0 && round_of(s, idx[j - 1]) > round_of(s, v); j--)
			idx[j] = idx[j - 1];
		idx[j] = v;
	}
	for (i = 0; i < s->n; i++)
		if (!i || round_of(s, idx[i]) != round_of(s, idx[i - 1]))
			start[k++] = i;
	start[k] = s->n;
	return k;
}

int rstat_round_medians(const struct rstat_sample *s, double **med, size_t *k)
{
	size_t *idx = malloc((s->n + 1) * sizeof(*idx));
	size_t *start = malloc((s->n + 1) * sizeof(*start));
	double *buf = malloc((s->n + 1) * sizeof(*buf));
	size_t r, i;
	int ret = -1;

	*med = NULL;
	*k = 0;
	if (!idx || !start || !buf)
		goto out;
	*k = group_rounds(s, idx, start);
	*med = malloc((*k + 1) * sizeof(**med));
	if (!*med)
		goto out;
	for (r = 0; r < *k; r++) {
		size_t n = start[r + 1] - start[r];

		for (i = 0; i < n; i++)
			buf[i] = s->values[idx[start[r] + i]];
		gsl_sort(buf, 1, n);
		(*med)[r] = gsl_stats_median_from_sorted_data(buf, 1, n);
	}
	ret = 0;
out:
	free(idx);
	free(start);
	free(buf);
	return ret;
}

int rstat_welch(const double *a, size_t na, const double *b, size_t nb,
		double *t, double *df, double *p)
{
	double ma, mb, va, vb, sa, sb, se2;

	*t = *df = NAN;
	*p = 1;
	if (na < 2 || nb < 2)
		return -1;
	ma = gsl_stats_mean(a, 1, na);
	mb = gsl_stats_mean(b, 1, nb);
	va = gsl_stats_variance_m(a, 1, na, ma);
	vb = gsl_stats_variance_m(b, 1, nb, mb);
	sa = va / na;
	sb = vb / nb;
	se2 = sa + sb;
	if (se2 <= 0) {
		/* no spread at all: a difference is certain, none is none */
		*df = (double)(na + nb - 2);
		*t = mb == ma ? 0 : (mb > ma ? INFINITY : -INFINITY);
		*p = mb == ma ? 1 : 0;
		return 0;
	}
	*t = (mb - ma) / sqrt(se2);
	*df = se2 * se2 / ((sa > 0 ? sa * sa / (na - 1) : 0) +
			   (sb > 0 ? sb * sb / (nb - 1) : 0));
	*p = fmin(1, 2 * gsl_cdf_tdist_Q(fabs(*t), *df));
	return 0;
}

struct hier {
	const struct rstat_sample *s;
	size_t *idx;
	size_t *start;
	size_t k;
	double *buf;
};

static int hier_init(struct hier *h, const struct rstat_sample *s)
{
	h->s = s;
	h->idx = malloc((s->n + 1) * sizeof(*h->idx));
	h->start = malloc((s->n + 1) * sizeof(*h->start));
	/* k draws of the largest round at most */
	h->buf = malloc((s->n * s->n + 1) * sizeof(*h->buf));
	if (!h->idx || !h->start || !h->buf)
		return -1;
	h->k = group_rounds(s, h->idx, h->start);
	return 0;
}

static void hier_free(struct hier *h)
{
	free(h->idx);
	free(h->start);
	free(h->buf);
}

/* One two-level resample: k rounds, then each drawn round's reps. */
static double hier_median(gsl_rng *rng, struct hier *h)
{
	size_t r, i, n = 0;

	for (r = 0; r < h->k; r++) {
		size_t g = gsl_rng_uniform_int(rng, h->k);
		size_t off = h->start[g], len = h->start[g + 1] - off;

		for (i = 0; i < len; i++)
			h->buf[n++] = h->s->values[h->idx[off + gsl_rng_uniform_int(rng, len)]];
	}
	gsl_sort(h->buf, 1, n);
	return gsl_stats_median_from_sorted_data(h->buf, 1, n);
}

int rstat_hier_bootstrap_ratio(const struct rstat_sample *base,
			       const struct rstat_sample *test,
			       const struct rstat_timed_opts *opts,
			       double *lo, double *hi)
{
	struct hier hb = { 0 }, ht = { 0 };
	double *ratios = NULL, tail;
	size_t valid = 0, iter;
	gsl_rng *rng = NULL;
	int ret = -1;

	*lo = *hi = NAN;
	if (!base->n || !test->n || !opts->iterations)
		return -1;
	ratios = malloc(opts->iterations * sizeof(*ratios));
	rng = gsl_rng_alloc(gsl_rng_mt19937);
	if (!ratios || !rng || hier_init(&hb, base) || hier_init(&ht, test))
		goto out;
	gsl_rng_set(rng, opts->seed);
	for (iter = 0; iter < opts->iterations; iter++) {
		double mb = hier_median(rng, &hb), mt = hier_median(rng, &ht);

		if (mb != 0)
			ratios[valid++] = mt / mb;
	}
	tail = (1 - opts->confidence) / 2;
	if (valid < 2 || (double)(opts->iterations - valid) > tail * opts->iterations)
		goto out;
	gsl_sort(ratios, 1, valid);
	*lo = gsl_stats_quantile_from_sorted_data(ratios, 1, valid, tail);
	*hi = gsl_stats_quantile_from_sorted_data(ratios, 1, valid, 1 - tail);
	ret = 0;
out:
	hier_free(&hb);
	hier_free(&ht);
	gsl_rng_free(rng);
	free(ratios);
	return ret;
}

double rstat_t_crit(double alpha, double df)
{
	if (!(df > 0) || !(alpha > 0))
		return NAN;
	return gsl_cdf_tdist_Qinv(alpha / 2, df);
}

#define MDE_SIMS 1000
#define MDE_SEED 5489

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/*
 * Welch's test on normal round values of SD @sd: for each of MDE_SIMS
 * seeded simulated pairs of sides, the smallest true difference that
 * would have been significant at @alpha. Their @power quantile is the
 * difference detected with that probability (exact for the model, no
 * normal or noncentral-t approximation; the variances and hence Welch's
 * df vary between simulations as in real data).
 */
static double mde_delta(double sd, size_t kb, size_t kt, double alpha, double power)
{
	double *need = malloc(MDE_SIMS * sizeof(*need));
	double xb[64], xt[64], mb, mt, vb, vt, se2, df, delta = NAN;
	gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
	size_t i, j;

	if (!need || !rng || kb > 64 || kt > 64)
		goto out;
	gsl_rng_set(rng, MDE_SEED);
	for (i = 0; i < MDE_SIMS; i++) {
		for (j = 0; j < kb; j++)
			xb[j] = gsl_ran_gaussian_ziggurat(rng, 1);
		for (j = 0; j < kt; j++)
			xt[j] = gsl_ran_gaussian_ziggurat(rng, 1);
		mb = gsl_stats_mean(xb, 1, kb);
		mt = gsl_stats_mean(xt, 1, kt);
		vb = gsl_stats_variance_m(xb, 1, kb, mb) / kb;
		vt = gsl_stats_variance_m(xt, 1, kt, mt) / kt;
		se2 = vb + vt;
		df = se2 * se2 / (vb * vb / (kb - 1) + vt * vt / (kt - 1));
		/* significant (upwards) once delta + (mt - mb) > t_crit * se */
		need[i] = gsl_cdf_tdist_Qinv(alpha / 2, df) * sqrt(se2) - (mt - mb);
	}
	qsort(need, MDE_SIMS, sizeof(*need), cmp_double);
	delta = sd * gsl_stats_quantile_from_sorted_data(need, 1, MDE_SIMS, power);
out:
	gsl_rng_free(rng);
	free(need);
	return delta;
}

double rstat_mde_pct(double sd, size_t kb, size_t kt, double alpha,
		     double power, bool log_scale, double base_mean)
{
	double delta;

	if (kb < 2 || kt < 2 || isnan(sd))
		return NAN;
	delta = mde_delta(sd, kb, kt, alpha, power);
	if (log_scale)
		return 100 * (exp(delta) - 1);
	return base_mean != 0 ? 100 * delta / fabs(base_mean) : NAN;
}

/* s / c4(df): an unbiased estimate of the SD from one with @df degrees */
static double unbiased_sd(double s, double df)
{
	double c4;

	if (!(df >= 1))
		return s;
	c4 = sqrt(2 / df) * exp(gsl_sf_lngamma((df + 1) / 2) - gsl_sf_lngamma(df / 2));
	return s / c4;
}

/*
 * With drift the simulation model no longer holds (the drift term has its
 * own df): delta = (t_{alpha/2} + t_{power}) * se at the test's df, the
 * usual power approximation for a t-test.
 */
static double mde_with_drift(const struct rstat_rounds *r, double sd, double alpha,
			     double power)
{
	double se = sqrt(sd * sd * (1.0 / r->rbase.n + 1.0 / r->rtest.n) +
			 2 * r->drift_sd * r->drift_sd);
	double df = isnan(r->df) || r->df < 1 ? 1 : r->df;

	return 100 * (exp((gsl_cdf_tdist_Qinv(alpha / 2, df) +
			   gsl_cdf_tdist_Pinv(power, df)) * se) - 1);
}

double rstat_rounds_mde(const struct rstat_rounds *r, double alpha, double power,
			double threshold_pct, double confidence)
{
	double z, se, sd, via_ci, via_test;

	if (!r->judged)
		return NAN;
	sd = unbiased_sd(r->sd_round, (double)(r->rbase.n + r->rtest.n) - 2);
	if (r->drift_sd > 0 && r->log_scale)
		via_test = mde_with_drift(r, sd, alpha, power);
	else
		via_test = rstat_mde_pct(sd, r->rbase.n, r->rtest.n, alpha, power,
					 r->log_scale, r->rbase.mean);
	if (isnan(via_test))
		return NAN;
	z = gsl_cdf_ugaussian_Qinv((1 - confidence) / 2) + gsl_cdf_ugaussian_Pinv(power);
	se = sqrt(sd * sd * (1.0 / r->rbase.n + 1.0 / r->rtest.n) +
		  2 * r->drift_sd * r->drift_sd);
	if (r->log_scale)
		via_ci = 100 * (exp(log1p(threshold_pct / 100) + z * se) - 1);
	else
		via_ci = r->rbase.mean ? threshold_pct + 100 * z * se / fabs(r->rbase.mean) : NAN;
	return fmax(via_test, via_ci);
}

static double pooled_sd(const struct rstat_summary *a, const struct rstat_summary *b)
{
	double va = a->n > 1 ? a->sd * a->sd : 0, vb = b->n > 1 ? b->sd * b->sd : 0;

	if (a->n + b->n < 3)
		return NAN;
	return sqrt(((a->n - 1) * va + (b->n - 1) * vb) / (double)(a->n + b->n - 2));
}

/* log of every value when all are > 0; false (and untouched) otherwise */
static bool log_all(double *x, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!(x[i] > 0))
			return false;
	for (i = 0; i < n; i++)
		x[i] = log(x[i]);
	return true;
}

int rstat_compare_rounds(const struct rstat_sample *base,
			 const struct rstat_sample *test,
			 const struct rstat_timed_opts *opts,
			 struct rstat_rounds *res)
{
	double *mb = NULL, *mt = NULL, lo, hi;
	size_t kb, kt;
	int ret = -1;

	memset(res, 0, sizeof(*res));
	res->change_pct = res->ci_lo_pct = res->ci_hi_pct = NAN;
	res->t = res->df = res->sd_round = NAN;
	res->p = 1;
	if (rstat_summarize(base->values, base->n, &res->base) ||
	    rstat_summarize(test->values, test->n, &res->test))
		return -1;
	if (rstat_round_medians(base, &mb, &kb) || rstat_round_medians(test, &mt, &kt))
		goto out;
	rstat_summarize(mb, kb, &res->rbase);
	rstat_summarize(mt, kt, &res->rtest);
	res->direction = (res->test.median > res->base.median) -
			 (res->test.median < res->base.median);
	if (res->base.median != 0) {
		res->change_pct = 100 * (res->test.median / res->base.median - 1);
		res->change_valid = true;
	}
	if (!rstat_hier_bootstrap_ratio(base, test, opts, &lo, &hi)) {
		res->ci_lo_pct = 100 * (lo - 1);
		res->ci_hi_pct = 100 * (hi - 1);
		res->ci_valid = true;
	}
	ret = 0;
	if (kb < 2 || kt < 2)
		goto out;
	/* the round medians are consumed here: log scale when all > 0 */
	res->log_scale = log_all(mb, kb) && log_all(mt, kt);
	if (!res->log_scale) {
		/* mb may be half logged if mt had a value <= 0: redo */
		free(mb);
		free(mt);
		if (rstat_round_medians(base, &mb, &kb) || rstat_round_medians(test, &mt, &kt)) {
			ret = -1;
			goto out;
		}
	}
	rstat_welch(mb, kb, mt, kt, &res->t, &res->df, &res->p);
	rstat_summarize(mb, kb, &res->lbase);
	rstat_summarize(mt, kt, &res->ltest);
	res->sd_round = pooled_sd(&res->lbase, &res->ltest);
	res->judged = true;
out:
	free(mb);
	free(mt);
	return ret;
}

int rstat_rounds_add_drift(struct rstat_rounds *r, double sd, double df,
			   double confidence)
{
	double vb, vt, d2, se2, den, diff, z, c, lo, hi;

	if (!r->judged || !r->log_scale || !(sd > 0) || !(df >= 1))
		return -1;
	vb = r->lbase.sd * r->lbase.sd / r->lbase.n;
	vt = r->ltest.sd * r->ltest.sd / r->ltest.n;
	d2 = 2 * sd * sd;
	se2 = vb + vt + d2;
	den = vb * vb / (r->lbase.n - 1) + vt * vt / (r->ltest.n - 1) + d2 * d2 / df;
	diff = r->ltest.mean - r->lbase.mean;
	r->drift_sd = sd;
	r->drift_df = df;
	r->df = den > 0 ? se2 * se2 / den : df;
	r->t = diff / sqrt(se2);
	r->p = 2 * gsl_cdf_tdist_Q(fabs(r->t), r->df);
	if (r->ci_valid && r->change_valid) {
		/* widen each half of the log interval by the drift term */
		z = gsl_cdf_ugaussian_Qinv((1 - confidence) / 2);
		c = log1p(r->change_pct / 100);
		lo = c - log1p(r->ci_lo_pct / 100);
		hi = log1p(r->ci_hi_pct / 100) - c;
		lo = sqrt(lo * lo + z * z * d2);
		hi = sqrt(hi * hi + z * z * d2);
		r->ci_lo_pct = 100 * expm1(c - lo);
		r->ci_hi_pct = 100 * expm1(c + hi);
	}
	return 0;
}

int rstat_between_run_sd(const double *const *runs, const size_t *k, size_t nruns,
			 double *sd_run, double *sd_within, double *df)
{
	double *means = malloc((nruns + 1) * sizeof(*means));
	double within = 0, kbar = 0, vb;
	size_t i, used = 0;

	*sd_run = *sd_within = *df = NAN;
	if (!means)
		return -1;
	for (i = 0; i < nruns; i++) {
		if (k[i] < 2)
			continue;
		means[used++] = gsl_stats_mean(runs[i], 1, k[i]);
		within += gsl_stats_variance(runs[i], 1, k[i]);
		kbar += (double)k[i];
	}
	if (used < 3) {
		free(means);
		return -1;
	}
	within /= (double)used;
	kbar /= (double)used;
	vb = gsl_stats_variance(means, 1, used);
	*sd_run = sqrt(fmax(0, vb - within / kbar));
	*sd_within = sqrt(within);
	*df = (double)used - 1;
	free(means);
	return 0;
}

bool rstat_rounds_flagged(const struct rstat_rounds *r, double p_adj, double alpha,
			  double threshold_pct, int *direction)
{
	bool beyond;

	*direction = r->judged ? (r->t > 0) - (r->t < 0) : 0;
	if (!*direction || !(p_adj < alpha))
		return false;
	if (!r->change_valid)
		beyond = true;
	else if (!r->ci_valid)
		beyond = fabs(r->change_pct) > threshold_pct;
	else
		beyond = *direction > 0 ? r->ci_lo_pct > threshold_pct :
					  r->ci_hi_pct < -threshold_pct;
	return beyond;
}

struct p_idx {
	double p;
	size_t i;
};

static int cmp_p_idx(const void *a, const void *b)
{
	const struct p_idx *x = a, *y = b;

	if (x->p != y->p)
		return x->p < y->p ? -1 : 1;
	return (x->i > y->i) - (x->i < y->i);
}

static struct p_idx *sorted_p(const double *p, size_t m)
{
	struct p_idx *s = malloc((m + 1) * sizeof(*s));
	size_t i;

	if (!s)
		return NULL;
	for (i = 0; i < m; i++) {
		s[i].p = isnan(p[i]) ? 1 : p[i];
		s[i].i = i;
	}
	qsort(s, m, sizeof(*s), cmp_p_idx);
	return s;
}

int rstat_holm_adjust(const double *p, size_t m, double *adj)
{
	struct p_idx *s = sorted_p(p, m);
	double run = 0;
	size_t k;

	if (!s)
		return -1;
	/* adj(k) = max over j <= k of (m - j) p(j), capped at 1 */
	for (k = 0; k < m; k++) {
		run = fmax(run, fmin(1, (double)(m - k) * s[k].p));
		adj[s[k].i] = run;
	}
	free(s);
	return 0;
}

int rstat_bh_adjust(const double *p, size_t m, double *adj)
{
	struct p_idx *s = sorted_p(p, m);
	double run = 1;
	size_t k;

	if (!s)
		return -1;
	/* adj(k) = min over j >= k of m p(j) / (j + 1), capped at 1 */
	for (k = m; k-- > 0;) {
		run = fmin(run, fmin(1, (double)m * s[k].p / (double)(k + 1)));
		adj[s[k].i] = run;
	}
	free(s);
	return 0;
}
