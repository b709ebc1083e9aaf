/* SPDX-License-Identifier: GPL-2.0 */
/*
 * index.html (cmp_html.c) of a comparison or of a single run.
 */
#ifndef RMAPBENCH_CMP_HTML_H
#define RMAPBENCH_CMP_HTML_H

#include <stddef.h>

#include "report.h"

struct comparison;
struct gp_ctx;

int write_compare_html(const struct comparison *c, const struct gp_ctx *gp,
		       char *err, size_t errlen);
int write_plot_html(const struct report *r, const struct gp_ctx *gp,
		    const char *outdir, char *err, size_t errlen);
void html_graphs(struct sbuf *h, const struct gp_ctx *gp, int section);

#endif
