/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The command line of `rmapbench run` (bench/run_args.c): parsed into a
 * status, never exit(), so that callers (cmd_run, the fuzzer in tests/fuzz)
 * decide what happens next.
 */
#ifndef RMAPBENCH_RUN_ARGS_H
#define RMAPBENCH_RUN_ARGS_H

#include <stdbool.h>

#include "config.h"
#include "sweep.h"

#define RUN_MAX_ROUNDS	100

/* What `run` was asked, kept to re-execute it for each round (bench/rounds.c). */
struct run_args {
	const char *config, *select, *reps, *interval, *label;
	const char *sweep;	/* --sweep W.P=VALUES (sweep.h) */
	const char *sets[64];
	int nsets;
	bool no_probes, no_collectors;
	const char *json_path;
	long rounds;		/* --rounds N: N runs, each in a fresh process */
	unsigned long seed;	/* --shuffle-seed */
	bool seeded;
};

/* A `run` command line and the configuration it makes. */
struct run_request {
	struct run_args args;
	struct config cfg;
	struct sweep sweep;		/* --sweep: its points are in cfg (sweep.n > 0) */
	bool check;			/* --check: validate only */
	int order[MAX_WORKLOADS], norder;	/* run order: indices into cfg.wl */
	long round_k, round_n;		/* this process runs round k of n (run --rounds) */
	double round_prev_s;		/* seconds the earlier rounds took */
	/* options kept as text by run_args_parse() for run_args_apply() */
	const char *rounds, *seed, *order_list, *round_of;
};

enum run_args_status {
	RUN_ARGS_OK,
	RUN_ARGS_HELP,		/* --help: usage printed on stdout */
	RUN_ARGS_BAD,		/* refused: an error (or the usage) printed on stderr */
};

/*
 * The options alone (getopt_long; @rq zeroed by the caller), nothing read.
 * Returns an enum run_args_status.
 */
int run_args_parse(struct run_request *rq, int argc, char **argv);
/*
 * The configuration: the config file (--config), then the overrides in
 * order, then the checks. 0, or -1 after an error naming what was refused.
 */
int run_args_apply(struct run_request *rq);
/* Both, as `rmapbench run` does. Returns an enum run_args_status. */
int run_args_read(struct run_request *rq, int argc, char **argv);

#endif
