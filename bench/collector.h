/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Collectors measure something around every repetition, beside the slab
 * accounting: rmap-walk latency probes, perf counters. Each is one file in
 * bench/ ending in a `const struct collector`, listed in bench/collector.c.
 */
#ifndef RMAPBENCH_COLLECTOR_H
#define RMAPBENCH_COLLECTOR_H

#include <stdint.h>
#include <sys/types.h>
#include <jansson.h>

struct collector {
	const char *name;
	/*
	 * Once per run, before the first repetition. Returns 0, or -1 with
	 * @reason filled: the collector is then reported unavailable and its
	 * metrics carry "unavailable: <reason>".
	 */
	int (*open)(void **state, char *reason, size_t len);
	/* What was attached and how (e.g. method per probed function). */
	json_t *(*describe)(void *state);
	/* The tree rooted at @pid is about to be released. */
	void (*rep_start)(void *state, pid_t pid);
	/*
	 * The tree has been reaped after @duration_ns. Adds metrics (named
	 * "<collector>.<what>", schema in docs/report-schema.md) to @metrics
	 * and anything else to @rep.
	 */
	void (*rep_stop)(void *state, uint64_t duration_ns, json_t *metrics, json_t *rep);
	/* Metrics to add to every repetition when open() failed. */
	void (*unavailable)(const char *reason, json_t *metrics);
	void (*close)(void *state);
};

extern const struct collector *const collector_table[];	/* NULL-terminated */

#endif
