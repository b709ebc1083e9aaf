// SPDX-License-Identifier: GPL-2.0
/*
 * [compare] section of an INI file (libinih). Other sections are left to
 * their owners, so the runner's config file can carry it too.
 *
 *   [compare]
 *   alpha = 0.05                 ; level of the round test, after correction
 *   threshold_pct = 5            ; |change of the median| needed to flag
 *   threshold.rmap.* = 10        ; per-metric override (last match wins)
 *   gate = timed:*, exact:slab.* ; regressions of these fail CI (timed:
 *                                ; headline metrics only)
 *   confidence = 0.95            ; of the bootstrap interval
 *   bootstrap = 10000            ; resamples
 *   seed = 5489                  ; bootstrap RNG seed
 *   correction = holm            ; or bh, none: over the gating timed metrics
 *
 * A glob is [exact:|timed:][WORKLOAD/]METRIC, fnmatch(3) syntax. The kind
 * prefix is for gate lists only: INI keys end at the first ':' or '=', and
 * thresholds only apply to timed metrics anyway.
 */
#include <errno.h>
#include <fnmatch.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ini.h>

#include "report.h"
#include "util.h"

#define DEFAULT_GATE "timed:*, exact:slab.*"

struct ini_state {
	struct cmp_config *cfg;
	char msg[256];
};

static int add_gate(struct cmp_config *cfg, const char *list)
{
	char *copy = strdup(list), *tok, *save = NULL;
	size_t i;

	if (!copy)
		return -1;
	for (i = 0; i < cfg->ngate; i++)
		free(cfg->gate[i]);
	cfg->ngate = 0;
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char **g;

		while (*tok == ' ' || *tok == '\t')
			tok++;
		for (i = strlen(tok); i && (tok[i - 1] == ' ' || tok[i - 1] == '\t'); i--)
			tok[i - 1] = '\0';
		if (!*tok || !strcmp(tok, "none"))
			continue;
		g = realloc(cfg->gate, (cfg->ngate + 1) * sizeof(*g));
		if (!g)
			goto fail;
		cfg->gate = g;
		cfg->gate[cfg->ngate] = strdup(tok);
		if (!cfg->gate[cfg->ngate])
			goto fail;
		cfg->ngate++;
	}
	free(copy);
	return 0;
fail:
	free(copy);
	return -1;
}

void cmp_config_init(struct cmp_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	rstat_timed_opts_default(&cfg->stat);
	cfg->correction = CORR_HOLM;
	add_gate(cfg, DEFAULT_GATE);
}

static int parse_double(const char *s, double lo, double hi, double *out)
{
	char *end;
	double d;

	errno = 0;
	d = strtod(s, &end);
	if (errno || end == s || *end || !isfinite(d) || d < lo || d > hi)
		return -1;
	*out = d;
	return 0;
}

static int set_threshold(struct ini_state *st, const char *glob,
			 const char *value)
{
	struct cmp_config *cfg = st->cfg;
	struct cmp_threshold *t;
	double pct;

	if (!*glob || parse_double(value, 0, 1e9, &pct)) {
		snprintf(st->msg, sizeof(st->msg),
			 "threshold.%s: expected a percentage >= 0, got \"%s\"", glob, value);
		return 0;
	}
	t = realloc(cfg->thr, (cfg->nthr + 1) * sizeof(*t));
	if (!t)
		return 0;
	cfg->thr = t;
	t[cfg->nthr].glob = strdup(glob);
	if (!t[cfg->nthr].glob)
		return 0;
	t[cfg->nthr].pct = pct;
	cfg->nthr++;
	return 1;
}

static int bad_value(struct ini_state *st, const char *name, const char *value,
		     const char *expect)
{
	snprintf(st->msg, sizeof(st->msg), "%s: expected %s, got \"%s\"",
		 name, expect, value);
	return 0;
}

static int compare_ini_key(void *user, const char *section, const char *name,
		       const char *value)
{
	struct ini_state *st = user;
	struct rstat_timed_opts *o = &st->cfg->stat;
	double d;

	if (strcmp(section, "compare"))
		return 1;
	if (!strncmp(name, "threshold.", 10))
		return set_threshold(st, name + 10, value);
	if (!strcmp(name, "alpha"))
		return parse_double(value, 1e-9, 0.5, &o->alpha) ?
		       bad_value(st, name, value, "a number in (0, 0.5]") : 1;
	if (!strcmp(name, "threshold_pct"))
		return parse_double(value, 0, 1e9, &o->threshold_pct) ?
		       bad_value(st, name, value, "a percentage >= 0") : 1;
	if (!strcmp(name, "confidence"))
		return parse_double(value, 0.5, 0.9999, &o->confidence) ?
		       bad_value(st, name, value, "a number in [0.5, 0.9999]") : 1;
	if (!strcmp(name, "bootstrap")) {
		if (parse_double(value, 100, 1e7, &d) || d != floor(d))
			return bad_value(st, name, value, "an integer in [100, 10000000]");
		o->iterations = (unsigned int)d;
		return 1;
	}
	if (!strcmp(name, "seed")) {
		if (parse_double(value, 0, 4294967295.0, &d) || d != floor(d))
			return bad_value(st, name, value, "an integer in [0, 2^32)");
		o->seed = (unsigned long)d;
		return 1;
	}
	if (!strcmp(name, "correction")) {
		if (!strcmp(value, "holm"))
			st->cfg->correction = CORR_HOLM;
		else if (!strcmp(value, "bh"))
			st->cfg->correction = CORR_BH;
		else if (!strcmp(value, "none"))
			st->cfg->correction = CORR_NONE;
		else
			return bad_value(st, name, value, "holm, bh or none");
		return 1;
	}
	if (!strcmp(name, "gate")) {
		if (add_gate(st->cfg, value))
			return bad_value(st, name, value, "a comma-separated list of globs");
		return 1;
	}
	snprintf(st->msg, sizeof(st->msg), "unknown key \"%s\" in [compare]", name);
	return 0;
}

int cmp_config_load(struct cmp_config *cfg, const char *path, char *err,
		    size_t errlen)
{
	struct ini_state st = { .cfg = cfg };
	char why[128], *text;
	int line;

	text = ini_read(path, why, sizeof(why), &line);
	if (!text) {
		if (line)
			snprintf(err, errlen, "%s:%d: %s", path, line, why);
		else
			snprintf(err, errlen, "%s: %s", path, why);
		return -1;
	}
	line = ini_parse_string(text, compare_ini_key, &st);
	free(text);
	if (line) {
		snprintf(err, errlen, "%s:%d: %s", path, line,
			 st.msg[0] ? st.msg : "syntax error");
		return -1;
	}
	free(cfg->path);
	cfg->path = strdup(path);
	return 0;
}

void cmp_config_free(struct cmp_config *cfg)
{
	size_t i;

	for (i = 0; i < cfg->ngate; i++)
		free(cfg->gate[i]);
	for (i = 0; i < cfg->nthr; i++)
		free(cfg->thr[i].glob);
	free(cfg->gate);
	free(cfg->thr);
	free(cfg->path);
	memset(cfg, 0, sizeof(*cfg));
}

/* [exact:|timed:][WORKLOAD/]METRIC */
bool cmp_glob_match(const char *glob, enum metric_kind kind,
		    const char *workload, const char *metric)
{
	char qualified[512];

	if (!strncmp(glob, "exact:", 6) || !strncmp(glob, "timed:", 6)) {
		if (strncmp(glob, kind_name(kind), 5))
			return false;
		glob += 6;
	}
	if (!strchr(glob, '/'))
		return !fnmatch(glob, metric, 0);
	snprintf(qualified, sizeof(qualified), "%s/%s", workload, metric);
	return !fnmatch(glob, qualified, 0);
}

bool cmp_config_gated(const struct cmp_config *cfg, enum metric_kind kind,
		      const char *workload, const char *metric)
{
	size_t i;

	for (i = 0; i < cfg->ngate; i++)
		if (cmp_glob_match(cfg->gate[i], kind, workload, metric))
			return true;
	return false;
}

double cmp_config_threshold(const struct cmp_config *cfg, enum metric_kind kind,
			    const char *workload, const char *metric)
{
	double pct = cfg->stat.threshold_pct;
	size_t i;

	for (i = 0; i < cfg->nthr; i++)
		if (cmp_glob_match(cfg->thr[i].glob, kind, workload, metric))
			pct = cfg->thr[i].pct;
	return pct;
}
