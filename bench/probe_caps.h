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

/*
 * The "capabilities" object of the report (`rmapbench probe --json`): a new
 * reference. Probed at the first call; later calls return the same results.
 */
json_t *probe_capabilities(void);
/*
 * One capability of this process's probe, at a dotted path ("zram",
 * "memcg"); NULL when there is no such capability. The runner, workloads'
 * supported() and the collectors read the probe's results through it
 * instead of probing again. The cheap capabilities (swap, zram, memcg,
 * memcg_reclaim, thp, ksm, numa, max_map_count) are probed alone when the
 * whole probe has not run; any other runs it.
 */
const json_t *probe_cap(const char *path);

/*
 * A run probes once, in the runner: probe_caps_memfd() writes what this
 * process has probed to a memfd (close-on-exec; -1 when nothing was probed
 * or on error), which the runner hands to every re-executed workload child;
 * the child's probe_caps_inherit() takes that fd as its probe results, read
 * at its first probe_cap() or probe_capabilities() instead of probing again.
 */
int probe_caps_memfd(void);
void probe_caps_inherit(int fd);

/* Capability at a dotted path ("attach.fentry", "slab_caches.anon_vma"), or NULL. */
const json_t *probe_cap_get(const json_t *caps, const char *path);
/* Its "available" flag; false when absent. */
bool probe_cap_available(const json_t *caps, const char *path);

#endif
