/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Cost curves (report/cmp_curve.c): the points of a sweep (workloads with a
 * "sweep" object, bench/sweep.h) of each report, per metric, and the growth
 * exponent fitted to them: the least-squares slope of log(metric) over
 * log(parameter). docs/compare.md, "Cost curves".
 */
#ifndef RMAPBENCH_CMP_CURVE_H
#define RMAPBENCH_CMP_CURVE_H

#include "report.h"

struct comparison;

/* An exponent change of an exact metric beyond this is a change of the curve. */
#define CURVE_EXACT_DELTA	0.05
/*
 * A timed metric's exponent is fitted per round (each round's point medians);
 * a test's round exponents differ from the base's when Welch's test, Holm-
 * adjusted over the timed exponents of that test, gives p below
 * CURVE_TIMED_ALPHA and the mean round exponents differ by more than
 * CURVE_TIMED_DELTA. Needs 2 rounds a side.
 */
#define CURVE_TIMED_DELTA	0.10
#define CURVE_TIMED_ALPHA	0.05

/* Least-squares fit of log y = c + e·log x over the points with x, y > 0. */
struct curve_fit {
	bool ok;		/* false: fewer than 2 usable points (why says so) */
	double exponent;
	double r2;		/* NaN when every log y is equal */
	size_t used;		/* points that entered the fit */
	const char *why;
};

int curve_fit_loglog(const double *x, const double *y, size_t n, struct curve_fit *f);

/* One report's points of one metric. */
struct curve_line {
	const char *label;	/* the report's label */
	double *x, *y;		/* the swept value, the metric's median over repetitions */
	size_t n;
	size_t npoints;		/* points of this sweep in the report (x present) */
	struct curve_fit fit;
	double *rexp;		/* timed: the exponent of each round's points (fitted rounds) */
	size_t nrexp;
	size_t nrounds;		/* timed: rounds the report has at these points */
	/* test lines of timed metrics: the test against the base's round exponents */
	bool tested;
	double rdelta;		/* mean round exponent, test minus base */
	double p, p_adj;	/* Welch's two-sided p, Holm-adjusted */
	const char *why;	/* not tested: why */
};

struct curve_metric {
	const char *name;
	enum metric_kind kind;
	enum metric_better better;
	const char *unit;
	bool shown;		/* slab allocs, rmap.*, headline: in tables and graphs */
	struct curve_line *line;	/* one per report, base first */
};

struct curve {
	const char *workload;
	const char *param;
	struct curve_metric *m;
	size_t nm;
};

struct curves {
	const struct report **r;	/* base first */
	size_t nr;
	struct curve *c;
	size_t n;
};

/* Curves of the sweeps in @r[0] (the base), with the points of every report. */
struct curves *curves_build(const struct report *const *r, size_t nr);
struct curves *curves_of_comparison(const struct comparison *c);
void curves_free(struct curves *cs);
/*
 * "steeper" / "flatter": how test line @i (>= 1) differs from the base's;
 * NULL: no change, or not judged (*judged false; line[i].why says why for
 * timed metrics).
 */
const char *curve_change(const struct curve_metric *m, size_t i, bool *judged);
/* comparison.json "curves" (NULL when there is no sweep) */
json_t *curves_json(const struct curves *cs);
void curves_print(const struct curves *cs, FILE *out, int verbose);
void curves_md(const struct curves *cs, struct sbuf *md);
/* index.html: the exponent table of each sweep (the graphs are plot.c's) */
void curves_html(const struct curves *cs, struct sbuf *h);
/* report/plot.c: one log-log graph per shown metric, one line per report */

/* The hooks of compare.c and plot_cmd.c: each builds the curves, uses and frees them. */
void curves_hook_json(const struct comparison *c, json_t *root);
void curves_hook_md(const struct comparison *c, struct sbuf *md);
void curves_hook_print(const struct comparison *c, FILE *out);
void curves_hook_html(const struct comparison *c, struct sbuf *h);

#endif
