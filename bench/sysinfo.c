// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel and machine facts for the report (probe_kernel, probe_machine) and
 * the helpers of the capability probe.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <zlib.h>
#include <nettle/sha2.h>
#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

#include "sysinfo.h"

/* ---- errno text ----------------------------------------------------- */

const char *sysinfo_errname(int err)
{
	if (err < 0)
		err = -err;
	/* kernel-internal codes that leak out of bpf() and perf_event_open() */
	switch (err) {
	case 512: return "ERESTARTSYS";
	case 515: return "ENOIOCTLCMD";
	case 517: return "EPROBE_DEFER";
	case 524: return "ENOTSUPP";
	case 525: return "ETOOSMALL";
	}
	return strerrorname_np(err);
}

const char *sysinfo_strerr(int err, char *buf, size_t len)
{
	const char *name, *text;

	if (err < 0)
		err = -err;
	name = sysinfo_errname(err);
	if (err == 524)
		text = "Operation not supported (kernel-internal errno 524)";
	else if (err == 525)
		text = "Buffer too small (kernel-internal errno 525)";
	else
		text = strerror(err);
	snprintf(buf, len, "%s (%s)", text, name ? name : "unknown errno");
	return buf;
}

/* ---- SHA-256 ------------------------------------------------------- */

void sysinfo_sha256_hex(const void *data, size_t len, char hex[SYSINFO_SHA256_HEX])
{
	static const char digits[] = "0123456789abcdef";
	uint8_t d[SHA256_DIGEST_SIZE];
	struct sha256_ctx c;
	size_t i;

	sha256_init(&c);
	sha256_update(&c, len, data);
	sha256_digest(&c, sizeof(d), d);
	for (i = 0; i < sizeof(d); i++) {
		hex[2 * i] = digits[d[i] >> 4];
		hex[2 * i + 1] = digits[d[i] & 15];
	}
	hex[2 * sizeof(d)] = '\0';
}

/* Decompresses a gzip file into memory (NUL-terminated). NULL, errno set. */
static char *gunzip_file(const char *path, size_t *lenp)
{
	size_t cap = 1 << 16, len = 0;
	char *buf = NULL, *tmp;
	gzFile gz;
	int n, fd, saved;

	/* open() first: gzopen() reports no errno for a missing file */
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	gz = gzdopen(fd, "rb");
	if (!gz) {
		close(fd);
		errno = ENOMEM;
		return NULL;
	}
	buf = malloc(cap);
	if (!buf)
		goto fail_nomem;
	for (;;) {
		if (cap - len < 4097) {
			tmp = realloc(buf, cap * 2);
			if (!tmp)
				goto fail_nomem;
			buf = tmp;
			cap *= 2;
		}
		n = gzread(gz, buf + len, (unsigned int)(cap - 1 - len));
		if (n < 0) {
			errno = EIO;
			goto fail;
		}
		if (n == 0)
			break;
		len += n;
	}
	gzclose(gz);
	buf[len] = '\0';
	*lenp = len;
	return buf;
fail_nomem:
	errno = ENOMEM;
fail:
	saved = errno;
	free(buf);
	gzclose(gz);
	errno = saved;
	return NULL;
}

int sysinfo_sha256_gzfile(const char *path, char hex[SYSINFO_SHA256_HEX])
{
	size_t len;
	char *data;

	data = gunzip_file(path, &len);
	if (!data)
		return -errno;
	sysinfo_sha256_hex(data, len, hex);
	free(data);
	return 0;
}

/* ---- kernel config -------------------------------------------------- */

static char *kconfig_text;
static int kconfig_err;

static void kconfig_load(void)
{
	struct utsname u;
	char path[512];
	size_t len;

	if (kconfig_text || kconfig_err)
		return;
	kconfig_text = gunzip_file("/proc/config.gz", &len);
	if (kconfig_text)
		return;
	if (uname(&u) == 0) {
		snprintf(path, sizeof(path), "/boot/config-%s", u.release);
		kconfig_text = procfs_slurp(path, NULL);
	}
	if (!kconfig_text)
		kconfig_err = errno ? errno : ENOENT;
}

int sysinfo_kconfig(const char *name, char *val, size_t len)
{
	size_t nl = strlen(name);
	const char *p, *end;
	size_t n;

	if (len)
		val[0] = '\0';
	kconfig_load();
	if (!kconfig_text)
		return -kconfig_err;
	for (p = kconfig_text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		if (strncmp(p, name, nl) || p[nl] != '=')
			continue;
		p += nl + 1;
		end = strchr(p, '\n');
		n = end ? (size_t)(end - p) : strlen(p);
		if (n >= len)
			n = len ? len - 1 : 0;
		if (len) {
			memcpy(val, p, n);
			val[n] = '\0';
		}
		return 1;
	}
	return 0;
}

static const struct {
	const char *method;
	const char *const needs[6];
} method_kconfig[] = {
	{ "raw_tp", { "CONFIG_BPF_EVENTS" } },
	{ "tp_btf", { "CONFIG_BPF_EVENTS", "CONFIG_DEBUG_INFO_BTF" } },
	{ "fentry", { "CONFIG_BPF_JIT", "CONFIG_FUNCTION_TRACER", "CONFIG_DYNAMIC_FTRACE",
		      "CONFIG_DYNAMIC_FTRACE_WITH_DIRECT_CALLS", "CONFIG_DEBUG_INFO_BTF" } },
	{ "kprobe", { "CONFIG_KPROBES", "CONFIG_KPROBE_EVENTS", "CONFIG_BPF_EVENTS" } },
};

void sysinfo_kconfig_hint(const char *method, char *buf, size_t len)
{
	size_t i, j, used;
	bool first = true;
	char val[64];

	for (i = 0; i < sizeof(method_kconfig) / sizeof(method_kconfig[0]); i++) {
		if (strcmp(method_kconfig[i].method, method))
			continue;
		for (j = 0; j < 6 && method_kconfig[i].needs[j]; j++) {
			if (sysinfo_kconfig(method_kconfig[i].needs[j], val, sizeof(val)) != 0)
				continue;	/* set, or no configuration to look at */
			used = strlen(buf);
			if (used + 1 < len)
				snprintf(buf + used, len - used, "%s%s is not set",
					 first ? "; kernel config: " : ", ",
					 method_kconfig[i].needs[j]);
			first = false;
		}
	}
}

/* ---- machine -------------------------------------------------------- */

const char *sysinfo_virt(void)
{
#if defined(__x86_64__) || defined(__i386__)
	static const unsigned int leaves[] = { 0x40000000, 0x40000100 };
	unsigned int a, b, c, d, i;
	char sig[13];

	__cpuid(1, a, b, c, d);
	if (!(c & (1u << 31)))
		return "native";
	for (i = 0; i < sizeof(leaves) / sizeof(leaves[0]); i++) {
		__cpuid(leaves[i], a, b, c, d);
		memcpy(sig, &b, 4);
		memcpy(sig + 4, &c, 4);
		memcpy(sig + 8, &d, 4);
		sig[12] = '\0';
		if (!strcmp(sig, "TCGTCGTCGTCG"))
			return "tcg";
		/* "KVMKVMKVM\0\0\0"; with Hyper-V enlightenments it sits at 0x40000100 */
		if (!memcmp(sig, "KVMKVMKVM", 9))
			return "kvm";
	}
	return "vm";
#else
	return NULL;
#endif
}

/* Value after "key<spaces>:" on a line of /proc/cpuinfo or /proc/meminfo. */
static bool find_field(const char *text, const char *key, char *out, size_t len)
{
	size_t kl = strlen(key);
	const char *p = text, *v, *end;
	size_t n;

	while (p && *p) {
		if (!strncmp(p, key, kl) && (p[kl] == ' ' || p[kl] == '\t' || p[kl] == ':')) {
			v = strchr(p, ':');
			end = strchr(p, '\n');
			if (v && (!end || v < end)) {
				v++;
				while (*v == ' ' || *v == '\t')
					v++;
				n = end ? (size_t)(end - v) : strlen(v);
				if (n >= len)
					n = len - 1;
				memcpy(out, v, n);
				out[n] = '\0';
				return true;
			}
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return false;
}

static json_t *cpu_model(void)
{
	static const char *const keys[] = { "model name", "Model", "cpu model", "Processor" };
	char model[256];
	json_t *ret = json_null();
	size_t i;
	char *text;

	text = procfs_slurp("/proc/cpuinfo", NULL);
	if (!text)
		return ret;
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		if (find_field(text, keys[i], model, sizeof(model)) && model[0]) {
			ret = json_string(model);	/* NULL if not UTF-8 */
			if (!ret)
				ret = json_null();
			break;
		}
	}
	free(text);
	return ret;
}

static json_t *memory_kib(void)
{
	char val[64];
	char *text;
	long long kib = -1;

	text = procfs_slurp("/proc/meminfo", NULL);
	if (!text)
		return json_null();
	if (find_field(text, "MemTotal", val, sizeof(val)))
		kib = strtoll(val, NULL, 10);
	free(text);
	return kib > 0 ? json_integer(kib) : json_null();
}

json_t *probe_machine(void)
{
	const char *virt = sysinfo_virt();
	long cores = sysconf(_SC_NPROCESSORS_ONLN);

	return json_pack("{s:o, s:o, s:o, s:o, s:n}",
			 "cpu_model", cpu_model(),
			 "cores", cores > 0 ? json_integer(cores) : json_null(),
			 "memory_kib", memory_kib(),
			 "virt", virt ? json_string(virt) : json_null(),
			 "accel");
}

/* ---- kernel --------------------------------------------------------- */

json_t *probe_kernel(void)
{
	char hex[SYSINFO_SHA256_HEX];
	json_t *cmdline = json_null();
	struct utsname u;
	char *text;

	if (uname(&u))
		return NULL;
	text = procfs_slurp("/proc/cmdline", NULL);
	if (text) {
		size_t n = strlen(text);

		while (n && (text[n - 1] == '\n' || text[n - 1] == ' '))
			text[--n] = '\0';
		cmdline = json_string(text);
		free(text);
	}
	return json_pack("{s:s, s:s, s:o, s:o}",
			 "release", u.release,
			 "version", u.version,
			 "cmdline", cmdline ? cmdline : json_null(),
			 "config_sha256",
			 sysinfo_sha256_gzfile("/proc/config.gz", hex) ? json_null() : json_string(hex));
}
