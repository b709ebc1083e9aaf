// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer: the command line of `rmapbench run`. Each input line is one
 * argument after "run". The harness includes bench/runner.c to call its
 * option parser, parse_run_args(), exactly as cmd_run() does, and stops
 * there (cmd_run() would go on to load BPF and run workloads):
 *
 *   - it must never crash, leak or trip UBSan;
 *   - refused input makes cmd_run() return EXIT_USAGE (parse_run_args -1);
 *   - accepted input leaves every value within its range.
 *
 * --help calls exit(0): exit() is redirected to a longjmp back here.
 * --config FILE opens files named by the input: fopen() is wrapped
 * (-Wl,--wrap=fopen) to refuse reading anything but a regular file under
 * 1 MiB, so the fuzzer cannot block on /dev/stdin or read /dev/zero.
 */
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <errno.h>

static jmp_buf fuzz_exit_jmp;
static int fuzz_exit_code;

static void fuzz_exit(int code)
{
	fuzz_exit_code = code;
	longjmp(fuzz_exit_jmp, 1);
}

#define exit(code) fuzz_exit(code)
#include "../../bench/runner.c"
#undef exit

#include "fuzz_common.h"
#include "fuzz_config_check.h"

#define MAX_ARGS 256

FILE *__real_fopen(const char *path, const char *mode);

FILE *__wrap_fopen(const char *path, const char *mode)
{
	struct stat st;

	if (mode[0] == 'r' && (stat(path, &st) || !S_ISREG(st.st_mode) ||
			       st.st_size > (1 << 20))) {
		errno = EINVAL;
		return NULL;
	}
	return __real_fopen(path, mode);
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
	struct runner r;
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

	memset(&r, 0, sizeof(r));
	verbose = 0;
	optind = 0;	/* glibc: full getopt re-initialisation */
	if (setjmp(fuzz_exit_jmp)) {
		/* only --help exits, with success */
		FUZZ_ASSERT(fuzz_exit_code == EXIT_OK);
		goto out;
	}
	/* as cmd_run() */
	ret = parse_run_args(&r, argc, args) ? EXIT_USAGE : EXIT_OK;
	if (ret == EXIT_OK)
		fuzz_check_config(&r.cfg);
out:
	verbose = 0;
	free(text);
	return 0;
}
