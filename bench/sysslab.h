/* SPDX-License-Identifier: GPL-2.0 */
/*
 * System-wide figures of the tracked slab caches from /proc/slabinfo
 * (bench/sysslab.c); the workloads' side is wl_sysslab_*() in workload.h.
 */
#ifndef RMAPBENCH_SYSSLAB_H
#define RMAPBENCH_SYSSLAB_H

/* The environment variable that carries the run-start reading to workloads. */
#define SYSSLAB_START_ENV	"RMAPBENCH_SYSSLAB_START"

/*
 * Reads /proc/slabinfo once, before the run does anything else (in a guest:
 * right after boot), and leaves it in the environment every workload process
 * inherits.
 */
void sysslab_record_start(void);

#endif
