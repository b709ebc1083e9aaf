/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rmapbench export: a report (and optionally its comparison) in the formats
 * of other test engines: KCIDB v5.3, LAVA test-case lines, JUnit XML,
 * tuxrun results.json (docs/fleet.md). export.c reads and checks the
 * inputs into the structures below; export_<format>.c write one format each.
 */
#ifndef RMAPBENCH_EXPORT_H
#define RMAPBENCH_EXPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>

#include "report.h"	/* struct sbuf */

/* export REPORT.json --format F [--comparison C] [--origin O] [-o FILE]: 0 or 2 */
int cmd_export(int argc, char **argv);

/* What a comparison said about one metric, reduced to what the formats need. */
enum ex_verdict {
	EXV_NONE,		/* no comparison, or the metric is not in it */
	EXV_UNCHANGED,
	EXV_REGRESSION,
	EXV_IMPROVEMENT,
	EXV_CHANGED,
	EXV_UNAVAILABLE,
	EXV_NOT_JUDGED,		/* "not-judged", "not_judged" and unknown strings */
};

struct ex_metric {
	const char *name, *unit, *better, *kind;	/* from the report */
	bool has_value;
	double value;		/* median over successful repetitions */
	int n;			/* repetitions that gave a value */
	const char *reason;	/* why there is no value */
	bool headline;		/* listed in the workload's "headline" */
	/* from the comparison (EXV_NONE and NULL without one) */
	enum ex_verdict verdict;
	const char *verdict_str;
	int gate;		/* 1 gates CI, 0 does not, -1 not said */
	json_t *cmp;		/* the comparison's metric object (borrowed) */
};

struct ex_workload {
	const char *name;
	char id[80];		/* name made unique and path-safe: [A-Za-z0-9_-] */
	json_t *params;
	const char *status, *reason;
	struct ex_metric *m;
	size_t nm;
	json_t *cmp;		/* the comparison's workload object (borrowed) */
};

struct ex_input {
	const char *report_path, *cmp_path, *origin;
	json_t *report, *comparison;
	json_t *cmp_test;	/* comparison tests[] entry of this report, or NULL */
	json_t *cmp_base;	/* comparison "base" */
	bool gate_known;	/* the comparison has "gate" fields */
	struct ex_workload *w;
	size_t nw;
	const char *created, *release, *kversion, *config_sha256;
	char spec[256];		/* kernel spec (run.sh --kernel), "" unknown */
	char arch[32];		/* "" unknown */
	char report_key[17];	/* hash of the canonical report: stable IDs */
};

/* Appends @root (NULL: out of memory) as indented JSON and drops it; -1 on failure. */
int ex_put_json(struct sbuf *out, json_t *root);
/* Appends @s escaped for XML text and attribute values (C0 controls dropped). */
void sbuf_xml(struct sbuf *b, const char *s);

/* 64-bit FNV-1a of @len bytes, continued from @h (start: EX_FNV_INIT). */
#define EX_FNV_INIT 0xcbf29ce484222325ull
unsigned long long ex_hash(unsigned long long h, const void *p, size_t len);
/* Copies @in to @out keeping [A-Za-z0-9_-] and, with @dots, non-empty
 * '.'-separated components; other bytes become '_'. */
void ex_sanitize(const char *in, bool dots, char *out, size_t len);
/* A number as plain decimal (no exponent, at most 10 decimals). */
void ex_fmt_num(double v, char *buf, size_t len);
/* The one-line summary of a compared metric ("W M: regression, A → B unit (+x%)"). */
void ex_summary(const struct ex_input *in, const struct ex_workload *w,
		const struct ex_metric *m, char *buf, size_t len);
/* Label of the base / this report in the comparison ("" without one). */
const char *ex_base_label(const struct ex_input *in);
/*
 * Label of the report this test's timed metrics were judged against when
 * that is not the base (another report of its machine), else NULL.
 */
const char *ex_timed_base_label(const struct ex_input *in);

/* Result of one metric for pass/fail formats: "skip" without a value, "fail"
 * for a regression that gates CI (or when the comparison does not say),
 * otherwise "pass". */
const char *ex_result(const struct ex_input *in, const struct ex_metric *m);

int export_kcidb(const struct ex_input *in, struct sbuf *out);
int export_lava(const struct ex_input *in, struct sbuf *out);
int export_junit(const struct ex_input *in, struct sbuf *out);
int export_tuxrun(const struct ex_input *in, struct sbuf *out);

#endif
