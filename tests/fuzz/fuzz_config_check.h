/* SPDX-License-Identifier: GPL-2.0 */
/* What every accepted configuration must satisfy (tests/fuzz/). */
#ifndef RMAPBENCH_FUZZ_CONFIG_CHECK_H
#define RMAPBENCH_FUZZ_CONFIG_CHECK_H

#include "config.h"
#include "fuzz_common.h"
#include "wlctx.h"

static inline void fuzz_check_config(const struct config *cfg)
{
	json_t *j;
	char *text;

	FUZZ_ASSERT(cfg->reps >= 1 && cfg->reps <= 1000);
	FUZZ_ASSERT(cfg->interval_ms >= 0 && cfg->interval_ms <= 60000);
	FUZZ_ASSERT(cfg->rep_timeout_s >= 1);
	FUZZ_ASSERT(cfg->nr > 0 && cfg->nr <= MAX_WORKLOADS);
	for (int i = 0; i < cfg->nr; i++) {
		const struct wl_setting *ws = &cfg->wl[i];
		int np = workload_nr_params(ws->info);

		FUZZ_ASSERT(np <= MAX_PARAMS);
		for (int p = 0; p < np; p++)
			FUZZ_ASSERT(ws->values[p] >= ws->info->params[p].min &&
				    ws->values[p] <= ws->info->params[p].max);
		j = config_params_json(ws);
		FUZZ_ASSERT(j && json_object_size(j) == (size_t)np);
		json_decref(j);
	}
	/* what the report records: must serialise */
	j = config_to_json(cfg);
	FUZZ_ASSERT(j);
	text = json_dumps(j, JSON_COMPACT);
	FUZZ_ASSERT(text);
	free(text);
	json_decref(j);
}

#endif
