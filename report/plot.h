/* SPDX-License-Identifier: GPL-2.0 */
/*
 * gnuplot graphs (plot.c) of a single report or of a comparison.
 */
#ifndef RMAPBENCH_PLOT_H
#define RMAPBENCH_PLOT_H

#include <stdbool.h>
#include <stddef.h>

#include "report.h"

struct comparison;

#define GP_SECTION_CURVES	(-2)	/* cost curves of sweeps (cmp_curve.h) */

struct graph {
	char *stem;		/* file name without extension, in graphs/ */
	char *title;
	int section;		/* index of the workload, -1: comparison-wide, GP_SECTION_CURVES */
	bool png;
	bool svg;
};

struct gp_ctx {
	char *dir;		/* <out>/graphs */
	char *log;		/* <out>/graphs/gnuplot.log */
	bool available;
	char why[CMP_ERR_LEN];	/* why graphs are missing */
	const char *png_term;	/* "pngcairo" or "png" */
	bool svg;
	int verbose;
	struct graph *g;
	size_t ng;
	size_t failed;
};

struct plot_side {
	const char *label;
	const struct workload_data *w;
};

int gp_init(struct gp_ctx *gp, const char *outdir, int verbose);
void gp_free(struct gp_ctx *gp);
void gp_workload_graphs(struct gp_ctx *gp, int section, const char *stem,
			const struct plot_side *s, size_t n);
void gp_change_graphs(struct gp_ctx *gp, const struct comparison *c);
void gp_spread_graph(struct gp_ctx *gp, int section, const char *stem,
		     const struct plot_side *s);
/* Cost curves of the sweeps (cmp_curve.h), log-log, one line per report. */
void gp_curve_graphs_comparison(struct gp_ctx *gp, const struct comparison *c);
void gp_curve_graphs_report(struct gp_ctx *gp, const struct report *r);

#endif
