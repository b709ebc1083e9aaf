/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The comparison model (cmp_model.c): each test report judged against
 * the base, metric by metric, and the notes every output states. The
 * writers (cmp_json.h, cmp_output.h, plot.h, cmp_html.h) read it; it
 * includes none of them.
 */
#ifndef RMAPBENCH_CMP_MODEL_H
#define RMAPBENCH_CMP_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "report.h"

enum verdict {
	VD_UNCHANGED,
	VD_REGRESSION,
	VD_IMPROVEMENT,
	VD_CHANGED,		/* better == none */
	VD_UNAVAILABLE,
	VD_NOT_JUDGED,		/* timed: unlike environments, or < 2 rounds */
	NR_VERDICTS,
};

enum timed_mode { TIMED_JUDGED, TIMED_REFUSED, TIMED_FORCED };

struct side_exact {
	size_t n;
	double value;		/* median over repetitions */
	double min;
	double max;
};

struct metric_cmp {
	const char *name;
	enum metric_kind kind;
	enum metric_better better;
	const char *unit;
	const struct metric_samples *base;
	const struct metric_samples *test;
	const struct metric_samples *tb;	/* timed: what it is judged against */
	enum verdict verdict;
	bool gated;
	/*
	 * "base" | "test": the cache of this slab.<cache>.* metric does not
	 * exist on that side's kernel; its values there are 0 (never gates)
	 */
	const char *absent;
	char reason[1024];	/* unavailable / not judged / notes */
	/* exact */
	struct side_exact eb, et;
	double delta;
	double delta_pct;	/* NaN when the base value is 0 */
	/* timed */
	bool have_timed;	/* t holds round statistics (p, df) */
	bool have_change;	/* t.change_pct/ci are shown (also < 2 rounds) */
	bool headline;		/* a headline metric of its workload */
	double threshold_pct;
	struct rstat_rounds t;
	double p_adj;		/* after the correction of its family */
	size_t family_m;	/* size of that family */
	double mde_pct;		/* minimum detectable effect, NaN: unknown */
};

/* Is @mc's cache absent on the base (@base) or test side? */
static inline bool absent_on(const struct metric_cmp *mc, bool base)
{
	return mc->absent && !strcmp(mc->absent, base ? "base" : "test");
}

struct workload_cmp {
	const struct workload_data *base;
	const struct workload_data *test;
	const struct workload_data *tbase;	/* the timed base's, NULL: none */
	struct metric_cmp *m;
	size_t nm;
	const char *reason;	/* set when one side is not ok */
};

struct unmatched {
	const struct workload_data *w;
	const char *side;	/* "base" | "test" */
	char reason[256];
};

struct test_cmp {
	struct report *test;
	/*
	 * Timed metrics are judged against the first input of the test's
	 * machine group (the base if it shares the base's machine; the base
	 * with --force when the test is the first of another group); NULL
	 * when they are not judged (first of its group, unlike fields).
	 */
	const struct report *tbase;
	enum timed_mode timed;
	char env_diff[512];	/* "machine.virt: native vs tcg; ..." */
	struct workload_cmp *w;
	size_t nw;
	struct unmatched *u;
	size_t nu;
	size_t count[NR_VERDICTS];
	size_t gated_regressions;
	size_t failed_workloads;	/* ok in base, failed in test */
	size_t unavailable_workloads;
	size_t rounds_base;	/* fewest rounds of a timed metric, base side */
	size_t rounds_test;
	size_t few_rounds;	/* timed metrics not judged: < 2 rounds a side */
	size_t gating_m;	/* judged gating timed metrics (the family) */
	size_t info_m;		/* judged other timed metrics */
	bool headline_fallback;	/* a workload had no "headline" in either report */
	size_t drift_applied;	/* judged timed metrics --noise widened */
	const struct noise *noise;	/* the --noise file of its machine, NULL: none */
	double mde_min, mde_max;	/* over the judged gating metrics, NaN: none */
	const struct metric_cmp *mde_min_row, *mde_max_row;
};

struct noise;

/* The inputs of one machine fingerprint, in input order. */
struct machine_group {
	const char *fp;
	struct report **r;
	size_t n;
};

struct comparison {
	struct cmp_config cfg;
	struct noise *noise;	/* --noise FILE...: run-to-run drift, one per machine */
	size_t nnoise;
	struct report *base;
	struct test_cmp *tests;
	size_t ntests;
	struct machine_group *groups;	/* groups[0]: the base's machine */
	size_t ngroups;
	bool force;
	int verbose;
	char created[32];
	char *outdir;
};

const char *verdict_name(enum verdict v);
const char *correction_name(enum cmp_correction c);
/* "Intel Xeon ..., 2 cores, 8 GiB, native" (memory as fingerprinted) */
const char *machine_desc(const struct report *r, char *buf, size_t len);
/* Is the test the first input of its machine group (not the base's)? */
bool first_of_machine(const struct comparison *c, const struct test_cmp *t);
/* "not judged: first report of machine <fp> ..." */
const char *group_first_note(const struct test_cmp *t, char *buf, size_t len);
/* Judges test @t against the base; -1 with @err on bad input or no memory. */
int compare_test(struct comparison *c, struct test_cmp *t, char *err, size_t errlen);
/* Frees the reports, the judged tests, groups, noise and outdir of @c. */
void comparison_free(struct comparison *c);
bool any_gated_regression(const struct comparison *c);
/* Judged timed metrics --noise file @n widened, over the tests of its machine. */
size_t drift_applied_by(const struct comparison *c, const struct noise *n);
/* Per-metric level the MDE is stated at for a family of @m metrics. */
double mde_alpha(const struct comparison *c, size_t m);

/*
 * Notes on a test, the same sentences in every output; NULL when there is
 * nothing to say, else @buf.
 */
const char *env_note(const struct comparison *c, const struct test_cmp *t,
		     char *buf, size_t len);
const char *power_note(const struct comparison *c, const struct test_cmp *t,
		       char *buf, size_t len);
const char *mde_note(const struct test_cmp *t, char *buf, size_t len);
const char *reach_note(const struct comparison *c, const struct test_cmp *t,
		       char *buf, size_t len);
/* An MDE in %: ">1000%" beyond that */
const char *fmt_mde(char *buf, size_t len, double pct);
/* "2 regression(s) (1 gating CI), ...": the verdicts of @t counted */
const char *counts_note(const struct test_cmp *t, char *buf, size_t len);
/* "fork-tree {depth=3 ...} not compared: test failed: ...": a workload not ok on a side */
const char *not_compared_note(const struct workload_cmp *w, char *buf, size_t len);
/* "unmatched: ksm {pages=3} only in base (not in test.json)": a workload on one side only */
const char *unmatched_note(const struct unmatched *u, char *buf, size_t len);
/* How verdicts are reached, with the settings of @c, appended to @b */
void method_note(const struct comparison *c, struct sbuf *b);
/* The title of a list of metrics of verdict @v: "Regressions", ... */
const char *verdict_title(enum verdict v);

#endif
