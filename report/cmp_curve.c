// SPDX-License-Identifier: GPL-2.0
/*
 * Cost curves (cmp_curve.h): a sweep's points per metric and report, the
 * growth exponent of each (gsl_fit_linear on log-log), and how a test's
 * exponent differs from the base's. Exact metrics: a change beyond
 * CURVE_EXACT_DELTA is a change of the curve. Timed metrics: one exponent per
 * round, Welch's test on them, Holm over a test's timed exponents (the rounds
 * are the independent units, as for every timed verdict). Neither gates:
 * each point is judged as an ordinary workload by compare.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_fit.h>
#include <gsl/gsl_statistics_double.h>

#include "cmp_curve.h"
#include "cmp_model.h"
#include "stats.h"

int curve_fit_loglog(const double *x, const double *y, size_t n, struct curve_fit *f)
{
	double *lx = calloc(n ? n : 1, sizeof(*lx)), *ly = calloc(n ? n : 1, sizeof(*ly));
	double c0, c1, cov00, cov01, cov11, sumsq, mean = 0, sst = 0;
	size_t i, k = 0;
	int ret = -1;

	memset(f, 0, sizeof(*f));
	f->exponent = f->r2 = NAN;
	if (!lx || !ly) {
		f->why = "out of memory";
		goto out;
	}
	for (i = 0; i < n; i++) {
		if (!(x[i] > 0) || !(y[i] > 0) || !isfinite(x[i]) || !isfinite(y[i]))
			continue;
		lx[k] = log(x[i]);
		ly[k++] = log(y[i]);
	}
	f->used = k;
	for (i = 1; i < k && lx[i] == lx[0]; i++)
		;
	if (k < 2 || i == k) {
		f->why = "fewer than 2 points with parameter and value above 0";
		goto out;
	}
	if (gsl_fit_linear(lx, 1, ly, 1, k, &c0, &c1, &cov00, &cov01, &cov11, &sumsq)) {
		f->why = "the fit failed";
		goto out;
	}
	for (i = 0; i < k; i++)
		mean += ly[i] / k;
	for (i = 0; i < k; i++)
		sst += (ly[i] - mean) * (ly[i] - mean);
	f->ok = true;
	f->exponent = c1;
	f->r2 = sst > 0 ? 1 - sumsq / sst : NAN;
	ret = 0;
out:
	free(lx);
	free(ly);
	return ret;
}

static double median_of(const struct metric_samples *m)
{
	struct rstat_summary s;

	if (!m || !m->n || rstat_summarize(m->values, m->n, &s))
		return NAN;
	return s.median;
}

static bool same_sweep(const struct workload_data *w, const char *wl, const char *param)
{
	return w->sweep_wl && !strcmp(w->sweep_wl, wl) && !strcmp(w->sweep_param, param);
}

static bool headline_of(const struct report *r, const struct curve *cv, const char *name)
{
	for (size_t i = 0; i < r->nwl; i++) {
		json_t *h;
		size_t j;

		if (!same_sweep(&r->wl[i], cv->workload, cv->param))
			continue;
		json_array_foreach(r->wl[i].headline, j, h)
			if (!strcmp(json_string_value(h), name))
				return true;
		return false;
	}
	return false;
}

static bool shown_metric(const struct report *base, const struct curve *cv, const char *name)
{
	size_t n = strlen(name);

	return (!strncmp(name, "slab.", 5) && n > 7 && !strcmp(name + n - 7, ".allocs")) ||
	       !strncmp(name, "rmap.", 5) || headline_of(base, cv, name);
}

static struct curve_metric *metric_add(struct curve *cv, const struct metric_samples *ms,
				       size_t nr)
{
	struct curve_metric *m;

	for (size_t i = 0; i < cv->nm; i++)
		if (!strcmp(cv->m[i].name, ms->name))
			return &cv->m[i];
	m = realloc(cv->m, (cv->nm + 1) * sizeof(*m));
	if (!m)
		return NULL;
	cv->m = m;
	m += cv->nm++;
	memset(m, 0, sizeof(*m));
	m->name = ms->name;
	m->kind = ms->kind;
	m->better = ms->better;
	m->unit = ms->unit;
	m->line = calloc(nr, sizeof(*m->line));
	return m->line ? m : NULL;
}

/* Every metric any report has at some point of the sweep. */
static int collect_metrics(struct curves *cs, struct curve *cv)
{
	for (size_t s = 0; s < cs->nr; s++)
		for (size_t i = 0; i < cs->r[s]->nwl; i++) {
			const struct workload_data *w = &cs->r[s]->wl[i];

			if (!same_sweep(w, cv->workload, cv->param))
				continue;
			for (size_t j = 0; j < w->nmetrics; j++)
				if (!metric_add(cv, &w->metrics[j], cs->nr))
					return -1;
		}
	return 0;
}

/* Median of @m's values of round @round; NaN: none. */
static double round_median(const struct metric_samples *m, int round)
{
	double *v, med = NAN;
	struct rstat_summary s;
	size_t k = 0;

	if (!m || !m->n || !(v = calloc(m->n, sizeof(*v))))
		return NAN;
	for (size_t i = 0; i < m->n; i++)
		if (m->round[i] == round)
			v[k++] = m->values[i];
	if (k && !rstat_summarize(v, k, &s))
		med = s.median;
	free(v);
	return med;
}

/*
 * The exponent of each round: the fit over that round's point medians, so
 * a drift of the whole round (the machine slower for a while) moves every
 * point alike and cancels out of the slope. Nothing when @r does not have
 * the metric at any of its @l->npoints points.
 */
static int round_exponents(const struct report *r, const struct curve *cv,
			   struct curve_line *l, const char *metric)
{
	size_t rounds = 0;
	bool found = false;
	double *x, *y;

	for (size_t i = 0; i < r->nwl; i++) {
		const struct metric_samples *m;

		if (!same_sweep(&r->wl[i], cv->workload, cv->param) ||
		    !(m = workload_metric(&r->wl[i], metric)))
			continue;
		found = true;
		for (size_t j = 0; j < m->n; j++)
			if (m->round[j] > 0 && (size_t)m->round[j] > rounds)
				rounds = m->round[j];
	}
	if (!found)
		return 0;
	l->nrounds = rounds;
	x = calloc(l->npoints + 1, sizeof(*x));
	y = calloc(l->npoints + 1, sizeof(*y));
	l->rexp = calloc(rounds + 1, sizeof(*l->rexp));
	if (!x || !y || !l->rexp) {
		free(x);
		free(y);
		return -1;
	}
	for (size_t rd = 1; rd <= rounds; rd++) {
		struct curve_fit f;
		size_t k = 0;

		for (size_t i = 0; i < r->nwl; i++) {
			if (!same_sweep(&r->wl[i], cv->workload, cv->param))
				continue;
			x[k] = r->wl[i].sweep_value;
			y[k++] = round_median(workload_metric(&r->wl[i], metric), (int)rd);
		}
		/* a round must have every point the pooled fit used */
		if (!curve_fit_loglog(x, y, k, &f) && f.used == l->fit.used)
			l->rexp[l->nrexp++] = f.exponent;
	}
	free(x);
	free(y);
	return 0;
}

static int fill_line(const struct report *r, const struct curve *cv, struct curve_line *l,
		     const struct curve_metric *cm)
{
	const char *metric = cm->name;
	size_t n = 0;

	l->label = r->label;
	for (size_t i = 0; i < r->nwl; i++)
		n += same_sweep(&r->wl[i], cv->workload, cv->param);
	l->x = calloc(n ? n : 1, sizeof(*l->x));
	l->y = calloc(n ? n : 1, sizeof(*l->y));
	if (!l->x || !l->y)
		return -1;
	for (size_t i = 0; i < r->nwl; i++) {
		const struct workload_data *w = &r->wl[i];
		double y;

		if (!same_sweep(w, cv->workload, cv->param))
			continue;
		l->npoints++;
		y = median_of(workload_metric(w, metric));
		if (isnan(y))
			continue;
		/* keep the points ascending in x */
		size_t k = l->n++;

		for (; k > 0 && l->x[k - 1] > w->sweep_value; k--) {
			l->x[k] = l->x[k - 1];
			l->y[k] = l->y[k - 1];
		}
		l->x[k] = w->sweep_value;
		l->y[k] = y;
	}
	curve_fit_loglog(l->x, l->y, l->n, &l->fit);
	return cm->kind == MK_TIMED ? round_exponents(r, cv, l, metric) : 0;
}

static int curve_add(struct curves *cs, const struct workload_data *w)
{
	struct curve *cv;

	for (size_t i = 0; i < cs->n; i++)
		if (!strcmp(cs->c[i].workload, w->sweep_wl) && !strcmp(cs->c[i].param, w->sweep_param))
			return 0;
	cv = realloc(cs->c, (cs->n + 1) * sizeof(*cv));
	if (!cv)
		return -1;
	cs->c = cv;
	cv += cs->n++;
	memset(cv, 0, sizeof(*cv));
	cv->workload = w->sweep_wl;
	cv->param = w->sweep_param;
	if (collect_metrics(cs, cv))
		return -1;
	for (size_t j = 0; j < cv->nm; j++) {
		bool values = false;

		for (size_t s = 0; s < cs->nr; s++) {
			if (fill_line(cs->r[s], cv, &cv->m[j].line[s], &cv->m[j]))
				return -1;
			values |= cv->m[j].line[s].fit.ok;
		}
		/* no exponent anywhere (rmap.* on a host without kprobes, zeros): JSON only */
		cv->m[j].shown = values && shown_metric(cs->r[0], cv, cv->m[j].name);
	}
	return 0;
}

void curves_free(struct curves *cs)
{
	if (!cs)
		return;
	for (size_t i = 0; i < cs->n; i++) {
		for (size_t j = 0; j < cs->c[i].nm; j++) {
			for (size_t s = 0; s < cs->nr; s++) {
				free(cs->c[i].m[j].line[s].x);
				free(cs->c[i].m[j].line[s].y);
				free(cs->c[i].m[j].line[s].rexp);
			}
			free(cs->c[i].m[j].line);
		}
		free(cs->c[i].m);
	}
	free(cs->c);
	free(cs->r);
	free(cs);
}

static bool same_points(const struct curve_line *a, const struct curve_line *b);

/* Welch's test of test line @t's round exponents against the base's @b. */
static void test_timed(const struct curve_line *b, struct curve_line *t)
{
	double tt, df;

	t->tested = false;
	t->p = t->p_adj = NAN;
	t->rdelta = NAN;
	if (!b->fit.ok || !t->fit.ok || !same_points(b, t)) {
		t->why = "not the same points, or no fit";
		return;
	}
	if (b->nrexp < 2 || t->nrexp < 2) {
		t->why = "fewer than 2 rounds a side with every point";
		return;
	}
	if (rstat_welch(b->rexp, b->nrexp, t->rexp, t->nrexp, &tt, &df, &t->p))
		return;
	t->rdelta = gsl_stats_mean(t->rexp, 1, t->nrexp) - gsl_stats_mean(b->rexp, 1, b->nrexp);
	t->tested = true;
}

/*
 * Holm over every timed exponent tested against the base in test report @s;
 * @refused: why its timed metrics are not judged against the base (another
 * machine), NULL: they are.
 */
static int judge_timed(struct curves *cs, size_t s, const char *refused)
{
	size_t total = 0, n = 0;
	struct curve_line **tested;
	double *p, *adj;
	int ret = -1;

	for (size_t i = 0; i < cs->n; i++)
		total += cs->c[i].nm;
	tested = calloc(total + 1, sizeof(*tested));
	p = calloc(total + 1, sizeof(*p));
	adj = calloc(total + 1, sizeof(*adj));
	if (!tested || !p || !adj)
		goto out;
	for (size_t i = 0; i < cs->n; i++)
		for (size_t j = 0; j < cs->c[i].nm; j++) {
			struct curve_metric *m = &cs->c[i].m[j];
			struct curve_line *t = &m->line[s];

			if (m->kind != MK_TIMED)
				continue;
			test_timed(&m->line[0], t);
			if (refused && t->tested) {
				t->tested = false;
				t->why = refused;
			}
			if (t->tested) {
				p[n] = t->p;
				tested[n++] = t;
			}
		}
	if (n)
		rstat_holm_adjust(p, n, adj);
	for (size_t k = 0; k < n; k++)
		tested[k]->p_adj = adj[k];
	ret = 0;
out:
	free(tested);
	free(p);
	free(adj);
	return ret;
}

static struct curves *curves_make(const struct report *const *r, size_t nr,
				  const char *const *refused)
{
	struct curves *cs = calloc(1, sizeof(*cs));

	if (!cs || !(cs->r = calloc(nr, sizeof(*cs->r))))
		goto fail;
	memcpy(cs->r, r, nr * sizeof(*r));
	cs->nr = nr;
	for (size_t i = 0; i < r[0]->nwl; i++)
		if (r[0]->wl[i].sweep_wl && curve_add(cs, &r[0]->wl[i]))
			goto fail;
	for (size_t s = 1; s < nr; s++)
		if (judge_timed(cs, s, refused ? refused[s] : NULL))
			goto fail;
	return cs;
fail:
	curves_free(cs);
	return NULL;
}

struct curves *curves_build(const struct report *const *r, size_t nr)
{
	return curves_make(r, nr, NULL);
}

struct curves *curves_of_comparison(const struct comparison *c)
{
	const struct report **r = calloc(c->ntests + 1, sizeof(*r));
	const char **refused = calloc(c->ntests + 1, sizeof(*refused));
	struct curves *cs = NULL;

	if (!r || !refused)
		goto out;
	r[0] = c->base;
	for (size_t i = 0; i < c->ntests; i++) {
		r[i + 1] = c->tests[i].test;
		/* timed exponents only against the base, as the base's own machine's */
		if (c->tests[i].tbase != c->base)
			refused[i + 1] = "timed metrics of this report are not judged against the base "
					 "(another machine, or refused: see the comparison)";
	}
	cs = curves_make(r, c->ntests + 1, refused);
out:
	free(r);
	free(refused);
	return cs;
}

static bool same_points(const struct curve_line *a, const struct curve_line *b)
{
	if (a->n != b->n || a->npoints != b->npoints)
		return false;
	for (size_t i = 0; i < a->n; i++)
		if (a->x[i] != b->x[i])
			return false;
	return true;
}

const char *curve_change(const struct curve_metric *m, size_t i, bool *judged)
{
	const struct curve_line *b = &m->line[0], *t = &m->line[i];
	double d;

	*judged = false;
	if (m->kind == MK_TIMED) {
		if (!t->tested)
			return NULL;
		*judged = true;
		if (!(t->p_adj < CURVE_TIMED_ALPHA) || !(fabs(t->rdelta) > CURVE_TIMED_DELTA))
			return NULL;
		return t->rdelta > 0 ? "steeper" : "flatter";
	}
	if (!b->fit.ok || !t->fit.ok || !same_points(b, t))
		return NULL;
	d = t->fit.exponent - b->fit.exponent;
	if (m->kind != MK_EXACT)
		return NULL;
	*judged = true;
	if (fabs(d) <= CURVE_EXACT_DELTA)
		return NULL;
	return d > 0 ? "steeper" : "flatter";
}

static json_t *json_real_or_null(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

static json_t *line_json(const struct curve_line *l)
{
	json_t *pts = json_array();

	for (size_t i = 0; i < l->n; i++)
		json_array_append_new(pts, json_pack("[o, o]", json_num(l->x[i]), json_num(l->y[i])));
	json_t *o = json_pack("{s:s, s:o, s:I, s:o, s:o, s:I}", "label", l->label, "points", pts,
			      "sweep_points", (json_int_t)l->npoints,
			      "exponent", json_real_or_null(l->fit.exponent),
			      "r2", json_real_or_null(l->fit.r2), "fit_points", (json_int_t)l->fit.used);

	if (!l->fit.ok)
		json_object_set_new(o, "reason", json_string(l->fit.why));
	if (l->rexp) {
		json_t *re = json_array();

		for (size_t i = 0; i < l->nrexp; i++)
			json_array_append_new(re, json_real(l->rexp[i]));
		json_object_set_new(o, "round_exponents", re);
		json_object_set_new(o, "rounds", json_integer((json_int_t)l->nrounds));
	}
	return o;
}

static json_t *metric_json(const struct curves *cs, const struct curve_metric *m)
{
	json_t *lines = json_array(), *changes = json_array();

	for (size_t s = 0; s < cs->nr; s++)
		json_array_append_new(lines, line_json(&m->line[s]));
	for (size_t s = 1; s < cs->nr; s++) {
		const struct curve_line *b = &m->line[0], *t = &m->line[s];
		bool judged;
		const char *ch = curve_change(m, s, &judged);
		double d = b->fit.ok && t->fit.ok ? t->fit.exponent - b->fit.exponent : NAN;

		json_t *o = json_pack("{s:s, s:o, s:b, s:s}", "test", t->label,
				      "delta", json_real_or_null(d), "judged", judged, "verdict",
				      !judged ? "not judged" : ch ? ch : "unchanged");

		if (m->kind == MK_TIMED) {
			json_object_set_new(o, "round_delta", json_real_or_null(t->rdelta));
			json_object_set_new(o, "p", json_real_or_null(t->tested ? t->p : NAN));
			json_object_set_new(o, "p_adj", json_real_or_null(t->tested ? t->p_adj : NAN));
			if (!t->tested && t->why)
				json_object_set_new(o, "reason", json_string(t->why));
		}
		json_array_append_new(changes, o);
	}
	return json_pack("{s:s, s:s, s:s, s:s, s:b, s:o, s:o}", "name", m->name,
			 "kind", kind_name(m->kind), "better", better_name(m->better),
			 "unit", m->unit ? m->unit : "", "shown", m->shown, "kernels", lines,
			 "changes", changes);
}

json_t *curves_json(const struct curves *cs)
{
	json_t *a;

	if (!cs || !cs->n)
		return NULL;
	a = json_array();
	for (size_t i = 0; i < cs->n; i++) {
		json_t *ms = json_array();

		for (size_t j = 0; j < cs->c[i].nm; j++)
			json_array_append_new(ms, metric_json(cs, &cs->c[i].m[j]));
		json_array_append_new(a, json_pack("{s:s, s:s, s:f, s:f, s:f, s:o}", "workload",
				      cs->c[i].workload, "param", cs->c[i].param,
				      "exact_delta", CURVE_EXACT_DELTA, "timed_delta",
				      CURVE_TIMED_DELTA, "timed_alpha", CURVE_TIMED_ALPHA,
				      "metrics", ms));
	}
	return a;
}

static bool any_change(const struct curves *cs, const struct curve_metric *m)
{
	bool judged;

	for (size_t s = 1; s < cs->nr; s++)
		if (curve_change(m, s, &judged))
			return true;
	return false;
}

/* In the tables: shown metrics, any whose curve changed, every one with -v. */
static bool listed(const struct curves *cs, const struct curve_metric *m, int verbose)
{
	return m->shown || verbose || any_change(cs, m);
}

static const char *fmt_exp(char *b, size_t len, const struct curve_line *l)
{
	if (!l->fit.ok)
		return "n/a";
	snprintf(b, len, "%.3f", l->fit.exponent);
	return b;
}

static void points_list(const struct curve_line *l, char *buf, size_t len)
{
	char n[32];

	buf[0] = 0;
	for (size_t i = 0; i < l->n && strlen(buf) + 24 < len; i++)
		snprintf(buf + strlen(buf), len - strlen(buf), "%s%s", i ? ", " : "",
			 fmt_num(n, sizeof(n), l->x[i]));
}

void curves_print(const struct curves *cs, FILE *out, int verbose)
{
	char b[32], pts[256];

	if (!cs || !cs->n)
		return;
	fprintf(out, "\ncurves: growth exponent = least-squares slope of log(metric) over log(parameter); "
		"exact: a change beyond %.2f is flagged; timed: fitted per round, flagged when "
		"Welch's test on the round exponents (Holm) gives p < %.2f and they differ by more "
		"than %.2f; never gating\n", CURVE_EXACT_DELTA, CURVE_TIMED_ALPHA, CURVE_TIMED_DELTA);
	for (size_t i = 0; i < cs->n; i++) {
		const struct curve *cv = &cs->c[i];

		points_list(&cv->m[0].line[0], pts, sizeof(pts));
		fprintf(out, "%s over %s (%s)\n  %-40s", cv->workload, cv->param, pts, "metric");
		for (size_t s = 0; s < cs->nr; s++)
			fprintf(out, " %14.14s", cs->r[s]->label);
		fputc('\n', out);
		for (size_t j = 0; j < cv->nm; j++) {
			const struct curve_metric *m = &cv->m[j];

			if (!listed(cs, m, verbose))
				continue;
			fprintf(out, "  %-40s", m->name);
			for (size_t s = 0; s < cs->nr; s++) {
				bool judged;
				const char *ch = s ? curve_change(m, s, &judged) : NULL;

				fprintf(out, " %14s", fmt_exp(b, sizeof(b), &m->line[s]));
				if (ch)
					fprintf(out, " %s", ch);
			}
			fprintf(out, "%s\n", m->kind == MK_TIMED ? "  (timed)" : "");
		}
	}
}

/* How exponents are fitted and judged: summary.md and index.html say it alike. */
static void curves_method(struct sbuf *b)
{
	sbuf_printf(b, "Growth exponent: least-squares slope of log(metric) over log(parameter), "
		    "over the points with both above 0. Exact metrics: a change beyond %.2f is "
		    "flagged. Timed metrics: an exponent per round (its point medians), flagged "
		    "when Welch's test on the round exponents (Holm over the test's timed "
		    "exponents) gives p < %.2f and they differ by more than %.2f; with fewer than 2 "
		    "rounds a side, not judged. A changed curve does not gate: each point is "
		    "compared as a workload.", CURVE_EXACT_DELTA, CURVE_TIMED_ALPHA,
		    CURVE_TIMED_DELTA);
}

void curves_html(const struct curves *cs, struct sbuf *h)
{
	struct sbuf method = { 0 };
	char b[32], pts[256];

	if (!cs || !cs->n)
		return;
	curves_method(&method);
	sbuf_puts(h, "<p>");
	sbuf_html(h, method.s);
	sbuf_puts(h, "</p>\n");
	sbuf_free(&method);
	for (size_t i = 0; i < cs->n; i++) {
		const struct curve *cv = &cs->c[i];

		points_list(&cv->m[0].line[0], pts, sizeof(pts));
		sbuf_puts(h, "<h3>");
		sbuf_html(h, cv->workload);
		sbuf_puts(h, " over ");
		sbuf_html(h, cv->param);
		sbuf_printf(h, " (%s)</h3>\n<table><tr><th class=\"l\">metric</th><th class=\"l\">kind</th>",
			    pts);
		for (size_t s = 0; s < cs->nr; s++) {
			sbuf_puts(h, "<th>");
			sbuf_html(h, cs->r[s]->label);
			sbuf_puts(h, "</th>");
		}
		sbuf_puts(h, "</tr>\n");
		for (size_t j = 0; j < cv->nm; j++) {
			const struct curve_metric *m = &cv->m[j];

			if (!listed(cs, m, 0))
				continue;
			sbuf_puts(h, "<tr><td class=\"l\">");
			sbuf_html(h, m->name);
			sbuf_printf(h, "</td><td class=\"l\">%s</td>", kind_name(m->kind));
			for (size_t s = 0; s < cs->nr; s++) {
				bool judged;
				const char *ch = s ? curve_change(m, s, &judged) : NULL;

				sbuf_printf(h, "<td>%s%s%s%s</td>", fmt_exp(b, sizeof(b), &m->line[s]),
					    ch ? " <b>" : "", ch ? ch : "", ch ? "</b>" : "");
			}
			sbuf_puts(h, "</tr>\n");
		}
		sbuf_puts(h, "</table>\n");
	}
}

void curves_md(const struct curves *cs, struct sbuf *md)
{
	char b[32], pts[256];

	if (!cs || !cs->n)
		return;
	sbuf_puts(md, "\n## Cost curves\n\n");
	curves_method(md);
	sbuf_puts(md, "\n");
	for (size_t i = 0; i < cs->n; i++) {
		const struct curve *cv = &cs->c[i];

		points_list(&cv->m[0].line[0], pts, sizeof(pts));
		sbuf_printf(md, "\n### %s over %s (%s)\n\n| metric | kind |", cv->workload,
			    cv->param, pts);
		for (size_t s = 0; s < cs->nr; s++) {
			sbuf_puts(md, " ");
			sbuf_md(md, cs->r[s]->label);
			sbuf_puts(md, " |");
		}
		sbuf_puts(md, "\n|---|---|");
		for (size_t s = 0; s < cs->nr; s++)
			sbuf_puts(md, "---:|");
		sbuf_puts(md, "\n");
		for (size_t j = 0; j < cv->nm; j++) {
			const struct curve_metric *m = &cv->m[j];

			if (!listed(cs, m, 0))
				continue;
			sbuf_puts(md, "| ");
			sbuf_md(md, m->name);
			sbuf_printf(md, " | %s |", kind_name(m->kind));
			for (size_t s = 0; s < cs->nr; s++) {
				bool judged;
				const char *ch = s ? curve_change(m, s, &judged) : NULL;

				sbuf_printf(md, " %s%s%s%s |", fmt_exp(b, sizeof(b), &m->line[s]),
					    ch ? " **" : "", ch ? ch : "", ch ? "**" : "");
			}
			sbuf_puts(md, "\n");
		}
	}
}

/* ---- hooks -------------------------------------------------------------- */

void curves_hook_json(const struct comparison *c, json_t *root)
{
	struct curves *cs = curves_of_comparison(c);
	json_t *j = curves_json(cs);

	if (j)
		json_object_set_new(root, "curves", j);
	curves_free(cs);
}

void curves_hook_md(const struct comparison *c, struct sbuf *md)
{
	struct curves *cs = curves_of_comparison(c);

	curves_md(cs, md);
	curves_free(cs);
}

void curves_hook_html(const struct comparison *c, struct sbuf *h)
{
	struct curves *cs = curves_of_comparison(c);

	curves_html(cs, h);
	curves_free(cs);
}

void curves_hook_print(const struct comparison *c, FILE *out)
{
	struct curves *cs = curves_of_comparison(c);

	curves_print(cs, out, c->verbose);
	curves_free(cs);
}
