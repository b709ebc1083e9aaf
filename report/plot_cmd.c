// SPDX-License-Identifier: GPL-2.0
/*
 * rmapbench plot REPORT.json [--out DIR]: the graphs of a single run
 * (live objects over time, objects per cache, latency distributions, the
 * spread of each timed metric's repetitions) and an index.html.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>

#include "cmp_curve.h"
#include "cmp_html.h"
#include "plot.h"
#include "plot_cmd.h"

#define PROG "rmapbench plot"

static void plot_usage(FILE *out)
{
	fprintf(out,
		"usage: rmapbench plot REPORT.json [options]\n"
		"  -o, --out DIR   output directory (default ./plot-<UTC timestamp>)\n"
		"  -v, --verbose   list the files written\n"
		"  -h, --help      this text\n"
		"Draws one report's graphs (slab counts, latencies, cost curves of a\n"
		"sweep) with gnuplot, and index.html with its tables.\n"
		"examples:\n"
		"  rmapbench plot results/*/report.json --out plot\n"
		"  rmapbench run --sweep fork-chain.depth=1..32x2 --json depth.json && \\\n"
		"    rmapbench plot depth.json --out depth\n"
		"exit status: 0 graphs written, 2 error\n");
}

static int plot_args(int argc, char **argv, const char **out, const char **file,
		     int *verbose)
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
		case 'o': *out = optarg; break;
		case 'v': (*verbose)++; break;
		case 'h': plot_usage(stdout); return 1;
		default:
			fprintf(stderr, PROG ": bad option %s (see rmapbench plot -h)\n",
				argv[optind - 1]);
			return -1;
		}
	}
	if (argc - optind != 1) {
		fprintf(stderr, PROG ": need exactly one report (see rmapbench plot -h)\n");
		return -1;
	}
	*file = argv[optind];
	return 0;
}

static void plot_workloads(struct gp_ctx *gp, const struct report *r)
{
	size_t i;

	for (i = 0; i < r->nwl; i++) {
		struct plot_side side = { r->label, &r->wl[i] };
		char *stem, *safe = file_safe(r->wl[i].name);

		if (r->wl[i].nreps_ok && safe &&
		    asprintf(&stem, "w%02zu-%s", i, safe) >= 0) {
			gp_workload_graphs(gp, (int)i, stem, &side, 1);
			gp_spread_graph(gp, (int)i, stem, &side);
			free(stem);
		}
		free(safe);
	}
	gp_curve_graphs_report(gp, r);
}

static int run_plot(const char *file, const char *outdir, int verbose, char *err,
		    size_t errlen)
{
	struct report r;
	struct gp_ctx gp = { 0 };
	int ret = -1;

	if (report_load(&r, file, err, errlen))
		goto out;
	if (mkdir_p(outdir, err, errlen))
		goto out;
	if (!gp_init(&gp, outdir, verbose))
		plot_workloads(&gp, &r);
	if (write_plot_html(&r, &gp, outdir, err, errlen))
		goto out;
	if (!gp.available) {
		snprintf(err, errlen, "no graphs: %s (tables written to %s/index.html)",
			 gp.why, outdir);
		goto out;
	}
	if (gp.failed) {
		snprintf(err, errlen, "%zu graph(s) failed, see %s", gp.failed, gp.log);
		goto out;
	}
	printf("%zu graph(s): %s/index.html\n", gp.ng, outdir);
	ret = 0;
out:
	gp_free(&gp);
	report_free(&r);
	return ret;
}

int cmd_plot(int argc, char **argv)
{
	const char *out = NULL, *file = NULL;
	char err[2 * CMP_ERR_LEN] = "", stamp[32], *dir = NULL;
	int verbose = 0, ret;

	gsl_set_error_handler_off();
	ret = plot_args(argc, argv, &out, &file, &verbose);
	if (ret)
		return ret > 0 ? 0 : 2;
	utc_stamp(stamp, sizeof(stamp), true);
	if (!out && asprintf(&dir, "plot-%s", stamp) < 0) {
		fprintf(stderr, PROG ": out of memory\n");
		return 2;
	}
	ret = run_plot(file, out ? out : dir, verbose, err, sizeof(err)) ? 2 : 0;
	if (ret)
		fprintf(stderr, PROG ": %s\n", err);
	free(dir);
	return ret;
}
