// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer: `rmapbench run --set WORKLOAD.PARAM=VALUE` and
 * `--workload A,B`. Each input line is one option value: a line starting
 * with "w:" goes to config_select(), any other to config_set().
 * An accepted assignment must have set exactly what it says: the
 * parameter holds the whole VALUE as a base-10 integer.
 */
#include <errno.h>

#include "config.h"
#include "fuzz_common.h"
#include "fuzz_config_check.h"

/* @line was accepted by config_set(): check it independently. */
static void check_assignment(struct config *cfg, const char *line)
{
	const char *dot = strchr(line, '.'), *eq = strchr(line, '=');
	char *wl, *param, *end;
	struct wl_setting *ws;
	long v;
	int i;

	FUZZ_ASSERT(dot && eq && dot < eq);
	wl = strndup(line, dot - line);
	param = strndup(dot + 1, eq - dot - 1);
	FUZZ_ASSERT(wl && param);
	ws = config_find(cfg, wl);
	FUZZ_ASSERT(ws);
	i = workload_param_index(ws->info, param);
	FUZZ_ASSERT(i >= 0);
	errno = 0;
	v = strtol(eq + 1, &end, 10);
	FUZZ_ASSERT(!errno && end != eq + 1 && !*end);
	FUZZ_ASSERT(ws->values[i] == v);
	free(wl);
	free(param);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_string(data, size), *line, *save = NULL;
	struct config cfg;

	config_init(&cfg);
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		int ret;

		if (!strncmp(line, "w:", 2))
			ret = config_select(&cfg, line + 2);
		else
			ret = config_set(&cfg, line);
		if (ret)
			break;	/* the command exits 2 at the first error */
		if (strncmp(line, "w:", 2))
			check_assignment(&cfg, line);
		fuzz_check_config(&cfg);
	}
	free(text);
	return 0;
}
