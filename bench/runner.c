// SPDX-License-Identifier: GPL-2.0
/*
 * `rmapbench run`: every selected workload × repetition in a tracked child,
 * slab counters reset in between, time series sampled while it runs, one
 * JSON report at the end (docs/report-schema.md).
 */
#include <errno.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "child.h"
#include "collector.h"
#include "config.h"
#include "guard.h"
#include "kmod.h"
#include "probe.h"
#include "procfs.h"
#include "rounds.h"
#include "run_args.h"
#include "run_json.h"
#include "runner.h"
#include "summary.h"
#include "sweep.h"
#include "sysslab.h"
#include "util.h"
#include "wlctx.h"

struct runner {
	struct run_request rq;		/* the command line and its configuration */
	struct slabacct *sa;		/* NULL: accounting unavailable */
	char sa_reason[256];
	int nr_coll;
	struct {
		const struct collector *c;
		void *state;		/* NULL: unavailable */
		char reason[256];
	} coll[8];
	bool progress;
	uint64_t start_ns;
	long reps_done, reps_total;
};

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
	interrupted = sig;
}

/* ---- one repetition -------------------------------------------------- */

struct series {
	json_t *t_ms;
	json_t *cols[SA_NR_KINDS];
};

static void series_init(struct runner *r, struct series *s)
{
	memset(s, 0, sizeof(*s));
	if (!r->sa || !r->rq.cfg.interval_ms)
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
	return json_pack("{s:I, s:o, s:o}", "interval_ms", (json_int_t)r->rq.cfg.interval_ms,
			 "t_ms", s->t_ms, "columns", cols);
}

static void show_progress(struct runner *r, const char *name, int rep)
{
	double elapsed = (now_ns() - r->start_ns) / 1e9;
	double eta = r->reps_done ? elapsed / r->reps_done * (r->reps_total - r->reps_done) : NAN;

	if (!r->progress)
		return;
	fputs("\r\033[K", stderr);
	if (r->rq.round_n > 1) {
		/* the later rounds: as long as the earlier ones took, or as this one will */
		double per_round = r->rq.round_k > 1 ? r->rq.round_prev_s / (r->rq.round_k - 1) :
				   elapsed + eta;

		fprintf(stderr, "round %ld/%ld ", r->rq.round_k, r->rq.round_n);
		elapsed += r->rq.round_prev_s;
		eta += (r->rq.round_n - r->rq.round_k) * per_round;
	}
	fprintf(stderr, "[%ld/%ld] %s rep %d/%ld  elapsed %.1fs", r->reps_done + 1,
		r->reps_total, name, rep, r->rq.cfg.reps, elapsed);
	if (!isnan(eta))
		fprintf(stderr, "  ETA %.0fs", eta);
}

/* Reads the child's result while sampling; false on timeout or interrupt. */
static bool collect(struct runner *r, struct tracked_child *tc, struct series *s,
		    uint64_t t0, char **out, const char **why)
{
	size_t len = 0, cap = 4096;
	char *buf = malloc(cap), *nbuf;
	uint64_t deadline = t0 + r->rq.cfg.rep_timeout_s * 1000000000ull;
	uint64_t run_end = r->start_ns + r->rq.cfg.run_timeout_s * 1000000000ull;

	if (r->rq.cfg.run_timeout_s && run_end < deadline)
		deadline = run_end;
	int timeout = r->rq.cfg.interval_ms && r->sa ? r->rq.cfg.interval_ms : 100;

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
		nbuf = buf && len + 1024 > cap ? realloc(buf, cap * 2) : NULL;
		if (nbuf) {
			buf = nbuf;
			cap *= 2;
		}
		if (!buf || len + 1024 > cap) {
			*why = "out of memory for the workload's result";
			break;
		}
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
	struct tracked_child tc;
	struct series s;
	json_t *res, *out, *metrics, *ser;
	const char *why = NULL;
	char *text = NULL;
	uint64_t t0, dt;
	int status = 0;

	if (r->sa)
		slabacct_reset(r->sa);
	if (spawn_workload(r->sa, ws, rep, &tc))
		return failed_rep(rep, "cannot start the workload process");
	series_init(r, &s);
	for (int i = 0; i < r->nr_coll; i++)
		if (r->coll[i].state && r->coll[i].c->rep_start)
			r->coll[i].c->rep_start(r->coll[i].state, tc.pid);
	t0 = now_ns();
	series_sample(r, &s, t0);
	if (release_tracked(&tc))
		err("cannot release pid %d: %s", tc.pid, strerror(errno));
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
	return r->rq.cfg.run_timeout_s &&
	       now_ns() - r->start_ns > (uint64_t)r->rq.cfg.run_timeout_s * 1000000000ull;
}

static json_t *run_workload(struct runner *r, struct wl_setting *ws, bool *failed)
{
	char reason[WL_REASON_LEN] = "";
	json_t *w, *reps = json_array();
	bool any_failed = false;

	w = json_pack("{s:s, s:o}", "name", ws->name, "params", config_params_json(ws));
	if (ws->sweep_param >= 0)
		json_object_set_new(w, "sweep", json_pack("{s:s, s:s, s:I}", "workload",
				    ws->info->name, "param", ws->info->params[ws->sweep_param].name,
				    "value", (json_int_t)ws->values[ws->sweep_param]));
	if (ws->info->headline) {
		json_t *h = json_array();

		for (const char *const *n = ws->info->headline; *n; n++)
			json_array_append_new(h, json_string(*n));
		json_object_set_new(w, "headline", h);
	}
	if (ws->info->uses_zram)
		kmod_zram_prepare();
	if (ws->info->supported && !ws->info->supported(reason, sizeof(reason))) {
		json_object_set_new(w, "status", json_string("unavailable"));
		json_object_set_new(w, "reason", json_sprintf("unavailable: %s", reason));
		json_object_set_new(w, "reps", reps);
		r->reps_done += r->rq.cfg.reps;
		info("%s: unavailable: %s", ws->name, reason);
		return w;
	}
	for (int rep = 1; rep <= r->rq.cfg.reps && !interrupted; rep++) {
		json_t *res;

		if (run_timed_out(r)) {
			err("%s: run timeout (run_timeout_s = %ld): remaining repetitions skipped",
			    ws->name, r->rq.cfg.run_timeout_s);
			any_failed = true;
			break;
		}

		show_progress(r, ws->name, rep);
		info("%s: rep %d/%ld", ws->name, rep, r->rq.cfg.reps);
		res = run_rep(r, ws, rep);
		if (strcmp(json_string_value(json_object_get(res, "status")), "ok")) {
			any_failed = true;
			err("%s rep %d failed: %s", ws->name, rep,
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
			    "max_procs = %ld ([run] max_procs)", ws->name,
			    (unsigned long long)e.procs, cfg->max_procs);
			return -1;
		}
		if (mem_kib > 0 && e.bytes / 1024 > (uint64_t)mem_kib * cfg->mem_pct / 100) {
			err("%s: these parameters write about %llu MiB, above mem_pct = %ld%% of "
			    "the %lld MiB of RAM ([run] mem_pct)", ws->name,
			    (unsigned long long)(e.bytes >> 20), cfg->mem_pct, mem_kib >> 10);
			return -1;
		}
		if (max_map > 0 && e.vmas > (uint64_t)max_map) {
			err("%s: these parameters need about %llu VMAs in one process, above "
			    "vm.max_map_count = %lld", ws->name,
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
	const char *self;
	bool failed = false;
	int ret = EXIT_OK;

	switch (run_args_read(&r.rq, argc, argv)) {
	case RUN_ARGS_OK:
		break;
	case RUN_ARGS_HELP:
		return EXIT_OK;
	default:
		return EXIT_USAGE;
	}
	for (int i = 0; i < r.rq.cfg.nr; i++)
		r.reps_total += r.rq.cfg.wl[i].selected ? r.rq.cfg.reps : 0;
	if (!r.reps_total) {
		err("no workload selected");
		return EXIT_USAGE;
	}
	if (r.rq.check) {
		if (check_bounds(&r.rq.cfg))
			return EXIT_USAGE;
		info("ok: %ld repetitions in %ld round(s)", r.reps_total, r.rq.args.rounds);
		return EXIT_OK;
	}
	if (check_output(r.rq.args.json_path) || check_bounds(&r.rq.cfg))
		return EXIT_USAGE;
	self = child_self_exe();
	if (r.rq.args.rounds > 1)
		return run_rounds(&r.rq.args, &r.rq.cfg, self);
	if (!r.rq.norder)
		r.rq.norder = r.rq.args.seeded ? round_order(&r.rq.cfg, r.rq.args.seed, 1, r.rq.order) :
			   round_order(&r.rq.cfg, 0, 0, r.rq.order);
	/* the caches before the suite touches them (footprint's "after boot") */
	sysslab_record_start();
	install_signals();
	/* undo what a killed earlier run left behind (swap, zram, cgroups, sysctls) */
	if (guard_recover_stale() > 0)
		info("restored machine state left by an earlier, killed run");
	if (r.rq.args.no_probes) {
		snprintf(r.sa_reason, sizeof(r.sa_reason), "disabled by --no-probes");
	} else if (slabacct_open(&r.sa, r.sa_reason, sizeof(r.sa_reason))) {
		err("slab accounting unavailable: %s", r.sa_reason);
		r.sa = NULL;
	}
	r.progress = isatty(STDERR_FILENO) && !verbose;
	r.start_ns = now_ns();

	report = run_json_header("rmapbench-report");
	json_object_set_new(report, "config", config_to_json(&r.rq.cfg));
	json_object_set_new(report, "capabilities", probe_capabilities());
	json_object_set_new(report, "slab_accounting", r.sa ? slabacct_describe(r.sa) :
			    json_pack("{s:b, s:s, s:n, s:{}}", "available", 0, "reason",
				      r.sa_reason, "method", "caches"));
	if (!r.rq.args.no_probes && !r.rq.args.no_collectors)
		open_collectors(&r, report);
	if (r.rq.args.label)
		json_object_set_new(report, "label", json_string(r.rq.args.label));
	if (r.rq.sweep.n)
		json_object_set_new(report, "sweep", sweep_json(&r.rq.sweep));
	wls = json_array();
	order = json_array();
	for (int j = 0; j < r.rq.norder && !interrupted; j++) {
		struct wl_setting *ws = &r.rq.cfg.wl[r.rq.order[j]];

		json_array_append_new(order, json_string(ws->name));
		json_array_append_new(wls, run_workload(&r, ws, &failed));
	}
	json_object_set_new(report, "workloads", wls);
	json_object_set_new(report, "round_info", json_pack("[{s:i, s:O, s:O*, s:o}]", "round", 1,
			    "created", json_object_get(report, "created"), "cmdline",
			    json_object_get(json_object_get(report, "kernel"), "cmdline"),
			    "order", order));
	if (r.rq.args.seeded)
		json_object_set_new(json_array_get(json_object_get(report, "round_info"), 0),
				    "shuffle_seed", json_integer(r.rq.args.seed));
	if (r.progress)
		fputs("\r\033[K", stderr);
	close_collectors(&r);
	slabacct_close(r.sa);
	kmod_restore();

	if (interrupted) {
		err("interrupted by signal %d: no report written", (int)interrupted);
		ret = 128 + interrupted;
	} else if (r.rq.args.json_path) {
		if (json_write_atomic(report, r.rq.args.json_path))
			ret = EXIT_USAGE;
	} else {
		run_print_summary(report, stdout);
	}
	if (!ret && failed)
		ret = EXIT_RUN;
	json_decref(report);
	return ret;
}
