// SPDX-License-Identifier: GPL-2.0
/*
 * System-wide figures of the tracked caches (sysslab.h and wl_sysslab_*() of
 * workload.h): /proc/slabinfo's active objects and object size per cache.
 * A merged cache has no figure: its row counts the objects of every cache
 * merged into it ("cache merged with ... (boot with slab_nomerge)").
 *
 * The runner reads the caches once when a run starts, before the suite has
 * touched them, and hands the reading to the workloads in the environment
 * (SYSSLAB_START_ENV): a workload process is re-executed and cannot inherit
 * memory. Format: "up=<uptime s>[ <cache>=<active>/<objsize>]...", or
 * "err=<reason>" when /proc/slabinfo could not be read.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "procfs.h"
#include "slabcache.h"
#include "sysslab.h"
#include "workload.h"

static double read_uptime(void)
{
	char buf[128];

	if (procfs_read("/proc/uptime", buf, sizeof(buf)) < 0)
		return -1;
	return strtod(buf, NULL);
}

/* Names merged with @c, "a, b" (or the number of aliases when none is known). */
static void merged_with(const struct slab_cache *c, char *out, size_t len)
{
	size_t used = 0;

	out[0] = 0;
	for (size_t i = 0; i < c->nr_merged && used < len; i++)
		used += snprintf(out + used, len - used, "%s%s", i ? ", " : "", c->merged[i]);
	if (!c->nr_merged)
		snprintf(out, len, "%ld other cache(s) (%s)", c->aliases, c->target);
}

/* Which caches exist and which can have a figure (not merged); no numbers. */
static void classify(struct wl_sysslab *s, const char *slabinfo)
{
	char cmdline[4096] = "", names[160];
	bool sysfs = access(SLAB_SYSFS, F_OK) == 0, nomerge;

	procfs_read("/proc/cmdline", cmdline, sizeof(cmdline));
	nomerge = procfs_has_word(cmdline, "slab_nomerge");
	memset(s, 0, sizeof(*s));
	s->uptime_s = -1;
	for (int k = 0; k < NR_SLAB_KINDS; k++) {
		const char *name = slab_kind_name(k);
		struct slab_cache c;

		if (slab_cache_lookup(name, &c)) {
			snprintf(s->why[k], WL_REASON_LEN, "out of memory");
			continue;
		}
		s->present[k] = c.sysfs || (slabinfo && slabinfo_has(slabinfo, name));
		if (c.sysfs && c.target[0] && (c.aliases > 0 || c.nr_merged)) {
			merged_with(&c, names, sizeof(names));
			snprintf(s->why[k], WL_REASON_LEN,
				 "cache %s merged with %s (boot with slab_nomerge)", name, names);
		} else if (s->present[k] && !sysfs && !nomerge) {
			snprintf(s->why[k], WL_REASON_LEN,
				 "merge state of %s unknown without %s (boot with slab_nomerge)",
				 name, SLAB_SYSFS);
		} else {
			s->ok[k] = s->present[k];
		}
		slab_cache_free(&c);
	}
}

/* Fills the numbers of the caches classify() allowed from @slabinfo. */
static void fill_rows(struct wl_sysslab *s, const char *slabinfo)
{
	for (int k = 0; k < NR_SLAB_KINDS; k++) {
		const char *name = slab_kind_name(k);
		int ret;

		if (!s->ok[k])
			continue;
		ret = slabinfo_row(slabinfo, name, &s->active[k], &s->objsize[k]);
		if (!ret)
			continue;
		s->ok[k] = false;
		snprintf(s->why[k], WL_REASON_LEN, "%s not listed in /proc/slabinfo%s", name,
			 ret == -EINVAL ? " in the expected format" : "");
	}
}

int wl_sysslab_now(struct wl_sysslab *s, char *why, size_t len)
{
	char *slabinfo = procfs_slurp("/proc/slabinfo", NULL);

	if (!slabinfo) {
		snprintf(why, len, "/proc/slabinfo: %s", strerror(errno));
		classify(s, NULL);
		return -1;
	}
	classify(s, slabinfo);
	fill_rows(s, slabinfo);
	s->uptime_s = read_uptime();
	free(slabinfo);
	return 0;
}

void sysslab_record_start(void)
{
	char text[1024], why[WL_REASON_LEN];
	struct wl_sysslab s;
	size_t used;

	if (wl_sysslab_now(&s, why, sizeof(why))) {
		snprintf(text, sizeof(text), "err=%s", why);
		setenv(SYSSLAB_START_ENV, text, 1);
		return;
	}
	used = snprintf(text, sizeof(text), "up=%.2f", s.uptime_s);
	for (int k = 0; k < NR_SLAB_KINDS && used < sizeof(text); k++)
		if (s.ok[k])
			used += snprintf(text + used, sizeof(text) - used, " %s=%ld/%ld",
					 slab_kind_name(k), s.active[k], s.objsize[k]);
	setenv(SYSSLAB_START_ENV, text, 1);
}

/* One "<cache>=<active>/<objsize>" token into @s; false when malformed. */
static bool parse_token(struct wl_sysslab *s, const char *tok, bool *seen)
{
	const char *eq = strchr(tok, '=');
	long active, objsize;
	char *end;

	if (!eq)
		return false;
	if (!strncmp(tok, "up=", 3)) {
		s->uptime_s = strtod(eq + 1, &end);
		return end != eq + 1 && !*end;
	}
	active = strtol(eq + 1, &end, 10);
	if (end == eq + 1 || *end != '/' || active < 0)
		return false;
	objsize = strtol(end + 1, &end, 10);
	if (*end || objsize <= 0)
		return false;
	for (int k = 0; k < NR_SLAB_KINDS; k++) {
		if (strlen(slab_kind_name(k)) != (size_t)(eq - tok) ||
		    strncmp(tok, slab_kind_name(k), eq - tok))
			continue;
		s->active[k] = active;
		s->objsize[k] = objsize;
		seen[k] = true;
		return true;
	}
	return true;	/* a cache this build does not track */
}

int wl_sysslab_start(struct wl_sysslab *s, char *why, size_t len)
{
	const char *env = getenv(SYSSLAB_START_ENV);
	bool seen[NR_SLAB_KINDS] = { false };
	char *copy, *tok, *save = NULL;
	bool ok = true;

	classify(s, NULL);
	if (!env) {
		snprintf(why, len, "no reading at the start of the run (%s not set)",
			 SYSSLAB_START_ENV);
		return -1;
	}
	if (!strncmp(env, "err=", 4)) {
		snprintf(why, len, "at the start of the run: %s", env + 4);
		return -1;
	}
	copy = strdup(env);
	if (!copy) {
		snprintf(why, len, "out of memory");
		return -1;
	}
	for (tok = strtok_r(copy, " ", &save); tok && ok; tok = strtok_r(NULL, " ", &save))
		ok = parse_token(s, tok, seen);
	free(copy);
	if (!ok) {
		snprintf(why, len, "%s is malformed: \"%.64s\"", SYSSLAB_START_ENV, env);
		return -1;
	}
	for (int k = 0; k < NR_SLAB_KINDS; k++) {
		/* the runner wrote only caches with a figure; merging does not change */
		if (seen[k]) {
			s->present[k] = s->ok[k] = true;
			s->why[k][0] = 0;
			continue;
		}
		if (!s->ok[k])
			continue;
		s->ok[k] = false;
		snprintf(s->why[k], WL_REASON_LEN, "%s had no figure at the start of the run",
			 slab_kind_name(k));
	}
	return 0;
}
