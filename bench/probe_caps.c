// SPDX-License-Identifier: GPL-2.0
/*
 * `rmapbench probe`: the capability checks (probe_caps.h), one function per
 * capability, each with the reason of every "no".
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/perf_event.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>

#include "procfs.h"
#include "kallsyms.h"
#include "probe_attach.h"
#include "probe_caps.h"
#include "procmap_query.h"
#include "slabcache.h"
#include "slabacct_shared.h"
#include "sysinfo.h"

static const char *const tracepoints[] = {
	"kmem/kmem_cache_alloc", "kmem/kmem_cache_free",
	"sched/sched_process_fork", "sched/sched_process_exit",
};
#define NR_TRACEPOINTS (sizeof(tracepoints) / sizeof(tracepoints[0]))

static const char *const rmap_funcs[] = {
	"rmap_walk_anon", "folio_referenced", "try_to_unmap", "try_to_migrate",
	"folio_lock_anon_vma_read", "rmap_walk_ksm",
};
#define NR_RMAP_FUNCS (sizeof(rmap_funcs) / sizeof(rmap_funcs[0]))

/* ---- capability objects --------------------------------------------- */

static json_t *cap_new(bool available, const char *reason)
{
	return json_pack("{s:b, s:s?}", "available", available, "reason", reason);
}

static json_t *cap_yes(void)
{
	return cap_new(true, NULL);
}

static __attribute__((format(printf, 1, 2))) json_t *cap_no(const char *fmt, ...)
{
	char buf[PROBE_REASON_LEN];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return cap_new(false, buf);
}

/* Sets a detail; a NULL value (allocation failure) becomes null. */
static void cap_set(json_t *cap, const char *key, json_t *val)
{
	if (cap)
		json_object_set_new(cap, key, val ? val : json_null());
}

static json_t *jstr(const char *s)
{
	json_t *j = s ? json_string(s) : NULL;

	return j ? j : json_null();
}

static bool path_exists(const char *path)
{
	return access(path, F_OK) == 0;
}
/* ---- state shared by the capability probes --------------------------- */

struct env {
	struct btf *btf;
	int btf_err;
	bool method_ok[NR_METHODS];
	char method_why[NR_METHODS][PROBE_REASON_LEN];
	const struct ksyms *ksyms;	/* /proc/kallsyms */
	const struct ksym *rmap[NR_RMAP_FUNCS];	/* each function's entry symbol */
};

static void kallsyms_scan(struct env *env)
{
	size_t i;

	env->ksyms = ksyms_get();
	for (i = 0; i < NR_RMAP_FUNCS; i++)
		env->rmap[i] = ksyms_find(env->ksyms, rmap_funcs[i]);
}

/* ---- kernel, BTF, bpf() ---------------------------------------------- */

static json_t *cap_kernel(void)
{
	struct utsname u;
	char e[PROBE_ERRLEN];
	json_t *cap;

	if (uname(&u))
		return cap_no("uname: %s", sysinfo_strerr(errno, e, sizeof(e)));
	cap = cap_yes();
	cap_set(cap, "release", jstr(u.release));
	return cap;
}

static json_t *cap_btf(struct env *env)
{
	static const char path[] = "/sys/kernel/btf/vmlinux";
	char e[PROBE_ERRLEN];
	struct stat st;
	json_t *cap;

	env->btf = NULL;
	if (stat(path, &st)) {
		env->btf_err = -errno;
		return cap_no("%s: %s", path, sysinfo_strerr(errno, e, sizeof(e)));
	}
	env->btf = probe_btf_load(&env->btf_err);
	if (!env->btf)
		return cap_no("%s present but not loadable: %s", path,
			      sysinfo_strerr(env->btf_err, e, sizeof(e)));
	cap = cap_yes();
	cap_set(cap, "path", jstr(path));
	cap_set(cap, "size", json_integer(st.st_size));
	cap_set(cap, "types", json_integer(btf__type_cnt(env->btf)));
	return cap;
}

static json_t *cap_bpf(void)
{
	char e[PROBE_ERRLEN];
	json_t *cap;
	long val;
	int fd;

	fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "rmapbench_probe", 4, 8, 1, NULL);
	if (fd < 0) {
		cap = cap_no("bpf(BPF_MAP_CREATE): %s", sysinfo_strerr(errno, e, sizeof(e)));
	} else {
		close(fd);
		cap = cap_yes();
	}
	if (!procfs_read_long("/proc/sys/kernel/unprivileged_bpf_disabled", &val))
		cap_set(cap, "unprivileged_bpf_disabled", json_integer(val));
	if (!procfs_read_long("/proc/sys/net/core/bpf_jit_enable", &val))
		cap_set(cap, "jit_enable", json_integer(val));
	return cap;
}

static json_t *cap_attach(struct env *env)
{
	json_t *group = json_object(), *cap;
	int i;

	for (i = 0; i < NR_METHODS; i++) {
		const char *target = probe_method_target(i);
		bool fire = i == M_RAW_TP || i == M_TP_BTF;

		env->method_ok[i] = probe_attach_test(i, env->btf, env->btf_err, target, fire,
						      true, env->method_why[i], PROBE_REASON_LEN);
		if (env->method_ok[i])
			cap = cap_yes();
		else
			cap = cap_new(false, env->method_why[i]);
		cap_set(cap, "target", jstr(target));
		/* whether the program was seen running (only checked on a fork) */
		cap_set(cap, "ran", fire && env->method_ok[i] ? json_true() : json_null());
		cap_set(group, probe_method_name(i), cap);
	}
	return group;
}

/* ---- tracepoints ----------------------------------------------------- */

static const char *tracefs_dir(void)
{
	static const char *const dirs[] = { "/sys/kernel/tracing", "/sys/kernel/debug/tracing" };
	char path[PATH_MAX];
	size_t i;

	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(path, sizeof(path), "%s/events", dirs[i]);
		if (path_exists(path))
			return dirs[i];
	}
	return NULL;
}

/*
 * One source of a tracepoint: @found (1) adds @name to @sources, 0 adds
 * "@miss; " to @why; -1 (the source cannot be asked) adds "@none; ".
 */
static int tp_source(json_t *sources, const char *name, int found, const char *miss,
		     const char *none, char *why, size_t len)
{
	if (found > 0)
		json_array_append_new(sources, json_string(name));
	else
		probe_append(why, len, "%s; ", found ? none : miss);
	return found;
}

static json_t *cap_tracepoint(struct env *env, const char *tp, const char *tracefs)
{
	const char *event = strchr(tp, '/') + 1;
	char btf_name[PATH_MAX], path[PATH_MAX], why[PROBE_REASON_LEN] = "";
	char miss[PATH_MAX + 32], rt[PROBE_REASON_LEN] = "";
	json_t *sources = json_array(), *cap;
	int in_btf = -1, in_tracefs = -1, raw_tp = -1;

	snprintf(btf_name, sizeof(btf_name), "btf_trace_%s", event);
	if (env->btf)
		in_btf = btf__find_by_name_kind(env->btf, btf_name, BTF_KIND_TYPEDEF) > 0;
	snprintf(miss, sizeof(miss), "%s not in vmlinux BTF", btf_name);
	in_btf = tp_source(sources, "btf", in_btf, miss, "no vmlinux BTF", why, sizeof(why));

	snprintf(path, sizeof(path), "%s/events/%s", tracefs ? tracefs : "", tp);
	if (tracefs)
		in_tracefs = path_exists(path);
	snprintf(miss, sizeof(miss), "%s absent", path);
	in_tracefs = tp_source(sources, "tracefs", in_tracefs, miss, "tracefs not mounted",
			       why, sizeof(why));

	if (env->method_ok[M_RAW_TP])
		raw_tp = probe_attach_test(M_RAW_TP, NULL, 0, event, false, false, rt, sizeof(rt));
	raw_tp = tp_source(sources, "raw_tp", raw_tp, rt, "raw_tp unusable", why, sizeof(why));
	if (json_array_size(sources)) {
		cap = cap_yes();
	} else {
		why[strlen(why) > 2 ? strlen(why) - 2 : 0] = '\0';
		cap = cap_new(false, why);
	}
	cap_set(cap, "btf", in_btf < 0 ? json_null() : json_boolean(in_btf));
	cap_set(cap, "tracefs", in_tracefs < 0 ? json_null() : json_boolean(in_tracefs));
	cap_set(cap, "raw_tp", raw_tp < 0 ? json_null() : json_boolean(raw_tp));
	cap_set(cap, "sources", sources);
	return cap;
}

static json_t *cap_tracepoints(struct env *env)
{
	const char *tracefs = tracefs_dir();
	json_t *group = json_object();
	size_t i;

	for (i = 0; i < NR_TRACEPOINTS; i++)
		cap_set(group, tracepoints[i], cap_tracepoint(env, tracepoints[i], tracefs));
	return group;
}

/* ---- rmap functions -------------------------------------------------- */

static json_t *cap_rmap_func(struct env *env, size_t i)
{
	const char *fn = rmap_funcs[i];
	const struct ksym *ks = env->rmap[i];
	char fwhy[PROBE_REASON_LEN] = "", kwhy[PROBE_REASON_LEN] = "";
	bool in_btf = false, fentry = false, kprobe = false;
	json_t *cap;

	if (env->btf)
		in_btf = btf__find_by_name_kind(env->btf, fn, BTF_KIND_FUNC) > 0;
	if (in_btf)
		fentry = probe_attach_test(M_FENTRY, env->btf, env->btf_err, fn, false, false,
				     fwhy, sizeof(fwhy));
	else
		snprintf(fwhy, sizeof(fwhy), "fentry: %s", env->btf ? "not in vmlinux BTF" :
			 "no vmlinux BTF");
	if (ks)
		kprobe = probe_attach_test(M_KPROBE, NULL, 0, ks->name, false, false,
				     kwhy, sizeof(kwhy));
	else
		snprintf(kwhy, sizeof(kwhy), "kprobe: not in /proc/kallsyms");

	if (fentry || kprobe)
		cap = cap_yes();
	else if (!ks && !in_btf)
		cap = cap_no("not in /proc/kallsyms%s (inlined or absent)",
			     env->btf ? " nor in vmlinux BTF" : "");
	else
		cap = cap_no("in %s%s%s, but %s; %s", ks ? "kallsyms" : "",
			     ks && in_btf ? " and " : "", in_btf ? "BTF" : "",
			     fwhy, kwhy);
	cap_set(cap, "kallsyms", json_boolean(ks != NULL));
	cap_set(cap, "symbol", ks ? jstr(ks->name) : json_null());
	cap_set(cap, "btf", env->btf ? json_boolean(in_btf) : json_null());
	cap_set(cap, "fentry", json_boolean(fentry));
	cap_set(cap, "kprobe", json_boolean(kprobe));
	return cap;
}

static json_t *cap_rmap_funcs(struct env *env)
{
	json_t *group = json_object();
	size_t i;

	for (i = 0; i < NR_RMAP_FUNCS; i++)
		cap_set(group, rmap_funcs[i], cap_rmap_func(env, i));
	return group;
}

static json_t *cap_kallsyms(struct env *env)
{
	char e[PROBE_ERRLEN];
	json_t *cap;
	long kr = -1;

	procfs_read_long("/proc/sys/kernel/kptr_restrict", &kr);
	if (env->ksyms->err)
		cap = cap_no("/proc/kallsyms: %s", sysinfo_strerr(env->ksyms->err, e, sizeof(e)));
	else if (!env->ksyms->lines)
		cap = cap_no("/proc/kallsyms is empty");
	else if (!env->ksyms->addrs)
		cap = cap_no("addresses hidden (all zero; kptr_restrict=%ld, euid %d)",
			     kr, (int)geteuid());
	else
		cap = cap_yes();
	cap_set(cap, "kptr_restrict", kr >= 0 ? json_integer(kr) : json_null());
	return cap;
}

/* ---- swap, zram ------------------------------------------------------ */

static json_t *cap_swap(void)
{
	json_t *devices = json_array(), *cap;
	char *text, *line, *save = NULL, e[PROBE_ERRLEN];
	char name[PATH_MAX];
	long long total = 0, size;
	bool header = true;

	text = procfs_slurp("/proc/swaps", NULL);
	if (!text) {
		json_decref(devices);
		cap = cap_no("/proc/swaps: %s", sysinfo_strerr(errno, e, sizeof(e)));
		cap_set(cap, "procfs", json_false());	/* CONFIG_SWAP */
		return cap;
	}
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (header) {
			header = false;
			continue;
		}
		if (sscanf(line, "%4095s %*s %lld", name, &size) == 2) {
			json_array_append_new(devices, jstr(name));
			total += size;
		}
	}
	free(text);
	if (json_array_size(devices))
		cap = cap_yes();
	else
		cap = cap_no("no active swap device in /proc/swaps");
	cap_set(cap, "devices", devices);
	cap_set(cap, "total_kib", json_integer(total));
	cap_set(cap, "procfs", json_true());
	return cap;
}

static int count_prefixed(const char *dir, const char *prefix)
{
	struct dirent *de;
	int n = 0;
	DIR *d;

	d = opendir(dir);
	if (!d)
		return -errno;
	while ((de = readdir(d)))
		if (!strncmp(de->d_name, prefix, strlen(prefix)))
			n++;
	closedir(d);
	return n;
}

/* `modprobe -n @module`: 1 loadable, 0 not, with its first output line in @out. */
static int modprobe_dry_run(const char *module, char *out, size_t len)
{
	char cmd[128], line[256] = "";
	int status;
	FILE *p;

	snprintf(cmd, sizeof(cmd), "modprobe -n %s 2>&1", module);
	p = popen(cmd, "r");
	if (!p) {
		snprintf(out, len, "cannot run modprobe: %s", strerror(errno));
		return 0;
	}
	if (fgets(line, sizeof(line), p))
		line[strcspn(line, "\n")] = '\0';
	while (fgetc(p) != EOF)
		;
	status = pclose(p);
	if (status == 0)
		return 1;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
		snprintf(out, len, "modprobe not found");
	else
		snprintf(out, len, "modprobe -n %s: %s", module,
			 line[0] ? line : "failed without a message");
	return 0;
}

/*
 * Where zram.ko can be loaded from: listed in modules.dep (what modprobe
 * reads), else the file itself (insmod; initramfs without depmod), else
 * whatever `modprobe -n zram` says. NULL with @why when nowhere.
 */
static const char *zram_module(char *why, size_t len)
{
	static const char *const exts[] = { "", ".xz", ".zst", ".gz" };
	char path[PATH_MAX], mp[160];
	struct utsname u;
	char *dep;
	size_t i;

	if (uname(&u)) {
		snprintf(why, len, "uname: %s", strerror(errno));
		return NULL;
	}
	snprintf(path, sizeof(path), "/lib/modules/%s/modules.dep", u.release);
	dep = procfs_slurp(path, NULL);
	if (dep) {
		bool found = strstr(dep, "/zram.ko") != NULL;

		free(dep);
		if (found)
			return "module";
	}
	for (i = 0; i < sizeof(exts) / sizeof(exts[0]); i++) {
		snprintf(path, sizeof(path), "/lib/modules/%s/kernel/drivers/block/zram/zram.ko%s",
			 u.release, exts[i]);
		if (path_exists(path))
			return "module";
	}
	if (modprobe_dry_run("zram", mp, sizeof(mp)))
		return "module";
	snprintf(why, len, "no zram.ko under /lib/modules/%s; %s", u.release, mp);
	return NULL;
}

static json_t *cap_zram(void)
{
	char why[PROBE_REASON_LEN];
	const char *source;
	json_t *cap;
	int devs;

	if (path_exists("/sys/class/zram-control")) {
		cap = cap_yes();
		/* only a loaded module has an initstate */
		cap_set(cap, "source", jstr(path_exists("/sys/module/zram/initstate") ?
					    "loaded module" : "built-in"));
		devs = count_prefixed("/sys/block", "zram");
		cap_set(cap, "devices", devs >= 0 ? json_integer(devs) : json_null());
		return cap;
	}
	source = zram_module(why, sizeof(why));
	if (!source)
		return cap_no("not loaded (/sys/class/zram-control absent); %s", why);
	cap = cap_yes();
	cap_set(cap, "source", jstr(source));
	cap_set(cap, "devices", json_integer(0));
	return cap;
}

/* ---- memory cgroup --------------------------------------------------- */

struct cgroups {
	char v1_memory[PATH_MAX];	/* v1 hierarchy with the memory controller */
	char v2[PATH_MAX];		/* cgroup2 mount */
	int enabled;			/* /proc/cgroups "memory" enabled, -1 unknown */
	bool v2_memory;
};

static bool has_opt(const char *opts, const char *opt)
{
	size_t n = strlen(opt);
	const char *p = opts;

	for (; p; p = strchr(p, ','), p = p ? p + 1 : NULL)
		if (!strncmp(p, opt, n) && (p[n] == ',' || p[n] == '\0'))
			return true;
	return false;
}

static void cgroups_scan(struct cgroups *cg)
{
	char dev[256], mnt[PATH_MAX], type[64], opts[1024], path[PATH_MAX + 32];
	char *text, *line, *save = NULL;
	int hier, num, en;
	char name[64];
	FILE *f;

	memset(cg, 0, sizeof(*cg));
	cg->enabled = -1;
	f = fopen("/proc/mounts", "re");
	while (f && fscanf(f, "%255s %4095s %63s %1023s %*d %*d", dev, mnt, type, opts) == 4) {
		if (!strcmp(type, "cgroup2") && !cg->v2[0])
			snprintf(cg->v2, sizeof(cg->v2), "%s", mnt);
		else if (!strcmp(type, "cgroup") && has_opt(opts, "memory") && !cg->v1_memory[0])
			snprintf(cg->v1_memory, sizeof(cg->v1_memory), "%s", mnt);
	}
	if (f)
		fclose(f);
	text = procfs_slurp("/proc/cgroups", NULL);
	for (line = text ? strtok_r(text, "\n", &save) : NULL; line;
	     line = strtok_r(NULL, "\n", &save))
		if (sscanf(line, "%63s %d %d %d", name, &hier, &num, &en) == 4 &&
		    !strcmp(name, "memory"))
			cg->enabled = en;
	free(text);
	if (cg->v2[0]) {
		snprintf(path, sizeof(path), "%s/cgroup.controllers", cg->v2);
		text = procfs_slurp(path, NULL);
		cg->v2_memory = text && procfs_has_word(text, "memory");
		free(text);
	}
}

static json_t *cap_memcg(const struct cgroups *cg)
{
	json_t *cap;

	if (cg->v1_memory[0] || cg->v2_memory)
		cap = cap_yes();
	else if (cg->enabled == 0)
		cap = cap_no("memory controller disabled (/proc/cgroups)");
	else
		cap = cap_no("memory controller not mounted: no cgroup v1 memory hierarchy%s%s%s",
			     cg->v2[0] ? ", not in " : ", no cgroup2 mount",
			     cg->v2, cg->v2[0] ? "/cgroup.controllers" : "");
	cap_set(cap, "v1", cg->v1_memory[0] ? jstr(cg->v1_memory) : json_null());
	cap_set(cap, "v2", cg->v2[0] ? jstr(cg->v2) : json_null());
	cap_set(cap, "v2_memory", json_boolean(cg->v2_memory));
	cap_set(cap, "enabled", cg->enabled < 0 ? json_null() : json_boolean(cg->enabled));
	return cap;
}

static json_t *cap_memcg_reclaim(const struct cgroups *cg)
{
	char path[PATH_MAX + 32], e[PROBE_ERRLEN];
	json_t *cap;

	if (!cg->v2[0])
		return cap_no("no cgroup2 hierarchy mounted");
	if (!cg->v2_memory) {
		if (cg->v1_memory[0])
			return cap_no("memory controller not in %s/cgroup.controllers "
				      "(bound to the cgroup v1 hierarchy at %s)",
				      cg->v2, cg->v1_memory);
		return cap_no("memory controller not in %s/cgroup.controllers", cg->v2);
	}
	snprintf(path, sizeof(path), "%s/memory.reclaim", cg->v2);
	if (!path_exists(path))
		return cap_no("%s: %s (added in 5.19)", path, sysinfo_strerr(errno, e, sizeof(e)));
	cap = cap_yes();
	cap_set(cap, "path", jstr(path));
	return cap;
}

/* ---- THP, KSM, NUMA, compaction, max_map_count ----------------------- */

#define THP_DIR		"/sys/kernel/mm/transparent_hugepage"
#define KSM_RUN		"/sys/kernel/mm/ksm/run"
#define COMPACT_PATH	"/proc/sys/vm/compact_memory"
#define OFFLINE_PATH	"/sys/devices/system/memory/soft_offline_page"

static json_t *thp_mode(void)
{
	static const char dir[] = THP_DIR;
	char path[256], text[256], enabled[32], defrag[32], e[PROBE_ERRLEN];
	json_t *cap;
	long pmd;
	int ret;

	snprintf(path, sizeof(path), "%s/enabled", dir);
	ret = procfs_read(path, text, sizeof(text));
	if (ret < 0)
		return cap_no("%s: %s", path, sysinfo_strerr(ret, e, sizeof(e)));
	if (procfs_bracket_choice(text, enabled, sizeof(enabled)))
		return cap_no("%s: no selected mode in \"%s\"", path, text);
	snprintf(path, sizeof(path), "%s/defrag", dir);
	if (procfs_read(path, text, sizeof(text)) < 0 ||
	    procfs_bracket_choice(text, defrag, sizeof(defrag)))
		defrag[0] = '\0';
	if (!strcmp(enabled, "never"))
		cap = cap_no("disabled: %s/enabled is [never]", dir);
	else
		cap = cap_yes();
	cap_set(cap, "enabled", jstr(enabled));
	cap_set(cap, "defrag", defrag[0] ? jstr(defrag) : json_null());
	snprintf(path, sizeof(path), "%s/hpage_pmd_size", dir);
	cap_set(cap, "pmd_size", procfs_read_long(path, &pmd) ? json_null() : json_integer(pmd));
	return cap;
}

/* The mode, and whether the sysfs file exists (CONFIG_TRANSPARENT_HUGEPAGE) and is ours to set. */
static json_t *cap_thp(void)
{
	json_t *cap = thp_mode();

	cap_set(cap, "sysfs", json_boolean(path_exists(THP_DIR "/enabled")));
	cap_set(cap, "writable", json_boolean(access(THP_DIR "/enabled", W_OK) == 0));
	return cap;
}

/* Available when the integer file @path reads; its value as detail @key. */
static json_t *cap_long_file(const char *path, const char *key)
{
	char e[PROBE_ERRLEN];
	json_t *cap;
	long val;
	int ret;

	ret = procfs_read_long(path, &val);
	if (ret)
		return cap_no("%s: %s", path, sysinfo_strerr(ret, e, sizeof(e)));
	cap = cap_yes();
	cap_set(cap, key, json_integer(val));
	return cap;
}

static json_t *cap_ksm(void)
{
	json_t *cap = cap_long_file(KSM_RUN, "run");

	cap_set(cap, "sysfs", json_boolean(path_exists(KSM_RUN)));	/* CONFIG_KSM */
	return cap;
}

static bool is_node_dir(const char *name)
{
	if (strncmp(name, "node", 4) || !name[4])
		return false;
	for (name += 4; *name; name++)
		if (*name < '0' || *name > '9')
			return false;
	return true;
}

static json_t *cap_numa(void)
{
	static const char dir[] = "/sys/devices/system/node";
	char online[256], e[PROBE_ERRLEN];
	struct dirent *de;
	json_t *cap;
	int nodes = 0;
	DIR *d;

	d = opendir(dir);
	if (!d)
		return cap_no("%s: %s", dir, sysinfo_strerr(errno, e, sizeof(e)));
	while ((de = readdir(d)))
		if (is_node_dir(de->d_name))
			nodes++;
	closedir(d);
	if (!nodes)
		return cap_no("no node directories in %s", dir);
	cap = cap_yes();
	cap_set(cap, "nodes", json_integer(nodes));
	if (procfs_read("/sys/devices/system/node/online", online, sizeof(online)) >= 0)
		cap_set(cap, "online", jstr(online));
	/* the nodes with memory ("0", "0-1"), where migration can move pages to */
	if (procfs_read("/sys/devices/system/node/has_memory", online, sizeof(online)) >= 0 ||
	    procfs_read("/sys/devices/system/node/online", online, sizeof(online)) >= 0)
		cap_set(cap, "memory_nodes", jstr(online));
	return cap;
}

/* Available when the file @path that asks the kernel to act is ours to write. */
static json_t *cap_writable(const char *path, const char *config)
{
	char e[PROBE_ERRLEN];
	json_t *cap;

	if (access(path, W_OK))
		return cap_no("%s: %s (%s?)", path, sysinfo_strerr(errno, e, sizeof(e)), config);
	cap = cap_yes();
	cap_set(cap, "path", jstr(path));
	return cap;
}

/* Compaction on demand (CONFIG_COMPACTION), as the migrate workload uses it. */
static json_t *cap_compaction(void)
{
	return cap_writable(COMPACT_PATH, "CONFIG_COMPACTION");
}

/* Soft offline of a page (CONFIG_MEMORY_FAILURE): migrate's method=3. */
static json_t *cap_soft_offline(void)
{
	return cap_writable(OFFLINE_PATH, "CONFIG_MEMORY_FAILURE");
}

static json_t *cap_max_map_count(void)
{
	return cap_long_file("/proc/sys/vm/max_map_count", "value");
}

/* ---- perf events ----------------------------------------------------- */

static volatile unsigned long perf_sink;

#define PMU_DIR "/sys/bus/event_source/devices"

/* A core PMU is registered ("cpu", or "cpu_core"/"cpu_atom" on hybrids). */
static bool cpu_pmu(void)
{
	return path_exists(PMU_DIR "/cpu") || path_exists(PMU_DIR "/cpu_core") ||
	       path_exists(PMU_DIR "/cpu_atom") || path_exists(PMU_DIR "/armv8_pmuv3");
}

/* Something to count: 16 page faults, or a short loop. */
static void perf_workload(bool faults)
{
	long page = sysconf(_SC_PAGESIZE);
	unsigned long i;
	char *p;
	int k;

	if (!faults) {
		for (i = 0; i < 100000; i++)
			perf_sink += i;
		return;
	}
	p = mmap(NULL, 16 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return;
	for (k = 0; k < 16; k++)
		((volatile char *)p)[k * page] = 1;
	munmap(p, 16 * page);
}

static json_t *cap_perf_event(__u32 type, __u64 config, const char *what)
{
	struct perf_event_attr attr;
	char e[PROBE_ERRLEN];
	__u64 count = 0;
	long paranoid;
	json_t *cap;
	int fd, error;

	memset(&attr, 0, sizeof(attr));
	attr.size = sizeof(attr);
	attr.type = type;
	attr.config = config;
	attr.disabled = 1;
	attr.exclude_hv = 1;
	fd = syscall(__NR_perf_event_open, &attr, 0, -1, -1, PERF_FLAG_FD_CLOEXEC);
	if (fd < 0) {
		error = errno;
		sysinfo_strerr(error, e, sizeof(e));
		if (error == ENOENT && type == PERF_TYPE_HARDWARE && !cpu_pmu())
			return cap_no("perf_event_open(%s): %s; no CPU PMU in %s", what, e, PMU_DIR);
		if ((error == EACCES || error == EPERM) &&
		    !procfs_read_long("/proc/sys/kernel/perf_event_paranoid", &paranoid))
			return cap_no("perf_event_open(%s): %s; perf_event_paranoid=%ld, euid %d",
				      what, e, paranoid, (int)geteuid());
		return cap_no("perf_event_open(%s): %s", what, e);
	}
	ioctl(fd, PERF_EVENT_IOC_RESET, 0);
	ioctl(fd, PERF_EVENT_IOC_ENABLE, 0);
	perf_workload(type == PERF_TYPE_SOFTWARE);
	ioctl(fd, PERF_EVENT_IOC_DISABLE, 0);
	if (read(fd, &count, sizeof(count)) != (ssize_t)sizeof(count)) {
		cap = cap_no("%s: read of the counter failed: %s", what,
			     sysinfo_strerr(errno, e, sizeof(e)));
	} else if (!count) {
		cap = cap_no("%s: opened, but counted 0", what);
	} else {
		cap = cap_yes();
	}
	close(fd);
	return cap;
}

static json_t *cap_perf(void)
{
	json_t *group = json_object();
	long paranoid;

	cap_set(group, "page_faults", cap_perf_event(PERF_TYPE_SOFTWARE, PERF_COUNT_SW_PAGE_FAULTS,
						     "software page-faults"));
	cap_set(group, "cycles", cap_perf_event(PERF_TYPE_HARDWARE, PERF_COUNT_HW_CPU_CYCLES,
						"hardware cycles"));
	cap_set(group, "instructions", cap_perf_event(PERF_TYPE_HARDWARE,
						      PERF_COUNT_HW_INSTRUCTIONS,
						      "hardware instructions"));
	if (!procfs_read_long("/proc/sys/kernel/perf_event_paranoid", &paranoid)) {
		json_t *cap;
		const char *key;

		json_object_foreach(group, key, cap)
			cap_set(cap, "perf_event_paranoid", json_integer(paranoid));
	}
	/* for the perf collector's reasons: a hardware event without a core PMU */
	cap_set(json_object_get(group, "cycles"), "cpu_pmu", json_boolean(cpu_pmu()));
	cap_set(json_object_get(group, "instructions"), "cpu_pmu", json_boolean(cpu_pmu()));
	return group;
}

/* ---- PROCMAP_QUERY (6.11+) -------------------------------------------- */

static json_t *cap_procmap_query(void)
{
	struct wl_procmap_query q;
	uintptr_t addr = (uintptr_t)&cap_procmap_query;
	char e[PROBE_ERRLEN];
	json_t *cap;
	int fd, error;

	fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return cap_no("/proc/self/maps: %s", sysinfo_strerr(errno, e, sizeof(e)));
	memset(&q, 0, sizeof(q));
	q.size = sizeof(q);
	q.query_addr = addr;
	if (ioctl(fd, WL_PROCMAP_QUERY, &q) < 0) {
		error = errno;
		cap = cap_no("ioctl(PROCMAP_QUERY): %s%s", sysinfo_strerr(error, e, sizeof(e)),
			     error == ENOTTY ? " (added in 6.11)" : "");
	}
	else if (q.vma_start > addr || q.vma_end <= addr)
		cap = cap_no("ioctl(PROCMAP_QUERY) returned %#llx-%#llx, not the VMA of %#lx",
			     (unsigned long long)q.vma_start, (unsigned long long)q.vma_end,
			     (unsigned long)addr);
	else
		cap = cap_yes();
	close(fd);
	return cap;
}

/* ---- slab caches ----------------------------------------------------- */

static json_t *cap_slab_cache(const char *name, const char *slabinfo, int slabinfo_err)
{
	char e[PROBE_ERRLEN], e2[PROBE_ERRLEN];
	json_t *cap, *aliases, *merged;
	struct slab_cache c;
	const char *listed;
	bool in_slabinfo;
	size_t i;

	if (slab_cache_lookup(name, &c))
		return cap_no("out of memory");
	in_slabinfo = slabinfo && slabinfo_has(slabinfo, name);
	if (!c.sysfs && !in_slabinfo) {
		if (slabinfo || path_exists(SLAB_SYSFS))
			return cap_no("no such cache (not in /proc/slabinfo nor /sys/kernel/slab)");
		return cap_no("unknown: /proc/slabinfo: %s; /sys/kernel/slab: %s",
			      sysinfo_strerr(slabinfo_err, e, sizeof(e)),
			      sysinfo_strerr(ENOENT, e2, sizeof(e2)));
	}
	aliases = json_array();
	for (i = 0; i < c.nr_merged; i++)
		json_array_append_new(aliases, jstr(c.merged[i]));
	listed = slab_cache_slabinfo_name(&c, name, slabinfo);
	cap = cap_yes();
	cap_set(cap, "slabinfo", slabinfo ? json_boolean(in_slabinfo) : json_null());
	cap_set(cap, "sysfs", c.sysfs ? jstr(c.target[0] ? c.target : name) : json_null());
	cap_set(cap, "mergeable", c.sysfs ? json_boolean(c.target[0]) : json_null());
	/* the other symlinks name the merged caches; "aliases" counts them (root only) */
	if (c.target[0])
		merged = json_boolean(c.aliases > 0 || c.nr_merged);
	else
		merged = c.sysfs ? json_false() : json_null();
	cap_set(cap, "merged", merged);
	cap_set(cap, "aliases", c.aliases >= 0 ? json_integer(c.aliases) : json_null());
	cap_set(cap, "slab", listed ? jstr(listed) : json_null());
	cap_set(cap, "merged_with", aliases);
	slab_cache_free(&c);
	return cap;
}

static json_t *cap_slab_caches(void)
{
	json_t *group = json_object();
	char *slabinfo;
	int err = 0;
	int k;

	slabinfo = procfs_slurp("/proc/slabinfo", NULL);
	if (!slabinfo)
		err = -errno;
	for (k = 0; k < NR_SLAB_KINDS; k++)
		cap_set(group, slab_kind_name(k),
			cap_slab_cache(slab_kind_name(k), slabinfo, err));
	free(slabinfo);
	return group;
}

/* slab_nomerge in effect: the last of slab/slub_(no)merge on the command line wins */
static json_t *cap_slab_nomerge(void)
{
	char *cmdline, *tok, *save = NULL, val[16];
	int cmd = -1, def;
	json_t *cap;

	cmdline = procfs_slurp("/proc/cmdline", NULL);
	for (tok = cmdline ? strtok_r(cmdline, " \t\n", &save) : NULL; tok;
	     tok = strtok_r(NULL, " \t\n", &save)) {
		if (!strcmp(tok, "--"))
			break;	/* the rest goes to init */
		if (!strcmp(tok, "slab_nomerge") || !strcmp(tok, "slub_nomerge"))
			cmd = 1;
		else if (!strcmp(tok, "slab_merge") || !strcmp(tok, "slub_merge"))
			cmd = 0;
	}
	free(cmdline);
	def = sysinfo_kconfig("CONFIG_SLAB_MERGE_DEFAULT", val, sizeof(val));
	if (cmd == 1)
		cap = cap_yes();
	else if (cmd == 0)
		cap = cap_no("slab_merge on the kernel command line");
	else if (def == 0)
		cap = cap_yes();	/* CONFIG_SLAB_MERGE_DEFAULT=n: no merging by default */
	else
		cap = cap_no("not on the kernel command line%s",
			     def == 1 ? " (CONFIG_SLAB_MERGE_DEFAULT=y)" : "");
	cap_set(cap, "cmdline", cmd < 0 ? json_null() : json_boolean(cmd));
	cap_set(cap, "merge_default", def < 0 ? json_null() : json_boolean(def == 1));
	return cap;
}

/* ---- all of it ------------------------------------------------------- */

/*
 * Each capability is probed once per process. The ones a workload may ask
 * for before (or without) the whole probe are cheap and can be probed alone;
 * the whole probe then takes them from here instead of probing again.
 */
static json_t *probed;		/* name -> capability, as far as probed */
static bool probed_all;
static int inherited_fd = -1;	/* the runner's results, not read yet */

int probe_caps_memfd(void)
{
	json_t *j;
	int fd;

	if (!probed)
		return -1;
	j = json_pack("{s:b, s:O}", "all", probed_all, "caps", probed);
	fd = memfd_create("rmapbench-caps", MFD_CLOEXEC);
	if (fd >= 0 && (!j || json_dumpfd(j, fd, JSON_COMPACT))) {
		close(fd);
		fd = -1;
	}
	json_decref(j);
	return fd;
}

void probe_caps_inherit(int fd)
{
	inherited_fd = fd;
}

/* Takes the runner's results once; unreadable ones leave us to probe ourselves. */
static void load_inherited(void)
{
	json_t *j, *caps;
	int fd = inherited_fd;

	if (fd < 0)
		return;
	inherited_fd = -1;
	j = lseek(fd, 0, SEEK_SET) ? NULL : json_loadfd(fd, 0, NULL);
	close(fd);
	caps = json_object_get(j, "caps");
	if (json_is_object(caps)) {
		json_decref(probed);
		probed = json_incref(caps);
		probed_all = json_is_true(json_object_get(j, "all"));
	}
	json_decref(j);
}

static json_t *cap_memcg_alone(void)
{
	struct cgroups cg;

	cgroups_scan(&cg);
	return cap_memcg(&cg);
}

static json_t *cap_memcg_reclaim_alone(void)
{
	struct cgroups cg;

	cgroups_scan(&cg);
	return cap_memcg_reclaim(&cg);
}

static const struct {
	const char *name;
	json_t *(*probe)(void);
} alone[] = {
	{ "swap", cap_swap },
	{ "zram", cap_zram },
	{ "memcg", cap_memcg_alone },
	{ "memcg_reclaim", cap_memcg_reclaim_alone },
	{ "thp", cap_thp },
	{ "ksm", cap_ksm },
	{ "numa", cap_numa },
	{ "max_map_count", cap_max_map_count },
	{ "compaction", cap_compaction },
	{ "soft_offline", cap_soft_offline },
};

/* Capability @i of alone[], probed at the first call; a new reference. */
static json_t *once(size_t i)
{
	json_t *cap;

	if (!probed)
		probed = json_object();
	cap = json_object_get(probed, alone[i].name);
	if (!cap) {
		cap = alone[i].probe();
		cap_set(probed, alone[i].name, cap);
	}
	return json_incref(cap);
}

json_t *probe_capabilities(void)
{
	struct env env;
	json_t *caps;
	size_t i;

	load_inherited();
	if (probed_all)
		return json_incref(probed);
	memset(&env, 0, sizeof(env));
	caps = json_object();
	if (!caps)
		return NULL;
	cap_set(caps, "kernel", cap_kernel());
	cap_set(caps, "btf", cap_btf(&env));
	cap_set(caps, "bpf", cap_bpf());
	cap_set(caps, "attach", cap_attach(&env));
	cap_set(caps, "tracepoints", cap_tracepoints(&env));
	kallsyms_scan(&env);
	cap_set(caps, "rmap_functions", cap_rmap_funcs(&env));
	cap_set(caps, "kallsyms", cap_kallsyms(&env));
	for (i = 0; i < sizeof(alone) / sizeof(alone[0]); i++)
		cap_set(caps, alone[i].name, once(i));
	cap_set(caps, "perf", cap_perf());
	cap_set(caps, "procmap_query", cap_procmap_query());
	cap_set(caps, "slab_caches", cap_slab_caches());
	cap_set(caps, "slab_nomerge", cap_slab_nomerge());
	btf__free(env.btf);
	json_decref(probed);
	probed = caps;
	probed_all = true;
	return json_incref(caps);
}

const json_t *probe_cap(const char *path)
{
	size_t n = strcspn(path, "."), i;
	json_t *caps;

	load_inherited();
	for (i = 0; !probed_all && i < sizeof(alone) / sizeof(alone[0]); i++) {
		if (strlen(alone[i].name) != n || strncmp(alone[i].name, path, n))
			continue;
		json_decref(once(i));
		return probe_cap_get(probed, path);
	}
	if (!probed_all) {
		caps = probe_capabilities();
		json_decref(caps);
	}
	return probe_cap_get(probed, path);
}

/* ---- lookups --------------------------------------------------------- */

const json_t *probe_cap_get(const json_t *caps, const char *path)
{
	char key[256];
	const char *dot;
	size_t n;

	while (caps && path && *path) {
		dot = strchr(path, '.');
		n = dot ? (size_t)(dot - path) : strlen(path);
		if (n >= sizeof(key))
			return NULL;
		memcpy(key, path, n);
		key[n] = '\0';
		caps = json_object_get(caps, key);
		path = dot ? dot + 1 : NULL;
	}
	return caps;
}

bool probe_cap_available(const json_t *caps, const char *path)
{
	return json_is_true(json_object_get(probe_cap_get(caps, path), "available"));
}
