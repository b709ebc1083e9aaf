// SPDX-License-Identifier: GPL-2.0
/*
 * Graphs with gnuplot. For every graph a data file (.dat) and a script
 * (.gp) go into <out>/graphs/ and gnuplot runs the script there (fork +
 * exec, relative paths), writing PNG (pngcairo, else libgd png) and SVG
 * to temporary names that are renamed once gnuplot succeeded. The
 * scripts stay, so a graph can be tweaked and redrawn by hand:
 *   cd <out>/graphs && gnuplot -d <name>.gp
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cmp_model.h"
#include "plot.h"
#include "cmp_curve.h"
#include "slabacct_shared.h"

static const char *const palette[] = {
	"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b",
	"#e377c2", "#17becf",
};
#define NR_COLORS (sizeof(palette) / sizeof(palette[0]))

static const char *const slab_caches[] = { SA_CACHES(SA_CACHE_NAME) };
static const char *const slab_stats[] = { "allocs", "frees", "peak", "live" };

/* Runs gnuplot in gp->dir with its output appended to the log. */
static int run_gnuplot(const struct gp_ctx *gp, const char *arg1, const char *arg2)
{
	int status, fd;
	pid_t pid;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		fd = open("/dev/null", O_RDONLY);
		if (fd >= 0)
			dup2(fd, 0);
		fd = open(gp->log, O_WRONLY | O_APPEND | O_CREAT, 0644);
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		if (chdir(gp->dir))
			_exit(126);
		execlp("gnuplot", "gnuplot", "-d", arg1, arg2, (char *)NULL);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR)
			return -1;
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static bool terminal_works(const struct gp_ctx *gp, const char *term)
{
	char cmd[64];

	snprintf(cmd, sizeof(cmd), "set terminal %s", term);
	return run_gnuplot(gp, "-e", cmd) == 0;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && !strcmp(s + n - m, suffix);
}

/*
 * Graphs of an earlier comparison into the same directory would linger
 * next to the new ones: remove what this code writes (wNN-*, change-*).
 */
static void remove_old_graphs(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d))) {
		const char *n = e->d_name;
		bool ours = (n[0] == 'w' && n[1] >= '0' && n[1] <= '9' && n[2] >= '0' &&
			     n[2] <= '9' && n[3] == '-') || !strncmp(n, "change-", 7) ||
			    !strncmp(n, "curve", 5);

		if (ours && (ends_with(n, ".png") || ends_with(n, ".svg") ||
			     ends_with(n, ".gp") || ends_with(n, ".dat")))
			unlinkat(dirfd(d), n, 0);
	}
	closedir(d);
}

int gp_init(struct gp_ctx *gp, const char *outdir, int verbose)
{
	char err[CMP_ERR_LEN];
	int fd, rc;

	memset(gp, 0, sizeof(*gp));
	gp->verbose = verbose;
	gp->dir = path_join(outdir, "graphs");
	gp->log = gp->dir ? path_join(gp->dir, "gnuplot.log") : NULL;
	if (!gp->log || mkdir_p(gp->dir, err, sizeof(err))) {
		snprintf(gp->why, sizeof(gp->why), "%s", gp->log ? err : "out of memory");
		return -1;
	}
	remove_old_graphs(gp->dir);
	fd = open(gp->log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd >= 0)
		close(fd);
	rc = run_gnuplot(gp, "-e", "set terminal pngcairo");
	if (rc == 127) {
		snprintf(gp->why, sizeof(gp->why),
			 "gnuplot is not installed (apt-get install gnuplot-nox)");
		return -1;
	}
	if (rc == 0)
		gp->png_term = "pngcairo";
	else if (terminal_works(gp, "png"))
		gp->png_term = "png";
	gp->svg = terminal_works(gp, "svg");
	if (!gp->png_term && !gp->svg) {
		snprintf(gp->why, sizeof(gp->why),
			 "gnuplot has neither a png nor an svg terminal (see %s)", gp->log);
		return -1;
	}
	gp->available = true;
	return 0;
}

void gp_free(struct gp_ctx *gp)
{
	size_t i;

	for (i = 0; i < gp->ng; i++) {
		free(gp->g[i].stem);
		free(gp->g[i].title);
	}
	free(gp->g);
	free(gp->dir);
	free(gp->log);
	memset(gp, 0, sizeof(*gp));
}

/* A gnuplot single-quoted string: '' stands for ' */
static void gp_quote(struct sbuf *b, const char *s)
{
	sbuf_puts(b, "'");
	for (; s && *s; s++) {
		if (*s == '\'')
			sbuf_puts(b, "''");
		else if (*s != '\n')
			sbuf_printf(b, "%c", *s);
	}
	sbuf_puts(b, "'");
}

static void dat_quote(struct sbuf *b, const char *s)
{
	sbuf_puts(b, "\"");
	for (; s && *s; s++)
		sbuf_printf(b, "%c", *s == '"' || *s == '\n' ? '\'' : *s);
	sbuf_puts(b, "\"");
}

static void dat_num(struct sbuf *b, double v)
{
	if (isfinite(v))
		sbuf_printf(b, " %.10g", v);
	else
		sbuf_puts(b, " NaN");
}

static int write_in_dir(struct gp_ctx *gp, const char *name, struct sbuf *b)
{
	char err[CMP_ERR_LEN], *path = path_join(gp->dir, name);
	int ret = -1;

	if (path)
		ret = sbuf_write(b, path, err, sizeof(err));
	if (ret)
		fprintf(stderr, "rmapbench: %s\n", path ? err : "out of memory");
	free(path);
	return ret;
}

static void script_for(struct sbuf *s, const char *term, const char *stem,
		       const char *ext, int w, int h, const char *body)
{
	sbuf_printf(s, "reset\nset terminal %s size %d,%d noenhanced", term, w, h);
	if (!strcmp(term, "pngcairo") || !strcmp(term, "svg"))
		sbuf_puts(s, " font 'DejaVu Sans,10'");
	if (!strcmp(term, "svg"))
		sbuf_puts(s, " background rgb 'white'");
	sbuf_printf(s, "\nset output '%s.%s.tmp'\nset datafile missing 'NaN'\n", stem, ext);
	sbuf_puts(s, body);
	sbuf_puts(s, "\nunset multiplot\nunset output\n");
}

/* Renames stem.ext.tmp to stem.ext when it is there and not empty. */
static bool publish(const struct gp_ctx *gp, const char *stem, const char *ext,
		    bool ok)
{
	char tmp[512], out[512];
	struct stat st;

	snprintf(tmp, sizeof(tmp), "%s/%s.%s.tmp", gp->dir, stem, ext);
	snprintf(out, sizeof(out), "%s/%s.%s", gp->dir, stem, ext);
	if (ok && !stat(tmp, &st) && st.st_size > 0 && !rename(tmp, out))
		return true;
	unlink(tmp);
	return false;
}

static void add_graph(struct gp_ctx *gp, const char *stem, const char *title,
		      int section, bool png, bool svg)
{
	struct graph *g = realloc(gp->g, (gp->ng + 1) * sizeof(*g));
	char *s = strdup(stem), *t = strdup(title);

	if (!g || !s || !t) {
		free(s);
		free(t);
		if (g)
			gp->g = g;
		return;	/* out of memory: the graph is written, not listed */
	}
	gp->g = g;
	g += gp->ng++;
	g->stem = s;
	g->title = t;
	g->section = section;
	g->png = png;
	g->svg = svg;
}

/* Writes <stem>.gp for both formats, runs it and records the graph. */
static void gp_render(struct gp_ctx *gp, const char *stem, const char *title,
		      int section, int w, int h, struct sbuf *body)
{
	struct sbuf s = { 0 };
	char name[300];
	bool png, svg;
	int rc;

	sbuf_printf(&s, "# rmapbench graph: %s\n# redraw: gnuplot -d %s.gp\n", title, stem);
	if (gp->png_term)
		script_for(&s, gp->png_term, stem, "png", w, h, body->s ? body->s : "");
	if (gp->svg)
		script_for(&s, "svg", stem, "svg", w, h, body->s ? body->s : "");
	snprintf(name, sizeof(name), "%s.gp", stem);
	if (body->oom || write_in_dir(gp, name, &s)) {
		gp->failed++;
		goto out;
	}
	rc = run_gnuplot(gp, name, NULL);
	png = gp->png_term && publish(gp, stem, "png", rc == 0);
	svg = gp->svg && publish(gp, stem, "svg", rc == 0);
	if (rc != 0 || (!png && !svg)) {
		gp->failed++;
		fprintf(stderr, "rmapbench: gnuplot failed on %s/%s (exit %d), see %s\n",
			gp->dir, name, rc, gp->log);
		goto out;
	}
	if (gp->verbose)
		fprintf(stderr, "rmapbench: graph %s/%s.{%s%s%s}\n", gp->dir, stem,
			png ? "png" : "", png && svg ? "," : "", svg ? "svg" : "");
	add_graph(gp, stem, title, section, png, svg);
out:
	sbuf_free(&s);
}

/* ---- live slab objects over time ---------------------------------------- */

struct columns {
	const char **name;
	size_t n;
};

static void columns_add(struct columns *c, const char *name)
{
	const char **n;
	size_t i;

	for (i = 0; i < c->n; i++)
		if (!strcmp(c->name[i], name))
			return;
	n = realloc(c->name, (c->n + 1) * sizeof(*n));
	if (!n)
		return;
	c->name = n;
	c->name[c->n++] = name;
}

static void collect_live_columns(const struct workload_data *w, struct columns *c)
{
	json_t *rep, *cols, *col;
	const char *key;
	size_t i;

	json_array_foreach(w->reps, i, rep) {
		cols = json_object_get(json_object_get(rep, "series"), "columns");
		json_object_foreach(cols, key, col)
			if (!strncmp(key, "live.", 5))
				columns_add(c, key);
	}
}

/* One block per repetition: t_ms and one column per live.* name. */
static size_t series_data(const struct workload_data *w, const struct columns *c,
			  struct sbuf *d)
{
	json_t *rep, *series, *t;
	size_t i, j, k, blocks = 0;

	json_array_foreach(w->reps, i, rep) {
		series = json_object_get(rep, "series");
		t = json_object_get(series, "t_ms");
		if (!json_array_size(t) ||
		    strcmp(json_string_value(json_object_get(rep, "status")), "ok"))
			continue;
		if (blocks)
			sbuf_puts(d, "\n\n");
		sbuf_printf(d, "# rep %zu\n", i + 1);
		for (j = 0; j < json_array_size(t); j++) {
			sbuf_printf(d, "%.10g", json_number_value(json_array_get(t, j)));
			for (k = 0; k < c->n; k++) {
				json_t *col = json_object_get(json_object_get(series, "columns"),
							      c->name[k]);
				json_t *v = json_array_get(col, j);

				dat_num(d, json_is_number(v) ? json_number_value(v) : NAN);
			}
			sbuf_puts(d, "\n");
		}
		blocks++;
	}
	return blocks;
}

static void series_graph(struct gp_ctx *gp, int section, const char *stem,
			 const struct plot_side *s, size_t n)
{
	struct columns c = { 0 };
	struct sbuf body = { 0 };
	size_t *blocks = calloc(n, sizeof(*blocks));
	char name[320], gstem[256], title[300];
	size_t i, k, r;

	for (i = 0; i < n; i++)
		collect_live_columns(s[i].w, &c);
	if (!c.n || !blocks)
		goto out;
	for (i = 0; i < n; i++) {
		struct sbuf d = { 0 };

		snprintf(name, sizeof(name), "%s-series-k%zu.dat", stem, i);
		blocks[i] = series_data(s[i].w, &c, &d);
		if (blocks[i])
			write_in_dir(gp, name, &d);
		sbuf_free(&d);
	}
	snprintf(title, sizeof(title), "%s: live objects over time", s[0].w->name);
	sbuf_printf(&body, "set multiplot layout %zu,1 title ", c.n);
	gp_quote(&body, title);
	sbuf_puts(&body, "\nset grid\nset key outside right top\nset xlabel 'time (ms)'\nset ylabel 'objects'\n");
	for (k = 0; k < c.n; k++) {
		bool first = true;

		sbuf_puts(&body, "set title ");
		gp_quote(&body, c.name[k] + 5);
		sbuf_puts(&body, "\nplot ");
		for (i = 0; i < n; i++) {
			for (r = 0; r < blocks[i]; r++) {
				sbuf_printf(&body, "%s'%s-series-k%zu.dat' index %zu using 1:%zu with lines lw %s lc rgb '%s' ",
					    first ? "" : ", \\\n     ", stem, i, r, k + 2,
					    r ? "1" : "2", palette[i % NR_COLORS]);
				if (r)
					sbuf_puts(&body, "notitle");
				else {
					sbuf_puts(&body, "title ");
					gp_quote(&body, s[i].label);
				}
				first = false;
			}
		}
		sbuf_puts(&body, first ? "NaN notitle\n" : "\n");
	}
	snprintf(gstem, sizeof(gstem), "%s-series", stem);
	gp_render(gp, gstem, title, section, 900, 110 + 220 * (int)c.n, &body);
out:
	sbuf_free(&body);
	free(c.name);
	free(blocks);
}

/* ---- latency histograms and CDFs ------------------------------------------ */

/*
 * Per bucket: its upper bound (where the CDF is exact), its middle, and the
 * share of samples per octave (share / log2((le + 1) / ge)), so that
 * log-linear buckets and the log2 buckets of older reports draw the same
 * density on a log axis.
 */
static void hist_data(const struct metric_samples *m, struct sbuf *d, double *lo,
		      double *hi)
{
	double total = 0, cum = 0;
	size_t i;

	for (i = 0; i < m->nhist; i++)
		total += m->hist[i].count;
	sbuf_puts(d, "# le count fraction cumulative_fraction mid fraction_per_octave\n");
	for (i = 0; i < m->nhist; i++) {
		const struct hist_bucket *b = &m->hist[i];
		double frac = total ? b->count / total : 0;
		double oct = log2((b->le + 1) / (b->ge > 0 ? b->ge : 0.5));

		cum += b->count;
		if (!isfinite(b->le))
			continue;	/* overflow bucket: in the totals only */
		sbuf_printf(d, "%.10g %.10g %.10g %.10g %.10g %.10g\n", b->le, b->count, frac,
			    total ? cum / total : 0, (b->ge + b->le) / 2,
			    oct > 0 ? frac / oct : frac);
		if (b->le > 0 && b->le < *lo)
			*lo = b->le;
		if (b->le > *hi)
			*hi = b->le;
	}
}

static void hist_graph(struct gp_ctx *gp, int section, const char *stem,
		       const struct plot_side *s, size_t n, const char *metric,
		       size_t midx)
{
	struct sbuf body = { 0 };
	char name[320], gstem[256], title[400];
	double lo = INFINITY, hi = 0;
	const char *unit = NULL;
	bool any = false;
	size_t i;
	int panel;

	snprintf(gstem, sizeof(gstem), "%s-hist%02zu", stem, midx);
	for (i = 0; i < n; i++) {
		const struct metric_samples *m = workload_metric(s[i].w, metric);
		struct sbuf d = { 0 };

		if (!m || !m->nhist)
			continue;
		unit = m->hist_unit;
		hist_data(m, &d, &lo, &hi);
		snprintf(name, sizeof(name), "%s-k%zu.dat", gstem, i);
		write_in_dir(gp, name, &d);
		sbuf_free(&d);
		any = true;
	}
	if (!any)
		return;
	snprintf(title, sizeof(title), "%s: %s distribution (all ok repetitions)",
		 s[0].w->name, metric);
	sbuf_puts(&body, "set multiplot layout 1,2 title ");
	gp_quote(&body, title);
	sbuf_puts(&body, "\nset grid\nset key top left\n");
	if (lo > 0 && hi / lo > 8)
		sbuf_puts(&body, "set logscale x 2\n");
	sbuf_puts(&body, "set xlabel ");
	gp_quote(&body, unit ? unit : "");
	sbuf_puts(&body, "\n");
	for (panel = 0; panel < 2; panel++) {
		bool first = true;

		sbuf_printf(&body, "set title '%s'\nset ylabel '%s'\nset yrange [0:%s]\nplot ",
			    panel ? "CDF at the bucket bounds" :
				    "share of samples per octave, at the bucket middle",
			    panel ? "fraction <= x" : "fraction per octave",
			    panel ? "1.02" : "*");
		for (i = 0; i < n; i++) {
			const struct metric_samples *m = workload_metric(s[i].w, metric);

			if (!m || !m->nhist)
				continue;
			sbuf_printf(&body, "%s'%s-k%zu.dat' using %s with linespoints lw 2 pt 7 ps 0.6 lc rgb '%s' title ",
				    first ? "" : ", \\\n     ", gstem, i, panel ? "1:4" : "5:6",
				    palette[i % NR_COLORS]);
			gp_quote(&body, s[i].label);
			first = false;
		}
		sbuf_puts(&body, "\n");
	}
	gp_render(gp, gstem, title, section, 1000, 420, &body);
	sbuf_free(&body);
}

static void hist_graphs(struct gp_ctx *gp, int section, const char *stem,
			const struct plot_side *s, size_t n)
{
	struct columns names = { 0 };
	size_t i, j;

	for (i = 0; i < n; i++)
		for (j = 0; j < s[i].w->nmetrics; j++)
			if (s[i].w->metrics[j].nhist)
				columns_add(&names, s[i].w->metrics[j].name);
	for (j = 0; j < names.n; j++)
		hist_graph(gp, section, stem, s, n, names.name[j], j);
	free(names.name);
}

/* ---- object counts per cache, kernels side by side ------------------------ */

/* Median over repetitions of a count (exact, or timing-dependent like the peak). */
static double count_median(const struct workload_data *w, const char *name)
{
	const struct metric_samples *m = workload_metric(w, name);
	struct rstat_summary sum;

	if (!m || !m->n)
		return NAN;
	rstat_summarize(m->values, m->n, &sum);
	return sum.median;
}

static bool counts_data(const struct plot_side *s, size_t n, struct sbuf *d,
			bool *cache_used)
{
	char metric[96];
	size_t st, c, i;
	bool any = false;

	for (st = 0; st < 4; st++) {
		for (c = 0; c < 4; c++) {
			snprintf(metric, sizeof(metric), "slab.%s.%s", slab_caches[c],
				 slab_stats[st]);
			for (i = 0; i < n; i++)
				if (workload_metric(s[i].w, metric))
					cache_used[c] = true;
		}
	}
	for (st = 0; st < 4; st++) {
		sbuf_printf(d, "# %s\n", slab_stats[st]);
		for (c = 0; c < 4; c++) {
			if (!cache_used[c])
				continue;
			sbuf_printf(d, "\"%s\"", slab_caches[c]);
			snprintf(metric, sizeof(metric), "slab.%s.%s", slab_caches[c],
				 slab_stats[st]);
			for (i = 0; i < n; i++) {
				double v = count_median(s[i].w, metric);

				any |= isfinite(v);
				dat_num(d, v);
			}
			sbuf_puts(d, "\n");
		}
		sbuf_puts(d, "\n\n");
	}
	return any;
}

static void counts_graph(struct gp_ctx *gp, int section, const char *stem,
			 const struct plot_side *s, size_t n)
{
	struct sbuf d = { 0 }, body = { 0 };
	char name[320], gstem[256], title[300];
	bool used[4] = { false };
	size_t st, i;

	snprintf(gstem, sizeof(gstem), "%s-counts", stem);
	if (!counts_data(s, n, &d, used))
		goto out;
	snprintf(name, sizeof(name), "%s.dat", gstem);
	if (write_in_dir(gp, name, &d))
		goto out;
	snprintf(title, sizeof(title), "%s: slab objects per cache (median of repetitions; no bar: cache absent or metric unavailable)",
		 s[0].w->name);
	sbuf_puts(&body, "set multiplot layout 2,2 title ");
	gp_quote(&body, title);
	sbuf_puts(&body, "\nset style data histogram\nset style histogram cluster gap 1\n"
		  "set style fill solid 0.85 border -1\nset boxwidth 0.9\nset grid ytics\n"
		  "set yrange [0:*]\nset key top right\nset ylabel 'objects'\n"
		  "set xtics rotate by -20 font ',9'\nset bmargin 4\nset offsets 0, 0, graph 0.3, 0\n");
	for (st = 0; st < 4; st++) {
		sbuf_printf(&body, "set title '%s'\n%splot ", slab_stats[st],
			    st ? "unset key\n" : "");
		for (i = 0; i < n; i++) {
			sbuf_printf(&body, "%s'%s' index %zu using %zu:xtic(1) lc rgb '%s' title ",
				    i ? ", \\\n     " : "", name, st, i + 2, palette[i % NR_COLORS]);
			gp_quote(&body, s[i].label);
		}
		sbuf_puts(&body, "\n");
	}
	gp_render(gp, gstem, title, section, 1000, 640, &body);
out:
	sbuf_free(&d);
	sbuf_free(&body);
}

void gp_workload_graphs(struct gp_ctx *gp, int section, const char *stem,
			const struct plot_side *s, size_t n)
{
	if (!gp->available)
		return;
	series_graph(gp, section, stem, s, n);
	counts_graph(gp, section, stem, s, n);
	hist_graphs(gp, section, stem, s, n);
}

/* ---- % change with confidence intervals ----------------------------------- */

static unsigned int verdict_rgb(enum verdict v)
{
	switch (v) {
	case VD_REGRESSION: return 0xd62728;
	case VD_IMPROVEMENT: return 0x2ca02c;
	case VD_CHANGED: return 0xff7f0e;
	default: return 0x7f7f7f;
	}
}

static size_t change_data(const struct test_cmp *t, enum metric_kind kind,
			  struct sbuf *d, double *span, int *label_w)
{
	char label[300];
	size_t i, j, n = 0;

	for (i = 0; i < t->nw; i++) {
		for (j = 0; j < t->w[i].nm; j++) {
			const struct metric_cmp *mc = &t->w[i].m[j];
			double pct = kind == MK_TIMED ? mc->t.change_pct : mc->delta_pct;
			double lo = pct, hi = pct;

			if (mc->kind != kind || mc->verdict == VD_UNAVAILABLE ||
			    mc->verdict == VD_NOT_JUDGED || !isfinite(pct))
				continue;
			if (kind == MK_EXACT && mc->delta == 0)
				continue;
			if (kind == MK_TIMED && mc->t.ci_valid) {
				lo = mc->t.ci_lo_pct;
				hi = mc->t.ci_hi_pct;
			}
			snprintf(label, sizeof(label), "%s/%s", t->w[i].base->name, mc->name);
			if ((int)strlen(label) > *label_w)
				*label_w = (int)strlen(label);
			sbuf_printf(d, "%zu", n++);
			dat_num(d, pct);
			dat_num(d, lo);
			dat_num(d, hi);
			sbuf_printf(d, " %u ", verdict_rgb(mc->verdict));
			dat_quote(d, label);
			sbuf_puts(d, "\n");
			*span = fmax(*span, fmax(fabs(lo), fabs(hi)));
		}
	}
	return n;
}

static void change_graph(struct gp_ctx *gp, const struct comparison *c, size_t ti,
			 enum metric_kind kind)
{
	const struct test_cmp *t = &c->tests[ti];
	struct sbuf d = { 0 }, body = { 0 };
	char name[320], gstem[256], title[400];
	double span = c->cfg.stat.threshold_pct * 1.5;
	int label_w = 10;
	size_t n;

	snprintf(gstem, sizeof(gstem), "change-%s-k%zu", kind_name(kind), ti + 1);
	n = change_data(t, kind, &d, &span, &label_w);
	label_w = label_w > 80 ? 80 : label_w;
	snprintf(name, sizeof(name), "%s.dat", gstem);
	if (!n || write_in_dir(gp, name, &d))
		goto out;
	if (kind == MK_TIMED)
		snprintf(title, sizeof(title), "%s vs %s: change of the median with %g%% bootstrap CI",
			 t->test->label, t->tbase ? t->tbase->label : c->base->label,
			 c->cfg.stat.confidence * 100);
	else
		snprintf(title, sizeof(title), "%s vs %s: exact metrics that differ (%% of base)",
			 t->test->label, c->base->label);
	sbuf_printf(&body, "set title ");
	gp_quote(&body, title);
	sbuf_printf(&body, "\nset grid xtics\nset xlabel 'change (%%)   red: regression, green: improvement, orange: changed, grey: not flagged'\nset yrange [%zu:-1]\n"
		    "set xrange [%g:%g]\nset ytics scale 0\nunset key\nset lmargin %d\n"
		    "set arrow from 0, graph 0 to 0, graph 1 nohead lc rgb 'black'\n",
		    n, -span * 1.1, span * 1.1, label_w + 2);
	if (kind == MK_TIMED)
		sbuf_printf(&body, "set arrow from %g, graph 0 to %g, graph 1 nohead dt 2 lc rgb '#999999'\n"
			    "set arrow from %g, graph 0 to %g, graph 1 nohead dt 2 lc rgb '#999999'\n",
			    -c->cfg.stat.threshold_pct, -c->cfg.stat.threshold_pct,
			    c->cfg.stat.threshold_pct, c->cfg.stat.threshold_pct);
	sbuf_printf(&body, "plot '%s' using 2:1:3:4:5:ytic(6) with xerrorbars pt 7 ps 1.2 lc rgb variable\n",
		    name);
	gp_render(gp, gstem, title, -1, 700 + 7 * label_w, 120 + 24 * (int)n, &body);
out:
	sbuf_free(&d);
	sbuf_free(&body);
}

void gp_change_graphs(struct gp_ctx *gp, const struct comparison *c)
{
	size_t i;

	if (!gp->available)
		return;
	for (i = 0; i < c->ntests; i++) {
		if (c->tests[i].timed != TIMED_REFUSED)
			change_graph(gp, c, i, MK_TIMED);
		change_graph(gp, c, i, MK_EXACT);
	}
}

/* ---- single run: spread of the repetitions of each timed metric ---------- */

void gp_spread_graph(struct gp_ctx *gp, int section, const char *stem,
		     const struct plot_side *s)
{
	struct sbuf d = { 0 }, body = { 0 };
	char name[320], gstem[256], title[300];
	size_t i, j, n = 0;
	double span = 5;
	int label_w = 10;

	if (!gp->available)
		return;
	snprintf(gstem, sizeof(gstem), "%s-spread", stem);
	for (i = 0; i < s->w->nmetrics; i++) {
		const struct metric_samples *m = &s->w->metrics[i];
		struct rstat_summary sum;

		if (m->kind != MK_TIMED || !m->n || rstat_summarize(m->values, m->n, &sum) ||
		    sum.median == 0)
			continue;
		for (j = 0; j < m->n; j++) {
			double dev = 100 * (m->values[j] / sum.median - 1);

			sbuf_printf(&d, "%zu", n);
			dat_num(&d, dev);
			sbuf_puts(&d, " ");
			dat_quote(&d, m->name);
			sbuf_puts(&d, "\n");
			span = fmax(span, fabs(dev));
		}
		if ((int)strlen(m->name) > label_w)
			label_w = strlen(m->name) > 80 ? 80 : (int)strlen(m->name);
		n++;
	}
	snprintf(name, sizeof(name), "%s.dat", gstem);
	if (!n || write_in_dir(gp, name, &d))
		goto out;
	snprintf(title, sizeof(title), "%s: repetitions of each timed metric, %% from its median",
		 s->w->name);
	sbuf_puts(&body, "set title ");
	gp_quote(&body, title);
	sbuf_printf(&body, "\nset grid xtics\nset xlabel 'deviation from median (%%)'\n"
		    "set yrange [%zu:-1]\nset xrange [%g:%g]\nset ytics scale 0\nunset key\n"
		    "set lmargin %d\nplot '%s' using 2:1:ytic(3) with points pt 7 ps 1 lc rgb '%s'\n",
		    n, -span * 1.1, span * 1.1, label_w + 2, name, palette[0]);
	gp_render(gp, gstem, title, section, 600 + 7 * label_w, 120 + 24 * (int)n, &body);
out:
	sbuf_free(&d);
	sbuf_free(&body);
}

/* ---- cost curves: a metric over the swept parameter, log-log ------------- */

static void curve_graph(struct gp_ctx *gp, const struct curves *cs, size_t ci, size_t mi,
			int section)
{
	const struct curve *cv = &cs->c[ci];
	const struct curve_metric *m = &cv->m[mi];
	struct sbuf d = { 0 }, body = { 0 };
	char name[400], gstem[320], title[400], leg[160];
	char *safe = file_safe(m->name);
	size_t s, plotted = 0;

	if (!safe)
		return;
	/* the indices keep stems unique: file_safe() keeps 48 characters */
	snprintf(gstem, sizeof(gstem), "curve%02zu-m%03zu-%s", ci, mi, safe);
	for (s = 0; s < cs->nr; s++) {
		const struct curve_line *l = &m->line[s];

		sbuf_printf(&d, "# %s\n", l->label);
		for (size_t i = 0; i < l->n; i++)
			if (l->x[i] > 0 && l->y[i] > 0) {
				dat_num(&d, l->x[i]);
				dat_num(&d, l->y[i]);
				sbuf_puts(&d, "\n");
				plotted++;
			}
		sbuf_puts(&d, "\n\n");
	}
	if (!plotted)
		goto out;
	snprintf(name, sizeof(name), "%s.dat", gstem);
	if (write_in_dir(gp, name, &d))
		goto out;
	snprintf(title, sizeof(title), "%s over %s: %s (%s, %s; log-log, exponent = fitted slope)",
		 cv->workload, cv->param, m->name, m->unit ? m->unit : "",
		 m->kind == MK_EXACT ? "exact" : "median of repetitions");
	sbuf_puts(&body, "set title ");
	gp_quote(&body, title);
	sbuf_puts(&body, "\nset logscale xy\nset grid xtics ytics mxtics mytics\n"
		  "set key top left\nset xlabel ");
	gp_quote(&body, cv->param);
	sbuf_puts(&body, "\nset ylabel ");
	gp_quote(&body, m->unit ? m->unit : "");
	sbuf_puts(&body, "\nplot ");
	for (s = 0; s < cs->nr; s++) {
		const struct curve_line *l = &m->line[s];

		if (l->fit.ok)
			snprintf(leg, sizeof(leg), "%s: exponent %.3f", l->label, l->fit.exponent);
		else
			snprintf(leg, sizeof(leg), "%s: no exponent (%s)", l->label, l->fit.why);
		sbuf_printf(&body, "%s'%s' index %zu using 1:2 with linespoints lw 2 pt %zu "
			    "lc rgb '%s' title ", s ? ", \\\n     " : "", name, s, 5 + 2 * s,
			    palette[s % NR_COLORS]);
		gp_quote(&body, leg);
	}
	sbuf_puts(&body, "\n");
	gp_render(gp, gstem, title, section, 900, 560, &body);
out:
	free(safe);
	sbuf_free(&d);
	sbuf_free(&body);
}

static void curve_graphs(struct gp_ctx *gp, const struct curves *cs)
{
	if (!gp->available || !cs)
		return;
	for (size_t i = 0; i < cs->n; i++)
		for (size_t j = 0; j < cs->c[i].nm; j++)
			if (cs->c[i].m[j].shown)
				curve_graph(gp, cs, i, j, GP_SECTION_CURVES);
}

void gp_curve_graphs_comparison(struct gp_ctx *gp, const struct comparison *c)
{
	struct curves *cs = curves_of_comparison(c);

	curve_graphs(gp, cs);
	curves_free(cs);
}

void gp_curve_graphs_report(struct gp_ctx *gp, const struct report *r)
{
	struct curves *cs = curves_build(&r, 1);

	curve_graphs(gp, cs);
	curves_free(cs);
}
