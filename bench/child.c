// SPDX-License-Identifier: GPL-2.0
/*
 * The child protocol (child.h): a tracked child forked, held until the slab
 * accounting tracks it, released, killed with all it forked; a repetition's
 * child re-executes rmapbench as `__workload` and streams its result back.
 * Used by `run` (bench/runner.c) and `stat` (bench/stat.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "child.h"
#include "probe_caps.h"
#include "util.h"
#include "wlctx.h"

/* Our own binary, resolved at start (under valgrind /proc/self/exe is valgrind) */
static char self_exe[4096] = "/proc/self/exe";

const char *child_self_exe(void)
{
	ssize_t n = readlink("/proc/self/exe", self_exe, sizeof(self_exe) - 1);

	if (n > 0)
		self_exe[n] = 0;
	return self_exe;
}

int spawn_tracked(struct slabacct *sa, child_fn fn, void *arg, struct tracked_child *tc)
{
	int go[2], res[2];
	pid_t parent = getpid();

	if (pipe2(go, O_CLOEXEC) || pipe2(res, O_CLOEXEC)) {
		err("pipe: %s", strerror(errno));
		return -1;
	}
	tc->pid = fork();
	if (tc->pid < 0) {
		err("fork: %s", strerror(errno));
		return -1;
	}
	if (tc->pid == 0) {
		char c;

		close(go[1]);
		close(res[0]);
		setpgid(0, 0);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(127);
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		if (read(go[0], &c, 1) != 1)
			_exit(127);
		close(go[0]);
		_exit(fn(arg, res[1]));
	}
	close(go[0]);
	close(res[1]);
	setpgid(tc->pid, tc->pid);
	if (sa && slabacct_track(sa, tc->pid))
		err("cannot track pid %d: %s", tc->pid, strerror(errno));
	tc->go_fd = go[1];
	tc->result_fd = res[0];
	return 0;
}

void kill_tracked(struct slabacct *sa, struct tracked_child *tc)
{
	pid_t pids[1024];
	int n = sa ? slabacct_tracked_pids(sa, pids, 1024) : 0;

	kill(-tc->pid, SIGKILL);
	for (int i = 0; i < n; i++)
		kill(pids[i], SIGKILL);
	/* we are the subreaper: collect the child and any orphans of its tree */
	while (waitpid(-1, NULL, 0) > 0 || errno == EINTR)
		;
}

int release_tracked(struct tracked_child *tc)
{
	int ret = write(tc->go_fd, "g", 1) == 1 ? 0 : -1, saved = errno;

	close(tc->go_fd);
	errno = saved;
	return ret;
}

struct rep_args {
	struct slabacct *sa;
	const struct wl_setting *ws;
	int rep;
	int caps_fd;		/* the runner's probe results (probe_caps_memfd) */
};

/*
 * The forked child re-executes rmapbench with address-space randomisation
 * off, so every repetition, run and build starts from the same fresh address
 * space: the VMA counts a workload sees (and the objects its forks duplicate)
 * do not depend on the runner's heap or on where ASLR happened to place things.
 */
static int workload_child(void *arg, int result_fd)
{
	struct rep_args *a = arg;
	int map_fd = a->sa ? slabacct_counters_fd(a->sa) : -1, caps_fd;
	int nr = workload_nr_params(a->ws->info);
	char *argv[10 + MAX_PARAMS], buf[8 + MAX_PARAMS][24];
	int n = 0;

	/* dup() drops O_CLOEXEC: these two survive the exec */
	result_fd = dup(result_fd);
	map_fd = map_fd >= 0 ? dup(map_fd) : -1;
	caps_fd = a->caps_fd >= 0 ? dup(a->caps_fd) : -1;
	argv[n++] = "rmapbench";
	argv[n++] = "__workload";
	argv[n++] = (char *)a->ws->info->name;
	snprintf(buf[0], sizeof(buf[0]), "%d", result_fd);
	snprintf(buf[1], sizeof(buf[1]), "%d", map_fd);
	snprintf(buf[2], sizeof(buf[2]), "%u", a->sa ? slabacct_present_mask(a->sa) : 0);
	snprintf(buf[3], sizeof(buf[3]), "%d", verbose);
	snprintf(buf[4], sizeof(buf[4]), "%d", a->rep);
	snprintf(buf[5], sizeof(buf[5]), "%d", caps_fd);
	for (int i = 0; i < 6; i++)
		argv[n++] = buf[i];
	for (int i = 0; i < nr; i++) {
		snprintf(buf[6 + i], sizeof(buf[0]), "%ld", a->ws->values[i]);
		argv[n++] = buf[6 + i];
	}
	argv[n] = NULL;
	personality(ADDR_NO_RANDOMIZE);
	execv(self_exe, argv);
	fprintf(stderr, "rmapbench: cannot re-execute %s: %s\n", self_exe, strerror(errno));
	return 126;
}

/* `rmapbench __workload NAME RESULT_FD MAP_FD PRESENT VERBOSE REP CAPS_FD VALUES...` */
int cmd_workload_child(int argc, char **argv)
{
	const struct workload_info *info;
	long values[MAX_PARAMS] = { 0 }, fd, map_fd, mask, v, rep, caps_fd;
	volatile struct sa_counters *counters = NULL;
	bool present[SA_NR_KINDS] = { false };
	json_t *res;
	int nr, ret;

	if (argc < 8 || !(info = workload_find(argv[1])))
		return EXIT_USAGE;
	nr = workload_nr_params(info);
	if (argc != 8 + nr || parse_long(argv[2], 0, INT32_MAX, &fd) ||
	    parse_long(argv[3], -1, INT32_MAX, &map_fd) || parse_long(argv[4], 0, 15, &mask) ||
	    parse_long(argv[5], 0, 9, &v) || parse_long(argv[6], 1, INT32_MAX, &rep) ||
	    parse_long(argv[7], -1, INT32_MAX, &caps_fd))
		return EXIT_USAGE;
	verbose = v;
	for (int i = 0; i < nr; i++)
		if (parse_long(argv[8 + i], info->params[i].min, info->params[i].max, &values[i]))
			return EXIT_USAGE;
	if (caps_fd >= 0)
		probe_caps_inherit(caps_fd);	/* read when first asked: the runner's probe */
	for (int k = 0; k < SA_NR_KINDS; k++)
		present[k] = mask & (1U << k);
	if (map_fd >= 0) {
		counters = slabacct_map_counters(map_fd);
		close(map_fd);
	}
	res = wlctx_run(info, values, rep, counters, present);
	ret = json_dumpfd(res, fd, JSON_COMPACT) ? 126 :
	      strcmp(json_string_value(json_object_get(res, "status")), "ok") ? 1 : 0;
	json_decref(res);
	return ret;
}

int spawn_workload(struct slabacct *sa, const struct wl_setting *ws, int rep,
		   struct tracked_child *tc)
{
	static int caps_fd = -1;
	struct rep_args args;

	if (caps_fd < 0)
		caps_fd = probe_caps_memfd();	/* once: the run's probe is complete by now */
	args = (struct rep_args){ sa, ws, rep, caps_fd };

	return spawn_tracked(sa, workload_child, &args, tc);
}
