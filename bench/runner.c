// SPDX-License-Identifier: GPL-2.0
/*
 * `rmapbench run`: every selected workload × repetition in a tracked child,
 * slab counters reset in between, time series sampled while it runs, one
 * JSON report at the end (docs/report-schema.md).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "collector.h"
#include "config.h"
#include "guard.h"
#include "probe.h"
#include "procfs.h"
#include "runner.h"
#include "util.h"
#include "wlctx.h"

struct runner {
	struct config cfg;
	struct slabacct *sa;		/* NULL: accounting unavailable */
	char sa_reason[256];
	const char *json_path;
	bool no_probes;			/* --no-probes: overhead baseline */
	bool no_collectors;		/* --no-collectors: slab accounting only */
	int nr_coll;
	struct {
		const struct collector *c;
		void *state;		/* NULL: unavailable */
		char reason[256];
	} coll[8];
	bool progress;
	uint64_t start_ns;
	long reps_done, reps_total;
	struct run_args args;
	bool check;			/* --check: validate only */
	int order[MAX_WORKLOADS], norder;	/* run order: indices into cfg.wl */
	long round_k, round_n;		/* this process runs round k of n (run --rounds) */
	double round_prev_s;		/* seconds the earlier rounds took */
};

static volatile sig_atomic_t interrupted;
/* Our own binary, resolved at start (under valgrind /proc/self/exe is valgrind) */
static char self_exe[4096] = "/proc/self/exe";

static void on_signal(int sig)
{
	interrupted = sig;
}

int spawn_tracked(struct slabacct *sa, child_fn fn, void *arg, struct tracked_child *tc)
{
	int go[2], res[2];
	pid_t parent = getpid();

	if (pipe2(go, O_CLOEXEC) || pipe2(res, O_CLOEXEC)) {
		err("pipe: %s", strerror(errno));
		return -1;
	}
	tc->pid = fork();
	if (tc->pid < 0) {
		err("fork: %s", strerror(errno));
		return -1;
	}
	if (tc->pid == 0) {
		char c;

		close(go[1]);
		close(res[0]);
		setpgid(0, 0);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(127);
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		if (read(go[0], &c, 1) != 1)
			_exit(127);
		close(go[0]);
		_exit(fn(arg, res[1]));
	}
	close(go[0]);
	close(res[1]);
	setpgid(tc->pid, tc->pid);
	if (sa && slabacct_track(sa, tc->pid))
		err("cannot track pid %d: %s", tc->pid, strerror(errno));
	tc->go_fd = go[1];
	tc->result_fd = res[0];
	return 0;
}

void kill_tracked(struct slabacct *sa, struct tracked_child *tc)
{
	pid_t pids[1024];
	int n = sa ? slabacct_tracked_pids(sa, pids, 1024) : 0;

	kill(-tc->pid, SIGKILL);
	for (int i = 0; i < n; i++)
		kill(pids[i], SIGKILL);
	/* we are the subreaper: collect the child and any orphans of its tree */
	while (waitpid(-1, NULL, 0) > 0 || errno == EINTR)
		;
}

static void release(struct tracked_child *tc)
{
	if (write(tc->go_fd, "g", 1) != 1)
		err("cannot release pid %d: %s", tc->pid, strerror(errno));
	close(tc->go_fd);
}

/* ---- one repetition -------------------------------------------------- */

struct rep_args {
	struct runner *r;
	struct wl_setting *ws;
};

/*
 * The forked child re-executes rmapbench with address-space randomisation
 * off, so every repetition, run and build starts from the same fresh address
 * space: the VMA counts a workload sees (and the objects its forks duplicate)
 * do not depend on the runner's heap or on where ASLR happened to place things.
 */
static int workload_child(void *arg, int result_fd)
{
	struct rep_args *a = arg;
	int map_fd = a->r->sa ? slabacct_counters_fd(a->r->sa) : -1;
	int nr = workload_nr_params(a->ws->info);
	char *argv[8 + MAX_PARAMS], buf[6 + MAX_PARAMS][24];
	int n = 0;

	/* dup() drops O_CLOEXEC: these two survive the exec */
	result_fd = dup(result_fd);
	map_fd = map_fd >= 0 ? dup(map_fd) : -1;
	argv[n++] = "rmapbench";
	argv[n++] = "__workload";
	argv[n++] = (char *)a->ws->info->name;
	snprintf(buf[0], sizeof(buf[0]), "%d", result_fd);
	snprintf(buf[1], sizeof(buf[1]), "%d", map_fd);
	snprintf(buf[2], sizeof(buf[2]), "%u", a->r->sa ? slabacct_present_mask(a->r->sa) : 0);
	snprintf(buf[3], sizeof(buf[3]), "%d", verbose);
	for (int i = 0; i < 4; i++)
		argv[n++] = buf[i];
	for (int i = 0; i < nr; i++) {
		snprintf(buf[4 + i], sizeof(buf[0]), "%ld", a->ws->values[i]);
		argv[n++] = buf[4 + i];
	}
	argv[n] = NULL;
	personality(ADDR_NO_RANDOMIZE);
	execv(self_exe, argv);
	fprintf(stderr, "rmapbench: cannot re-execute %s: %s\n", self_exe, strerror(errno));
	return 126;
}

/* `rmapbench __workload NAME RESULT_FD MAP_FD PRESENT VERBOSE VALUES...` */
int cmd_workload_child(int argc, char **argv)
{
	const struct workload_info *info;
	long values[MAX_PARAMS] = { 0 }, fd, map_fd, mask, v;
	volatile struct sa_counters *counters = NULL;
	bool present[SA_NR_KINDS] = { false };
	json_t *res;
	int nr, ret;

	if (argc < 6 || !(info = workload_find(argv[1])))
		return EXIT_USAGE;
	nr = workload_nr_params(info);
	if (argc != 6 + nr || parse_long(argv[2], 0, INT32_MAX, &fd) ||
	    parse_long(argv[3], -1, INT32_MAX, &map_fd) || parse_long(argv[4], 0, 15, &mask) ||
	    parse_long(argv[5], 0, 9, &v))
		return EXIT_USAGE;
	verbose = v;
	for (int i = 0; i < nr; i++)
		if (parse_long(argv[6 + i], info->params[i].min, info->params[i].max, &values[i]))
			return EXIT_USAGE;
	for (int k = 0; k < SA_NR_KINDS; k++)
		present[k] = mask & (1U << k);
	if (map_fd >= 0) {
		counters = slabacct_map_counters(map_fd);
		close(map_fd);
	}
	res = wlctx_run(info, values, counters, present);
	ret = json_dumpfd(res, fd, JSON_COMPACT) ? 126 :
	      strcmp(json_string_value(json_object_get(res, "status")), "ok") ? 1 : 0;
	json_decref(res);
	return ret;
}

struct series {
	json_t *t_ms;
	json_t *cols[SA_NR_KINDS];
};

static void series_init(struct runner *r, struct series *s)
{
	memset(s, 0, sizeof(*s));
	if (!r->sa || !r->cfg.interval_ms)
		return;
	s->t_ms = json_array();
	for (int k = 0; k < SA_NR_KINDS; k++)
		if (slabacct_present(r->sa, k))
			s->cols[k] = json_array();
}

static void series_sample(struct runner *r, struct series *s, uint64_t t0)
{
	volatile struct sa_counters *c;

	if (!s->t_ms)
		return;
	c = slabacct_counters(r->sa);
	json_array_append_new(s->t_ms, json_integer((now_ns() - t0) / 1000000));
	for (int k = 0; k < SA_NR_KINDS; k++)
		if (s->cols[k])
			json_array_append_new(s->cols[k], json_integer(c[k].live));
}

static json_t *series_json(struct runner *r, struct series *s)
{
	json_t *cols;
	char name[64];

	if (!s->t_ms)
		return NULL;
	cols = json_object();
	for (int k = 0; k < SA_NR_KINDS; k++) {
		if (!s->cols[k])
			continue;
		snprintf(name, sizeof(name), "live.%s", slab_kind_name(k));
		json_object_set_new(cols, name, s->cols[k]);
	}
	return json_pack("{s:I, s:o, s:o}", "interval_ms", (json_int_t)r->cfg.interval_ms,
			 "t_ms", s->t_ms, "columns", cols);
}

static void show_progress(struct runner *r, const char *name, int rep)
{
	double elapsed = (now_ns() - r->start_ns) / 1e9;
	double eta = r->reps_done ? elapsed / r->reps_done * (r->reps_total - r->reps_done) : NAN;

	if (!r->progress)
		return;
	fputs("\r\033[K", stderr);
	if (r->round_n > 1) {
		/* the later rounds: as long as the earlier ones took, or as this one will */
		double per_round = r->round_k > 1 ? r->round_prev_s / (r->round_k - 1) :
				   elapsed + eta;

		fprintf(stderr, "round %ld/%ld ", r->round_k, r->round_n);
		elapsed += r->round_prev_s;
		eta += (r->round_n - r->round_k) * per_round;
	}
	fprintf(stderr, "[%ld/%ld] %s rep %d/%ld  elapsed %.1fs", r->reps_done + 1,
		r->reps_total, name, rep, r->cfg.reps, elapsed);
	if (!isnan(eta))
		fprintf(stderr, "  ETA %.0fs", eta);
}

/* Reads the child's result while sampling; false on timeout or interrupt. */
static bool collect(struct runner *r, struct tracked_child *tc, struct series *s,
		    uint64_t t0, char **out, const char **why)
{
	size_t len = 0, cap = 4096;
	char *buf = malloc(cap);
	uint64_t deadline = t0 + r->cfg.rep_timeout_s * 1000000000ull;
	uint64_t run_end = r->start_ns + r->cfg.run_timeout_s * 1000000000ull;

	if (r->cfg.run_timeout_s && run_end < deadline)
		deadline = run_end;
	int timeout = r->cfg.interval_ms && r->sa ? r->cfg.interval_ms : 100;

	uint64_t next_sample = t0 + timeout * 1000000ull;

	for (;;) {
		struct pollfd pfd = { .fd = tc->result_fd, .events = POLLIN };
		int wait = (int)(((int64_t)next_sample - (int64_t)now_ns()) / 1000000);
		int n = poll(&pfd, 1, wait > 0 ? wait : 0);

		if (now_ns() >= next_sample) {
			series_sample(r, s, t0);
			next_sample += timeout * 1000000ull;
		}
		if (interrupted) {
			*why = "interrupted";
			break;
		}
		if (now_ns() > deadline) {
			*why = deadline == run_end ? "run timeout (run_timeout_s)"
						   : "repetition timeout (rep_timeout_s)";
			break;
		}
		if (n <= 0)
			continue;
		if (len + 1024 > cap)
			buf = realloc(buf, cap *= 2);
		n = read(tc->result_fd, buf + len, cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			buf[len] = 0;
			*out = buf;
			return true;
		}
		len += n;
	}
	free(buf);
	return false;
}

/* With @metrics NULL (a failed repetition), results are discarded. */
static void stop_collectors(struct runner *r, uint64_t dt, json_t *metrics, json_t *rep)
{
	json_t *m = metrics ? metrics : json_object();
	json_t *x = rep ? rep : json_object();

	for (int i = 0; i < r->nr_coll; i++) {
		const struct collector *c = r->coll[i].c;

		if (r->coll[i].state && c->rep_stop)
			c->rep_stop(r->coll[i].state, dt, m, x);
		else if (!r->coll[i].state && c->unavailable)
			c->unavailable(r->coll[i].reason, m);
	}
	if (!metrics)
		json_decref(m);
	if (!rep)
		json_decref(x);
}

static void open_collectors(struct runner *r, json_t *report)
{
	json_t *desc = json_object();

	for (int i = 0; collector_table[i] && i < 8; i++) {
		const struct collector *c = collector_table[i];

		r->coll[i].c = c;
		r->nr_coll++;
		if (c->open(&r->coll[i].state, r->coll[i].reason, sizeof(r->coll[i].reason))) {
			r->coll[i].state = NULL;
			info("%s unavailable: %s", c->name, r->coll[i].reason);
			json_object_set_new(desc, c->name, json_pack("{s:b, s:s}", "available", 0,
					    "reason", r->coll[i].reason));
			continue;
		}
		json_object_set_new(desc, c->name, c->describe ? c->describe(r->coll[i].state)
							       : json_pack("{s:b}", "available", 1));
	}
	json_object_set_new(report, "collectors", desc);
}

static void close_collectors(struct runner *r)
{
	for (int i = 0; i < r->nr_coll; i++)
		if (r->coll[i].state && r->coll[i].c->close)
			r->coll[i].c->close(r->coll[i].state);
}

static json_t *failed_rep(int rep, const char *why)
{
	return json_pack("{s:i, s:s, s:s, s:o}", "rep", rep, "status", "failed",
			 "reason", why, "metrics", json_object());
}

static json_t *run_rep(struct runner *r, struct wl_setting *ws, int rep)
{
	struct rep_args args = { r, ws };
	struct tracked_child tc;
	struct series s;
	json_t *res, *out, *metrics, *ser;
	const char *why = NULL;
	char *text = NULL;
	uint64_t t0, dt;
	int status = 0;

	if (r->sa)
		slabacct_reset(r->sa);
	if (spawn_tracked(r->sa, workload_child, &args, &tc))
		return failed_rep(rep, "cannot start the workload process");
	series_init(r, &s);
	for (int i = 0; i < r->nr_coll; i++)
		if (r->coll[i].state && r->coll[i].c->rep_start)
			r->coll[i].c->rep_start(r->coll[i].state, tc.pid);
	t0 = now_ns();
	series_sample(r, &s, t0);
	release(&tc);
	if (!collect(r, &tc, &s, t0, &text, &why)) {
		kill_tracked(r->sa, &tc);
		/* a killed workload cannot put back what it changed: we do */
		guard_recover_stale();
		stop_collectors(r, now_ns() - t0, NULL, NULL);
		close(tc.result_fd);
		json_decref(series_json(r, &s));
		return failed_rep(rep, why);
	}
	close(tc.result_fd);
	while (waitpid(tc.pid, &status, 0) < 0 && errno == EINTR)
		;
	dt = now_ns() - t0;
	kill_tracked(r->sa, &tc);	/* strays of a buggy workload */
	/*
	 * A killed workload (OOM, signal) cannot put back what it changed: undo
	 * it here, or the next repetition's workload would, inside the measured
	 * tree (seen: one more VMA and chain entry in that repetition).
	 */
	if (WIFSIGNALED(status))
		guard_recover_stale();
	if (r->sa)
		slabacct_settle(r->sa, slabacct_settle_timeout_ms());
	series_sample(r, &s, t0);

	res = json_loads(text, 0, NULL);
	free(text);
	if (!res) {
		json_decref(series_json(r, &s));
		return failed_rep(rep, WIFSIGNALED(status) ? strsignal(WTERMSIG(status))
							   : "workload sent no result");
	}
	metrics = json_incref(json_object_get(res, "metrics"));
	if (r->sa)
		slabacct_add_metrics(r->sa, metrics, res);
	else
		slabacct_add_unavailable(metrics, r->sa_reason);
	stop_collectors(r, dt, metrics, res);
	json_object_set_new(metrics, "wall_ns", json_pack("{s:I, s:s, s:s, s:s}",
			    "value", (json_int_t)dt, "unit", "ns", "better", "lower",
			    "kind", "timed"));
	out = json_pack("{s:i, s:O, s:O, s:I, s:o, s:O}", "rep", rep,
			"status", json_object_get(res, "status"),
			"reason", json_object_get(res, "reason"), "duration_ns", (json_int_t)dt,
			"metrics", metrics, "notes", json_object_get(res, "notes"));
	if (json_object_get(res, "slab_accounting"))
		json_object_set(out, "slab_accounting", json_object_get(res, "slab_accounting"));
	ser = series_json(r, &s);
	if (ser)
		json_object_set_new(out, "series", ser);
	json_decref(res);
	return out;
}

/* ---- the suite --------------------------------------------------------- */

static bool run_timed_out(const struct runner *r)
{
	return r->cfg.run_timeout_s &&
	       now_ns() - r->start_ns > (uint64_t)r->cfg.run_timeout_s * 1000000000ull;
}

static json_t *run_workload(struct runner *r, struct wl_setting *ws, bool *failed)
{
	char reason[WL_REASON_LEN] = "";
	json_t *w, *reps = json_array();
	bool any_failed = false;

	w = json_pack("{s:s, s:o}", "name", ws->info->name, "params", config_params_json(ws));
	if (ws->info->headline) {
		json_t *h = json_array();

		for (const char *const *n = ws->info->headline; *n; n++)
			json_array_append_new(h, json_string(*n));
		json_object_set_new(w, "headline", h);
	}
	if (ws->info->supported && !ws->info->supported(reason, sizeof(reason))) {
		json_object_set_new(w, "status", json_string("unavailable"));
		json_object_set_new(w, "reason", json_sprintf("unavailable: %s", reason));
		json_object_set_new(w, "reps", reps);
		r->reps_done += r->cfg.reps;
		info("%s: unavailable: %s", ws->info->name, reason);
		return w;
	}
	for (int rep = 1; rep <= r->cfg.reps && !interrupted; rep++) {
		json_t *res;

		if (run_timed_out(r)) {
			err("%s: run timeout (run_timeout_s = %ld): remaining repetitions skipped",
			    ws->info->name, r->cfg.run_timeout_s);
			any_failed = true;
			break;
		}

		show_progress(r, ws->info->name, rep);
		info("%s: rep %d/%ld", ws->info->name, rep, r->cfg.reps);
		res = run_rep(r, ws, rep);
		if (strcmp(json_string_value(json_object_get(res, "status")), "ok")) {
			any_failed = true;
			err("%s rep %d failed: %s", ws->info->name, rep,
			    json_string_value(json_object_get(res, "reason")));
		}
		json_array_append_new(reps, res);
		r->reps_done++;
	}
	json_object_set_new(w, "status", json_string(any_failed ? "failed" : "ok"));
	json_object_set_new(w, "reason", any_failed ? json_string("a repetition failed")
						  : json_null());
	json_object_set_new(w, "reps", reps);
	*failed |= any_failed;
	return w;
}

static double median_of(json_t *reps, const char *metric, bool *ok)
{
	double v[1024];
	size_t n = 0, i;
	json_t *rep;

	json_array_foreach(reps, i, rep) {
		json_t *m = json_object_get(json_object_get(rep, "metrics"), metric);

		if (json_is_number(json_object_get(m, "value")) && n < 1024)
			v[n++] = json_number_value(json_object_get(m, "value"));
	}
	*ok = n > 0;
	if (!n)
		return 0;
	for (i = 1; i < n; i++)
		for (size_t j = i; j > 0 && v[j - 1] > v[j]; j--) {
			double t = v[j];

			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

void run_print_summary(json_t *report, FILE *f)
{
	static const char *const cols[] = { "vm_area_struct", "anon_vma", "anon_vma_chain",
					    "vma_lock" };
	json_t *w;
	size_t i;

	fprintf(f, "%-14s %-8s %16s %16s %16s %16s\n", "workload", "status",
		"vm_area_struct", "anon_vma", "anon_vma_chain", "vma_lock");
	fprintf(f, "%-14s %-8s %16s %16s %16s %16s\n", "", "", "allocs (median)", "", "", "");
	json_array_foreach(json_object_get(report, "workloads"), i, w) {
		fprintf(f, "%-14s %-8s", json_string_value(json_object_get(w, "name")),
			json_string_value(json_object_get(w, "status")));
		for (int k = 0; k < 4; k++) {
			char name[64];
			bool ok;
			double m;

			snprintf(name, sizeof(name), "slab.%s.allocs", cols[k]);
			m = median_of(json_object_get(w, "reps"), name, &ok);
			if (ok)
				fprintf(f, " %16.0f", m);
			else
				fprintf(f, " %16s", "-");
		}
		fputc('\n', f);
		if (json_is_string(json_object_get(w, "reason")))
			fprintf(f, "  %s\n", json_string_value(json_object_get(w, "reason")));
	}
}

static void usage_run(FILE *f)
{
	fprintf(f,
"usage: rmapbench run [--config FILE] [--workload NAME[,NAME]] [--set W.P=V]...\n"
"                     [--reps N] [--rounds N [--shuffle-seed S]] [--label NAME]\n"
"                     [--interval MS] [--json FILE] [--check] [-v]\n"
"\n"
"Runs workloads on the running kernel and reports, per repetition, the\n"
"vm_area_struct / anon_vma / anon_vma_chain (/ vma_lock) objects their process\n"
"tree allocated, freed, left live and peaked at, plus each workload's metrics.\n"
"\n"
"  -c, --config FILE     INI config (configs/default.conf); default: built-ins\n"
"  -w, --workload LIST   only these workloads (comma-separated; see 'rmapbench list')\n"
"  -s, --set W.P=V       set parameter P of workload W (repeatable)\n"
"  -r, --reps N          repetitions per workload (default %d)\n"
"  -R, --rounds N        run the suite N times (1 to %d), each round in a fresh\n"
"                        process with the workload order shuffled; one report\n"
"                        holds every round (docs/report-schema.md)\n"
"      --shuffle-seed S  seed of the per-round workload order (default: from\n"
"                        the clock; the report's shuffle_seed says which)\n"
"  -L, --label NAME      name this kernel in the report (\"label\"), e.g. to tell\n"
"                        two builds of one release apart\n"
"      --check           validate the options, config and bounds against the\n"
"                        workload table and exit: 0 fine, 2 refused. Runs nothing\n"
"  -i, --interval MS     time-series sampling interval, 0 = off (default %d)\n"
"  -j, --json FILE       write the JSON report to FILE ('-' = stdout); written\n"
"                        atomically. Without it a summary table is printed.\n"
"  -v, --verbose         detail on stderr\n"
"      --no-probes       attach nothing (baseline for probe-overhead benchmarks)\n"
"      --no-collectors   slab accounting only: no rmap latency, no perf counters\n"
"\n"
"examples:\n"
"  rmapbench run --workload fork-chain --set fork-chain.depth=8 --reps 3\n"
"  rmapbench run --config configs/default.conf --json results/report.json\n"
"  rmapbench run --rounds 3 --label patched --json results/patched.json\n"
"  rmapbench run --check --config configs/quick.conf --set fork-chain.depth=8\n",
		CONFIG_DEFAULT_REPS, RUN_MAX_ROUNDS, CONFIG_DEFAULT_INTERVAL_MS);
}

/* --label: a short name that fits a file name and a table column. */
static int check_label(const char *l)
{
	size_t n = strlen(l);

	if (!n || n > 64 || strspn(l, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
				   "0123456789._+-") != n || !strchr(
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", l[0])) {
		err("--label '%s': expected 1 to 64 letters, digits, '.', '_', '+', '-', "
		    "starting with a letter or digit", l);
		return -1;
	}
	return 0;
}

struct order_state {
	struct runner *r;
	bool seen[MAX_WORKLOADS];
};

static int order_one(const char *name, void *arg)
{
	struct order_state *st = arg;
	struct wl_setting *ws = config_find(&st->r->cfg, name);
	int i = ws ? (int)(ws - st->r->cfg.wl) : -1;

	if (!ws || !ws->selected || st->seen[i]) {
		err("--order: '%s' is not a selected workload, or given twice", name);
		return -1;
	}
	st->seen[i] = true;
	st->r->order[st->r->norder++] = i;
	return 0;
}

/* Internal options of a round run by `run --rounds N`: --order A,B and --round-of K,N,MS. */
static int parse_round_opts(struct runner *r, const char *order, const char *round_of)
{
	struct order_state st = { .r = r };
	long sel = 0, ms;
	char tail;

	if (round_of && (sscanf(round_of, "%ld,%ld,%ld%c", &r->round_k, &r->round_n, &ms,
				&tail) != 3 || r->round_k < 1 || r->round_k > r->round_n ||
			 r->round_n > RUN_MAX_ROUNDS || ms < 0)) {
		err("--round-of '%s': expected K,N,MS", round_of);
		return -1;
	}
	if (round_of)
		r->round_prev_s = ms / 1e3;
	if (!order)
		return 0;
	if (for_each_item(order, order_one, &st))
		return -1;
	for (int i = 0; i < r->cfg.nr; i++)
		sel += r->cfg.wl[i].selected;
	if (sel != r->norder) {
		err("--order '%s': not every selected workload", order);
		return -1;
	}
	return 0;
}

/* Options are applied in order: the config first, then overrides. */
static int parse_run_args(struct runner *r, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "workload", required_argument, NULL, 'w' },
		{ "set", required_argument, NULL, 's' },
		{ "reps", required_argument, NULL, 'r' },
		{ "rounds", required_argument, NULL, 'R' },
		{ "shuffle-seed", required_argument, NULL, 'S' },
		{ "label", required_argument, NULL, 'L' },
		{ "check", no_argument, NULL, 'K' },
		{ "interval", required_argument, NULL, 'i' },
		{ "json", required_argument, NULL, 'j' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "no-probes", no_argument, NULL, 'P' },
		{ "no-collectors", no_argument, NULL, 'C' },
		{ "order", required_argument, NULL, 'O' },	/* internal (rounds) */
		{ "round-of", required_argument, NULL, 'G' },	/* internal (rounds) */
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct run_args *a = &r->args;
	const char *rounds = NULL, *seed = NULL, *order = NULL, *round_of = NULL;
	long v;
	int c;

	while ((c = getopt_long(argc, argv, "c:w:s:r:R:L:i:j:vh", opts, NULL)) != -1) {
		switch (c) {
		case 'c': a->config = optarg; break;
		case 'w': a->select = optarg; break;
		case 's':
			if (a->nsets == 64) {
				err("--set: at most 64");
				return -1;
			}
			a->sets[a->nsets++] = optarg;
			break;
		case 'r': a->reps = optarg; break;
		case 'R': rounds = optarg; break;
		case 'S': seed = optarg; break;
		case 'L': a->label = optarg; break;
		case 'K': r->check = true; break;
		case 'i': a->interval = optarg; break;
		case 'j': a->json_path = r->json_path = optarg; break;
		case 'v': verbose++; break;
		case 'P': a->no_probes = r->no_probes = true; break;
		case 'C': a->no_collectors = r->no_collectors = true; break;
		case 'O': order = optarg; break;
		case 'G': round_of = optarg; break;
		case 'h': usage_run(stdout); exit(EXIT_OK);
		default: usage_run(stderr); return -1;
		}
	}
	if (optind < argc) {
		err("run: unexpected argument '%s'", argv[optind]);
		return -1;
	}
	config_init(&r->cfg);
	if (a->config && config_load(&r->cfg, a->config))
		return -1;
	if (a->select && config_select(&r->cfg, a->select))
		return -1;
	for (int i = 0; i < a->nsets; i++)
		if (config_set(&r->cfg, a->sets[i]))
			return -1;
	if (a->reps && parse_long(a->reps, 1, 1000, &r->cfg.reps)) {
		err("--reps '%s': expected an integer in [1, 1000]", a->reps);
		return -1;
	}
	if (a->interval && parse_long(a->interval, 0, 60000, &r->cfg.interval_ms)) {
		err("--interval '%s': expected milliseconds in [0, 60000]", a->interval);
		return -1;
	}
	a->rounds = 1;
	if (rounds && parse_long(rounds, 1, RUN_MAX_ROUNDS, &a->rounds)) {
		err("--rounds '%s': expected an integer in [1, %d]", rounds, RUN_MAX_ROUNDS);
		return -1;
	}
	if (seed && parse_long(seed, 0, UINT32_MAX, &v)) {
		err("--shuffle-seed '%s': expected an integer in [0, %u]", seed, UINT32_MAX);
		return -1;
	}
	a->seeded = seed;
	a->seed = seed ? (unsigned long)v : (unsigned long)(now_ns() ^ getpid()) & UINT32_MAX;
	if (a->label && check_label(a->label))
		return -1;
	if ((order || round_of) && a->rounds > 1) {
		err("--order and --round-of are for a single round");
		return -1;
	}
	return parse_round_opts(r, order, round_of);
}

/*
 * Refuses, before anything runs, a selection whose estimated peak would
 * exceed the process limit, mem_pct of RAM or vm.max_map_count.
 */
static int check_bounds(const struct config *cfg)
{
	long long mem_kib, max_map;

	if (procfs_read_keyed("/proc/meminfo", "MemTotal:", &mem_kib))
		mem_kib = -1;
	if (procfs_read_ll("/proc/sys/vm/max_map_count", &max_map))
		max_map = -1;

	for (int i = 0; i < cfg->nr; i++) {
		const struct wl_setting *ws = &cfg->wl[i];
		struct wl_estimate e = { 0 };
		struct wl_ctx ctx = { .info = ws->info, .values = ws->values };

		if (!ws->selected || !ws->info->estimate)
			continue;
		ws->info->estimate(&ctx, &e);
		if (e.procs > (uint64_t)cfg->max_procs) {
			err("%s: these parameters need %llu processes alive at once, above "
			    "max_procs = %ld ([run] max_procs)", ws->info->name,
			    (unsigned long long)e.procs, cfg->max_procs);
			return -1;
		}
		if (mem_kib > 0 && e.bytes / 1024 > (uint64_t)mem_kib * cfg->mem_pct / 100) {
			err("%s: these parameters write about %llu MiB, above mem_pct = %ld%% of "
			    "the %lld MiB of RAM ([run] mem_pct)", ws->info->name,
			    (unsigned long long)(e.bytes >> 20), cfg->mem_pct, mem_kib >> 10);
			return -1;
		}
		if (max_map > 0 && e.vmas > (uint64_t)max_map) {
			err("%s: these parameters need about %llu VMAs in one process, above "
			    "vm.max_map_count = %lld", ws->info->name,
			    (unsigned long long)e.vmas, max_map);
			return -1;
		}
	}
	return 0;
}

/* Fails early (before any work) when the report could not be written. */
static int check_output(const char *path)
{
	char probe[4096];
	int ret;

	if (!path || !strcmp(path, "-"))
		return 0;
	snprintf(probe, sizeof(probe), "{}");
	ret = text_write_atomic(probe, 2, path);
	if (!ret)
		unlink(path);
	return ret;
}

static void resolve_self_exe(void)
{
	ssize_t n = readlink("/proc/self/exe", self_exe, sizeof(self_exe) - 1);

	if (n > 0)
		self_exe[n] = 0;
}

static void install_signals(void)
{
	struct sigaction sa = { .sa_handler = on_signal };

	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	prctl(PR_SET_CHILD_SUBREAPER, 1);
}

int cmd_run(int argc, char **argv)
{
	struct runner r = { 0 };
	json_t *report, *wls, *order;
	bool failed = false;
	int ret = EXIT_OK;

	if (parse_run_args(&r, argc, argv))
		return EXIT_USAGE;
	for (int i = 0; i < r.cfg.nr; i++)
		r.reps_total += r.cfg.wl[i].selected ? r.cfg.reps : 0;
	if (!r.reps_total) {
		err("no workload selected");
		return EXIT_USAGE;
	}
	if (r.check) {
		if (check_bounds(&r.cfg))
			return EXIT_USAGE;
		info("ok: %ld repetitions in %ld round(s)", r.reps_total, r.args.rounds);
		return EXIT_OK;
	}
	if (check_output(r.json_path) || check_bounds(&r.cfg))
		return EXIT_USAGE;
	resolve_self_exe();
	if (r.args.rounds > 1)
		return run_rounds(&r.args, &r.cfg, self_exe);
	if (!r.norder)
		r.norder = r.args.seeded ? round_order(&r.cfg, r.args.seed, 1, r.order) :
			   round_order(&r.cfg, 0, 0, r.order);
	install_signals();
	/* undo what a killed earlier run left behind (swap, zram, cgroups, sysctls) */
	if (guard_recover_stale() > 0)
		info("restored machine state left by an earlier, killed run");
	if (r.no_probes) {
		snprintf(r.sa_reason, sizeof(r.sa_reason), "disabled by --no-probes");
	} else if (slabacct_open(&r.sa, r.sa_reason, sizeof(r.sa_reason))) {
		err("slab accounting unavailable: %s", r.sa_reason);
		r.sa = NULL;
	}
	r.progress = isatty(STDERR_FILENO) && !verbose;
	r.start_ns = now_ns();

	report = report_header("rmapbench-report");
	json_object_set_new(report, "config", config_to_json(&r.cfg));
	json_object_set_new(report, "capabilities", probe_capabilities());
	json_object_set_new(report, "slab_accounting", r.sa ? slabacct_describe(r.sa) :
			    json_pack("{s:b, s:s, s:n, s:{}}", "available", 0, "reason",
				      r.sa_reason, "method", "caches"));
	if (!r.no_probes && !r.no_collectors)
		open_collectors(&r, report);
	if (r.args.label)
		json_object_set_new(report, "label", json_string(r.args.label));
	wls = json_array();
	order = json_array();
	for (int j = 0; j < r.norder && !interrupted; j++) {
		struct wl_setting *ws = &r.cfg.wl[r.order[j]];

		json_array_append_new(order, json_string(ws->info->name));
		json_array_append_new(wls, run_workload(&r, ws, &failed));
	}
	json_object_set_new(report, "workloads", wls);
	json_object_set_new(report, "round_info", json_pack("[{s:i, s:O, s:O*, s:o}]", "round", 1,
			    "created", json_object_get(report, "created"), "cmdline",
			    json_object_get(json_object_get(report, "kernel"), "cmdline"),
			    "order", order));
	if (r.args.seeded)
		json_object_set_new(json_array_get(json_object_get(report, "round_info"), 0),
				    "shuffle_seed", json_integer(r.args.seed));
	if (r.progress)
		fputs("\r\033[K", stderr);
	close_collectors(&r);
	slabacct_close(r.sa);

	if (interrupted) {
		err("interrupted by signal %d: no report written", (int)interrupted);
		ret = 128 + interrupted;
	} else if (r.json_path) {
		if (json_write_atomic(report, r.json_path))
			ret = EXIT_USAGE;
	} else {
		run_print_summary(report, stdout);
	}
	if (!ret && failed)
		ret = EXIT_RUN;
	json_decref(report);
	return ret;
}
