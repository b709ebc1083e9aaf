// SPDX-License-Identifier: GPL-2.0
/*
 * `rmapbench compare` end to end on reports built here: exact deltas are
 * always flagged, timed metrics are judged per round (Welch's t on log round
 * medians, Holm over the headline metrics) and threshold,
 * unlike environments are refused (exact still compared), reports of
 * several machines judged per machine, null values are
 * "unavailable" and bad inputs exit 2 with a message naming the file.
 */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "report.h"
#include "compare.h"
#include "fingerprint.h"
#include "workload.h"

static char tmpdir[] = "/tmp/rmapbench-test-compare.XXXXXX";
static char out_text[1 << 16];
static char err_text[1 << 14];

/* ---- building reports ---------------------------------------------------- */

struct side {
	const char *release;
	const char *virt;
	const char *cpu;
	int cores;
	int depth;		/* fork-chain param */
	double vma_allocs;	/* slab.vm_area_struct.allocs, exact */
	double vmas;		/* fork.vmas, exact, not gated */
	double other;		/* setup.count, exact, better none */
	const double *ns;	/* fork.ns, timed, 5 values; NULL: null */
	const char *status;	/* workload status */
	bool extra_workload;	/* adds "only-here" */
	int extra_timed;	/* noise.<k>.ns, the same in every report */
	int rounds;		/* rounds of 5 reps; 0: one, without "round" fields */
	const double *drift;	/* per round factor on fork.ns; NULL: none */
	bool old;		/* no "headline" (reports before headlines) */
	bool extra_headline;	/* noise.<k>.ns are headline metrics too */
	const char *label;	/* top-level "label", NULL: none */
};

static const double drift_small[] = { 1.0, 1.01, 0.99, 1.005, 0.995 };

static const double ns_base[] = { 100000, 101000, 99000, 100500, 99500 };
static const double ns_slow[] = { 120000, 121000, 119000, 120500, 119500 };
static const double ns_same[] = { 100200, 100800, 99300, 100100, 99900 };

static struct side base_side(void)
{
	return (struct side){
		.release = "6.1.0-28-amd64", .virt = "native", .cpu = "Test CPU",
		.cores = 2, .depth = 4, .vma_allocs = 134, .vmas = 35, .other = 8,
		.ns = ns_base, .status = "ok", .rounds = 3,
	};
}

static json_t *metric(double v, const char *unit, const char *better, const char *kind)
{
	return json_pack("{s:f, s:s, s:s, s:s}", "value", v, "unit", unit,
			 "better", better, "kind", kind);
}

static json_t *rep_json(const struct side *s, int round, int i)
{
	double f = s->drift ? s->drift[round] : drift_small[round % 5];
	json_t *m = json_object(), *r;

	json_object_set_new(m, "slab.vm_area_struct.allocs",
			    metric(s->vma_allocs, "objects", "lower", "exact"));
	json_object_set_new(m, "fork.vmas", metric(s->vmas, "vmas", "lower", "exact"));
	json_object_set_new(m, "setup.count", metric(s->other, "vmas", "none", "exact"));
	for (int k = 0; k < s->extra_timed; k++) {
		char name[32];

		snprintf(name, sizeof(name), "noise.%d.ns", k);
		json_object_set_new(m, name, metric(ns_base[(i + k) % 5], "ns", "lower", "timed"));
	}
	if (s->ns)
		json_object_set_new(m, "fork.ns", metric(s->ns[i] * f, "ns", "lower", "timed"));
	else
		json_object_set_new(m, "fork.ns", json_pack("{s:n, s:s, s:s, s:s, s:s}",
			"value", "unit", "ns", "better", "lower", "kind", "timed",
			"reason", "unavailable: no fentry on this kernel"));
	r = json_pack("{s:i, s:s, s:n, s:i, s:o}", "rep", i + 1, "status", "ok",
		      "reason", "duration_ns", 1000000, "metrics", m);
	if (s->rounds)
		json_object_set_new(r, "round", json_integer(round + 1));
	return r;
}

static json_t *workload_json(const struct side *s, const char *name)
{
	json_t *reps = json_array(), *w, *h;
	bool ok = !strcmp(s->status, "ok");
	int i, r;

	for (r = 0; ok && r < (s->rounds ? s->rounds : 1); r++)
		for (i = 0; i < 5; i++)
			json_array_append_new(reps, rep_json(s, r, i));
	w = json_pack("{s:s, s:{s:i, s:i}, s:s, s:o, s:o}", "name", name,
		      "params", "regions", 8, "depth", s->depth, "status", s->status,
		      "reason", ok ? json_null() : json_string("fork failed: ENOMEM"),
		      "reps", reps);
	if (!s->old) {
		h = json_pack("[s]", "fork.ns");
		for (i = 0; s->extra_headline && i < s->extra_timed; i++) {
			char hn[32];

			snprintf(hn, sizeof(hn), "noise.%d.ns", i);
			json_array_append_new(h, json_string(hn));
		}
		json_object_set_new(w, "headline", h);
	}
	return w;
}

static json_t *report_json(const struct side *s)
{
	json_t *wl = json_array();

	json_t *r;

	json_array_append_new(wl, workload_json(s, "fork-chain"));
	if (s->extra_workload)
		json_array_append_new(wl, workload_json(s, "only-here"));
	r = json_pack("{s:s, s:i, s:{s:s, s:s}, s:s, s:{s:s, s:s, s:s, s:n}, "
			 "s:{s:s, s:i, s:I, s:s, s:n}, s:{s:i, s:i, s:[s]}, s:{}, "
			 "s:{s:b, s:n, s:s, s:{}}, s:o}",
			 "schema", "rmapbench-report", "schema_version", 1,
			 "tool", "name", "rmapbench", "version", "0.1.0",
			 "created", "2026-11-21T21:42:57Z",
			 "kernel", "release", s->release, "version", "#1 SMP",
			 "cmdline", "ro", "config_sha256",
			 "machine", "cpu_model", s->cpu, "cores", s->cores,
			 "memory_kib", (json_int_t)8000000, "virt", s->virt, "accel",
			 "config", "reps", 5, "interval_ms", 10, "workloads", "fork-chain",
			 "capabilities",
			 "slab_accounting", "available", 1, "reason", "method", "raw_tp",
			 "caches", "workloads", wl);
	if (s->rounds)
		json_object_set_new(r, "rounds", json_integer(s->rounds));
	if (s->label)
		json_object_set_new(r, "label", json_string(s->label));
	return r;
}

static char *write_json(const char *name, json_t *j)
{
	static char paths[32][256];
	static int next;
	char *p = paths[next++ % 32];

	snprintf(p, 256, "%s/%s", tmpdir, name);
	assert_int_equal(json_dump_file(j, p, JSON_INDENT(1)), 0);
	json_decref(j);
	return p;
}

static char *write_side(const char *name, const struct side *s)
{
	return write_json(name, report_json(s));
}

static char *write_text(const char *name, const char *text)
{
	static char paths[8][256];
	static int next;
	char *p = paths[next++ % 8];
	FILE *f;

	snprintf(p, 256, "%s/%s", tmpdir, name);
	f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	return p;
}

/* ---- running compare ------------------------------------------------------ */

static void slurp(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	size_t n = 0;

	if (f) {
		n = fread(buf, 1, len - 1, f);
		fclose(f);
	}
	buf[n] = '\0';
}

/* Runs `rmapbench compare ARGS... --out <tmp>/out --no-graphs`. */
static int run_compare(const char *first, ...)
{
	char *argv[32], outdir[300], outp[300], errp[300];
	int argc = 0, saved_out, saved_err, fd, rc;
	const char *a;
	va_list ap;

	snprintf(outdir, sizeof(outdir), "%s/out", tmpdir);
	snprintf(outp, sizeof(outp), "%s/stdout", tmpdir);
	snprintf(errp, sizeof(errp), "%s/stderr", tmpdir);
	argv[argc++] = "compare";
	va_start(ap, first);
	for (a = first; a && argc < 26; a = va_arg(ap, const char *))
		argv[argc++] = (char *)a;
	va_end(ap);
	argv[argc++] = "--out";
	argv[argc++] = outdir;
	argv[argc++] = "--no-graphs";
	argv[argc] = NULL;

	fflush(stdout);
	fflush(stderr);
	saved_out = dup(1);
	saved_err = dup(2);
	fd = open(outp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	dup2(fd, 1);
	close(fd);
	fd = open(errp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	dup2(fd, 2);
	close(fd);
	rc = cmd_compare(argc, argv);
	fflush(stdout);
	fflush(stderr);
	dup2(saved_out, 1);
	dup2(saved_err, 2);
	close(saved_out);
	close(saved_err);
	slurp(outp, out_text, sizeof(out_text));
	slurp(errp, err_text, sizeof(err_text));
	return rc;
}

static json_t *load_comparison(void)
{
	char path[300];
	json_error_t e;
	json_t *j;

	snprintf(path, sizeof(path), "%s/out/comparison.json", tmpdir);
	j = json_load_file(path, 0, &e);
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "schema")),
			    "rmapbench-comparison");
	return j;
}

/* The metric row @name of the first compared workload of test @t. */
static json_t *row(json_t *cmp, size_t t, const char *name)
{
	json_t *w = json_array_get(json_object_get(json_array_get(
			json_object_get(cmp, "tests"), t), "workloads"), 0);
	json_t *m;
	size_t i;

	json_array_foreach(json_object_get(w, "metrics"), i, m)
		if (!strcmp(json_string_value(json_object_get(m, "name")), name))
			return m;
	fail_msg("metric %s not in comparison.json", name);
	return NULL;
}

static const char *verdict_of(json_t *cmp, const char *name)
{
	return json_string_value(json_object_get(row(cmp, 0, name), "verdict"));
}

/* ---- tests ------------------------------------------------------------------ */

static void test_identical_reports_pass(void **state)
{
	struct side b = base_side();
	char *fb = write_side("base.json", &b), *ft = write_side("same.json", &b);
	json_t *cmp;

	(void)state;
	assert_int_equal(run_compare(fb, ft, NULL), 0);
	cmp = load_comparison();
	assert_string_equal(verdict_of(cmp, "slab.vm_area_struct.allocs"), "unchanged");
	assert_string_equal(verdict_of(cmp, "fork.ns"), "unchanged");
	assert_string_equal(json_string_value(json_object_get(cmp, "verdict")), "no-regression");
	assert_non_null(strstr(out_text, "fork-chain"));
	json_decref(cmp);
}

/* Any exact difference is flagged, whatever its size or the timed noise. */
static void test_exact_delta_always_flagged(void **state)
{
	static const double deltas[] = { 1, -1, 2, -7, 1000, -100 };
	struct side b = base_side(), t;
	char *fb = write_side("base.json", &b);
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(deltas) / sizeof(deltas[0]); i++) {
		bool worse = deltas[i] > 0;
		json_t *cmp, *r;
		int rc;

		t = b;
		t.vma_allocs += deltas[i];
		t.vmas += deltas[i];
		t.other += deltas[i];
		t.ns = ns_same;
		rc = run_compare(fb, write_side("test.json", &t), NULL);
		/* slab.* gates CI by default; fork.vmas does not */
		assert_int_equal(rc, worse ? 1 : 0);
		cmp = load_comparison();
		r = row(cmp, 0, "slab.vm_area_struct.allocs");
		assert_string_equal(verdict_of(cmp, "slab.vm_area_struct.allocs"),
				    worse ? "regression" : "improvement");
		assert_true(json_is_true(json_object_get(r, "gate")));
		assert_int_equal(json_integer_value(json_object_get(r, "delta")),
				 (json_int_t)deltas[i]);
		assert_string_equal(verdict_of(cmp, "fork.vmas"),
				    worse ? "regression" : "improvement");
		assert_false(json_is_true(json_object_get(row(cmp, 0, "fork.vmas"), "gate")));
		assert_string_equal(verdict_of(cmp, "setup.count"), "changed");
		json_decref(cmp);
	}
}

static void test_timed_regression(void **state)
{
	struct side b = base_side(), t = b;
	char *fb = write_side("base.json", &b), *ft;
	char *cfg_thr, *cfg_gate;
	json_t *cmp, *r;

	(void)state;
	t.release = "6.12.6-amd64";
	t.ns = ns_slow;
	ft = write_side("test.json", &t);
	assert_int_equal(run_compare(fb, ft, NULL), 1);
	cmp = load_comparison();
	r = row(cmp, 0, "fork.ns");
	assert_string_equal(verdict_of(cmp, "fork.ns"), "regression");
	assert_true(json_real_value(json_object_get(r, "change_pct")) > 19);
	assert_true(json_number_value(json_object_get(r, "p_value")) < 0.01);
	assert_int_equal(json_array_size(json_object_get(r, "ci_pct")), 2);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(r, "base"), "n")), 15);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(r, "base"), "rounds")), 3);
	assert_non_null(strstr(out_text, "*R"));
	json_decref(cmp);

	/* a per-metric threshold above the change: not flagged */
	cfg_thr = write_text("thr.ini", "[run]\nreps = 5\n\n[compare]\nthreshold.fork.* = 25\n");
	assert_int_equal(run_compare(fb, ft, "--config", cfg_thr, NULL), 0);
	cmp = load_comparison();
	assert_string_equal(verdict_of(cmp, "fork.ns"), "unchanged");
	json_decref(cmp);

	/* still a regression, but not in the gate: exit 0 */
	cfg_gate = write_text("gate.ini", "[compare]\ngate = exact:slab.*\n");
	assert_int_equal(run_compare(fb, ft, "-c", cfg_gate, NULL), 0);
	cmp = load_comparison();
	assert_string_equal(verdict_of(cmp, "fork.ns"), "regression");
	assert_false(json_is_true(json_object_get(row(cmp, 0, "fork.ns"), "gate")));
	json_decref(cmp);
}

static void test_unlike_environment_refused(void **state)
{
	struct side b = base_side(), t = b;
	char *fb = write_side("base.json", &b), *ft;
	json_t *cmp, *env;

	(void)state;
	t.virt = "tcg";
	t.cpu = "QEMU TCG CPU";
	t.ns = ns_slow;
	t.vma_allocs += 3;
	ft = write_side("tcg.json", &t);
	assert_int_equal(run_compare(fb, ft, NULL), 1);	/* exact regression only */
	cmp = load_comparison();
	env = json_object_get(json_array_get(json_object_get(cmp, "tests"), 0), "environment");
	assert_string_equal(json_string_value(json_object_get(env, "timed")), "refused");
	assert_non_null(strstr(json_string_value(json_object_get(env, "differences")),
			       "machine.virt: native vs tcg"));
	assert_string_equal(verdict_of(cmp, "fork.ns"), "not-judged");
	assert_true(json_is_null(json_object_get(row(cmp, 0, "fork.ns"), "change_pct")));
	assert_string_equal(verdict_of(cmp, "slab.vm_area_struct.allocs"), "regression");
	assert_non_null(strstr(out_text, "NOT judged"));
	json_decref(cmp);

	/* timed alone differs: exit 0, and said so */
	t.vma_allocs = b.vma_allocs;
	ft = write_side("tcg.json", &t);
	assert_int_equal(run_compare(fb, ft, NULL), 0);
	assert_non_null(strstr(out_text, "NOT judged"));

	assert_int_equal(run_compare(fb, ft, "--force", NULL), 1);
	cmp = load_comparison();
	env = json_object_get(json_array_get(json_object_get(cmp, "tests"), 0), "environment");
	assert_string_equal(json_string_value(json_object_get(env, "timed")), "forced");
	assert_string_equal(verdict_of(cmp, "fork.ns"), "regression");
	assert_non_null(strstr(out_text, "--force"));
	json_decref(cmp);
}

static void test_null_is_unavailable_not_zero(void **state)
{
	struct side b = base_side(), t = b;
	char *fb = write_side("base.json", &b);
	json_t *cmp, *r;

	(void)state;
	t.ns = NULL;
	assert_int_equal(run_compare(fb, write_side("test.json", &t), NULL), 0);
	cmp = load_comparison();
	r = row(cmp, 0, "fork.ns");
	assert_string_equal(verdict_of(cmp, "fork.ns"), "unavailable");
	assert_non_null(strstr(json_string_value(json_object_get(r, "reason")),
			       "no fentry on this kernel"));
	assert_null(json_object_get(r, "test"));
	assert_null(json_object_get(r, "change_pct"));
	json_decref(cmp);
}

static void test_failed_workload_fails_ci(void **state)
{
	struct side b = base_side(), t = b;
	char *fb = write_side("base.json", &b);
	json_t *cmp;

	(void)state;
	t.status = "failed";
	assert_int_equal(run_compare(fb, write_side("test.json", &t), NULL), 1);
	cmp = load_comparison();
	assert_int_equal(json_integer_value(json_object_get(json_object_get(
		json_array_get(json_object_get(cmp, "tests"), 0), "counts"),
		"failed_workloads")), 1);
	json_decref(cmp);
}

static void test_unmatched_workload_listed(void **state)
{
	struct side b = base_side(), t = b;
	char *fb = write_side("base.json", &b);
	json_t *cmp, *um;

	(void)state;
	t.extra_workload = true;
	assert_int_equal(run_compare(fb, write_side("test.json", &t), NULL), 0);
	cmp = load_comparison();
	um = json_object_get(json_array_get(json_object_get(cmp, "tests"), 0), "unmatched");
	assert_int_equal(json_array_size(um), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(um, 0), "name")),
			    "only-here");
	assert_string_equal(json_string_value(json_object_get(json_array_get(um, 0), "side")),
			    "test");
	assert_non_null(strstr(out_text, "unmatched: only-here"));
	json_decref(cmp);
}

static void expect_error(int rc, const char *needle1, const char *needle2)
{
	assert_int_equal(rc, 2);
	if (!strstr(err_text, needle1) || (needle2 && !strstr(err_text, needle2)))
		fail_msg("stderr \"%s\" lacks \"%s\"/\"%s\"", err_text, needle1,
			 needle2 ? needle2 : "");
	assert_null(strchr(strchr(err_text, '\n') + 1, '\n'));	/* one line */
}

static void test_bad_inputs_exit_2(void **state)
{
	struct side b = base_side(), t = b;
	char *fb = write_side("base.json", &b), *f;
	json_t *j;

	(void)state;
	f = "/nonexistent/report.json";
	expect_error(run_compare(fb, f, NULL), f, "No such file");

	f = write_text("broken.json", "{ \"schema\": \"rmapbench-report\", ");
	expect_error(run_compare(fb, f, NULL), f, "invalid JSON");

	j = report_json(&b);
	json_object_set_new(j, "schema_version", json_integer(2));
	f = write_json("v2.json", j);
	expect_error(run_compare(f, fb, NULL), f, "schema_version 2");

	j = report_json(&b);
	json_object_set_new(j, "schema", json_string("something-else"));
	f = write_json("other.json", j);
	expect_error(run_compare(fb, f, NULL), f, "not an rmapbench report");

	t.depth = 8;
	f = write_side("params.json", &t);
	expect_error(run_compare(fb, f, NULL), f, "params");
	assert_non_null(strstr(err_text, "depth=8"));

	j = report_json(&b);
	json_object_set_new(json_object_get(json_object_get(json_array_get(json_object_get(
		json_array_get(json_object_get(j, "workloads"), 0), "reps"), 0), "metrics"),
		"fork.ns"), "kind", json_string("fuzzy"));
	f = write_json("kind.json", j);
	expect_error(run_compare(fb, f, NULL), f, "fuzzy");

	f = write_text("bad.ini", "[compare]\nalpha = 0.05\nthreshold_pc = 5\n");
	expect_error(run_compare(fb, fb, "--config", f, NULL), f, ":3:");

	expect_error(run_compare(fb, NULL), "need a base report", NULL);
	expect_error(run_compare(fb, fb, "--frobnicate", NULL), "--frobnicate", NULL);
}

static void test_json_stdout_and_determinism(void **state)
{
	struct side b = base_side(), t = b;
	char *fb = write_side("base.json", &b), *ft, *first;
	json_error_t e;
	json_t *j;

	(void)state;
	t.ns = ns_slow;
	ft = write_side("test.json", &t);
	assert_int_equal(run_compare(fb, ft, "--json", NULL), 1);
	j = json_loads(out_text, 0, &e);
	assert_non_null(j);
	assert_int_equal(json_integer_value(json_object_get(j, "exit_code")), 1);
	json_object_del(j, "created");
	first = json_dumps(j, JSON_SORT_KEYS);
	json_decref(j);

	assert_int_equal(run_compare(fb, ft, "--json", NULL), 1);
	j = json_loads(out_text, 0, &e);
	json_object_del(j, "created");
	{
		char *second = json_dumps(j, JSON_SORT_KEYS);

		assert_string_equal(first, second);	/* seeded bootstrap */
		free(second);
	}
	free(first);
	json_decref(j);
}

static void test_several_test_reports(void **state)
{
	struct side b = base_side(), t1 = b, t2 = b;
	char *fb = write_side("base.json", &b), *f1, *f2;
	json_t *cmp;

	(void)state;
	t1.ns = ns_same;
	t2.ns = ns_slow;
	t2.release = "6.12.6-amd64";
	f1 = write_side("t1.json", &t1);
	f2 = write_side("t2.json", &t2);
	assert_int_equal(run_compare(fb, f1, f2, NULL), 1);
	cmp = load_comparison();
	assert_int_equal(json_array_size(json_object_get(cmp, "tests")), 2);
	assert_string_equal(json_string_value(json_object_get(row(cmp, 0, "fork.ns"), "verdict")),
			    "unchanged");
	assert_string_equal(json_string_value(json_object_get(row(cmp, 1, "fork.ns"), "verdict")),
			    "regression");
	json_decref(cmp);
}

static const double drift_wide[] = { 1.0, 1.05, 0.95 };

/*
 * Holm over the gating (headline) timed metrics only: a +20% change whose
 * rounds drift by 5% is flagged alone (p ~ 0.01), not among 13 headline
 * metrics (0.05 / 13), and again when the 12 others are not headline.
 */
static void test_holm_correction(void **state)
{
	struct side b = base_side(), t = b;
	char *fb, *ft, *cfg;
	json_t *cmp, *r, *tj;

	(void)state;
	b.drift = t.drift = drift_wide;
	t.ns = ns_slow;
	fb = write_side("base.json", &b);
	ft = write_side("test.json", &t);
	assert_int_equal(run_compare(fb, ft, NULL), 1);
	cmp = load_comparison();
	r = row(cmp, 0, "fork.ns");
	assert_string_equal(verdict_of(cmp, "fork.ns"), "regression");
	assert_true(json_real_value(json_object_get(r, "p_value")) < 0.05);
	assert_true(json_real_value(json_object_get(r, "p_value")) > 0.05 / 13);
	assert_string_equal(json_string_value(json_object_get(json_object_get(cmp, "settings"),
							      "correction")), "holm");
	json_decref(cmp);

	/* 13 headline metrics: the smallest p must be below 0.05 / 13 */
	b.extra_timed = t.extra_timed = 12;
	b.extra_headline = t.extra_headline = true;
	fb = write_side("base.json", &b);
	ft = write_side("test.json", &t);
	assert_int_equal(run_compare(fb, ft, NULL), 0);
	cmp = load_comparison();
	r = row(cmp, 0, "fork.ns");
	assert_string_equal(verdict_of(cmp, "fork.ns"), "unchanged");
	assert_int_equal(json_integer_value(json_object_get(r, "corrected_over")), 13);
	assert_true(json_real_value(json_object_get(r, "p_adjusted")) >= 0.05);
	assert_non_null(strstr(json_string_value(json_object_get(r, "reason")), "holm over 13"));
	tj = json_array_get(json_object_get(cmp, "tests"), 0);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(tj, "counts"),
							    "corrected_over")), 13);
	json_decref(cmp);

	/* correction = none: the same data is a regression */
	cfg = write_text("none.ini", "[compare]\ncorrection = none\n");
	assert_int_equal(run_compare(fb, ft, "--config", cfg, NULL), 1);

	/* the 12 others shown but not headline: they neither gate nor dilute */
	b.extra_headline = t.extra_headline = false;
	fb = write_side("base.json", &b);
	ft = write_side("test.json", &t);
	assert_int_equal(run_compare(fb, ft, NULL), 1);
	cmp = load_comparison();
	assert_int_equal(json_integer_value(json_object_get(row(cmp, 0, "fork.ns"),
							    "corrected_over")), 1);
	assert_false(json_is_true(json_object_get(row(cmp, 0, "noise.3.ns"), "gate")));
	assert_false(json_is_true(json_object_get(row(cmp, 0, "noise.3.ns"), "headline")));
	json_decref(cmp);
}

/* One round per side: shown, never judged, exit 0, and how to fix it. */
static void test_one_round_not_judged(void **state)
{
	struct side b = base_side(), t = b;
	char *fb, *ft, path[300], text[1 << 15];
	json_t *cmp, *r, *tj;

	(void)state;
	b.rounds = t.rounds = 1;
	t.ns = ns_slow;
	fb = write_side("base.json", &b);
	ft = write_side("test.json", &t);
	assert_int_equal(run_compare(fb, ft, NULL), 0);
	cmp = load_comparison();
	r = row(cmp, 0, "fork.ns");
	assert_string_equal(verdict_of(cmp, "fork.ns"), "not-judged");
	assert_non_null(strstr(json_string_value(json_object_get(r, "reason")),
			       "not judged: 1 round per side"));
	assert_true(json_real_value(json_object_get(r, "change_pct")) > 19);	/* shown */
	assert_true(json_is_null(json_object_get(r, "p_value")));
	tj = json_object_get(json_array_get(json_object_get(cmp, "tests"), 0), "timed");
	assert_false(json_is_true(json_object_get(tj, "judged")));
	assert_non_null(strstr(json_string_value(json_object_get(tj, "not_judged_reason")),
			       "--rounds 3"));
	json_decref(cmp);
	assert_non_null(strstr(out_text, "NOT judged"));
	assert_non_null(strstr(out_text, "--rounds 3"));
	snprintf(path, sizeof(path), "%s/out/summary.md", tmpdir);
	slurp(path, text, sizeof(text));
	assert_non_null(strstr(text, "--rounds 3"));

	/* an exact regression still fails CI */
	t.vma_allocs += 1;
	assert_int_equal(run_compare(fb, write_side("test.json", &t), NULL), 1);
}

/* Reports from before rounds and headlines: still compared. */
static void test_old_reports_compare(void **state)
{
	struct side b = base_side(), t = b;
	char *fb, *ft;
	json_t *cmp, *tj;

	(void)state;
	b.rounds = t.rounds = 0;	/* no "round", no "rounds" */
	b.old = t.old = true;		/* no "headline" */
	fb = write_side("base.json", &b);
	assert_int_equal(run_compare(fb, write_side("same.json", &b), NULL), 0);
	t.vma_allocs += 2;
	t.ns = ns_slow;
	ft = write_side("test.json", &t);
	assert_int_equal(run_compare(fb, ft, NULL), 1);
	cmp = load_comparison();
	assert_string_equal(verdict_of(cmp, "slab.vm_area_struct.allocs"), "regression");
	assert_string_equal(verdict_of(cmp, "fork.ns"), "not-judged");
	json_decref(cmp);

	/*
	 * Rounds but no headline: fork-chain's headline metrics as this
	 * rmapbench declares them (fork.mean_ns), so fork.ns does not gate.
	 */
	b.rounds = t.rounds = 3;
	t.vma_allocs = b.vma_allocs;
	fb = write_side("base.json", &b);
	ft = write_side("test.json", &t);
	assert_int_equal(run_compare(fb, ft, NULL), 0);
	cmp = load_comparison();
	assert_string_equal(verdict_of(cmp, "fork.ns"), "regression");
	assert_false(json_is_true(json_object_get(row(cmp, 0, "fork.ns"), "gate")));
	tj = json_object_get(json_array_get(json_object_get(cmp, "tests"), 0), "timed");
	assert_true(json_is_true(json_object_get(tj, "headline_fallback")));
	json_decref(cmp);
}

static void test_labels(void **state)
{
	struct side b = base_side(), t = b;
	char *fb, *ft;
	json_t *cmp;

	(void)state;
	b.label = "vanilla";
	t.label = "patched";
	fb = write_side("base.json", &b);
	ft = write_side("test.json", &t);
	assert_int_equal(run_compare(fb, ft, NULL), 0);
	assert_non_null(strstr(out_text, "vanilla"));
	assert_non_null(strstr(out_text, "patched"));
	assert_null(strstr(out_text, "[1]"));
	cmp = load_comparison();
	assert_string_equal(json_string_value(json_object_get(json_object_get(cmp, "base"),
							      "label")), "vanilla");
	assert_string_equal(json_string_value(json_object_get(json_array_get(
		json_object_get(cmp, "tests"), 0), "label")), "patched");
	json_decref(cmp);

	/* the same label twice is still told apart */
	assert_int_equal(run_compare(fb, fb, NULL), 0);
	assert_non_null(strstr(out_text, "vanilla [1]"));
	assert_non_null(strstr(out_text, "vanilla [2]"));
}

/* What the runs can see is said: per headline metric and overall. */
static void test_mde_reported(void **state)
{
	struct side b = base_side(), t = b;
	char path[300], text[1 << 15];
	json_t *cmp, *r, *tj;

	(void)state;
	b.drift = t.drift = drift_wide;
	assert_int_equal(run_compare(write_side("base.json", &b),
				     write_side("test.json", &t), NULL), 0);
	cmp = load_comparison();
	r = row(cmp, 0, "fork.ns");
	/* round CoV 5%, 3+3 rounds: far above the 5% threshold */
	assert_true(json_real_value(json_object_get(r, "mde_pct")) > 10);
	tj = json_object_get(json_array_get(json_object_get(cmp, "tests"), 0), "timed");
	assert_true(json_real_value(json_object_get(json_object_get(tj, "mde_min"), "mde_pct")) > 10);
	assert_true(json_number_value(json_object_get(tj, "mde_power")) == 0.9);
	json_decref(cmp);
	assert_non_null(strstr(out_text, "cannot be seen with these runs"));
	snprintf(path, sizeof(path), "%s/out/summary.md", tmpdir);
	slurp(path, text, sizeof(text));
	assert_non_null(strstr(text, "cannot be seen with these runs"));
	assert_non_null(strstr(text, "| fork-chain | fork.ns | 3+3 |"));
}

static void test_outputs_written(void **state)
{
	struct side b = base_side(), t = b;
	char path[300], text[1 << 14];

	(void)state;
	t.vma_allocs += 2;
	assert_int_equal(run_compare(write_side("base.json", &b),
				     write_side("test.json", &t), NULL), 1);
	snprintf(path, sizeof(path), "%s/out/summary.md", tmpdir);
	slurp(path, text, sizeof(text));
	assert_non_null(strstr(text, "### Regressions (1)"));
	assert_non_null(strstr(text, "REGRESSION"));
	snprintf(path, sizeof(path), "%s/out/index.html", tmpdir);
	slurp(path, text, sizeof(text));
	assert_non_null(strstr(text, "<html"));
	assert_non_null(strstr(text, "disabled by --no-graphs"));
}

static int setup(void **state)
{
	(void)state;
	return mkdtemp(tmpdir) ? 0 : -1;
}

/*
 * Reports of two machines: the first of the other machine is not judged
 * (timed), the second is judged against it, not against the base; a
 * workload its timed base lacks is not judged; --force judges the first
 * against the base.
 */
static void test_machine_groups(void **state)
{
	struct side b = base_side(), o1 = b, o2;
	char *fb, *f1, *f2;
	json_t *cmp, *t1, *t2, *w, *m;
	size_t i, found = 0;

	(void)state;
	b.extra_workload = true;
	fb = write_side("mg-base.json", &b);
	o1.cpu = "Other CPU";
	f1 = write_side("mg-o1.json", &o1);
	o2 = o1;
	o2.ns = ns_slow;
	o2.extra_workload = true;
	f2 = write_side("mg-o2.json", &o2);
	assert_int_equal(run_compare(fb, f1, f2, NULL), 1);
	cmp = load_comparison();
	assert_int_equal(json_array_size(json_object_get(cmp, "machine_groups")), 2);
	t1 = json_array_get(json_object_get(cmp, "tests"), 0);
	t2 = json_array_get(json_object_get(cmp, "tests"), 1);
	assert_true(json_is_null(json_object_get(t1, "timed_base")));
	assert_string_equal(json_string_value(json_object_get(row(cmp, 0, "fork.ns"), "verdict")),
			    "not-judged");
	assert_non_null(strstr(json_string_value(json_object_get(row(cmp, 0, "fork.ns"), "reason")),
			       "first report of machine"));
	assert_string_equal(json_string_value(json_object_get(row(cmp, 0, "setup.count"),
							      "verdict")), "unchanged");
	assert_string_equal(json_string_value(json_object_get(json_object_get(t2, "timed_base"),
							      "file")), f1);
	assert_string_equal(json_string_value(json_object_get(row(cmp, 1, "fork.ns"), "verdict")),
			    "regression");
	/* only-here: in the base and o2, not in o2's timed base */
	w = json_array_get(json_object_get(t2, "workloads"), 1);
	assert_string_equal(json_string_value(json_object_get(w, "name")), "only-here");
	json_array_foreach(json_object_get(w, "metrics"), i, m) {
		if (strcmp(json_string_value(json_object_get(m, "name")), "fork.ns"))
			continue;
		assert_string_equal(json_string_value(json_object_get(m, "verdict")), "not-judged");
		assert_non_null(strstr(json_string_value(json_object_get(m, "reason")),
				       "not in the timed base"));
		found++;
	}
	assert_int_equal(found, 1);
	assert_non_null(strstr(out_text, "2 machines"));
	json_decref(cmp);

	assert_int_equal(run_compare(fb, f1, f2, "--force", NULL), 1);
	cmp = load_comparison();
	t1 = json_array_get(json_object_get(cmp, "tests"), 0);
	assert_string_equal(json_string_value(json_object_get(json_object_get(t1, "timed_base"),
							      "file")), fb);
	assert_string_equal(json_string_value(json_object_get(row(cmp, 0, "fork.ns"), "verdict")),
			    "unchanged");
	assert_string_equal(json_string_value(json_object_get(json_object_get(t1, "environment"),
							      "timed")), "forced");
	json_decref(cmp);
}

/* ---- machine fingerprints ------------------------------------------------ */

static void fp_machine(json_t *m, char out[FP_LEN])
{
	fingerprint_of(m, NULL, out);
	json_decref(m);
}

/*
 * MemTotal enters rounded up to a power of two MiB: two kernels on one
 * machine (which reserve different amounts) give one fingerprint, a guest
 * of another size another; every other field, the host's fingerprint and
 * the machine-id change it.
 */
static void test_fingerprint(void **state)
{
	const char *tmpl = "{s:s, s:i, s:I, s:s, s:o}";
	char a[FP_LEN], b[FP_LEN], x[FP_LEN];
	json_t *m;

	(void)state;
	assert_int_equal(fingerprint_memory_mib(8131244), 8192);
	assert_int_equal(fingerprint_memory_mib(8388608), 8192);
	assert_int_equal(fingerprint_memory_mib(8388609), 16384);
	assert_int_equal(fingerprint_memory_mib(1003000), 1024);
	assert_int_equal(fingerprint_memory_mib(0), 0);
	assert_int_equal(fingerprint_memory_mib(-1), 0);

	fp_machine(json_pack(tmpl, "cpu_model", "CPU", "cores", 2, "memory_kib",
			     (json_int_t)8131244, "virt", "native", "accel", json_null()), a);
	assert_true(fingerprint_valid(a));
	/*
	 * stable across versions and SHA-256 implementations: the SHA-256 of
	 * "rmapbench-machine-fingerprint 1\ncpu_model=CPU\ncores=2\n
	 * memory_mib=8192\nvirt=native\naccel=-\nhost=-\nid=-\n" (Python's
	 * hashlib), first 16 digits
	 */
	assert_string_equal(a, "5c876560e0f6fbbb");
	/* another kernel's MemTotal, key order: the same machine */
	fp_machine(json_pack("{s:o, s:s, s:I, s:i, s:s}", "accel", json_null(), "virt", "native",
			     "memory_kib", (json_int_t)8090000, "cores", 2, "cpu_model", "CPU"), b);
	assert_string_equal(a, b);
	fp_machine(json_pack(tmpl, "cpu_model", "CPU", "cores", 4, "memory_kib",
			     (json_int_t)8131244, "virt", "native", "accel", json_null()), x);
	assert_string_not_equal(a, x);
	fp_machine(json_pack(tmpl, "cpu_model", "CPU", "cores", 2, "memory_kib",
			     (json_int_t)16000000, "virt", "native", "accel", json_null()), x);
	assert_string_not_equal(a, x);
	fp_machine(json_pack(tmpl, "cpu_model", "CPU", "cores", 2, "memory_kib",
			     (json_int_t)8131244, "virt", "kvm", "accel", json_string("kvm")), b);
	fp_machine(json_pack(tmpl, "cpu_model", "CPU", "cores", 2, "memory_kib",
			     (json_int_t)8131244, "virt", "kvm", "accel", json_string("tcg")), x);
	assert_string_not_equal(a, b);
	assert_string_not_equal(b, x);
	/* a guest: its host's fingerprint is part of it */
	m = json_pack(tmpl, "cpu_model", "CPU", "cores", 2, "memory_kib", (json_int_t)8131244,
		      "virt", "kvm", "accel", json_string("kvm"));
	json_object_set_new(m, "host_fingerprint", json_string("0123456789abcdef"));
	fp_machine(m, x);
	assert_string_not_equal(b, x);
	/* the machine-id: part of it, not in it */
	m = json_pack(tmpl, "cpu_model", "CPU", "cores", 2, "memory_kib", (json_int_t)8131244,
		      "virt", "native", "accel", json_null());
	fingerprint_of(m, "4c4c4544004a4c10804bb8c04f463732", x);
	assert_string_not_equal(a, x);
	assert_null(strstr("4c4c4544004a4c10804bb8c04f463732", x));
	fingerprint_of(m, "4c4c4544004a4c10804bb8c04f463732", b);
	assert_string_equal(x, b);
	json_decref(m);

	assert_true(fingerprint_valid("0123456789abcdef"));
	assert_false(fingerprint_valid("0123456789ABCDEF"));
	assert_false(fingerprint_valid("0123456789abcde"));
	assert_false(fingerprint_valid("0123456789abcdef0"));
	assert_false(fingerprint_valid("0123456789abcdeg"));
	assert_false(fingerprint_valid(NULL));
}

/*
 * A parameter a newer build added (reclaim.oom_rep) is the same as absent
 * when it is at its declared default; any other value, or an unknown
 * workload, keeps the reports apart.
 */
static void test_params_added_default(void **state)
{
	json_t *old = json_pack("{s:i, s:i}", "fanout", 4, "steps", 16);
	json_t *dflt = json_pack("{s:i, s:i, s:i}", "fanout", 4, "steps", 16, "oom_rep", 0);
	json_t *set = json_pack("{s:i, s:i, s:i}", "fanout", 4, "steps", 16, "oom_rep", 2);
	json_t *other = json_pack("{s:i, s:i}", "fanout", 4, "steps", 8);

	(void)state;
	assert_true(workload_params_equal("reclaim", old, dflt));
	assert_true(workload_params_equal("reclaim", dflt, old));
	assert_true(workload_params_equal("reclaim", dflt, dflt));
	assert_false(workload_params_equal("reclaim", old, set));
	assert_false(workload_params_equal("reclaim", set, old));
	assert_false(workload_params_equal("reclaim", dflt, set));
	assert_false(workload_params_equal("reclaim", old, other));
	assert_false(workload_params_equal("no-such-workload", old, dflt));
	json_decref(old);
	json_decref(dflt);
	json_decref(set);
	json_decref(other);
}

static int teardown(void **state)
{
	char cmd[400];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_identical_reports_pass),
		cmocka_unit_test(test_exact_delta_always_flagged),
		cmocka_unit_test(test_timed_regression),
		cmocka_unit_test(test_unlike_environment_refused),
		cmocka_unit_test(test_null_is_unavailable_not_zero),
		cmocka_unit_test(test_failed_workload_fails_ci),
		cmocka_unit_test(test_unmatched_workload_listed),
		cmocka_unit_test(test_bad_inputs_exit_2),
		cmocka_unit_test(test_json_stdout_and_determinism),
		cmocka_unit_test(test_several_test_reports),
		cmocka_unit_test(test_holm_correction),
		cmocka_unit_test(test_one_round_not_judged),
		cmocka_unit_test(test_old_reports_compare),
		cmocka_unit_test(test_labels),
		cmocka_unit_test(test_mde_reported),
		cmocka_unit_test(test_outputs_written),
		cmocka_unit_test(test_machine_groups),
		cmocka_unit_test(test_fingerprint),
		cmocka_unit_test(test_params_added_default),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
