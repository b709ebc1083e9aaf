// SPDX-License-Identifier: GPL-2.0
/*
 * Sweeps (sweep.h): the values of one parameter of one workload, checked
 * against the workload table like --set, each made a workload instance of
 * its own, so that every later step (rounds, merge, compare, plot) sees
 * ordinary workloads with distinct names.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sweep.h"
#include "util.h"
#include "wlctx.h"

static int cmp_long(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;

	return (x > y) - (x < y);
}

/* Strict decimal integer at *@s, advancing it. */
static int take_long(const char **s, long *v)
{
	char *end;

	if (**s < '0' || **s > '9')
		return -1;
	errno = 0;
	*v = strtol(*s, &end, 10);
	if (errno)
		return -1;
	*s = end;
	return 0;
}

/* "A..BxF" or "A..B+S"; 1: not this form, 0: parsed, -1: error in @msg. */
static int parse_range(const char *val, const struct wl_param *p, struct sweep *sw,
		       char *msg, size_t len)
{
	const char *s = val;
	long a, b, step;
	char op;

	if (!strstr(val, ".."))
		return 1;
	if (take_long(&s, &a) || strncmp(s, "..", 2))
		goto bad;
	s += 2;
	if (take_long(&s, &b) || (*s != 'x' && *s != '+'))
		goto bad;
	op = *s++;
	if (take_long(&s, &step) || *s)
		goto bad;
	if (a > b || (op == 'x' && (a < 1 || step < 2)) || (op == '+' && step < 1)) {
		snprintf(msg, len, "'%s': expected A <= B, and A >= 1, F >= 2 for A..BxF "
			 "or S >= 1 for A..B+S", val);
		return -1;
	}
	for (long v = a;;) {
		if (sw->n == SWEEP_MAX_POINTS) {
			snprintf(msg, len, "'%s': more than %d points", val, SWEEP_MAX_POINTS);
			return -1;
		}
		sw->values[sw->n++] = v;
		if (v > p->max)
			break;	/* the range check names it */
		if (op == 'x' ? v > b / step : v > b - step)
			break;	/* the next one is past B (and cannot overflow) */
		v = op == 'x' ? v * step : v + step;
	}
	return 0;
bad:
	snprintf(msg, len, "'%s': expected V1,V2,... or A..BxF (geometric) or A..B+S", val);
	return -1;
}

static int parse_list(const char *val, struct sweep *sw, char *msg, size_t len)
{
	const char *s = val;
	long v;

	for (;;) {
		if (take_long(&s, &v)) {
			snprintf(msg, len, "'%s': expected V1,V2,... or A..BxF (geometric) "
				 "or A..B+S", val);
			return -1;
		}
		if (sw->n == SWEEP_MAX_POINTS) {
			snprintf(msg, len, "'%s': more than %d points", val, SWEEP_MAX_POINTS);
			return -1;
		}
		sw->values[sw->n++] = v;
		if (!*s)
			return 0;
		if (*s++ != ',')
			break;
	}
	snprintf(msg, len, "'%s': expected V1,V2,... or A..BxF (geometric) or A..B+S", val);
	return -1;
}

static int check_points(const char *val, const struct wl_param *p, struct sweep *sw,
			char *msg, size_t len)
{
	qsort(sw->values, sw->n, sizeof(*sw->values), cmp_long);
	for (int i = 0; i < sw->n; i++) {
		if (sw->values[i] < p->min || sw->values[i] > p->max) {
			snprintf(msg, len, "'%s': %ld is outside %s.%s's range [%ld, %ld]",
				 val, sw->values[i], sw->info->name, p->name, p->min, p->max);
			return -1;
		}
		if (i && sw->values[i] == sw->values[i - 1]) {
			snprintf(msg, len, "'%s': %ld given twice", val, sw->values[i]);
			return -1;
		}
	}
	if (sw->n < SWEEP_MIN_POINTS) {
		snprintf(msg, len, "'%s': a sweep needs %d to %d points", val,
			 SWEEP_MIN_POINTS, SWEEP_MAX_POINTS);
		return -1;
	}
	return 0;
}

static int sweep_parse_in(char *buf, struct sweep *sw, char *msg, size_t len)
{
	char *dot = strchr(buf, '.'), *eq = strchr(buf, '=');
	const struct wl_param *p;
	int ret;

	if (!dot || !eq || dot > eq) {
		snprintf(msg, len, "expected WORKLOAD.PARAM=V1,V2,... or WORKLOAD.PARAM=A..BxF");
		return -1;
	}
	*dot = *eq = 0;
	sw->info = workload_find(buf);
	if (!sw->info) {
		snprintf(msg, len, "unknown workload '%s' (see: rmapbench list)", buf);
		return -1;
	}
	sw->param = workload_param_index(sw->info, dot + 1);
	if (sw->param < 0) {
		snprintf(msg, len, "unknown parameter '%s' for workload '%s' (see: rmapbench list)",
			 dot + 1, buf);
		return -1;
	}
	p = &sw->info->params[sw->param];
	ret = parse_range(eq + 1, p, sw, msg, len);
	if (ret > 0)
		ret = parse_list(eq + 1, sw, msg, len);
	return ret ? ret : check_points(eq + 1, p, sw, msg, len);
}

int sweep_parse(const char *spec, struct sweep *sw, char *msg, size_t len)
{
	char *buf = strdup(spec), inner[400];
	int ret;

	memset(sw, 0, sizeof(*sw));
	sw->spec = spec;
	if (!buf) {
		snprintf(msg, len, "--sweep %.300s: out of memory", spec);
		return -1;
	}
	ret = sweep_parse_in(buf, sw, inner, sizeof(inner));
	if (ret)
		snprintf(msg, len, "--sweep %.200s: %s", spec, inner);
	free(buf);
	return ret;
}

void sweep_point_name(const struct sweep *sw, int i, char *buf, size_t len)
{
	snprintf(buf, len, "%s[%s=%ld]", sw->info->name, sw->info->params[sw->param].name,
		 sw->values[i]);
}

int config_sweep(struct config *cfg, const struct sweep *sw)
{
	struct wl_setting *base = config_find(cfg, sw->info->name);

	if (!base)
		return -1;
	if (cfg->nr + sw->n > MAX_WORKLOADS) {
		err("--sweep %s: at most %d points", sw->spec, MAX_WORKLOADS - cfg->nr);
		return -1;
	}
	for (int i = 0; i < cfg->nr; i++)
		cfg->wl[i].selected = false;
	for (int i = 0; i < sw->n; i++) {
		struct wl_setting *ws = &cfg->wl[cfg->nr++];

		*ws = *base;
		ws->selected = true;
		ws->values[sw->param] = sw->values[i];
		ws->sweep_param = sw->param;
		sweep_point_name(sw, i, ws->name, sizeof(ws->name));
	}
	return 0;
}

json_t *sweep_json(const struct sweep *sw)
{
	json_t *v = json_array();

	for (int i = 0; i < sw->n; i++)
		json_array_append_new(v, json_integer(sw->values[i]));
	return json_pack("{s:s, s:s, s:s, s:o}", "spec", sw->spec, "workload", sw->info->name,
			 "param", sw->info->params[sw->param].name, "values", v);
}
