// SPDX-License-Identifier: GPL-2.0
/*
 * KCIDB v5.3 (kernelci/kcidb-io kcidb_io/schema/v05_03.py): one checkout
 * and one build for the report's kernel, one test per workload x metric,
 * with a comparison an issue and an incident per regression. IDs are
 * "<origin>:..." and depend only on the input: the checkout and build on
 * the kernel (release, version, config hash, spec), tests on the report's
 * content, issues on the comparison's base. docs/fleet.md has the mapping.
 */
#include <string.h>

#include "export.h"
#include "util.h"

/* "<origin>:<release>:<hash of release, version, config, spec>" */
static void checkout_id(const struct ex_input *in, char *buf, size_t len)
{
	const char *parts[] = { in->release, in->kversion, in->config_sha256, in->spec };
	unsigned long long h = EX_FNV_INIT;

	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++)
		h = ex_hash(h, parts[i] ? parts[i] : "", strlen(parts[i] ? parts[i] : "") + 1);
	snprintf(buf, len, "%s:%s:%016llx", in->origin, in->release, h);
}

static json_t *kernel_misc(const struct ex_input *in)
{
	json_t *o = json_pack("{s:s, s:O}", "release", in->release,
			      "kernel", json_object_get(in->report, "kernel"));

	if (in->spec[0])
		json_object_set_new(o, "spec", json_string(in->spec));
	if (json_is_string(json_object_get(in->report, "label")))
		json_object_set(o, "label", json_object_get(in->report, "label"));
	return o;
}

static json_t *checkout(const struct ex_input *in, const char *id)
{
	char comment[512];

	snprintf(comment, sizeof(comment), "Linux %s%s%s%s measured by rmapbench", in->release,
		 in->spec[0] ? " (" : "", in->spec, in->spec[0] ? ")" : "");
	return json_pack("{s:s, s:s, s:s, s:s, s:b, s:o}", "id", id, "origin", in->origin,
			 "comment", comment, "start_time", in->created, "valid", 1,
			 "misc", kernel_misc(in));
}

static json_t *build(const struct ex_input *in, const char *id, const char *cid)
{
	json_t *b = json_pack("{s:s, s:s, s:s, s:s, s:s, s:o}", "id", id, "origin", in->origin,
			      "checkout_id", cid, "start_time", in->created,
			      "status", "PASS", "misc", kernel_misc(in));
	char name[128];

	if (in->arch[0])
		json_object_set_new(b, "architecture", json_string(in->arch));
	if (in->config_sha256) {
		snprintf(name, sizeof(name), "sha256:%s", in->config_sha256);
		json_object_set_new(b, "config_name", json_string(name));
	}
	json_object_set_new(b, "comment", json_string(
		"the kernel booted and ran rmapbench (status PASS); "
		"config_name is the sha256 of its configuration"));
	return b;
}

/* number {value, unit, prefix}: latencies in seconds with a metric prefix. */
static json_t *number(const struct ex_metric *m)
{
	static const struct { const char *unit, *to; double scale; const char *prefix; } map[] = {
		{ "ns", "s", 1e-9, "metric" }, { "us", "s", 1e-6, "metric" },
		{ "ms", "s", 1e-3, "metric" }, { "s", "s", 1, "metric" },
		{ "bytes", "B", 1, "binary" }, { "B", "B", 1, "binary" },
		{ "KiB", "B", 1024, "binary" }, { "kib", "B", 1024, "binary" },
		{ "bool", NULL, 1, NULL },
	};

	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		json_t *n;

		if (strcmp(m->unit, map[i].unit))
			continue;
		n = json_pack("{s:f}", "value", m->value * map[i].scale);
		if (map[i].to)
			json_object_set_new(n, "unit", json_string(map[i].to));
		if (map[i].prefix)
			json_object_set_new(n, "prefix", json_string(map[i].prefix));
		return n;
	}
	return json_pack("{s:f, s:s, s:s}", "value", m->value, "unit", m->unit, "prefix", "metric");
}

/*
 * DONE: a measurement (timed metrics; exact ones without a comparison).
 * With a comparison, exact metrics are PASS when unchanged and FAIL when
 * they changed in any direction. SKIP: no value.
 */
static const char *status(const struct ex_input *in, const struct ex_metric *m)
{
	if (!m->has_value || m->verdict == EXV_UNAVAILABLE)
		return "SKIP";
	if (!in->cmp_test || strcmp(m->kind, "exact"))
		return "DONE";
	switch (m->verdict) {
	case EXV_UNCHANGED:
		return "PASS";
	case EXV_REGRESSION:
	case EXV_IMPROVEMENT:
	case EXV_CHANGED:
		return "FAIL";
	default:
		return "DONE";
	}
}

static json_t *environment(const struct ex_input *in)
{
	json_t *ma = json_object_get(in->report, "machine");
	char c[512];

	snprintf(c, sizeof(c), "%s, %lld cores, %s%s%s",
		 json_string_value(json_object_get(ma, "cpu_model")) ?: "unknown CPU",
		 json_integer_value(json_object_get(ma, "cores")),
		 json_string_value(json_object_get(ma, "virt")) ?: "unknown",
		 json_is_string(json_object_get(ma, "accel")) ? " accel " : "",
		 json_string_value(json_object_get(ma, "accel")) ?: "");
	return json_pack("{s:s, s:O}", "comment", c, "misc", ma ? ma : json_null());
}

static json_t *test(const struct ex_input *in, const struct ex_workload *w,
		    const struct ex_metric *m, const char *bid, const char *path, const char *id)
{
	char summary[512];
	json_t *t, *misc;

	ex_summary(in, w, m, summary, sizeof(summary));
	misc = json_pack("{s:s, s:O, s:s, s:s, s:s, s:s, s:i, s:b}", "workload", w->name,
			 "params", w->params ? w->params : json_null(), "metric", m->name,
			 "kind", m->kind, "better", m->better, "unit", m->unit, "reps", m->n,
			 "headline", m->headline);
	if (m->cmp)
		json_object_set(misc, "comparison", m->cmp);
	t = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:o}", "id", id, "origin", in->origin,
		      "build_id", bid, "path", path, "status", status(in, m),
		      "start_time", in->created, "environment", environment(in), "misc", misc);
	if (m->has_value)
		json_object_set_new(t, "number", number(m));
	json_object_set_new(t, "comment", json_string(m->has_value || !m->reason ? summary : m->reason));
	return t;
}

/* A test for a workload that did not run: ERROR (failed) or SKIP (unavailable). */
static json_t *workload_test(const struct ex_input *in, const struct ex_workload *w,
			     const char *bid)
{
	char id[512], path[128];

	snprintf(path, sizeof(path), "rmapbench.%s", w->id);
	snprintf(id, sizeof(id), "%s:%s:%s", in->origin, in->report_key, path);
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "id", id, "origin", in->origin,
			 "build_id", bid, "path", path,
			 "status", !strcmp(w->status, "failed") ? "ERROR" : "SKIP",
			 "start_time", in->created,
			 "comment", w->reason ? w->reason : w->status);
}

/* A regression: the issue (per base, workload and metric) and this test's incident. */
static void regression(const struct ex_input *in, const struct ex_workload *w,
		       const struct ex_metric *m, const char *path, const char *tid,
		       json_t *issues, json_t *incidents)
{
	json_t *base = in->cmp_base;
	const char *bc = json_string_value(json_object_get(base, "created")) ?: "";
	unsigned long long h = ex_hash(EX_FNV_INIT, bc, strlen(bc) + 1);
	char iid[512], nid[600], subject[512];

	h = ex_hash(h, ex_base_label(in), strlen(ex_base_label(in)));
	snprintf(iid, sizeof(iid), "%s:regression:%016llx:%s", in->origin, h, path);
	snprintf(nid, sizeof(nid), "%s:incident", tid);
	ex_summary(in, w, m, subject, sizeof(subject));
	json_array_append_new(issues, json_pack(
		"{s:s, s:i, s:s, s:s, s:[s], s:{s:b}, s:s, s:{s:s, s:s, s:O}}",
		"id", iid, "version", 1, "origin", in->origin, "report_subject", subject,
		"categories", "performance.regression", "culprit", "code", 1,
		"comment", "rmapbench compare flagged this metric as a regression",
		"misc", "workload", w->name, "metric", m->name,
		"base", json_object_get(base, "kernel") ?: json_null()));
	json_array_append_new(incidents, json_pack(
		"{s:s, s:s, s:s, s:i, s:s, s:b, s:s}", "id", nid, "origin", in->origin,
		"issue_id", iid, "issue_version", 1, "test_id", tid,
		"present", 1, "comment", subject));
}

int export_kcidb(const struct ex_input *in, struct sbuf *out)
{
	json_t *root, *tests = json_array(), *issues = json_array(), *incidents = json_array();
	char cid[512], bid[600];

	checkout_id(in, cid, sizeof(cid));
	snprintf(bid, sizeof(bid), "%s:build", cid);
	for (size_t i = 0; i < in->nw; i++) {
		const struct ex_workload *w = &in->w[i];

		if (strcmp(w->status, "ok"))
			json_array_append_new(tests, workload_test(in, w, bid));
		for (size_t j = 0; j < w->nm; j++) {
			const struct ex_metric *m = &w->m[j];
			char mname[256], path[384], id[512];

			ex_sanitize(m->name, true, mname, sizeof(mname));
			snprintf(path, sizeof(path), "rmapbench.%s.%s", w->id, mname);
			snprintf(id, sizeof(id), "%s:%s:%s", in->origin, in->report_key, path);
			json_array_append_new(tests, test(in, w, m, bid, path, id));
			if (in->cmp_test && m->verdict == EXV_REGRESSION)
				regression(in, w, m, path, id, issues, incidents);
		}
	}
	root = json_pack("{s:{s:i, s:i}, s:[o], s:[o], s:o}", "version", "major", 5, "minor", 3,
			 "checkouts", checkout(in, cid), "builds", build(in, bid, cid),
			 "tests", tests);
	if (!root) {
		err("export: out of memory");
		return -1;
	}
	if (in->cmp_test) {
		json_object_set_new(root, "issues", issues);
		json_object_set_new(root, "incidents", incidents);
	} else {
		json_decref(issues);
		json_decref(incidents);
	}
	return ex_put_json(out, root);
}
