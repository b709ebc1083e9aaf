/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The runner's side of the machine-state guard (bench/guard.c); the
 * workloads' side (wl_guard_*) is in workload.h.
 */
#ifndef RMAPBENCH_GUARD_H
#define RMAPBENCH_GUARD_H

/*
 * Undoes journals whose lock is free (their owners died), waiting up to 30 s
 * for an owner that is dying; journals of live runs are left alone. Takes
 * state.lock first (skips when a live process holds it); never call it
 * inside a guard. The runner calls it at start-up and after a repetition
 * was killed. Returns how many journals were replayed.
 */
int guard_recover_stale(void);

#endif
