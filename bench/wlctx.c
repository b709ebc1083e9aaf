// SPDX-License-Identifier: GPL-2.0
/* The wl_*() helpers workloads report through (workloads/workload.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
	if (!ctx->failure)
		ctx->failure = strdup(buf);
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

void wl_slab_snapshot(struct wl_ctx *ctx, struct slab_snapshot *snap)
{
	slabacct_snapshot(ctx->counters, ctx->present, snap);
}

json_t *wlctx_run(const struct workload_info *info, const long *values,
		  volatile struct sa_counters *counters, const bool *present)
{
	struct wl_ctx ctx = {
		.info = info, .values = values, .counters = counters, .present = present,
		.metrics = json_object(), .notes = json_object(),
	};
	json_t *res;
	int ret;

	ret = info->run(&ctx);
	if (ret && !ctx.failure)
		ctx.failure = strdup("workload returned an error without a message");
	res = json_pack("{s:s, s:s?, s:o, s:o}", "status", ctx.failure ? "failed" : "ok",
			"reason", ctx.failure, "metrics", ctx.metrics, "notes", ctx.notes);
	free(ctx.failure);
	return res;
}
