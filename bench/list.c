// SPDX-License-Identifier: GPL-2.0
/* `rmapbench list`: the workload table, parameters with defaults and ranges. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "list.h"
#include "util.h"
#include "wlctx.h"

static json_t *workload_json(const struct workload_info *w)
{
	char reason[WL_REASON_LEN] = "";
	bool ok = !w->supported || w->supported(reason, sizeof(reason));
	json_t *params = json_array();

	for (int p = 0; p < workload_nr_params(w); p++) {
		const struct wl_param *wp = &w->params[p];

		json_array_append_new(params, json_pack("{s:s, s:I, s:I, s:I, s:s}",
			"name", wp->name, "default", (json_int_t)wp->def,
			"min", (json_int_t)wp->min, "max", (json_int_t)wp->max,
			"help", wp->help ? wp->help : ""));
	}
	return json_pack("{s:s, s:s, s:b, s:b, s:s?, s:o}", "name", w->name,
			 "summary", w->summary, "host_default", w->host_default,
			 "supported", ok, "reason", ok ? NULL : reason, "params", params);
}

static void print_workload(const struct workload_info *w)
{
	char reason[WL_REASON_LEN] = "";
	bool ok = !w->supported || w->supported(reason, sizeof(reason));

	printf("%s%s\n    %s\n", w->name, w->host_default ? "" : "  (not in the default suite)",
	       w->summary);
	if (!ok)
		printf("    unavailable here: %s\n", reason);
	for (int p = 0; p < workload_nr_params(w); p++) {
		const struct wl_param *wp = &w->params[p];

		printf("    %-14s default %-6ld range [%ld, %ld]  %s\n", wp->name, wp->def,
		       wp->min, wp->max, wp->help ? wp->help : "");
	}
}

int cmd_list(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	bool json = false;
	int c;

	while ((c = getopt_long(argc, argv, "jh", opts, NULL)) != -1) {
		switch (c) {
		case 'j': json = true; break;
		case 'h':
			printf("usage: rmapbench list [--json]\n\n"
			       "Lists the workloads, their parameters (default, range) and whether\n"
			       "the running kernel supports them. Set parameters with\n"
			       "'rmapbench run --set WORKLOAD.PARAM=VALUE' or a config section.\n\n"
			       "examples:\n  rmapbench list\n  rmapbench list --json\n"
			       "exit status: 0, 2 bad option\n");
			return EXIT_OK;
		default:
			return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		err("list: unexpected argument '%s'", argv[optind]);
		return EXIT_USAGE;
	}
	if (json) {
		json_t *all = json_array();

		for (int i = 0; workload_table[i]; i++)
			json_array_append_new(all, workload_json(workload_table[i]));
		json_write_atomic(all, "-");
		json_decref(all);
		return EXIT_OK;
	}
	for (int i = 0; workload_table[i]; i++)
		print_workload(workload_table[i]);
	return EXIT_OK;
}
