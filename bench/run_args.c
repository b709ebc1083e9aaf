// SPDX-License-Identifier: GPL-2.0
/*
 * The command line of `rmapbench run` (run_args.h): the options, then the
 * configuration they make (the config file first, then the overrides, in
 * order). Returns a status; never exits.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "run_args.h"
#include "util.h"

static void usage_run(FILE *f)
{
	fprintf(f,
"usage: rmapbench run [--config FILE] [--workload NAME[,NAME]] [--set W.P=V]...\n"
"                     [--sweep W.P=VALUES] [--reps N] [--rounds N [--shuffle-seed S]]\n"
"                     [--label NAME]\n"
"                     [--interval MS] [--json FILE] [--check] [-v]\n"
"\n"
"Runs workloads on the running kernel and reports, per repetition, the\n"
"vm_area_struct / anon_vma / anon_vma_chain (/ vma_lock) objects their process\n"
"tree allocated, freed, left live and peaked at, plus each workload's metrics.\n"
"\n"
"  -c, --config FILE     INI config (configs/default.conf); default: built-ins\n"
"  -w, --workload LIST   only these workloads (comma-separated; see 'rmapbench list')\n"
"  -s, --set W.P=V       set parameter P of workload W (repeatable)\n"
"      --sweep W.P=VALUES  run only workload W, once per value of its parameter P\n"
"                        (its other parameters as configured): V1,V2,... or\n"
"                        A..BxF (A, A*F, A*F^2... up to B) or A..B+S; %d to %d\n"
"                        points, each a workload named W[P=V] in the report;\n"
"                        'rmapbench compare' and 'plot' fit the growth exponent\n"
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
"  rmapbench run --sweep fork-chain.depth=1..64x2 --reps 3 --json depth.json\n"
"  rmapbench run --sweep fork-tree.fanout=2,4,8,16 --set fork-tree.depth=1\n"
"  rmapbench run --check --config configs/quick.conf --set fork-chain.depth=8\n",
		SWEEP_MIN_POINTS, SWEEP_MAX_POINTS, CONFIG_DEFAULT_REPS, RUN_MAX_ROUNDS,
		CONFIG_DEFAULT_INTERVAL_MS);
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
	struct run_request *rq;
	bool seen[MAX_WORKLOADS];
};

static int order_one(const char *name, void *arg)
{
	struct order_state *st = arg;
	struct wl_setting *ws = config_find(&st->rq->cfg, name);
	int i = ws ? (int)(ws - st->rq->cfg.wl) : -1;

	if (!ws || !ws->selected || st->seen[i]) {
		err("--order: '%s' is not a selected workload, or given twice", name);
		return -1;
	}
	st->seen[i] = true;
	st->rq->order[st->rq->norder++] = i;
	return 0;
}

/* Internal options of a round run by `run --rounds N`: --order A,B and --round-of K,N,MS. */
static int parse_round_opts(struct run_request *rq, const char *order, const char *round_of)
{
	struct order_state st = { .rq = rq };
	long sel = 0, ms;
	char tail;

	if (round_of && (sscanf(round_of, "%ld,%ld,%ld%c", &rq->round_k, &rq->round_n, &ms,
				&tail) != 3 || rq->round_k < 1 || rq->round_k > rq->round_n ||
			 rq->round_n > RUN_MAX_ROUNDS || ms < 0)) {
		err("--round-of '%s': expected K,N,MS", round_of);
		return -1;
	}
	if (round_of)
		rq->round_prev_s = ms / 1e3;
	if (!order)
		return 0;
	if (for_each_item(order, order_one, &st))
		return -1;
	for (int i = 0; i < rq->cfg.nr; i++)
		sel += rq->cfg.wl[i].selected;
	if (sel != rq->norder) {
		err("--order '%s': not every selected workload", order);
		return -1;
	}
	return 0;
}

/* After --config, --workload and --set: the points replace the selection. */
static int apply_sweep(struct run_request *rq)
{
	char msg[640];

	if (sweep_parse(rq->args.sweep, &rq->sweep, msg, sizeof(msg))) {
		err("%s", msg);
		return -1;
	}
	return config_sweep(&rq->cfg, &rq->sweep);
}

int run_args_parse(struct run_request *rq, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "workload", required_argument, NULL, 'w' },
		{ "set", required_argument, NULL, 's' },
		{ "sweep", required_argument, NULL, 'W' },
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
	struct run_args *a = &rq->args;
	int c;

	while ((c = getopt_long(argc, argv, "c:w:s:r:R:L:i:j:vh", opts, NULL)) != -1) {
		switch (c) {
		case 'c': a->config = optarg; break;
		case 'w': a->select = optarg; break;
		case 's':
			if (a->nsets == 64) {
				err("--set: at most 64");
				return RUN_ARGS_BAD;
			}
			a->sets[a->nsets++] = optarg;
			break;
		case 'W':
			if (a->sweep) {
				err("--sweep: one sweep per run");
				return RUN_ARGS_BAD;
			}
			a->sweep = optarg;
			break;
		case 'r': a->reps = optarg; break;
		case 'R': rq->rounds = optarg; break;
		case 'S': rq->seed = optarg; break;
		case 'L': a->label = optarg; break;
		case 'K': rq->check = true; break;
		case 'i': a->interval = optarg; break;
		case 'j': a->json_path = optarg; break;
		case 'v': verbose++; break;
		case 'P': a->no_probes = true; break;
		case 'C': a->no_collectors = true; break;
		case 'O': rq->order_list = optarg; break;
		case 'G': rq->round_of = optarg; break;
		case 'h': usage_run(stdout); return RUN_ARGS_HELP;
		default: usage_run(stderr); return RUN_ARGS_BAD;
		}
	}
	if (optind < argc) {
		err("run: unexpected argument '%s'", argv[optind]);
		return RUN_ARGS_BAD;
	}
	return RUN_ARGS_OK;
}

int run_args_apply(struct run_request *rq)
{
	struct run_args *a = &rq->args;
	long v;

	config_init(&rq->cfg);
	if (a->config && config_load(&rq->cfg, a->config))
		return -1;
	if (a->select && config_select(&rq->cfg, a->select))
		return -1;
	for (int i = 0; i < a->nsets; i++)
		if (config_set(&rq->cfg, a->sets[i]))
			return -1;
	if (a->sweep && apply_sweep(rq))
		return -1;
	if (a->reps && parse_long(a->reps, 1, 1000, &rq->cfg.reps)) {
		err("--reps '%s': expected an integer in [1, 1000]", a->reps);
		return -1;
	}
	if (a->interval && parse_long(a->interval, 0, 60000, &rq->cfg.interval_ms)) {
		err("--interval '%s': expected milliseconds in [0, 60000]", a->interval);
		return -1;
	}
	a->rounds = 1;
	if (rq->rounds && parse_long(rq->rounds, 1, RUN_MAX_ROUNDS, &a->rounds)) {
		err("--rounds '%s': expected an integer in [1, %d]", rq->rounds, RUN_MAX_ROUNDS);
		return -1;
	}
	if (rq->seed && parse_long(rq->seed, 0, UINT32_MAX, &v)) {
		err("--shuffle-seed '%s': expected an integer in [0, %u]", rq->seed, UINT32_MAX);
		return -1;
	}
	a->seeded = rq->seed;
	a->seed = rq->seed ? (unsigned long)v : (unsigned long)(now_ns() ^ getpid()) & UINT32_MAX;
	if (a->label && check_label(a->label))
		return -1;
	if ((rq->order_list || rq->round_of) && a->rounds > 1) {
		err("--order and --round-of are for a single round");
		return -1;
	}
	return parse_round_opts(rq, rq->order_list, rq->round_of);
}

int run_args_read(struct run_request *rq, int argc, char **argv)
{
	int ret = run_args_parse(rq, argc, argv);

	if (ret != RUN_ARGS_OK)
		return ret;
	return run_args_apply(rq) ? RUN_ARGS_BAD : RUN_ARGS_OK;
}
