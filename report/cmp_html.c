// SPDX-License-Identifier: GPL-2.0
/*
 * index.html of a comparison or of a single run: tables and every graph,
 * all by relative path, no script, so it opens straight from disk.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmp_curve.h"
#include "cmp_html.h"
#include "cmp_model.h"
#include "cmp_output.h"
#include "plot.h"

static const char css[] =
	"body{font-family:sans-serif;margin:1.5em;max-width:1300px;color:#222}"
	"table{border-collapse:collapse;margin:.5em 0 1em}"
	"th,td{border:1px solid #ccc;padding:2px 6px;font-size:90%;text-align:right}"
	"th{background:#f0f0f0}td.l,th.l{text-align:left}"
	".regression{background:#fdd}.improvement{background:#dfd}.changed{background:#fec}"
	".not-judged{color:#777}.unavailable{color:#999;font-style:italic}"
	".bad{color:#b00;font-weight:bold}.good{color:#070;font-weight:bold}"
	".note{background:#ffe;border:1px solid #cc9;padding:.5em;margin:.5em 0}"
	"figure{display:inline-block;margin:.5em;vertical-align:top}"
	"figure img{max-width:100%;border:1px solid #ddd}code{background:#f4f4f4}";

static void head(struct sbuf *h, const char *title)
{
	sbuf_puts(h, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>");
	sbuf_html(h, title);
	sbuf_printf(h, "</title>\n<style>%s</style></head>\n<body>\n<h1>", css);
	sbuf_html(h, title);
	sbuf_puts(h, "</h1>\n");
}

/*
 * Cost curves: the exponent table (cmp_curve.c; @c NULL: of report @r alone)
 * and the graphs (section GP_SECTION_CURVES), under one heading.
 */
static void html_curves(struct sbuf *h, const struct gp_ctx *gp,
			const struct comparison *c, const struct report *r)
{
	struct sbuf t = { 0 };

	if (c) {
		curves_hook_html(c, &t);
	} else {
		struct curves *cs = curves_build(&r, 1);

		curves_html(cs, &t);
		curves_free(cs);
	}
	if (!t.len) {
		sbuf_free(&t);
		return;
	}
	sbuf_puts(h, "<h2>Cost curves</h2>\n");
	sbuf_puts(h, t.s);
	sbuf_free(&t);
	html_graphs(h, gp, GP_SECTION_CURVES);
}

void html_graphs(struct sbuf *h, const struct gp_ctx *gp, int section)
{
	size_t i;

	for (i = 0; i < gp->ng; i++) {
		const struct graph *g = &gp->g[i];

		if (g->section != section)
			continue;
		sbuf_puts(h, "<figure><a href=\"graphs/");
		sbuf_html(h, g->stem);
		sbuf_puts(h, g->svg ? ".svg\">" : ".png\">");
		sbuf_puts(h, "<img src=\"graphs/");
		sbuf_html(h, g->stem);
		sbuf_puts(h, g->png ? ".png\" alt=\"" : ".svg\" alt=\"");
		sbuf_html(h, g->title);
		sbuf_puts(h, "\"></a><figcaption>");
		sbuf_html(h, g->title);
		if (g->png && g->svg) {
			sbuf_puts(h, " (<a href=\"graphs/");
			sbuf_html(h, g->stem);
			sbuf_puts(h, ".png\">PNG</a>, <a href=\"graphs/");
			sbuf_html(h, g->stem);
			sbuf_puts(h, ".svg\">SVG</a>)");
		}
		sbuf_puts(h, "</figcaption></figure>\n");
	}
}

static void graphs_missing(struct sbuf *h, const struct gp_ctx *gp)
{
	if (gp->available && !gp->failed)
		return;
	sbuf_puts(h, "<p class=\"note\">");
	if (!gp->available) {
		sbuf_puts(h, "No graphs: ");
		sbuf_html(h, gp->why);
	} else {
		sbuf_printf(h, "%zu graph(s) failed; see graphs/gnuplot.log", gp->failed);
	}
	sbuf_puts(h, "</p>\n");
}

static void machine_row(struct sbuf *h, const char *role, const struct report *r)
{
	char cores[32];

	snprintf(cores, sizeof(cores), "%lld", r->cores);
	sbuf_printf(h, "<tr><td class=\"l\">%s</td><td class=\"l\"><b>", role);
	sbuf_html(h, r->label);
	sbuf_puts(h, "</b></td><td class=\"l\"><code>");
	sbuf_html(h, r->path);
	sbuf_puts(h, "</code></td><td class=\"l\">");
	sbuf_html(h, r->virt);
	sbuf_puts(h, r->accel ? "/" : "");
	sbuf_html(h, r->accel);
	sbuf_puts(h, "</td><td class=\"l\">");
	sbuf_html(h, r->cpu_model);
	sbuf_printf(h, "</td><td>%s</td><td class=\"l\">", cores);
	sbuf_html(h, r->created);
	sbuf_puts(h, "</td><td class=\"l\">");
	sbuf_puts(h, r->slab_available ? "yes" : "no: ");
	sbuf_html(h, r->slab_available ? NULL : r->slab_reason);
	sbuf_puts(h, "</td></tr>\n");
}

static void cell_num(struct sbuf *h, double v)
{
	char b[32];

	sbuf_printf(h, "<td>%s</td>", fmt_num(b, sizeof(b), v));
}

static void side_cells(struct sbuf *h, const struct metric_cmp *mc, bool base)
{
	const struct rstat_summary *s = base ? &mc->t.base : &mc->t.test;
	char b[32];

	if (mc->verdict == VD_UNAVAILABLE) {
		sbuf_puts(h, "<td colspan=\"2\"></td>");
		return;
	}
	if (mc->kind == MK_EXACT) {
		sbuf_printf(h, "<td>%s</td>", fmt_metric(b, sizeof(b), mc->unit,
							  base ? mc->eb.value : mc->et.value));
		sbuf_puts(h, absent_on(mc, base) ? "<td class=\"l\">absent</td>" : "<td></td>");
		return;
	}
	if (absent_on(mc, base)) {
		sbuf_puts(h, "<td>0</td><td class=\"l\">absent</td>");
		return;
	}
	cell_num(h, s->median);
	sbuf_printf(h, "<td>%s%% n=%zu</td>", fmt_num(b, sizeof(b), s->cov * 100), s->n);
}

static void change_cells(struct sbuf *h, const struct metric_cmp *mc)
{
	char a[32], b[32];

	if (mc->verdict == VD_UNAVAILABLE || mc->verdict == VD_NOT_JUDGED) {
		sbuf_puts(h, "<td colspan=\"3\" class=\"l\">");
		sbuf_html(h, mc->reason);
		sbuf_puts(h, "</td>");
		return;
	}
	if (mc->kind == MK_EXACT) {
		sbuf_printf(h, "<td>%+g (%s)</td><td></td><td class=\"l\">", mc->delta,
			    fmt_pct(a, sizeof(a), mc->delta_pct));
	} else {
		sbuf_printf(h, "<td>%s</td>", fmt_pct(a, sizeof(a), mc->t.change_pct));
		if (mc->t.ci_valid)
			sbuf_printf(h, "<td>[%s, %s]</td>", fmt_pct(a, sizeof(a), mc->t.ci_lo_pct),
				    fmt_pct(b, sizeof(b), mc->t.ci_hi_pct));
		else
			sbuf_puts(h, "<td>n/a</td>");
		sbuf_printf(h, "<td class=\"l\">p=%.3g, adjusted %.3g, MDE %.1f%% ", mc->t.p,
			    mc->p_adj, mc->mde_pct);
	}
	sbuf_html(h, mc->reason);
	sbuf_puts(h, "</td>");
}

static void metric_row(struct sbuf *h, const struct workload_cmp *wc,
		       const struct metric_cmp *mc, bool with_workload)
{
	sbuf_printf(h, "<tr class=\"%s\">", verdict_name(mc->verdict));
	if (with_workload) {
		sbuf_puts(h, "<td class=\"l\">");
		sbuf_html(h, wc->base->name);
		sbuf_puts(h, "</td>");
	}
	sbuf_puts(h, "<td class=\"l\">");
	sbuf_html(h, mc->name);
	sbuf_printf(h, "</td><td class=\"l\">%s</td><td class=\"l\">", kind_name(mc->kind));
	sbuf_html(h, mc->unit);
	sbuf_puts(h, "</td>");
	side_cells(h, mc, true);
	side_cells(h, mc, false);
	change_cells(h, mc);
	sbuf_printf(h, "<td class=\"l\">%s%s</td></tr>\n", verdict_name(mc->verdict),
		    mc->gated && mc->verdict == VD_REGRESSION ? " (gate)" : "");
}

static void table_head(struct sbuf *h, const struct comparison *c,
		       const struct test_cmp *t, bool with_workload)
{
	sbuf_puts(h, "<table><tr>");
	if (with_workload)
		sbuf_puts(h, "<th class=\"l\">workload</th>");
	sbuf_puts(h, "<th class=\"l\">metric</th><th>kind</th><th>unit</th><th>");
	sbuf_html(h, c->base->label);
	if (t->tbase && t->tbase != c->base) {
		sbuf_puts(h, " (timed: ");
		sbuf_html(h, t->tbase->label);
		sbuf_puts(h, ")");
	}
	sbuf_puts(h, "</th><th>CoV</th><th>");
	sbuf_html(h, t->test->label);
	sbuf_printf(h, "</th><th>CoV</th><th>change</th><th>%g%% CI</th><th class=\"l\">p, notes</th><th>verdict</th></tr>\n",
		    c->cfg.stat.confidence * 100);
}

static void verdict_table(struct sbuf *h, const struct comparison *c,
			  const struct test_cmp *t, enum verdict v)
{
	size_t i, j;

	if (!t->count[v])
		return;
	sbuf_printf(h, "<h3>%s (%zu)</h3>\n", verdict_title(v), t->count[v]);
	table_head(h, c, t, true);
	for (i = 0; i < t->nw; i++)
		for (j = 0; j < t->w[i].nm; j++)
			if (t->w[i].m[j].verdict == v)
				metric_row(h, &t->w[i], &t->w[i].m[j], true);
	sbuf_puts(h, "</table>\n");
}

static void test_summary(struct sbuf *h, const struct comparison *c,
			 const struct test_cmp *t)
{
	bool bad = t->gated_regressions || t->failed_workloads;
	char note[1024];
	size_t i;

	sbuf_puts(h, "<h2>");
	sbuf_html(h, c->base->label);
	sbuf_puts(h, " &rarr; ");
	sbuf_html(h, t->test->label);
	sbuf_printf(h, ": <span class=\"%s\">%s</span></h2>\n<p>",
		    bad ? "bad" : "good", bad ? "REGRESSION" : "no regression");
	sbuf_html(h, counts_note(t, note, sizeof(note)));
	sbuf_puts(h, "</p>\n");
	if (env_note(c, t, note, sizeof(note))) {
		sbuf_puts(h, "<p class=\"note\">");
		sbuf_html(h, note);
		sbuf_puts(h, "</p>\n");
	}
	if (power_note(c, t, note, sizeof(note))) {
		sbuf_puts(h, "<p class=\"note\">");
		sbuf_html(h, note);
		sbuf_puts(h, "</p>\n");
	}
	if (mde_note(t, note, sizeof(note))) {
		sbuf_puts(h, "<p>");
		sbuf_html(h, note);
		sbuf_puts(h, "</p>\n");
	}
	for (i = 0; i < t->nw; i++) {
		if (!t->w[i].reason)
			continue;
		sbuf_puts(h, "<p class=\"note\">");
		sbuf_html(h, not_compared_note(&t->w[i], note, sizeof(note)));
		sbuf_puts(h, "</p>\n");
	}
	for (i = 0; i < t->nu; i++) {
		sbuf_puts(h, "<p class=\"note\">");
		sbuf_html(h, unmatched_note(&t->u[i], note, sizeof(note)));
		sbuf_puts(h, "</p>\n");
	}
	verdict_table(h, c, t, VD_REGRESSION);
	verdict_table(h, c, t, VD_IMPROVEMENT);
	verdict_table(h, c, t, VD_CHANGED);
}

static void workload_section(struct sbuf *h, const struct comparison *c,
			     const struct gp_ctx *gp, size_t wi)
{
	const struct workload_data *bw = &c->base->wl[wi];
	size_t i, j;

	sbuf_printf(h, "<h3 id=\"w%zu\">", wi);
	sbuf_html(h, bw->name);
	sbuf_puts(h, " <small><code>");
	sbuf_html(h, bw->params_str);
	sbuf_puts(h, "</code></small></h3>\n");
	html_graphs(h, gp, (int)wi);
	for (i = 0; i < c->ntests; i++) {
		const struct test_cmp *t = &c->tests[i];

		for (j = 0; j < t->nw; j++) {
			size_t k;

			if (t->w[j].base != bw)
				continue;
			sbuf_puts(h, "<details><summary>All metrics: ");
			sbuf_html(h, c->base->label);
			sbuf_puts(h, " vs ");
			sbuf_html(h, t->test->label);
			sbuf_puts(h, "</summary>\n");
			table_head(h, c, t, false);
			for (k = 0; k < t->w[j].nm; k++)
				metric_row(h, &t->w[j], &t->w[j].m[k], false);
			sbuf_puts(h, "</table></details>\n");
		}
	}
}

static void settings_html(struct sbuf *h, const struct comparison *c)
{
	struct sbuf method = { 0 };
	size_t i;

	method_note(c, &method);
	sbuf_puts(h, "<h2>Method</h2>\n<p>");
	sbuf_html(h, method.s);
	sbuf_puts(h, " Gate (fails CI): ");
	h->oom |= method.oom;
	sbuf_free(&method);
	for (i = 0; i < c->cfg.ngate; i++) {
		sbuf_puts(h, i ? ", <code>" : "<code>");
		sbuf_html(h, c->cfg.gate[i]);
		sbuf_puts(h, "</code>");
	}
	sbuf_puts(h, c->cfg.ngate ? ".</p>\n" : "none.</p>\n");
	sbuf_puts(h, "<p>Machine-readable: <a href=\"comparison.json\">comparison.json</a>, CI summary: <a href=\"summary.md\">summary.md</a>. How to read this page: docs/compare.md.</p>\n");
}

int write_compare_html(const struct comparison *c, const struct gp_ctx *gp,
		       char *err, size_t errlen)
{
	struct sbuf h = { 0 };
	char *path = path_join(c->outdir, "index.html");
	bool bad = any_gated_regression(c);
	size_t i;
	int ret;

	head(&h, "rmapbench comparison");
	sbuf_printf(&h, "<p>Verdict: <span class=\"%s\">%s</span> (exit %d) &middot; %s</p>\n",
		    bad ? "bad" : "good", bad ? "REGRESSION" : "no regression", bad ? 1 : 0,
		    c->created);
	sbuf_puts(&h, "<table><tr><th class=\"l\">role</th><th class=\"l\">kernel</th><th class=\"l\">report</th><th class=\"l\">virt</th><th class=\"l\">CPU</th><th>cores</th><th class=\"l\">created</th><th class=\"l\">slab accounting</th></tr>\n");
	machine_row(&h, "base", c->base);
	for (i = 0; i < c->ntests; i++)
		machine_row(&h, "test", c->tests[i].test);
	sbuf_puts(&h, "</table>\n");
	machines_table(&h, c, true);
	graphs_missing(&h, gp);
	for (i = 0; i < c->ntests; i++)
		test_summary(&h, c, &c->tests[i]);
	sbuf_puts(&h, "<h2>Change per metric</h2>\n");
	html_graphs(&h, gp, -1);
	html_curves(&h, gp, c, NULL);
	sbuf_puts(&h, "<h2>Workloads</h2>\n");
	for (i = 0; i < c->base->nwl; i++) {
		size_t j, k;
		bool compared = false;

		for (j = 0; j < c->ntests; j++)
			for (k = 0; k < c->tests[j].nw; k++)
				compared |= c->tests[j].w[k].base == &c->base->wl[i];
		if (compared)
			workload_section(&h, c, gp, i);
	}
	settings_html(&h, c);
	sbuf_puts(&h, "</body></html>\n");
	ret = path ? sbuf_write(&h, path, err, errlen) : -1;
	if (!path)
		snprintf(err, errlen, "out of memory");
	free(path);
	sbuf_free(&h);
	return ret;
}

/* ---- single run ------------------------------------------------------------ */

static void plot_metric_row(struct sbuf *h, const struct metric_samples *m)
{
	struct rstat_summary s;
	char b[32];

	sbuf_puts(h, "<tr><td class=\"l\">");
	sbuf_html(h, m->name);
	sbuf_printf(h, "</td><td class=\"l\">%s</td><td class=\"l\">", kind_name(m->kind));
	sbuf_html(h, m->unit);
	sbuf_printf(h, "</td><td class=\"l\">%s</td>", better_name(m->better));
	if (!m->n) {
		sbuf_puts(h, "<td colspan=\"7\" class=\"l unavailable\">");
		sbuf_html(h, m->reason ? m->reason : "unavailable");
		sbuf_puts(h, "</td></tr>\n");
		return;
	}
	rstat_summarize(m->values, m->n, &s);
	sbuf_printf(h, "<td>%zu</td>", s.n);
	cell_num(h, s.median);
	cell_num(h, s.mean);
	cell_num(h, s.sd);
	sbuf_printf(h, "<td>%s</td>", isnan(s.cov) ? "n/a" : fmt_num(b, sizeof(b), s.cov * 100));
	cell_num(h, s.min);
	cell_num(h, s.max);
	sbuf_puts(h, "</tr>\n");
}

int write_plot_html(const struct report *r, const struct gp_ctx *gp,
		    const char *outdir, char *err, size_t errlen)
{
	struct sbuf h = { 0 };
	char *path = path_join(outdir, "index.html");
	size_t i, j;
	int ret;

	head(&h, "rmapbench run");
	sbuf_puts(&h, "<table><tr><th class=\"l\">role</th><th class=\"l\">kernel</th><th class=\"l\">report</th><th class=\"l\">virt</th><th class=\"l\">CPU</th><th>cores</th><th class=\"l\">created</th><th class=\"l\">slab accounting</th></tr>\n");
	machine_row(&h, "run", r);
	sbuf_puts(&h, "</table>\n");
	graphs_missing(&h, gp);
	html_curves(&h, gp, NULL, r);
	for (i = 0; i < r->nwl; i++) {
		const struct workload_data *w = &r->wl[i];

		sbuf_printf(&h, "<h2 id=\"w%zu\">", i);
		sbuf_html(&h, w->name);
		sbuf_puts(&h, " <small><code>");
		sbuf_html(&h, w->params_str);
		sbuf_printf(&h, "</code></small></h2>\n<p>status %s, %zu of %zu repetitions ok",
			    w->status, w->nreps_ok, w->nreps);
		if (w->reason) {
			sbuf_puts(&h, ": ");
			sbuf_html(&h, w->reason);
		}
		sbuf_puts(&h, "</p>\n");
		html_graphs(&h, gp, (int)i);
		if (!w->nmetrics)
			continue;
		sbuf_puts(&h, "<table><tr><th class=\"l\">metric</th><th>kind</th><th>unit</th><th>better</th><th>n</th><th>median</th><th>mean</th><th>stddev</th><th>CoV %</th><th>min</th><th>max</th></tr>\n");
		for (j = 0; j < w->nmetrics; j++)
			plot_metric_row(&h, &w->metrics[j]);
		sbuf_puts(&h, "</table>\n");
	}
	sbuf_puts(&h, "</body></html>\n");
	ret = path ? sbuf_write(&h, path, err, errlen) : -1;
	if (!path)
		snprintf(err, errlen, "out of memory");
	free(path);
	sbuf_free(&h);
	return ret;
}
