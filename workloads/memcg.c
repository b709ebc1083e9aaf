// SPDX-License-Identifier: GPL-2.0
/*
 * Memory cgroups for a workload, made and undone through its guard, and
 * their reclaim (memcg.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "memcg.h"
#include "procfs.h"
#include "wl_util.h"

struct cg_where {
	int version;
	char mount[PATH_MAX];	/* mount point of the hierarchy */
	char origin[PATH_MAX];	/* our cgroup's directory: we return there */
	char parent[PATH_MAX];	/* where our cgroup is made */
	bool need_mount;	/* v2 not mounted anywhere: mount our own */
};

/* Whether the comma-separated @list (modified) holds @word. */
static bool has_item(char *list, const char *word)
{
	char *save = NULL;

	for (char *tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
		if (!strcmp(tok, word))
			return true;
	return false;
}

/* Our path in the v1 hierarchy of @ctrl ("memory"), or in v2 when NULL. */
static bool own_cgroup(const char *ctrl, char *out, size_t len)
{
	FILE *f = fopen("/proc/self/cgroup", "re");
	char line[PATH_MAX + 64];
	bool found = false;

	if (!f)
		return false;
	/* "hierarchy-id:controller,list:/path"; v2 is "0::/path" */
	while (!found && fgets(line, sizeof(line), f)) {
		char *ctrls = strchr(line, ':'), *path;

		path = ctrls ? strchr(ctrls + 1, ':') : NULL;
		if (!path)
			continue;
		*path++ = 0;
		ctrls++;
		path[strcspn(path, "\n")] = 0;
		found = ctrl ? has_item(ctrls, ctrl) : !ctrls[0];
		if (found)
			snprintf(out, len, "%s", path);
	}
	fclose(f);
	return found;
}

/* Whether cgroup directory @dir hands the memory controller to its children. */
static bool delegates_memory(const char *dir)
{
	char path[PATH_MAX + 32], buf[256];

	snprintf(path, sizeof(path), "%s/cgroup.subtree_control", dir);
	return procfs_read(path, buf, sizeof(buf)) >= 0 && procfs_has_word(buf, "memory");
}

/*
 * v2: our cgroup is made below our own when that is the root or delegates
 * memory; else at the top, when the root delegates memory (a systemd host:
 * our session scope holds processes, so it cannot): we leave our cgroup for
 * the run and come back.
 */
static bool v2_usable(struct cg_where *w, char *why, size_t len)
{
	char path[PATH_MAX + 32], buf[256], rel[PATH_MAX];

	if (!own_cgroup(NULL, rel, sizeof(rel)))
		snprintf(rel, sizeof(rel), "/");
	snprintf(w->origin, sizeof(w->origin), "%s%s", w->mount, strcmp(rel, "/") ? rel : "");
	snprintf(path, sizeof(path), "%s/cgroup.controllers", w->mount);
	if (procfs_read(path, buf, sizeof(buf)) < 0 || !procfs_has_word(buf, "memory")) {
		snprintf(why, len, "cgroup v2 at %s: no memory controller (bound to v1?)",
			 w->mount);
		return false;
	}
	if (!strcmp(rel, "/") || delegates_memory(w->origin)) {
		snprintf(w->parent, sizeof(w->parent), "%s", w->origin);
	} else if (delegates_memory(w->mount)) {
		snprintf(w->parent, sizeof(w->parent), "%s", w->mount);
	} else {
		snprintf(why, len, "cgroup v2: neither our cgroup %s nor the root delegates the "
			 "memory controller", rel);
		return false;
	}
	w->version = 2;
	return true;
}

static bool cg_locate(struct cg_where *w, char *why, size_t len)
{
	char rel[PATH_MAX], buf[4096];

	memset(w, 0, sizeof(*w));
	/* the mounts the probe found: cgroup2, and the v1 hierarchy with memory */
	if (wl_kernel_detail("memcg", "v2", w->mount, sizeof(w->mount)) && v2_usable(w, why, len))
		return true;
	if (wl_kernel_detail("memcg", "v1", w->mount, sizeof(w->mount))) {
		if (!own_cgroup("memory", rel, sizeof(rel)))
			snprintf(rel, sizeof(rel), "/");
		snprintf(w->origin, sizeof(w->origin), "%s%s", w->mount,
			 strcmp(rel, "/") ? rel : "");
		snprintf(w->parent, sizeof(w->parent), "%s", w->origin);
		w->version = 1;
		return true;
	}
	if (procfs_read("/proc/filesystems", buf, sizeof(buf)) >= 0 && strstr(buf, "cgroup2")) {
		/* nothing mounted (a bare guest): mount v2 ourselves */
		snprintf(w->mount, sizeof(w->mount), "%s/cgroup2", wl_guard_dir());
		snprintf(w->origin, sizeof(w->origin), "%s", w->mount);
		snprintf(w->parent, sizeof(w->parent), "%s", w->mount);
		w->version = 2;
		w->need_mount = true;
		return true;
	}
	if (!why[0])
		snprintf(why, len, "no memory cgroup: neither cgroup v2 with memory nor a v1 "
			 "memory hierarchy (CONFIG_MEMCG)");
	return false;
}

bool wl_memcg_supported(char *why, size_t len)
{
	struct cg_where w;

	why[0] = 0;
	if (geteuid() != 0) {
		snprintf(why, len, "needs root (memory cgroups)");
		return false;
	}
	return cg_locate(&w, why, len);
}

static int mount_v2(struct wl_guard *g, struct cg_where *w, char *why, size_t len)
{
	char buf[256], path[PATH_MAX + 32];

	if (mkdir(w->mount, 0700) && errno != EEXIST) {
		snprintf(why, len, "mkdir %s: %s", w->mount, strerror(errno));
		return -1;
	}
	if (wl_guard_push(g, GUARD_UMOUNT, w->mount, NULL) ||
	    mount("cgroup2", w->mount, "cgroup2", 0, NULL)) {
		snprintf(why, len, "mount cgroup2 on %s: %s", w->mount, strerror(errno));
		return -1;
	}
	snprintf(path, sizeof(path), "%s/cgroup.controllers", w->mount);
	if (procfs_read(path, buf, sizeof(buf)) < 0 || !procfs_has_word(buf, "memory")) {
		snprintf(why, len, "cgroup v2: no memory controller");
		return -1;
	}
	return 0;
}

/* v2: the parent must hand the memory controller to its children. */
static int v2_delegate(struct wl_guard *g, const struct cg_where *w, char *why, size_t len)
{
	char path[PATH_MAX + 32];
	int ret;

	if (delegates_memory(w->parent))
		return 0;
	snprintf(path, sizeof(path), "%s/cgroup.subtree_control", w->parent);
	if (wl_guard_push(g, GUARD_WRITE, path, "-memory"))
		return -1;
	ret = procfs_write(path, "+memory");
	if (ret) {
		wl_guard_pop(g);
		snprintf(why, len, "enable memory in %s: %s", path, strerror(-ret));
		return -1;
	}
	return 0;
}

int wl_memcg_create(struct wl_guard *g, struct wl_memcg *cg, char *why, size_t len)
{
	char procs[PATH_MAX + 32], pid[32];
	struct cg_where w;
	int ret;

	why[0] = 0;
	if (!cg_locate(&w, why, len))
		return -1;
	if (w.need_mount && mount_v2(g, &w, why, len))
		return -1;
	if (w.version == 2 && v2_delegate(g, &w, why, len))
		return -1;
	cg->version = w.version;
	cg->limit = 0;
	cg->noswap = false;
	snprintf(cg->dir, sizeof(cg->dir), "%s/rmapbench-%d", w.parent, getpid());
	if (wl_guard_push(g, GUARD_RMDIR, cg->dir, NULL) || mkdir(cg->dir, 0755)) {
		snprintf(why, len, "mkdir %s: %s", cg->dir, strerror(errno));
		return -1;
	}
	snprintf(cg->origin_procs, sizeof(cg->origin_procs), "%s/cgroup.procs", w.origin);
	if (wl_guard_push(g, GUARD_ENTER, cg->origin_procs, NULL))
		return -1;
	snprintf(procs, sizeof(procs), "%s/cgroup.procs", cg->dir);
	snprintf(pid, sizeof(pid), "%d", getpid());
	ret = procfs_write(procs, pid);
	if (ret) {
		snprintf(why, len, "enter %s: %s", cg->dir, strerror(-ret));
		return -1;
	}
	return 0;
}

int wl_memcg_leave(const struct wl_memcg *cg, char *why, size_t len)
{
	char pid[32];
	int ret;

	snprintf(pid, sizeof(pid), "%d", getpid());
	ret = procfs_write(cg->origin_procs, pid);
	if (ret)
		snprintf(why, len, "leave %s for %s: %s", cg->dir, cg->origin_procs,
			 strerror(-ret));
	return ret ? -1 : 0;
}

long long wl_memcg_oom_kills(const struct wl_memcg *cg)
{
	char path[PATH_MAX + 64];
	long long v;

	snprintf(path, sizeof(path), "%s/%s", cg->dir,
		 cg->version == 2 ? "memory.events" : "memory.oom_control");
	return procfs_read_keyed(path, "oom_kill", &v) ? -1 : v;
}

void wl_memcg_limits(const struct wl_memcg *cg, char *out, size_t len)
{
	if (cg->limit)
		snprintf(out, len, "lowest limit %lld bytes%s", cg->limit,
			 cg->noswap ? ", swap off" : "");
	else
		snprintf(out, len, "no limit set by rmapbench");
}

/* Writes @value to @name of the group; 0, or -1 with @why. */
static int cg_write(const struct wl_memcg *cg, const char *name, const char *value,
		    char *why, size_t len)
{
	char path[PATH_MAX + 64];
	int ret;

	snprintf(path, sizeof(path), "%s/%s", cg->dir, name);
	ret = procfs_write(path, value);
	if (ret)
		snprintf(why, len, "write %s to %s: %s", value, path, strerror(-ret));
	return ret ? -1 : 0;
}

static bool cg_has(const struct wl_memcg *cg, const char *name)
{
	char path[PATH_MAX + 64];

	snprintf(path, sizeof(path), "%s/%s", cg->dir, name);
	return access(path, F_OK) == 0;
}

int wl_memcg_cap(struct wl_memcg *cg, long long bytes, char *why, size_t len)
{
	char val[32];

	snprintf(val, sizeof(val), "%lld", bytes);
	if (cg->version == 2) {
		if (cg_has(cg, "memory.swap.max") &&
		    cg_write(cg, "memory.swap.max", "0", why, len))
			return -1;
		if (cg_write(cg, "memory.max", val, why, len))
			return -1;
	} else {
		if (cg_write(cg, "memory.limit_in_bytes", val, why, len))
			return -1;
		if (cg_has(cg, "memory.memsw.limit_in_bytes") ?
		    cg_write(cg, "memory.memsw.limit_in_bytes", val, why, len) :
		    cg_write(cg, "memory.swappiness", "0", why, len))
			return -1;
	}
	cg->limit = bytes;
	cg->noswap = true;
	return 0;
}

static long long cg_file_ll(const struct wl_memcg *cg, const char *name)
{
	char path[PATH_MAX + 64];
	long long v;

	snprintf(path, sizeof(path), "%s/%s", cg->dir, name);
	return procfs_read_ll(path, &v) ? -1 : v;
}

long long wl_memcg_usage(const struct wl_memcg *cg)
{
	return cg_file_ll(cg, cg->version == 2 ? "memory.current" : "memory.usage_in_bytes");
}

long long wl_memcg_swap(const struct wl_memcg *cg)
{
	char path[PATH_MAX + 64];
	long long v;

	if (cg->version == 2)
		return cg_file_ll(cg, "memory.swap.current");
	snprintf(path, sizeof(path), "%s/memory.stat", cg->dir);
	return procfs_read_keyed(path, "swap", &v) ? -1 : v;
}

static int timed_write(struct wl_ctx *ctx, const char *path, const char *value,
		       uint64_t *ns)
{
	uint64_t t0 = wl_now_ns();
	int ret = procfs_write(path, value);

	*ns = wl_now_ns() - t0;
	wl_latency(ctx, "op.memory_reclaim", *ns);
	return ret;
}

/* v2: memory.reclaim in @steps chunks; stops after 3 writes in a row fail. */
static long long reclaim_v2(struct wl_ctx *ctx, const struct wl_memcg *cg, long long target,
			    int steps, char *why, size_t len)
{
	long long usage = wl_memcg_usage(cg), chunk, total = 0;
	char path[PATH_MAX + 32], val[32];
	int fails = 0;
	uint64_t ns;

	snprintf(path, sizeof(path), "%s/memory.reclaim", cg->dir);
	if (access(path, F_OK)) {
		snprintf(why, len, "no %s (kernel before 5.19)", path);
		return -1;
	}
	chunk = (usage - target) / steps;
	if (chunk < 65536)
		chunk = 65536;
	for (int i = 0; i < 4 * steps && usage > target && fails < 3; i++) {
		int ret;

		snprintf(val, sizeof(val), "%lld", chunk);
		ret = timed_write(ctx, path, val, &ns);
		total += ns;
		if (ret && ret != -EAGAIN) {
			snprintf(why, len, "write %s: %s", path, strerror(-ret));
			return -1;
		}
		fails = ret ? fails + 1 : 0;
		usage = wl_memcg_usage(cg);
	}
	return total;
}

/* Processes in the group (lines of cgroup.procs). */
static long cg_tasks(const struct wl_memcg *cg)
{
	char path[PATH_MAX + 32], line[32];
	long n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/cgroup.procs", cg->dir);
	f = fopen(path, "re");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		n++;
	fclose(f);
	return n;
}

#define V1_ROOM_PER_TASK	(256ll << 10)
#define V1_ROOM_BASE		(1ll << 20)

/*
 * v1: the lowest limit the members can live under. Kernel memory (page
 * tables, stacks, slab; counted in memory.usage_in_bytes on v1) cannot be
 * reclaimed, and a member woken from its futex wait faults its stack and
 * data back in: a limit at or below that is what OOM-killed tasks before
 * (usage 256kB, limit 256kB). Room: 256 KiB per task and 1 MiB more.
 */
static long long v1_floor(const struct wl_memcg *cg)
{
	char path[PATH_MAX + 32];
	long long kmem = cg_file_ll(cg, "memory.kmem.usage_in_bytes"), rss = 0, cache = 0;

	if (kmem < 0) {		/* no kmem file: what is neither anon nor file */
		snprintf(path, sizeof(path), "%s/memory.stat", cg->dir);
		procfs_read_keyed(path, "total_rss", &rss);
		procfs_read_keyed(path, "total_cache", &cache);
		kmem = wl_memcg_usage(cg) - rss - cache;
		if (kmem < 0)
			kmem = 0;
	}
	return kmem + cg_tasks(cg) * V1_ROOM_PER_TASK + V1_ROOM_BASE;
}

/*
 * v1: memory.limit_in_bytes stepped down towards @target, never below
 * v1_floor() (EBUSY, the kernel could not reclaim that far, ends it early);
 * the limit is lifted; if @target lay below the floor, memory.force_empty
 * (reclaims what it can without any limit) takes the rest.
 */
static long long reclaim_v1(struct wl_ctx *ctx, struct wl_memcg *cg, long long target,
			    int steps, const char **method, char *why, size_t len)
{
	long long usage = wl_memcg_usage(cg), floor = v1_floor(cg), stop, chunk, limit;
	long long total = 0;
	char path[PATH_MAX + 32], val[32] = "";
	uint64_t ns;
	int ret = 0, lift;

	stop = target > floor ? target : floor;
	snprintf(path, sizeof(path), "%s/memory.limit_in_bytes", cg->dir);
	chunk = (usage - stop) / steps;
	if (chunk < 65536)
		chunk = 65536;
	for (limit = usage - chunk; limit >= stop; limit -= chunk) {
		if (limit < v1_floor(cg))	/* kernel memory grew meanwhile */
			break;
		snprintf(val, sizeof(val), "%lld", limit);
		ret = timed_write(ctx, path, val, &ns);
		total += ns;
		if (ret)
			break;
		if (!cg->limit || limit < cg->limit)
			cg->limit = limit;
	}
	/* lift the limit: the members must be able to refault */
	lift = procfs_write(path, "-1");
	if (ret && ret != -EBUSY) {
		snprintf(why, len, "write %s to %s: %s", val, path, strerror(-ret));
		return -1;
	}
	if (lift) {
		snprintf(why, len, "lift %s: %s", path, strerror(-lift));
		return -1;
	}
	if (target < floor && wl_memcg_usage(cg) > target) {
		snprintf(path, sizeof(path), "%s/memory.force_empty", cg->dir);
		*method = "cgroup v1 memory.limit_in_bytes lowered step by step to a floor, "
			  "then memory.force_empty";
		ret = timed_write(ctx, path, "0", &ns);
		total += ns;
		if (ret) {
			snprintf(why, len, "write 0 to %s: %s", path, strerror(-ret));
			return -1;
		}
	}
	return total;
}

long long wl_memcg_reclaim(struct wl_ctx *ctx, struct wl_memcg *cg,
			   long long target, int steps, const char **method,
			   char *why, size_t len)
{
	if (steps < 1)
		steps = 1;
	if (cg->version == 2) {
		*method = "cgroup v2 memory.reclaim";
		return reclaim_v2(ctx, cg, target, steps, why, len);
	}
	*method = "cgroup v1 memory.limit_in_bytes lowered step by step to a floor";
	return reclaim_v1(ctx, cg, target, steps, method, why, len);
}
