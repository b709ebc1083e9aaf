/* SPDX-License-Identifier: GPL-2.0 */
/*
 * `--sweep WORKLOAD.PARAM=VALUES` (bench/sweep.c): one workload run at
 * several values of one parameter, each value a workload instance of its own
 * named "WORKLOAD[PARAM=VALUE]" (docs/workloads.md, "Sweeps").
 */
#ifndef RMAPBENCH_SWEEP_H
#define RMAPBENCH_SWEEP_H

#include <stddef.h>
#include <jansson.h>

#include "config.h"

#define SWEEP_MIN_POINTS	2
#define SWEEP_MAX_POINTS	16
#define SWEEP_NAME_LEN		64

struct sweep {
	const struct workload_info *info;
	int param;			/* index in info->params */
	long values[SWEEP_MAX_POINTS];	/* ascending, distinct */
	int n;
	const char *spec;		/* as given */
};

/*
 * Parses @spec against the workload table: "W.P=V1,V2,..." (any order,
 * sorted), "W.P=A..BxF" (A, A·F, A·F², ... up to B; A >= 1, F >= 2) or
 * "W.P=A..B+S" (A, A+S, ... up to B). Every value must lie in P's declared
 * range; 2 to SWEEP_MAX_POINTS points. 0, or -1 with the reason in @msg
 * (which names @spec).
 */
int sweep_parse(const char *spec, struct sweep *sw, char *msg, size_t len);
/* "fork-chain[depth=8]": the instance name of point @i. */
void sweep_point_name(const struct sweep *sw, int i, char *buf, size_t len);
/*
 * Adds the points to @cfg as instances of the swept workload (its
 * parameters as configured, the swept one set to each value) and makes them
 * the only selected workloads. 0, or -1 after an error naming the input.
 */
int config_sweep(struct config *cfg, const struct sweep *sw);
/* The report's top-level "sweep" object. */
json_t *sweep_json(const struct sweep *sw);

#endif
