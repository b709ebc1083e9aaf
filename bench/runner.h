/* SPDX-License-Identifier: GPL-2.0 */
/* `rmapbench run` (bench/runner.c). */
#ifndef RMAPBENCH_RUNNER_H
#define RMAPBENCH_RUNNER_H

#include <stdio.h>
#include <jansson.h>

int cmd_run(int argc, char **argv);
/* The summary table `run` prints without --json. */
void run_print_summary(json_t *report, FILE *f);

#endif
