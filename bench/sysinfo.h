/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Facts about the running kernel and machine, and the small helpers the
 * capability probe is built from: sysfs/procfs readers, errno text, a
 * kernel config lookup and the SHA-256 (nettle) of config_sha256.
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

#define SYSINFO_SHA256_HEX 65

/* SHA-256 of @data (nettle), as 64 hex digits. */
void sysinfo_sha256_hex(const void *data, size_t len, char hex[SYSINFO_SHA256_HEX]);
/* SHA-256 of the decompressed contents of a gzip file. 0 or -errno. */
int sysinfo_sha256_gzfile(const char *path, char hex[SYSINFO_SHA256_HEX]);

/*
 * Kernel configuration (/proc/config.gz, else /boot/config-<release>).
 * Returns 1 and the value ("y", "m", "\"lzo\"") when set, 0 when not set,
 * -errno when no configuration is readable.
 */
int sysinfo_kconfig(const char *name, char *val, size_t len);
/*
 * For a BPF attach @method ("raw_tp", "tp_btf", "fentry", "kprobe") that
 * failed: appends "; kernel config: CONFIG_X is not set, ..." to @buf for the
 * options it needs that the kernel configuration leaves unset (nothing when
 * all are set, or no configuration is readable). The one list of them.
 */
void sysinfo_kconfig_hint(const char *method, char *buf, size_t len);

/* errno name, also for kernel-internal ones (524 → "ENOTSUPP"); NULL if unknown */
const char *sysinfo_errname(int err);
/* "Operation not permitted (EPERM)"; sign of @err ignored */
const char *sysinfo_strerr(int err, char *buf, size_t len);

#endif
