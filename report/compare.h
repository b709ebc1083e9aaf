/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel comparison and report graphs (docs/compare.md). bench/main.c dispatches
 * to these; argv[0] is the subcommand name.
 */
#ifndef RMAPBENCH_COMPARE_H
#define RMAPBENCH_COMPARE_H

/*
 * compare BASE.json TEST.json [TEST2.json...] [--out DIR] [--config FILE]
 *         [--force] [--json] [-v] [-h]
 * Returns 0: no regression, 1: regression in a gated metric, 2: error.
 */
int cmd_compare(int argc, char **argv);

/* fingerprint [--json]: this machine's fingerprint (report/fingerprint.c); 0 or 2. */
int cmd_fingerprint(int argc, char **argv);

/* plot REPORT.json [--out DIR]: single-run graphs and index.html; 0 or 2. */
int cmd_plot(int argc, char **argv);

#endif
