// SPDX-License-Identifier: GPL-2.0
/*
 * Perf counters of the workload's process tree, per repetition, through
 * libperf (built from the kernel's tools/lib/perf by scripts/build-libperf.sh).
 *
 * Every counter is its own event (no group), opened in rep_start on the
 * workload's pid while it still waits to be released, with inherit=1 so its
 * descendants count too: an inherited counter adds a child's count to the
 * parent's when the child exits, so after the tree has been reaped (rep_stop)
 * one read gives the whole tree. Kernel mode is counted: rmap work happens
 * there. A counter the kernel refuses (no PMU in a VM, an event the CPU
 * lacks) becomes an "unavailable: <reason>" metric, the others still count.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/perf_event.h>
#include <perf/core.h>
#include <perf/evsel.h>
#include <perf/threadmap.h>

#include "collector.h"
#include "probe_caps.h"
#include "sysinfo.h"
#include "util.h"

#define PC_REASON_LEN 256

struct pc_event {
	const char *name;	/* metric: perf.<name> */
	const char *unit;
	__u32 type;
	__u64 config;
};

#define HW_CACHE(cache, op, result) \
	((cache) | ((op) << 8) | ((result) << 16))

static const struct pc_event pc_events[] = {
	{ "task_clock", "ns", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_TASK_CLOCK },
	{ "page_faults", "faults", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_PAGE_FAULTS },
	{ "minor_faults", "faults", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_PAGE_FAULTS_MIN },
	{ "major_faults", "faults", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_PAGE_FAULTS_MAJ },
	{ "context_switches", "switches", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CONTEXT_SWITCHES },
	{ "cpu_migrations", "migrations", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CPU_MIGRATIONS },
	{ "cycles", "cycles", PERF_TYPE_HARDWARE, PERF_COUNT_HW_CPU_CYCLES },
	{ "instructions", "instructions", PERF_TYPE_HARDWARE, PERF_COUNT_HW_INSTRUCTIONS },
	{ "dtlb_load_misses", "misses", PERF_TYPE_HW_CACHE,
	  HW_CACHE(PERF_COUNT_HW_CACHE_DTLB, PERF_COUNT_HW_CACHE_OP_READ,
		   PERF_COUNT_HW_CACHE_RESULT_MISS) },
	{ "dtlb_store_misses", "misses", PERF_TYPE_HW_CACHE,
	  HW_CACHE(PERF_COUNT_HW_CACHE_DTLB, PERF_COUNT_HW_CACHE_OP_WRITE,
		   PERF_COUNT_HW_CACHE_RESULT_MISS) },
};

#define PC_NR_EVENTS (sizeof(pc_events) / sizeof(pc_events[0]))

struct perfcount {
	struct perf_evsel *evsel[PC_NR_EVENTS];
	bool opened[PC_NR_EVENTS];		/* this repetition */
	char probe_err[PC_NR_EVENTS][PC_REASON_LEN];	/* refused at open() */
	char rep_err[PC_NR_EVENTS][PC_REASON_LEN];	/* refused at rep_start */
	struct perf_thread_map *threads;
	int nr_available;
};

static int quiet_print(enum libperf_print_level level, const char *fmt, va_list ap)
{
	if (verbose < 2 || level > LIBPERF_WARN)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

static void init_attr(struct perf_event_attr *attr, const struct pc_event *ev)
{
	memset(attr, 0, sizeof(*attr));
	attr->size = sizeof(*attr);
	attr->type = ev->type;
	attr->config = ev->config;
	attr->inherit = 1;
	attr->exclude_hv = 1;
	attr->read_format = PERF_FORMAT_TOTAL_TIME_ENABLED | PERF_FORMAT_TOTAL_TIME_RUNNING;
}

static const char *open_hint(const struct pc_event *ev, int err)
{
	if (ev->type == PERF_TYPE_SOFTWARE)
		return "";
	/* the probe knows whether there is a core PMU */
	if (err == ENOENT || err == EOPNOTSUPP || err == ENODEV)
		return !json_is_true(json_object_get(probe_cap("perf.cycles"), "cpu_pmu")) ?
		       ": no hardware PMU (no /sys/bus/event_source/devices/cpu; "
		       "a VM without PMU passthrough?)" :
		       ": the CPU's PMU has no such event";
	return "";
}

/* Opens @ev on @threads (NULL: the calling thread); -errno with @why. */
static int open_event(struct perfcount *pc, size_t i, struct perf_thread_map *threads,
		      char *why, size_t len)
{
	const struct pc_event *ev = &pc_events[i];
	char e[96];
	int ret;

	ret = perf_evsel__open(pc->evsel[i], NULL, threads);
	if (ret < 0)
		snprintf(why, len, "perf_event_open(%s): %s%s", ev->name,
			 sysinfo_strerr(-ret, e, sizeof(e)), open_hint(ev, -ret));
	return ret;
}

static void pc_close(void *state)
{
	struct perfcount *pc = state;

	if (!pc)
		return;
	for (size_t i = 0; i < PC_NR_EVENTS; i++) {
		if (pc->opened[i])
			perf_evsel__close(pc->evsel[i]);
		perf_evsel__delete(pc->evsel[i]);
	}
	perf_thread_map__put(pc->threads);
	free(pc);
}

static int pc_open(void **state, char *reason, size_t len)
{
	struct perfcount *pc = calloc(1, sizeof(*pc));
	struct perf_event_attr attr;

	if (!pc) {
		snprintf(reason, len, "out of memory");
		return -1;
	}
	libperf_init(quiet_print);
	pc->threads = perf_thread_map__new_array(1, NULL);
	if (!pc->threads) {
		snprintf(reason, len, "libperf: cannot allocate a thread map");
		goto fail;
	}
	/* Probe every event on ourselves: what this kernel and PMU allow. */
	perf_thread_map__set_pid(pc->threads, 0, 0);
	for (size_t i = 0; i < PC_NR_EVENTS; i++) {
		init_attr(&attr, &pc_events[i]);
		pc->evsel[i] = perf_evsel__new(&attr);
		if (!pc->evsel[i]) {
			snprintf(reason, len, "libperf: cannot allocate an event");
			goto fail;
		}
		if (open_event(pc, i, pc->threads, pc->probe_err[i], PC_REASON_LEN) < 0)
			continue;
		perf_evsel__close(pc->evsel[i]);
		pc->nr_available++;
	}
	if (!pc->nr_available) {
		snprintf(reason, len, "no perf event could be opened: %s", pc->probe_err[0]);
		goto fail;
	}
	*state = pc;
	return 0;
fail:
	pc_close(pc);
	return -1;
}

static json_t *pc_describe(void *state)
{
	struct perfcount *pc = state;
	json_t *events = json_object();

	for (size_t i = 0; i < PC_NR_EVENTS; i++)
		json_object_set_new(events, pc_events[i].name, json_pack("{s:b, s:s?}",
			"available", !pc->probe_err[i][0],
			"reason", pc->probe_err[i][0] ? pc->probe_err[i] : NULL));
	return json_pack("{s:b, s:s, s:s, s:o}", "available", 1, "library", "libperf",
			 "scope", "workload process tree (inherit=1), user and kernel mode",
			 "events", events);
}

static void pc_rep_start(void *state, pid_t pid)
{
	struct perfcount *pc = state;

	perf_thread_map__set_pid(pc->threads, 0, pid);
	for (size_t i = 0; i < PC_NR_EVENTS; i++) {
		pc->rep_err[i][0] = 0;
		pc->opened[i] = false;
		if (pc->probe_err[i][0])
			continue;
		if (open_event(pc, i, pc->threads, pc->rep_err[i], PC_REASON_LEN) == 0)
			pc->opened[i] = true;
	}
}

static json_t *unavailable_metric(const struct pc_event *ev, const char *reason)
{
	char why[PC_REASON_LEN + 32];

	snprintf(why, sizeof(why), "unavailable: %s", reason);
	return json_pack("{s:n, s:s, s:s, s:s, s:s}", "value", "unit", ev->unit,
			 "better", "lower", "kind", "timed", "reason", why);
}

static json_t *read_metric(struct perfcount *pc, size_t i)
{
	const struct pc_event *ev = &pc_events[i];
	struct perf_counts_values c;
	char why[PC_REASON_LEN], e[96];
	json_t *m;
	double v;
	int ret;

	ret = perf_evsel__read(pc->evsel[i], 0, 0, &c);
	if (ret < 0) {
		snprintf(why, sizeof(why), "read(%s): %s", ev->name,
			 sysinfo_strerr(-ret, e, sizeof(e)));
		return unavailable_metric(ev, why);
	}
	if (!c.run && c.val == 0 && c.ena) {
		snprintf(why, sizeof(why), "%s never ran: the PMU was busy (multiplexed out)",
			 ev->name);
		return unavailable_metric(ev, why);
	}
	v = c.run && c.run < c.ena ? (double)c.val * c.ena / c.run : (double)c.val;
	m = json_pack("{s:f, s:s, s:s, s:s}", "value", v, "unit", ev->unit,
		      "better", "lower", "kind", "timed");
	if (c.run && c.run < c.ena)
		json_object_set_new(m, "scaled", json_real((double)c.run / c.ena));
	return m;
}

static void pc_rep_stop(void *state, uint64_t duration_ns, json_t *metrics, json_t *rep)
{
	struct perfcount *pc = state;
	char name[64];

	(void)duration_ns;
	(void)rep;
	for (size_t i = 0; i < PC_NR_EVENTS; i++) {
		const struct pc_event *ev = &pc_events[i];
		json_t *m;

		if (pc->opened[i]) {
			m = read_metric(pc, i);
			perf_evsel__close(pc->evsel[i]);
			pc->opened[i] = false;
		} else {
			m = unavailable_metric(ev, pc->probe_err[i][0] ? pc->probe_err[i]
								       : pc->rep_err[i]);
		}
		snprintf(name, sizeof(name), "perf.%s", ev->name);
		json_object_set_new(metrics, name, m);
	}
}

static void pc_unavailable(const char *reason, json_t *metrics)
{
	char name[64];

	for (size_t i = 0; i < PC_NR_EVENTS; i++) {
		snprintf(name, sizeof(name), "perf.%s", pc_events[i].name);
		json_object_set_new(metrics, name, unavailable_metric(&pc_events[i], reason));
	}
}

const struct collector perfcount_collector = {
	.name = "perf",
	.open = pc_open,
	.describe = pc_describe,
	.rep_start = pc_rep_start,
	.rep_stop = pc_rep_stop,
	.unavailable = pc_unavailable,
	.close = pc_close,
};
