/* SPDX-License-Identifier: GPL-2.0 */
/* The summary table `run` prints without --json (bench/summary.c). */
#ifndef RMAPBENCH_SUMMARY_H
#define RMAPBENCH_SUMMARY_H

#include <stdio.h>
#include <jansson.h>

/* Per workload: status and the median allocations of each tracked cache. */
void run_print_summary(json_t *report, FILE *f);

#endif
