/* SPDX-License-Identifier: GPL-2.0 */
/*
 * PROCMAP_QUERY (Linux 6.11+, include/uapi/linux/fs.h): one VMA of a process
 * by ioctl on its /proc/<pid>/maps. Declared here under our own names because
 * the build host's headers may predate it (Debian 12's do); the ABI is fixed
 * by the size field. Used by the VMA counter (workloads/common.c) and the
 * capability probe.
 */
#ifndef RMAPBENCH_PROCMAP_QUERY_H
#define RMAPBENCH_PROCMAP_QUERY_H

#include <stdint.h>
#include <sys/ioctl.h>

struct wl_procmap_query {
	uint64_t size;
	uint64_t query_flags;
	uint64_t query_addr;
	uint64_t vma_start;
	uint64_t vma_end;
	uint64_t vma_flags;
	uint64_t vma_page_size;
	uint64_t vma_offset;
	uint64_t inode;
	uint32_t dev_major;
	uint32_t dev_minor;
	uint32_t vma_name_size;
	uint32_t build_id_size;
	uint64_t vma_name_addr;
	uint64_t build_id_addr;
};
_Static_assert(sizeof(struct wl_procmap_query) == 104, "PROCMAP_QUERY encodes 104 bytes");

#define WL_PROCMAP_QUERY		_IOWR('f', 17, struct wl_procmap_query)
#define WL_PROCMAP_COVERING_OR_NEXT	0x10

#endif
