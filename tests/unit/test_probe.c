// SPDX-License-Identifier: GPL-2.0
/* Unit tests: SHA-256 (nettle), sysinfo helpers, capability objects and text output. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#include <cmocka.h>

#include "procfs.h"
#include "probe.h"
#include "workload.h"
#include "sysinfo.h"

/* FIPS 180-4 / NIST example vectors: the library is wired up right */
static void test_sha256_vectors(void **state)
{
	char hex[SYSINFO_SHA256_HEX];
	char *million;

	(void)state;
	sysinfo_sha256_hex("", 0, hex);
	assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	sysinfo_sha256_hex("abc", 3, hex);
	assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	sysinfo_sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56, hex);
	assert_string_equal(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	million = malloc(1000000);
	assert_non_null(million);
	memset(million, 'a', 1000000);
	sysinfo_sha256_hex(million, 1000000, hex);
	assert_string_equal(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	free(million);
}

/* Runs @cmd and returns the first word of its output in @out (0), or -1. */
static int first_word(const char *cmd, char *out, size_t len)
{
	FILE *p = popen(cmd, "r");
	int ok;

	if (!p)
		return -1;
	ok = fscanf(p, "%64s", out) == 1;
	ok &= pclose(p) == 0;
	(void)len;
	return ok ? 0 : -1;
}

/* The gzip path against sha256sum, on a file that spans several reads. */
static void test_sha256_gzfile(void **state)
{
	char path[] = "/tmp/rmapbench-sha.XXXXXX", gzpath[64], cmd[256];
	char ours[SYSINFO_SHA256_HEX], theirs[80];
	gzFile gz;
	FILE *f;
	int fd, i;

	(void)state;
	if (system("command -v sha256sum >/dev/null 2>&1"))
		skip();
	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	snprintf(gzpath, sizeof(gzpath), "%s.gz", path);
	gz = gzopen(gzpath, "wb");
	assert_non_null(gz);
	for (i = 0; i < 50000; i++) {
		char line[64];
		int n = snprintf(line, sizeof(line), "CONFIG_LINE_%d=y\n", i * 31);

		fwrite(line, 1, n, f);
		gzwrite(gz, line, n);
	}
	fclose(f);
	gzclose(gz);
	assert_int_equal(sysinfo_sha256_gzfile(gzpath, ours), 0);
	snprintf(cmd, sizeof(cmd), "sha256sum %s", path);
	assert_int_equal(first_word(cmd, theirs, sizeof(theirs)), 0);
	assert_string_equal(ours, theirs);
	assert_int_equal(sysinfo_sha256_gzfile("/nonexistent/config.gz", ours), -ENOENT);
	unlink(path);
	unlink(gzpath);
}

/* probe_kernel's config_sha256 is the digest of the decompressed /proc/config.gz */
static void test_kernel_config_sha(void **state)
{
	char theirs[80];
	json_t *k;

	(void)state;
	k = probe_kernel();
	assert_non_null(k);
	assert_true(json_is_string(json_object_get(k, "release")));
	assert_true(json_is_string(json_object_get(k, "version")));
	if (access("/proc/config.gz", R_OK) ||
	    first_word("zcat /proc/config.gz | sha256sum", theirs, sizeof(theirs))) {
		json_decref(k);
		skip();
	}
	assert_string_equal(json_string_value(json_object_get(k, "config_sha256")), theirs);
	json_decref(k);
}

static void test_machine(void **state)
{
	const char *virt;
	json_t *m;

	(void)state;
	m = probe_machine();
	assert_non_null(m);
	assert_int_equal(json_integer_value(json_object_get(m, "cores")),
			 sysconf(_SC_NPROCESSORS_ONLN));
	assert_true(json_integer_value(json_object_get(m, "memory_kib")) > 0);
	assert_true(json_is_null(json_object_get(m, "accel")));
	virt = json_string_value(json_object_get(m, "virt"));
	assert_non_null(virt);
	assert_true(!strcmp(virt, "native") || !strcmp(virt, "kvm") ||
		    !strcmp(virt, "tcg") || !strcmp(virt, "vm"));
	json_decref(m);
}

static void test_helpers(void **state)
{
	char buf[128];

	(void)state;
	assert_int_equal(procfs_bracket_choice("always [madvise] never", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "madvise");
	assert_int_equal(procfs_bracket_choice("always defer defer+madvise [madvise] never",
						buf, sizeof(buf)), 0);
	assert_string_equal(buf, "madvise");
	assert_int_equal(procfs_bracket_choice("always madvise never", buf, sizeof(buf)), -ENOENT);
	assert_true(procfs_has_word("cpuset cpu io memory", "memory"));
	assert_true(procfs_has_word("memory\n", "memory"));
	assert_false(procfs_has_word("cpuset memory_x io", "memory"));
	assert_string_equal(sysinfo_errname(EPERM), "EPERM");
	assert_string_equal(sysinfo_errname(-EOPNOTSUPP), "EOPNOTSUPP");
	assert_string_equal(sysinfo_errname(524), "ENOTSUPP");
	assert_string_equal(sysinfo_strerr(-EPERM, buf, sizeof(buf)),
			    "Operation not permitted (EPERM)");
}

static void test_attach_unknown_method(void **state)
{
	char reason[PROBE_REASON_LEN];

	(void)state;
	assert_false(probe_attach_works("uprobe", reason, sizeof(reason)));
	assert_non_null(strstr(reason, "unknown attach method 'uprobe'"));
}

static char *render(const json_t *caps)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	assert_non_null(f);
	probe_print_text(f, caps);
	fclose(f);
	return text;
}

static void test_text_output(void **state)
{
	json_t *caps;
	char *text;

	(void)state;
	caps = json_pack("{s:{s:b, s:n, s:s, s:i, s:b, s:[s, s], s:n},"
			 " s:{s:{s:b, s:s, s:s}}}",
			 "slab", "available", 1, "reason", "sysfs", ":A-0000064", "aliases", 2,
			 "merged", 1, "merged_with", "fs_cache", "eventpoll_pwq", "slab",
			 "attach", "fentry", "available", 0,
			 "reason", "fentry on f: load refused: Operation not permitted (EPERM)",
			 "target", "f");
	assert_non_null(caps);
	text = render(caps);
	assert_string_equal(text,
		"slab: yes (sysfs=:A-0000064, aliases=2, merged=yes, merged_with=fs_cache,eventpoll_pwq)\n"
		"attach.fentry: no (fentry on f: load refused: Operation not permitted (EPERM))\n");
	free(text);
	assert_true(probe_cap_available(caps, "slab"));
	assert_false(probe_cap_available(caps, "attach.fentry"));
	assert_false(probe_cap_available(caps, "attach.nothing"));
	assert_non_null(probe_cap_get(caps, "attach.fentry"));
	json_decref(caps);
}

/* Every capability: "available" boolean; "reason" null iff available. */
static void check_caps(const json_t *obj, int depth)
{
	const json_t *avail, *reason;
	const char *key;
	json_t *v;

	assert_true(depth < 3);
	json_object_foreach((json_t *)obj, key, v) {
		assert_true(json_is_object(v));
		avail = json_object_get(v, "available");
		if (!avail) {
			check_caps(v, depth + 1);
			continue;
		}
		assert_true(json_is_boolean(avail));
		reason = json_object_get(v, "reason");
		if (json_is_true(avail))
			assert_true(json_is_null(reason));
		else
			assert_true(json_is_string(reason) && json_string_length(reason) > 0);
	}
}

static void test_capabilities_shape(void **state)
{
	static const char *const must[] = {
		"kernel", "btf", "bpf", "attach.raw_tp", "attach.tp_btf", "attach.fentry",
		"attach.kprobe", "tracepoints", "rmap_functions.rmap_walk_anon", "kallsyms",
		"swap", "zram", "memcg", "memcg_reclaim", "thp", "ksm", "numa",
		"max_map_count", "compaction", "soft_offline", "perf.page_faults", "perf.cycles",
		"perf.instructions", "procmap_query", "slab_caches.vm_area_struct", "slab_caches.anon_vma",
		"slab_caches.anon_vma_chain", "slab_caches.vma_lock", "slab_nomerge",
	};
	json_t *caps;
	size_t i;

	(void)state;
	caps = probe_capabilities();
	assert_non_null(caps);
	check_caps(caps, 0);
	for (i = 0; i < sizeof(must) / sizeof(must[0]); i++)
		assert_non_null(probe_cap_get(caps, must[i]));
	assert_non_null(probe_cap_get(caps, "tracepoints.kmem/kmem_cache_alloc"));
	json_decref(caps);
}

/*
 * Probed once per process: a capability asked for alone (as a workload's
 * supported() does, through wl_kernel_has()) is the very object the whole
 * probe reports later, and the whole probe is not run twice.
 */
static void test_probed_once(void **state)
{
	const json_t *zram, *memcg;
	char why[256], mount[256];
	json_t *caps, *again;
	bool has;

	(void)state;
	zram = probe_cap("zram");
	memcg = probe_cap("memcg");
	assert_non_null(zram);
	assert_non_null(memcg);
	assert_ptr_equal(probe_cap("zram"), zram);
	has = wl_kernel_has("zram", why, sizeof(why));
	assert_int_equal(has, probe_cap_available(zram, ""));
	if (!has)
		assert_true(!strncmp(why, "zram: ", 6));
	assert_false(wl_kernel_has("no_such_capability", why, sizeof(why)));
	assert_string_equal(why, "no_such_capability: no such capability");
	if (wl_kernel_detail("memcg", "v2", mount, sizeof(mount)))
		assert_string_equal(mount, json_string_value(json_object_get(memcg, "v2")));
	caps = probe_capabilities();
	assert_ptr_equal(json_object_get(caps, "zram"), zram);
	assert_ptr_equal(json_object_get(caps, "memcg"), memcg);
	again = probe_capabilities();
	assert_ptr_equal(again, caps);
	assert_ptr_equal(probe_cap("attach.fentry"), probe_cap_get(caps, "attach.fentry"));
	json_decref(again);
	json_decref(caps);
}

static void test_cmd_usage(void **state)
{
	char *argv1[] = { "probe", "--bogus", NULL };
	char *argv2[] = { "probe", "stray", NULL };

	(void)state;
	assert_int_equal(cmd_probe(2, argv1), 2);
	assert_int_equal(cmd_probe(2, argv2), 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sha256_vectors),
		cmocka_unit_test(test_sha256_gzfile),
		cmocka_unit_test(test_kernel_config_sha),
		cmocka_unit_test(test_machine),
		cmocka_unit_test(test_helpers),
		cmocka_unit_test(test_attach_unknown_method),
		cmocka_unit_test(test_text_output),
		cmocka_unit_test(test_probed_once),
		cmocka_unit_test(test_capabilities_shape),
		cmocka_unit_test(test_cmd_usage),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
