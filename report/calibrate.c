// SPDX-License-Identifier: GPL-2.0
/*
 * rmapbench calibrate: the run-to-run drift of each timed metric on this
 * machine, from A/A runs (reports of one kernel, each with >= 2 rounds).
 *
 * Rounds of one run share that run's drift (the machine's state for the
 * minutes the run takes), so the spread of a run's rounds understates how
 * far two runs differ. With y_ij the log median of round j of run i, the
 * one-way random-effects estimate of the between-run variance is
 * var_i(mean_j y_ij) - mean_i(var_j y_ij) / k, floored at 0; compare adds
 * it to each side of its test (docs/compare.md, "Drift calibration").
 */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calibrate.h"
#include "report.h"
#include "noise.h"
#include "util.h"
#include "workload.h"

#define PROG "rmapbench calibrate"

struct cal {
	struct report *r;
	size_t nr;
	const char *out;
	int verbose;
	size_t calibrated, skipped;
};

static void usage(FILE *out)
{
	fprintf(out,
		"usage: rmapbench calibrate REPORT.json REPORT.json REPORT.json... [options]\n"
		"  -o, --out FILE     the noise file to write (default ./noise.json)\n"
		"  -v, --verbose      every timed metric, not only the headline ones\n"
		"  -h, --help         this text\n"
		"Measures each timed metric's run-to-run drift on this machine from at least\n"
		"%d A/A reports: the same kernel and config, each made with --rounds >= 2 (runs\n"
		"minutes apart, or boots, as the comparisons will be). 'compare --noise FILE'\n"
		"then adds that drift to its test, so a run that drifted is not a regression.\n"
		"examples:\n"
		"  for i in 1 2 3 4 5 6; do ./run.sh --rounds 3 --out cal/$i; done\n"
		"  rmapbench calibrate cal/*/*/report.json -o noise.json\n"
		"  rmapbench compare base.json test.json --noise noise.json\n"
		"exit status: 0 ok, 2 bad input (fewer than %d reports, unlike machines or kernels)\n",
		NOISE_MIN_RUNS, NOISE_MIN_RUNS);
}

static int parse_args(int argc, char **argv, struct cal *c, char ***files, int *nfiles)
{
	static const struct option opts[] = {
		{ "out", required_argument, NULL, 'o' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int opt;

	optind = 0;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "o:vh", opts, NULL)) != -1) {
		switch (opt) {
		case 'o': c->out = optarg; break;
		case 'v': c->verbose++; break;
		case 'h': usage(stdout); return 1;
		default:
			fprintf(stderr, PROG ": bad option %s (see rmapbench calibrate -h)\n",
				argv[optind - 1]);
			return -1;
		}
	}
	*files = argv + optind;
	*nfiles = argc - optind;
	if (*nfiles < NOISE_MIN_RUNS) {
		fprintf(stderr, PROG ": need at least %d A/A reports, got %d (see rmapbench calibrate -h)\n",
			NOISE_MIN_RUNS, *nfiles);
		return -1;
	}
	return 0;
}

/* The runs must be A/A: one machine, one kernel. */
static int check_alike(const struct cal *c, char *err, size_t errlen)
{
	const struct report *a = &c->r[0];
	struct machine_id ma = report_machine(a), mb;
	size_t i;

	for (i = 1; i < c->nr; i++) {
		const struct report *b = &c->r[i];

		mb = report_machine(b);
		if (machine_diff(&ma, &mb)) {
			snprintf(err, errlen, "%s: another machine than %s (virt, accel, cpu, cores or fingerprint differ)",
				 b->path, a->path);
			return -1;
		}
		if (strcmp(a->release, b->release)) {
			snprintf(err, errlen, "%s: kernel %s, but %s is %s: calibrate from runs of one kernel",
				 b->path, b->release, a->path, a->release);
			return -1;
		}
	}
	return 0;
}

static const struct workload_data *find_workload(const struct report *r,
						 const struct workload_data *like)
{
	size_t i;

	for (i = 0; i < r->nwl; i++)
		if (!strcmp(r->wl[i].name, like->name) && !strcmp(r->wl[i].status, "ok") &&
		    workload_params_equal(like->name, r->wl[i].params, like->params))
			return &r->wl[i];
	return NULL;
}

/* Log round medians of one run's metric; *k = 0 when unusable. */
static double *log_round_medians(const struct metric_samples *m, size_t *k)
{
	struct rstat_sample s = { .values = m->values, .round = m->round, .n = m->n };
	double *med = NULL;
	size_t i;

	*k = 0;
	if (!m->n || rstat_round_medians(&s, &med, k))
		return NULL;
	for (i = 0; i < *k; i++) {
		if (!(med[i] > 0)) {
			free(med);
			*k = 0;
			return NULL;
		}
		med[i] = log(med[i]);
	}
	return med;
}

static void print_row(const struct cal *c, const struct workload_data *w,
		      const char *metric, const char *what, double sd_run, double sd_within)
{
	if (!c->verbose && !headline_listed(w, metric))
		return;
	if (what)
		printf("  %-14s %-40s %s\n", w->name, metric, what);
	else
		printf("  %-14s %-40s %+9.1f%% %+9.1f%%\n", w->name, metric,
		       100 * expm1(sd_run), 100 * expm1(sd_within));
}

static int calibrate_metric(struct cal *c, const struct workload_data *w,
			    const struct metric_samples *m0, json_t *out)
{
	double **runs = calloc(c->nr, sizeof(*runs));
	size_t *k = calloc(c->nr, sizeof(*k)), i;
	double sd_run, sd_within, df;
	int ret = -1;

	if (!runs || !k)
		goto out;
	for (i = 0; i < c->nr; i++) {
		const struct workload_data *wi = find_workload(&c->r[i], w);
		const struct metric_samples *mi = wi ? workload_metric(wi, m0->name) : NULL;

		if (mi && mi->kind == MK_TIMED)
			runs[i] = log_round_medians(mi, &k[i]);
	}
	ret = 0;
	if (rstat_between_run_sd((const double *const *)runs, k, c->nr, &sd_run,
				 &sd_within, &df)) {
		c->skipped++;
		print_row(c, w, m0->name, "not calibrated: fewer than 3 runs with >= 2 rounds and values > 0",
			  0, 0);
		goto out;
	}
	c->calibrated++;
	print_row(c, w, m0->name, NULL, sd_run, sd_within);
	ret = json_array_append_new(out, json_pack("{s:s, s:s, s:s, s:f, s:f, s:f}",
						   "workload", w->name, "params", w->params_str,
						   "metric", m0->name, "sd_run", sd_run,
						   "sd_within", sd_within, "df", df));
out:
	for (i = 0; runs && i < c->nr; i++)
		free(runs[i]);
	free(runs);
	free(k);
	return ret;
}

static json_t *calibrate_all(struct cal *c)
{
	const struct report *a = &c->r[0];
	json_t *metrics = json_array(), *paths = json_array(), *root;
	char created[32];
	size_t i, j;

	if (!metrics || !paths)
		goto fail;
	printf("run-to-run drift (SD of a run's level beyond its rounds') and round spread, log scale as %%:\n"
	       "  %-14s %-40s %10s %10s\n", "workload", "metric", "run", "round");
	for (i = 0; i < a->nwl; i++) {
		const struct workload_data *w = &a->wl[i];

		if (strcmp(w->status, "ok"))
			continue;
		for (j = 0; j < w->nmetrics; j++)
			if (w->metrics[j].kind == MK_TIMED &&
			    calibrate_metric(c, w, &w->metrics[j], metrics))
				goto fail;
	}
	for (i = 0; i < c->nr; i++)
		json_array_append_new(paths, json_string(c->r[i].path));
	utc_stamp(created, sizeof(created), false);
	root = json_pack("{s:s, s:i, s:s, s:s, s:{s:s, s:s, s:o, s:I, s:s}, s:I, s:o, s:o}",
			 "schema", NOISE_SCHEMA, "schema_version", NOISE_SCHEMA_VERSION,
			 "created", created, "release", a->release,
			 "machine", "cpu_model", a->cpu_model, "virt", a->virt,
			 "accel", a->accel ? json_string(a->accel) : json_null(),
			 "cores", (json_int_t)a->cores, "fingerprint", a->fp,
			 "runs", (json_int_t)c->nr, "reports", paths, "metrics", metrics);
	return root;
fail:
	json_decref(metrics);
	json_decref(paths);
	return NULL;
}

int cmd_calibrate(int argc, char **argv)
{
	struct cal c = { .out = "noise.json" };
	char err[CMP_ERR_LEN], **files, *text = NULL;
	json_t *root = NULL;
	int nfiles, i, ret = EXIT_USAGE;

	i = parse_args(argc, argv, &c, &files, &nfiles);
	if (i)
		return i > 0 ? EXIT_OK : EXIT_USAGE;
	c.r = calloc(nfiles, sizeof(*c.r));
	if (!c.r) {
		fprintf(stderr, PROG ": out of memory\n");
		return EXIT_RUN;
	}
	for (i = 0; i < nfiles; i++, c.nr++) {
		if (report_load(&c.r[i], files[i], err, sizeof(err))) {
			fprintf(stderr, PROG ": %s\n", err);
			c.nr++;
			goto out;
		}
	}
	if (check_alike(&c, err, sizeof(err))) {
		fprintf(stderr, PROG ": %s\n", err);
		goto out;
	}
	root = calibrate_all(&c);
	text = root ? json_dumps(root, JSON_INDENT(2) | JSON_REAL_PRECISION(6)) : NULL;
	if (!text) {
		fprintf(stderr, PROG ": out of memory\n");
		ret = EXIT_RUN;
		goto out;
	}
	if (!c.calibrated) {
		fprintf(stderr, PROG ": no timed metric had >= 2 rounds in %d runs: run with --rounds >= 2\n",
			NOISE_MIN_RUNS);
		goto out;
	}
	if (file_write_atomic(c.out, text, strlen(text), err, sizeof(err))) {
		fprintf(stderr, PROG ": %s\n", err);
		goto out;
	}
	printf("%zu timed metrics calibrated (%zu not) from %zu runs: %s\n", c.calibrated,
	       c.skipped, c.nr, c.out);
	ret = EXIT_OK;
out:
	for (i = 0; i < (int)c.nr; i++)
		report_free(&c.r[i]);
	free(c.r);
	free(text);
	json_decref(root);
	return ret;
}
