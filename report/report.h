/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Internals shared by the files of report/: text buffers and file helpers
 * (report_util.c), the loaded report (report_load.c) and the [compare]
 * configuration (cmp_config.c). The comparison model is cmp_model.h, its
 * writers cmp_json.h, cmp_output.h, plot.h and cmp_html.h.
 */
#ifndef RMAPBENCH_REPORT_H
#define RMAPBENCH_REPORT_H

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

/* ---- report_util.c ---------------------------------------------------- */

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

/* ---- report_load.c: a validated report.json ---------------------------- */

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
/* Is @metric in the "headline" list of @w? false when it has no list. */
bool headline_listed(const struct workload_data *w, const char *metric);
const char *slab_inexact(const struct report *r, const char *metric);
bool slab_absent(const struct report *r, const char *metric);
const char *kind_name(enum metric_kind k);
const char *better_name(enum metric_better b);

/* What identifies the machine of a report, or of a drift calibration. */
struct machine_id {
	const char *fp;		/* NULL: unknown (older noise files), not compared */
	const char *virt;
	const char *accel;	/* NULL: none */
	const char *cpu_model;
	long long cores;
};

/* The fields in which two machines differ, as returned by machine_diff() */
enum {
	MACHINE_FP = 1 << 0,
	MACHINE_VIRT = 1 << 1,
	MACHINE_ACCEL = 1 << 2,
	MACHINE_CPU = 1 << 3,
	MACHINE_CORES = 1 << 4,
};

struct machine_id report_machine(const struct report *r);
/* MACHINE_* bits of the fields that differ; 0: the same machine. */
unsigned int machine_diff(const struct machine_id *a, const struct machine_id *b);

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

#endif
