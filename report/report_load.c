// SPDX-License-Identifier: GPL-2.0
/*
 * Loads a report.json (docs/report-schema.md) and checks everything the
 * comparison relies on. Any violation is one error naming the file and
 * the JSON path of the offending value.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "workload.h"

struct vctx {
	const char *file;
	char *err;
	size_t errlen;
};

__attribute__((format(printf, 3, 4)))
static int verr(struct vctx *v, const char *where, const char *fmt, ...)
{
	char msg[CMP_ERR_LEN];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (where && *where)
		snprintf(v->err, v->errlen, "%s: %s: %s", v->file, where, msg);
	else
		snprintf(v->err, v->errlen, "%s: %s", v->file, msg);
	return -1;
}

const char *kind_name(enum metric_kind k)
{
	return k == MK_EXACT ? "exact" : "timed";
}

const char *better_name(enum metric_better b)
{
	return b == MB_LOWER ? "lower" : b == MB_HIGHER ? "higher" : "none";
}

static int get_string(struct vctx *v, json_t *obj, const char *key,
		      const char *where, bool nullable, const char **out)
{
	json_t *j = json_object_get(obj, key);

	if (j && json_is_string(j)) {
		*out = json_string_value(j);
		return 0;
	}
	if (j && nullable && json_is_null(j)) {
		*out = NULL;
		return 0;
	}
	return verr(v, where, "\"%s\" must be a string%s", key,
		    nullable ? " or null" : "");
}

static json_t *get_typed(struct vctx *v, json_t *obj, const char *key,
			 const char *where, json_type type, const char *what)
{
	json_t *j = json_object_get(obj, key);

	if (!j || json_typeof(j) != type) {
		verr(v, where, "\"%s\" must be %s", key, what);
		return NULL;
	}
	return j;
}

/*
 * machine.fingerprint and host_fingerprint: optional, 16 hex digits; a
 * report without a fingerprint (written before it existed) gets one
 * computed from the fields it has (no machine-id: not the one its
 * machine's newer reports carry).
 */
static int check_fingerprint(struct vctx *v, struct report *r, json_t *machine)
{
	json_t *mem = json_object_get(machine, "memory_kib");
	const char *fp;

	if (mem && !json_is_null(mem) && !json_is_integer(mem))
		return verr(v, "machine", "\"memory_kib\" must be an integer or null");
	r->memory_kib = json_is_integer(mem) ? json_integer_value(mem) : -1;
	if (json_object_get(machine, "host_fingerprint") &&
	    get_string(v, machine, "host_fingerprint", "machine", true, &r->host_fp))
		return -1;
	if (r->host_fp && !fingerprint_valid(r->host_fp))
		return verr(v, "machine", "\"host_fingerprint\" must be %d lowercase hex digits",
			    FP_DIGITS);
	if (!json_object_get(machine, "fingerprint")) {
		fingerprint_of(machine, NULL, r->fp);
		r->fp_computed = true;
		return 0;
	}
	if (get_string(v, machine, "fingerprint", "machine", false, &fp))
		return -1;
	if (!fingerprint_valid(fp))
		return verr(v, "machine", "\"fingerprint\" must be %d lowercase hex digits",
			    FP_DIGITS);
	snprintf(r->fp, sizeof(r->fp), "%s", fp);
	return 0;
}

static int check_header(struct vctx *v, struct report *r)
{
	json_t *root = r->root, *j, *kernel, *machine, *slab;
	const char *schema;

	if (!json_is_object(root))
		return verr(v, NULL, "not an rmapbench report (top level is not an object)");
	j = json_object_get(root, "schema");
	schema = json_string_value(j);
	if (!schema || strcmp(schema, CMP_REPORT_SCHEMA))
		return verr(v, NULL, "not an rmapbench report (\"schema\" is %s, expected \"%s\")",
			    schema ? schema : "missing", CMP_REPORT_SCHEMA);
	j = json_object_get(root, "schema_version");
	if (!json_is_integer(j))
		return verr(v, NULL, "\"schema_version\" must be an integer");
	if (json_integer_value(j) != CMP_REPORT_MAJOR)
		return verr(v, NULL, "report schema_version %lld is not supported (this rmapbench reads version %d)",
			    (long long)json_integer_value(j), CMP_REPORT_MAJOR);
	if (get_string(v, root, "created", "", false, &r->created))
		return -1;
	kernel = get_typed(v, root, "kernel", "", JSON_OBJECT, "an object");
	machine = get_typed(v, root, "machine", "", JSON_OBJECT, "an object");
	if (!kernel || !machine)
		return -1;
	if (get_string(v, kernel, "release", "kernel", false, &r->release) ||
	    get_string(v, machine, "cpu_model", "machine", false, &r->cpu_model) ||
	    get_string(v, machine, "virt", "machine", false, &r->virt) ||
	    get_string(v, machine, "accel", "machine", true, &r->accel))
		return -1;
	j = get_typed(v, machine, "cores", "machine", JSON_INTEGER, "an integer");
	if (!j)
		return -1;
	r->cores = json_integer_value(j);
	if (check_fingerprint(v, r, machine))
		return -1;
	slab = get_typed(v, root, "slab_accounting", "", JSON_OBJECT, "an object");
	if (!slab)
		return -1;
	j = json_object_get(slab, "available");
	if (!json_is_boolean(j))
		return verr(v, "slab_accounting", "\"available\" must be true or false");
	r->slab_available = json_is_true(j);
	return get_string(v, slab, "reason", "slab_accounting", true, &r->slab_reason);
}

static int parse_le(json_t *le, double *out)
{
	const char *s = json_string_value(le);

	if (json_is_number(le)) {
		*out = json_number_value(le);
		/* the runner's last log2 bucket is bounded by INT64_MAX */
		if (*out >= 9.2e18)
			*out = INFINITY;
		return 0;
	}
	if (json_is_null(le) || (s && (!strcasecmp(s, "+inf") || !strcasecmp(s, "inf")))) {
		*out = INFINITY;
		return 0;
	}
	return -1;
}

static int hist_add(struct metric_samples *m, double ge, double le, double count)
{
	struct hist_bucket *h;
	size_t i;

	for (i = 0; i < m->nhist; i++) {
		if (m->hist[i].le == le) {
			m->hist[i].count += count;
			return 0;
		}
	}
	h = realloc(m->hist, (m->nhist + 1) * sizeof(*h));
	if (!h)
		return -1;
	m->hist = h;
	/* keep sorted by le */
	for (i = m->nhist; i > 0 && h[i - 1].le > le; i--)
		h[i] = h[i - 1];
	h[i].ge = ge;
	h[i].le = le;
	h[i].count = count;
	m->nhist++;
	return 0;
}

static int parse_hist(struct vctx *v, const char *where, json_t *hist,
		      struct metric_samples *m)
{
	json_t *buckets, *b;
	const char *unit;
	size_t i;

	if (!json_is_object(hist))
		return verr(v, where, "\"hist\" must be an object");
	if (get_string(v, hist, "unit", where, false, &unit))
		return -1;
	if (m->hist_unit && strcmp(m->hist_unit, unit))
		return verr(v, where, "hist unit \"%s\" differs from \"%s\" in an earlier repetition",
			    unit, m->hist_unit);
	m->hist_unit = unit;
	buckets = json_object_get(hist, "buckets");
	if (!json_is_array(buckets))
		return verr(v, where, "\"hist.buckets\" must be an array");
	json_array_foreach(buckets, i, b) {
		json_t *count = json_object_get(b, "count"), *jge;
		double le, ge;

		if (!json_is_object(b) || parse_le(json_object_get(b, "le"), &le))
			return verr(v, where, "hist.buckets[%zu].le must be a number (or null/\"+Inf\" for the last bucket)", i);
		if (!json_is_number(count) || json_number_value(count) < 0)
			return verr(v, where, "hist.buckets[%zu].count must be a number >= 0", i);
		/* log-linear buckets say where they start; log2 ones (older
		 * reports: [2^(b-1), 2^b - 1]) start at (le + 1) / 2 */
		jge = json_object_get(b, "ge");
		if (jge && !(json_is_number(jge) && json_number_value(jge) >= 0 &&
			     json_number_value(jge) <= le))
			return verr(v, where, "hist.buckets[%zu].ge must be a number in [0, le]", i);
		ge = jge ? json_number_value(jge) : floor((le + 1) / 2);
		if (hist_add(m, ge, le, json_number_value(count)))
			return verr(v, where, "out of memory");
	}
	return 0;
}

static struct metric_samples *find_or_add_metric(struct workload_data *w,
						 const char *name)
{
	struct metric_samples *m;
	size_t i;

	for (i = 0; i < w->nmetrics; i++)
		if (!strcmp(w->metrics[i].name, name))
			return &w->metrics[i];
	m = realloc(w->metrics, (w->nmetrics + 1) * sizeof(*m));
	if (!m)
		return NULL;
	w->metrics = m;
	m = &w->metrics[w->nmetrics++];
	memset(m, 0, sizeof(*m));
	m->name = name;
	m->unit = NULL;
	return m;
}

static int parse_enum(const char *s, const char *const *names, int n)
{
	int i;

	for (i = 0; s && i < n; i++)
		if (!strcmp(s, names[i]))
			return i;
	return -1;
}

static int parse_metric(struct vctx *v, const char *where, const char *name,
			json_t *jm, int round, struct workload_data *w)
{
	static const char *const kinds[] = { "exact", "timed" };
	static const char *const betters[] = { "lower", "higher", "none" };
	const char *kind_s, *better_s, *unit, *reason = NULL;
	struct metric_samples *m;
	json_t *value, *hist;
	int kind, better;
	double *vals;
	int *rounds;

	if (!json_is_object(jm))
		return verr(v, where, "must be an object");
	if (get_string(v, jm, "kind", where, false, &kind_s) ||
	    get_string(v, jm, "better", where, false, &better_s) ||
	    get_string(v, jm, "unit", where, false, &unit))
		return -1;
	kind = parse_enum(kind_s, kinds, 2);
	better = parse_enum(better_s, betters, 3);
	if (kind < 0)
		return verr(v, where, "\"kind\" is \"%s\", expected \"exact\" or \"timed\"", kind_s);
	if (better < 0)
		return verr(v, where, "\"better\" is \"%s\", expected \"lower\", \"higher\" or \"none\"", better_s);
	value = json_object_get(jm, "value");
	if (!value || !(json_is_number(value) || json_is_null(value)))
		return verr(v, where, "\"value\" must be a number or null");
	if (json_object_get(jm, "reason") &&
	    get_string(v, jm, "reason", where, true, &reason))
		return -1;

	m = find_or_add_metric(w, name);
	if (!m)
		return verr(v, where, "out of memory");
	if (m->unit && (m->kind != (enum metric_kind)kind ||
			m->better != (enum metric_better)better ||
			strcmp(m->unit, unit)))
		return verr(v, where, "kind/better/unit (%s/%s/%s) differ from an earlier repetition (%s/%s/%s)",
			    kind_s, better_s, unit, kind_name(m->kind),
			    better_name(m->better), m->unit);
	m->kind = kind;
	m->better = better;
	m->unit = unit;
	if (json_is_null(value)) {
		m->n_null++;
		if (!m->reason)
			m->reason = reason ? reason : "unavailable (no reason given)";
		return 0;
	}
	vals = realloc(m->values, (m->n + 1) * sizeof(*vals));
	if (!vals)
		return verr(v, where, "out of memory");
	m->values = vals;
	rounds = realloc(m->round, (m->n + 1) * sizeof(*rounds));
	if (!rounds)
		return verr(v, where, "out of memory");
	m->round = rounds;
	m->round[m->n] = round;
	m->values[m->n++] = json_number_value(value);
	hist = json_object_get(jm, "hist");
	if (hist && !json_is_null(hist))
		return parse_hist(v, where, hist, m);
	return 0;
}

/* Optional "series": t_ms and equally long columns of numbers or nulls. */
static int check_series(struct vctx *v, const char *where, json_t *series)
{
	json_t *t, *cols, *col, *x;
	const char *name;
	size_t i;

	if (!series || json_is_null(series))
		return 0;
	t = json_object_get(series, "t_ms");
	cols = json_object_get(series, "columns");
	if (!json_is_object(series) || !json_is_array(t) || !json_is_object(cols))
		return verr(v, where, "\"series\" must be an object with a \"t_ms\" array and a \"columns\" object");
	json_array_foreach(t, i, x)
		if (!json_is_number(x))
			return verr(v, where, "series.t_ms[%zu] is not a number", i);
	json_object_foreach(cols, name, col) {
		if (!json_is_array(col) || json_array_size(col) != json_array_size(t))
			return verr(v, where, "series.columns.\"%s\" must be an array as long as t_ms (%zu)",
				    name, json_array_size(t));
		json_array_foreach(col, i, x)
			if (!json_is_number(x) && !json_is_null(x))
				return verr(v, where, "series.columns.\"%s\"[%zu] is not a number or null",
					    name, i);
	}
	return 0;
}

static int parse_rep(struct vctx *v, const char *where, json_t *rep,
		     struct workload_data *w)
{
	char mwhere[CMP_ERR_LEN];
	const char *status, *name;
	json_t *metrics, *jm, *jr;
	int round = 1;

	if (!json_is_object(rep))
		return verr(v, where, "must be an object");
	jr = json_object_get(rep, "round");
	if (jr) {
		if (!json_is_integer(jr) || json_integer_value(jr) < 1 ||
		    json_integer_value(jr) > 1000000)
			return verr(v, where, "\"round\" must be an integer >= 1");
		round = (int)json_integer_value(jr);
	}
	if (get_string(v, rep, "status", where, false, &status))
		return -1;
	if (strcmp(status, "ok") && strcmp(status, "failed"))
		return verr(v, where, "\"status\" is \"%s\", expected \"ok\" or \"failed\"", status);
	if (strcmp(status, "ok"))
		return 0;	/* failed repetitions contribute nothing */
	w->nreps_ok++;
	if (check_series(v, where, json_object_get(rep, "series")))
		return -1;
	metrics = json_object_get(rep, "metrics");
	if (!json_is_object(metrics))
		return verr(v, where, "\"metrics\" must be an object");
	json_object_foreach(metrics, name, jm) {
		snprintf(mwhere, sizeof(mwhere), "%s.metrics.\"%s\"", where, name);
		if (parse_metric(v, mwhere, name, jm, round, w))
			return -1;
	}
	return 0;
}

static char *params_string(json_t *params)
{
	struct sbuf b = { 0 };
	const char *key;
	json_t *val;

	json_object_foreach(params, key, val) {
		char *s = json_dumps(val, JSON_ENCODE_ANY | JSON_COMPACT);

		sbuf_printf(&b, "%s%s=%s", b.len ? " " : "", key, s ? s : "?");
		free(s);
	}
	if (!b.s)
		sbuf_puts(&b, "");
	return b.s;
}

static int parse_workload(struct vctx *v, size_t idx, json_t *jw,
			  struct workload_data *w)
{
	char where[256], rwhere[320];
	json_t *rep;
	size_t i;

	snprintf(where, sizeof(where), "workloads[%zu]", idx);
	if (!json_is_object(jw))
		return verr(v, where, "must be an object");
	if (get_string(v, jw, "name", where, false, &w->name) ||
	    get_string(v, jw, "status", where, false, &w->status) ||
	    get_string(v, jw, "reason", where, true, &w->reason))
		return -1;
	snprintf(where, sizeof(where), "workloads[%zu] (%s)", idx, w->name);
	if (strcmp(w->status, "ok") && strcmp(w->status, "unavailable") &&
	    strcmp(w->status, "failed"))
		return verr(v, where, "\"status\" is \"%s\", expected \"ok\", \"unavailable\" or \"failed\"",
			    w->status);
	w->params = get_typed(v, jw, "params", where, JSON_OBJECT, "an object");
	w->reps = get_typed(v, jw, "reps", where, JSON_ARRAY, "an array");
	if (!w->params || !w->reps)
		return -1;
	w->headline = json_object_get(jw, "headline");
	if (w->headline) {
		json_t *h;

		if (!json_is_array(w->headline))
			return verr(v, where, "\"headline\" must be an array of metric names");
		json_array_foreach(w->headline, i, h)
			if (!json_is_string(h))
				return verr(v, where, "headline[%zu] must be a string", i);
	}
	if (json_object_get(jw, "sweep") &&
	    json_unpack(json_object_get(jw, "sweep"), "{s:s, s:s, s:F}", "workload", &w->sweep_wl,
			"param", &w->sweep_param, "value", &w->sweep_value))
		return verr(v, where, "\"sweep\" must be {\"workload\": name, \"param\": name, \"value\": number}");
	w->params_str = params_string(w->params);
	w->nreps = json_array_size(w->reps);
	json_array_foreach(w->reps, i, rep) {
		snprintf(rwhere, sizeof(rwhere), "%s.reps[%zu]", where, i);
		if (parse_rep(v, rwhere, rep, w))
			return -1;
	}
	return 0;
}

bool headline_listed(const struct workload_data *w, const char *metric)
{
	size_t i;

	for (i = 0; w->headline && i < json_array_size(w->headline); i++)
		if (str_eq_null(json_string_value(json_array_get(w->headline, i)), metric))
			return true;
	return false;
}

struct machine_id report_machine(const struct report *r)
{
	return (struct machine_id){ .fp = r->fp, .virt = r->virt, .accel = r->accel,
				    .cpu_model = r->cpu_model, .cores = r->cores };
}

unsigned int machine_diff(const struct machine_id *a, const struct machine_id *b)
{
	unsigned int d = 0;

	if (a->fp && b->fp && strcmp(a->fp, b->fp))
		d |= MACHINE_FP;
	if (strcmp(a->virt, b->virt))
		d |= MACHINE_VIRT;
	if (!str_eq_null(a->accel, b->accel))
		d |= MACHINE_ACCEL;
	if (strcmp(a->cpu_model, b->cpu_model))
		d |= MACHINE_CPU;
	if (a->cores != b->cores)
		d |= MACHINE_CORES;
	return d;
}

static int parse_workloads(struct vctx *v, struct report *r)
{
	json_t *arr = get_typed(v, r->root, "workloads", "", JSON_ARRAY, "an array");
	json_t *jw;
	size_t i, j;

	if (!arr)
		return -1;
	r->wl = calloc(json_array_size(arr) + 1, sizeof(*r->wl));
	if (!r->wl)
		return verr(v, NULL, "out of memory");
	json_array_foreach(arr, i, jw) {
		struct workload_data *w = &r->wl[r->nwl++];

		if (parse_workload(v, i, jw, w))
			return -1;
		for (j = 0; j + 1 < r->nwl; j++) {
			if (!strcmp(r->wl[j].name, w->name) &&
			    workload_params_equal(w->name, r->wl[j].params, w->params))
				return verr(v, NULL, "workloads[%zu] and workloads[%zu] are both %s with the same params (%s): ambiguous",
					    j, i, w->name, w->params_str);
		}
	}
	return 0;
}

/* Optional top-level "label" names the kernel; else its release. */
static int label_of(struct vctx *v, struct report *r)
{
	json_t *j = json_object_get(r->root, "label");

	if (j && !json_is_null(j) &&
	    (!json_is_string(j) || !*json_string_value(j)))
		return verr(v, NULL, "\"label\" must be a non-empty string");
	r->label = strdup(j && json_is_string(j) ? json_string_value(j) : r->release);
	return r->label ? 0 : verr(v, NULL, "out of memory");
}

int report_load(struct report *r, const char *path, char *err, size_t errlen)
{
	struct vctx v = { .file = path, .err = err, .errlen = errlen };
	json_error_t jerr;
	FILE *f;

	memset(r, 0, sizeof(*r));
	r->path = strdup(path);
	if (!r->path)
		return verr(&v, NULL, "out of memory");
	f = fopen(path, "r");
	if (!f)
		return verr(&v, NULL, "cannot open: %s", strerror(errno));
	r->root = json_loadf(f, JSON_REJECT_DUPLICATES, &jerr);
	fclose(f);
	if (!r->root)
		return verr(&v, NULL, "invalid JSON at line %d column %d: %s",
			    jerr.line, jerr.column, jerr.text);
	if (check_header(&v, r) || parse_workloads(&v, r))
		return -1;
	if (label_of(&v, r))
		return -1;
	return 0;
}

void report_free(struct report *r)
{
	size_t i, j;

	for (i = 0; i < r->nwl; i++) {
		struct workload_data *w = &r->wl[i];

		for (j = 0; j < w->nmetrics; j++) {
			free(w->metrics[j].values);
			free(w->metrics[j].round);
			free(w->metrics[j].hist);
		}
		free(w->metrics);
		free(w->params_str);
	}
	free(r->wl);
	json_decref(r->root);
	free(r->path);
	free(r->label);
	memset(r, 0, sizeof(*r));
}

/*
 * For "slab.<cache>.<stat>": why the report's accounting of that cache is
 * not exact (slab_accounting.caches.<cache>.exact false), else NULL.
 */
const char *slab_inexact(const struct report *r, const char *metric)
{
	json_t *caches, *c;
	char cache[64];
	const char *dot;

	if (strncmp(metric, "slab.", 5))
		return NULL;
	dot = strchr(metric + 5, '.');
	if (!dot || dot - (metric + 5) >= (long)sizeof(cache))
		return NULL;
	snprintf(cache, sizeof(cache), "%.*s", (int)(dot - (metric + 5)), metric + 5);
	caches = json_object_get(json_object_get(r->root, "slab_accounting"), "caches");
	c = json_object_get(caches, cache);
	if (!json_is_object(c) || !json_is_true(json_object_get(c, "present")) ||
	    !json_is_false(json_object_get(c, "exact")))
		return NULL;
	return json_string_value(json_object_get(c, "note")) ?: "accounting marked not exact";
}

/*
 * For "slab.<cache>.<stat>" and a workload's slab delta "<prefix>.<cache>"
 * (fork.1.vma_lock, phase.<name>.slab.vma_lock): does the report say its
 * kernel has no such cache (slab_accounting.caches.<cache>.present false,
 * accounting available)?
 */
bool slab_absent(const struct report *r, const char *metric)
{
	json_t *caches, *c;
	const char *start, *end;
	char cache[64];

	if (!r->slab_available)
		return false;
	if (!strncmp(metric, "slab.", 5)) {
		start = metric + 5;
		end = strchr(start, '.');
	} else {
		start = strrchr(metric, '.');
		start = start ? start + 1 : NULL;
		end = start ? start + strlen(start) : NULL;
	}
	if (!start || !end || end - start >= (long)sizeof(cache))
		return false;
	snprintf(cache, sizeof(cache), "%.*s", (int)(end - start), start);
	caches = json_object_get(json_object_get(r->root, "slab_accounting"), "caches");
	c = json_object_get(caches, cache);
	return json_is_object(c) && json_is_false(json_object_get(c, "present"));
}

const struct metric_samples *workload_metric(const struct workload_data *w,
					     const char *name)
{
	size_t i;

	for (i = 0; w && i < w->nmetrics; i++)
		if (!strcmp(w->metrics[i].name, name))
			return &w->metrics[i];
	return NULL;
}
