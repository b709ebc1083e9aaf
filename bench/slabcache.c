// SPDX-License-Identifier: GPL-2.0
/* One slab cache in /sys/kernel/slab and /proc/slabinfo (slabcache.h). */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "procfs.h"
#include "slabcache.h"
#include "sysinfo.h"

#define MAX_MERGED 128

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Names of /sys/kernel/slab symlinks to @target other than @self, sorted. */
static int merged_names(struct slab_cache *c, const char *self)
{
	char path[PATH_MAX], link[PATH_MAX];
	struct dirent *de;
	const char *base;
	ssize_t len;
	DIR *d;

	c->merged = calloc(MAX_MERGED, sizeof(*c->merged));
	if (!c->merged)
		return -ENOMEM;
	d = opendir(SLAB_SYSFS);
	if (!d)
		return 0;
	while ((de = readdir(d)) && c->nr_merged < MAX_MERGED) {
		if (de->d_type != DT_LNK || !strcmp(de->d_name, self))
			continue;
		snprintf(path, sizeof(path), SLAB_SYSFS "/%s", de->d_name);
		len = readlink(path, link, sizeof(link) - 1);
		if (len <= 0)
			continue;
		link[len] = '\0';
		base = strrchr(link, '/') ? strrchr(link, '/') + 1 : link;
		if (!strcmp(base, c->target) && (c->merged[c->nr_merged] = strdup(de->d_name)))
			c->nr_merged++;
	}
	closedir(d);
	qsort(c->merged, c->nr_merged, sizeof(c->merged[0]), cmp_str);
	return 0;
}

int slab_cache_lookup(const char *name, struct slab_cache *c)
{
	char path[PATH_MAX], link[PATH_MAX];
	struct stat st;
	ssize_t n;

	memset(c, 0, sizeof(*c));
	c->aliases = -1;
	snprintf(path, sizeof(path), SLAB_SYSFS "/%s", name);
	c->sysfs = lstat(path, &st) == 0;
	if (!c->sysfs)
		return 0;
	if (S_ISLNK(st.st_mode)) {
		n = readlink(path, link, sizeof(link) - 1);
		if (n > 0) {
			link[n] = '\0';
			snprintf(c->target, sizeof(c->target), "%s",
				 strrchr(link, '/') ? strrchr(link, '/') + 1 : link);
		}
	}
	snprintf(path, sizeof(path), SLAB_SYSFS "/%s/aliases", name);
	if (procfs_read_long(path, &c->aliases))
		c->aliases = -1;
	if (c->target[0] && merged_names(c, name)) {
		slab_cache_free(c);
		return -ENOMEM;
	}
	return 0;
}

void slab_cache_free(struct slab_cache *c)
{
	for (size_t i = 0; i < c->nr_merged; i++)
		free(c->merged[i]);
	free(c->merged);
	c->merged = NULL;
	c->nr_merged = 0;
}

bool slabinfo_has(const char *slabinfo, const char *name)
{
	size_t n = strlen(name);
	const char *p = slabinfo;

	for (; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (!strncmp(p, name, n) && p[n] == ' ')
			return true;
	return false;
}

int slabinfo_row(const char *slabinfo, const char *name, long *active, long *objsize)
{
	size_t n = strlen(name);
	const char *p = slabinfo;
	long num;

	for (; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		if (strncmp(p, name, n) || p[n] != ' ')
			continue;
		/* name <active_objs> <num_objs> <objsize> ... */
		if (sscanf(p + n, "%ld %ld %ld", active, &num, objsize) != 3 ||
		    *active < 0 || *objsize <= 0)
			return -EINVAL;
		return 0;
	}
	return -ENOENT;
}

const char *slab_cache_slabinfo_name(const struct slab_cache *c, const char *name,
				     const char *slabinfo)
{
	if (!slabinfo)
		return NULL;
	if (slabinfo_has(slabinfo, name))
		return name;
	for (size_t i = 0; i < c->nr_merged; i++)
		if (slabinfo_has(slabinfo, c->merged[i]))
			return c->merged[i];
	return NULL;
}
