/* SPDX-License-Identifier: GPL-2.0 */
/* `rmapbench plot`: the graphs of one report (docs/compare.md). */
#ifndef RMAPBENCH_PLOT_CMD_H
#define RMAPBENCH_PLOT_CMD_H

/* plot REPORT.json [--out DIR]: single-run graphs and index.html; 0 or 2. */
int cmd_plot(int argc, char **argv);

#endif
