/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Machine fingerprints (docs/report-schema.md, "machine.fingerprint"):
 * a short, stable id of the machine a report was measured on, by which
 * `rmapbench compare` groups its inputs (docs/compare.md, "Many machines").
 */
#ifndef RMAPBENCH_FINGERPRINT_H
#define RMAPBENCH_FINGERPRINT_H

#include <stdbool.h>
#include <jansson.h>

#define FP_DIGITS	16
#define FP_LEN		(FP_DIGITS + 1)

/*
 * The fingerprint of a report's "machine" object: the first 16 hex digits
 * of the SHA-256 of its cpu_model, cores, memory (MemTotal rounded up to a
 * power of two MiB: kernels reserve different amounts), virt, accel and
 * host_fingerprint, and of @id when not NULL (this machine's
 * /etc/machine-id, which is never written anywhere).
 */
void fingerprint_of(json_t *machine, const char *id, char out[FP_LEN]);

/* MemTotal in KiB as it enters the fingerprint: MiB, a power of two; 0: unknown. */
long long fingerprint_memory_mib(long long kib);

/* 16 lowercase hex digits? */
bool fingerprint_valid(const char *s);

/*
 * Adds "fingerprint" to @machine (the report header's, accel already set),
 * and "host_fingerprint" when the run is a guest told its host's: from
 * rmapbench.host_fingerprint= on the kernel command line (run.sh), else
 * $RMAPBENCH_HOST_FINGERPRINT. A malformed one is ignored with a warning.
 * The machine's identity: $RMAPBENCH_MACHINE_ID, else /etc/machine-id.
 */
void fingerprint_add(json_t *machine);

#endif
