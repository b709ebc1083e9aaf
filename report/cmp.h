/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Internals shared by the files of report/: the loaded report model,
 * the comparison model, configuration, outputs and gnuplot graphs.
 */
#ifndef RMAPBENCH_CMP_H
#define RMAPBENCH_CMP_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "fingerprint.h"
#include "stats.h"

#define CMP_REPORT_SCHEMA	"rmapbench-report"
#define CMP_REPORT_MAJOR	1
#define CMP_SCHEMA		"rmapbench-comparison"
#define CMP_SCHEMA_VERSION	1
#define CMP_ERR_LEN		512

#ifndef RMAPBENCH_VERSION
#define RMAPBENCH_VERSION "unknown"
#endif

/* ---- cmp_util.c ---------------------------------------------------- */

struct sbuf {
	char *s;
	size_t len;
	size_t cap;
	bool oom;
};

void sbuf_printf(struct sbuf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void sbuf_puts(struct sbuf *b, const char *s);
void sbuf_html(struct sbuf *b, const char *s);	/* escaped for HTML */
void sbuf_md(struct sbuf *b, const char *s);	/* escaped for a Markdown cell */
void sbuf_free(struct sbuf *b);

/* @b to @path by file_write_atomic() (util.h) */
int sbuf_write(struct sbuf *b, const char *path, char *err, size_t errlen);
int mkdir_p(const char *path, char *err, size_t errlen);
char *path_join(const char *dir, const char *name);
/* [A-Za-z0-9._-] copy of @s, other bytes become '_' */
char *file_safe(const char *s);
void utc_stamp(char *buf, size_t len, bool compact);
/* "%.*g"-style number without trailing noise; "n/a" for NaN */
const char *fmt_num(char *buf, size_t len, double v);
const char *fmt_metric(char *buf, size_t len, const char *unit, double v);
const char *fmt_pct(char *buf, size_t len, double v);
bool str_eq_null(const char *a, const char *b);
json_t *json_num(double v);	/* integer when integral, null when not finite */

/* ---- cmp_report.c: a validated report.json ---------------------------- */

enum metric_kind { MK_EXACT, MK_TIMED };
enum metric_better { MB_LOWER, MB_HIGHER, MB_NONE };

struct hist_bucket {
	double ge;		/* lower bound: "ge", or (le + 1) / 2 in log2 reports */
	double le;		/* INFINITY for the overflow bucket */
	double count;
};

struct metric_samples {
	const char *name;
	enum metric_kind kind;
	enum metric_better better;
	const char *unit;
	double *values;		/* from the ok repetitions, null values left out */
	int *round;		/* round of each value (1 when the rep has none) */
	size_t n;
	size_t n_null;
	const char *reason;	/* first reason given for a null value */
	struct hist_bucket *hist;	/* summed over the ok repetitions */
	size_t nhist;
	const char *hist_unit;
};

struct workload_data {
	const char *name;
	json_t *params;
	char *params_str;	/* "regions=8 depth=4" */
	const char *status;	/* ok | unavailable | failed */
	const char *reason;
	size_t nreps;
	size_t nreps_ok;
	json_t *reps;
	json_t *headline;	/* "headline": [names], NULL when absent */
	const char *sweep_wl;	/* "sweep": a point of a sweep of this workload, NULL: none */
	const char *sweep_param;
	double sweep_value;
	struct metric_samples *metrics;
	size_t nmetrics;
};

struct report {
	char *path;
	char *label;		/* "label", else kernel release; made unique among the inputs */
	json_t *root;
	const char *release;
	const char *created;
	const char *cpu_model;
	const char *virt;
	const char *accel;	/* NULL for JSON null */
	long long cores;
	long long memory_kib;	/* -1: unknown */
	const char *host_fp;	/* machine.host_fingerprint, NULL: none */
	char fp[FP_LEN];	/* machine.fingerprint, else computed from the fields */
	bool fp_computed;
	size_t group;		/* index in comparison.groups */
	bool slab_available;
	const char *slab_reason;
	struct workload_data *wl;
	size_t nwl;
};

int report_load(struct report *r, const char *path, char *err, size_t errlen);
void report_free(struct report *r);
const struct metric_samples *workload_metric(const struct workload_data *w,
					     const char *name);
/*
 * The same parameters of @workload: equal values, and a parameter only one
 * report has (added by a newer build) at its declared default.
 */
bool params_equal(const char *workload, json_t *a, json_t *b);
const char *slab_inexact(const struct report *r, const char *metric);
bool slab_absent(const struct report *r, const char *metric);
const char *kind_name(enum metric_kind k);
const char *better_name(enum metric_better b);

/* ---- cmp_config.c: [compare] of an INI file --------------------------- */

struct cmp_threshold {
	char *glob;
	double pct;
};

enum cmp_correction { CORR_NONE, CORR_HOLM, CORR_BH };

/* Power at which the minimum detectable effect is stated. */
#define CMP_MDE_POWER 0.9
/* Rounds per side recommended when a side has fewer than 2. */
#define CMP_RECOMMENDED_ROUNDS 3

struct cmp_config {
	char *path;		/* NULL: built-in defaults */
	struct rstat_timed_opts stat;
	enum cmp_correction correction;	/* over the gating timed metrics */
	char **gate;
	size_t ngate;
	struct cmp_threshold *thr;
	size_t nthr;
};

void cmp_config_init(struct cmp_config *cfg);
int cmp_config_load(struct cmp_config *cfg, const char *path, char *err,
		    size_t errlen);
void cmp_config_free(struct cmp_config *cfg);
bool cmp_glob_match(const char *glob, enum metric_kind kind,
		    const char *workload, const char *metric);
bool cmp_config_gated(const struct cmp_config *cfg, enum metric_kind kind,
		      const char *workload, const char *metric);
double cmp_config_threshold(const struct cmp_config *cfg, enum metric_kind kind,
			    const char *workload, const char *metric);

/* ---- compare.c: the comparison model ---------------------------------- */

enum verdict {
	VD_UNCHANGED,
	VD_REGRESSION,
	VD_IMPROVEMENT,
	VD_CHANGED,		/* better == none */
	VD_UNAVAILABLE,
	VD_NOT_JUDGED,		/* timed: unlike environments, or < 2 rounds */
	NR_VERDICTS,
};

enum timed_mode { TIMED_JUDGED, TIMED_REFUSED, TIMED_FORCED };

struct side_exact {
	size_t n;
	double value;		/* median over repetitions */
	double min;
	double max;
};

struct metric_cmp {
	const char *name;
	enum metric_kind kind;
	enum metric_better better;
	const char *unit;
	const struct metric_samples *base;
	const struct metric_samples *test;
	const struct metric_samples *tb;	/* timed: what it is judged against */
	enum verdict verdict;
	bool gated;
	/*
	 * "base" | "test": the cache of this slab.<cache>.* metric does not
	 * exist on that side's kernel; its values there are 0 (never gates)
	 */
	const char *absent;
	char reason[1024];	/* unavailable / not judged / notes */
	/* exact */
	struct side_exact eb, et;
	double delta;
	double delta_pct;	/* NaN when the base value is 0 */
	/* timed */
	bool have_timed;	/* t holds round statistics (p, df) */
	bool have_change;	/* t.change_pct/ci are shown (also < 2 rounds) */
	bool headline;		/* a headline metric of its workload */
	double threshold_pct;
	struct rstat_rounds t;
	double p_adj;		/* after the correction of its family */
	size_t family_m;	/* size of that family */
	double mde_pct;		/* minimum detectable effect, NaN: unknown */
};

/* Is @mc's cache absent on the base (@base) or test side? */
static inline bool absent_on(const struct metric_cmp *mc, bool base)
{
	return mc->absent && !strcmp(mc->absent, base ? "base" : "test");
}

struct workload_cmp {
	const struct workload_data *base;
	const struct workload_data *test;
	const struct workload_data *tbase;	/* the timed base's, NULL: none */
	struct metric_cmp *m;
	size_t nm;
	const char *reason;	/* set when one side is not ok */
};

struct unmatched {
	const struct workload_data *w;
	const char *side;	/* "base" | "test" */
	char reason[256];
};

struct test_cmp {
	struct report *test;
	/*
	 * Timed metrics are judged against the first input of the test's
	 * machine group (the base if it shares the base's machine; the base
	 * with --force when the test is the first of another group); NULL
	 * when they are not judged (first of its group, unlike fields).
	 */
	const struct report *tbase;
	enum timed_mode timed;
	char env_diff[512];	/* "machine.virt: native vs tcg; ..." */
	struct workload_cmp *w;
	size_t nw;
	struct unmatched *u;
	size_t nu;
	size_t count[NR_VERDICTS];
	size_t gated_regressions;
	size_t failed_workloads;	/* ok in base, failed in test */
	size_t unavailable_workloads;
	size_t rounds_base;	/* fewest rounds of a timed metric, base side */
	size_t rounds_test;
	size_t few_rounds;	/* timed metrics not judged: < 2 rounds a side */
	size_t gating_m;	/* judged gating timed metrics (the family) */
	size_t info_m;		/* judged other timed metrics */
	bool headline_fallback;	/* a workload had no "headline" in either report */
	size_t drift_applied;	/* judged timed metrics --noise widened */
	double mde_min, mde_max;	/* over the judged gating metrics, NaN: none */
	const struct metric_cmp *mde_min_row, *mde_max_row;
};

struct noise;

/* The inputs of one machine fingerprint, in input order. */
struct machine_group {
	const char *fp;
	struct report **r;
	size_t n;
};

struct comparison {
	struct cmp_config cfg;
	struct noise *noise;	/* --noise: run-to-run drift, NULL: none */
	struct report *base;
	struct test_cmp *tests;
	size_t ntests;
	struct machine_group *groups;	/* groups[0]: the base's machine */
	size_t ngroups;
	bool force;
	int verbose;
	char created[32];
	char *outdir;
};

const char *verdict_name(enum verdict v);
/* "Intel Xeon ..., 2 cores, 8 GiB, native" (memory as fingerprinted) */
const char *machine_desc(const struct report *r, char *buf, size_t len);
/* Is the test the first input of its machine group (not the base's)? */
bool first_of_machine(const struct comparison *c, const struct test_cmp *t);
/* "not judged: first report of machine <fp> ..." */
const char *group_first_note(const struct test_cmp *t, char *buf, size_t len);
bool any_gated_regression(const struct comparison *c);
json_t *comparison_json(const struct comparison *c);
size_t drift_applied(const struct comparison *c);

/* ---- cmp_output.c ------------------------------------------------------ */

void print_table(const struct comparison *c, FILE *out);
int write_summary_md(const struct comparison *c, struct sbuf *md);
const char *env_note(const struct comparison *c, const struct test_cmp *t,
		     char *buf, size_t len);
const char *power_note(const struct comparison *c, const struct test_cmp *t,
		       char *buf, size_t len);
const char *mde_note(const struct test_cmp *t, char *buf, size_t len);
const char *reach_note(const struct comparison *c, const struct test_cmp *t,
		       char *buf, size_t len);
const char *correction_name(enum cmp_correction c);
/* The Machines table: summary.md, or index.html when @html */
void machines_table(struct sbuf *b, const struct comparison *c, bool html);

/* ---- cmp_plot.c: gnuplot ------------------------------------------------ */

#define GP_SECTION_CURVES	(-2)	/* cost curves of sweeps (cmp_curve.h) */

struct graph {
	char *stem;		/* file name without extension, in graphs/ */
	char *title;
	int section;		/* index of the workload, -1: comparison-wide, GP_SECTION_CURVES */
	bool png;
	bool svg;
};

struct gp_ctx {
	char *dir;		/* <out>/graphs */
	char *log;		/* <out>/graphs/gnuplot.log */
	bool available;
	char why[CMP_ERR_LEN];	/* why graphs are missing */
	const char *png_term;	/* "pngcairo" or "png" */
	bool svg;
	int verbose;
	struct graph *g;
	size_t ng;
	size_t failed;
};

struct plot_side {
	const char *label;
	const struct workload_data *w;
};

int gp_init(struct gp_ctx *gp, const char *outdir, int verbose);
void gp_free(struct gp_ctx *gp);
void gp_workload_graphs(struct gp_ctx *gp, int section, const char *stem,
			const struct plot_side *s, size_t n);
void gp_change_graphs(struct gp_ctx *gp, const struct comparison *c);
void gp_spread_graph(struct gp_ctx *gp, int section, const char *stem,
		     const struct plot_side *s);

/* ---- cmp_html.c ---------------------------------------------------------- */

int write_compare_html(const struct comparison *c, const struct gp_ctx *gp,
		       char *err, size_t errlen);
int write_plot_html(const struct report *r, const struct gp_ctx *gp,
		    const char *outdir, char *err, size_t errlen);
void html_graphs(struct sbuf *h, const struct gp_ctx *gp, int section);

#endif
