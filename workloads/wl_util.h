/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers private to the workloads, on top of workload.h (workloads/common.c).
 */
#ifndef RMAPBENCH_WL_UTIL_H
#define RMAPBENCH_WL_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "workload.h"

/* One line of /proc/self/maps. */
struct wl_vma {
	uintptr_t start;
	uintptr_t end;
	char perms[5];		/* "rw-p" */
};

typedef int (*wl_vma_fn)(const struct wl_vma *vma, void *arg);

/*
 * Parses the text of /proc/self/maps and calls @fn for every VMA that
 * intersects [start, start + len) ([vsyscall] excluded). Allocates nothing,
 * so it cannot change the layout it reads. A non-zero return of @fn stops the
 * walk. Returns the number of VMAs passed to @fn, or -1 with errno set.
 */
int wl_maps_walk(uintptr_t start, size_t len, wl_vma_fn fn, void *arg);

/* sysconf(_SC_PAGESIZE), cached. */
size_t wl_page_size(void);

/*
 * Emits "<prefix>.<cache>" = objects allocated between @before and @after
 * (exact), for every cache present on this kernel; "unavailable" when the
 * slab accounting is.
 */
void wl_emit_slab_allocs(struct wl_ctx *ctx, const char *prefix,
			 const struct slab_snapshot *before,
			 const struct slab_snapshot *after);

#endif
