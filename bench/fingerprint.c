// SPDX-License-Identifier: GPL-2.0
/*
 * Machine fingerprints: `rmapbench run` writes machine.fingerprint into
 * every report, `rmapbench compare` groups its inputs by it (and computes
 * one from the fields for reports written before it existed, with the same
 * fingerprint_of(): the one rule both sides of the report share, which is why
 * report/ may include this header). `rmapbench fingerprint`
 * (fingerprint_cmd.c) prints this machine's, which run.sh hands to its guests.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fingerprint.h"
#include "sysinfo.h"

#define FP_DOMAIN "rmapbench-machine-fingerprint 1"
#define FP_CMDLINE_KEY "rmapbench.host_fingerprint="
#define FP_ENV "RMAPBENCH_HOST_FINGERPRINT"
#define FP_ID_ENV "RMAPBENCH_MACHINE_ID"

long long fingerprint_memory_mib(long long kib)
{
	long long mib = (kib + 1023) / 1024, p = 1;

	if (kib <= 0)
		return 0;
	while (p < mib && p < (1LL << 40))
		p <<= 1;
	return p;
}

bool fingerprint_valid(const char *s)
{
	size_t i;

	for (i = 0; s && i < FP_DIGITS; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return s && !s[FP_DIGITS];
}

static const char *str_or_dash(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "-";
}

void fingerprint_of(json_t *machine, const char *id, char out[FP_LEN])
{
	json_t *cores = json_object_get(machine, "cores");
	json_t *mem = json_object_get(machine, "memory_kib");
	char hex[SYSINFO_SHA256_HEX];
	char *text;

	if (asprintf(&text, "%s\ncpu_model=%s\ncores=%lld\nmemory_mib=%lld\nvirt=%s\naccel=%s\nhost=%s\nid=%s\n",
		     FP_DOMAIN, str_or_dash(machine, "cpu_model"),
		     json_is_integer(cores) ? (long long)json_integer_value(cores) : -1,
		     fingerprint_memory_mib(json_is_integer(mem) ? json_integer_value(mem) : 0),
		     str_or_dash(machine, "virt"), str_or_dash(machine, "accel"),
		     str_or_dash(machine, "host_fingerprint"), id ? id : "-") < 0) {
		snprintf(out, FP_LEN, "%0*d", FP_DIGITS, 0);
		return;
	}
	sysinfo_sha256_hex(text, strlen(text), hex);
	free(text);
	snprintf(out, FP_LEN, "%.*s", FP_DIGITS, hex);
}

/* First line of a small file, trailing whitespace cut; false if none. */
static bool read_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "re");
	bool ok = f && fgets(buf, (int)len, f);
	size_t n;

	if (f)
		fclose(f);
	if (!ok)
		return false;
	n = strlen(buf);
	while (n && (buf[n - 1] == '\n' || buf[n - 1] == ' ' || buf[n - 1] == '\t'))
		buf[--n] = '\0';
	return n > 0;
}

/* The host's fingerprint handed to a guest, NULL: none. */
static const char *host_fingerprint(char *buf, size_t len)
{
	const char *src = "the kernel command line", *v = NULL;
	char cmdline[4096], *p;

	if (read_line("/proc/cmdline", cmdline, sizeof(cmdline))) {
		for (p = strstr(cmdline, FP_CMDLINE_KEY); p; p = strstr(p + 1, FP_CMDLINE_KEY)) {
			if (p == cmdline || p[-1] == ' ') {
				v = p + strlen(FP_CMDLINE_KEY);
				break;
			}
		}
	}
	if (!v) {
		v = getenv(FP_ENV);
		src = "$" FP_ENV;
	}
	if (!v || !*v)
		return NULL;
	snprintf(buf, len, "%.*s", (int)strcspn(v, " "), v);
	if (fingerprint_valid(buf))
		return buf;
	fprintf(stderr, "rmapbench: warning: host fingerprint '%s' from %s is not %d lowercase hex digits: ignored\n",
		buf, src, FP_DIGITS);
	return NULL;
}

/*
 * The identity of this machine: $RMAPBENCH_MACHINE_ID (labs whose root file
 * system is deployed per job, where /etc/machine-id is new every job or the
 * image's), else /etc/machine-id; NULL: none.
 */
static const char *machine_id(char *buf, size_t len)
{
	const char *own = getenv(FP_ID_ENV);

	if (own && *own)
		return own;
	if (read_line("/etc/machine-id", buf, len) && strcmp(buf, "uninitialized"))
		return buf;
	return NULL;
}

void fingerprint_add(json_t *machine)
{
	char host[64], idbuf[128], fp[FP_LEN];
	const char *h = host_fingerprint(host, sizeof(host));
	const char *id = machine_id(idbuf, sizeof(idbuf));

	if (!machine)
		return;
	if (h)
		json_object_set_new(machine, "host_fingerprint", json_string(h));
	fingerprint_of(machine, id, fp);
	json_object_set_new(machine, "fingerprint", json_string(fp));
}
