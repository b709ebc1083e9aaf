/* SPDX-License-Identifier: GPL-2.0 */
#ifndef RMAPBENCH_RUNNER_H
#define RMAPBENCH_RUNNER_H

#include <sys/types.h>
#include <jansson.h>
#include "accounting.h"

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

int cmd_run(int argc, char **argv);
int cmd_stat(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_workload_child(int argc, char **argv);

/* Report header shared by run and stat (kernel, machine, capabilities...). */
json_t *report_header(const char *schema);

#endif
