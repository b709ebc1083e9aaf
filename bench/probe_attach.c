// SPDX-License-Identifier: GPL-2.0
/*
 * `rmapbench probe`: the BPF attach tests (probe_attach.h). Nothing is
 * inferred from version numbers: every attach method is tried for real with
 * a two-instruction program built here (no clang), and everything is closed
 * again.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <linux/perf_event.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "procfs.h"
#include "probe_attach.h"
#include "sysinfo.h"

void probe_append(char *buf, size_t len, const char *fmt, ...)
{
	size_t used = strlen(buf);
	va_list ap;

	if (used + 1 >= len)
		return;
	va_start(ap, fmt);
	vsnprintf(buf + used, len - used, fmt, ap);
	va_end(ap);
}

/* ---- BPF programs ---------------------------------------------------- */

#define INSN(c, d, s, o, i) \
	((struct bpf_insn){ .code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i) })

/* r0 = 0; exit */
static size_t prog_ret0(struct bpf_insn *in)
{
	in[0] = INSN(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, 0);
	in[1] = INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
	return 2;
}

/* Adds 1 to slot 0 of the array map @map_fd on every run. */
static size_t prog_count(struct bpf_insn *in, int map_fd)
{
	size_t n = 0;

	in[n++] = INSN(BPF_LD | BPF_DW | BPF_IMM, BPF_REG_1, BPF_PSEUDO_MAP_FD, 0, map_fd);
	in[n++] = INSN(0, 0, 0, 0, 0);
	in[n++] = INSN(BPF_ST | BPF_MEM | BPF_W, BPF_REG_10, 0, -4, 0);
	in[n++] = INSN(BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_2, BPF_REG_10, 0, 0);
	in[n++] = INSN(BPF_ALU64 | BPF_ADD | BPF_K, BPF_REG_2, 0, 0, -4);
	in[n++] = INSN(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_map_lookup_elem);
	in[n++] = INSN(BPF_JMP | BPF_JEQ | BPF_K, BPF_REG_0, 0, 2, 0);
	in[n++] = INSN(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_1, 0, 0, 1);
	in[n++] = INSN(BPF_STX | BPF_ATOMIC | BPF_DW, BPF_REG_0, BPF_REG_1, 0, BPF_ADD);
	return n + prog_ret0(in + n);
}

struct method_info {
	const char *name;
	enum bpf_prog_type type;
	enum bpf_attach_type attach;
	bool btf;		/* needs attach_btf_id from vmlinux BTF */
	const char *target;	/* default target */
};

static const struct method_info methods[NR_METHODS] = {
	[M_RAW_TP] = { "raw_tp", BPF_PROG_TYPE_RAW_TRACEPOINT, 0, false,
		       "sched_process_fork" },
	[M_TP_BTF] = { "tp_btf", BPF_PROG_TYPE_TRACING, BPF_TRACE_RAW_TP, true,
		       "sched_process_fork" },
	[M_FENTRY] = { "fentry", BPF_PROG_TYPE_TRACING, BPF_TRACE_FENTRY, true,
		       "folio_referenced" },
	[M_KPROBE] = { "kprobe", BPF_PROG_TYPE_KPROBE, 0, false,
		       "folio_referenced" },
};

const char *probe_method_name(enum probe_method mi)
{
	return methods[mi].name;
}

const char *probe_method_target(enum probe_method mi)
{
	return methods[mi].target;
}

static int method_find(const char *name)
{
	int i;

	for (i = 0; i < NR_METHODS; i++)
		if (name && !strcmp(name, methods[i].name))
			return i;
	return -1;
}

/* Last line of a verifier log that says something (not the statistics). */
static void log_tail(const char *log, char *out, size_t len)
{
	const char *p = log, *end;
	size_t n;

	out[0] = '\0';
	while (p && *p) {
		end = strchr(p, '\n');
		n = end ? (size_t)(end - p) : strlen(p);
		if (n && strncmp(p, "processed ", 10) && strncmp(p, "verification time", 17) &&
		    strncmp(p, "stack depth", 11)) {
			if (n >= len)
				n = len - 1;
			memcpy(out, p, n);
			out[n] = '\0';
		}
		p = end ? end + 1 : NULL;
	}
}

static int prog_load(const struct method_info *m, __u32 btf_id,
		     const struct bpf_insn *insns, size_t cnt, char *why, size_t len)
{
	char log[8192], tail[160], e[PROBE_ERRLEN];
	LIBBPF_OPTS(bpf_prog_load_opts, opts,
		    .expected_attach_type = m->attach,
		    .attach_btf_id = btf_id,
		    .log_buf = log,
		    .log_size = sizeof(log),
		    .log_level = 1);
	int fd;

	log[0] = '\0';
	fd = bpf_prog_load(m->type, "rmapbench_probe", "GPL", insns, cnt, &opts);
	if (fd >= 0)
		return fd;
	fd = errno ? -errno : fd;
	snprintf(why, len, "load refused: %s", sysinfo_strerr(fd, e, sizeof(e)));
	log_tail(log, tail, sizeof(tail));
	if (tail[0])
		probe_append(why, len, "; verifier: %s", tail);
	return fd;
}

/* Type of the kprobe PMU, or -errno with @why filled. */
static int kprobe_pmu(char *why, size_t len)
{
	static const char path[] = "/sys/bus/event_source/devices/kprobe/type";
	char e[PROBE_ERRLEN];
	long type;
	int ret;

	ret = procfs_read_long(path, &type);
	if (ret) {
		snprintf(why, len, "no kprobe PMU: %s: %s", path, sysinfo_strerr(ret, e, sizeof(e)));
		return ret;
	}
	return (int)type;
}

static int kprobe_attach(int prog, int pmu, const char *func, char *why, size_t len)
{
	struct perf_event_attr attr;
	char e[PROBE_ERRLEN];
	int pfd, ret;

	memset(&attr, 0, sizeof(attr));
	attr.size = sizeof(attr);
	attr.type = pmu;
	attr.config1 = (uint64_t)(uintptr_t)func;	/* kprobe_func */
	attr.config2 = 0;				/* offset */
	pfd = syscall(__NR_perf_event_open, &attr, -1, 0, -1, PERF_FLAG_FD_CLOEXEC);
	if (pfd < 0) {
		ret = -errno;
		snprintf(why, len, "perf_event_open(kprobe PMU, %s): %s", func,
			 sysinfo_strerr(ret, e, sizeof(e)));
		return ret;
	}
	if (ioctl(pfd, PERF_EVENT_IOC_SET_BPF, prog) < 0 ||
	    ioctl(pfd, PERF_EVENT_IOC_ENABLE, 0) < 0) {
		ret = -errno;
		snprintf(why, len, "attach refused: %s", sysinfo_strerr(ret, e, sizeof(e)));
		close(pfd);
		return ret;
	}
	return pfd;
}

static int prog_attach(enum probe_method mi, int prog, const char *target, char *why, size_t len)
{
	char e[PROBE_ERRLEN];
	int fd, pmu;

	if (mi == M_KPROBE) {
		pmu = kprobe_pmu(why, len);
		return pmu < 0 ? pmu : kprobe_attach(prog, pmu, target, why, len);
	}
	/* raw_tp by name; tp_btf and fentry through their attach_btf_id */
	fd = bpf_raw_tracepoint_open(mi == M_RAW_TP ? target : NULL, prog);
	if (fd >= 0)
		return fd;
	fd = errno ? -errno : fd;
	snprintf(why, len, "attach refused: %s", sysinfo_strerr(fd, e, sizeof(e)));
	return fd;
}

/* Forks a child that exits at once; the count in @map_fd must have moved. */
static bool prog_fired(int map_fd, char *why, size_t len)
{
	__u64 count = 0;
	__u32 key = 0;
	char e[PROBE_ERRLEN];
	pid_t pid;

	pid = fork();
	if (pid == 0)
		_exit(0);
	if (pid < 0) {
		snprintf(why, len, "attached, but fork() failed: %s",
			 sysinfo_strerr(errno, e, sizeof(e)));
		return false;
	}
	waitpid(pid, NULL, 0);
	if (bpf_map_lookup_elem(map_fd, &key, &count)) {
		snprintf(why, len, "attached, but reading the counter failed: %s",
			 sysinfo_strerr(errno, e, sizeof(e)));
		return false;
	}
	if (!count) {
		snprintf(why, len, "attached, but the program did not run on fork()");
		return false;
	}
	return true;
}

/* attach_btf_id of @target for a BTF-based method, or -errno with @why. */
static int btf_target_id(enum probe_method mi, const struct btf *btf, int btf_err,
			 const char *target, char *why, size_t len)
{
	char name[256], e[PROBE_ERRLEN];
	int id;

	if (!btf) {
		snprintf(why, len, "no vmlinux BTF: %s", sysinfo_strerr(btf_err, e, sizeof(e)));
		return -ENOENT;
	}
	if (mi == M_TP_BTF) {
		snprintf(name, sizeof(name), "btf_trace_%s", target);
		id = btf__find_by_name_kind(btf, name, BTF_KIND_TYPEDEF);
	} else {
		snprintf(name, sizeof(name), "%s", target);
		id = btf__find_by_name_kind(btf, name, BTF_KIND_FUNC);
	}
	if (id < 0)
		snprintf(why, len, "%s not in vmlinux BTF", name);
	return id < 0 ? -ENOENT : id;
}

/*
 * Loads and attaches a program of method @mi to @target, optionally checking
 * that it runs on a fork(); closes everything. false: @reason says why,
 * followed by the related kernel options that are not set if @hint.
 */
bool probe_attach_test(enum probe_method mi, const struct btf *btf, int btf_err,
			const char *target, bool check_fire, bool hint,
			char *reason, size_t len)
{
	const struct method_info *m = &methods[mi];
	char why[PROBE_REASON_LEN] = "", e[PROBE_ERRLEN];
	struct bpf_insn insns[16];
	int map_fd = -1, prog = -1, link = -1, id = 0;
	bool ok = false;
	size_t cnt;

	if (m->btf) {
		id = btf_target_id(mi, btf, btf_err, target, why, sizeof(why));
		if (id < 0)
			goto out;
	}
	if (mi == M_KPROBE && kprobe_pmu(why, sizeof(why)) < 0)
		goto out;
	if (check_fire) {
		map_fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "rmapbench_probe", 4, 8, 1, NULL);
		if (map_fd < 0) {
			snprintf(why, sizeof(why), "map create refused: %s",
				 sysinfo_strerr(errno, e, sizeof(e)));
			goto out;
		}
		cnt = prog_count(insns, map_fd);
	} else {
		cnt = prog_ret0(insns);
	}
	prog = prog_load(m, id, insns, cnt, why, sizeof(why));
	if (prog < 0)
		goto out;
	link = prog_attach(mi, prog, target, why, sizeof(why));
	if (link < 0)
		goto out;
	if (check_fire && !prog_fired(map_fd, why, sizeof(why)))
		goto out;
	ok = true;
out:
	if (link >= 0)
		close(link);
	if (prog >= 0)
		close(prog);
	if (map_fd >= 0)
		close(map_fd);
	if (!ok && reason && len) {
		snprintf(reason, len, "%s on %s: %s", m->name, target, why);
		if (hint)
			sysinfo_kconfig_hint(m->name, reason, len);
	}
	return ok;
}

struct btf *probe_btf_load(int *err)
{
	struct btf *btf;

	errno = 0;
	btf = btf__load_vmlinux_btf();
	if (!btf)
		*err = errno ? -errno : -ENOENT;
	else
		*err = 0;
	return btf;
}

bool probe_attach_target(const char *method, const char *target, char *reason, size_t len)
{
	struct btf *btf = NULL;
	int mi = method_find(method), btf_err = 0;
	bool ok;

	if (mi < 0 || !target) {
		if (reason && len)
			snprintf(reason, len, "unknown attach method '%s'", method ? method : "(null)");
		return false;
	}
	if (methods[mi].btf)
		btf = probe_btf_load(&btf_err);
	ok = probe_attach_test(mi, btf, btf_err, target, false, true, reason, len);
	btf__free(btf);
	return ok;
}

bool probe_attach_works(const char *method, char *reason, size_t len)
{
	struct btf *btf = NULL;
	int mi = method_find(method), btf_err = 0;
	bool ok;

	if (mi < 0) {
		if (reason && len)
			snprintf(reason, len, "unknown attach method '%s'", method ? method : "(null)");
		return false;
	}
	if (methods[mi].btf)
		btf = probe_btf_load(&btf_err);
	ok = probe_attach_test(mi, btf, btf_err, methods[mi].target,
			 mi == M_RAW_TP || mi == M_TP_BTF, true, reason, len);
	btf__free(btf);
	return ok;
}
