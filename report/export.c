// SPDX-License-Identifier: GPL-2.0
/*
 * rmapbench export: reads a report and, optionally, the comparison it took
 * part in, checks every field it uses (a bad input is one error line naming
 * the file and the JSON path, exit 2), reduces each metric to its median
 * and the comparison's verdict, and hands that to one format writer
 * (export_<format>.c). The output is written atomically (temp file +
 * rename) or to stdout. docs/fleet.md describes the formats.
 */
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "export.h"
#include "util.h"

#define PROG "rmapbench export"

static const struct {
	const char *name;
	int (*fn)(const struct ex_input *in, struct sbuf *out);
} formats[] = {
	{ "kcidb", export_kcidb },
	{ "lava", export_lava },
	{ "junit", export_junit },
	{ "tuxrun", export_tuxrun },
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: rmapbench export --format kcidb|lava|junit|tuxrun REPORT.json\n"
		"                        [--comparison comparison.json] [--origin NAME] [-o FILE]\n\n"
		"Writes a report in the format of another test engine (docs/fleet.md):\n"
		"  kcidb    KernelCI KCIDB v5.3 JSON: a checkout and a build for the kernel,\n"
		"           a test per workload x metric (path rmapbench.<workload>.<metric>)\n"
		"  lava     lava-test-set / lava-test-case lines, one test set per workload\n"
		"  junit    JUnit XML: a testcase per gated metric of the comparison\n"
		"  tuxrun   tuxrun results.json: {suite: {case: {result, measurement, units}}}\n\n"
		"  -f, --format F        output format (required)\n"
		"  -c, --comparison F    comparison.json of 'rmapbench compare' that compared\n"
		"                        REPORT.json: verdicts become fail/pass, KCIDB issues\n"
		"  -O, --origin NAME     KCIDB origin and ID prefix, [a-z0-9_]+ (default rmapbench)\n"
		"  -o, --output FILE     write FILE atomically (default: stdout)\n"
		"  -v, --verbose         say what was matched and written\n"
		"  -h, --help            this text\n\n"
		"exit status: 0 written, 2 bad input (one line naming the file or option)\n\n"
		"examples:\n"
		"  rmapbench export --format kcidb results/6.12*/report.json -o kcidb.json\n"
		"  rmapbench compare base.json test.json --out cmp\n"
		"  rmapbench export --format junit test.json --comparison cmp/comparison.json -o junit.xml\n"
		"  rmapbench export --format lava report.json | sh     # inside a LAVA test shell\n"
		"  rmapbench export --format tuxrun report.json -o results.json\n");
}

/* ---- small helpers shared by the writers ---------------------------- */

int ex_put_json(struct sbuf *out, json_t *root)
{
	char *text = root ? json_dumps(root, JSON_INDENT(1) | JSON_PRESERVE_ORDER) : NULL;

	json_decref(root);
	if (!text) {
		err("export: out of memory");
		return -1;
	}
	sbuf_printf(out, "%s\n", text);
	free(text);
	return 0;
}

void sbuf_xml(struct sbuf *b, const char *s)
{
	for (; s && *s; s++) {
		unsigned char c = *s;

		switch (c) {
		case '&': sbuf_printf(b, "&amp;"); break;
		case '<': sbuf_printf(b, "&lt;"); break;
		case '>': sbuf_printf(b, "&gt;"); break;
		case '"': sbuf_printf(b, "&quot;"); break;
		case '\'': sbuf_printf(b, "&apos;"); break;
		case '\n': sbuf_printf(b, "&#10;"); break;
		case '\t': sbuf_printf(b, "&#9;"); break;
		default:
			/* XML 1.0 forbids the other C0 controls even as references */
			if (c >= 0x20)
				sbuf_printf(b, "%c", c);
		}
	}
}

unsigned long long ex_hash(unsigned long long h, const void *p, size_t len)
{
	const unsigned char *c = p;

	while (len--) {
		h ^= *c++;
		h *= 0x100000001b3ull;
	}
	return h;
}

void ex_sanitize(const char *in, bool dots, char *out, size_t len)
{
	size_t o = 0;
	bool comp_empty = true;	/* the current component has no character yet */

	for (; *in && o + 1 < len; in++) {
		char c = *in;

		if (dots && c == '.') {
			if (comp_empty)
				continue;	/* no empty components */
			out[o++] = '.';
			comp_empty = true;
			continue;
		}
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '_' || c == '-'))
			c = '_';
		out[o++] = c;
		comp_empty = false;
	}
	while (o && out[o - 1] == '.')
		o--;
	if (!o && len > 1)
		out[o++] = '_';
	out[o] = 0;
}

void ex_fmt_num(double v, char *buf, size_t len)
{
	char *p;

	if (v == floor(v) && fabs(v) < 1e15) {
		snprintf(buf, len, "%.0f", v);
		return;
	}
	snprintf(buf, len, "%.10f", v);
	if (!strchr(buf, '.'))
		return;
	p = buf + strlen(buf) - 1;
	while (*p == '0')
		*p-- = 0;
	if (*p == '.')
		*p = 0;
}

static const char *jstr(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

const char *ex_base_label(const struct ex_input *in)
{
	const char *s;

	if (!in->cmp_base)
		return "";
	s = jstr(in->cmp_base, "label");
	if (!s)
		s = jstr(json_object_get(in->cmp_base, "kernel"), "release");
	return s ? s : "base";
}

/*
 * What @m was compared against: a timed metric of a test judged against
 * another report of its machine (comparison "timed_base"), that report;
 * else the base.
 */
static const char *against(const struct ex_input *in, const struct ex_metric *m)
{
	const char *tb = ex_timed_base_label(in);

	if (tb && m->kind && !strcmp(m->kind, "timed"))
		return tb;
	return ex_base_label(in);
}

const char *ex_timed_base_label(const struct ex_input *in)
{
	json_t *tb = json_object_get(in->cmp_test, "timed_base");
	const char *s = jstr(tb, "label");

	if (!s || !strcmp(jstr(tb, "file") ?: "", jstr(in->cmp_base, "file") ?: ""))
		return NULL;
	return s;
}

static void side_value(json_t *cmp, const char *side, const char *kind, char *buf, size_t len)
{
	json_t *v = json_object_get(json_object_get(cmp, side),
				    kind && !strcmp(kind, "exact") ? "value" : "median");

	if (json_is_number(v))
		ex_fmt_num(json_number_value(v), buf, len);
	else
		snprintf(buf, len, "n/a");
}

void ex_summary(const struct ex_input *in, const struct ex_workload *w,
		const struct ex_metric *m, char *buf, size_t len)
{
	char a[48], b[48], pct[64] = "", p[32] = "";
	json_t *chg;

	if (!m->cmp) {
		if (m->has_value)
			ex_fmt_num(m->value, a, sizeof(a));
		snprintf(buf, len, "%s %s: %s %s", w->name, m->name,
			 m->has_value ? a : "unavailable", m->has_value ? m->unit : "");
		return;
	}
	side_value(m->cmp, "base", m->kind, a, sizeof(a));
	side_value(m->cmp, "test", m->kind, b, sizeof(b));
	chg = json_object_get(m->cmp, "change_pct");
	if (!json_is_number(chg))
		chg = json_object_get(m->cmp, "delta_pct");
	if (json_is_number(chg))
		snprintf(pct, sizeof(pct), " (%+.2f%%)", json_number_value(chg));
	if (json_is_number(json_object_get(m->cmp, "p_value")))
		snprintf(p, sizeof(p), ", p=%.2g",
			 json_number_value(json_object_get(m->cmp, "p_value")));
	snprintf(buf, len, "%s %s: %s, %s -> %s %s%s%s against %s", w->name, m->name,
		 m->verdict_str ? m->verdict_str : "not compared", a, b, m->unit, pct, p,
		 against(in, m));
}

const char *ex_result(const struct ex_input *in, const struct ex_metric *m)
{
	if (!m->has_value || m->verdict == EXV_UNAVAILABLE)
		return "skip";
	if (in->cmp_test && m->verdict == EXV_REGRESSION && m->gate != 0)
		return "fail";
	return "pass";
}

/* ---- reading the report ---------------------------------------------- */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Collects a metric's values over the successful repetitions: the median. */
static void metric_median(json_t *reps, struct ex_metric *m)
{
	size_t i, n = 0, cap = json_array_size(reps);
	double *v = calloc(cap ? cap : 1, sizeof(*v));
	json_t *rep;

	if (!v) {
		m->reason = "unavailable: out of memory";
		return;
	}
	json_array_foreach(reps, i, rep) {
		const char *st = jstr(rep, "status");
		json_t *mo = json_object_get(json_object_get(rep, "metrics"), m->name);
		json_t *val = json_object_get(mo, "value");

		if ((st && strcmp(st, "ok")) || !mo)
			continue;
		if (json_is_number(val))
			v[n++] = json_number_value(val);
		else if (!m->reason && jstr(mo, "reason"))
			m->reason = jstr(mo, "reason");
	}
	m->n = n;
	if (n) {
		qsort(v, n, sizeof(*v), cmp_double);
		m->value = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
		m->has_value = true;
	} else if (!m->reason) {
		m->reason = "unavailable: no successful repetition gave a value";
	}
	free(v);
}

#define BAD(...) do { err(__VA_ARGS__); return -1; } while (0)

static int check_metric(const char *file, size_t wi, const char *wname, size_t ri,
			const char *name, json_t *mo)
{
	json_t *val = json_object_get(mo, "value");

	if (!json_is_object(mo))
		BAD("%s: workloads[%zu] (%s).reps[%zu].metrics.\"%s\" must be an object",
		    file, wi, wname, ri, name);
	if (!json_is_number(val) && !json_is_null(val))
		BAD("%s: workloads[%zu] (%s).reps[%zu].metrics.\"%s\": \"value\" must be a number or null",
		    file, wi, wname, ri, name);
	if (!jstr(mo, "unit") || !jstr(mo, "kind") || !jstr(mo, "better"))
		BAD("%s: workloads[%zu] (%s).reps[%zu].metrics.\"%s\": \"unit\", \"kind\" and \"better\" must be strings",
		    file, wi, wname, ri, name);
	return 0;
}

/* Adds @name to @w's metrics if new, with kind/unit/better of its first occurrence. */
static int metric_add(struct ex_workload *w, const char *name, json_t *mo)
{
	struct ex_metric *m;

	for (size_t i = 0; i < w->nm; i++)
		if (!strcmp(w->m[i].name, name))
			return 0;
	m = realloc(w->m, (w->nm + 1) * sizeof(*m));
	if (!m)
		return -1;
	w->m = m;
	m = &w->m[w->nm++];
	memset(m, 0, sizeof(*m));
	m->name = name;
	m->unit = jstr(mo, "unit");
	m->kind = jstr(mo, "kind");
	m->better = jstr(mo, "better");
	m->gate = -1;
	return 0;
}

static int by_metric_name(const void *a, const void *b)
{
	return strcmp(((const struct ex_metric *)a)->name, ((const struct ex_metric *)b)->name);
}

static int load_workload(struct ex_input *in, size_t wi, json_t *wo, struct ex_workload *w)
{
	const char *file = in->report_path;
	json_t *reps = json_object_get(wo, "reps"), *rep, *mo, *hl, *h;
	const char *name;
	size_t ri, i;

	w->name = jstr(wo, "name");
	w->status = jstr(wo, "status");
	w->reason = jstr(wo, "reason");
	w->params = json_object_get(wo, "params");
	if (!w->name || !*w->name)
		BAD("%s: workloads[%zu]: \"name\" must be a non-empty string", file, wi);
	if (!w->status)
		BAD("%s: workloads[%zu] (%s): \"status\" must be a string", file, wi, w->name);
	if (!json_is_array(reps))
		BAD("%s: workloads[%zu] (%s): \"reps\" must be an array", file, wi, w->name);
	json_array_foreach(reps, ri, rep) {
		json_t *metrics = json_object_get(rep, "metrics");

		if (!json_is_object(rep) || !json_is_object(metrics))
			BAD("%s: workloads[%zu] (%s).reps[%zu]: \"metrics\" must be an object",
			    file, wi, w->name, ri);
		json_object_foreach(metrics, name, mo) {
			if (check_metric(file, wi, w->name, ri, name, mo))
				return -1;
			if (metric_add(w, name, mo))
				BAD("out of memory");
		}
	}
	if (w->nm)
		qsort(w->m, w->nm, sizeof(*w->m), by_metric_name);
	hl = json_object_get(wo, "headline");
	for (i = 0; i < w->nm; i++) {
		size_t hi;

		metric_median(reps, &w->m[i]);
		json_array_foreach(hl, hi, h)
			if (json_is_string(h) && !strcmp(json_string_value(h), w->m[i].name))
				w->m[i].headline = true;
	}
	return 0;
}

/* Path-safe, unique workload ids: a second "fork-chain" becomes "fork-chain_2". */
static void workload_ids(struct ex_input *in)
{
	for (size_t i = 0; i < in->nw; i++) {
		int seen = 1;

		for (size_t j = 0; j < i; j++)
			if (!strcmp(in->w[j].name, in->w[i].name))
				seen++;
		ex_sanitize(in->w[i].name, false, in->w[i].id, sizeof(in->w[i].id) - 8);
		if (seen > 1)
			snprintf(in->w[i].id + strlen(in->w[i].id), 8, "_%d", seen);
	}
}

static const char *guess_arch(const char *release)
{
	static const struct { const char *suffix, *arch; } map[] = {
		{ "-amd64", "x86_64" }, { "-arm64", "arm64" }, { "-armmp", "arm" },
		{ "-686", "i386" }, { "-686-pae", "i386" }, { "-powerpc64le", "powerpc" },
		{ "-s390x", "s390" }, { "-riscv64", "riscv" },
	};
	size_t n = strlen(release);

	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		size_t s = strlen(map[i].suffix);

		if (n > s && !strcmp(release + n - s, map[i].suffix))
			return map[i].arch;
	}
	return "";
}

/* The kernel spec: the report's kernel.spec or label, run.sh's guest.txt, "host". */
static void find_spec(struct ex_input *in)
{
	json_t *k = json_object_get(in->report, "kernel");
	char path[4096], line[512];
	const char *s = jstr(k, "spec");
	char *slash;
	FILE *f;

	if (s) {
		snprintf(in->spec, sizeof(in->spec), "%s", s);
		return;
	}
	snprintf(path, sizeof(path), "%s", in->report_path);
	slash = strrchr(path, '/');
	snprintf(slash ? slash + 1 : path, sizeof(path) - (slash ? slash + 1 - path : 0), "guest.txt");
	f = fopen(path, "re");
	if (f) {
		while (fgets(line, sizeof(line), f))
			if (!strncmp(line, "spec=", 5)) {
				line[strcspn(line, "\n")] = 0;
				snprintf(in->spec, sizeof(in->spec), "%s", line + 5);
				break;
			}
		fclose(f);
	}
	if (!in->spec[0] && json_is_null(json_object_get(json_object_get(in->report, "machine"), "accel")))
		snprintf(in->spec, sizeof(in->spec), "host");
}

static int load_report(struct ex_input *in)
{
	const char *file = in->report_path;
	json_t *r = in->report, *k, *ws, *wo, *ma;
	unsigned long long h;
	size_t i;
	char *canon;

	if (!json_is_object(r) || !jstr(r, "schema") || strcmp(jstr(r, "schema"), "rmapbench-report"))
		BAD("%s: not an rmapbench report (\"schema\" must be \"rmapbench-report\")", file);
	if (json_integer_value(json_object_get(r, "schema_version")) != 1)
		BAD("%s: \"schema_version\" must be 1 (this rmapbench reads version 1)", file);
	in->created = jstr(r, "created");
	k = json_object_get(r, "kernel");
	in->release = jstr(k, "release");
	in->kversion = jstr(k, "version");
	in->config_sha256 = jstr(k, "config_sha256");
	if (!in->created || !in->release)
		BAD("%s: \"created\" and \"kernel\".\"release\" must be strings", file);
	ws = json_object_get(r, "workloads");
	if (!json_is_array(ws))
		BAD("%s: \"workloads\" must be an array", file);
	in->nw = json_array_size(ws);
	in->w = calloc(in->nw ? in->nw : 1, sizeof(*in->w));
	if (!in->w)
		BAD("out of memory");
	json_array_foreach(ws, i, wo) {
		if (!json_is_object(wo))
			BAD("%s: workloads[%zu] must be an object", file, i);
		if (load_workload(in, i, wo, &in->w[i]))
			return -1;
	}
	workload_ids(in);
	ma = json_object_get(r, "machine");
	if (jstr(ma, "arch"))
		ex_sanitize(jstr(ma, "arch"), false, in->arch, sizeof(in->arch));
	else
		snprintf(in->arch, sizeof(in->arch), "%s", guess_arch(in->release));
	find_spec(in);
	canon = json_dumps(r, JSON_COMPACT | JSON_SORT_KEYS);
	if (!canon)
		BAD("out of memory");
	h = ex_hash(EX_FNV_INIT, canon, strlen(canon));
	free(canon);
	snprintf(in->report_key, sizeof(in->report_key), "%016llx", h);
	return 0;
}

/* ---- reading the comparison ---------------------------------------- */

static enum ex_verdict parse_verdict(const char *s)
{
	static const struct { const char *s; enum ex_verdict v; } map[] = {
		{ "unchanged", EXV_UNCHANGED }, { "regression", EXV_REGRESSION },
		{ "improvement", EXV_IMPROVEMENT }, { "changed", EXV_CHANGED },
		{ "unavailable", EXV_UNAVAILABLE },
	};

	for (size_t i = 0; s && i < sizeof(map) / sizeof(map[0]); i++)
		if (!strcmp(s, map[i].s))
			return map[i].v;
	return EXV_NOT_JUDGED;	/* "not-judged", "not_judged", or newer strings */
}

/* The comparison's entry for a report: same "created", "kernel" and "machine". */
static bool same_report(json_t *side, const struct ex_input *in)
{
	const char *c = jstr(side, "created");

	return c && !strcmp(c, in->created) &&
	       json_equal(json_object_get(side, "kernel"), json_object_get(in->report, "kernel")) &&
	       json_equal(json_object_get(side, "machine"), json_object_get(in->report, "machine"));
}

/* Equal identities: the entry naming the same file wins, else the first. */
static bool same_file(json_t *side, const char *path)
{
	const char *f = jstr(side, "file");
	char a[PATH_MAX], b[PATH_MAX];

	return f && realpath(f, a) && realpath(path, b) && !strcmp(a, b);
}

static void match_workload(struct ex_input *in, struct ex_workload *w, json_t *cw)
{
	json_t *ms = json_object_get(cw, "metrics"), *mo;
	size_t i;

	w->cmp = cw;
	json_array_foreach(ms, i, mo) {
		const char *name = jstr(mo, "name");
		json_t *g = json_object_get(mo, "gate");

		if (json_is_boolean(g))
			in->gate_known = true;
		for (size_t j = 0; name && j < w->nm; j++) {
			struct ex_metric *m = &w->m[j];

			if (strcmp(m->name, name))
				continue;
			m->cmp = mo;
			m->verdict_str = jstr(mo, "verdict");
			m->verdict = parse_verdict(m->verdict_str);
			m->gate = json_is_boolean(g) ? json_is_true(g) : -1;
		}
	}
}

static int load_comparison(struct ex_input *in)
{
	const char *file = in->cmp_path;
	json_t *c = in->comparison, *tests, *t, *cw;
	size_t i, j;

	if (!json_is_object(c) || !jstr(c, "schema") || strcmp(jstr(c, "schema"), "rmapbench-comparison"))
		BAD("%s: not an rmapbench comparison (\"schema\" must be \"rmapbench-comparison\")", file);
	if (json_integer_value(json_object_get(c, "schema_version")) != 1)
		BAD("%s: \"schema_version\" must be 1", file);
	tests = json_object_get(c, "tests");
	in->cmp_base = json_object_get(c, "base");
	if (!json_is_array(tests) || !json_is_object(in->cmp_base))
		BAD("%s: \"base\" must be an object and \"tests\" an array", file);
	json_array_foreach(tests, i, t)
		if (same_report(t, in) && (!in->cmp_test || same_file(t, in->report_path)))
			in->cmp_test = t;
	if (!in->cmp_test) {
		if (same_report(in->cmp_base, in)) {
			info("%s: %s is the comparison's base: no verdicts", file, in->report_path);
			return 0;
		}
		BAD("%s: compares no report like %s (created %s, kernel %s)", file,
		    in->report_path, in->created, in->release);
	}
	info("%s: %s is test report \"%s\"", file, in->report_path,
	     jstr(in->cmp_test, "label") ? jstr(in->cmp_test, "label") : in->release);
	json_array_foreach(json_object_get(in->cmp_test, "workloads"), i, cw) {
		const char *name = jstr(cw, "name");

		for (j = 0; name && j < in->nw; j++)
			if (!in->w[j].cmp && !strcmp(in->w[j].name, name) &&
			    json_equal(json_object_get(cw, "params"), in->w[j].params)) {
				match_workload(in, &in->w[j], cw);
				break;
			}
	}
	return 0;
}

/* ---- the command ----------------------------------------------------- */

static json_t *load_json(const char *path)
{
	json_error_t je;
	json_t *j = json_load_file(path, JSON_REJECT_DUPLICATES, &je);

	if (!j)
	{
		if (je.line < 0)
			err("%s: cannot read: %s", path, je.text);
		else
			err("%s: invalid JSON at line %d: %s", path, je.line, je.text);
	}
	return j;
}

static bool origin_ok(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
			return false;
	return true;
}

static int parse_args(int argc, char **argv, struct ex_input *in, const char **fmt,
		      const char **out)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "comparison", required_argument, NULL, 'c' },
		{ "origin", required_argument, NULL, 'O' },
		{ "output", required_argument, NULL, 'o' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int opt;

	optind = 0;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "f:c:O:o:vh", opts, NULL)) != -1) {
		switch (opt) {
		case 'f': *fmt = optarg; break;
		case 'c': in->cmp_path = optarg; break;
		case 'O': in->origin = optarg; break;
		case 'o': *out = optarg; break;
		case 'v': verbose++; break;
		case 'h': usage(stdout); return 1;
		default:
			if (optopt && strchr("fcOo", optopt))
				err("export: option -%c needs a value (see rmapbench export --help)", optopt);
			else
				err("export: unknown option %s (see rmapbench export --help)", argv[optind - 1]);
			return -1;
		}
	}
	if (!*fmt) {
		err("export: --format kcidb|lava|junit|tuxrun is required (see rmapbench export --help)");
		return -1;
	}
	if (argc - optind != 1) {
		err("export: need exactly one REPORT.json (see rmapbench export --help)");
		return -1;
	}
	in->report_path = argv[optind];
	if (!origin_ok(in->origin)) {
		err("export: --origin '%s': must be [a-z0-9_]+ (KCIDB origin)", in->origin);
		return -1;
	}
	return 0;
}

static void free_input(struct ex_input *in)
{
	for (size_t i = 0; in->w && i < in->nw; i++)
		free(in->w[i].m);
	free(in->w);
	json_decref(in->report);
	json_decref(in->comparison);
}

int cmd_export(int argc, char **argv)
{
	struct ex_input in = { .origin = "rmapbench" };
	const char *fmt = NULL, *out = "-";
	struct sbuf buf = { 0 };
	int (*fn)(const struct ex_input *, struct sbuf *) = NULL;
	int ret = EXIT_USAGE, rc;

	rc = parse_args(argc, argv, &in, &fmt, &out);
	if (rc)
		return rc > 0 ? EXIT_OK : EXIT_USAGE;
	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++)
		if (!strcmp(fmt, formats[i].name))
			fn = formats[i].fn;
	if (!fn) {
		err("export: --format '%s': expected kcidb, lava, junit or tuxrun", fmt);
		return EXIT_USAGE;
	}
	in.report = load_json(in.report_path);
	if (!in.report || load_report(&in))
		goto out;
	if (in.cmp_path) {
		in.comparison = load_json(in.cmp_path);
		if (!in.comparison || load_comparison(&in))
			goto out;
	}
	if (fn(&in, &buf))
		goto out;
	if (buf.oom) {
		err("export: out of memory");
		goto out;
	}
	if (text_write_atomic(buf.s ? buf.s : "", buf.len, out))
		goto out;
	info("%s: %zu bytes of %s written (%zu workloads)", out, buf.len, fmt, in.nw);
	ret = EXIT_OK;
out:
	free(buf.s);
	free_input(&in);
	return ret;
}
