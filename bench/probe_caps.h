/* SPDX-License-Identifier: GPL-2.0 */
/*
 * `rmapbench probe`: what the running kernel supports. Every capability is a
 * JSON object {"available": true|false, "reason": null|"why not", ...details};
 * groups of capabilities (attach, tracepoints, rmap_functions, perf,
 * slab_caches) are objects of capabilities. Every "no" carries the reason,
 * with the errno text the kernel gave where there was a call to make.
 */
#ifndef RMAPBENCH_PROBE_CAPS_H
#define RMAPBENCH_PROBE_CAPS_H

#include <stdbool.h>
#include <jansson.h>

/* The "capabilities" object of the report (`rmapbench probe --json`). */
json_t *probe_capabilities(void);

/* Capability at a dotted path ("attach.fentry", "slab_caches.anon_vma"), or NULL. */
const json_t *probe_cap_get(const json_t *caps, const char *path);
/* Its "available" flag; false when absent. */
bool probe_cap_available(const json_t *caps, const char *path);

#endif
