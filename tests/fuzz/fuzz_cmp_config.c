// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer: the [compare] section of `rmapbench compare --config FILE`
 * (report/cmp_config.c). The input is the file. Accepted: every setting
 * within its documented range, and the gate and threshold globs usable;
 * refused: an error naming file:line. Never a crash or a leak.
 */
#include <math.h>

#include "report.h"
#include "fuzz_common.h"

static const struct {
	enum metric_kind kind;
	const char *workload, *metric;
} probes[] = {
	{ MK_EXACT, "fork-chain", "slab.vm_area_struct.allocs" },
	{ MK_TIMED, "fork-tree", "op.fork" },
	{ MK_TIMED, "reclaim", "rmap.walk_ns" },
	{ MK_EXACT, "", "" },
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = fuzz_file(0, data, size);
	struct cmp_config cfg;
	char err[CMP_ERR_LEN] = "";
	size_t i;

	cmp_config_init(&cfg);
	if (cmp_config_load(&cfg, path, err, sizeof(err))) {
		FUZZ_ASSERT(err[0] && strstr(err, path));
		goto out;
	}
	FUZZ_ASSERT(cfg.path && !strcmp(cfg.path, path));
	FUZZ_ASSERT(cfg.stat.alpha > 0 && cfg.stat.alpha <= 0.5);
	FUZZ_ASSERT(cfg.stat.threshold_pct >= 0 && isfinite(cfg.stat.threshold_pct));
	FUZZ_ASSERT(cfg.stat.confidence >= 0.5 && cfg.stat.confidence < 1);
	FUZZ_ASSERT(cfg.stat.iterations >= 100 && cfg.stat.iterations <= 10000000);
	for (i = 0; i < cfg.ngate; i++)
		FUZZ_ASSERT(cfg.gate[i] && cfg.gate[i][0]);
	for (i = 0; i < cfg.nthr; i++)
		FUZZ_ASSERT(cfg.thr[i].glob && cfg.thr[i].pct >= 0);
	for (i = 0; i < sizeof(probes) / sizeof(probes[0]); i++) {
		double pct = cmp_config_threshold(&cfg, probes[i].kind,
						  probes[i].workload, probes[i].metric);

		FUZZ_ASSERT(pct >= 0 && isfinite(pct));
		(void)cmp_config_gated(&cfg, probes[i].kind, probes[i].workload,
				       probes[i].metric);
	}
out:
	cmp_config_free(&cfg);
	return 0;
}
