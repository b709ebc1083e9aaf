/* SPDX-License-Identifier: GPL-2.0 */
/* `rmapbench run --rounds N` (bench/rounds.c). */
#ifndef RMAPBENCH_ROUNDS_H
#define RMAPBENCH_ROUNDS_H

#include "run_args.h"

/* Runs a->rounds rounds of `rmapbench run` (re-executing @self), merged into one report. */
int run_rounds(const struct run_args *a, const struct config *cfg, const char *self);
/* Round @round's workload order: indices into cfg->wl, shuffled by @seed. Returns the count. */
int round_order(const struct config *cfg, unsigned long seed, long round, int *idx);

#endif
