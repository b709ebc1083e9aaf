// SPDX-License-Identifier: GPL-2.0
/*
 * Log-linear histograms in reports (bpf/loglin.h holds the bucket layout,
 * shared with the BPF programs).
 */
#include <stdint.h>
#include <stdio.h>

#include "lhist.h"

uint64_t lh_total(const unsigned long long *bucket)
{
	uint64_t n = 0;

	for (unsigned int i = 0; i < LH_NR_BUCKETS; i++)
		n += bucket[i];
	return n;
}

int lh_quantile(const unsigned long long *bucket, uint64_t min, uint64_t max, double pct,
		struct lh_quantile *q)
{
	uint64_t total = lh_total(bucket), rank, seen = 0;
	unsigned int i;

	if (!total)
		return -1;
	rank = (uint64_t)(pct / 100.0 * (double)total + 0.999999);
	if (!rank)
		rank = 1;
	if (rank > total)
		rank = total;
	for (i = 0; i < LH_NR_BUCKETS; i++) {
		if (seen + bucket[i] >= rank)
			break;
		seen += bucket[i];
	}
	q->lo = lh_lower(i) > min ? lh_lower(i) : min;
	q->hi = lh_upper(i) < max ? lh_upper(i) : max;
	if (q->lo > q->hi)	/* min/max inconsistent with the buckets */
		q->lo = q->hi = lh_lower(i);
	q->value = q->lo + (uint64_t)((double)(q->hi - q->lo) *
				      ((double)(rank - seen) - 0.5) / (double)bucket[i] + 0.5);
	return 0;
}

static json_int_t json_u64(uint64_t v)
{
	return v > INT64_MAX ? INT64_MAX : (json_int_t)v;
}

json_t *lh_hist_json(const unsigned long long *bucket, const char *unit)
{
	json_t *buckets = json_array();

	for (unsigned int i = 0; i < LH_NR_BUCKETS; i++)
		if (bucket[i])
			json_array_append_new(buckets, json_pack("{s:I, s:I, s:I}",
				"ge", json_u64(lh_lower(i)), "le", json_u64(lh_upper(i)),
				"count", json_u64(bucket[i])));
	return json_pack("{s:s, s:s, s:i, s:f, s:o}", "unit", unit, "layout", "log-linear",
			 "sub_buckets", LH_SUB, "rel_width_max_pct", LH_REL_ERR_PCT,
			 "buckets", buckets);
}

void lh_set_quantiles(json_t *m, const unsigned long long *bucket, uint64_t min, uint64_t max)
{
	static const int pcts[] = { 50, 90, 99 };
	char key[16];

	for (unsigned int i = 0; i < sizeof(pcts) / sizeof(pcts[0]); i++) {
		struct lh_quantile q;

		if (lh_quantile(bucket, min, max, pcts[i], &q))
			return;
		snprintf(key, sizeof(key), "p%d", pcts[i]);
		json_object_set_new(m, key, json_integer(json_u64(q.value)));
		snprintf(key, sizeof(key), "p%d_lo", pcts[i]);
		json_object_set_new(m, key, json_integer(json_u64(q.lo)));
		snprintf(key, sizeof(key), "p%d_hi", pcts[i]);
		json_object_set_new(m, key, json_integer(json_u64(q.hi)));
	}
}
