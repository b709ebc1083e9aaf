// SPDX-License-Identifier: GPL-2.0
/*
 * Text outputs of a comparison: the terminal table (in the spirit of
 * mmtests' compare-kernels: one column per kernel, changes in % of the
 * base, significant changes marked) and summary.md for a CI job summary.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmp_output.h"
#include "noise.h"

#define NAME_MAX_W 44

static const char *mark(enum verdict v)
{
	switch (v) {
	case VD_REGRESSION: return "*R";
	case VD_IMPROVEMENT: return "*I";
	case VD_CHANGED: return "*C";
	case VD_NOT_JUDGED: return " ~";
	case VD_UNAVAILABLE: return "--";
	default: return "  ";
	}
}

/* Value shown for one side: exact value or timed median. */
static double shown_value(const struct metric_cmp *mc, bool base)
{
	if (mc->verdict == VD_UNAVAILABLE)
		return NAN;
	if (mc->kind == MK_EXACT)
		return base ? mc->eb.value : mc->et.value;
	return base ? mc->t.base.median : mc->t.test.median;
}

static double shown_change(const struct metric_cmp *mc)
{
	if (mc->verdict == VD_UNAVAILABLE)
		return NAN;
	if (mc->verdict == VD_NOT_JUDGED && !mc->have_change)
		return NAN;
	return mc->kind == MK_EXACT ? mc->delta_pct : mc->t.change_pct;
}

/* A value cell's text: "0 (absent)" where the cache does not exist on that side. */
static const char *shown_text(char *buf, size_t len, const struct metric_cmp *mc, bool base,
			      double v)
{
	if (absent_on(mc, base)) {
		snprintf(buf, len, "0 (absent)");
		return buf;
	}
	return fmt_metric(buf, len, mc->unit, v);
}

struct table_layout {
	int name_w;
	int col_w;
};

static const struct metric_cmp *find_row(const struct test_cmp *t,
					 const struct workload_data *bw,
					 const char *metric,
					 const struct workload_cmp **wcp)
{
	size_t i, j;

	for (i = 0; i < t->nw; i++) {
		if (t->w[i].base != bw)
			continue;
		*wcp = &t->w[i];
		for (j = 0; j < t->w[i].nm; j++)
			if (!strcmp(t->w[i].m[j].name, metric))
				return &t->w[i].m[j];
		return NULL;
	}
	*wcp = NULL;
	return NULL;
}

static void layout(const struct comparison *c, struct table_layout *l)
{
	size_t i, j, k;
	int w;

	l->name_w = 20;
	l->col_w = 14;
	for (i = 0; i < c->ntests; i++)
		for (j = 0; j < c->tests[i].nw; j++)
			for (k = 0; k < c->tests[i].w[j].nm; k++) {
				w = (int)strlen(c->tests[i].w[j].m[k].name);
				if (w > l->name_w)
					l->name_w = w > NAME_MAX_W ? NAME_MAX_W : w;
			}
	for (i = 0; i <= c->ntests; i++) {
		const struct report *r = i ? c->tests[i - 1].test : c->base;

		w = (int)strlen(r->label);
		if (w > l->col_w)
			l->col_w = w > 24 ? 24 : w;
	}
}

static void print_header_row(const struct comparison *c,
			     const struct table_layout *l,
			     const struct workload_data *bw, FILE *out)
{
	size_t i;

	fprintf(out, "\n%s  %s\n", bw->name, bw->params_str);
	fprintf(out, "  %-*s %-6s %*.*s", l->name_w, "", "", l->col_w, l->col_w,
		c->base->label);
	for (i = 0; i < c->ntests; i++)
		fprintf(out, "  %*.*s %11s  ", l->col_w, l->col_w,
			c->tests[i].test->label, "");
	fputc('\n', out);
}

static void print_cell(const struct table_layout *l, const struct metric_cmp *mc,
		       double v, double pct, FILE *out)
{
	char vb[32], pb[32], cell[48];

	if (!mc) {
		fprintf(out, "  %*s %11s  ", l->col_w, "-", "");
		return;
	}
	shown_text(vb, sizeof(vb), mc, false, v);
	if (isnan(pct))
		snprintf(cell, sizeof(cell), "%11s", mc->verdict == VD_NOT_JUDGED ? "(not judged)" : "");
	else
		snprintf(cell, sizeof(cell), "(%9s)", fmt_pct(pb, sizeof(pb), pct));
	fprintf(out, "  %*s %s%s", l->col_w, vb, cell, mark(mc->verdict));
}

static const struct metric_cmp *first_row(const struct comparison *c,
					  const struct workload_data *bw,
					  const char *metric)
{
	const struct workload_cmp *wc;
	const struct metric_cmp *mc, *first = NULL;
	size_t i;

	/*
	 * prefer a row with values: the base column is the same in all but
	 * the timed rows of tests judged against another report of their
	 * machine (those hold that report's values)
	 */
	for (i = 0; i < c->ntests; i++) {
		if (c->tests[i].tbase && c->tests[i].tbase != c->base)
			continue;
		mc = find_row(&c->tests[i], bw, metric, &wc);
		if (mc && mc->verdict != VD_UNAVAILABLE)
			return mc;
		if (mc && !first)
			first = mc;
	}
	for (i = 0; i < c->ntests && !first; i++)
		first = find_row(&c->tests[i], bw, metric, &wc);
	return first;
}

/* One line per statistic; @stat selects what the cells show. */
enum row_stat { RS_MAIN, RS_MEAN, RS_SD, RS_COV, RS_MIN, RS_MAX, RS_N };

static double stat_of(const struct metric_cmp *mc, bool base, enum row_stat s)
{
	const struct rstat_summary *r = base ? &mc->t.base : &mc->t.test;

	if (mc->verdict == VD_UNAVAILABLE)
		return NAN;
	switch (s) {
	case RS_MEAN: return r->mean;
	case RS_SD: return r->sd;
	case RS_COV: return r->cov * 100;
	case RS_MIN: return r->min;
	case RS_MAX: return r->max;
	case RS_N: return (double)r->n;
	default: return shown_value(mc, base);
	}
}

static void print_stat_row(const struct comparison *c, const struct table_layout *l,
			   const struct workload_data *bw, const char *metric,
			   enum row_stat s, FILE *out)
{
	static const char *const names[] = { "", "mean", "stddev", "cov%", "min", "max", "n" };
	const struct metric_cmp *any = first_row(c, bw, metric), *mc;
	const struct workload_cmp *wc;
	char vb[32];
	size_t i;

	fprintf(out, "  %-*.*s %-6s %*s", l->name_w, l->name_w,
		s == RS_MAIN ? metric : "",
		s == RS_MAIN ? (any->kind == MK_EXACT ? "exact" :
				any->headline ? "med H" : "median") : names[s],
		l->col_w, s == RS_MAIN ? shown_text(vb, sizeof(vb), any, true, shown_value(any, true)) :
		fmt_metric(vb, sizeof(vb), any->unit, stat_of(any, true, s)));
	for (i = 0; i < c->ntests; i++) {
		mc = find_row(&c->tests[i], bw, metric, &wc);
		if (s == RS_MAIN)
			print_cell(l, mc, mc ? shown_value(mc, false) : NAN,
				   mc ? shown_change(mc) : NAN, out);
		else
			fprintf(out, "  %*s %11s  ", l->col_w,
				mc ? fmt_num(vb, sizeof(vb), stat_of(mc, false, s)) : "-", "");
	}
	fputc('\n', out);
}

static void print_test_detail(const struct comparison *c, const struct table_layout *l,
			      const struct workload_data *bw, const char *metric,
			      FILE *out)
{
	const struct workload_cmp *wc;
	const struct metric_cmp *mc;
	char lo[32], hi[32];
	size_t i;

	for (i = 0; i < c->ntests; i++) {
		mc = find_row(&c->tests[i], bw, metric, &wc);
		if (!mc || (!mc->have_timed && !mc->reason[0]))
			continue;
		fprintf(out, "  %-*s   [%s] ", l->name_w, "", c->tests[i].test->label);
		if (mc->have_timed)
			fprintf(out, "rounds %zu/%zu, round CoV %.1f%%/%.1f%%, Welch t=%.2f df=%.1f p=%.4f adjusted %.4f (%s over %zu) %g%% CI [%s, %s] threshold %g%% MDE %.1f%%",
				mc->t.rbase.n, mc->t.rtest.n, mc->t.rbase.cov * 100,
				mc->t.rtest.cov * 100, mc->t.t, mc->t.df, mc->t.p, mc->p_adj,
				correction_name(c->cfg.correction), mc->family_m,
				c->cfg.stat.confidence * 100,
				fmt_pct(lo, sizeof(lo), mc->t.ci_lo_pct),
				fmt_pct(hi, sizeof(hi), mc->t.ci_hi_pct), mc->threshold_pct,
				mc->mde_pct);
		fprintf(out, "%s%s\n", mc->have_timed && mc->reason[0] ? "; " : "", mc->reason);
	}
}

static void print_metric(const struct comparison *c, const struct table_layout *l,
			 const struct workload_data *bw, const char *metric,
			 FILE *out)
{
	const struct metric_cmp *any = first_row(c, bw, metric);
	enum row_stat s;

	print_stat_row(c, l, bw, metric, RS_MAIN, out);
	if (c->verbose && any->kind == MK_TIMED) {
		for (s = RS_MEAN; s <= RS_N; s++)
			print_stat_row(c, l, bw, metric, s, out);
	}
	if (c->verbose)
		print_test_detail(c, l, bw, metric, out);
}

/* Metric names of a base workload over all tests, in first-seen order. */
static void print_workload(const struct comparison *c, const struct table_layout *l,
			   const struct workload_data *bw, FILE *out)
{
	const struct workload_cmp *wc;
	size_t i, j, k;

	print_header_row(c, l, bw, out);
	for (i = 0; i < c->ntests; i++) {
		find_row(&c->tests[i], bw, "", &wc);
		if (wc && wc->reason)
			fprintf(out, "  [%s] %s\n", c->tests[i].test->label, wc->reason);
	}
	for (i = 0; i < c->ntests; i++) {
		find_row(&c->tests[i], bw, "", &wc);
		for (j = 0; wc && j < wc->nm; j++) {
			bool seen = false;

			/* printed already under an earlier test? */
			for (k = 0; k < i && !seen; k++) {
				const struct workload_cmp *ow;

				seen = find_row(&c->tests[k], bw, wc->m[j].name, &ow) != NULL;
			}
			if (!seen)
				print_metric(c, l, bw, wc->m[j].name, out);
		}
	}
}

static bool workload_compared(const struct comparison *c,
			      const struct workload_data *bw)
{
	const struct workload_cmp *wc;
	size_t i;

	for (i = 0; i < c->ntests; i++) {
		find_row(&c->tests[i], bw, "", &wc);
		if (wc)
			return true;
	}
	return false;
}

/* One line per machine group: fingerprint, machine, members, timed base. */
static void print_groups(const struct comparison *c, FILE *out)
{
	char desc[512];
	size_t i, j;

	if (c->ngroups < 2)
		return;
	fprintf(out, "%zu machines: exact metrics compared against the base on all, timed metrics only within a machine, against its first report:\n",
		c->ngroups);
	for (i = 0; i < c->ngroups; i++) {
		const struct machine_group *g = &c->groups[i];

		fprintf(out, "  machine %s (%s): ", g->fp, machine_desc(g->r[0], desc, sizeof(desc)));
		for (j = 0; j < g->n; j++)
			fprintf(out, "%s%s", j ? ", " : "", g->r[j]->label);
		fprintf(out, "; timed base %s\n", g->r[0]->label);
	}
}

static void print_preamble(const struct comparison *c, FILE *out)
{
	char note[700];
	size_t i;

	fprintf(out, "rmapbench compare: base %s (%s)\n", c->base->label, c->base->path);
	for (i = 0; i < c->ntests; i++) {
		const struct test_cmp *t = &c->tests[i];

		fprintf(out, "  test %zu: %s (%s)", i + 1, t->test->label, t->test->path);
		if (t->tbase && t->tbase != c->base)
			fprintf(out, ", timed vs %s", t->tbase->label);
		else if (!t->tbase)
			fprintf(out, ", timed not judged");
		fputc('\n', out);
		if (env_note(c, t, note, sizeof(note)))
			fprintf(out, "  NOTE [%s]: %s\n", t->test->label, note);
	}
	print_groups(c, out);
	fprintf(out, "timed: median, change %% of base median; judged per round (median of each round's reps): flagged when Welch's t on log round medians gives %s-adjusted p < %g and the %g%% interval clears the threshold (%g%% default); only headline metrics (marked H) gate\n",
		correction_name(c->cfg.correction), c->cfg.stat.alpha,
		c->cfg.stat.confidence * 100, c->cfg.stat.threshold_pct);
	for (size_t i = 0; i < c->nnoise; i++)
		fprintf(out, "run-to-run drift: calibrated from %zu A/A runs (%s%s%s), added to %zu judged timed metric(s)\n",
			c->noise[i].runs, c->noise[i].path, c->nnoise > 1 ? ", machine " : "",
			c->nnoise > 1 && c->noise[i].fp ? c->noise[i].fp : "",
			drift_applied_by(c, &c->noise[i]));
	for (size_t i = 0; c->nnoise && i < c->ntests; i++)
		if (!c->tests[i].noise)
			fprintf(out, "run-to-run drift: none for [%s] (machine %s): judged without it\n",
				c->tests[i].test->label, c->tests[i].test->fp);
}

static void print_footer(const struct comparison *c, FILE *out)
{
	char note[1024];
	size_t i;

	fputc('\n', out);
	for (i = 0; i < c->ntests; i++) {
		const struct test_cmp *t = &c->tests[i];
		size_t j;

		for (j = 0; j < t->nu; j++)
			fprintf(out, "%s\n", unmatched_note(&t->u[j], note, sizeof(note)));
		fprintf(out, "[%s] %zu regression(s) (%zu gated), %zu improvement(s), %zu changed, %zu unchanged, %zu not judged, %zu unavailable%s\n",
			t->test->label, t->count[VD_REGRESSION], t->gated_regressions,
			t->count[VD_IMPROVEMENT], t->count[VD_CHANGED],
			t->count[VD_UNCHANGED], t->count[VD_NOT_JUDGED],
			t->count[VD_UNAVAILABLE],
			t->failed_workloads ? ", FAILED workload(s) in test" : "");
		if (power_note(c, t, note, sizeof(note)))
			fprintf(out, "  WARNING [%s]: %s\n", t->test->label, note);
		if (mde_note(t, note, sizeof(note)))
			fprintf(out, "  [%s] %s\n", t->test->label, note);
		if (c->verbose && reach_note(c, t, note, sizeof(note)))
			fprintf(out, "  [%s] %s\n", t->test->label, note);
		if (env_note(c, t, note, sizeof(note)))
			fprintf(out, "  NOTE [%s]: %s\n", t->test->label, note);
		if (t->count[VD_UNAVAILABLE] && !c->verbose)
			fprintf(out, "  (-v, summary.md or index.html say why each unavailable metric is)\n");
	}
	fprintf(out, "marks: *R regression  *I improvement  *C changed (no better direction)  ~ not judged  -- unavailable\n");
	fprintf(out, "verdict: %s (exit %d); details: %s/index.html\n",
		any_gated_regression(c) ? "REGRESSION" : "no regression",
		any_gated_regression(c) ? 1 : 0, c->outdir);
}

void print_table(const struct comparison *c, FILE *out)
{
	struct table_layout l;
	size_t i;

	layout(c, &l);
	print_preamble(c, out);
	for (i = 0; i < c->base->nwl; i++)
		if (workload_compared(c, &c->base->wl[i]))
			print_workload(c, &l, &c->base->wl[i], out);
	print_footer(c, out);
}

/* ---- summary.md ---------------------------------------------------------- */

static void md_value(struct sbuf *md, const struct metric_cmp *mc, bool base)
{
	char b[32];

	sbuf_puts(md, shown_text(b, sizeof(b), mc, base, shown_value(mc, base)));
	if (mc->kind == MK_TIMED && !absent_on(mc, base)) {
		const struct rstat_summary *s = base ? &mc->t.base : &mc->t.test;

		if (!isnan(s->cov))
			sbuf_printf(md, " ±%.1f%%", s->cov * 100);
		sbuf_printf(md, " n=%zu", s->n);
	}
}

static void md_row(struct sbuf *md, const struct workload_cmp *wc,
		   const struct metric_cmp *mc)
{
	char a[32], b[32], d[32];

	sbuf_puts(md, "| ");
	sbuf_md(md, wc->base->name);
	sbuf_puts(md, " | ");
	sbuf_md(md, mc->name);
	sbuf_puts(md, " | ");
	sbuf_md(md, mc->unit);
	sbuf_printf(md, " (%s) | ", mc->kind == MK_EXACT ? "exact" : "median");
	md_value(md, mc, true);
	sbuf_puts(md, " | ");
	md_value(md, mc, false);
	sbuf_puts(md, " | ");
	if (mc->kind == MK_EXACT) {
		sbuf_printf(md, "%+g (%s) | ", mc->delta,
			    fmt_pct(a, sizeof(a), mc->delta_pct));
	} else {
		sbuf_printf(md, "%s | ", fmt_pct(a, sizeof(a), mc->t.change_pct));
		if (mc->t.ci_valid)
			sbuf_printf(md, "[%s, %s] ", fmt_pct(b, sizeof(b), mc->t.ci_lo_pct),
				    fmt_pct(d, sizeof(d), mc->t.ci_hi_pct));
		if (mc->have_timed)
			sbuf_printf(md, "p=%.3g (adj. %.3g), MDE %.1f%%", mc->t.p, mc->p_adj,
				    mc->mde_pct);
		sbuf_puts(md, mc->reason[0] ? "; " : "");
	}
	sbuf_md(md, mc->reason);
	sbuf_printf(md, " | %s |\n", mc->gated ? "yes" : "no");
}

static size_t md_section(struct sbuf *md, const struct comparison *c,
			 const struct test_cmp *t, enum verdict v)
{
	size_t i, j, n = t->count[v];

	if (!n)
		return 0;
	sbuf_printf(md, "\n### %s (%zu)\n\n", verdict_title(v), n);
	sbuf_puts(md, "| workload | metric | unit | base");
	if (t->tbase && t->tbase != c->base) {
		sbuf_puts(md, " (timed: ");
		sbuf_md(md, t->tbase->label);
		sbuf_puts(md, ")");
	}
	sbuf_puts(md, " | test | change | CI, p, notes | gates CI |\n");
	sbuf_puts(md, "|---|---|---|---:|---:|---:|---|---|\n");
	for (i = 0; i < t->nw; i++)
		for (j = 0; j < t->w[i].nm; j++)
			if (t->w[i].m[j].verdict == v)
				md_row(md, &t->w[i], &t->w[i].m[j]);
	return n;
}

#define MD_NAMES_MAX 24

/* Rows of verdict @v with this reason, as "workload/metric, ..." */
static void md_reason_group(struct sbuf *md, const struct test_cmp *t,
			    enum verdict v, const char *reason)
{
	size_t i, j, k = 0;

	for (i = 0; i < t->nw; i++) {
		for (j = 0; j < t->w[i].nm; j++) {
			const struct metric_cmp *mc = &t->w[i].m[j];

			if (mc->verdict != v || strcmp(mc->reason, reason))
				continue;
			if (k < MD_NAMES_MAX) {
				sbuf_puts(md, k ? ", " : "");
				sbuf_md(md, t->w[i].base->name);
				sbuf_puts(md, "/");
				sbuf_md(md, mc->name);
			}
			k++;
		}
	}
	if (k > MD_NAMES_MAX)
		sbuf_printf(md, " and %zu more", k - MD_NAMES_MAX);
}

/* Was this reason already listed for an earlier row of verdict @v? */
static bool reason_seen(const struct test_cmp *t, enum verdict v,
			size_t wi, size_t mi)
{
	const char *reason = t->w[wi].m[mi].reason;
	size_t i, j;

	for (i = 0; i <= wi; i++)
		for (j = 0; j < (i == wi ? mi : t->w[i].nm); j++)
			if (t->w[i].m[j].verdict == v && !strcmp(t->w[i].m[j].reason, reason))
				return true;
	return false;
}

/* Rows of verdict @v grouped by reason: each cause is said once. */
static void md_reason_list(struct sbuf *md, const struct test_cmp *t, enum verdict v)
{
	size_t i, j;

	if (!t->count[v])
		return;
	sbuf_printf(md, "\n<details><summary>%s (%zu)</summary>\n\n", verdict_title(v),
		    t->count[v]);
	for (i = 0; i < t->nw; i++) {
		for (j = 0; j < t->w[i].nm; j++) {
			const struct metric_cmp *mc = &t->w[i].m[j];

			if (mc->verdict != v || reason_seen(t, v, i, j))
				continue;
			sbuf_puts(md, "- ");
			sbuf_md(md, mc->reason[0] ? mc->reason : "no reason given");
			sbuf_puts(md, ": ");
			md_reason_group(md, t, v, mc->reason);
			sbuf_puts(md, "\n");
		}
	}
	sbuf_puts(md, "\n</details>\n");
}

static void md_unchanged(struct sbuf *md, const struct test_cmp *t)
{
	size_t i, j, exact = 0, timed = 0;

	for (i = 0; i < t->nw; i++)
		for (j = 0; j < t->w[i].nm; j++)
			if (t->w[i].m[j].verdict == VD_UNCHANGED) {
				if (t->w[i].m[j].kind == MK_EXACT)
					exact++;
				else
					timed++;
			}
	sbuf_printf(md, "\n### %s\n\n%zu metrics unchanged (%zu exact identical, %zu timed without a significant change beyond threshold); %zu not judged; %zu unavailable.\n",
		    verdict_title(VD_UNCHANGED), exact + timed, exact, timed, t->count[VD_NOT_JUDGED],
		    t->count[VD_UNAVAILABLE]);
}

static void md_workload_problems(struct sbuf *md, const struct test_cmp *t)
{
	char note[1024];
	size_t i;

	if (!t->failed_workloads && !t->unavailable_workloads && !t->nu)
		return;
	sbuf_puts(md, "\n### Workloads not compared\n\n");
	for (i = 0; i < t->nw; i++) {
		if (!t->w[i].reason)
			continue;
		sbuf_puts(md, "- ");
		sbuf_md(md, not_compared_note(&t->w[i], note, sizeof(note)));
		sbuf_puts(md, "\n");
	}
	for (i = 0; i < t->nu; i++) {
		sbuf_puts(md, "- ");
		sbuf_md(md, unmatched_note(&t->u[i], note, sizeof(note)));
		sbuf_puts(md, "\n");
	}
}

/* What these runs can see: the MDE of every judged headline metric. */
static void md_mde(struct sbuf *md, const struct comparison *c, const struct test_cmp *t)
{
	char note[700], lo[16];
	size_t i, j;

	if (!mde_note(t, note, sizeof(note)))
		return;
	sbuf_puts(md, "\n> ");
	sbuf_md(md, note);
	if (reach_note(c, t, note, sizeof(note))) {
		sbuf_puts(md, ". ");
		sbuf_md(md, note);
		sbuf_puts(md, ".");
	}
	sbuf_puts(md, "\n\n| workload | headline metric | rounds | round CoV base/test | changes below this cannot be seen |\n|---|---|---:|---:|---:|\n");
	for (i = 0; i < t->nw; i++) {
		for (j = 0; j < t->w[i].nm; j++) {
			const struct metric_cmp *mc = &t->w[i].m[j];

			if (!mc->gated || !mc->have_timed)
				continue;
			sbuf_puts(md, "| ");
			sbuf_md(md, t->w[i].base->name);
			sbuf_puts(md, " | ");
			sbuf_md(md, mc->name);
			sbuf_printf(md, " | %zu+%zu | %.1f%%/%.1f%% | %s |\n", mc->t.rbase.n,
				    mc->t.rtest.n, mc->t.rbase.cov * 100, mc->t.rtest.cov * 100,
				    fmt_mde(lo, sizeof(lo), mc->mde_pct));
		}
	}
}

static void md_test(struct sbuf *md, const struct comparison *c,
		    const struct test_cmp *t)
{
	bool bad = t->gated_regressions || t->failed_workloads;
	char note[700];

	sbuf_puts(md, "\n## `");
	sbuf_puts(md, c->base->label);
	sbuf_puts(md, "` → `");
	sbuf_puts(md, t->test->label);
	sbuf_printf(md, "`: %s\n\n", bad ? "**REGRESSION**" : "no regression");
	sbuf_printf(md, "%s\n", counts_note(t, note, sizeof(note)));
	if (env_note(c, t, note, sizeof(note))) {
		sbuf_puts(md, "\n> **Note:** ");
		sbuf_md(md, note);
		sbuf_puts(md, "\n");
	}
	if (power_note(c, t, note, sizeof(note))) {
		sbuf_puts(md, "\n> **Warning:** ");
		sbuf_md(md, note);
		sbuf_puts(md, "\n");
	}
	md_mde(md, c, t);
	md_workload_problems(md, t);
	md_section(md, c, t, VD_REGRESSION);
	md_section(md, c, t, VD_IMPROVEMENT);
	md_section(md, c, t, VD_CHANGED);
	md_unchanged(md, t);
	md_reason_list(md, t, VD_NOT_JUDGED);
	md_reason_list(md, t, VD_UNAVAILABLE);
}

/*
 * The Machines table (summary.md, or index.html when @html): per machine
 * group its description, fingerprint, reports and timed base.
 */
void machines_table(struct sbuf *b, const struct comparison *c, bool html)
{
	void (*esc)(struct sbuf *, const char *) = html ? sbuf_html : sbuf_md;
	const char *cell = html ? "</td><td class=\"l\">" : " | ", *q = html ? "" : "`";
	char desc[512];
	size_t i, j;

	sbuf_puts(b, html ? "<h2>Machines</h2>\n<p>" : "\n## Machines\n\n");
	sbuf_puts(b, "Exact metrics are compared against the base on every machine; timed metrics only between reports of one machine (fingerprint), against its first report.");
	sbuf_puts(b, html ? "</p>\n<table><tr><th class=\"l\">machine</th><th class=\"l\">fingerprint</th><th class=\"l\">reports</th><th class=\"l\">timed base</th></tr>\n" :
		  "\n\n| machine | fingerprint | reports | timed base |\n|---|---|---|---|\n");
	for (i = 0; i < c->ngroups; i++) {
		const struct machine_group *g = &c->groups[i];

		sbuf_puts(b, html ? "<tr><td class=\"l\">" : "| ");
		esc(b, machine_desc(g->r[0], desc, sizeof(desc)));
		sbuf_printf(b, html ? "%s<code>%s</code>%s%s" : "%s`%s`%s%s", cell, g->fp,
			    i ? "" : " (base)", cell);
		for (j = 0; j < g->n; j++) {
			sbuf_printf(b, "%s%s", j ? ", " : "", q);
			esc(b, g->r[j]->label);
			sbuf_puts(b, q);
		}
		sbuf_printf(b, "%s%s", cell, q);
		esc(b, g->r[0]->label);
		sbuf_printf(b, "%s%s", q, html ? "</td></tr>\n" : " |\n");
	}
	if (html)
		sbuf_puts(b, "</table>\n");
}

int write_summary_md(const struct comparison *c, struct sbuf *md)
{
	size_t i;

	sbuf_printf(md, "# rmapbench comparison: %s\n\n",
		    any_gated_regression(c) ? "REGRESSION (exit 1)" : "no regression (exit 0)");
	sbuf_puts(md, "Base: `");
	sbuf_puts(md, c->base->label);
	sbuf_puts(md, "` (");
	sbuf_md(md, c->base->path);
	sbuf_puts(md, ")\n");
	machines_table(md, c, false);
	for (i = 0; i < c->ntests; i++)
		md_test(md, c, &c->tests[i]);
	sbuf_puts(md, "\n---\n");
	method_note(c, md);
	sbuf_puts(md, " Gate: ");
	for (i = 0; i < c->cfg.ngate; i++) {
		sbuf_puts(md, i ? ", `" : "`");
		sbuf_puts(md, c->cfg.gate[i]);
		sbuf_puts(md, "`");
	}
	sbuf_puts(md, c->cfg.ngate ? ".\n" : "none.\n");
	return md->oom ? -1 : 0;
}
