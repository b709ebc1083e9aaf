// SPDX-License-Identifier: GPL-2.0
/*
 * LAVA: the lines a LAVA test shell runs to record results, one test set
 * per workload (lava-test-set start/stop) and one lava-test-case per
 * metric with its median as --measurement in the report's unit (latencies
 * in ns). Names are [A-Za-z0-9._-] and at most 100 characters (LAVA's
 * limit), so the lines are also safe to pipe into sh.
 */
#include <string.h>

#include "export.h"

#define LAVA_NAME_MAX 100

/* "<workload>.<metric>", shortened with a hash when longer than LAVA allows */
static void case_name(const struct ex_workload *w, const char *metric, char *buf, size_t len)
{
	char full[512], mname[256];
	unsigned long long h;

	ex_sanitize(metric, true, mname, sizeof(mname));
	snprintf(full, sizeof(full), "%s%s%s", w->id, *metric ? "." : "", *metric ? mname : "");
	if (strlen(full) <= LAVA_NAME_MAX) {
		snprintf(buf, len, "%s", full);
		return;
	}
	h = ex_hash(EX_FNV_INIT, full, strlen(full));
	snprintf(buf, len, "%.*s-%08llx", LAVA_NAME_MAX - 9, full, h & 0xffffffffull);
}

int export_lava(const struct ex_input *in, struct sbuf *out)
{
	for (size_t i = 0; i < in->nw; i++) {
		const struct ex_workload *w = &in->w[i];
		char name[LAVA_NAME_MAX + 1];

		sbuf_printf(out, "lava-test-set start %s\n", w->id);
		if (strcmp(w->status, "ok")) {
			case_name(w, "", name, sizeof(name));
			sbuf_printf(out, "lava-test-case %s --result %s\n", name,
				  !strcmp(w->status, "failed") ? "fail" : "skip");
		}
		for (size_t j = 0; j < w->nm; j++) {
			const struct ex_metric *m = &w->m[j];
			char num[64], unit[64];

			case_name(w, m->name, name, sizeof(name));
			sbuf_printf(out, "lava-test-case %s --result %s", name, ex_result(in, m));
			if (m->has_value) {
				ex_fmt_num(m->value, num, sizeof(num));
				ex_sanitize(m->unit, false, unit, sizeof(unit));
				sbuf_printf(out, " --measurement %s --units %s", num, unit);
			}
			sbuf_printf(out, "\n");
		}
		sbuf_printf(out, "lava-test-set stop %s\n", w->id);
	}
	return 0;
}
