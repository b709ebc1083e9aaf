// SPDX-License-Identifier: GPL-2.0
/*
 * tuxrun results.json: {suite: {case: {result, measurement, units}}}, a
 * suite "rmapbench.<workload>" per workload, a case per metric (result
 * pass/fail/skip as for LAVA, measurement absent without a value).
 */
#include <string.h>

#include "export.h"
#include "util.h"

int export_tuxrun(const struct ex_input *in, struct sbuf *out)
{
	json_t *root = json_object();

	for (size_t i = 0; root && i < in->nw; i++) {
		const struct ex_workload *w = &in->w[i];
		json_t *suite = json_object();
		char sname[128];

		snprintf(sname, sizeof(sname), "rmapbench.%s", w->id);
		if (strcmp(w->status, "ok"))
			json_object_set_new(suite, w->id, json_pack("{s:s}", "result",
					    !strcmp(w->status, "failed") ? "fail" : "skip"));
		for (size_t j = 0; j < w->nm; j++) {
			const struct ex_metric *m = &w->m[j];
			json_t *c = json_pack("{s:s}", "result", ex_result(in, m));
			char cname[256];

			ex_sanitize(m->name, true, cname, sizeof(cname));
			if (m->has_value) {
				json_object_set_new(c, "measurement", m->value == (json_int_t)m->value ?
						    json_integer((json_int_t)m->value) : json_real(m->value));
				json_object_set_new(c, "units", json_string(m->unit));
			}
			json_object_set_new(suite, cname, c);
		}
		json_object_set_new(root, sname, suite);
	}
	return ex_put_json(out, root);
}
