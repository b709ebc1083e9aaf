// SPDX-License-Identifier: GPL-2.0
/*
 * The comparison model: a base report against one test report.
 *
 * Workloads are matched by name and identical params. Exact metrics are
 * compared as numbers (any difference is real); timed metrics from their
 * per-round values (Welch's t on log round medians, Holm over the headline
 * metrics, a hierarchical bootstrap interval that must clear the minimum
 * effect), only with >= 2 rounds per side and between like environments
 * unless --force. The notes every output states (why timed metrics were
 * not judged, what the runs can see) are made here too, so the writers
 * (cmp_json.c, cmp_output.c, cmp_html.c, plot.c) only format them.
 * See docs/compare.md.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmp_model.h"
#include "noise.h"
#include "workload.h"

/* A verdict's name (comparison.json) and the title of a list of its metrics */
static const struct {
	const char *name;
	const char *title;
} verdicts[NR_VERDICTS] = {
	[VD_UNCHANGED] = { "unchanged", "Unchanged" },
	[VD_REGRESSION] = { "regression", "Regressions" },
	[VD_IMPROVEMENT] = { "improvement", "Improvements" },
	[VD_CHANGED] = { "changed", "Changed (no better direction)" },
	[VD_UNAVAILABLE] = { "unavailable", "Unavailable" },
	[VD_NOT_JUDGED] = { "not-judged", "Not judged" },
};

const char *correction_name(enum cmp_correction c)
{
	return c == CORR_HOLM ? "holm" : c == CORR_BH ? "bh" : "none";
}

const char *verdict_name(enum verdict v)
{
	return v < NR_VERDICTS ? verdicts[v].name : "?";
}

static void env_append(struct test_cmp *t, const char *what, const char *a,
		       const char *b)
{
	size_t len = strlen(t->env_diff);

	snprintf(t->env_diff + len, sizeof(t->env_diff) - len, "%s%s: %s vs %s",
		 len ? "; " : "", what, a ? a : "null", b ? b : "null");
}

const char *machine_desc(const struct report *r, char *buf, size_t len)
{
	long long mib = fingerprint_memory_mib(r->memory_kib);
	char mem[32] = "memory unknown";

	if (mib >= 1024)
		snprintf(mem, sizeof(mem), "%lld GiB", mib / 1024);
	else if (mib)
		snprintf(mem, sizeof(mem), "%lld MiB", mib);
	snprintf(buf, len, "%s, %lld cores, %s, %s%s%s%s%s", r->cpu_model, r->cores, mem,
		 r->virt, r->accel ? "/" : "", r->accel ? r->accel : "",
		 r->host_fp ? ", guest of " : "", r->host_fp ? r->host_fp : "");
	return buf;
}

bool first_of_machine(const struct comparison *c, const struct test_cmp *t)
{
	return c->groups[t->test->group].r[0] == t->test;
}

const char *group_first_note(const struct test_cmp *t, char *buf, size_t len)
{
	snprintf(buf, len, "not judged: first report of machine %s (the timed base of its group)",
		 t->test->fp);
	return buf;
}

/*
 * Timed metrics are only judged between like machines: @base is the
 * report they would be judged against (the test's timed base, or the
 * base when the test is the first of its machine).
 */
static void check_environment(const struct report *base, struct test_cmp *t,
			      bool force)
{
	const struct report *r = t->test;
	struct machine_id mb = report_machine(base), mt = report_machine(r);
	unsigned int d = machine_diff(&mb, &mt);
	char cb[32], ct[32];

	t->env_diff[0] = '\0';
	if (d & MACHINE_FP)
		env_append(t, "machine.fingerprint", base->fp, r->fp);
	if (d & MACHINE_VIRT)
		env_append(t, "machine.virt", base->virt, r->virt);
	if (d & MACHINE_ACCEL)
		env_append(t, "machine.accel", base->accel, r->accel);
	if (d & MACHINE_CPU)
		env_append(t, "machine.cpu_model", base->cpu_model, r->cpu_model);
	if (d & MACHINE_CORES) {
		snprintf(cb, sizeof(cb), "%lld", base->cores);
		snprintf(ct, sizeof(ct), "%lld", r->cores);
		env_append(t, "machine.cores", cb, ct);
	}
	if (!d)
		t->timed = TIMED_JUDGED;
	else
		t->timed = force ? TIMED_FORCED : TIMED_REFUSED;
}

static void side_exact(const struct metric_samples *m, struct side_exact *s)
{
	struct rstat_summary sum;

	rstat_summarize(m->values, m->n, &sum);
	s->n = m->n;
	s->value = sum.median;
	s->min = sum.min;
	s->max = sum.max;
}

static enum verdict directional(enum metric_better better, int direction)
{
	if (!direction)
		return VD_UNCHANGED;
	if (better == MB_NONE)
		return VD_CHANGED;
	if ((better == MB_LOWER) == (direction > 0))
		return VD_REGRESSION;
	return VD_IMPROVEMENT;
}

static void note(struct metric_cmp *mc, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void note(struct metric_cmp *mc, const char *fmt, ...)
{
	size_t len = strlen(mc->reason);
	va_list ap;

	if (len && len + 2 < sizeof(mc->reason)) {
		strcat(mc->reason, "; ");
		len += 2;
	}
	va_start(ap, fmt);
	vsnprintf(mc->reason + len, sizeof(mc->reason) - len, fmt, ap);
	va_end(ap);
}

static void compare_exact(struct metric_cmp *mc)
{
	side_exact(mc->base, &mc->eb);
	side_exact(mc->test, &mc->et);
	mc->delta = mc->et.value - mc->eb.value;
	if (mc->delta == 0)
		mc->delta_pct = 0;
	else
		mc->delta_pct = mc->eb.value != 0 ? 100 * mc->delta / fabs(mc->eb.value) : NAN;
	mc->verdict = directional(mc->better, (mc->delta > 0) - (mc->delta < 0));
	if (mc->eb.min != mc->eb.max)
		note(mc, "base varies across repetitions (%g..%g), median used",
		     mc->eb.min, mc->eb.max);
	if (mc->et.min != mc->et.max)
		note(mc, "test varies across repetitions (%g..%g), median used",
		     mc->et.min, mc->et.max);
}

/*
 * Is @metric a headline metric of the workload? The base report's list,
 * else the test report's; a report without one (written before headlines
 * existed) falls back to what this rmapbench declares for the workload.
 */
static bool is_headline(const struct workload_cmp *wc, const char *metric,
			bool *fallback)
{
	const struct workload_info *info;
	const char *const *n;

	if (wc->base->headline || wc->test->headline)
		return headline_listed(wc->base->headline ? wc->base : wc->test, metric);
	*fallback = true;
	info = workload_find(wc->base->name);
	for (n = info ? info->headline : NULL; n && *n; n++)
		if (!strcmp(*n, metric))
			return true;
	return false;
}

static void sample_of(const struct metric_samples *m, struct rstat_sample *s)
{
	s->values = m->values;
	s->round = m->round;
	s->n = m->n;
}

static void count_rounds(struct test_cmp *t, const struct rstat_rounds *r)
{
	if (r->rbase.n < t->rounds_base)
		t->rounds_base = r->rbase.n;
	if (r->rtest.n < t->rounds_test)
		t->rounds_test = r->rtest.n;
}

/*
 * --noise: the calibrated run-to-run drift of this metric on this machine
 * widens its test and interval (docs/compare.md, "Drift calibration").
 */
static void add_drift(const struct comparison *c, struct test_cmp *t,
		      const struct workload_data *w, struct metric_cmp *mc)
{
	const struct noise *n = t->noise;
	const struct noise_metric *nm;

	if (!c->nnoise)
		return;
	if (!n) {
		note(mc, "no drift calibration for this machine (%s)", t->test->fp);
		return;
	}
	nm = noise_lookup(n, w->name, w->params, mc->name);
	if (!nm) {
		note(mc, "no drift calibration for this metric and params in %s", n->path);
		return;
	}
	if (nm->sd_run > 0 &&
	    !rstat_rounds_add_drift(&mc->t, nm->sd_run, nm->df, c->cfg.stat.confidence))
		t->drift_applied++;
}

/* The report's reason, without the "unavailable: " it usually starts with. */
static const char *null_reason(const struct metric_samples *m)
{
	const char *r = m->reason;

	if (!r)
		return "no successful repetition";
	if (!strncmp(r, "unavailable: ", 13))
		r += 13;
	return r;
}

/*
 * The samples of timed metric @mc in the test's timed base when that is
 * not the base (another report of the test's machine); NULL with a note
 * when it has none to judge against.
 */
static const struct metric_samples *other_timed_base(const struct test_cmp *t,
						     const struct workload_cmp *wc,
						     struct metric_cmp *mc)
{
	const struct workload_data *w = wc->tbase;
	const struct metric_samples *m;

	if (!w) {
		note(mc, "not judged: %s {%s} not in the timed base %s", wc->base->name,
		     wc->base->params_str, t->tbase->label);
		return NULL;
	}
	if (strcmp(w->status, "ok")) {
		note(mc, "not judged: timed base %s: %s %s", t->tbase->label, w->status,
		     w->reason ? w->reason : "");
		return NULL;
	}
	m = workload_metric(w, mc->name);
	if (!m || !m->n) {
		note(mc, "not judged: timed base %s: %s", t->tbase->label,
		     m ? null_reason(m) : "no such metric");
		return NULL;
	}
	if (m->kind != mc->kind || m->better != mc->better || strcmp(m->unit, mc->unit)) {
		note(mc, "not judged: definitions differ in the timed base %s", t->tbase->label);
		return NULL;
	}
	return m;
}

static void not_judged_timed(struct metric_cmp *mc)
{
	rstat_summarize(mc->base->values, mc->base->n, &mc->t.base);
	rstat_summarize(mc->test->values, mc->test->n, &mc->t.test);
	mc->verdict = VD_NOT_JUDGED;
}

/*
 * Round statistics of one timed metric against the test's timed base.
 * Whether it is flagged is decided later, by judge_family(), once the
 * p-values of its family are known.
 */
static void compare_timed(const struct comparison *c, struct test_cmp *t,
			  const struct workload_cmp *wc, struct metric_cmp *mc)
{
	const char *workload = wc->base->name;
	struct rstat_timed_opts opts = c->cfg.stat;
	const struct rstat_rounds *r = &mc->t;
	struct rstat_sample sb, st;
	char why[160];

	mc->threshold_pct = cmp_config_threshold(&c->cfg, MK_TIMED, workload, mc->name);
	mc->p_adj = mc->mde_pct = NAN;
	opts.threshold_pct = mc->threshold_pct;
	if (t->timed == TIMED_REFUSED) {
		not_judged_timed(mc);
		note(mc, "%s", first_of_machine(c, t) ? group_first_note(t, why, sizeof(why)) :
		     "not judged: unlike environments");
		return;
	}
	mc->tb = t->tbase == c->base ? mc->base : other_timed_base(t, wc, mc);
	if (!mc->tb) {
		not_judged_timed(mc);
		return;
	}
	sample_of(mc->tb, &sb);
	sample_of(mc->test, &st);
	rstat_compare_rounds(&sb, &st, &opts, &mc->t);
	mc->have_change = true;
	count_rounds(t, r);
	if (!r->judged) {
		mc->verdict = VD_NOT_JUDGED;
		t->few_rounds++;
		if (r->rbase.n == r->rtest.n)
			note(mc, "not judged: %zu round per side", r->rbase.n);
		else
			note(mc, "not judged: %zu round(s) in %s, %zu in test (2 per side needed)",
			     r->rbase.n, t->tbase == c->base ? "base" : "the timed base",
			     r->rtest.n);
		return;
	}
	mc->have_timed = true;
	mc->verdict = VD_UNCHANGED;
	add_drift(c, t, wc->base, mc);
	if (r->rbase.cov * 100 > mc->threshold_pct || r->rtest.cov * 100 > mc->threshold_pct)
		note(mc, "noisy: round-to-round CoV %.1f%%/%.1f%% exceeds the %g%% threshold",
		     r->rbase.cov * 100, r->rtest.cov * 100, mc->threshold_pct);
}

/*
 * A slab.<cache>.* metric (or a workload's slab delta ending in .<cache>)
 * missing on the side whose kernel has no such cache (vma_lock outside
 * 6.4-6.12): that side allocated none, so it counts as 0
 * objects and bytes there, marked absent. An exact row is compared against
 * 0; a timed one is not judged. It never gates (compare_workload: one side
 * has no samples): the layouts differ, and the total
 * slab.anon_rmap.alloc_bytes, present on both sides, is what is compared.
 * Returns false when the metric is missing for another reason.
 */
static bool compare_absent(const struct comparison *c, const struct test_cmp *t,
			   struct metric_cmp *mc)
{
	const struct metric_samples *have = mc->base ? mc->base : mc->test;
	bool base = !mc->base;
	struct side_exact *e = base ? &mc->eb : &mc->et;

	if (!slab_absent(base ? c->base : t->test, mc->name))
		return false;
	mc->absent = base ? "base" : "test";
	note(mc, "absent in %s: no such cache on that kernel, counted as 0", mc->absent);
	if (!have->n) {
		note(mc, "%s: %s", base ? "test" : "base", null_reason(have));
		return true;	/* still unavailable */
	}
	if (mc->kind == MK_TIMED) {
		memset(base ? &mc->t.base : &mc->t.test, 0, sizeof(mc->t.base));
		rstat_summarize(have->values, have->n, base ? &mc->t.test : &mc->t.base);
		mc->verdict = VD_NOT_JUDGED;
		return true;
	}
	side_exact(have, base ? &mc->et : &mc->eb);
	memset(e, 0, sizeof(*e));
	mc->delta = mc->et.value - mc->eb.value;
	mc->delta_pct = !mc->delta ? 0 : mc->eb.value ? 100 * mc->delta / fabs(mc->eb.value) : NAN;
	mc->verdict = directional(mc->better, (mc->delta > 0) - (mc->delta < 0));
	return true;
}

static void compare_metric(const struct comparison *c, struct test_cmp *t,
			   const struct workload_cmp *wc, struct metric_cmp *mc)
{
	const struct metric_samples *b = mc->base, *m = mc->test;

	mc->p_adj = mc->mde_pct = NAN;
	mc->delta = mc->delta_pct = NAN;
	mc->t.change_pct = mc->t.ci_lo_pct = mc->t.ci_hi_pct = NAN;
	mc->verdict = VD_UNAVAILABLE;
	if ((!b || !m) && compare_absent(c, t, mc))
		return;
	if (!b || !m) {
		note(mc, "only in the %s report", b ? "base" : "test");
		return;
	}
	if (b->kind != m->kind || b->better != m->better || strcmp(b->unit, m->unit)) {
		note(mc, "definitions differ: base %s/%s/%s, test %s/%s/%s",
		     kind_name(b->kind), better_name(b->better), b->unit,
		     kind_name(m->kind), better_name(m->better), m->unit);
		return;
	}
	if (!b->n && !m->n && !strcmp(null_reason(b), null_reason(m))) {
		note(mc, "both: %s", null_reason(b));
		return;
	}
	if (!b->n || !m->n) {
		if (!b->n)
			note(mc, "base: %s", null_reason(b));
		if (!m->n)
			note(mc, "test: %s", null_reason(m));
		return;
	}
	if (b->kind == MK_EXACT)
		compare_exact(mc);
	else
		compare_timed(c, t, wc, mc);
	if (slab_inexact(c->base, mc->name))
		note(mc, "base slab accounting not exact: %s", slab_inexact(c->base, mc->name));
	if (slab_inexact(t->test, mc->name))
		note(mc, "test slab accounting not exact: %s", slab_inexact(t->test, mc->name));
}

static int add_metric_row(struct workload_cmp *wc, const char *name,
			  const struct metric_samples *b,
			  const struct metric_samples *m)
{
	struct metric_cmp *rows = realloc(wc->m, (wc->nm + 1) * sizeof(*rows));
	const struct metric_samples *def = b ? b : m;

	if (!rows)
		return -1;
	wc->m = rows;
	rows += wc->nm++;
	memset(rows, 0, sizeof(*rows));
	rows->name = name;
	rows->kind = def->kind;
	rows->better = def->better;
	rows->unit = def->unit;
	rows->base = b;
	rows->test = m;
	return 0;
}

/* Union of the metric names, base order first. */
static int collect_metrics(struct workload_cmp *wc)
{
	const struct workload_data *b = wc->base, *t = wc->test;
	size_t i;

	for (i = 0; i < b->nmetrics; i++)
		if (add_metric_row(wc, b->metrics[i].name, &b->metrics[i],
				   workload_metric(t, b->metrics[i].name)))
			return -1;
	for (i = 0; i < t->nmetrics; i++)
		if (!workload_metric(b, t->metrics[i].name) &&
		    add_metric_row(wc, t->metrics[i].name, NULL, &t->metrics[i]))
			return -1;
	return 0;
}

static const char *workload_not_ok(const struct workload_data *b,
				   const struct workload_data *t,
				   char *buf, size_t len)
{
	if (!strcmp(b->status, "ok") && !strcmp(t->status, "ok"))
		return NULL;
	if (strcmp(b->status, "ok") && strcmp(t->status, "ok"))
		snprintf(buf, len, "base %s: %s; test %s: %s", b->status,
			 b->reason ? b->reason : "no reason given", t->status,
			 t->reason ? t->reason : "no reason given");
	else if (strcmp(b->status, "ok"))
		snprintf(buf, len, "base %s: %s", b->status,
			 b->reason ? b->reason : "no reason given");
	else
		snprintf(buf, len, "test %s: %s", t->status,
			 t->reason ? t->reason : "no reason given");
	return buf;
}

static int compare_workload(const struct comparison *c, struct test_cmp *t,
			    struct workload_cmp *wc)
{
	char why[256];
	size_t i;

	if (collect_metrics(wc))
		return -1;
	if (workload_not_ok(wc->base, wc->test, why, sizeof(why))) {
		wc->reason = strdup(why);
		if (!wc->reason)
			return -1;
		if (!strcmp(wc->base->status, "ok") && !strcmp(wc->test->status, "failed"))
			t->failed_workloads++;
		else
			t->unavailable_workloads++;
		for (i = 0; i < wc->nm; i++) {
			wc->m[i].verdict = VD_UNAVAILABLE;
			wc->m[i].delta = wc->m[i].delta_pct = NAN;
			wc->m[i].t.change_pct = NAN;
			snprintf(wc->m[i].reason, sizeof(wc->m[i].reason), "%s", why);
		}
		return 0;
	}
	for (i = 0; i < wc->nm; i++) {
		struct metric_cmp *mc = &wc->m[i];

		mc->headline = mc->kind == MK_TIMED &&
			       is_headline(wc, mc->name, &t->headline_fallback);
		compare_metric(c, t, wc, mc);
		/* of the timed metrics, only the headline ones gate */
		mc->gated = mc->base && mc->test &&
			    (mc->kind == MK_EXACT || mc->headline) &&
			    cmp_config_gated(&c->cfg, mc->kind, wc->base->name, mc->name);
	}
	return 0;
}

/* Per-metric level the MDE is stated at: Holm's first step, alpha / m. */
double mde_alpha(const struct comparison *c, size_t m)
{
	if (c->cfg.correction == CORR_NONE || m < 1)
		return c->cfg.stat.alpha;
	return c->cfg.stat.alpha / (double)m;
}

static void judge_row(const struct comparison *c, struct test_cmp *t,
		      struct metric_cmp *mc, size_t m)
{
	const struct rstat_rounds *r = &mc->t;
	int direction;
	bool sig;

	mc->family_m = m;
	mc->mde_pct = rstat_rounds_mde(r, mde_alpha(c, m), CMP_MDE_POWER, mc->threshold_pct,
				       c->cfg.stat.confidence);
	sig = rstat_rounds_flagged(r, mc->p_adj, c->cfg.stat.alpha, mc->threshold_pct,
				   &direction);
	mc->verdict = sig ? directional(mc->better, direction) : VD_UNCHANGED;
	if (!sig && r->p < c->cfg.stat.alpha && mc->p_adj >= c->cfg.stat.alpha)
		note(mc, "p %.3g is %.3g after %s over %zu %s timed metrics", r->p, mc->p_adj,
		     correction_name(c->cfg.correction), m, mc->gated ? "gating" : "other");
	else if (!sig && mc->p_adj < c->cfg.stat.alpha && direction)
		note(mc, "significant, but the interval does not clear the %g%% minimum effect",
		     mc->threshold_pct);
	if (!mc->gated || isnan(mc->mde_pct))
		return;
	if (!t->mde_min_row || mc->mde_pct < t->mde_min) {
		t->mde_min = mc->mde_pct;
		t->mde_min_row = mc;
	}
	if (!t->mde_max_row || mc->mde_pct > t->mde_max) {
		t->mde_max = mc->mde_pct;
		t->mde_max_row = mc;
	}
}

/*
 * The judged timed metrics of one family (gating or not) of a test report:
 * p-values adjusted over the family (Holm by default), then each is flagged
 * when its adjusted p < alpha and its interval clears the minimum effect.
 */
static int judge_family(const struct comparison *c, struct test_cmp *t, bool gating)
{
	struct metric_cmp **rows = NULL, **r;
	double *p = NULL, *adj = NULL;
	size_t i, j, m = 0;
	int ret = -1;

	for (i = 0; i < t->nw; i++) {
		for (j = 0; j < t->w[i].nm; j++) {
			if (!t->w[i].m[j].have_timed || t->w[i].m[j].gated != gating)
				continue;
			r = realloc(rows, (m + 1) * sizeof(*rows));
			if (!r)
				goto out;
			rows = r;
			rows[m++] = &t->w[i].m[j];
		}
	}
	p = malloc((m + 1) * sizeof(*p));
	adj = malloc((m + 1) * sizeof(*adj));
	if (!p || !adj)
		goto out;
	for (i = 0; i < m; i++)
		p[i] = adj[i] = rows[i]->t.p;
	if (c->cfg.correction == CORR_HOLM && rstat_holm_adjust(p, m, adj))
		goto out;
	if (c->cfg.correction == CORR_BH && rstat_bh_adjust(p, m, adj))
		goto out;
	for (i = 0; i < m; i++) {
		rows[i]->p_adj = adj[i];
		judge_row(c, t, rows[i], m);
	}
	if (gating)
		t->gating_m = m;
	else
		t->info_m = m;
	ret = 0;
out:
	free(rows);
	free(p);
	free(adj);
	return ret;
}

static void count_verdicts(struct test_cmp *t)
{
	size_t i, j;

	for (i = 0; i < t->nw; i++) {
		for (j = 0; j < t->w[i].nm; j++) {
			const struct metric_cmp *mc = &t->w[i].m[j];

			t->count[mc->verdict]++;
			if (mc->verdict == VD_REGRESSION && mc->gated)
				t->gated_regressions++;
		}
	}
}

static const struct workload_data *find_same(const struct report *r,
					     const struct workload_data *w)
{
	size_t i;

	for (i = 0; i < r->nwl; i++)
		if (!strcmp(r->wl[i].name, w->name) && workload_params_equal(w->name, r->wl[i].params, w->params))
			return &r->wl[i];
	return NULL;
}

/* Same name, different params, and itself without a partner: a mismatch. */
static const struct workload_data *find_mismatch(const struct report *r,
						 const struct report *other,
						 const struct workload_data *w)
{
	size_t i;

	for (i = 0; i < r->nwl; i++)
		if (!strcmp(r->wl[i].name, w->name) && !find_same(other, &r->wl[i]))
			return &r->wl[i];
	return NULL;
}

static int add_unmatched(struct test_cmp *t, const struct workload_data *w,
			 const char *side, const char *other_file)
{
	struct unmatched *u = realloc(t->u, (t->nu + 1) * sizeof(*u));

	if (!u)
		return -1;
	t->u = u;
	u += t->nu++;
	u->w = w;
	u->side = side;
	snprintf(u->reason, sizeof(u->reason), "not in %s", other_file);
	return 0;
}

static int match_one_side(const struct report *from, const struct report *other,
			  struct test_cmp *t, const char *side, char *err,
			  size_t errlen)
{
	size_t i;

	for (i = 0; i < from->nwl; i++) {
		const struct workload_data *w = &from->wl[i], *bad;

		if (find_same(other, w))
			continue;
		bad = find_mismatch(other, from, w);
		if (bad) {
			snprintf(err, errlen,
				 "%s: workload %s has params {%s} but %s ran it with {%s}: compare reports of the same parameters",
				 other->path, w->name, bad->params_str, from->path,
				 w->params_str);
			return -1;
		}
		if (add_unmatched(t, w, side, other->path)) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
	}
	return 0;
}

/*
 * The report a test's timed metrics are judged against: the first input
 * of its machine group. The first of a group other than the base's has
 * none: not judged, or judged against the base with --force.
 */
/* The --noise file measured on @r's machine, NULL: none. */
static const struct noise *noise_for(const struct comparison *c, const struct report *r)
{
	for (size_t i = 0; i < c->nnoise; i++)
		if (!noise_machine_differs(&c->noise[i], r))
			return &c->noise[i];
	return NULL;
}

static void choose_timed_base(const struct comparison *c, struct test_cmp *t)
{
	const struct machine_group *g = &c->groups[t->test->group];

	if (g->r[0] != t->test) {
		t->tbase = g->r[0];
		check_environment(t->tbase, t, c->force);
	} else {
		t->tbase = c->base;
		check_environment(c->base, t, c->force);
		if (t->timed == TIMED_JUDGED)	/* a fingerprint differs, nothing else */
			t->timed = c->force ? TIMED_FORCED : TIMED_REFUSED;
	}
	if (t->timed == TIMED_REFUSED)
		t->tbase = NULL;
}

int compare_test(struct comparison *c, struct test_cmp *t, char *err,
			size_t errlen)
{
	const struct report *b = c->base;
	size_t i;

	choose_timed_base(c, t);
	t->noise = noise_for(c, t->test);
	t->rounds_base = t->rounds_test = SIZE_MAX;
	t->mde_min = t->mde_max = NAN;
	if (match_one_side(b, t->test, t, "base", err, errlen) ||
	    match_one_side(t->test, b, t, "test", err, errlen))
		return -1;
	t->w = calloc(b->nwl + 1, sizeof(*t->w));
	if (!t->w) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (i = 0; i < b->nwl; i++) {
		const struct workload_data *tw = find_same(t->test, &b->wl[i]);
		struct workload_cmp *wc;

		if (!tw)
			continue;
		wc = &t->w[t->nw++];
		wc->base = &b->wl[i];
		wc->test = tw;
		if (t->tbase == b)
			wc->tbase = wc->base;
		else if (t->tbase)
			wc->tbase = find_same(t->tbase, wc->base);
		if (compare_workload(c, t, wc)) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
	}
	if (!t->nw) {
		snprintf(err, errlen, "%s and %s have no workload in common (same name and params)",
			 b->path, t->test->path);
		return -1;
	}
	if (judge_family(c, t, true) || judge_family(c, t, false)) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	count_verdicts(t);
	return 0;
}

bool any_gated_regression(const struct comparison *c)
{
	size_t i;

	for (i = 0; i < c->ntests; i++)
		if (c->tests[i].gated_regressions || c->tests[i].failed_workloads)
			return true;
	return false;
}

size_t drift_applied_by(const struct comparison *c, const struct noise *n)
{
	size_t i, k = 0;

	for (i = 0; i < c->ntests; i++)
		if (c->tests[i].noise == n)
			k += c->tests[i].drift_applied;
	return k;
}

void comparison_free(struct comparison *c)
{
	size_t i, j;

	for (i = 0; i < c->ntests; i++) {
		struct test_cmp *t = &c->tests[i];

		for (j = 0; j < t->nw; j++) {
			free(t->w[j].m);
			free((char *)t->w[j].reason);
		}
		free(t->w);
		free(t->u);
		if (t->test)
			report_free(t->test);
		free(t->test);
	}
	free(c->tests);
	for (i = 0; i < c->ngroups; i++)
		free(c->groups[i].r);
	free(c->groups);
	if (c->base)
		report_free(c->base);
	free(c->base);
	cmp_config_free(&c->cfg);
	for (i = 0; i < c->nnoise; i++)
		noise_free(&c->noise[i]);
	free(c->noise);
	free(c->outdir);
}

/* ---- notes: the sentences every output states ----------------------- */

/* Timed metrics that could not be judged for want of rounds. */
const char *power_note(const struct comparison *c, const struct test_cmp *t,
		       char *buf, size_t len)
{
	(void)c;
	if (!t->few_rounds)
		return NULL;
	snprintf(buf, len, "%zu timed metric(s) NOT judged: %zu round(s) in base, %zu in test; timed metrics are judged from per-round values and need at least 2 rounds per side: rerun with --rounds %d (rmapbench run --rounds %d, ./run.sh --rounds %d)",
		 t->few_rounds, t->rounds_base, t->rounds_test, CMP_RECOMMENDED_ROUNDS,
		 CMP_RECOMMENDED_ROUNDS, CMP_RECOMMENDED_ROUNDS);
	return buf;
}

/* The test's reach for these rounds: no p floor, but a |t| to exceed. */
const char *reach_note(const struct comparison *c, const struct test_cmp *t,
		       char *buf, size_t len)
{
	double df, level;

	if (!t->gating_m && !t->info_m)
		return NULL;
	df = (double)(t->rounds_base + t->rounds_test) - 2;
	level = c->cfg.correction == CORR_NONE || !t->gating_m ? c->cfg.stat.alpha :
		c->cfg.stat.alpha / (double)t->gating_m;
	snprintf(buf, len, "Welch's t on log round medians has no smallest attainable p; with %zu+%zu rounds, p < %.3g (%s) needs |t| > %.2f at the best df %.0f",
		 t->rounds_base, t->rounds_test, level,
		 c->cfg.correction == CORR_NONE || !t->gating_m ? "alpha, no correction" :
		 c->cfg.correction == CORR_HOLM ? "alpha over the gating metrics, Holm's first step" :
		 "alpha over the gating metrics, the smallest p's Benjamini-Hochberg level",
		 rstat_t_crit(level, df), df);
	return buf;
}

/*
 * An MDE as text: beyond 1000% the figure only says "hopeless", and six
 * digits of it would suggest a precision the spread does not have.
 */
const char *fmt_mde(char *buf, size_t len, double pct)
{
	if (pct > 1000)
		snprintf(buf, len, ">1000%%");
	else
		snprintf(buf, len, "%.1f%%", pct);
	return buf;
}

/* "changes below X% cannot be seen": the gating metrics' MDE range. */
const char *mde_note(const struct test_cmp *t, char *buf, size_t len)
{
	char lo[16], hi[16];

	if (!t->mde_min_row)
		return NULL;
	snprintf(buf, len, "changes below %s cannot be seen with these runs (minimum detectable effect at %.0f%% power over %zu gating timed metric(s), %zu+%zu rounds; per headline metric from %s (%s) to %s (%s))",
		 fmt_mde(lo, sizeof(lo), t->mde_min), CMP_MDE_POWER * 100, t->gating_m,
		 t->rounds_base, t->rounds_test, lo, t->mde_min_row->name,
		 fmt_mde(hi, sizeof(hi), t->mde_max), t->mde_max_row->name);
	return buf;
}

/*
 * Where the test's timed metrics were judged, when not simply against the
 * base: NULL when they were (like machines).
 */
const char *env_note(const struct comparison *c, const struct test_cmp *t,
		     char *buf, size_t len)
{
	switch (t->timed) {
	case TIMED_REFUSED:
		if (first_of_machine(c, t))
			snprintf(buf, len, "timed metrics NOT judged: first report of machine %s, the timed base of its group (later reports of that machine are judged against it); unlike the base (%s); exact metrics compared against the base; --force judges its timed metrics against the base anyway",
				 t->test->fp, t->env_diff);
		else
			snprintf(buf, len, "timed metrics NOT judged: unlike environments (%s); exact metrics compared; --force judges them anyway",
				 t->env_diff);
		break;
	case TIMED_FORCED:
		snprintf(buf, len, "timed metrics judged against %s by --force although the environments differ (%s): treat their verdicts with suspicion",
			 t->tbase->label, t->env_diff);
		break;
	default:
		if (t->tbase == c->base)
			return NULL;
		snprintf(buf, len, "timed metrics judged against %s, the first report of machine %s (exact metrics against %s, the base)",
			 t->tbase->label, t->test->fp, c->base->label);
	}
	return buf;
}

const char *verdict_title(enum verdict v)
{
	return v < NR_VERDICTS ? verdicts[v].title : "?";
}

/* The test's verdicts counted, as one sentence. */
const char *counts_note(const struct test_cmp *t, char *buf, size_t len)
{
	snprintf(buf, len, "%zu regression(s) (%zu gating CI), %zu improvement(s), %zu changed, %zu unchanged, %zu not judged, %zu unavailable%s.",
		 t->count[VD_REGRESSION], t->gated_regressions,
		 t->count[VD_IMPROVEMENT], t->count[VD_CHANGED],
		 t->count[VD_UNCHANGED], t->count[VD_NOT_JUDGED],
		 t->count[VD_UNAVAILABLE],
		 t->failed_workloads ? "; a workload that ran on the base FAILED on the test kernel" : "");
	return buf;
}

const char *not_compared_note(const struct workload_cmp *w, char *buf, size_t len)
{
	snprintf(buf, len, "%s {%s} not compared: %s", w->base->name, w->base->params_str,
		 w->reason);
	return buf;
}

const char *unmatched_note(const struct unmatched *u, char *buf, size_t len)
{
	snprintf(buf, len, "unmatched: %s {%s} only in %s (%s)", u->w->name, u->w->params_str,
		 u->side, u->reason);
	return buf;
}

/* How verdicts are reached, with these settings (docs/compare.md). */
void method_note(const struct comparison *c, struct sbuf *b)
{
	const struct cmp_config *cfg = &c->cfg;
	size_t i;

	sbuf_printf(b, "Timed: judged from per-round values (a round's value is the median of its repetitions; at least 2 rounds per side): Welch's t-test on log round medians (no p floor), p adjusted by %s over the gating (headline) timed metrics, flagged when adjusted p < %g and the %g%% hierarchical bootstrap interval of the median ratio (rounds, then repetitions; %u resamples, seed %lu) clears the threshold (default %g%%",
		    correction_name(cfg->correction), cfg->stat.alpha,
		    cfg->stat.confidence * 100, cfg->stat.iterations, cfg->stat.seed,
		    cfg->stat.threshold_pct);
	for (i = 0; i < cfg->nthr; i++)
		sbuf_printf(b, "; %s: %g%%", cfg->thr[i].glob, cfg->thr[i].pct);
	sbuf_printf(b, "); MDE at %.0f%% power. Only headline timed metrics gate. Exact: flagged on any difference.",
		    CMP_MDE_POWER * 100);
}
