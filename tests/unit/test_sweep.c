// SPDX-License-Identifier: GPL-2.0
/* Unit tests: --sweep parsing (bench/sweep.c), the log-log fit and exponent changes (report/cmp_curve.c). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "cmp_curve.h"
#include "sweep.h"
#include "wlctx.h"

static void expect_values(const char *spec, const long *want, int n)
{
	struct sweep sw;
	char msg[640];

	assert_int_equal(sweep_parse(spec, &sw, msg, sizeof(msg)), 0);
	assert_int_equal(sw.n, n);
	for (int i = 0; i < n; i++)
		assert_int_equal(sw.values[i], want[i]);
}

static void expect_refused(const char *spec, const char *needle)
{
	struct sweep sw;
	char msg[640] = "";

	assert_int_equal(sweep_parse(spec, &sw, msg, sizeof(msg)), -1);
	if (!strstr(msg, needle) || strncmp(msg, "--sweep ", 8))
		fail_msg("'%s': message '%s' lacks '%s'", spec, msg, needle);
}

static void test_parse_forms(void **state)
{
	(void)state;
	expect_values("fork-chain.depth=1..64x2", (const long[]){ 1, 2, 4, 8, 16, 32, 64 }, 7);
	expect_values("fork-chain.depth=1..100x4", (const long[]){ 1, 4, 16, 64 }, 4);
	expect_values("fork-chain.depth=8,1,3", (const long[]){ 1, 3, 8 }, 3);
	expect_values("fork-chain.depth=2..10+4", (const long[]){ 2, 6, 10 }, 3);
	expect_values("fork-tree.fanout=1..16+1", (const long[]){ 1, 2, 3, 4, 5, 6, 7, 8, 9, 10,
				 11, 12, 13, 14, 15, 16 }, 16);
}

static void test_parse_refused(void **state)
{
	(void)state;
	expect_refused("fork-chain.depth=0..8x2", "A >= 1");
	expect_refused("fork-chain.depth=1..8x1", "F >= 2");
	expect_refused("fork-chain.depth=8..1x2", "A <= B");
	expect_refused("fork-chain.depth=1..128x2", "128 is outside fork-chain.depth's range [1, 64]");
	expect_refused("fork-chain.depth=0,4", "0 is outside");
	expect_refused("fork-chain.depth=4", "needs 2 to 16 points");
	expect_refused("fork-chain.depth=4,4", "4 given twice");
	expect_refused("fork-chain.depth=1..17+1", "more than 16 points");
	expect_refused("fork-chain.depth=1,,2", "expected V1,V2");
	expect_refused("fork-chain.depth=1,2,", "expected V1,V2");
	expect_refused("fork-chain.depth=-1,2", "expected V1,V2");
	expect_refused("fork-chain.depth=1..4x2junk", "expected V1,V2");
	expect_refused("fork-chain.depth=99999999999999999999,1", "expected V1,V2");
	expect_refused("fork-chain.depth=1..9223372036854775807x1000000000", "outside");
	expect_refused("fork-chain.nope=1,2", "unknown parameter 'nope'");
	expect_refused("nope.depth=1,2", "unknown workload 'nope'");
	expect_refused("fork-chain=1,2", "expected WORKLOAD.PARAM=");
	expect_refused("", "expected WORKLOAD.PARAM=");
}

static void test_config_points(void **state)
{
	struct config cfg;
	struct sweep sw;
	char msg[640];
	int sel = 0;
	(void)state;

	config_init(&cfg);
	assert_int_equal(config_set(&cfg, "fork-chain.regions=16"), 0);
	assert_int_equal(sweep_parse("fork-chain.depth=2,4", &sw, msg, sizeof(msg)), 0);
	assert_int_equal(config_sweep(&cfg, &sw), 0);
	for (int i = 0; i < cfg.nr; i++)
		sel += cfg.wl[i].selected;
	assert_int_equal(sel, 2);
	struct wl_setting *p = config_find(&cfg, "fork-chain[depth=4]");

	assert_non_null(p);
	assert_true(p->selected);
	assert_int_equal(p->values[workload_param_index(p->info, "depth")], 4);
	assert_int_equal(p->values[workload_param_index(p->info, "regions")], 16);
	assert_false(config_find(&cfg, "fork-chain")->selected);
}

/* K·(D+1)(D+2)/2 − K: the chain entries of K regions over D forks, ancestors alive. */
static void test_fit(void **state)
{
	double x[7], y[7], yk[7];
	struct curve_fit f, fk;
	(void)state;

	for (int i = 0; i < 7; i++) {
		x[i] = 1 << i;
		y[i] = 3 * x[i] * x[i];
		yk[i] = 8 * (x[i] + 1) * (x[i] + 2) / 2 - 8;
	}
	assert_int_equal(curve_fit_loglog(x, y, 7, &f), 0);
	assert_true(f.ok);
	assert_true(fabs(f.exponent - 2) < 1e-12);
	assert_true(fabs(f.r2 - 1) < 1e-12);
	assert_int_equal(curve_fit_loglog(x, yk, 7, &fk), 0);
	/* between 1 and 2, approaching 2: the fit over 1..64 */
	assert_true(fk.exponent > 1.5 && fk.exponent < 2);
	/* proportional values: the same exponent */
	for (int i = 0; i < 7; i++)
		yk[i] *= 5.5;
	assert_int_equal(curve_fit_loglog(x, yk, 7, &f), 0);
	assert_true(fabs(f.exponent - fk.exponent) < 1e-12);
	/* linear: 1 */
	for (int i = 0; i < 7; i++)
		y[i] = 7 * x[i];
	assert_int_equal(curve_fit_loglog(x, y, 7, &f), 0);
	assert_true(fabs(f.exponent - 1) < 1e-12);
}

static void test_fit_refused(void **state)
{
	double x[3] = { 1, 2, 4 }, y[3] = { 0, 0, 5 }, xs[3] = { 2, 2, 2 }, yn[3] = { 1, NAN, 3 };
	struct curve_fit f;
	(void)state;

	assert_int_equal(curve_fit_loglog(x, y, 3, &f), -1);
	assert_false(f.ok);
	assert_true(isnan(f.exponent));
	assert_non_null(strstr(f.why, "fewer than 2 points"));
	assert_int_equal(curve_fit_loglog(xs, x, 3, &f), -1);	/* one x value */
	assert_int_equal(curve_fit_loglog(x, yn, 3, &f), 0);	/* NaN left out */
	assert_int_equal(f.used, 2);
	/* constant: exponent 0, r2 undefined */
	assert_int_equal(curve_fit_loglog(x, (double[]){ 4, 4, 4 }, 3, &f), 0);
	assert_true(fabs(f.exponent) < 1e-12);
	assert_true(isnan(f.r2));
}

static void test_change(void **state)
{
	double x[4] = { 1, 2, 4, 8 }, yb[4], yt[4];
	struct curve_line l[2] = {
		{ .label = "base", .x = x, .y = yb, .n = 4, .npoints = 4 },
		{ .label = "test", .x = x, .y = yt, .n = 4, .npoints = 4 },
	};
	struct curve_metric m = { .name = "slab.anon_vma_chain.allocs", .kind = MK_EXACT,
				  .line = l };
	bool judged;
	(void)state;

	for (int i = 0; i < 4; i++) {
		yb[i] = 10 * x[i] * x[i];
		yt[i] = 10 * x[i] * x[i] * 1.01;	/* 1% more: same exponent */
	}
	curve_fit_loglog(x, yb, 4, &l[0].fit);
	curve_fit_loglog(x, yt, 4, &l[1].fit);
	assert_null(curve_change(&m, 1, &judged));
	assert_true(judged);
	for (int i = 0; i < 4; i++)
		yt[i] = 30 * x[i];	/* linear now */
	curve_fit_loglog(x, yt, 4, &l[1].fit);
	assert_string_equal(curve_change(&m, 1, &judged), "flatter");
	m.kind = MK_TIMED;
	assert_null(curve_change(&m, 1, &judged));
	assert_false(judged);
	m.kind = MK_EXACT;
	l[1].npoints = 5;	/* different points: not judged */
	assert_null(curve_change(&m, 1, &judged));
	assert_false(judged);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_forms),
		cmocka_unit_test(test_parse_refused),
		cmocka_unit_test(test_config_points),
		cmocka_unit_test(test_fit),
		cmocka_unit_test(test_fit_refused),
		cmocka_unit_test(test_change),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
