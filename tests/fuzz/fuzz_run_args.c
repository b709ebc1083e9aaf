// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer: the command line of `rmapbench run`. Each input line is one
 * argument after "run". The harness calls the option parser of cmd_run(),
 * run_args_parse() and run_args_apply() (bench/run_args.c), and stops
 * there (cmd_run() would go on to load BPF and run workloads):
 *
 *   - it must never crash, leak or trip UBSan;
 *   - --help is a status (RUN_ARGS_HELP), nothing exits;
 *   - accepted input leaves every value within its range.
 *
 * --config FILE opens files named by the input: the harness only lets the
 * configuration be loaded from a regular file under 1 MiB, so the fuzzer
 * cannot block on /dev/stdin or a FIFO, or read /dev/zero.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "run_args.h"
#include "util.h"

#include "fuzz_common.h"
#include "fuzz_config_check.h"

#define MAX_ARGS 256

/* Whether --config names something the harness lets the product read. */
static int config_readable(const char *path)
{
	struct stat st;

	return !path || (!stat(path, &st) && S_ISREG(st.st_mode) && st.st_size <= (1 << 20));
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_quiet_stdout();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_string(data, size), *args[MAX_ARGS + 2], *p;
	static struct run_request rq;
	int argc = 0, ret;

	args[argc++] = "run";
	for (p = text; argc <= MAX_ARGS; ) {
		char *nl = strchr(p, '\n');

		args[argc++] = p;
		if (!nl)
			break;
		*nl = 0;
		p = nl + 1;
	}
	args[argc] = NULL;

	memset(&rq, 0, sizeof(rq));
	verbose = 0;
	optind = 0;	/* glibc: full getopt re-initialisation */
	/* as run_args_read() in cmd_run() */
	ret = run_args_parse(&rq, argc, args);
	FUZZ_ASSERT(ret == RUN_ARGS_OK || ret == RUN_ARGS_HELP || ret == RUN_ARGS_BAD);
	if (ret == RUN_ARGS_OK && config_readable(rq.args.config) && !run_args_apply(&rq))
		fuzz_check_config(&rq.cfg);
	verbose = 0;
	free(text);
	return 0;
}
