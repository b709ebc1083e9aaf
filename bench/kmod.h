/* SPDX-License-Identifier: GPL-2.0 */
/* Kernel modules the runner loads for workloads (kmod.c). */
#ifndef RMAPBENCH_KMOD_H
#define RMAPBENCH_KMOD_H

/*
 * Loads zram (num_devices=0) when it is a module the probe found and nobody
 * loaded; a failure is a warning (the workload's setup then says why).
 */
void kmod_zram_prepare(void);
/* Unloads what this run loaded; the end of cmd_run calls it. */
void kmod_restore(void);

#endif
