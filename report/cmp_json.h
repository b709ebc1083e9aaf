/* SPDX-License-Identifier: GPL-2.0 */
/*
 * comparison.json (cmp_json.c): the comparison model as JSON.
 */
#ifndef RMAPBENCH_CMP_JSON_H
#define RMAPBENCH_CMP_JSON_H

#include <jansson.h>

struct comparison;

json_t *comparison_json(const struct comparison *c);

#endif
