/* SPDX-License-Identifier: GPL-2.0 */
/*
 * zram swap made for a workload (workloads/zram.c), on the machine-state
 * guard of workload.h: the device, its node and the swap are undone by
 * wl_guard_end().
 */
#ifndef RMAPBENCH_ZRAM_H
#define RMAPBENCH_ZRAM_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "workload.h"

struct wl_swap {
	int zram_id;
	char dev[PATH_MAX];
	uint64_t bytes;
};

/* Whether a zram swap device can be made here; @why says why not. */
bool wl_swap_supported(char *why, size_t len);
/*
 * Creates a zram device of @bytes, writes a swap header and enables it with
 * the highest priority; zswap is switched off meanwhile so that pswpout
 * counts every page. Everything is undone by wl_guard_end().
 */
int wl_swap_create(struct wl_guard *g, struct wl_swap *sw, uint64_t bytes,
		   char *why, size_t len);

#endif
