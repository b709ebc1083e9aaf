// SPDX-License-Identifier: GPL-2.0
/* The summary table of a run's report (summary.h). */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "slabacct_shared.h"
#include "summary.h"

/* A run-start reading this soon after boot is the series' "after boot" row. */
#define FOOTPRINT_BOOT_S	600

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

/* One column: the median of @metric over @w's repetitions, "-" without a value. */
static void print_median(FILE *f, json_t *w, const char *metric)
{
	bool ok;
	double m = median_of(json_object_get(w, "reps"), metric, &ok);

	if (ok)
		fprintf(f, " %16.0f", m);
	else
		fprintf(f, " %16s", "-");
}

/* The first reason a metric of @reps gives for being unavailable, or NULL. */
static const char *reason_of(json_t *reps, const char *metric)
{
	json_t *rep;
	size_t i;

	json_array_foreach(reps, i, rep) {
		json_t *m = json_object_get(json_object_get(rep, "metrics"), metric);

		if (json_is_string(json_object_get(m, "reason")))
			return json_string_value(json_object_get(m, "reason"));
	}
	return NULL;
}

static bool has_metric(json_t *reps, const char *metric)
{
	json_t *rep;
	size_t i;

	json_array_foreach(reps, i, rep)
		if (json_object_get(json_object_get(rep, "metrics"), metric))
			return true;
	return false;
}

/* One cell of the footprint table: the median of @row.<cache>.@what, or "-". */
static void footprint_cell(FILE *f, json_t *reps, const char *row, int k, const char *what,
			   const char *fmt, int width)
{
	char name[96];
	bool ok;
	double m;

	snprintf(name, sizeof(name), "%s.%s.%s", row, slab_kind_name(k), what);
	m = median_of(reps, name, &ok);
	if (ok)
		fprintf(f, fmt, width, m);
	else
		fprintf(f, " %*s", width, "-");
}

/*
 * The footprint workload as anon_vma series quote it: rows after boot and
 * after N apps, per cache active objects and KiB (system-wide, slabinfo),
 * then the apps' exact objects (BPF) and what slabinfo saw beyond them.
 */
static void print_footprint(json_t *w, FILE *f)
{
	static const char *const rows[][3] = {
		{ "boot", "objects", "kib" }, { "apps", "objects", "kib" },
		{ "apps", "bpf_live", NULL }, { "apps", "slabinfo_minus_bpf", NULL },
	};
	json_t *reps = json_object_get(w, "reps"), *rep, *up;
	bool present[NR_SLAB_KINDS];
	char label[4][48], name[96];
	double uptime = -1;
	size_t i;
	long apps = json_integer_value(json_object_get(json_object_get(w, "params"), "apps"));

	json_array_foreach(reps, i, rep) {
		up = json_object_get(json_object_get(rep, "notes"), "boot_uptime_s");
		if (json_is_string(up) && uptime < 0)
			uptime = atof(json_string_value(up));
	}
	for (int k = 0; k < NR_SLAB_KINDS; k++) {
		snprintf(name, sizeof(name), "apps.%s.bpf_live", slab_kind_name(k));
		present[k] = has_metric(reps, name);
	}
	snprintf(label[0], sizeof(label[0]), uptime < 0 ? "after boot" : "%s (up %.0f s)",
		 uptime < FOOTPRINT_BOOT_S ? "after boot" : "run start", uptime);
	snprintf(label[1], sizeof(label[1]), "after %ld apps", apps);
	snprintf(label[2], sizeof(label[2]), "apps' own (BPF)");
	snprintf(label[3], sizeof(label[3]), "slabinfo - BPF");
	fprintf(f, "\nfootprint: system-wide active slab objects (/proc/slabinfo; KiB = objects x objsize), median of the repetitions\n%-24s", "");
	for (int k = 0; k < NR_SLAB_KINDS; k++)
		if (present[k])
			fprintf(f, " %18s", slab_kind_name(k));
	fprintf(f, "\n%-24s", "");
	for (int k = 0; k < NR_SLAB_KINDS; k++)
		if (present[k])
			fprintf(f, " %9s %8s", "objects", "KiB");
	fputc('\n', f);
	for (size_t r = 0; r < 4; r++) {
		fprintf(f, "%-24s", label[r]);
		for (int k = 0; k < NR_SLAB_KINDS; k++) {
			if (!present[k])
				continue;
			footprint_cell(f, reps, rows[r][0], k, rows[r][1], " %*.0f", 9);
			if (rows[r][2])
				footprint_cell(f, reps, rows[r][0], k, rows[r][2], " %*.1f", 8);
			else
				fprintf(f, " %8s", "");
		}
		fputc('\n', f);
	}
	for (int k = 0; k < NR_SLAB_KINDS; k++) {
		const char *why;

		snprintf(name, sizeof(name), "apps.%s.objects", slab_kind_name(k));
		why = present[k] ? reason_of(reps, name) : NULL;
		if (why)
			fprintf(f, "  %s: %s\n", slab_kind_name(k), why);
	}
}

void run_print_summary(json_t *report, FILE *f)
{
	json_t *w;
	size_t i;
	int nw = 14;	/* sweep points ("fork-chain[depth=16]") widen the column */

	json_array_foreach(json_object_get(report, "workloads"), i, w)
		if ((int)strlen(json_string_value(json_object_get(w, "name")) ?: "") > nw)
			nw = strlen(json_string_value(json_object_get(w, "name")));
	fprintf(f, "%-*s %-8s", nw, "workload", "status");
	for (int k = 0; k < NR_SLAB_KINDS; k++)
		fprintf(f, " %16s", slab_kind_name(k));
	fprintf(f, " %16s", "anon-rmap total");
	fprintf(f, "\n%-*s %-8s", nw, "", "");
	for (int k = 0; k < NR_SLAB_KINDS; k++)
		fprintf(f, " %16s", k ? "" : "allocs (median)");
	fprintf(f, " %16s\n", "bytes (median)");
	json_array_foreach(json_object_get(report, "workloads"), i, w) {
		fprintf(f, "%-*s %-8s", nw, json_string_value(json_object_get(w, "name")),
			json_string_value(json_object_get(w, "status")));
		for (int k = 0; k < NR_SLAB_KINDS; k++) {
			char name[64];

			snprintf(name, sizeof(name), "slab.%s.allocs", slab_kind_name(k));
			print_median(f, w, name);
		}
		print_median(f, w, SA_TOTAL_BYTES);
		fputc('\n', f);
		if (json_is_string(json_object_get(w, "reason")))
			fprintf(f, "  %s\n", json_string_value(json_object_get(w, "reason")));
	}
	json_array_foreach(json_object_get(report, "workloads"), i, w)
		if (!strcmp(json_string_value(json_object_get(w, "name")), "footprint") &&
		    json_array_size(json_object_get(w, "reps")))
			print_footprint(w, f);
}
