// SPDX-License-Identifier: GPL-2.0
/* The report's header: who measured what, where (docs/report-schema.md). */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "fingerprint.h"
#include "probe.h"
#include "procfs.h"
#include "run_json.h"
#include "util.h"

#define REPORT_SCHEMA_VERSION 1

/* rmapbench.accel=<kvm|tcg> on the kernel command line: set by run.sh guests. */
static void guest_accel(json_t *machine)
{
	char cmdline[4096], *p;

	if (procfs_read("/proc/cmdline", cmdline, sizeof(cmdline)) < 0)
		return;
	p = strstr(cmdline, "rmapbench.accel=");
	if (!p)
		return;
	p += strlen("rmapbench.accel=");
	p[strcspn(p, " ")] = 0;
	json_object_set_new(machine, "accel", json_string(p));
}

json_t *run_json_header(const char *schema)
{
	char created[32];
	time_t now = time(NULL);
	json_t *machine = probe_machine();

	strftime(created, sizeof(created), "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
	guest_accel(machine);
	fingerprint_add(machine);
	return json_pack("{s:s, s:i, s:{s:s, s:s}, s:s, s:o, s:o}",
			 "schema", schema, "schema_version", REPORT_SCHEMA_VERSION,
			 "tool", "name", "rmapbench", "version", RMAPBENCH_VERSION,
			 "created", created, "kernel", probe_kernel(), "machine", machine);
}
