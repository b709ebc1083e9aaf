/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The child protocol of `run` and `stat` (bench/child.c): a child forked
 * in its own process group, held until the slab accounting tracks it, then
 * released; killed with everything it forked. A repetition's child
 * re-executes rmapbench (`__workload`) and writes its result to a pipe.
 */
#ifndef RMAPBENCH_CHILD_H
#define RMAPBENCH_CHILD_H

#include <sys/types.h>

#include "slabacct.h"
#include "config.h"

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
/* Lets the child run @fn. 0, or -1 (errno set) when it cannot be told. */
int release_tracked(struct tracked_child *tc);
/* Kills the child's process group and every tracked task; reaps them. */
void kill_tracked(struct slabacct *sa, struct tracked_child *tc);

/*
 * Repetition @rep (1-based) of @ws: a tracked child that re-executes this binary as
 * `rmapbench __workload` with address-space randomisation off; its result
 * (JSON) arrives on tc->result_fd.
 */
int spawn_workload(struct slabacct *sa, const struct wl_setting *ws, int rep,
		   struct tracked_child *tc);
/* `rmapbench __workload NAME RESULT_FD MAP_FD PRESENT VERBOSE REP VALUES...`: its side. */
int cmd_workload_child(int argc, char **argv);
/* Path of this binary (resolved once; under valgrind /proc/self/exe is valgrind). */
const char *child_self_exe(void);

#endif
