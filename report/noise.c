// SPDX-License-Identifier: GPL-2.0
/*
 * The noise file of `rmapbench calibrate` (report/calibrate.c): loading it,
 * checking it was measured on the machine of a report, and looking up the
 * run-to-run drift of one timed metric, which `compare --noise FILE` adds to
 * its test (docs/compare.md, "Drift calibration").
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "noise.h"
#include "workload.h"

static const char *json_str(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static int noise_bad(const char *path, char *err, size_t errlen, const char *what)
{
	snprintf(err, errlen, "%s: %s", path, what);
	return -1;
}

/*
 * "regions=8 depth=4": a report's params_str (report_load.c: keys joined with
 * their compact JSON values) back into an object, so a lookup can use the
 * registry's parameter rule instead of comparing text.
 */
static json_t *params_parse(const char *s)
{
	json_t *o = json_object(), *v;
	json_error_t jerr;
	char key[128];
	const char *eq;

	while (o && *s) {
		while (*s == ' ')
			s++;
		if (!*s)
			break;
		eq = strchr(s, '=');
		if (!eq || eq == s || (size_t)(eq - s) >= sizeof(key) || memchr(s, ' ', eq - s))
			goto bad;
		memcpy(key, s, eq - s);
		key[eq - s] = '\0';
		v = json_loads(eq + 1, JSON_DECODE_ANY | JSON_DISABLE_EOF_CHECK, &jerr);
		if (!v || json_object_set_new(o, key, v))
			goto bad;
		s = eq + 1 + jerr.position;
		if (*s && *s != ' ')
			goto bad;
	}
	return o;
bad:
	json_decref(o);
	return NULL;
}

static int load_metric(struct noise_metric *m, json_t *o)
{
	json_t *sd = json_object_get(o, "sd_run"), *w = json_object_get(o, "sd_within");
	json_t *df = json_object_get(o, "df");

	m->workload = json_str(o, "workload");
	m->params = json_str(o, "params");
	m->metric = json_str(o, "metric");
	if (!m->workload || !m->params || !m->metric || !json_is_number(sd) ||
	    !json_is_number(w) || !json_is_number(df))
		return -1;
	m->sd_run = json_number_value(sd);
	m->sd_within = json_number_value(w);
	m->df = json_number_value(df);
	m->params_obj = params_parse(m->params);
	if (!m->params_obj || !(m->sd_run >= 0) || !(m->sd_within >= 0) || !(m->df >= 1) || m->sd_run > 50)
		return -1;
	return 0;
}

int noise_load(struct noise *n, const char *path, char *err, size_t errlen)
{
	json_t *machine, *metrics, *v;
	json_error_t jerr;
	size_t i;

	memset(n, 0, sizeof(*n));
	n->path = strdup(path);
	n->root = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
	if (!n->path)
		return noise_bad(path, err, errlen, "out of memory");
	if (!n->root) {
		snprintf(err, errlen, "%s: not a noise file: %s (line %d)", path, jerr.text,
			 jerr.line);
		return -1;
	}
	if (!str_eq_null(json_str(n->root, "schema"), NOISE_SCHEMA) ||
	    json_integer_value(json_object_get(n->root, "schema_version")) != NOISE_SCHEMA_VERSION)
		return noise_bad(path, err, errlen, "not a " NOISE_SCHEMA " file of version 1 "
				 "(made by rmapbench calibrate)");
	machine = json_object_get(n->root, "machine");
	n->cpu_model = json_str(machine, "cpu_model");
	n->virt = json_str(machine, "virt");
	v = json_object_get(machine, "accel");
	n->accel = json_string_value(v);
	n->cores = json_integer_value(json_object_get(machine, "cores"));
	n->fp = json_str(machine, "fingerprint");
	n->runs = json_integer_value(json_object_get(n->root, "runs"));
	metrics = json_object_get(n->root, "metrics");
	if (!n->cpu_model || !n->virt || (v && !json_is_null(v) && !n->accel) ||
	    (n->fp && !fingerprint_valid(n->fp)) || n->cores < 1 || n->runs < NOISE_MIN_RUNS || !json_is_array(metrics))
		return noise_bad(path, err, errlen, "machine, runs or metrics missing or invalid");
	n->nm = json_array_size(metrics);
	n->m = calloc(n->nm + 1, sizeof(*n->m));
	if (!n->m)
		return noise_bad(path, err, errlen, "out of memory");
	for (i = 0; i < n->nm; i++) {
		if (load_metric(&n->m[i], json_array_get(metrics, i))) {
			snprintf(err, errlen, "%s: metrics[%zu]: needs workload, params (\"k=v ...\"), "
				 "metric, sd_run (0..50), sd_within >= 0 and df >= 1", path, i);
			return -1;
		}
	}
	return 0;
}

void noise_free(struct noise *n)
{
	size_t i;

	for (i = 0; n->m && i < n->nm; i++)
		json_decref(n->m[i].params_obj);
	free(n->path);
	free(n->m);
	json_decref(n->root);
	memset(n, 0, sizeof(*n));
}

const char *noise_machine_differs(const struct noise *n, const struct report *r)
{
	struct machine_id nm = { .fp = n->fp, .virt = n->virt, .accel = n->accel,
				 .cpu_model = n->cpu_model, .cores = n->cores };
	struct machine_id rm = report_machine(r);
	unsigned int d = machine_diff(&nm, &rm);
	static char why[256];

	if (d & MACHINE_VIRT)
		snprintf(why, sizeof(why), "virt %s vs %s", n->virt, r->virt);
	else if (d & MACHINE_ACCEL)
		snprintf(why, sizeof(why), "accel %s vs %s", n->accel ? n->accel : "none",
			 r->accel ? r->accel : "none");
	else if (d & MACHINE_CPU)
		snprintf(why, sizeof(why), "cpu %s vs %s", n->cpu_model, r->cpu_model);
	else if (d & MACHINE_CORES)
		snprintf(why, sizeof(why), "%lld vs %lld cores", n->cores, r->cores);
	else if (d & MACHINE_FP)
		snprintf(why, sizeof(why), "machine fingerprint %s vs %s", n->fp, r->fp);
	else
		return NULL;
	return why;
}

/*
 * Parameters match by the registry's rule, as in compare and merge: a
 * parameter only one side names matches at its declared default, so a file
 * calibrated before a knob was added still covers reports that have it.
 */
const struct noise_metric *noise_lookup(const struct noise *n, const char *workload,
					json_t *params, const char *metric)
{
	size_t i;

	for (i = 0; i < n->nm; i++)
		if (!strcmp(n->m[i].workload, workload) && !strcmp(n->m[i].metric, metric) &&
		    workload_params_equal(workload, n->m[i].params_obj, params))
			return &n->m[i];
	return NULL;
}
