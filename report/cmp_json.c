// SPDX-License-Identifier: GPL-2.0
/*
 * comparison.json: the comparison model as JSON (docs/compare.md), for CI
 * and for `rmapbench export`.
 */
#include <stdint.h>
#include <stdlib.h>

#include "cmp_curve.h"
#include "cmp_json.h"
#include "cmp_model.h"
#include "noise.h"

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

/* One --noise file: the machine it was measured on, and what it widened. */
static json_t *noise_json(const struct comparison *c, const struct noise *n)
{
	return json_pack("{s:s, s:I, s:s?, s:I}", "file", n->path, "runs", (json_int_t)n->runs,
			 "fingerprint", n->fp, "applied_to", (json_int_t)drift_applied_by(c, n));
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
	json_object_set_new(settings, "noise", c->nnoise ? noise_json(c, &c->noise[0]) : json_null());
	if (c->nnoise) {
		json_t *files = json_array();

		for (i = 0; i < c->nnoise; i++)
			json_array_append_new(files, noise_json(c, &c->noise[i]));
		json_object_set_new(settings, "noise_files", files);
	}
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
