/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel comparison (docs/compare.md). bench/main.c dispatches to it; argv[0]
 * is the subcommand name.
 */
#ifndef RMAPBENCH_COMPARE_H
#define RMAPBENCH_COMPARE_H

/*
 * compare BASE.json TEST.json [TEST2.json...] [--out DIR] [--config FILE]
 *         [--force] [--json] [-v] [-h]
 * Returns 0: no regression, 1: regression in a gated metric, 2: error.
 */
int cmd_compare(int argc, char **argv);

#endif
