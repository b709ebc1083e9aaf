/* SPDX-License-Identifier: GPL-2.0 */
/*
 * `rmapbench probe`: what the running kernel supports. Every capability is a
 * JSON object {"available": true|false, "reason": null|"why not", ...details};
 * groups of capabilities (attach, tracepoints, rmap_functions, perf,
 * slab_caches) are objects of capabilities. Every "no" carries the reason,
 * with the errno text the kernel gave where there was a call to make.
 */
#ifndef RMAPBENCH_PROBE_H
#define RMAPBENCH_PROBE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <jansson.h>

#include "sysinfo.h"	/* probe_kernel(), probe_machine() */

#define PROBE_REASON_LEN 512

/* The "capabilities" object of the report (`rmapbench probe --json`). */
json_t *probe_capabilities(void);

/* The subcommand; argv[0] == "probe". Exit status: 0, 1 (failure), 2 (usage). */
int cmd_probe(int argc, char **argv);

/*
 * Loads a trivial BPF program for @method ("raw_tp", "tp_btf", "fentry",
 * "kprobe") and attaches it to a standard target (sched_process_fork for the
 * tracepoint methods, where it also checks that the program runs on a fork;
 * folio_referenced for fentry and kprobe). Everything is closed again.
 * false: @reason says why, with the kernel's errno text.
 */
bool probe_attach_works(const char *method, char *reason, size_t len);

/*
 * Same for a given @target: a tracepoint name (raw_tp, tp_btf) or a kernel
 * function (fentry, kprobe). No check that the program runs.
 */
bool probe_attach_target(const char *method, const char *target,
			 char *reason, size_t len);

/* Prints @caps, one line per capability: "name: yes (details)" / "name: no (reason)". */
void probe_print_text(FILE *out, const json_t *caps);

/* Capability at a dotted path ("attach.fentry", "slab_caches.anon_vma"), or NULL. */
const json_t *probe_cap_get(const json_t *caps, const char *path);
/* Its "available" flag; false when absent. */
bool probe_cap_available(const json_t *caps, const char *path);

#endif
