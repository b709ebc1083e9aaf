// SPDX-License-Identifier: GPL-2.0
/* The summary table of a run's report (summary.h). */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "slabacct_shared.h"
#include "summary.h"

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
	json_t *w;
	size_t i;
	int nw = 14;	/* sweep points ("fork-chain[depth=16]") widen the column */

	json_array_foreach(json_object_get(report, "workloads"), i, w)
		if ((int)strlen(json_string_value(json_object_get(w, "name")) ?: "") > nw)
			nw = strlen(json_string_value(json_object_get(w, "name")));
	fprintf(f, "%-*s %-8s", nw, "workload", "status");
	for (int k = 0; k < NR_SLAB_KINDS; k++)
		fprintf(f, " %16s", slab_kind_name(k));
	fprintf(f, "\n%-*s %-8s", nw, "", "");
	for (int k = 0; k < NR_SLAB_KINDS; k++)
		fprintf(f, " %16s", k ? "" : "allocs (median)");
	fprintf(f, "\n");
	json_array_foreach(json_object_get(report, "workloads"), i, w) {
		fprintf(f, "%-*s %-8s", nw, json_string_value(json_object_get(w, "name")),
			json_string_value(json_object_get(w, "status")));
		for (int k = 0; k < NR_SLAB_KINDS; k++) {
			char name[64];
			bool ok;
			double m;

			snprintf(name, sizeof(name), "slab.%s.allocs", slab_kind_name(k));
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
