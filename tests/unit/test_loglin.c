// SPDX-License-Identifier: GPL-2.0
/*
 * Log-linear histogram buckets (bpf/loglin.h, shared with the BPF program)
 * and the report helpers built on them (bench/lhist.c):
 *  - index <-> bounds: every bucket's lower and upper bound map back to it,
 *    the buckets tile the u64 range without gaps or overlaps, and values
 *    around every power of two (and random values) land in the bucket whose
 *    bounds hold them;
 *  - the error bound: (upper - lower) / lower < 1/16 = 6.25% for every
 *    bucket (values below 32 have a bucket each);
 *  - quantiles: the true nearest-rank sample lies within [pNN_lo, pNN_hi],
 *    the estimate lies within those bounds and within [min, max];
 *  - the JSON: non-empty buckets only, ge/le as the bounds, counts add up;
 *  - compare's reader: log2 buckets of older reports (no "ge") get
 *    ge = (le + 1) / 2, log-linear ones keep theirs, ge > le is refused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "report.h"
#include "lhist.h"
#include "wlctx.h"

static void test_tiling(void **state)
{
	(void)state;
	assert_int_equal(LH_NR_BUCKETS, 976);
	assert_int_equal(lh_lower(0), 0);
	assert_true(lh_upper(LH_NR_BUCKETS - 1) == ~0ull);
	assert_int_equal(lh_index(~0ull), LH_NR_BUCKETS - 1);
	for (unsigned int i = 0; i < LH_NR_BUCKETS; i++) {
		unsigned long long lo = lh_lower(i), hi = lh_upper(i);

		assert_true(lo <= hi);
		assert_int_equal(lh_index(lo), i);
		assert_int_equal(lh_index(hi), i);
		if (i + 1 < LH_NR_BUCKETS)
			assert_true(lh_lower(i + 1) == hi + 1);	/* no gap, no overlap */
		if (i < 32)
			assert_true(lo == i && hi == i);	/* exact */
		else	/* (hi - lo) / lo < 1/16: the relative error, in integers */
			assert_true((hi - lo) * LH_SUB < lo);
		if (i >= 32 && (i & (LH_SUB - 1)) == 0)	/* widest: at a power of two */
			assert_true((hi - lo + 1) * LH_SUB == lo);
	}
}

static void test_index(void **state)
{
	gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
	(void)state;

	for (unsigned int b = 0; b < 64; b++) {
		for (int d = -2; d <= 2; d++) {
			unsigned long long v = (1ull << b) + (unsigned long long)(long long)d;
			unsigned int i = lh_index(v);

			assert_true(i < LH_NR_BUCKETS);
			assert_true(lh_lower(i) <= v && v <= lh_upper(i));
		}
		assert_int_equal(lh_fls64(1ull << b), b + 1);
	}
	assert_int_equal(lh_fls64(0), 0);
	gsl_rng_set(rng, 42);
	for (int k = 0; k < 200000; k++) {
		/* log-uniform over 1 .. 2^63 */
		unsigned int bits = (unsigned int)gsl_rng_uniform_int(rng, 63) + 1;
		unsigned long long v = ((unsigned long long)gsl_rng_get(rng) << 32 |
					gsl_rng_get(rng)) >> (64 - bits);
		unsigned int i = lh_index(v);

		assert_true(lh_lower(i) <= v && v <= lh_upper(i));
		if (v && i)
			assert_true(lh_index(v - 1) <= i);	/* monotonic */
	}
	gsl_rng_free(rng);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Log-normal samples around 20 us: quantiles bracket the exact ones. */
static void test_quantiles(void **state)
{
	static const double pcts[] = { 1, 50, 90, 99, 100 };
	unsigned long long *bucket = calloc(LH_NR_BUCKETS, sizeof(*bucket));
	gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
	enum { N = 5001 };
	uint64_t v[N];
	(void)state;

	gsl_rng_set(rng, 7);
	for (int round = 0; round < 20; round++) {
		size_t n = round ? N : 1;

		for (unsigned int i = 0; i < LH_NR_BUCKETS; i++)
			bucket[i] = 0;
		for (size_t k = 0; k < n; k++) {
			v[k] = (uint64_t)gsl_ran_lognormal(rng, 10.0, 0.3 * round);
			bucket[lh_index(v[k])]++;
		}
		qsort(v, n, sizeof(*v), cmp_u64);
		assert_int_equal(lh_total(bucket), n);
		for (size_t p = 0; p < sizeof(pcts) / sizeof(pcts[0]); p++) {
			size_t rank = (size_t)(pcts[p] / 100.0 * n + 0.999999);
			uint64_t truth = v[rank ? rank - 1 : 0];
			struct lh_quantile q;

			assert_int_equal(lh_quantile(bucket, v[0], v[n - 1], pcts[p], &q), 0);
			assert_true(q.lo <= truth && truth <= q.hi);
			assert_true(q.lo <= q.value && q.value <= q.hi);
			assert_true(v[0] <= q.lo && q.hi <= v[n - 1]);
			/* the estimate is off by less than the bucket width */
			assert_true((double)(q.value > truth ? q.value - truth : truth - q.value) <=
				    (double)truth * LH_REL_ERR_PCT / 100.0 + 1);
		}
	}
	for (unsigned int i = 0; i < LH_NR_BUCKETS; i++)
		bucket[i] = 0;
	{
		struct lh_quantile q;

		assert_int_equal(lh_quantile(bucket, 0, 0, 50, &q), -1);
	}
	gsl_rng_free(rng);
	free(bucket);
}

static void test_json(void **state)
{
	uint64_t v[] = { 3, 3, 1000, 1001, 1000000, 123456789 };
	json_t *m, *h, *b;
	json_int_t total = 0, prev_le = -1;
	size_t i;
	(void)state;

	m = latency_metric(v, 6, "ns");
	h = json_object_get(m, "hist");
	assert_string_equal(json_string_value(json_object_get(h, "layout")), "log-linear");
	assert_int_equal(json_integer_value(json_object_get(h, "sub_buckets")), 16);
	assert_int_equal(json_array_size(json_object_get(h, "buckets")), 4);
	json_array_foreach(json_object_get(h, "buckets"), i, b) {
		json_int_t ge = json_integer_value(json_object_get(b, "ge"));
		json_int_t le = json_integer_value(json_object_get(b, "le"));

		assert_true(ge > prev_le && ge <= le);
		assert_true(json_integer_value(json_object_get(b, "count")) > 0);
		assert_int_equal(lh_index(ge), lh_index(le));
		total += json_integer_value(json_object_get(b, "count"));
		prev_le = le;
	}
	assert_int_equal(total, 6);
	/* 3 alone, exactly; 1000 and 1001 share [992, 1023] */
	b = json_array_get(json_object_get(h, "buckets"), 0);
	assert_int_equal(json_integer_value(json_object_get(b, "ge")), 3);
	assert_int_equal(json_integer_value(json_object_get(b, "le")), 3);
	assert_int_equal(json_integer_value(json_object_get(b, "count")), 2);
	b = json_array_get(json_object_get(h, "buckets"), 1);
	assert_int_equal(json_integer_value(json_object_get(b, "ge")), 992);
	assert_int_equal(json_integer_value(json_object_get(b, "le")), 1023);
	assert_int_equal(json_integer_value(json_object_get(b, "count")), 2);
	assert_int_equal(json_integer_value(json_object_get(m, "min")), 3);
	json_decref(m);
}

/* tests/data/report-base.json (log2 buckets), one metric's hist replaced by @hist. */
static int load_with_hist(json_t *hist, struct report *r, char *err, size_t len)
{
	char path[] = "/tmp/rmapbench-loglin.XXXXXX";
	json_t *root = json_load_file("tests/data/report-base.json", 0, NULL), *w = NULL, *rep;
	size_t i;
	int fd, ret;

	assert_non_null(root);
	json_array_foreach(json_object_get(root, "workloads"), i, w)
		if (!strcmp(json_string_value(json_object_get(w, "name")), "fork-tree"))
			break;
	if (hist) {
		json_array_foreach(json_object_get(w, "reps"), i, rep)
			json_object_set(json_object_get(json_object_get(rep, "metrics"),
							"rmap.rmap_walk_anon"), "hist", hist);
		json_decref(hist);
	}
	fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(json_dump_file(root, path, 0), 0);
	json_decref(root);
	ret = report_load(r, path, err, len);
	unlink(path);
	return ret;
}

static void test_reader(void **state)
{
	const struct metric_samples *m = NULL;
	struct report r;
	char err[512];
	(void)state;

	/* old log2 buckets (no ge, no layout): le 511 -> ge 256 */
	assert_int_equal(load_with_hist(json_pack("{s:s, s:[{s:i, s:i}, {s:i, s:i}, {s:i, s:i}]}",
		"unit", "ns", "buckets", "le", 511, "count", 2, "le", 1023, "count", 1,
		"le", 2047, "count", 1), &r, err, sizeof(err)), 0);
	for (size_t i = 0; i < r.nwl && !m; i++)
		if (!strcmp(r.wl[i].name, "fork-tree"))
			m = workload_metric(&r.wl[i], "rmap.rmap_walk_anon");
	assert_non_null(m);
	assert_true(m->nhist > 2 && m->hist[0].le == 511 && m->hist[0].ge == 256);
	assert_true(m->hist[1].le == 1023 && m->hist[1].ge == 512);
	report_free(&r);

	/* log-linear: ge as given */
	m = NULL;
	assert_int_equal(load_with_hist(json_pack("{s:s, s:s, s:i, s:[{s:i, s:i, s:i}, {s:i, s:i, s:i}]}",
		"unit", "ns", "layout", "log-linear", "sub_buckets", 16, "buckets",
		"ge", 992, "le", 1023, "count", 3, "ge", 40960, "le", 43007, "count", 1),
		&r, err, sizeof(err)), 0);
	for (size_t i = 0; i < r.nwl && !m; i++)
		if (!strcmp(r.wl[i].name, "fork-tree"))
			m = workload_metric(&r.wl[i], "rmap.rmap_walk_anon");
	assert_non_null(m);
	assert_int_equal(m->nhist, 2);
	/* summed over the sample's repetitions: 3 and 1 per repetition */
	assert_true(m->hist[0].ge == 992 && m->hist[0].le == 1023 && m->hist[1].count > 0 &&
		    m->hist[0].count == 3 * m->hist[1].count);
	assert_true(m->hist[1].ge == 40960 && m->hist[1].le == 43007);
	report_free(&r);

	/* a lower bound above the upper one */
	assert_int_equal(load_with_hist(json_pack("{s:s, s:[{s:i, s:i, s:i}]}", "unit", "ns",
		"buckets", "ge", 2000, "le", 1023, "count", 3), &r, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "ge must be"));
	report_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tiling),
		cmocka_unit_test(test_index),
		cmocka_unit_test(test_quantiles),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_reader),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
