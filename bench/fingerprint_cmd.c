// SPDX-License-Identifier: GPL-2.0
/*
 * `rmapbench fingerprint`: this machine's fingerprint (fingerprint.c), as
 * `rmapbench run` would write it into a report's header (run_json.c).
 */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>

#include "fingerprint_cmd.h"
#include "run_json.h"

static void usage(FILE *out)
{
	fprintf(out,
		"usage: rmapbench fingerprint [--json]\n"
		"  --json      the machine object of a report written here (with its fingerprint)\n"
		"  -h, --help  this text\n"
		"Prints this machine's fingerprint: what `rmapbench run` writes as\n"
		"machine.fingerprint and `rmapbench compare` groups reports by (timed metrics\n"
		"are judged only between reports of one machine). run.sh hands it to its\n"
		"guests (rmapbench.host_fingerprint= on their kernel command line).\n"
		"examples:\n"
		"  rmapbench fingerprint\n"
		"  rmapbench fingerprint --json\n"
		"exit status: 0, 2 bad option\n");
}

int cmd_fingerprint(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	json_t *header, *machine;
	bool json = false;
	int opt;

	optind = 0;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (opt) {
		case 'j': json = true; break;
		case 'h': usage(stdout); return 0;
		default:
			fprintf(stderr, "rmapbench fingerprint: bad option %s (see rmapbench fingerprint -h)\n",
				argv[optind - 1]);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "rmapbench fingerprint: unexpected argument '%s'\n", argv[optind]);
		return 2;
	}
	header = run_json_header("rmapbench-report");
	machine = json_object_get(header, "machine");
	if (!machine || !json_is_string(json_object_get(machine, "fingerprint"))) {
		fprintf(stderr, "rmapbench fingerprint: cannot describe this machine\n");
		json_decref(header);
		return 2;
	}
	if (json) {
		json_dumpf(machine, stdout, JSON_INDENT(2));
		fputc('\n', stdout);
	} else {
		printf("%s\n", json_string_value(json_object_get(machine, "fingerprint")));
	}
	json_decref(header);
	return 0;
}
