// SPDX-License-Identifier: GPL-2.0
/* rmapbench: the command table. */
#include <stdio.h>
#include <string.h>

#include "calibrate.h"
#include "compare.h"
#include "export.h"
#include "fingerprint_cmd.h"
#include "plot_cmd.h"
#include "probe.h"
#include "child.h"
#include "list.h"
#include "merge.h"
#include "runner.h"
#include "stat.h"
#include "util.h"

struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
};

static const struct command commands[] = {
	{ "run", cmd_run, "run workloads on the running kernel, write a JSON report" },
	{ "list", cmd_list, "workloads, their parameters, defaults and ranges" },
	{ "probe", cmd_probe, "what the running kernel supports, each 'no' with a reason" },
	{ "stat", cmd_stat, "slab objects of any command and its descendants" },
	{ "compare", cmd_compare, "compare reports of two or more kernels (exit 1: regression)" },
	{ "plot", cmd_plot, "graphs and index.html for one report" },
	{ "export", cmd_export, "a report as KCIDB, LAVA, JUnit or tuxrun results" },
	{ "calibrate", cmd_calibrate, "measure this machine's run-to-run drift from A/A reports" },
	{ "merge", cmd_merge, "combine rounds (runs, boots) of one kernel into one report" },
	{ "fingerprint", cmd_fingerprint, "this machine's id, by which compare groups reports" },
	{ NULL, NULL, NULL },
};

static void usage(FILE *f)
{
	fprintf(f, "usage: rmapbench [--version] COMMAND [ARGS]\n\n"
		   "Counts and times the Linux kernel's anonymous reverse-mapping objects.\n\n"
		   "commands:\n");
	for (const struct command *c = commands; c->name; c++)
		fprintf(f, "  %-10s %s\n", c->name, c->summary);
	fprintf(f, "\n'rmapbench COMMAND --help' shows the options and examples of each.\n"
		   "exit codes: 0 ok, 1 regression (compare), 2 bad input, 3 a run failed,\n"
		   "128+N killed by signal N\n\n"
		   "examples:\n"
		   "  rmapbench probe\n"
		   "  rmapbench run --workload fork-chain --reps 3\n"
		   "  rmapbench run --rounds 3 --json report.json\n"
		   "  rmapbench stat -- /bin/true\n"
		   "  rmapbench compare base/report.json test/report.json --out cmp\n"
		   "  rmapbench export --format junit test.json --comparison cmp/comparison.json\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return EXIT_OK;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "version")) {
		printf("rmapbench %s\n", RMAPBENCH_VERSION);
		return EXIT_OK;
	}
	if (!strcmp(argv[1], "__workload"))	/* internal: a repetition's process */
		return cmd_workload_child(argc - 1, argv + 1);
	for (const struct command *c = commands; c->name; c++)
		if (!strcmp(argv[1], c->name))
			return c->fn(argc - 1, argv + 1);
	err("unknown command '%s' (see: rmapbench --help)", argv[1]);
	return EXIT_USAGE;
}
