// SPDX-License-Identifier: GPL-2.0
/* The wl_*() helpers workloads report through (workloads/workload.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lhist.h"
#include "util.h"
#include "wlctx.h"

int workload_nr_params(const struct workload_info *info)
{
	int n = 0;

	while (info->params && info->params[n].name)
		n++;
	return n;
}

int workload_param_index(const struct workload_info *info, const char *name)
{
	for (int i = 0; info->params && info->params[i].name; i++)
		if (!strcmp(info->params[i].name, name))
			return i;
	return -1;
}

long wl_param(struct wl_ctx *ctx, const char *name)
{
	int i = workload_param_index(ctx->info, name);

	if (i < 0) {
		/* a workload asking for a parameter it does not declare is a bug */
		err("workload %s: undeclared parameter '%s'", ctx->info->name, name);
		abort();
	}
	return ctx->values[i];
}

int wl_rep(struct wl_ctx *ctx)
{
	return ctx->rep;
}

static void add_metric(struct wl_ctx *ctx, const char *name, double value,
		       const char *unit, const char *better, const char *kind)
{
	json_object_set_new(ctx->metrics, name,
			    json_pack("{s:f, s:s, s:s, s:s}", "value", value, "unit", unit,
				      "better", better ? better : "none", "kind", kind));
}

void wl_exact(struct wl_ctx *ctx, const char *name, double value, const char *unit,
	      const char *better)
{
	add_metric(ctx, name, value, unit, better, "exact");
}

void wl_timed(struct wl_ctx *ctx, const char *name, double value, const char *unit,
	      const char *better)
{
	add_metric(ctx, name, value, unit, better, "timed");
}

void wl_errno(struct wl_ctx *ctx, const char *name, int err)
{
	const char *ename = err ? strerrorname_np(err) : NULL;

	add_metric(ctx, name, err, "errno", "none", "exact");
	if (!err)
		return;
	json_object_set_new(json_object_get(ctx->metrics, name), "errno_name",
			    json_string(ename ? ename : "unknown"));
	json_object_set_new(json_object_get(ctx->metrics, name), "message",
			    json_string(strerror(err)));
}

void wl_unavailable(struct wl_ctx *ctx, const char *name, const char *reason)
{
	char why[512];

	snprintf(why, sizeof(why), "unavailable: %s", reason);
	json_object_set_new(ctx->metrics, name,
			    json_pack("{s:n, s:s, s:s, s:s, s:s}", "value", "unit", "",
				      "better", "none", "kind", "exact", "reason", why));
}

void wl_note(struct wl_ctx *ctx, const char *key, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	json_object_set_new(ctx->notes, key, json_string(buf));
}

int wl_fail(struct wl_ctx *ctx, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (!ctx->failed)
		snprintf(ctx->failure, sizeof(ctx->failure), "%s", buf);
	ctx->failed = true;
	return -1;
}

void wl_debug(struct wl_ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	if (!verbose)
		return;
	fprintf(stderr, "  [%s] ", ctx->info->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

#define LAT_MAX_OPS	32
#define LAT_MAX_SAMPLES	(1 << 16)

struct wl_latency_set {
	int nr;
	struct {
		char name[64];
		uint64_t *v;
		size_t n, cap;
		uint64_t dropped;
	} op[LAT_MAX_OPS];
};

void wl_latency(struct wl_ctx *ctx, const char *name, uint64_t ns)
{
	struct wl_latency_set *set = ctx->lat;
	int i;

	if (!set)
		set = ctx->lat = calloc(1, sizeof(*set));
	if (!set)
		return;
	for (i = 0; i < set->nr && strcmp(set->op[i].name, name); i++)
		;
	if (i == set->nr) {
		if (set->nr == LAT_MAX_OPS)
			return;
		snprintf(set->op[set->nr++].name, sizeof(set->op[0].name), "%s", name);
	}
	if (set->op[i].n == set->op[i].cap) {
		size_t cap = set->op[i].cap ? set->op[i].cap * 2 : 256;
		uint64_t *v;

		if (cap > LAT_MAX_SAMPLES) {
			set->op[i].dropped++;
			return;
		}
		v = realloc(set->op[i].v, cap * sizeof(*v));
		if (!v)
			return;
		set->op[i].v = v;
		set->op[i].cap = cap;
	}
	set->op[i].v[set->op[i].n++] = ns;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

json_t *latency_hist_json(const uint64_t *v, size_t n, const char *unit)
{
	unsigned long long *count = calloc(LH_NR_BUCKETS, sizeof(*count));
	json_t *h;

	if (!count)
		return NULL;
	for (size_t i = 0; i < n; i++)
		count[lh_index(v[i])]++;
	h = lh_hist_json(count, unit);
	free(count);
	return h;
}

/* Nearest-rank percentile of sorted @v. */
static uint64_t percentile(const uint64_t *v, size_t n, double pct)
{
	size_t rank = (size_t)(pct / 100.0 * n + 0.999999);

	return v[rank ? rank - 1 : 0];
}

json_t *latency_metric(uint64_t *v, size_t n, const char *unit)
{
	uint64_t sum = 0;

	if (!n)
		return NULL;
	qsort(v, n, sizeof(*v), cmp_u64);
	for (size_t i = 0; i < n; i++)
		sum += v[i];
	return json_pack("{s:I, s:s, s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:o?}",
			 "value", (json_int_t)percentile(v, n, 50), "unit", unit,
			 "better", "lower", "kind", "timed", "count", (json_int_t)n,
			 "sum", (json_int_t)sum, "min", (json_int_t)v[0],
			 "max", (json_int_t)v[n - 1],
			 "p50", (json_int_t)percentile(v, n, 50),
			 "p90", (json_int_t)percentile(v, n, 90),
			 "p99", (json_int_t)percentile(v, n, 99),
			 "hist", latency_hist_json(v, n, unit));
}

static void flush_latencies(struct wl_ctx *ctx)
{
	struct wl_latency_set *set = ctx->lat;

	if (!set)
		return;
	for (int i = 0; i < set->nr; i++) {
		json_t *m = latency_metric(set->op[i].v, set->op[i].n, "ns");

		if (m && set->op[i].dropped)
			json_object_set_new(m, "dropped", json_integer(set->op[i].dropped));
		if (m)
			json_object_set_new(ctx->metrics, set->op[i].name, m);
		free(set->op[i].v);
	}
	free(set);
	ctx->lat = NULL;
}

void wl_slab_snapshot(struct wl_ctx *ctx, struct slab_snapshot *snap)
{
	slabacct_snapshot(ctx->counters, ctx->present, snap);
}

json_t *wlctx_run(const struct workload_info *info, const long *values, int rep,
		  volatile struct sa_counters *counters, const bool *present)
{
	struct wl_ctx ctx = {
		.info = info, .values = values, .rep = rep, .counters = counters, .present = present,
		.metrics = json_object(), .notes = json_object(),
	};
	json_t *res;
	int ret;

	ret = info->run(&ctx);
	flush_latencies(&ctx);
	if (ret && !ctx.failed)
		wl_fail(&ctx, "workload returned an error without a message");
	res = json_pack("{s:s, s:s?, s:o, s:o}", "status", ctx.failed ? "failed" : "ok",
			"reason", ctx.failed ? ctx.failure : NULL, "metrics", ctx.metrics,
			"notes", ctx.notes);
	return res;
}
