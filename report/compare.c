// SPDX-License-Identifier: GPL-2.0
/*
 * rmapbench compare: a base report against one or more test reports.
 *
 * Workloads are matched by name and identical params. Exact metrics are
 * compared as numbers (any difference is real); timed metrics from their
 * per-round values (Welch's t on log round medians, Holm over the headline
 * metrics, a hierarchical bootstrap interval that must clear the minimum
 * effect), only with >= 2 rounds per side and between like environments
 * unless --force. See docs/compare.md.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>

#include "cmp.h"
#include "cmp_curve.h"
#include "compare.h"
#include "noise.h"
#include "workload.h"

#define PROG "rmapbench compare"

static const char *const verdict_names[NR_VERDICTS] = {
	[VD_UNCHANGED] = "unchanged",
	[VD_REGRESSION] = "regression",
	[VD_IMPROVEMENT] = "improvement",
	[VD_CHANGED] = "changed",
	[VD_UNAVAILABLE] = "unavailable",
	[VD_NOT_JUDGED] = "not-judged",
};

const char *correction_name(enum cmp_correction c)
{
	return c == CORR_HOLM ? "holm" : c == CORR_BH ? "bh" : "none";
}

const char *verdict_name(enum verdict v)
{
	return v < NR_VERDICTS ? verdict_names[v] : "?";
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
	char cb[32], ct[32];

	t->env_diff[0] = '\0';
	if (strcmp(base->fp, r->fp))
		env_append(t, "machine.fingerprint", base->fp, r->fp);
	if (strcmp(base->virt, r->virt))
		env_append(t, "machine.virt", base->virt, r->virt);
	if (!str_eq_null(base->accel, r->accel))
		env_append(t, "machine.accel", base->accel, r->accel);
	if (strcmp(base->cpu_model, r->cpu_model))
		env_append(t, "machine.cpu_model", base->cpu_model, r->cpu_model);
	if (base->cores != r->cores) {
		snprintf(cb, sizeof(cb), "%lld", base->cores);
		snprintf(ct, sizeof(ct), "%lld", r->cores);
		env_append(t, "machine.cores", cb, ct);
	}
	if (!t->env_diff[0])
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
	json_t *h = wc->base->headline ? wc->base->headline : wc->test->headline;
	const struct workload_info *info;
	const char *const *n;
	json_t *x;
	size_t i;

	if (h) {
		json_array_foreach(h, i, x)
			if (!strcmp(json_string_value(x), metric))
				return true;
		return false;
	}
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
	const struct noise_metric *nm;

	if (!c->noise)
		return;
	nm = noise_lookup(c->noise, w->name, w->params_str, mc->name);
	if (!nm) {
		note(mc, "no drift calibration for this metric and params in %s", c->noise->path);
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
static double mde_alpha(const struct comparison *c, size_t m)
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
		if (!strcmp(r->wl[i].name, w->name) && params_equal(w->name, r->wl[i].params, w->params))
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

static int compare_test(struct comparison *c, struct test_cmp *t, char *err,
			size_t errlen)
{
	const struct report *b = c->base;
	size_t i;

	choose_timed_base(c, t);
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

/* ---- comparison.json ------------------------------------------------- */

static json_t *json_str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

static json_t *values_json(const struct metric_samples *m)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; m && i < m->n; i++)
		json_array_append_new(a, json_num(m->values[i]));
	return a;
}

static json_t *round_medians_json(const struct metric_samples *m)
{
	struct rstat_sample smp = { m->values, m->round, m->n };
	json_t *a = json_array();
	double *med;
	size_t k, i;

	if (rstat_round_medians(&smp, &med, &k))
		return a;
	for (i = 0; i < k; i++)
		json_array_append_new(a, json_num(med[i]));
	free(med);
	return a;
}

static json_t *summary_json(const struct rstat_summary *s,
			    const struct rstat_summary *rs,
			    const struct metric_samples *m)
{
	json_t *o = json_pack("{s:I, s:o, s:o, s:o, s:o, s:o, s:o, s:o}",
			      "n", (json_int_t)s->n,
			      "median", json_num(s->median), "mean", json_num(s->mean),
			      "stddev", json_num(s->sd), "cov", json_num(s->cov),
			      "min", json_num(s->min), "max", json_num(s->max),
			      "values", values_json(m));

	if (rs) {
		json_object_set_new(o, "rounds", json_integer((json_int_t)rs->n));
		json_object_set_new(o, "round_medians", round_medians_json(m));
		json_object_set_new(o, "round_cov", json_num(rs->cov));
	}
	return o;
}

static json_t *exact_side_json(const struct side_exact *s,
			       const struct metric_samples *m)
{
	return json_pack("{s:I, s:o, s:o, s:o, s:o}", "n", (json_int_t)s->n,
			 "value", json_num(s->value), "min", json_num(s->min),
			 "max", json_num(s->max), "values", values_json(m));
}

static void timed_json(json_t *o, const struct comparison *c,
		       const struct metric_cmp *mc)
{
	const struct rstat_rounds *r = &mc->t;
	bool judged = mc->have_timed, shown = mc->have_change;

	json_object_set_new(o, "base", summary_json(&r->base, shown ? &r->rbase : NULL,
						    mc->tb ? mc->tb : mc->base));
	json_object_set_new(o, "test", summary_json(&r->test, shown ? &r->rtest : NULL, mc->test));
	json_object_set_new(o, "change_pct", shown ? json_num(r->change_pct) : json_null());
	json_object_set_new(o, "ci_pct", shown && r->ci_valid ?
			    json_pack("[o, o]", json_num(r->ci_lo_pct), json_num(r->ci_hi_pct)) :
			    json_null());
	json_object_set_new(o, "confidence", json_real(c->cfg.stat.confidence));
	json_object_set_new(o, "test_method", judged ? json_string(r->log_scale ?
			    "welch-log-round-medians" : "welch-round-medians") : json_null());
	json_object_set_new(o, "t", judged ? json_num(r->t) : json_null());
	json_object_set_new(o, "df", judged ? json_num(r->df) : json_null());
	json_object_set_new(o, "p_value", judged ? json_num(r->p) : json_null());
	json_object_set_new(o, "p_adjusted", judged ? json_num(mc->p_adj) : json_null());
	json_object_set_new(o, "corrected_over", judged ? json_integer((json_int_t)mc->family_m) :
			    json_null());
	/* Welch's t has no floor: p reaches 0 as |t| grows */
	json_object_set_new(o, "min_p", judged ? json_integer(0) : json_null());
	json_object_set_new(o, "t_crit", judged ? json_num(rstat_t_crit(c->cfg.stat.alpha, r->df)) :
			    json_null());
	json_object_set_new(o, "mde_pct", judged ? json_num(mc->mde_pct) : json_null());
	json_object_set_new(o, "drift_sd", judged && r->drift_sd > 0 ?
			    json_num(r->drift_sd) : json_null());
	json_object_set_new(o, "threshold_pct", json_num(mc->threshold_pct));
	json_object_set_new(o, "significant", json_boolean(mc->verdict == VD_REGRESSION ||
							   mc->verdict == VD_IMPROVEMENT ||
							   mc->verdict == VD_CHANGED));
}

static json_t *metric_json(const struct comparison *c, const struct metric_cmp *mc)
{
	json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:b, s:b, s:s, s:o}",
			      "name", mc->name, "kind", kind_name(mc->kind),
			      "unit", mc->unit, "better", better_name(mc->better),
			      "gate", mc->gated, "headline", mc->headline,
			      "verdict", verdict_name(mc->verdict),
			      "reason", json_str_or_null(mc->reason[0] ? mc->reason : NULL));

	if (mc->absent)
		json_object_set_new(o, "absent", json_string(mc->absent));
	if (mc->verdict == VD_UNAVAILABLE)
		return o;
	if (mc->kind == MK_EXACT) {
		json_object_set_new(o, "base", exact_side_json(&mc->eb, mc->base));
		json_object_set_new(o, "test", exact_side_json(&mc->et, mc->test));
		json_object_set_new(o, "delta", json_num(mc->delta));
		json_object_set_new(o, "delta_pct", json_num(mc->delta_pct));
	} else {
		timed_json(o, c, mc);
	}
	return o;
}

static json_t *reps_json(const struct workload_data *w)
{
	return json_pack("{s:I, s:I}", "ok", (json_int_t)w->nreps_ok,
			 "total", (json_int_t)w->nreps);
}

static json_t *workload_json(const struct comparison *c, const struct workload_cmp *wc)
{
	json_t *metrics = json_array();
	size_t i;

	for (i = 0; i < wc->nm; i++)
		json_array_append_new(metrics, metric_json(c, &wc->m[i]));
	return json_pack("{s:s, s:O, s:s, s:o, s:o, s:o, s:o}",
			 "name", wc->base->name, "params", wc->base->params,
			 "status", wc->reason ? "unavailable" : "compared",
			 "reason", json_str_or_null(wc->reason),
			 "base_reps", reps_json(wc->base),
			 "test_reps", reps_json(wc->test), "metrics", metrics);
}

/* "machine" as the report has it (exports match reports by it) */
static json_t *report_json(const struct report *r)
{
	return json_pack("{s:s, s:s, s:s, s:O, s:O, s:s, s:s}", "file", r->path,
			 "label", r->label, "created", r->created,
			 "kernel", json_object_get(r->root, "kernel"),
			 "machine", json_object_get(r->root, "machine"),
			 "fingerprint", r->fp,
			 "fingerprint_source", r->fp_computed ? "computed" : "report");
}

static json_t *groups_json(const struct comparison *c)
{
	json_t *a = json_array(), *m;
	char desc[512];
	size_t i, j;

	for (i = 0; i < c->ngroups; i++) {
		const struct machine_group *g = &c->groups[i];

		m = json_array();
		for (j = 0; j < g->n; j++)
			json_array_append_new(m, json_string(g->r[j]->label));
		json_array_append_new(a, json_pack("{s:s, s:s, s:o, s:s, s:b}",
						   "fingerprint", g->fp,
						   "machine", machine_desc(g->r[0], desc, sizeof(desc)),
						   "members", m, "timed_base", g->r[0]->label,
						   "base", i == 0));
	}
	return a;
}

static const char *const timed_mode_names[] = { "judged", "refused", "forced" };

static json_t *counts_json(const struct test_cmp *t)
{
	json_t *o = json_object();
	int v;

	for (v = 0; v < NR_VERDICTS; v++)
		json_object_set_new(o, verdict_name(v), json_integer(t->count[v]));
	json_object_set_new(o, "gated_regressions", json_integer(t->gated_regressions));
	json_object_set_new(o, "failed_workloads", json_integer(t->failed_workloads));
	json_object_set_new(o, "unavailable_workloads", json_integer(t->unavailable_workloads));
	json_object_set_new(o, "few_rounds", json_integer(t->few_rounds));
	json_object_set_new(o, "corrected_over", json_integer(t->gating_m));
	json_object_set_new(o, "other_timed_judged", json_integer(t->info_m));
	return o;
}

static json_t *size_or_null(size_t n)
{
	return n == SIZE_MAX ? json_null() : json_integer((json_int_t)n);
}

static json_t *mde_row_json(const struct test_cmp *t, const struct metric_cmp *mc)
{
	size_t i;

	for (i = 0; mc && i < t->nw; i++)
		if (mc >= t->w[i].m && mc < t->w[i].m + t->w[i].nm)
			return json_pack("{s:s, s:s, s:o}", "workload", t->w[i].base->name,
					 "metric", mc->name, "mde_pct", json_num(mc->mde_pct));
	return json_null();
}

/* Rounds, whether timed metrics could be judged, and what they can see. */
static json_t *timed_json_summary(const struct comparison *c, const struct test_cmp *t)
{
	char note[700];
	const char *why = power_note(c, t, note, sizeof(note));

	if (!why && t->timed == TIMED_REFUSED)
		why = env_note(c, t, note, sizeof(note));
	return json_pack("{s:o, s:o, s:b, s:o, s:f, s:f, s:o, s:o, s:o}",
			 "rounds_base", size_or_null(t->rounds_base),
			 "rounds_test", size_or_null(t->rounds_test),
			 "judged", t->gating_m + t->info_m > 0,
			 "not_judged_reason", json_str_or_null(why),
			 "mde_power", CMP_MDE_POWER,
			 "mde_alpha", mde_alpha(c, t->gating_m),
			 "mde_min", mde_row_json(t, t->mde_min_row),
			 "mde_max", mde_row_json(t, t->mde_max_row),
			 "headline_fallback", json_boolean(t->headline_fallback));
}

static json_t *test_json(const struct comparison *c, const struct test_cmp *t)
{
	json_t *o = report_json(t->test), *wl = json_array(), *um = json_array();
	size_t i;

	for (i = 0; i < t->nw; i++)
		json_array_append_new(wl, workload_json(c, &t->w[i]));
	for (i = 0; i < t->nu; i++)
		json_array_append_new(um, json_pack("{s:s, s:O, s:s, s:s}",
						    "name", t->u[i].w->name,
						    "params", t->u[i].w->params,
						    "side", t->u[i].side,
						    "reason", t->u[i].reason));
	json_object_set_new(o, "environment", json_pack("{s:b, s:o, s:s}",
			    "like", !t->env_diff[0],
			    "differences", json_str_or_null(t->env_diff[0] ? t->env_diff : NULL),
			    "timed", timed_mode_names[t->timed]));
	json_object_set_new(o, "machine_group", json_integer((json_int_t)t->test->group));
	json_object_set_new(o, "timed_base", t->tbase ?
			    json_pack("{s:s, s:s, s:s}", "label", t->tbase->label,
				      "file", t->tbase->path, "fingerprint", t->tbase->fp) :
			    json_null());
	json_object_set_new(o, "verdict", json_string(t->gated_regressions || t->failed_workloads ?
						      "regression" : "no-regression"));
	json_object_set_new(o, "counts", counts_json(t));
	json_object_set_new(o, "timed", timed_json_summary(c, t));
	json_object_set_new(o, "unmatched", um);
	json_object_set_new(o, "workloads", wl);
	return o;
}

static json_t *settings_json(const struct comparison *c)
{
	const struct cmp_config *cfg = &c->cfg;
	json_t *thr = json_array();
	size_t i;

	for (i = 0; i < cfg->nthr; i++)
		json_array_append_new(thr, json_pack("{s:s, s:o}", "glob", cfg->thr[i].glob,
						     "pct", json_num(cfg->thr[i].pct)));
	return json_pack("{s:s, s:f, s:o, s:s, s:f, s:o, s:o, s:f, s:I, s:I, s:b}",
			 "method", "per-round values (median of each round's repetitions); Welch's t-test on log round medians; hierarchical bootstrap interval of the ratio of medians",
			 "mde_power", CMP_MDE_POWER,
			 "config_file", json_str_or_null(cfg->path),
			 "correction", correction_name(cfg->correction),
			 "alpha", cfg->stat.alpha,
			 "threshold_pct", json_num(cfg->stat.threshold_pct),
			 "thresholds", thr, "confidence", cfg->stat.confidence,
			 "bootstrap_iterations", (json_int_t)cfg->stat.iterations,
			 "seed", (json_int_t)cfg->stat.seed, "force", c->force);
}

size_t drift_applied(const struct comparison *c)
{
	size_t i, n = 0;

	for (i = 0; i < c->ntests; i++)
		n += c->tests[i].drift_applied;
	return n;
}

json_t *comparison_json(const struct comparison *c)
{
	json_t *tests = json_array(), *root, *settings;
	json_t *gate = json_array();
	size_t i;

	for (i = 0; i < c->ntests; i++)
		json_array_append_new(tests, test_json(c, &c->tests[i]));
	for (i = 0; i < c->cfg.ngate; i++)
		json_array_append_new(gate, json_string(c->cfg.gate[i]));
	settings = settings_json(c);
	json_object_set_new(settings, "gate", gate);
	json_object_set_new(settings, "noise", c->noise ?
			    json_pack("{s:s, s:I, s:I}", "file", c->noise->path,
				      "runs", (json_int_t)c->noise->runs,
				      "applied_to", (json_int_t)drift_applied(c)) : json_null());
	root = json_pack("{s:s, s:i, s:{s:s, s:s}, s:s, s:o, s:o, s:o, s:s, s:i}",
			 "schema", CMP_SCHEMA, "schema_version", CMP_SCHEMA_VERSION,
			 "tool", "name", "rmapbench", "version", RMAPBENCH_VERSION,
			 "created", c->created, "settings", settings,
			 "base", report_json(c->base), "tests", tests,
			 "verdict", any_gated_regression(c) ? "regression" : "no-regression",
			 "exit_code", any_gated_regression(c) ? 1 : 0);
	if (root)
		json_object_set_new(root, "machine_groups", groups_json(c));
	if (root)
		curves_hook_json(c, root);
	return root;
}

/* ---- command ---------------------------------------------------------- */

static void usage(FILE *out)
{
	fprintf(out,
		"usage: rmapbench compare BASE.json TEST.json [TEST2.json...] [options]\n"
		"  -o, --out DIR      output directory (default ./comparison-<UTC timestamp>)\n"
		"  -c, --config FILE  [compare] settings: alpha, threshold_pct, threshold.<glob>, gate\n"
		"  -f, --force        judge timed metrics even between unlike environments\n"
		"  -n, --noise FILE   add the run-to-run drift measured by 'rmapbench calibrate'\n"
		"                     on this machine (recommended for host runs)\n"
		"      --json         print comparison.json on stdout instead of the table\n"
		"      --no-graphs    skip gnuplot (tables, summary.md and index.html only)\n"
		"  -v, --verbose      more detail (spread, p-values, intervals, files written)\n"
		"  -h, --help         this text\n"
		"Timed metrics are judged from rounds (runs of the suite, \"round\" in each rep):\n"
		"at least 2 per side, else they are shown but not judged; only each workload's\n"
		"headline metrics gate (Holm-corrected). Reports of several machines are grouped\n"
		"by machine.fingerprint: exact metrics are compared against the base on all,\n"
		"timed ones against the first report of the test's own machine (with --force,\n"
		"the first report of a machine against the base). docs/compare.md explains it.\n"
		"examples:\n"
		"  rmapbench run --rounds 3 --json base.json   (then on the test kernel: test.json)\n"
		"  rmapbench compare base.json test.json --out cmp\n"
		"  rmapbench compare base.json test.json -c ci.conf --json > comparison.json\n"
		"  rmapbench compare base.json test.json --noise noise.json\n"
		"  rmapbench compare a-base.json a-test.json b-base.json b-test.json   (machines A, B)\n"
		"exit status: 0 no regression, 1 regression in a gated metric, 2 error\n");
}

struct compare_args {
	const char *out;
	const char *config;
	const char *noise;
	bool json;
	bool no_graphs;
	char **files;
	int nfiles;
};

static int parse_args(int argc, char **argv, struct comparison *c,
		      struct compare_args *a)
{
	static const struct option opts[] = {
		{ "out", required_argument, NULL, 'o' },
		{ "config", required_argument, NULL, 'c' },
		{ "force", no_argument, NULL, 'f' },
		{ "noise", required_argument, NULL, 'n' },
		{ "json", no_argument, NULL, 'j' },
		{ "no-graphs", no_argument, NULL, 'G' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int opt;

	optind = 0;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "o:c:fn:vh", opts, NULL)) != -1) {
		switch (opt) {
		case 'o': a->out = optarg; break;
		case 'c': a->config = optarg; break;
		case 'f': c->force = true; break;
		case 'n': a->noise = optarg; break;
		case 'j': a->json = true; break;
		case 'G': a->no_graphs = true; break;
		case 'v': c->verbose++; break;
		case 'h': usage(stdout); return 1;
		default:
			fprintf(stderr, PROG ": bad option %s (see rmapbench compare -h)\n",
				argv[optind - 1]);
			return -1;
		}
	}
	a->files = argv + optind;
	a->nfiles = argc - optind;
	if (a->nfiles < 2) {
		fprintf(stderr, PROG ": need a base report and at least one test report (see rmapbench compare -h)\n");
		return -1;
	}
	return 0;
}

/* Two inputs of the same release get "[n]" suffixes, n = input position. */
static void unique_labels(struct comparison *c)
{
	size_t n = c->ntests + 1, i, j;
	struct report **all = calloc(n, sizeof(*all));
	bool *dup = calloc(n, sizeof(*dup));

	if (!all || !dup)
		goto out;
	all[0] = c->base;
	for (i = 0; i < c->ntests; i++)
		all[i + 1] = c->tests[i].test;
	for (i = 0; i < n; i++)
		for (j = 0; j < n; j++)
			if (i != j && !strcmp(all[i]->label, all[j]->label))
				dup[i] = true;
	for (i = 0; i < n; i++) {
		char *l;

		if (dup[i] && asprintf(&l, "%s [%zu]", all[i]->label, i + 1) >= 0) {
			free(all[i]->label);
			all[i]->label = l;
		}
	}
out:
	free(all);
	free(dup);
}

/* The drift calibration must come from the machine every input ran on. */
static int load_noise(struct comparison *c, const struct compare_args *a,
		      char *err, size_t errlen)
{
	const char *why;
	size_t i;

	if (!a->noise)
		return 0;
	c->noise = calloc(1, sizeof(*c->noise));
	if (!c->noise) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (noise_load(c->noise, a->noise, err, errlen))
		return -1;
	for (i = 0; i <= c->ntests; i++) {
		const struct report *r = i ? c->tests[i - 1].test : c->base;

		why = noise_machine_differs(c->noise, r);
		if (why) {
			snprintf(err, errlen, "%s: calibrated on another machine than %s (%s)",
				 a->noise, r->path, why);
			return -1;
		}
	}
	return 0;
}

static int group_add(struct comparison *c, struct report *r)
{
	struct machine_group *g;
	struct report **m;
	size_t i;

	for (i = 0; i < c->ngroups && strcmp(c->groups[i].fp, r->fp); i++)
		;
	if (i == c->ngroups) {
		g = realloc(c->groups, (c->ngroups + 1) * sizeof(*g));
		if (!g)
			return -1;
		c->groups = g;
		memset(&g[i], 0, sizeof(*g));
		g[i].fp = r->fp;
		c->ngroups++;
	}
	g = &c->groups[i];
	m = realloc(g->r, (g->n + 1) * sizeof(*m));
	if (!m)
		return -1;
	g->r = m;
	g->r[g->n++] = r;
	r->group = i;
	return 0;
}

/* Inputs by machine fingerprint, in input order: the base's group first. */
static int group_machines(struct comparison *c)
{
	size_t i;

	if (group_add(c, c->base))
		return -1;
	for (i = 0; i < c->ntests; i++)
		if (group_add(c, c->tests[i].test))
			return -1;
	return 0;
}

static int load_inputs(struct comparison *c, const struct compare_args *a,
		       char *err, size_t errlen)
{
	int i;

	cmp_config_init(&c->cfg);
	if (a->config && cmp_config_load(&c->cfg, a->config, err, errlen))
		return -1;
	c->base = calloc(1, sizeof(*c->base));
	c->tests = calloc(a->nfiles, sizeof(*c->tests));
	if (!c->base || !c->tests) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (report_load(c->base, a->files[0], err, errlen))
		return -1;
	for (i = 1; i < a->nfiles; i++) {
		struct test_cmp *t = &c->tests[c->ntests++];

		t->test = calloc(1, sizeof(*t->test));
		if (!t->test || report_load(t->test, a->files[i], err, errlen))
			return -1;
	}
	unique_labels(c);
	if (group_machines(c)) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return load_noise(c, a, err, errlen);
}

static void free_comparison(struct comparison *c)
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
	if (c->noise)
		noise_free(c->noise);
	free(c->noise);
	free(c->outdir);
}

static int write_json_file(const struct comparison *c, json_t *root, char *err,
			   size_t errlen)
{
	char *path = path_join(c->outdir, "comparison.json");
	struct sbuf b = { 0 };
	char *text;
	int ret = -1;

	text = json_dumps(root, JSON_INDENT(2) | JSON_REAL_PRECISION(10));
	if (text && path) {
		sbuf_puts(&b, text);
		sbuf_puts(&b, "\n");
		ret = sbuf_write(&b, path, err, errlen);
	} else {
		snprintf(err, errlen, "out of memory");
	}
	sbuf_free(&b);
	free(text);
	free(path);
	return ret;
}

static int write_summary_file(const struct comparison *c, char *err, size_t errlen)
{
	struct sbuf md = { 0 };
	char *path = path_join(c->outdir, "summary.md");
	int ret = -1;

	write_summary_md(c, &md);
	curves_hook_md(c, &md);
	if (path)
		ret = sbuf_write(&md, path, err, errlen);
	free(path);
	sbuf_free(&md);
	return ret;
}

/* Graphs of every base workload matched by at least one test report. */
static void make_graphs(const struct comparison *c, struct gp_ctx *gp)
{
	struct plot_side *sides = calloc(c->ntests + 1, sizeof(*sides));
	size_t i, j, k, n;

	if (!sides)
		return;
	for (i = 0; i < c->base->nwl; i++) {
		const struct workload_data *bw = &c->base->wl[i];
		char *stem, *safe = file_safe(bw->name);

		sides[0].label = c->base->label;
		sides[0].w = bw;
		for (n = 1, j = 0; j < c->ntests; j++) {
			const struct test_cmp *t = &c->tests[j];

			for (k = 0; k < t->nw; k++) {
				if (t->w[k].base == bw) {
					sides[n].label = t->test->label;
					sides[n++].w = t->w[k].test;
				}
			}
		}
		if (n > 1 && safe && asprintf(&stem, "w%02zu-%s", i, safe) >= 0) {
			gp_workload_graphs(gp, (int)i, stem, sides, n);
			free(stem);
		}
		free(safe);
	}
	gp_change_graphs(gp, c);
	curves_hook_graphs(c, gp);
	free(sides);
}

static int write_outputs(struct comparison *c, const struct compare_args *a,
			 char *err, size_t errlen)
{
	struct gp_ctx gp;
	json_t *root;
	int ret = -1;

	if (mkdir_p(c->outdir, err, errlen))
		return -1;
	root = comparison_json(c);
	if (!root) {
		snprintf(err, errlen, "cannot build comparison.json (out of memory)");
		return -1;
	}
	if (write_json_file(c, root, err, errlen) || write_summary_file(c, err, errlen))
		goto out;
	if (a->no_graphs) {
		memset(&gp, 0, sizeof(gp));
		snprintf(gp.why, sizeof(gp.why), "disabled by --no-graphs");
	} else if (!gp_init(&gp, c->outdir, c->verbose)) {
		make_graphs(c, &gp);
	} else {
		fprintf(stderr, PROG ": no graphs: %s\n", gp.why);
	}
	ret = write_compare_html(c, &gp, err, errlen);
	if (gp.failed)
		fprintf(stderr, PROG ": %zu graph(s) failed, see %s\n", gp.failed, gp.log);
	gp_free(&gp);
	if (ret)
		goto out;
	if (a->json) {
		json_dumpf(root, stdout, JSON_INDENT(2) | JSON_REAL_PRECISION(10));
		fputc('\n', stdout);
	} else {
		print_table(c, stdout);
		curves_hook_print(c, stdout);
	}
out:
	json_decref(root);
	return ret;
}

static int run_compare(struct comparison *c, const struct compare_args *a,
		       char *err, size_t errlen)
{
	size_t i;

	if (load_inputs(c, a, err, errlen))
		return -1;
	for (i = 0; i < c->ntests; i++)
		if (compare_test(c, &c->tests[i], err, errlen))
			return -1;
	utc_stamp(c->created, sizeof(c->created), false);
	if (a->out) {
		c->outdir = strdup(a->out);
	} else {
		char stamp[32];

		utc_stamp(stamp, sizeof(stamp), true);
		if (asprintf(&c->outdir, "comparison-%s", stamp) < 0)
			c->outdir = NULL;
	}
	if (!c->outdir) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return write_outputs(c, a, err, errlen);
}

int cmd_compare(int argc, char **argv)
{
	struct compare_args a = { 0 };
	struct comparison c = { 0 };
	char err[CMP_ERR_LEN] = "";
	int ret;

	gsl_set_error_handler_off();
	ret = parse_args(argc, argv, &c, &a);
	if (ret)
		return ret > 0 ? 0 : 2;
	if (run_compare(&c, &a, err, sizeof(err))) {
		fprintf(stderr, PROG ": %s\n", err);
		ret = 2;
	} else {
		ret = any_gated_regression(&c) ? 1 : 0;
	}
	fflush(stdout);
	free_comparison(&c);
	return ret;
}
