// SPDX-License-Identifier: GPL-2.0
/*
 * `rmapbench run --rounds N`: the suite N times, each round in a fresh
 * process (this binary re-executed with `run --rounds 1`), the workload order
 * shuffled per round, the round reports merged into one (bench/merge.c).
 *
 * Repetitions inside one process share its drift (caches, allocator state,
 * the machine's load at that moment); rounds are the independent samples
 * compare judges timed metrics by.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "config.h"
#include "merge.h"
#include "rounds.h"
#include "summary.h"
#include "util.h"

static volatile sig_atomic_t stop_sig;

static void on_stop(int sig)
{
	stop_sig = sig;
}

int round_order(const struct config *cfg, unsigned long seed, long round, int *idx)
{
	gsl_rng *rng;
	int n = 0;

	for (int i = 0; i < cfg->nr; i++)
		if (cfg->wl[i].selected)
			idx[n++] = i;
	if (round <= 0 || n < 2)
		return n;
	/* one stream per (seed, round): a round's order does not depend on the others */
	rng = gsl_rng_alloc(gsl_rng_mt19937);
	if (!rng)
		return n;
	gsl_rng_set(rng, seed * 1000003ul + (unsigned long)round);
	gsl_ran_shuffle(rng, idx, n, sizeof(*idx));
	gsl_rng_free(rng);
	return n;
}

/* argv of round @k: the options the user gave, one round, its order and report. */
static char **round_argv(const struct run_args *a, const struct config *cfg, long k,
			 const char *json, char *order, size_t olen, char *round_of)
{
	char **v = calloc(32 + 2 * a->nsets + verbose, sizeof(*v));
	int idx[MAX_WORKLOADS], n, c = 0;

	if (!v)
		return NULL;
	n = round_order(cfg, a->seed, k, idx);
	order[0] = 0;
	for (int i = 0; i < n; i++)
		snprintf(order + strlen(order), olen - strlen(order), "%s%s", i ? "," : "",
			 cfg->wl[idx[i]].name);
#define ARG2(opt, val) do { if (val) { v[c++] = opt; v[c++] = (char *)(val); } } while (0)
	v[c++] = "rmapbench";
	v[c++] = "run";
	ARG2("--config", a->config);
	ARG2("--workload", a->select);
	for (int i = 0; i < a->nsets; i++)
		ARG2("--set", a->sets[i]);
	ARG2("--sweep", a->sweep);
	ARG2("--reps", a->reps);
	ARG2("--interval", a->interval);
	ARG2("--label", a->label);
	for (int i = 0; i < verbose; i++)
		v[c++] = "-v";
	if (a->no_probes)
		v[c++] = "--no-probes";
	if (a->no_collectors)
		v[c++] = "--no-collectors";
	ARG2("--json", json);
	ARG2("--order", order);
	ARG2("--round-of", round_of);
#undef ARG2
	return v;
}

/* Runs round @k into @json; returns its exit code (128+N for a signal). */
static int run_one(const char *self, char **argv)
{
	int status;
	pid_t pid = fork();

	if (pid < 0) {
		err("fork: %s", strerror(errno));
		return EXIT_RUN;
	}
	if (pid == 0) {
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		/* a round outliving us would run for nobody: it stops (and cleans up) */
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		execv(self, argv);
		fprintf(stderr, "rmapbench: cannot re-execute %s: %s\n", self, strerror(errno));
		_exit(EXIT_RUN);
	}
	for (bool sent = false;;) {
		if (waitpid(pid, &status, 0) == pid)
			break;
		if (errno != EINTR) {
			err("waitpid: %s", strerror(errno));
			return EXIT_RUN;
		}
		/* a signal to us alone (not the terminal's group): pass it on */
		if (stop_sig && !sent) {
			kill(pid, stop_sig);
			sent = true;
		}
	}
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

static void install_stop(void)
{
	struct sigaction sa = { .sa_handler = on_stop };	/* no SA_RESTART: waitpid sees EINTR */

	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

static void remove_dir(const char *dir, long rounds)
{
	char path[4096 + 32];

	for (long k = 1; k <= rounds; k++) {
		snprintf(path, sizeof(path), "%s/round-%ld.json", dir, k);
		unlink(path);
	}
	rmdir(dir);
}

int run_rounds(const struct run_args *a, const struct config *cfg, const char *self)
{
	char dir[4096], json[4096 + 32], order[1024], round_of[64];
	json_t *in[RUN_MAX_ROUNDS] = { NULL }, *merged = NULL;
	char *paths[RUN_MAX_ROUNDS] = { NULL };
	uint64_t t0 = now_ns();
	int ret = EXIT_OK, n = 0;
	bool failed = false;

	snprintf(dir, sizeof(dir), "%s/rmapbench-rounds.XXXXXX",
		 getenv("TMPDIR") && *getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(dir)) {
		err("%s: cannot create a temporary directory: %s", dir, strerror(errno));
		return EXIT_RUN;
	}
	install_stop();
	info("%ld rounds, shuffle seed %lu", a->rounds, a->seed);
	for (long k = 1; k <= a->rounds && !stop_sig; k++) {
		char **argv;
		int rc;

		snprintf(json, sizeof(json), "%s/round-%ld.json", dir, k);
		snprintf(round_of, sizeof(round_of), "%ld,%ld,%llu", k, a->rounds,
			 (unsigned long long)((now_ns() - t0) / 1000000));
		argv = round_argv(a, cfg, k, json, order, sizeof(order), round_of);
		if (!argv) {
			err("out of memory");
			ret = EXIT_RUN;
			break;
		}
		info("round %ld/%ld: %s", k, a->rounds, order);
		rc = run_one(self, argv);
		free(argv);
		if (stop_sig || rc >= 128) {
			ret = stop_sig ? 128 + stop_sig : rc;
			break;
		}
		if (rc != EXIT_OK && rc != EXIT_RUN) {
			err("round %ld exited %d", k, rc);
			ret = rc == EXIT_USAGE ? EXIT_USAGE : EXIT_RUN;
			break;
		}
		failed |= rc == EXIT_RUN;
		if (access(json, F_OK))
			continue;	/* failed before writing anything: said why */
		paths[n] = strdup(json);
		if (!paths[n] || !(in[n] = report_read(json))) {
			ret = EXIT_RUN;
			break;
		}
		n++;
	}
	if (stop_sig && (ret == EXIT_OK || ret == EXIT_RUN))
		ret = 128 + stop_sig;
	if (ret == EXIT_OK && !n) {
		err("no round produced a report");
		ret = EXIT_RUN;
	}
	if (ret == EXIT_OK) {
		merged = merge_reports(in, (const char **)paths, n);
		if (!merged) {
			ret = EXIT_RUN;
		} else {
			json_object_set_new(merged, "shuffle_seed", json_integer(a->seed));
			if (!a->json_path)
				run_print_summary(merged, stdout);
			else if (json_write_atomic(merged, a->json_path))
				ret = EXIT_USAGE;
		}
	}
	if (ret >= 128)
		err("interrupted by signal %d: no report written", ret - 128);
	if (ret == EXIT_OK && failed)
		ret = EXIT_RUN;
	json_decref(merged);
	for (int i = 0; i < n; i++)
		json_decref(in[i]);
	for (int i = 0; i < RUN_MAX_ROUNDS; i++)
		free(paths[i]);
	remove_dir(dir, a->rounds);
	return ret;
}
