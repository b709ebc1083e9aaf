/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Text outputs of a comparison (cmp_output.c): the terminal table and
 * summary.md.
 */
#ifndef RMAPBENCH_CMP_OUTPUT_H
#define RMAPBENCH_CMP_OUTPUT_H

#include <stdbool.h>
#include <stdio.h>

#include "cmp_model.h"

void print_table(const struct comparison *c, FILE *out);
int write_summary_md(const struct comparison *c, struct sbuf *md);
/* The Machines table: summary.md, or index.html when @html */
void machines_table(struct sbuf *b, const struct comparison *c, bool html);

#endif
