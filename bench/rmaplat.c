// SPDX-License-Identifier: GPL-2.0
/*
 * rmap walk latency collector (bpf/rmaplat.bpf.c).
 *
 * For every timed function the attach method is chosen at run time: fentry/
 * fexit when the kernel loads and attaches that pair, else kprobe/kretprobe,
 * else the function is unavailable with the reasons both methods failed for.
 * Each candidate pair is tried alone in a throw-away load of the object (so
 * one refused function cannot take the others down), then the chosen pairs
 * are loaded together with bpf_program__set_autoload.
 *
 * Window: counting is switched on in rep_start (before the workload is
 * released) and off in rep_stop (after its tree was reaped). Then, unless
 * disabled, an idle window of min(duration, RMAPBENCH_RMAP_IDLE_MS) counts
 * the same events with nothing of ours running: the background rate.
 *
 * Histograms are log-linear (bpf/loglin.h, 16 sub-buckets per power of two).
 * Percentiles are interpolated within the bucket holding the nearest-rank
 * sample and reported with that bucket's bounds (pNN_lo, pNN_hi), clamped to
 * the exact min and max. Call counts come from a counter of their own, and the
 * window is closed only once every probe that was running has returned
 * (synchronize_rcu through membarrier), so they equal the buckets' sum.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/membarrier.h>
#include <sys/syscall.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "collector.h"
#include "kallsyms.h"
#include "lhist.h"
#include "rmaplat.h"
#include "rmaplat.skel.h"
#include "sysinfo.h"
#include "util.h"

#define RL_IDLE_ENV		"RMAPBENCH_RMAP_IDLE_MS"
#define RL_IDLE_DEFAULT_MS	2000
#define RL_REASON_LEN		384

enum rl_method { RL_FENTRY, RL_KPROBE, RL_NR_METHODS };

static const char *const method_names[RL_NR_METHODS] = { "fentry", "kprobe" };
/* program name prefixes: entry and return program of each method */
static const char *const prog_prefix[RL_NR_METHODS][2] = {
	{ "fentry_", "fexit_" },
	{ "kprobe_", "kretprobe_" },
};

static const char *const func_names[RL_NR_FUNCS] = {
	[RL_RMAP_WALK_ANON] = "rmap_walk_anon",
	[RL_FOLIO_REFERENCED] = "folio_referenced",
	[RL_TRY_TO_UNMAP] = "try_to_unmap",
	[RL_TRY_TO_MIGRATE] = "try_to_migrate",
	[RL_RMAP_WALK_KSM] = "rmap_walk_ksm",
	[RL_LOCK_ANON_VMA] = "folio_lock_anon_vma_read",
	[RL_TRY_TO_UNMAP_ONE] = "try_to_unmap_one",
	[RL_FOLIO_REFERENCED_ONE] = "folio_referenced_one",
	[RL_TRY_TO_MIGRATE_ONE] = "try_to_migrate_one",
};

struct rl_func_state {
	int method;			/* -1: unavailable */
	char tried[RL_NR_METHODS][RL_REASON_LEN];	/* why a method failed */
	char reason[2 * RL_REASON_LEN];	/* when unavailable */
	char sym[128];			/* kprobe: the kallsyms symbol */
	struct bpf_link *links[2];
};

struct rmaplat {
	struct rmaplat_bpf *skel;	/* NULL: no function attached */
	struct bpf_link *fork_link;
	struct rl_func_state fn[RL_NR_FUNCS];
	long idle_max_ms;
	int nr_attached;
	struct rl_stats win[RL_NR_FUNCS];	/* copies of the BPF .bss: too big */
	struct rl_stats idle[RL_NR_FUNCS];	/* for the stack */
};

/* ---- choosing the attach method ---------------------------------------- */

/*
 * First libbpf message of a failed trial that names a program ("prog 'x':
 * BPF program load failed: ..."), to complete the errno text.
 */
static char libbpf_msg[256];

static int capture_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	char line[sizeof(libbpf_msg)];
	const char *p;

	if (level == LIBBPF_DEBUG || libbpf_msg[0])
		return 0;
	vsnprintf(line, sizeof(line), fmt, ap);
	line[strcspn(line, "\n")] = 0;
	p = strstr(line, "prog '");
	if (p)
		snprintf(libbpf_msg, sizeof(libbpf_msg), "%s", p);
	return 0;
}

static struct bpf_program *find_prog(struct rmaplat_bpf *skel, int method, int func,
				     int which)
{
	char name[96];

	snprintf(name, sizeof(name), "%s%s", prog_prefix[method][which], func_names[func]);
	return bpf_object__find_program_by_name(skel->obj, name);
}

/* Loads only @func's pair for @method (and the fork tracker when @fork). */
static void select_programs(struct rmaplat_bpf *skel, const int *methods, bool fork)
{
	struct bpf_program *prog;

	bpf_object__for_each_program(prog, skel->obj)
		bpf_program__set_autoload(prog, false);
	for (int f = 0; f < RL_NR_FUNCS; f++) {
		if (methods[f] < 0)
			continue;
		bpf_program__set_autoload(find_prog(skel, methods[f], f, 0), true);
		bpf_program__set_autoload(find_prog(skel, methods[f], f, 1), true);
	}
	bpf_program__set_autoload(skel->progs.rl_fork, fork);
}

/* kprobes attach to @sym (the function or its clone), fentry by BTF */
static int attach_pair(struct rmaplat_bpf *skel, int method, int func, const char *sym,
		       struct bpf_link **links, char *why, size_t len)
{
	char e[96];

	for (int w = 0; w < 2; w++) {
		struct bpf_program *prog = find_prog(skel, method, func, w);

		if (method == RL_KPROBE)
			links[w] = bpf_program__attach_kprobe(prog, w == 1, sym);
		else
			links[w] = bpf_program__attach(prog);
		if (!links[w]) {
			int err = errno;

			snprintf(why, len, "%s attach failed: %s", bpf_program__name(prog),
				 sysinfo_strerr(err, e, sizeof(e)));
			if (w)
				bpf_link__destroy(links[0]);
			links[0] = links[1] = NULL;
			return -err;
		}
	}
	return 0;
}

/* Loads and attaches @func's pair for @method alone; 0 or -1 with @why. */
static int try_method(int func, int method, const char *sym, char *why, size_t len)
{
	int methods[RL_NR_FUNCS];
	struct bpf_link *links[2];
	struct rmaplat_bpf *skel;
	char e[96];
	int err;

	for (int f = 0; f < RL_NR_FUNCS; f++)
		methods[f] = f == func ? method : -1;
	libbpf_msg[0] = 0;
	skel = rmaplat_bpf__open();
	if (!skel) {
		snprintf(why, len, "cannot open the BPF object: %s",
			 sysinfo_strerr(errno, e, sizeof(e)));
		return -1;
	}
	select_programs(skel, methods, false);
	err = rmaplat_bpf__load(skel);
	if (err) {
		snprintf(why, len, "load refused: %s%s%s", sysinfo_strerr(err, e, sizeof(e)),
			 libbpf_msg[0] ? " (libbpf: " : "", libbpf_msg);
		if (libbpf_msg[0])
			strncat(why, ")", len - strlen(why) - 1);
		sysinfo_kconfig_hint(method_names[method], why, len);
		rmaplat_bpf__destroy(skel);
		return -1;
	}
	err = attach_pair(skel, method, func, sym, links, why, len);
	if (err)
		sysinfo_kconfig_hint(method_names[method], why, len);
	bpf_link__destroy(links[0]);
	bpf_link__destroy(links[1]);
	rmaplat_bpf__destroy(skel);
	return err ? -1 : 0;
}

/*
 * The symbol a kprobe on @func attaches to (the function or a compiler clone
 * of it, kallsyms.h) in @fs->sym; false when kallsyms lacks it. Unreadable
 * kallsyms cannot tell: the function's own name, and the attach decides.
 */
static bool kprobe_symbol(struct rl_func_state *fs, int func)
{
	const struct ksyms *ks = ksyms_get();
	const struct ksym *sym;

	snprintf(fs->sym, sizeof(fs->sym), "%s", func_names[func]);
	if (ks->err)
		return true;
	sym = ksyms_find(ks, func_names[func]);
	if (!sym)
		return false;
	snprintf(fs->sym, sizeof(fs->sym), "%s", sym->name);
	return true;
}

/* fentry needs the function in the kernel's BTF; false with the reason. */
static bool in_btf(struct rl_func_state *fs, int func, const struct btf *btf)
{
	const char *name = func_names[func];

	if (!btf)
		snprintf(fs->tried[RL_FENTRY], RL_REASON_LEN, "no vmlinux BTF");
	else if (btf__find_by_name_kind(btf, name, BTF_KIND_FUNC) < 0)
		snprintf(fs->tried[RL_FENTRY], RL_REASON_LEN,
			 "%s not in the kernel's BTF (inlined, or not built in)", name);
	else
		return true;
	return false;
}

/* Tries fentry (when @btf_ok) and then kprobe for @func alone. */
static void choose_method(struct rl_func_state *fs, int func, bool btf_ok)
{
	const char *name = func_names[func];

	fs->method = -1;
	if (btf_ok && !try_method(func, RL_FENTRY, NULL, fs->tried[RL_FENTRY], RL_REASON_LEN))
		fs->method = RL_FENTRY;
	if (fs->method >= 0)
		return;
	if (!kprobe_symbol(fs, func))
		snprintf(fs->tried[RL_KPROBE], RL_REASON_LEN,
			 "%s not in /proc/kallsyms (inlined, or not built in)", name);
	else if (!try_method(func, RL_KPROBE, fs->sym, fs->tried[RL_KPROBE], RL_REASON_LEN))
		fs->method = RL_KPROBE;
	if (fs->method >= 0)
		return;
	snprintf(fs->reason, sizeof(fs->reason), "%s: fentry: %s; kprobe: %s", name,
		 fs->tried[RL_FENTRY], fs->tried[RL_KPROBE]);
}

/* ---- loading ------------------------------------------------------------ */

static void mark_all_failed(struct rmaplat *rl, const char *why)
{
	for (int f = 0; f < RL_NR_FUNCS; f++) {
		if (rl->fn[f].method < 0)
			continue;
		rl->fn[f].method = -1;
		snprintf(rl->fn[f].reason, sizeof(rl->fn[f].reason), "%s: %s",
			 func_names[f], why);
	}
	rl->nr_attached = 0;
}

static void detach_all(struct rmaplat *rl)
{
	for (int f = 0; f < RL_NR_FUNCS; f++) {
		bpf_link__destroy(rl->fn[f].links[0]);
		bpf_link__destroy(rl->fn[f].links[1]);
		rl->fn[f].links[0] = rl->fn[f].links[1] = NULL;
	}
	bpf_link__destroy(rl->fork_link);
	rl->fork_link = NULL;
}

static void unload(struct rmaplat *rl)
{
	detach_all(rl);
	rmaplat_bpf__destroy(rl->skel);
	rl->skel = NULL;
}

/* Loads the chosen pairs together with the fork tracker; -1 with @why. */
static int load_chosen(struct rmaplat *rl, char *why, size_t len)
{
	int methods[RL_NR_FUNCS], err;
	char e[96];

	for (int f = 0; f < RL_NR_FUNCS; f++)
		methods[f] = rl->fn[f].method;
	rl->skel = rmaplat_bpf__open();
	if (!rl->skel) {
		snprintf(why, len, "cannot open the BPF object: %s",
			 sysinfo_strerr(errno, e, sizeof(e)));
		return -1;
	}
	select_programs(rl->skel, methods, true);
	err = rmaplat_bpf__load(rl->skel);
	if (err) {
		snprintf(why, len, "combined load refused: %s", sysinfo_strerr(err, e, sizeof(e)));
		goto fail;
	}
	rl->fork_link = bpf_program__attach(rl->skel->progs.rl_fork);
	if (!rl->fork_link) {
		snprintf(why, len, "raw_tp/sched_process_fork attach failed: %s",
			 sysinfo_strerr(errno, e, sizeof(e)));
		goto fail;
	}
	for (int f = 0; f < RL_NR_FUNCS; f++) {
		if (methods[f] < 0)
			continue;
		if (attach_pair(rl->skel, methods[f], f, rl->fn[f].sym, rl->fn[f].links, why, len))
			goto fail;
	}
	return 0;
fail:
	unload(rl);
	return -1;
}

static int nr_chosen(const struct rmaplat *rl)
{
	int n = 0;

	for (int f = 0; f < RL_NR_FUNCS; f++)
		n += rl->fn[f].method >= 0;
	return n;
}

/*
 * Fast path: every function in the BTF by fentry, in the one load that is
 * kept. Where that fails, each function is tried alone (fentry, kprobe) and
 * the chosen pairs are loaded together.
 */
static void attach_all(struct rmaplat *rl, const struct btf *btf)
{
	bool btf_ok[RL_NR_FUNCS], all_fentry = true, any = false;
	char why[RL_REASON_LEN];

	for (int f = 0; f < RL_NR_FUNCS; f++) {
		btf_ok[f] = in_btf(&rl->fn[f], f, btf);
		rl->fn[f].method = btf_ok[f] ? RL_FENTRY : -1;
		all_fentry &= btf_ok[f];
		any |= btf_ok[f];
	}
	if (any && !load_chosen(rl, why, sizeof(why)) && all_fentry)
		goto done;
	for (int f = 0; f < RL_NR_FUNCS; f++) {
		if (rl->skel && rl->fn[f].method == RL_FENTRY)
			continue;	/* the fast path attached it */
		choose_method(&rl->fn[f], f, btf_ok[f] && !rl->skel);
	}
	unload(rl);
	if (!nr_chosen(rl))
		return;
	if (load_chosen(rl, why, sizeof(why)))
		mark_all_failed(rl, why);
done:
	rl->nr_attached = nr_chosen(rl);
}

static long idle_max_ms(void)
{
	const char *s = getenv(RL_IDLE_ENV);
	long v;

	if (!s || !*s)
		return RL_IDLE_DEFAULT_MS;
	if (parse_long(s, 0, 600000, &v)) {
		err("%s='%s': expected milliseconds in [0, 600000]; using %d", RL_IDLE_ENV, s,
		    RL_IDLE_DEFAULT_MS);
		return RL_IDLE_DEFAULT_MS;
	}
	return v;
}

static void rl_close(void *state)
{
	struct rmaplat *rl = state;

	if (!rl)
		return;
	unload(rl);
	free(rl);
}

static int rl_open(void **state, char *reason, size_t len)
{
	struct rmaplat *rl = calloc(1, sizeof(*rl));
	libbpf_print_fn_t old;
	struct btf *btf;

	if (!rl) {
		snprintf(reason, len, "out of memory");
		return -1;
	}
	rl->idle_max_ms = idle_max_ms();
	btf = btf__load_vmlinux_btf();	/* NULL: in_btf() says why */
	old = libbpf_set_print(capture_print);
	attach_all(rl, btf);
	libbpf_set_print(old);
	btf__free(btf);
	for (int f = 0; f < RL_NR_FUNCS; f++)
		if (rl->fn[f].method < 0)
			info("rmaplat: %s unavailable: %s", func_names[f], rl->fn[f].reason);
	*state = rl;
	return 0;
}

static json_t *rl_describe(void *state)
{
	struct rmaplat *rl = state;
	json_t *funcs = json_object();

	for (int f = 0; f < RL_NR_FUNCS; f++) {
		const struct rl_func_state *fs = &rl->fn[f];
		json_t *tried = json_object();

		for (int m = 0; m < RL_NR_METHODS; m++) {
			if (fs->tried[m][0])
				json_object_set_new(tried, method_names[m],
						    json_string(fs->tried[m]));
			if (m == fs->method)
				break;
		}
		json_object_set_new(funcs, func_names[f], json_pack(
			"{s:b, s:s?, s:s?, s:o}", "available", fs->method >= 0,
			"method", fs->method >= 0 ? method_names[fs->method] : NULL,
			"reason", fs->method >= 0 ? NULL : fs->reason,
			"failed_methods", tried));
	}
	return json_pack("{s:b, s:s?, s:o, s:s, s:s, s:I}",
		"available", rl->nr_attached > 0,
		"reason", rl->nr_attached ? NULL : "no rmap function could be probed",
		"functions", funcs,
		"scope", "system-wide, inside each repetition's window; own_calls: "
			 "by the workload's process tree",
		"percentiles", "from the log-linear histogram: interpolated within the bucket "
			       "holding the nearest-rank sample; pNN_lo/pNN_hi: that bucket's "
			       "bounds, clamped to the exact min and max",
		"idle_window_max_ms", (json_int_t)rl->idle_max_ms);
}

/* ---- windows ------------------------------------------------------------ */

static void window_open(struct rmaplat *rl)
{
	struct rmaplat_bpf__bss *bss = rl->skel->bss;

	bss->enabled = 0;
	__sync_synchronize();
	bss->window_gen++;
	memset((void *)bss->stats, 0, sizeof(bss->stats));
	__sync_synchronize();
	bss->enabled = 1;
}

/*
 * Waits until every probe that may have seen enabled == 1 has returned: BPF
 * tracing programs run under rcu_read_lock() (fentry/fexit) or with
 * preemption disabled (kprobes), so one RCU grace period is enough, and
 * MEMBARRIER_CMD_GLOBAL waits for one. Without it a call being added while
 * the stats are copied could be in count but not yet in its bucket.
 */
static void wait_probes(void)
{
	if (syscall(__NR_membarrier, MEMBARRIER_CMD_GLOBAL, 0, 0) == 0)
		return;
	usleep(20000);	/* nohz_full or no membarrier: far longer than one probe */
}

static void window_close(struct rmaplat *rl, struct rl_stats *out)
{
	struct rmaplat_bpf__bss *bss = rl->skel->bss;

	bss->enabled = 0;
	__sync_synchronize();
	wait_probes();
	memcpy(out, (void *)bss->stats, sizeof(bss->stats));
}

static void clear_tracked(struct rmaplat *rl)
{
	struct bpf_map *map = rl->skel->maps.tracked;
	__u32 key;

	while (bpf_map__get_next_key(map, NULL, &key, sizeof(key)) == 0)
		bpf_map__delete_elem(map, &key, sizeof(key), 0);
}

static void rl_rep_start(void *state, pid_t pid)
{
	struct rmaplat *rl = state;
	__u32 key = pid;
	__u8 one = 1;

	if (!rl->skel)
		return;
	clear_tracked(rl);
	if (bpf_map__update_elem(rl->skel->maps.tracked, &key, sizeof(key), &one,
				 sizeof(one), BPF_ANY))
		err("rmaplat: cannot track pid %d: %s", pid, strerror(errno));
	window_open(rl);
}

/* ---- metrics ------------------------------------------------------------ */

static json_t *null_metric(const char *unit, const char *why);

static json_t *hist_metric(const struct rl_hist *h, const char *unit)
{
	uint64_t min = ~h->min_inv, total = lh_total(h->bucket);
	struct lh_quantile q;
	json_t *m;

	if (lh_quantile(h->bucket, min, h->max, 50, &q))
		return null_metric(unit, "unavailable: calls counted but no bucket filled");
	m = json_pack("{s:I, s:s, s:s, s:s, s:I, s:I, s:I, s:I, s:s, s:o}",
		"value", (json_int_t)q.value, "unit", unit, "better", "lower", "kind", "timed",
		"count", (json_int_t)h->count, "sum", (json_int_t)h->sum,
		"min", (json_int_t)min, "max", (json_int_t)h->max,
		"percentiles", "log-linear bucket, interpolated",
		"hist", lh_hist_json(h->bucket, unit));
	lh_set_quantiles(m, h->bucket, min, h->max);
	if (total != h->count)	/* should not happen: see wait_probes() */
		json_object_set_new(m, "bucket_total", json_integer((json_int_t)total));
	return m;
}

static json_t *null_metric(const char *unit, const char *why)
{
	return json_pack("{s:n, s:s, s:s, s:s, s:s}", "value", "unit", unit,
			 "better", "lower", "kind", "timed", "reason", why);
}

static json_t *calls_metric(uint64_t n)
{
	return json_pack("{s:I, s:s, s:s, s:s}", "value", (json_int_t)n, "unit", "calls",
			 "better", "none", "kind", "timed");
}

static void set_metric(json_t *metrics, const char *func, const char *suffix, json_t *m)
{
	char name[128];

	snprintf(name, sizeof(name), "rmap.%s%s", func, suffix);
	json_object_set_new(metrics, name, m);
}

static void add_func_metrics(json_t *metrics, int f, const struct rl_stats *s)
{
	const char *fn = func_names[f];
	char why[160];
	json_t *m;

	if (s->ns.count) {
		m = hist_metric(&s->ns, "ns");
		if (s->unmatched)
			json_object_set_new(m, "unmatched_returns",
					    json_integer((json_int_t)s->unmatched));
		set_metric(metrics, fn, "", m);
	} else {
		snprintf(why, sizeof(why), "no calls: %s did not run during the repetition", fn);
		set_metric(metrics, fn, "", null_metric("ns", why));
	}
	set_metric(metrics, fn, ".calls", calls_metric(s->ns.count));
	set_metric(metrics, fn, ".own_calls", calls_metric(s->own_calls));
	if (s->mapcount.count) {
		m = hist_metric(&s->mapcount, "mappings");
		json_object_set_new(m, "better", json_string("none"));
		set_metric(metrics, fn, ".mapcount", m);
	}
}

static void add_unavailable(json_t *metrics, int f, const char *reason)
{
	static const char *const suffix[] = { "", ".calls", ".own_calls", ".idle_calls" };
	char why[2 * RL_REASON_LEN + 32];

	snprintf(why, sizeof(why), "unavailable: %s", reason);
	for (size_t i = 0; i < sizeof(suffix) / sizeof(suffix[0]); i++)
		set_metric(metrics, func_names[f], suffix[i],
			   null_metric(i ? "calls" : "ns", why));
}

static void idle_window(struct rmaplat *rl, uint64_t duration_ns, json_t *metrics)
{
	uint64_t want = duration_ns, cap = (uint64_t)rl->idle_max_ms * 1000000ull;
	struct rl_stats *idle = rl->idle;
	struct timespec ts;
	uint64_t t0, got;

	if (want > cap)
		want = cap;
	if (!want) {
		for (int f = 0; f < RL_NR_FUNCS; f++)
			if (rl->fn[f].method >= 0)
				set_metric(metrics, func_names[f], ".idle_calls", null_metric(
					"calls", "unavailable: idle baseline disabled ("
					RL_IDLE_ENV "=0)"));
		return;
	}
	ts.tv_sec = want / 1000000000ull;
	ts.tv_nsec = want % 1000000000ull;
	t0 = now_ns();
	window_open(rl);
	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
	window_close(rl, idle);
	got = now_ns() - t0;
	for (int f = 0; f < RL_NR_FUNCS; f++) {
		json_t *m;

		if (rl->fn[f].method < 0)
			continue;
		m = calls_metric(idle[f].ns.count);
		json_object_set_new(m, "window_ns", json_integer((json_int_t)got));
		set_metric(metrics, func_names[f], ".idle_calls", m);
	}
}

static void rl_rep_stop(void *state, uint64_t duration_ns, json_t *metrics, json_t *rep)
{
	struct rmaplat *rl = state;
	struct rl_stats *s = rl->win;

	(void)rep;
	if (rl->skel)
		window_close(rl, s);
	for (int f = 0; f < RL_NR_FUNCS; f++) {
		if (rl->fn[f].method < 0)
			add_unavailable(metrics, f, rl->fn[f].reason);
		else
			add_func_metrics(metrics, f, &s[f]);
	}
	if (rl->skel)
		idle_window(rl, duration_ns, metrics);
}

static void rl_unavailable(const char *reason, json_t *metrics)
{
	for (int f = 0; f < RL_NR_FUNCS; f++)
		add_unavailable(metrics, f, reason);
}

const struct collector rmaplat_collector = {
	.name = "rmaplat",
	.open = rl_open,
	.describe = rl_describe,
	.rep_start = rl_rep_start,
	.rep_stop = rl_rep_stop,
	.unavailable = rl_unavailable,
	.close = rl_close,
};
