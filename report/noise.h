/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The noise file: `rmapbench calibrate` (report/calibrate.c) measures, from
 * A/A runs of one kernel on one machine, how much a whole run drifts beyond
 * what its own rounds show; `compare --noise FILE` loads it here and adds that
 * drift to the test of every timed metric. See docs/compare.md.
 */
#ifndef RMAPBENCH_NOISE_H
#define RMAPBENCH_NOISE_H

#include <stddef.h>

#include <jansson.h>

#define NOISE_SCHEMA		"rmapbench-noise"
#define NOISE_SCHEMA_VERSION	1
#define NOISE_MIN_RUNS		3

struct report;

struct noise_metric {
	const char *workload;
	const char *params;	/* params_str of the workload, "a=1 b=2" */
	json_t *params_obj;	/* the same as an object, for noise_lookup() */
	const char *metric;
	double sd_run;		/* between-run SD of log round medians */
	double sd_within;	/* within-run SD of log round medians */
	double df;		/* runs - 1 */
};

struct noise {
	char *path;
	json_t *root;
	const char *cpu_model;
	const char *virt;
	const char *accel;	/* NULL for JSON null */
	long long cores;
	const char *fp;		/* machine.fingerprint, NULL: none (older files) */
	size_t runs;
	struct noise_metric *m;
	size_t nm;
};

int noise_load(struct noise *n, const char *path, char *err, size_t errlen);
void noise_free(struct noise *n);
/* NULL when the machine matches, else what differs (static buffer). */
const char *noise_machine_differs(const struct noise *n, const struct report *r);
const struct noise_metric *noise_lookup(const struct noise *n, const char *workload,
					json_t *params, const char *metric);

#endif
