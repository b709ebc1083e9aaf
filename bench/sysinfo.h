/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Facts about the running kernel and machine, and the small helpers the
 * capability probe is built from: sysfs/procfs readers, errno text, a
 * kernel config lookup and a SHA-256 (FIPS 180-4) for config_sha256.
 */
#ifndef RMAPBENCH_SYSINFO_H
#define RMAPBENCH_SYSINFO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "procfs.h"	/* the sysfs/procfs readers */

/* {release, version, cmdline, config_sha256|null} of the running kernel */
json_t *probe_kernel(void);
/* {cpu_model, cores, memory_kib, virt, accel:null} */
json_t *probe_machine(void);

/* "native", "kvm", "tcg" or "vm" (cpuid); NULL off x86 */
const char *sysinfo_virt(void);

#define SYSINFO_SHA256_LEN 32
#define SYSINFO_SHA256_HEX 65

struct sysinfo_sha256 {
	uint32_t h[8];
	uint64_t bytes;
	uint8_t buf[64];
	size_t used;
};

void sysinfo_sha256_init(struct sysinfo_sha256 *c);
void sysinfo_sha256_update(struct sysinfo_sha256 *c, const void *data, size_t len);
void sysinfo_sha256_final(struct sysinfo_sha256 *c, uint8_t out[SYSINFO_SHA256_LEN]);
void sysinfo_sha256_hex(const uint8_t d[SYSINFO_SHA256_LEN], char hex[SYSINFO_SHA256_HEX]);
/* SHA-256 of the decompressed contents of a gzip file. 0 or -errno. */
int sysinfo_sha256_gzfile(const char *path, char hex[SYSINFO_SHA256_HEX]);

/*
 * Kernel configuration (/proc/config.gz, else /boot/config-<release>).
 * Returns 1 and the value ("y", "m", "\"lzo\"") when set, 0 when not set,
 * -errno when no configuration is readable.
 */
int sysinfo_kconfig(const char *name, char *val, size_t len);

/* errno name, also for kernel-internal ones (524 → "ENOTSUPP"); NULL if unknown */
const char *sysinfo_errname(int err);
/* "Operation not permitted (EPERM)"; sign of @err ignored */
const char *sysinfo_strerr(int err, char *buf, size_t len);

#endif
