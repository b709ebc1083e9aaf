/* SPDX-License-Identifier: GPL-2.0 */
#ifndef RMAPBENCH_RUNNER_H
#define RMAPBENCH_RUNNER_H

#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>
#include <jansson.h>
#include "slabacct.h"

/* One tracked child: forked, held until tracking is on, then released. */
struct tracked_child {
	pid_t pid;
	int go_fd;		/* parent: write a byte to release the child */
	int result_fd;		/* parent: the child's result stream, or -1 */
};

typedef int (*child_fn)(void *arg, int result_fd);

/*
 * Forks a child in its own process group that dies with us, waits for the
 * parent to track it, then runs @fn. Returns 0 in the parent.
 */
int spawn_tracked(struct slabacct *sa, child_fn fn, void *arg, struct tracked_child *tc);
/* Kills the child's process group and every tracked task; reaps them. */
void kill_tracked(struct slabacct *sa, struct tracked_child *tc);

struct config;

/* What `run` was asked, kept to re-execute it for each round (bench/rounds.c). */
struct run_args {
	const char *config, *select, *reps, *interval, *label;
	const char *sets[64];
	int nsets;
	bool no_probes, no_collectors;
	const char *json_path;
	long rounds;		/* --rounds N: N runs, each in a fresh process */
	unsigned long seed;	/* --shuffle-seed */
	bool seeded;
};

#define RUN_MAX_ROUNDS	100

/* Runs a->rounds rounds of `rmapbench run` (re-executing @self), merged into one report. */
int run_rounds(const struct run_args *a, const struct config *cfg, const char *self);
/* Round @round's workload order: indices into cfg->wl, shuffled by @seed. Returns the count. */
int round_order(const struct config *cfg, unsigned long seed, long round, int *idx);
/* bench/merge.c: the rounds of @n compatible reports in one (NULL after an error naming the file) */
json_t *merge_reports(json_t **in, const char **paths, int n);
/* A report of schema rmapbench-report version 1, or NULL after an error naming @path. */
json_t *report_read(const char *path);
int cmd_merge(int argc, char **argv);
/* The summary table `run` prints without --json. */
void run_print_summary(json_t *report, FILE *f);

int cmd_run(int argc, char **argv);
int cmd_stat(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_workload_child(int argc, char **argv);

/* Report header shared by run and stat (kernel, machine, capabilities...). */
json_t *report_header(const char *schema);

#endif
