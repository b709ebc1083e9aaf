/* SPDX-License-Identifier: GPL-2.0 */
#ifndef RMAPBENCH_CONFIG_H
#define RMAPBENCH_CONFIG_H

#include <stdbool.h>
#include <jansson.h>
#include "workload.h"

#define MAX_PARAMS	16
#define MAX_WORKLOADS	32

struct wl_setting {
	const struct workload_info *info;
	long values[MAX_PARAMS];
	bool selected;		/* part of this run */
	char name[64];		/* info->name, or a sweep point's "W[P=V]" (sweep.h) */
	int sweep_param;	/* a sweep point: the swept parameter's index; else -1 */
};

struct config {
	const char *path;	/* NULL: built-in defaults */
	long reps;
	long interval_ms;	/* time-series sampling, 0 = off */
	long rep_timeout_s;
	long run_timeout_s;	/* 0: none */
	long max_procs;		/* processes a workload may have alive */
	long mem_pct;		/* % of MemTotal a workload may write */
	int nr;
	struct wl_setting wl[MAX_WORKLOADS];	/* every registered workload */
};

#define CONFIG_DEFAULT_REPS		5
#define CONFIG_DEFAULT_INTERVAL_MS	10
#define CONFIG_DEFAULT_TIMEOUT_S	300
#define CONFIG_DEFAULT_MAX_PROCS	4096
#define CONFIG_DEFAULT_MEM_PCT		50

/* Defaults: every workload with its default params, host_default ones selected. */
void config_init(struct config *cfg);
/* Loads an INI file over @cfg. Returns 0, or -1 after an error naming file:line. */
int config_load(struct config *cfg, const char *path);
/* --workload A,B: selects exactly these. */
int config_select(struct config *cfg, const char *list);
/* --set W.P=V */
int config_set(struct config *cfg, const char *assignment);
/* The effective configuration, for the report. */
json_t *config_to_json(const struct config *cfg);
json_t *config_params_json(const struct wl_setting *ws);
struct wl_setting *config_find(struct config *cfg, const char *name);

#endif
