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

/* ---- SHA-256, FIPS 180-4 -------------------------------------------- */

static const uint32_t sha256_k[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
	0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
	0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
	0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
	0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static inline uint32_t ror32(uint32_t x, unsigned int n)
{
	return (x >> n) | (x << (32 - n));
}

static void sha256_block(uint32_t h[8], const uint8_t p[64])
{
	uint32_t w[64], a, b, c, d, e, f, g, hh, t1, t2;
	int i;

	for (i = 0; i < 16; i++)
		w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
		       (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
	for (i = 16; i < 64; i++) {
		uint32_t s0 = ror32(w[i - 15], 7) ^ ror32(w[i - 15], 18) ^ (w[i - 15] >> 3);
		uint32_t s1 = ror32(w[i - 2], 17) ^ ror32(w[i - 2], 19) ^ (w[i - 2] >> 10);

		w[i] = w[i - 16] + s0 + w[i - 7] + s1;
	}
	a = h[0]; b = h[1]; c = h[2]; d = h[3];
	e = h[4]; f = h[5]; g = h[6]; hh = h[7];
	for (i = 0; i < 64; i++) {
		t1 = hh + (ror32(e, 6) ^ ror32(e, 11) ^ ror32(e, 25)) +
		     ((e & f) ^ (~e & g)) + sha256_k[i] + w[i];
		t2 = (ror32(a, 2) ^ ror32(a, 13) ^ ror32(a, 22)) +
		     ((a & b) ^ (a & c) ^ (b & c));
		hh = g; g = f; f = e; e = d + t1;
		d = c; c = b; b = a; a = t1 + t2;
	}
	h[0] += a; h[1] += b; h[2] += c; h[3] += d;
	h[4] += e; h[5] += f; h[6] += g; h[7] += hh;
}

void sysinfo_sha256_init(struct sysinfo_sha256 *c)
{
	static const uint32_t iv[8] = {
		0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
		0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
	};

	memcpy(c->h, iv, sizeof(iv));
	c->bytes = 0;
	c->used = 0;
}

void sysinfo_sha256_update(struct sysinfo_sha256 *c, const void *data, size_t len)
{
	const uint8_t *p = data;
	size_t n;

	c->bytes += len;
	while (len) {
		if (!c->used && len >= 64) {
			sha256_block(c->h, p);
			p += 64;
			len -= 64;
			continue;
		}
		n = 64 - c->used;
		if (n > len)
			n = len;
		memcpy(c->buf + c->used, p, n);
		c->used += n;
		p += n;
		len -= n;
		if (c->used == 64) {
			sha256_block(c->h, c->buf);
			c->used = 0;
		}
	}
}

void sysinfo_sha256_final(struct sysinfo_sha256 *c, uint8_t out[SYSINFO_SHA256_LEN])
{
	uint64_t bits = c->bytes * 8;
	int i;

	c->buf[c->used++] = 0x80;
	if (c->used > 56) {
		memset(c->buf + c->used, 0, 64 - c->used);
		sha256_block(c->h, c->buf);
		c->used = 0;
	}
	memset(c->buf + c->used, 0, 56 - c->used);
	for (i = 0; i < 8; i++)
		c->buf[56 + i] = (uint8_t)(bits >> (56 - 8 * i));
	sha256_block(c->h, c->buf);
	for (i = 0; i < 8; i++) {
		out[4 * i] = c->h[i] >> 24;
		out[4 * i + 1] = c->h[i] >> 16;
		out[4 * i + 2] = c->h[i] >> 8;
		out[4 * i + 3] = c->h[i];
	}
}

void sysinfo_sha256_hex(const uint8_t d[SYSINFO_SHA256_LEN], char hex[SYSINFO_SHA256_HEX])
{
	static const char digits[] = "0123456789abcdef";
	int i;

	for (i = 0; i < SYSINFO_SHA256_LEN; i++) {
		hex[2 * i] = digits[d[i] >> 4];
		hex[2 * i + 1] = digits[d[i] & 15];
	}
	hex[2 * SYSINFO_SHA256_LEN] = '\0';
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
	struct sysinfo_sha256 c;
	uint8_t d[SYSINFO_SHA256_LEN];
	size_t len;
	char *data;

	data = gunzip_file(path, &len);
	if (!data)
		return -errno;
	sysinfo_sha256_init(&c);
	sysinfo_sha256_update(&c, data, len);
	sysinfo_sha256_final(&c, d);
	sysinfo_sha256_hex(d, hex);
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
