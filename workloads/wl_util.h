/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the workloads, on top of workload.h (workloads/wl_util.c).
 */
#ifndef RMAPBENCH_WL_UTIL_H
#define RMAPBENCH_WL_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "workload.h"

/* Number of VMAs of the calling process ([vsyscall] excluded). */
int wl_count_vmas(void);
/* Number of VMAs intersecting [start, start+len) of the calling process. */
int wl_count_vmas_in(uintptr_t start, size_t len);
/* CLOCK_MONOTONIC in ns. */
uint64_t wl_now_ns(void);
/* Writes one byte per page of [addr, addr+len). */
void wl_touch(void *addr, size_t len);
/* Waits for a child and returns its exit status, -1 on error. */
int wl_wait_child(int pid);
/* Reaps all children; how many failed, or -1 on a waitpid error. */
int wl_reap_all(void);

/*
 * Records the first error of any process of a workload's tree: @failed and
 * @buf live in MAP_SHARED memory; later errors are dropped.
 */
void wl_first_error(int *failed, char *buf, size_t len, const char *fmt, va_list ap);

/* A /proc/vmstat counter, -1 when absent. */
long long wl_vmstat(const char *name);
/*
 * Page frame numbers backing @n pages from @addr in this process (0: not
 * present); needs CAP_SYS_ADMIN for real numbers. 0 or -errno.
 */
int wl_pfns(const void *addr, size_t n, uint64_t *pfns);
/* Anonymous memory mapping aligned to @align (a power of two). */
void *wl_map_aligned(size_t len, size_t align);

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
