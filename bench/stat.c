// SPDX-License-Identifier: GPL-2.0
/* `rmapbench stat -- CMD`: slab objects of any command and its descendants. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "child.h"
#include "probe.h"
#include "run_json.h"
#include "stat.h"
#include "util.h"

static int exec_child(void *arg, int result_fd)
{
	char **cmd = arg;

	close(result_fd);
	execvp(cmd[0], cmd);
	fprintf(stderr, "rmapbench: stat: cannot run '%s': %s\n", cmd[0], strerror(errno));
	return 127;
}

static void usage_stat(FILE *f)
{
	fprintf(f,
"usage: rmapbench stat [--json FILE] [-v] -- CMD [ARGS...]\n"
"\n"
"Like 'perf stat': runs CMD and counts the vm_area_struct, anon_vma,\n"
"anon_vma_chain (and vma_lock) objects it and all its descendants allocated,\n"
"freed, left live and peaked at, the bytes of the allocations (allocs x the\n"
"cache's slab_size) and their anon-rmap total. Exits with CMD's exit status.\n"
"\n"
"  -j, --json FILE   also write the figures as JSON ('-' = stdout)\n"
"  -v, --verbose     detail on stderr\n"
"\n"
"examples:\n"
"  rmapbench stat -- /bin/true\n"
"  rmapbench stat --json git-status.json -- git status\n");
}

static void print_stat(json_t *metrics, json_t *acct, char **cmd, double secs, FILE *f)
{
	const char *why = NULL;

	fprintf(f, "\n Slab objects for '%s", cmd[0]);
	for (int i = 1; cmd[i]; i++)
		fprintf(f, " %s", cmd[i]);
	fprintf(f, "':\n\n %-16s %12s %12s %12s %12s %12s\n", "cache", "allocs", "frees", "live",
		"peak", "bytes");
	for (int k = 0; k < NR_SLAB_KINDS; k++) {
		static const char *const fields[] = { "allocs", "frees", "live", "peak",
						      "alloc_bytes" };
		char name[64];
		json_t *m;

		snprintf(name, sizeof(name), "slab.%s.allocs", slab_kind_name(k));
		if (!json_object_get(metrics, name))
			continue;
		fprintf(f, " %-16s", slab_kind_name(k));
		for (int i = 0; i < 5; i++) {
			snprintf(name, sizeof(name), "slab.%s.%s", slab_kind_name(k), fields[i]);
			m = json_object_get(json_object_get(metrics, name), "value");
			if (json_is_number(m)) {
				fprintf(f, " %12.0f", json_number_value(m));
				continue;
			}
			m = json_object_get(json_object_get(metrics, name), "reason");
			if (json_is_string(m) && !strncmp(json_string_value(m), "inexact: ", 9)) {
				fprintf(f, " %12s", "inexact");
				why = json_string_value(m);
			} else {
				fprintf(f, " %12s", "n/a");
			}
		}
		fputc('\n', f);
	}
	if (json_is_number(json_object_get(json_object_get(metrics, SA_TOTAL_BYTES), "value")))
		fprintf(f, " %-16s %64.0f\n", "anon-rmap total", json_number_value(json_object_get(
			json_object_get(metrics, SA_TOTAL_BYTES), "value")));
	if (why)
		fprintf(f, "\n %s\n", why);
	else if (json_is_false(json_object_get(json_object_get(acct, "slab_accounting"), "settled")))
		fprintf(f, "\n inexact: %s\n", json_string_value(json_object_get(
			json_object_get(acct, "slab_accounting"), "settle_reason")));
	fprintf(f, "\n %.6f seconds time elapsed\n\n", secs);
}

int cmd_stat(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", required_argument, NULL, 'j' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	const char *json_path = NULL;
	struct slabacct *sa = NULL;
	struct tracked_child tc;
	char reason[256];
	json_t *out, *metrics, *acct;
	uint64_t t0, dt;
	int c, status = 0, ret;

	while ((c = getopt_long(argc, argv, "+j:vh", opts, NULL)) != -1) {
		switch (c) {
		case 'j': json_path = optarg; break;
		case 'v': verbose++; break;
		case 'h': usage_stat(stdout); return EXIT_OK;
		default: usage_stat(stderr); return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		err("stat: no command given (usage: rmapbench stat -- CMD [ARGS...])");
		return EXIT_USAGE;
	}
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	signal(SIGINT, SIG_IGN);	/* the command gets it, we report */
	if (slabacct_open(&sa, reason, sizeof(reason)))
		err("slab accounting unavailable: %s", reason);
	if (spawn_tracked(sa, exec_child, argv + optind, &tc)) {
		slabacct_close(sa);
		return EXIT_RUN;
	}
	t0 = now_ns();
	close(tc.result_fd);
	if (release_tracked(&tc))
		err("stat: cannot start the command");
	while (waitpid(tc.pid, &status, 0) < 0 && errno == EINTR)
		;
	dt = now_ns() - t0;
	/* descendants left running are waited for: they are part of the command */
	while (waitpid(-1, NULL, 0) > 0 || errno == EINTR)
		;
	metrics = json_object();
	acct = json_object();
	if (sa) {
		slabacct_settle(sa, slabacct_settle_timeout_ms());
		slabacct_add_metrics(sa, metrics, acct);
	} else {
		slabacct_add_unavailable(metrics, reason);
	}
	print_stat(metrics, acct, argv + optind, dt / 1e9, stderr);
	ret = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	if (json_path) {
		json_t *cmd = json_array();

		for (int i = optind; i < argc; i++)
			json_array_append_new(cmd, json_string(argv[i]));
		out = run_json_header("rmapbench-stat");
		json_object_set_new(out, "command", cmd);
		json_object_set_new(out, "exit_status", json_integer(ret));
		json_object_set_new(out, "wall_ns", json_integer(dt));
		json_object_set_new(out, "slab_accounting", sa ? slabacct_describe(sa) :
				    json_pack("{s:b, s:s}", "available", 0, "reason", reason));
		json_object_set_new(out, "accounting_checks", acct);
		json_object_set_new(out, "metrics", metrics);
		if (json_write_atomic(out, json_path))
			ret = EXIT_USAGE;
		json_decref(out);
	} else {
		json_decref(metrics);
		json_decref(acct);
	}
	slabacct_close(sa);
	return ret;
}
