// SPDX-License-Identifier: GPL-2.0
/*
 * `rmapbench merge`: reports of one kernel and one configuration, each of one
 * or more rounds (a run or a boot), into one multi-round report
 * (docs/report-schema.md: rounds, rep.round, round_info).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "merge.h"
#include "util.h"
#include "workload.h"

/* What must be equal for two reports to be rounds of one measurement. */
static const char *const same_kernel[] = { "release", "version", "config_sha256", "cmdline" };
static const char *const same_machine[] = { "accel", "virt", "fingerprint" };

/* A short text of @j for error messages ("null" for absent). */
static void show(const json_t *j, char *buf, size_t len)
{
	char *s = j ? json_dumps(j, JSON_ENCODE_ANY | JSON_COMPACT) : NULL;

	snprintf(buf, len, "%s", s ? s : "null");
	if (strlen(buf) > 60)
		strcpy(buf + 57, "...");
	free(s);
}

static bool same(const json_t *a, const json_t *b)
{
	if (!a || json_is_null(a))
		return !b || json_is_null(b);
	return b && json_equal((json_t *)a, (json_t *)b);
}

static int differs(const char *path, const char *what, const json_t *a, const json_t *b,
		   const char *base)
{
	char sa[80], sb[80], sub[256];
	const char *key;
	json_t *x;

	/* two objects: name the first member that differs */
	if (json_is_object(a) && json_is_object(b)) {
		json_object_foreach((json_t *)b, key, x)
			if (!same(json_object_get(a, key), x)) {
				snprintf(sub, sizeof(sub), "%s.%s", what, key);
				return differs(path, sub, json_object_get(a, key), x, base);
			}
		json_object_foreach((json_t *)a, key, x)
			if (!json_object_get(b, key)) {
				snprintf(sub, sizeof(sub), "%s.%s", what, key);
				return differs(path, sub, x, NULL, base);
			}
	}
	show(b, sb, sizeof(sb));
	show(a, sa, sizeof(sa));
	err("%s: %s is %s, %s has %s: not rounds of one kernel and config", path, what, sb,
	    base, sa);
	return -1;
}

static json_t *workload_named(json_t *report, const char *name)
{
	json_t *w;
	size_t i;

	json_array_foreach(json_object_get(report, "workloads"), i, w)
		if (!strcmp(json_string_value(json_object_get(w, "name")) ?: "", name))
			return w;
	return NULL;
}

/* Does parameter @key of @name differ between @pa and @pb (compare's rule: workload.h)? */
static bool param_differs(const char *name, const char *key, json_t *pa, json_t *pb)
{
	json_t *a = json_object(), *b = json_object();
	bool eq;

	if (json_object_get(pa, key))
		json_object_set(a, key, json_object_get(pa, key));
	if (json_object_get(pb, key))
		json_object_set(b, key, json_object_get(pb, key));
	eq = workload_params_equal(name, a, b);
	json_decref(a);
	json_decref(b);
	return !eq;
}

/*
 * The params of workload @name in @apath and @bpath: an error naming the
 * first parameter that differs; one only a report has (added by a newer
 * build) at its declared default does not.
 */
static int params_differ(const char *name, json_t *pa, const char *apath, json_t *pb,
			 const char *bpath)
{
	char what[256];
	const char *key;
	json_t *x;

	if (!json_is_object(pa) || !json_is_object(pb)) {
		snprintf(what, sizeof(what), "%s.params", name);
		return same(pa, pb) ? 0 : differs(bpath, what, pa, pb, apath);
	}
	json_object_foreach(pb, key, x)
		if (param_differs(name, key, pa, pb))
			goto differ;
	json_object_foreach(pa, key, x)
		if (param_differs(name, key, pa, pb))
			goto differ;
	return 0;
differ:
	snprintf(what, sizeof(what), "%s.params.%s", name, key);
	return differs(bpath, what, json_object_get(pa, key), json_object_get(pb, key), apath);
}

/* The run configuration without its file name (a path differs between hosts). */
static json_t *config_sans_file(json_t *report)
{
	json_t *c = json_deep_copy(json_object_get(report, "config"));

	if (c)
		json_object_del(c, "file");
	return c;
}

static int check_compatible(json_t *a, const char *apath, json_t *b, const char *bpath)
{
	json_t *ca, *cb, *w;
	char what[128];
	bool eq;
	size_t i;

	for (i = 0; i < sizeof(same_kernel) / sizeof(*same_kernel); i++) {
		json_t *x = json_object_get(json_object_get(a, "kernel"), same_kernel[i]);
		json_t *y = json_object_get(json_object_get(b, "kernel"), same_kernel[i]);

		snprintf(what, sizeof(what), "kernel.%s", same_kernel[i]);
		if (!same(x, y))
			return differs(bpath, what, x, y, apath);
	}
	for (i = 0; i < sizeof(same_machine) / sizeof(*same_machine); i++) {
		json_t *x = json_object_get(json_object_get(a, "machine"), same_machine[i]);
		json_t *y = json_object_get(json_object_get(b, "machine"), same_machine[i]);

		snprintf(what, sizeof(what), "machine.%s", same_machine[i]);
		if (!same(x, y))
			return differs(bpath, what, x, y, apath);
	}
	if (!same(json_object_get(a, "label"), json_object_get(b, "label")))
		return differs(bpath, "label", json_object_get(a, "label"),
			       json_object_get(b, "label"), apath);
	ca = config_sans_file(a);
	cb = config_sans_file(b);
	eq = same(ca, cb);
	if (!eq)
		differs(bpath, "config", ca, cb, apath);
	json_decref(ca);
	json_decref(cb);
	if (!eq)
		return -1;
	json_array_foreach(json_object_get(b, "workloads"), i, w) {
		const char *name = json_string_value(json_object_get(w, "name"));
		json_t *wa = name ? workload_named(a, name) : NULL;

		snprintf(what, sizeof(what), "workload %s", name ? name : "(unnamed)");
		if (!wa) {
			err("%s: %s is not in %s: not rounds of one config", bpath, what, apath);
			return -1;
		}
		if (params_differ(name, json_object_get(wa, "params"), apath,
				  json_object_get(w, "params"), bpath))
			return -1;
	}
	return 0;
}

/* Rounds held by @r: "rounds", absent = 1. -1 when malformed. */
static long rounds_of(json_t *r)
{
	json_t *n = json_object_get(r, "rounds");

	if (!n)
		return 1;
	if (!json_is_integer(n) || json_integer_value(n) < 1 || json_integer_value(n) > 100000)
		return -1;
	return json_integer_value(n);
}

/* "ok" < "unavailable" < "failed": what the merged workload says. */
static int status_rank(const char *s)
{
	if (!s)
		return 0;
	return !strcmp(s, "failed") ? 2 : !strcmp(s, "ok") ? 1 : 0;
}

static int append_reps(json_t *dst, json_t *w, long offset, long n, const char *path)
{
	json_t *rep, *reps = json_object_get(dst, "reps");
	size_t i;

	json_array_foreach(json_object_get(w, "reps"), i, rep) {
		json_t *k = json_object_get(rep, "round"), *c;
		long round = k ? json_integer_value(k) : 1;

		if (k && (!json_is_integer(k) || round < 1 || round > n)) {
			err("%s: %s rep %zu: round is not an integer in [1, %ld]", path,
			    json_string_value(json_object_get(w, "name")), i + 1, n);
			return -1;
		}
		c = json_deep_copy(rep);
		json_object_set_new(c, "round", json_integer(offset + round));
		json_array_append_new(reps, c);
	}
	if (status_rank(json_string_value(json_object_get(w, "status"))) >
	    status_rank(json_string_value(json_object_get(dst, "status")))) {
		json_object_set(dst, "status", json_object_get(w, "status"));
		json_object_set(dst, "reason", json_object_get(w, "reason"));
	}
	return 0;
}

/* round_info of @r renumbered from @offset; made up from the header if absent. */
static void append_round_info(json_t *dst, json_t *r, long offset, long n)
{
	json_t *ri = json_object_get(r, "round_info"), *e;
	size_t i;

	if (json_is_array(ri) && json_array_size(ri) == (size_t)n) {
		json_array_foreach(ri, i, e) {
			json_t *c = json_deep_copy(e);
			json_t *k = json_object_get(e, "round");

			json_object_set_new(c, "round", json_integer(offset + (json_is_integer(k) ?
							json_integer_value(k) : (json_int_t)i + 1)));
			json_array_append_new(dst, c);
		}
		return;
	}
	for (long k = 1; k <= n; k++)
		json_array_append_new(dst, json_pack("{s:I, s:O*, s:O*}", "round",
				      (json_int_t)(offset + k), "created",
				      json_object_get(r, "created"), "cmdline",
				      json_object_get(json_object_get(r, "kernel"), "cmdline")));
}

/* Empty copies of @r's workloads in the configuration's order, whatever order a round ran them in. */
static json_t *ordered_workloads(json_t *r)
{
	json_t *wls = json_array(), *names = json_object_get(json_object_get(r, "config"),
							     "workloads");
	json_t *w, *x, *all = json_object_get(r, "workloads");
	size_t i, j;

	json_array_foreach(names, i, x)
		json_array_foreach(all, j, w)
			if (json_equal(json_object_get(w, "name"), x))
				json_array_append(wls, w);
	json_array_foreach(all, j, w) {
		bool listed = false;

		json_array_foreach(names, i, x)
			listed |= json_equal(json_object_get(w, "name"), x);
		if (!listed)
			json_array_append(wls, w);
	}
	json_array_foreach(wls, i, w) {
		json_t *c = json_deep_copy(w);

		json_object_set_new(c, "reps", json_array());
		json_object_set_new(c, "status", json_string("unavailable"));
		json_array_set_new(wls, i, c);
	}
	return wls;
}

json_t *merge_reports(json_t **in, const char **paths, int n)
{
	json_t *out, *wls, *w, *info;
	long offset = 0;
	size_t i;

	for (int k = 1; k < n; k++)
		if (check_compatible(in[0], paths[0], in[k], paths[k]))
			return NULL;
	out = json_deep_copy(in[0]);
	wls = ordered_workloads(in[0]);
	info = json_array();
	for (int k = 0; k < n; k++) {
		long nr = rounds_of(in[k]);

		if (nr < 0) {
			err("%s: rounds is not a positive integer", paths[k]);
			goto fail;
		}
		json_array_foreach(json_object_get(in[k], "workloads"), i, w) {
			json_t *dst = NULL, *x;
			size_t j;

			json_array_foreach(wls, j, x)
				if (json_equal(json_object_get(x, "name"), json_object_get(w, "name")))
					dst = x;
			if (!dst) {
				err("%s: workload %s is not in %s", paths[k],
				    json_string_value(json_object_get(w, "name")), paths[0]);
				goto fail;
			}
			if (append_reps(dst, w, offset, nr, paths[k]))
				goto fail;
		}
		append_round_info(info, in[k], offset, nr);
		offset += nr;
	}
	json_object_set_new(out, "workloads", wls);
	json_object_set_new(out, "rounds", json_integer(offset));
	json_object_set_new(out, "round_info", info);
	return out;
fail:
	json_decref(wls);
	json_decref(info);
	json_decref(out);
	return NULL;
}

/* Loads a report, refusing anything that is not an rmapbench report of schema 1. */
json_t *report_read(const char *path)
{
	json_error_t jerr;
	json_t *r = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
	json_t *v;

	if (!r) {
		if (jerr.line > 0)
			err("%s: invalid JSON at line %d column %d: %s", path, jerr.line,
			    jerr.column, jerr.text);
		else
			err("%s: %s", path, jerr.text);
		return NULL;
	}
	v = json_object_get(r, "schema_version");
	if (!json_is_object(r) ||
	    strcmp(json_string_value(json_object_get(r, "schema")) ?: "", "rmapbench-report")) {
		err("%s: not an rmapbench report (schema is not \"rmapbench-report\")", path);
		goto bad;
	}
	if (!json_is_integer(v) || json_integer_value(v) != 1) {
		err("%s: schema_version is not 1 (this rmapbench reads version 1)", path);
		goto bad;
	}
	if (!json_is_array(json_object_get(r, "workloads")) ||
	    !json_is_object(json_object_get(r, "kernel"))) {
		err("%s: no workloads array or kernel object", path);
		goto bad;
	}
	return r;
bad:
	json_decref(r);
	return NULL;
}

static void usage_merge(FILE *f)
{
	fprintf(f,
"usage: rmapbench merge -o OUT.json REPORT.json REPORT.json... [-v]\n"
"\n"
"Combines reports of one kernel and one configuration (runs on the host, or\n"
"boots of a guest) into one report holding every round: \"rounds\": N, each\n"
"repetition's \"round\", and \"round_info\" (when each round ran, the kernel\n"
"command line, the workload order). A report that already holds several rounds\n"
"counts as that many. Reports of a different kernel (release, version, config,\n"
"command line), label, accelerator, run configuration or workload parameters\n"
"are refused with exit 2, naming the file (a parameter only one report has,\n"
"added by a newer build, is the same when it is at its default, as in compare).\n"
"OUT is written atomically.\n"
"\n"
"  -o, --output FILE   the merged report ('-' = stdout)\n"
"  -v, --verbose       say what was merged\n"
"\n"
"examples:\n"
"  rmapbench merge -o all.json results/6.12.117-*/report.json\n"
"  rmapbench merge -o both.json monday.json tuesday.json\n");
}

int cmd_merge(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	const char *outpath = NULL;
	json_t **in = NULL, *out = NULL;
	int c, n = 0, ret = EXIT_USAGE;

	while ((c = getopt_long(argc, argv, "o:vh", opts, NULL)) != -1) {
		switch (c) {
		case 'o': outpath = optarg; break;
		case 'v': verbose++; break;
		case 'h': usage_merge(stdout); return EXIT_OK;
		default: usage_merge(stderr); return EXIT_USAGE;
		}
	}
	if (!outpath) {
		err("merge: -o OUT.json is required (see rmapbench merge --help)");
		return EXIT_USAGE;
	}
	if (optind >= argc) {
		err("merge: no reports given (see rmapbench merge --help)");
		return EXIT_USAGE;
	}
	in = calloc(argc - optind, sizeof(*in));
	if (!in) {
		err("merge: out of memory");
		return EXIT_USAGE;
	}
	for (; optind + n < argc; n++)
		if (!(in[n] = report_read(argv[optind + n])))
			goto out;
	out = merge_reports(in, (const char **)argv + optind, n);
	if (!out || json_write_atomic(out, outpath))
		goto out;
	info("merged %d report(s), %lld round(s), into %s", n,
	     (long long)json_integer_value(json_object_get(out, "rounds")), outpath);
	ret = EXIT_OK;
out:
	for (int k = 0; k < n; k++)
		json_decref(in[k]);
	free(in);
	json_decref(out);
	return ret;
}
