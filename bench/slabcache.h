/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the kernel says about one slab cache: /sys/kernel/slab and
 * /proc/slabinfo. The one place that knows how SLUB shows a merged cache
 * (every name a symlink to one ":t-0000064" directory, /proc/slabinfo listing
 * the cache once, under one of its names); used by the capability probe and
 * by the slab accounting.
 */
#ifndef RMAPBENCH_SLABCACHE_H
#define RMAPBENCH_SLABCACHE_H

#include <stdbool.h>
#include <stddef.h>

#define SLAB_SYSFS "/sys/kernel/slab"

struct slab_cache {
	bool sysfs;		/* /sys/kernel/slab/<name> exists */
	char target[256];	/* mergeable: the directory its symlink names; else "" */
	long aliases;		/* <name>/aliases: other caches merged in (root only), -1 unknown */
	size_t nr_merged;
	char **merged;		/* the other names of the same cache (symlinks to target), sorted */
};

/* Looks @name up in /sys/kernel/slab. 0, or -ENOMEM (nothing to free then). */
int slab_cache_lookup(const char *name, struct slab_cache *c);
void slab_cache_free(struct slab_cache *c);

/* Does the text of /proc/slabinfo list a cache named @name? */
bool slabinfo_has(const char *slabinfo, const char *name);
/*
 * The row of cache @name in the text of /proc/slabinfo: active objects and
 * objsize (bytes each object takes in its slab: the object, its alignment and
 * SLUB's metadata; /sys/kernel/slab/<name>/slab_size). 0, or -ENOENT when not
 * listed, -EINVAL when the row cannot be parsed.
 */
int slabinfo_row(const char *slabinfo, const char *name, long *active, long *objsize);
/* The name @slabinfo lists the cache under: @name or one of c->merged; NULL when none. */
const char *slab_cache_slabinfo_name(const struct slab_cache *c, const char *name,
				     const char *slabinfo);

#endif
