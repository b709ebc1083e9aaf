// SPDX-License-Identifier: GPL-2.0
/*
 * Configuration: built-in defaults, an INI file (libinih), then command-line
 * overrides. Every error names its input and makes the command exit 2.
 *
 *   [run]
 *   reps = 5
 *   interval_ms = 10
 *   rep_timeout_s = 300
 *   workloads = fork-chain, mremap-frag
 *   [fork-chain]
 *   regions = 8
 */
#include <errno.h>
#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "util.h"
#include "wlctx.h"

void config_init(struct config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->reps = CONFIG_DEFAULT_REPS;
	cfg->interval_ms = CONFIG_DEFAULT_INTERVAL_MS;
	cfg->rep_timeout_s = CONFIG_DEFAULT_TIMEOUT_S;
	cfg->max_procs = CONFIG_DEFAULT_MAX_PROCS;
	cfg->mem_pct = CONFIG_DEFAULT_MEM_PCT;
	for (int i = 0; workload_table[i] && cfg->nr < MAX_WORKLOADS; i++) {
		struct wl_setting *ws = &cfg->wl[cfg->nr++];

		ws->info = workload_table[i];
		snprintf(ws->name, sizeof(ws->name), "%s", ws->info->name);
		ws->sweep_param = -1;
		ws->selected = ws->info->host_default;
		for (int p = 0; p < workload_nr_params(ws->info) && p < MAX_PARAMS; p++)
			ws->values[p] = ws->info->params[p].def;
	}
}

struct wl_setting *config_find(struct config *cfg, const char *name)
{
	for (int i = 0; i < cfg->nr; i++)
		if (!strcmp(cfg->wl[i].name, name))
			return &cfg->wl[i];
	return NULL;
}

/* Sets @param of @ws from @value; on error fills @msg. */
static int set_param(struct wl_setting *ws, const char *param, const char *value,
		     char *msg, size_t len)
{
	int i = workload_param_index(ws->info, param);
	const struct wl_param *p;
	long v;

	if (i < 0) {
		snprintf(msg, len, "unknown parameter '%s' for workload '%s' (see: rmapbench list)",
			 param, ws->info->name);
		return -1;
	}
	p = &ws->info->params[i];
	if (parse_long(value, p->min, p->max, &v)) {
		snprintf(msg, len, "%s.%s = '%s' is not an integer in [%ld, %ld]",
			 ws->info->name, param, value, p->min, p->max);
		return -1;
	}
	ws->values[i] = v;
	return 0;
}

static int select_one(const char *name, void *arg)
{
	struct config *cfg = arg;
	struct wl_setting *ws = config_find(cfg, name);

	if (!ws) {
		err("unknown workload '%s' (see: rmapbench list)", name);
		return -1;
	}
	ws->selected = true;
	return 0;
}

int config_select(struct config *cfg, const char *list)
{
	for (int i = 0; i < cfg->nr; i++)
		cfg->wl[i].selected = false;
	return for_each_item(list, select_one, cfg);
}

struct ini_state {
	struct config *cfg;
	char msg[512];
};

static int select_ini(const char *name, void *arg)
{
	struct ini_state *st = arg;
	struct wl_setting *ws = config_find(st->cfg, name);

	if (!ws) {
		snprintf(st->msg, sizeof(st->msg),
			 "workloads: unknown workload '%s' (see: rmapbench list)", name);
		return -1;
	}
	ws->selected = true;
	return 0;
}

static int run_key(struct ini_state *st, const char *key, const char *value)
{
	struct config *cfg = st->cfg;
	long *dst = NULL, min = 0, max = 0;

	if (!strcmp(key, "workloads")) {
		for (int i = 0; i < cfg->nr; i++)
			cfg->wl[i].selected = false;
		return for_each_item(value, select_ini, st);
	}
	if (!strcmp(key, "reps")) {
		dst = &cfg->reps; min = 1; max = 1000;
	} else if (!strcmp(key, "interval_ms")) {
		dst = &cfg->interval_ms; min = 0; max = 60000;
	} else if (!strcmp(key, "rep_timeout_s")) {
		dst = &cfg->rep_timeout_s; min = 1; max = 86400;
	} else if (!strcmp(key, "run_timeout_s")) {
		dst = &cfg->run_timeout_s; min = 0; max = 7 * 86400;
	} else if (!strcmp(key, "max_procs")) {
		dst = &cfg->max_procs; min = 1; max = 1 << 20;
	} else if (!strcmp(key, "mem_pct")) {
		dst = &cfg->mem_pct; min = 1; max = 90;
	} else {
		snprintf(st->msg, sizeof(st->msg),
			 "unknown key '%s' in [run] (reps, interval_ms, rep_timeout_s, "
			 "run_timeout_s, max_procs, mem_pct, workloads)",
			 key);
		return -1;
	}
	if (parse_long(value, min, max, dst)) {
		snprintf(st->msg, sizeof(st->msg), "%s = '%s' is not an integer in [%ld, %ld]",
			 key, value, min, max);
		return -1;
	}
	return 0;
}

/* libinih handler: 1 = fine, 0 = error (message in st->msg) */
static int on_ini_entry(void *user, const char *section, const char *key,
			const char *value)
{
	struct ini_state *st = user;
	struct wl_setting *ws;

	if (st->msg[0])
		return 0;	/* report the first error only */
	if (!section[0]) {
		/* inih reports the first bad line: a malformed [section] header */
		snprintf(st->msg, sizeof(st->msg),
			 "syntax error: expected '[section]' or 'key = value' in a section");
		return 0;
	}
	if (!strcmp(section, "run"))
		return run_key(st, key, value) ? 0 : 1;
	if (!strcmp(section, "compare"))
		return 1;	/* read by rmapbench compare */
	ws = config_find(st->cfg, section);
	if (!ws) {
		snprintf(st->msg, sizeof(st->msg),
			 "unknown section [%s]: not a workload (see: rmapbench list)", section);
		return 0;
	}
	return set_param(ws, key, value, st->msg, sizeof(st->msg)) ? 0 : 1;
}

int config_load(struct config *cfg, const char *path)
{
	struct ini_state st = { .cfg = cfg };
	char why[128], *text;
	int ret, line;

	text = ini_read(path, why, sizeof(why), &line);
	if (!text) {
		if (line)
			err("config %s:%d: %s", path, line, why);
		else
			err("config %s: %s", path, why);
		return -1;
	}
	ret = ini_parse_string(text, on_ini_entry, &st);
	free(text);
	if (ret > 0) {
		err("config %s:%d: %s", path, ret, st.msg[0] ? st.msg : "syntax error");
		return -1;
	}
	if (ret < 0) {
		err("config %s: cannot parse: out of memory", path);
		return -1;
	}
	cfg->path = path;
	return 0;
}

int config_set(struct config *cfg, const char *assignment)
{
	char *buf, *dot, *eq, msg[512];
	struct wl_setting *ws;
	char where[300];
	int ret = -1;

	snprintf(where, sizeof(where), "--set %s", assignment);
	/* a copy as long as the input: a fixed buffer cut "…=00…03junk" to 3 */
	buf = strdup(assignment);
	if (!buf) {
		err("%s: out of memory", where);
		return -1;
	}
	dot = strchr(buf, '.');
	eq = strchr(buf, '=');
	if (!dot || !eq || dot > eq) {
		err("%s: expected WORKLOAD.PARAM=VALUE", where);
		goto out;
	}
	*dot = *eq = 0;
	ws = config_find(cfg, buf);
	if (!ws) {
		err("%s: unknown workload '%s' (see: rmapbench list)", where, buf);
		goto out;
	}
	if (set_param(ws, dot + 1, eq + 1, msg, sizeof(msg))) {
		err("%s: %s", where, msg);
		goto out;
	}
	ret = 0;
out:
	free(buf);
	return ret;
}

json_t *config_params_json(const struct wl_setting *ws)
{
	json_t *params = json_object();

	for (int p = 0; p < workload_nr_params(ws->info); p++)
		json_object_set_new(params, ws->info->params[p].name,
				    json_integer(ws->values[p]));
	return params;
}

json_t *config_to_json(const struct config *cfg)
{
	json_t *names = json_array();

	for (int i = 0; i < cfg->nr; i++)
		if (cfg->wl[i].selected)
			json_array_append_new(names, json_string(cfg->wl[i].name));
	return json_pack("{s:s?, s:I, s:I, s:I, s:I, s:I, s:I, s:o}", "file", cfg->path,
			 "reps", (json_int_t)cfg->reps, "interval_ms", (json_int_t)cfg->interval_ms,
			 "rep_timeout_s", (json_int_t)cfg->rep_timeout_s,
			 "run_timeout_s", (json_int_t)cfg->run_timeout_s,
			 "max_procs", (json_int_t)cfg->max_procs, "mem_pct", (json_int_t)cfg->mem_pct,
			 "workloads", names);
}
