// SPDX-License-Identifier: GPL-2.0
/*
 * rmapbench compare: a base report against one or more test reports.
 *
 * The command: options, loading the reports (and --config, --noise),
 * grouping them by machine; then the model (cmp_model.c) judges each test
 * and the writers make comparison.json (cmp_json.c), summary.md and the
 * table (cmp_output.c), the graphs (plot.c) and index.html
 * (cmp_html.c). See docs/compare.md.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>

#include "cmp_curve.h"
#include "cmp_html.h"
#include "cmp_json.h"
#include "cmp_model.h"
#include "cmp_output.h"
#include "plot.h"
#include "compare.h"
#include "noise.h"

#define PROG "rmapbench compare"
#define CMP_MAX_NOISE	16	/* --noise files: one per machine */

static void usage(FILE *out)
{
	fprintf(out,
		"usage: rmapbench compare BASE.json TEST.json [TEST2.json...] [options]\n"
		"  -o, --out DIR      output directory (default ./comparison-<UTC timestamp>)\n"
		"  -c, --config FILE  [compare] settings: alpha, threshold_pct, threshold.<glob>, gate\n"
		"  -f, --force        judge timed metrics even between unlike environments\n"
		"  -n, --noise FILE   add the run-to-run drift measured by 'rmapbench calibrate'\n"
		"                     on this machine (recommended for host runs); once per\n"
		"                     machine when the reports come from several\n"
		"      --json         print comparison.json on stdout instead of the table\n"
		"      --no-graphs    skip gnuplot (tables, summary.md and index.html only)\n"
		"  -v, --verbose      more detail (spread, p-values, intervals, files written)\n"
		"  -h, --help         this text\n"
		"Timed metrics are judged from rounds (runs of the suite, \"round\" in each rep):\n"
		"at least 2 per side, else they are shown but not judged; only each workload's\n"
		"headline metrics gate (Holm-corrected). Reports of several machines are grouped\n"
		"by machine.fingerprint: exact metrics are compared against the base on all,\n"
		"timed ones against the first report of the test's own machine (with --force,\n"
		"the first report of a machine against the base). docs/compare.md explains it.\n"
		"examples:\n"
		"  rmapbench run --rounds 3 --json base.json   (then on the test kernel: test.json)\n"
		"  rmapbench compare base.json test.json --out cmp\n"
		"  rmapbench compare base.json test.json -c ci.conf --json > comparison.json\n"
		"  rmapbench compare base.json test.json --noise noise.json\n"
		"  rmapbench compare a-base.json a-test.json b-base.json b-test.json   (machines A, B)\n"
		"exit status: 0 no regression, 1 regression in a gated metric, 2 error\n");
}

struct compare_args {
	const char *out;
	const char *config;
	const char *noise[CMP_MAX_NOISE];
	int nnoise;
	bool json;
	bool no_graphs;
	char **files;
	int nfiles;
};

static int parse_args(int argc, char **argv, struct comparison *c,
		      struct compare_args *a)
{
	static const struct option opts[] = {
		{ "out", required_argument, NULL, 'o' },
		{ "config", required_argument, NULL, 'c' },
		{ "force", no_argument, NULL, 'f' },
		{ "noise", required_argument, NULL, 'n' },
		{ "json", no_argument, NULL, 'j' },
		{ "no-graphs", no_argument, NULL, 'G' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int opt;

	optind = 0;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "o:c:fn:vh", opts, NULL)) != -1) {
		switch (opt) {
		case 'o': a->out = optarg; break;
		case 'c': a->config = optarg; break;
		case 'f': c->force = true; break;
		case 'n':
			if (a->nnoise == CMP_MAX_NOISE) {
				fprintf(stderr, PROG ": at most %d --noise files\n", CMP_MAX_NOISE);
				return -1;
			}
			a->noise[a->nnoise++] = optarg;
			break;
		case 'j': a->json = true; break;
		case 'G': a->no_graphs = true; break;
		case 'v': c->verbose++; break;
		case 'h': usage(stdout); return 1;
		default:
			fprintf(stderr, PROG ": bad option %s (see rmapbench compare -h)\n",
				argv[optind - 1]);
			return -1;
		}
	}
	a->files = argv + optind;
	a->nfiles = argc - optind;
	if (a->nfiles < 2) {
		fprintf(stderr, PROG ": need a base report and at least one test report (see rmapbench compare -h)\n");
		return -1;
	}
	return 0;
}

/* Two inputs of the same release get "[n]" suffixes, n = input position. */
static void unique_labels(struct comparison *c)
{
	size_t n = c->ntests + 1, i, j;
	struct report **all = calloc(n, sizeof(*all));
	bool *dup = calloc(n, sizeof(*dup));

	if (!all || !dup)
		goto out;
	all[0] = c->base;
	for (i = 0; i < c->ntests; i++)
		all[i + 1] = c->tests[i].test;
	for (i = 0; i < n; i++)
		for (j = 0; j < n; j++)
			if (i != j && !strcmp(all[i]->label, all[j]->label))
				dup[i] = true;
	for (i = 0; i < n; i++) {
		char *l;

		if (dup[i] && asprintf(&l, "%s [%zu]", all[i]->label, i + 1) >= 0) {
			free(all[i]->label);
			all[i]->label = l;
		}
	}
out:
	free(all);
	free(dup);
}

/* Input @i of @c: 0 the base, then the tests. */
static const struct report *input(const struct comparison *c, size_t i)
{
	return i ? c->tests[i - 1].test : c->base;
}

/*
 * A drift calibration applies to the inputs of its machine: each file must
 * match the machine of some input, and no two files the same machine. The
 * inputs of a machine without one are judged without drift (their rows say so).
 */
static int load_noise(struct comparison *c, const struct compare_args *a,
		      char *err, size_t errlen)
{
	size_t i, k;

	if (!a->nnoise)
		return 0;
	c->noise = calloc(a->nnoise, sizeof(*c->noise));
	if (!c->noise) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (k = 0; k < (size_t)a->nnoise; k++) {
		c->nnoise++;
		if (noise_load(&c->noise[k], a->noise[k], err, errlen))
			return -1;
		for (i = 0; i <= c->ntests && noise_machine_differs(&c->noise[k], input(c, i)); i++)
			;
		if (i > c->ntests) {
			snprintf(err, errlen, "%s: calibrated on another machine than every input (%s: %s)",
				 a->noise[k], c->base->path, noise_machine_differs(&c->noise[k], c->base));
			return -1;
		}
	}
	/* two files of one machine: which would apply is a guess */
	for (i = 0; i <= c->ntests; i++) {
		const char *one = NULL;

		for (k = 0; k < c->nnoise; k++) {
			if (noise_machine_differs(&c->noise[k], input(c, i)))
				continue;
			if (one) {
				snprintf(err, errlen, "%s and %s: both calibrated on the machine of %s",
					 one, a->noise[k], input(c, i)->path);
				return -1;
			}
			one = a->noise[k];
		}
	}
	return 0;
}

static int group_add(struct comparison *c, struct report *r)
{
	struct machine_group *g;
	struct report **m;
	size_t i;

	for (i = 0; i < c->ngroups && strcmp(c->groups[i].fp, r->fp); i++)
		;
	if (i == c->ngroups) {
		g = realloc(c->groups, (c->ngroups + 1) * sizeof(*g));
		if (!g)
			return -1;
		c->groups = g;
		memset(&g[i], 0, sizeof(*g));
		g[i].fp = r->fp;
		c->ngroups++;
	}
	g = &c->groups[i];
	m = realloc(g->r, (g->n + 1) * sizeof(*m));
	if (!m)
		return -1;
	g->r = m;
	g->r[g->n++] = r;
	r->group = i;
	return 0;
}

/* Inputs by machine fingerprint, in input order: the base's group first. */
static int group_machines(struct comparison *c)
{
	size_t i;

	if (group_add(c, c->base))
		return -1;
	for (i = 0; i < c->ntests; i++)
		if (group_add(c, c->tests[i].test))
			return -1;
	return 0;
}

static int load_inputs(struct comparison *c, const struct compare_args *a,
		       char *err, size_t errlen)
{
	int i;

	cmp_config_init(&c->cfg);
	if (a->config && cmp_config_load(&c->cfg, a->config, err, errlen))
		return -1;
	c->base = calloc(1, sizeof(*c->base));
	c->tests = calloc(a->nfiles, sizeof(*c->tests));
	if (!c->base || !c->tests) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (report_load(c->base, a->files[0], err, errlen))
		return -1;
	for (i = 1; i < a->nfiles; i++) {
		struct test_cmp *t = &c->tests[c->ntests++];

		t->test = calloc(1, sizeof(*t->test));
		if (!t->test || report_load(t->test, a->files[i], err, errlen))
			return -1;
	}
	unique_labels(c);
	if (group_machines(c)) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return load_noise(c, a, err, errlen);
}

static int write_json_file(const struct comparison *c, json_t *root, char *err,
			   size_t errlen)
{
	char *path = path_join(c->outdir, "comparison.json");
	struct sbuf b = { 0 };
	char *text;
	int ret = -1;

	text = json_dumps(root, JSON_INDENT(2) | JSON_REAL_PRECISION(10));
	if (text && path) {
		sbuf_puts(&b, text);
		sbuf_puts(&b, "\n");
		ret = sbuf_write(&b, path, err, errlen);
	} else {
		snprintf(err, errlen, "out of memory");
	}
	sbuf_free(&b);
	free(text);
	free(path);
	return ret;
}

static int write_summary_file(const struct comparison *c, char *err, size_t errlen)
{
	struct sbuf md = { 0 };
	char *path = path_join(c->outdir, "summary.md");
	int ret = -1;

	write_summary_md(c, &md);
	curves_hook_md(c, &md);
	if (path)
		ret = sbuf_write(&md, path, err, errlen);
	free(path);
	sbuf_free(&md);
	return ret;
}

/* Graphs of every base workload matched by at least one test report. */
static void make_graphs(const struct comparison *c, struct gp_ctx *gp)
{
	struct plot_side *sides = calloc(c->ntests + 1, sizeof(*sides));
	size_t i, j, k, n;

	if (!sides)
		return;
	for (i = 0; i < c->base->nwl; i++) {
		const struct workload_data *bw = &c->base->wl[i];
		char *stem, *safe = file_safe(bw->name);

		sides[0].label = c->base->label;
		sides[0].w = bw;
		for (n = 1, j = 0; j < c->ntests; j++) {
			const struct test_cmp *t = &c->tests[j];

			for (k = 0; k < t->nw; k++) {
				if (t->w[k].base == bw) {
					sides[n].label = t->test->label;
					sides[n++].w = t->w[k].test;
				}
			}
		}
		if (n > 1 && safe && asprintf(&stem, "w%02zu-%s", i, safe) >= 0) {
			gp_workload_graphs(gp, (int)i, stem, sides, n);
			free(stem);
		}
		free(safe);
	}
	gp_change_graphs(gp, c);
	gp_curve_graphs_comparison(gp, c);
	free(sides);
}

static int write_outputs(struct comparison *c, const struct compare_args *a,
			 char *err, size_t errlen)
{
	struct gp_ctx gp;
	json_t *root;
	int ret = -1;

	if (mkdir_p(c->outdir, err, errlen))
		return -1;
	root = comparison_json(c);
	if (!root) {
		snprintf(err, errlen, "cannot build comparison.json (out of memory)");
		return -1;
	}
	if (write_json_file(c, root, err, errlen) || write_summary_file(c, err, errlen))
		goto out;
	if (a->no_graphs) {
		memset(&gp, 0, sizeof(gp));
		snprintf(gp.why, sizeof(gp.why), "disabled by --no-graphs");
	} else if (!gp_init(&gp, c->outdir, c->verbose)) {
		make_graphs(c, &gp);
	} else {
		fprintf(stderr, PROG ": no graphs: %s\n", gp.why);
	}
	ret = write_compare_html(c, &gp, err, errlen);
	if (gp.failed)
		fprintf(stderr, PROG ": %zu graph(s) failed, see %s\n", gp.failed, gp.log);
	gp_free(&gp);
	if (ret)
		goto out;
	if (a->json) {
		json_dumpf(root, stdout, JSON_INDENT(2) | JSON_REAL_PRECISION(10));
		fputc('\n', stdout);
	} else {
		print_table(c, stdout);
		curves_hook_print(c, stdout);
	}
out:
	json_decref(root);
	return ret;
}

static int run_compare(struct comparison *c, const struct compare_args *a,
		       char *err, size_t errlen)
{
	size_t i;

	if (load_inputs(c, a, err, errlen))
		return -1;
	for (i = 0; i < c->ntests; i++)
		if (compare_test(c, &c->tests[i], err, errlen))
			return -1;
	utc_stamp(c->created, sizeof(c->created), false);
	if (a->out) {
		c->outdir = strdup(a->out);
	} else {
		char stamp[32];

		utc_stamp(stamp, sizeof(stamp), true);
		if (asprintf(&c->outdir, "comparison-%s", stamp) < 0)
			c->outdir = NULL;
	}
	if (!c->outdir) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return write_outputs(c, a, err, errlen);
}

int cmd_compare(int argc, char **argv)
{
	struct compare_args a = { 0 };
	struct comparison c = { 0 };
	char err[CMP_ERR_LEN] = "";
	int ret;

	gsl_set_error_handler_off();
	ret = parse_args(argc, argv, &c, &a);
	if (ret)
		return ret > 0 ? 0 : 2;
	if (run_compare(&c, &a, err, sizeof(err))) {
		fprintf(stderr, PROG ": %s\n", err);
		ret = 2;
	} else {
		ret = any_gated_regression(&c) ? 1 : 0;
	}
	fflush(stdout);
	comparison_free(&c);
	return ret;
}
