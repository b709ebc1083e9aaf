// SPDX-License-Identifier: GPL-2.0
/* Unit tests: config parsing, CLI overrides, JSON helpers, latency metrics. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "config.h"
#include "procfs.h"
#include "util.h"
#include "wlctx.h"

static char tmpdir[] = "/tmp/rmapbench-unit.XXXXXX";

static const char *write_tmp(const char *name, const char *text)
{
	static char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	return path;
}

static long param(struct config *cfg, const char *wl, const char *name)
{
	struct wl_setting *ws = config_find(cfg, wl);

	assert_non_null(ws);
	return ws->values[workload_param_index(ws->info, name)];
}

static void test_defaults(void **state)
{
	struct config cfg;
	(void)state;

	config_init(&cfg);
	assert_int_equal(cfg.reps, CONFIG_DEFAULT_REPS);
	assert_true(cfg.nr >= 4);
	for (int i = 0; i < cfg.nr; i++) {
		const struct workload_info *w = cfg.wl[i].info;

		for (int p = 0; p < workload_nr_params(w); p++) {
			assert_true(w->params[p].min <= w->params[p].def);
			assert_true(w->params[p].def <= w->params[p].max);
			assert_int_equal(cfg.wl[i].values[p], w->params[p].def);
		}
	}
}

static void test_load_ok(void **state)
{
	struct config cfg;
	const char *path = write_tmp("ok.conf",
		"; comment\n[run]\nreps = 3\ninterval_ms = 0\nworkloads = fork-chain, mremap-multi\n"
		"[fork-chain]\ndepth = 7\n");
	(void)state;

	config_init(&cfg);
	assert_int_equal(config_load(&cfg, path), 0);
	assert_int_equal(cfg.reps, 3);
	assert_int_equal(cfg.interval_ms, 0);
	assert_int_equal(param(&cfg, "fork-chain", "depth"), 7);
	assert_true(config_find(&cfg, "fork-chain")->selected);
	assert_true(config_find(&cfg, "mremap-multi")->selected);
	assert_false(config_find(&cfg, "mremap-frag")->selected);
}

static void test_load_errors(void **state)
{
	static const char *const bad[] = {
		"[run]\nreps = 0\n",			/* out of range */
		"[run]\nreps = three\n",		/* not a number */
		"[run]\nbogus = 1\n",			/* unknown key */
		"[nosuch]\nx = 1\n",			/* unknown workload */
		"[fork-chain]\nbogus = 1\n",		/* unknown param */
		"[fork-chain]\ndepth = 100000\n",	/* param out of range */
		"[fork-chain]\ndepth = 4x\n",		/* trailing junk */
		"[run\nreps = 1\n",			/* syntax */
		"[run]\nworkloads = fork-chain, nope\n",	/* unknown in list */
	};
	(void)state;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct config cfg;

		config_init(&cfg);
		assert_int_equal(config_load(&cfg, write_tmp("bad.conf", bad[i])), -1);
	}
	{
		struct config cfg;

		config_init(&cfg);
		assert_int_equal(config_load(&cfg, "/nonexistent/x.conf"), -1);
	}
}

static void test_set_and_select(void **state)
{
	struct config cfg;
	(void)state;

	config_init(&cfg);
	assert_int_equal(config_set(&cfg, "fork-chain.depth=2"), 0);
	assert_int_equal(param(&cfg, "fork-chain", "depth"), 2);
	assert_int_equal(config_set(&cfg, "fork-chain.depth"), -1);
	assert_int_equal(config_set(&cfg, "fork-chain=3"), -1);
	assert_int_equal(config_set(&cfg, "nosuch.x=1"), -1);
	assert_int_equal(config_set(&cfg, "fork-chain.depth=-1"), -1);
	assert_int_equal(config_select(&cfg, "mremap-multi"), 0);
	assert_true(config_find(&cfg, "mremap-multi")->selected);
	assert_false(config_find(&cfg, "fork-chain")->selected);
	assert_int_equal(config_select(&cfg, "mremap-multi,nosuch"), -1);
}

static void test_parse_long(void **state)
{
	long v;
	(void)state;

	assert_int_equal(parse_long("42", 0, 100, &v), 0);
	assert_int_equal(v, 42);
	assert_int_equal(parse_long("101", 0, 100, &v), -1);
	assert_int_equal(parse_long("", 0, 100, &v), -1);
	assert_int_equal(parse_long("1 ", 0, 100, &v), -1);
	assert_int_equal(parse_long("99999999999999999999", 0, 100, &v), -1);
}

static void test_atomic_write(void **state)
{
	char path[256], link[256], buf[64];
	json_t *j = json_pack("{s:i}", "a", 1);
	struct stat st;
	(void)state;

	snprintf(path, sizeof(path), "%s/out.json", tmpdir);
	assert_int_equal(json_write_atomic(j, path), 0);
	assert_true(procfs_read(path, buf, sizeof(buf)) > 0);
	assert_non_null(strstr(buf, "\"a\": 1"));
	snprintf(link, sizeof(link), "%s/link.json", tmpdir);
	assert_int_equal(symlink(path, link), 0);
	assert_int_equal(json_write_atomic(j, link), -1);
	assert_int_equal(lstat(link, &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	assert_int_equal(json_write_atomic(j, "/nonexistent/dir/x.json"), -1);
	json_decref(j);
}

static void test_latency_metric(void **state)
{
	uint64_t v[100];
	json_t *m, *b;
	json_int_t total = 0;
	size_t i;
	(void)state;

	for (i = 0; i < 100; i++)
		v[i] = 100 - i;		/* 1..100, unsorted */
	m = latency_metric(v, 100, "ns");
	assert_int_equal(json_integer_value(json_object_get(m, "count")), 100);
	assert_int_equal(json_integer_value(json_object_get(m, "sum")), 5050);
	assert_int_equal(json_integer_value(json_object_get(m, "max")), 100);
	assert_int_equal(json_integer_value(json_object_get(m, "p50")), 50);
	assert_int_equal(json_integer_value(json_object_get(m, "p90")), 90);
	assert_int_equal(json_integer_value(json_object_get(m, "p99")), 99);
	json_array_foreach(json_object_get(json_object_get(m, "hist"), "buckets"), i, b)
		total += json_integer_value(json_object_get(b, "count"));
	assert_int_equal(total, 100);
	/* log-linear (bpf/loglin.h): 1..31 a bucket each, 32..63 in pairs,
	 * 64..100 in fours: [64, 67] .. [100, 103], 57 buckets */
	b = json_object_get(json_object_get(m, "hist"), "buckets");
	assert_int_equal(json_array_size(b), 57);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(b, 0), "le")), 1);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(b, 0), "count")), 1);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(b, 31), "ge")), 32);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(b, 31), "le")), 33);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(b, 31), "count")), 2);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(b, 56), "ge")), 100);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(b, 56), "le")), 103);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(b, 56), "count")), 1);
	assert_int_equal(json_integer_value(json_object_get(m, "min")), 1);
	json_decref(m);
	assert_null(latency_metric(v, 0, "ns"));
}

static int setup(void **state)
{
	(void)state;
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[300];
	(void)state;

	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	return system(cmd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_load_ok),
		cmocka_unit_test(test_load_errors),
		cmocka_unit_test(test_set_and_select),
		cmocka_unit_test(test_parse_long),
		cmocka_unit_test(test_atomic_write),
		cmocka_unit_test(test_latency_metric),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
