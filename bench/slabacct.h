/* SPDX-License-Identifier: GPL-2.0 */
/* Slab accounting (bench/slabacct.c): exact counts of the tracked caches. */
#ifndef RMAPBENCH_SLABACCT_H
#define RMAPBENCH_SLABACCT_H

#include <stdbool.h>
#include <sys/types.h>
#include <jansson.h>

#include "slabacct_shared.h"
#include "workload.h"

struct slabacct;

/* Loads and attaches the probes. On failure returns -1 with @reason set. */
int slabacct_open(struct slabacct **out, char *reason, size_t len);
void slabacct_close(struct slabacct *sa);

/* Starts counting for @pid's thread group and (through fork) its descendants. */
int slabacct_track(struct slabacct *sa, pid_t pid);
/* Zeroes the counters and forgets tracked tasks and objects. */
void slabacct_reset(struct slabacct *sa);
/* The live counters, shared with forked children (mmap'ed BPF global data). */
volatile struct sa_counters *slabacct_counters(struct slabacct *sa);
bool slabacct_present(const struct slabacct *sa, int kind);
unsigned int slabacct_present_mask(const struct slabacct *sa);
/* fd of the counters' map, and the counters mmap'ed from such an fd (another process) */
int slabacct_counters_fd(const struct slabacct *sa);
volatile struct sa_counters *slabacct_map_counters(int map_fd);
/* Snapshot of @counters (which may be read in a child). */
void slabacct_snapshot(volatile struct sa_counters *counters, const bool *present,
		       struct slab_snapshot *snap);
const bool *slabacct_present_array(const struct slabacct *sa);
/*
 * After the tree is reaped: waits until every tracked object is freed,
 * pushing RCU grace periods, at most @timeout_ms; false on timeout (the kinds
 * still live are then reported inexact, with the reason).
 */
bool slabacct_settle(struct slabacct *sa, int timeout_ms);
/* Default settle timeout, long enough for TCG guests (RMAPBENCH_SETTLE_TIMEOUT_MS overrides). */
#define SA_SETTLE_TIMEOUT_MS	20000
int slabacct_settle_timeout_ms(void);
/* Tracked thread groups (to kill a timed-out tree). Returns count written. */
int slabacct_tracked_pids(struct slabacct *sa, pid_t *pids, int max);

/* "slab_accounting" object of the report (method, caches, merged, exactness). */
json_t *slabacct_describe(const struct slabacct *sa);
/*
 * Adds slab.<cache>.{allocs,frees,live,peak,alloc_bytes}, SA_TOTAL_BYTES and
 * per-rep accounting notes.
 */
void slabacct_add_metrics(const struct slabacct *sa, json_t *metrics, json_t *rep);
/* Unavailable-slab metrics with @reason, for runs without probes. */
void slabacct_add_unavailable(json_t *metrics, const char *reason);

#endif
