// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel modules the runner loads for a workload, in its own process, never
 * in a workload's tracked process tree, and unloads at the end of the run (the
 * guard's rule: what a run changes on the machine, it restores). Today only
 * zram, for workloads that make zram swap (workload_info.uses_zram): loaded
 * from the workload's child, modprobe's processes would count in that
 * repetition's slab objects and its exact counts would differ from the next.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "kmod.h"
#include "probe_caps.h"
#include "util.h"

#define ZRAM_HOT_ADD "/sys/class/zram-control/hot_add"

static bool zram_loaded_here;

void kmod_zram_prepare(void)
{
	const json_t *cap;

	if (zram_loaded_here || access(ZRAM_HOT_ADD, F_OK) == 0)
		return;
	/* the probe found a zram.ko (or the workload's supported() says why not) */
	cap = probe_cap("zram");
	if (!json_is_true(json_object_get(cap, "available")) || geteuid() != 0)
		return;
	if (system("modprobe zram num_devices=0 >/dev/null 2>&1") != 0 ||
	    access(ZRAM_HOT_ADD, F_OK) != 0) {
		err("warning: modprobe zram failed: workloads that need zram swap will fail");
		return;
	}
	zram_loaded_here = true;
	info("loaded the zram module (unloaded at the end of the run)");
}

void kmod_restore(void)
{
	if (!zram_loaded_here)
		return;
	zram_loaded_here = false;
	if (system("modprobe -r zram >/dev/null 2>&1") != 0)
		err("warning: could not unload the zram module this run loaded (modprobe -r zram)");
}
