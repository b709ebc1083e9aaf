/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The header of the JSON that `run` and `stat` write (bench/run_json.c):
 * schema, tool, time, kernel and machine (docs/report-schema.md).
 */
#ifndef RMAPBENCH_RUN_JSON_H
#define RMAPBENCH_RUN_JSON_H

#include <jansson.h>

/* {schema, schema_version, tool, created, kernel, machine} */
json_t *run_json_header(const char *schema);

#endif
