// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer: report files given to `rmapbench compare` (report/report_load.c
 * report_load() and everything after it). The input is one report, or a
 * base and a test report separated by a line "#--- test". The harness runs
 * cmd_compare() in-process, as `rmapbench compare BASE TEST --out DIR
 * --no-graphs --config FUZZ.conf` (the config only lowers the bootstrap
 * resamples to 100 for speed), so loading, validation, the comparison,
 * comparison.json, summary.md, index.html and the table all see the input.
 *
 * It must return 0, 1 or 2 and never crash, leak or trip UBSan.
 * Also checks report_load() directly: refused input gives an error naming
 * the file; accepted input gives a report whose parts are consistent.
 */
#include <ftw.h>
#include <limits.h>
#include <math.h>

#include "report.h"
#include "compare.h"
#include "fuzz_common.h"
#include "workload.h"

#define SEPARATOR "\n#--- test\n"

static char outdir[PATH_MAX];
static const char *conf_path;

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

static void rm_outdir(void)
{
	nftw(outdir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* Output goes to a temporary directory, in /dev/shm unless TMPDIR says */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static const char conf[] = "[compare]\nbootstrap = 100\n";
	const char *tmp = getenv("TMPDIR");

	if (!tmp || !*tmp)
		tmp = access("/dev/shm", W_OK) ? "/tmp" : "/dev/shm";

	(void)argc;
	(void)argv;
	fuzz_quiet_stdout();
	snprintf(outdir, sizeof(outdir), "%s/rmapbench-fuzz-report.XXXXXX", tmp);
	if (!mkdtemp(outdir)) {
		perror("mkdtemp");
		abort();
	}
	atexit(rm_outdir);
	conf_path = fuzz_file(2, (const uint8_t *)conf, sizeof(conf) - 1);
	return 0;
}

static void check_loaded(const char *path)
{
	char err[CMP_ERR_LEN] = "";
	struct report r;
	size_t i, j;

	if (report_load(&r, path, err, sizeof(err))) {
		FUZZ_ASSERT(err[0] && strstr(err, path));
		report_free(&r);
		return;
	}
	FUZZ_ASSERT(r.root && r.release && r.label && r.cpu_model && r.virt && r.created);
	for (i = 0; i < r.nwl; i++) {
		const struct workload_data *w = &r.wl[i];

		FUZZ_ASSERT(w->name && w->status && w->params && w->params_str);
		FUZZ_ASSERT(w->nreps_ok <= w->nreps);
		FUZZ_ASSERT(workload_params_equal(w->name, w->params, w->params));
		for (j = 0; j < w->nmetrics; j++) {
			const struct metric_samples *m = &w->metrics[j];

			FUZZ_ASSERT(m->name && m->unit);
			FUZZ_ASSERT(workload_metric(w, m->name) == m);
			FUZZ_ASSERT(m->n + m->n_null > 0);
			(void)slab_inexact(&r, m->name);
		}
	}
	report_free(&r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *sep = memmem(data, size, SEPARATOR, strlen(SEPARATOR));
	size_t base_len = sep ? (size_t)(sep - data) : size;
	const char *base, *test;
	char *argv[16];
	int argc = 0, ret;

	base = fuzz_file(0, data, base_len);
	if (sep) {
		size_t off = base_len + strlen(SEPARATOR);

		test = fuzz_file(1, data + off, size - off);
	} else {
		test = base;
	}
	check_loaded(base);
	if (test != base)
		check_loaded(test);

	argv[argc++] = "compare";
	argv[argc++] = (char *)base;
	argv[argc++] = (char *)test;
	argv[argc++] = "--out";
	argv[argc++] = outdir;
	argv[argc++] = "--no-graphs";
	argv[argc++] = "--config";
	argv[argc++] = (char *)conf_path;
	argv[argc] = NULL;
	ret = cmd_compare(argc, argv);
	FUZZ_ASSERT(ret == 0 || ret == 1 || ret == 2);
	return 0;
}
