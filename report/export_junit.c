// SPDX-License-Identifier: GPL-2.0
/*
 * JUnit XML for CI test reporters (GitLab, Jenkins, GitHub actions that
 * read JUnit): a <testsuite> per workload, a <testcase> per metric. With a
 * comparison: the metrics that gate CI (every judged one when the
 * comparison does not say which gate); a regression is a <failure> whose
 * message is the metric's summary line. Without one: every metric, passed,
 * with its value in <system-out>. A metric without a value is <skipped>,
 * a failed workload an <error> (a <failure> with a comparison: compare
 * fails CI for it). Valid against Jenkins' junit-10.xsd (tests/data).
 */
#include <string.h>

#include "export.h"

static bool selected(const struct ex_input *in, const struct ex_metric *m)
{
	if (!in->cmp_test)
		return true;
	if (in->gate_known)
		return m->gate == 1;
	return m->verdict != EXV_NONE && m->verdict != EXV_UNAVAILABLE &&
	       m->verdict != EXV_NOT_JUDGED;
}

struct counts {
	int tests, failures, errors, skipped;
};

static void testcase(const struct ex_input *in, const struct ex_workload *w,
		     const struct ex_metric *m, struct sbuf *b, struct counts *c)
{
	char summary[512];
	const char *res = ex_result(in, m);

	ex_summary(in, w, m, summary, sizeof(summary));
	c->tests++;
	sbuf_printf(b, "    <testcase classname=\"rmapbench.");
	sbuf_xml(b, w->id);
	sbuf_printf(b, "\" name=\"");
	sbuf_xml(b, m->name);
	sbuf_printf(b, "\">\n");
	if (!strcmp(res, "fail")) {
		c->failures++;
		sbuf_printf(b, "      <failure type=\"regression\" message=\"");
		sbuf_xml(b, summary);
		sbuf_printf(b, "\">");
		sbuf_xml(b, m->verdict_str);
		sbuf_printf(b, " of a %s metric (better: %s)</failure>\n", m->kind, m->better);
	} else if (!strcmp(res, "skip")) {
		c->skipped++;
		sbuf_printf(b, "      <skipped message=\"");
		sbuf_xml(b, m->has_value ? (m->cmp ? json_string_value(json_object_get(m->cmp, "reason"))
						 : NULL) : m->reason);
		sbuf_printf(b, "\"/>\n");
	}
	sbuf_printf(b, "      <system-out>");
	sbuf_xml(b, summary);
	sbuf_printf(b, "</system-out>\n    </testcase>\n");
}

static void workload_error(const struct ex_input *in, const struct ex_workload *w,
			   struct sbuf *b, struct counts *c)
{
	bool failed = !strcmp(w->status, "failed");
	const char *tag = !failed ? "skipped" : in->cmp_test ? "failure" : "error";

	c->tests++;
	if (!failed)
		c->skipped++;
	else if (in->cmp_test)
		c->failures++;
	else
		c->errors++;
	sbuf_printf(b, "    <testcase classname=\"rmapbench.");
	sbuf_xml(b, w->id);
	sbuf_printf(b, "\" name=\"(workload)\">\n      <%s message=\"", tag);
	sbuf_xml(b, w->name);
	sbuf_printf(b, " %s: ", w->status);
	sbuf_xml(b, w->reason ? w->reason : "no reason given");
	sbuf_printf(b, "\"%s/>\n    </testcase>\n", failed ? " type=\"failed\"" : "");
}

static void property(struct sbuf *b, const char *name, const char *value)
{
	if (!value)
		return;
	sbuf_printf(b, "    <property name=\"%s\" value=\"", name);
	sbuf_xml(b, value);
	sbuf_printf(b, "\"/>\n");
}

int export_junit(const struct ex_input *in, struct sbuf *out)
{
	struct counts all = { 0 };
	struct sbuf body = { 0 };

	for (size_t i = 0; i < in->nw; i++) {
		const struct ex_workload *w = &in->w[i];
		struct counts c = { 0 };
		struct sbuf cases = { 0 };

		if (strcmp(w->status, "ok"))
			workload_error(in, w, &cases, &c);
		for (size_t j = 0; j < w->nm; j++)
			if (selected(in, &w->m[j]))
				testcase(in, w, &w->m[j], &cases, &c);
		sbuf_printf(&body, "  <testsuite name=\"rmapbench.");
		sbuf_xml(&body, w->id);
		sbuf_printf(&body, "\" tests=\"%d\" failures=\"%d\" errors=\"%d\" skipped=\"%d\" timestamp=\"",
			  c.tests, c.failures, c.errors, c.skipped);
		sbuf_xml(&body, in->created);
		sbuf_printf(&body, "\">\n   <properties>\n");
		property(&body, "kernel", in->release);
		property(&body, "spec", in->spec[0] ? in->spec : NULL);
		property(&body, "base", in->cmp_test ? ex_base_label(in) : NULL);
		property(&body, "timed_base", ex_timed_base_label(in));
		sbuf_printf(&body, "   </properties>\n%s  </testsuite>\n", cases.s ? cases.s : "");
		if (cases.oom)
			body.oom = true;
		free(cases.s);
		all.tests += c.tests;
		all.failures += c.failures;
		all.errors += c.errors;
	}
	sbuf_printf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		  "<testsuites name=\"rmapbench\" tests=\"%d\" failures=\"%d\" errors=\"%d\">\n%s"
		  "</testsuites>\n", all.tests, all.failures, all.errors, body.s ? body.s : "");
	if (body.oom)
		out->oom = true;
	free(body.s);
	return 0;
}
