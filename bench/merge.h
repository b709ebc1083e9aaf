/* SPDX-License-Identifier: GPL-2.0 */
/* `rmapbench merge` and the report reader it is built on (bench/merge.c). */
#ifndef RMAPBENCH_MERGE_H
#define RMAPBENCH_MERGE_H

#include <jansson.h>

/* The rounds of @n compatible reports in one (NULL after an error naming the file) */
json_t *merge_reports(json_t **in, const char **paths, int n);
/* A report of schema rmapbench-report version 1, or NULL after an error naming @path. */
json_t *report_read(const char *path);
int cmd_merge(int argc, char **argv);

#endif
