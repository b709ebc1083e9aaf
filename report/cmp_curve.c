// SPDX-License-Identifier: GPL-2.0
/*
 * Cost curves (cmp_curve.h): a sweep's points per metric and report, the
 * growth exponent of each (gsl_fit_linear on log-log), and how a test's
 * exponent differs from the base's. Exact metrics: a change beyond
 * CURVE_EXACT_DELTA is a change of the curve. Timed metrics: shown, never
 * judged here (each point is judged as an ordinary workload by compare).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_fit.h>

#include "cmp_curve.h"
#include "cmp_model.h"

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

static int fill_line(const struct report *r, const struct curve *cv, struct curve_line *l,
		     const char *metric)
{
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
	return 0;
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
			if (fill_line(cs->r[s], cv, &cv->m[j].line[s], cv->m[j].name))
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
			}
			free(cs->c[i].m[j].line);
		}
		free(cs->c[i].m);
	}
	free(cs->c);
	free(cs->r);
	free(cs);
}

struct curves *curves_build(const struct report *const *r, size_t nr)
{
	struct curves *cs = calloc(1, sizeof(*cs));

	if (!cs || !(cs->r = calloc(nr, sizeof(*cs->r))))
		goto fail;
	memcpy(cs->r, r, nr * sizeof(*r));
	cs->nr = nr;
	for (size_t i = 0; i < r[0]->nwl; i++)
		if (r[0]->wl[i].sweep_wl && curve_add(cs, &r[0]->wl[i]))
			goto fail;
	return cs;
fail:
	curves_free(cs);
	return NULL;
}

struct curves *curves_of_comparison(const struct comparison *c)
{
	const struct report **r = calloc(c->ntests + 1, sizeof(*r));
	struct curves *cs;

	if (!r)
		return NULL;
	r[0] = c->base;
	for (size_t i = 0; i < c->ntests; i++)
		r[i + 1] = c->tests[i].test;
	cs = curves_build(r, c->ntests + 1);
	free(r);
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

		json_array_append_new(changes, json_pack("{s:s, s:o, s:b, s:s}", "test", t->label,
				      "delta", json_real_or_null(d), "judged", judged, "verdict",
				      !judged ? "not judged" : ch ? ch : "unchanged"));
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
		json_array_append_new(a, json_pack("{s:s, s:s, s:f, s:o}", "workload",
				      cs->c[i].workload, "param", cs->c[i].param,
				      "exact_delta", CURVE_EXACT_DELTA, "metrics", ms));
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
		"exact: a change beyond %.2f is flagged; timed: shown, not judged\n", CURVE_EXACT_DELTA);
	for (size_t i = 0; i < cs->n; i++) {
		const struct curve *cv = &cs->c[i];

		points_list(&cv->m[0].line[0], pts, sizeof(pts));
		fprintf(out, "%s over %s (%s)\n  %-40s", cv->workload, cv->param, pts, "metric");
		for (size_t s = 0; s < cs->nr; s++)
			fprintf(out, " %14.14s", cs->r[s]->label);
		fputc('\n', out);
		for (size_t j = 0; j < cv->nm; j++) {
			const struct curve_metric *m = &cv->m[j];

			if (!m->shown && !any_change(cs, m) && !verbose)
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

void curves_md(const struct curves *cs, struct sbuf *md)
{
	char b[32], pts[256];

	if (!cs || !cs->n)
		return;
	sbuf_printf(md, "\n## Cost curves\n\nGrowth exponent: least-squares slope of log(metric) "
		    "over log(parameter), over the points with both above 0. Exact metrics: a "
		    "change beyond %.2f is flagged; timed: shown, not judged (each point is "
		    "compared as a workload above).\n", CURVE_EXACT_DELTA);
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

			if (!m->shown && !any_change(cs, m))
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

void curves_hook_print(const struct comparison *c, FILE *out)
{
	struct curves *cs = curves_of_comparison(c);

	curves_print(cs, out, c->verbose);
	curves_free(cs);
}
