// SPDX-License-Identifier: GPL-2.0
/* `rmapbench probe`: the subcommand and its text output (probe.h). */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "probe.h"
#include "util.h"

/* ---- text output ----------------------------------------------------- */

static void print_value(FILE *out, const json_t *v)
{
	const json_t *item;
	char *dump;
	size_t i;

	switch (json_typeof(v)) {
	case JSON_STRING:
		fputs(json_string_value(v), out);
		break;
	case JSON_INTEGER:
		fprintf(out, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		break;
	case JSON_REAL:
		fprintf(out, "%g", json_real_value(v));
		break;
	case JSON_TRUE:
		fputs("yes", out);
		break;
	case JSON_FALSE:
		fputs("no", out);
		break;
	case JSON_ARRAY:
		if (!json_array_size(v))
			fputs("none", out);
		json_array_foreach(v, i, item) {
			if (i)
				fputc(',', out);
			print_value(out, item);
		}
		break;
	default:
		dump = json_dumps(v, JSON_COMPACT);
		fputs(dump ? dump : "?", out);
		free(dump);
	}
}

static void print_cap(FILE *out, const char *name, const json_t *cap)
{
	const json_t *reason = json_object_get(cap, "reason");
	const char *key;
	json_t *v;
	bool first = true;

	if (!json_is_true(json_object_get(cap, "available"))) {
		fprintf(out, "%s: no (%s)\n", name,
			json_is_string(reason) ? json_string_value(reason) : "no reason given");
		return;
	}
	fprintf(out, "%s: yes", name);
	json_object_foreach((json_t *)cap, key, v) {
		if (!strcmp(key, "available") || !strcmp(key, "reason") || json_is_null(v))
			continue;
		fprintf(out, "%s%s=", first ? " (" : ", ", key);
		print_value(out, v);
		first = false;
	}
	fputs(first ? "\n" : ")\n", out);
}

static void print_group(FILE *out, const char *prefix, const json_t *obj)
{
	char name[512];
	const char *key;
	json_t *v;

	json_object_foreach((json_t *)obj, key, v) {
		if (!json_is_object(v))
			continue;
		snprintf(name, sizeof(name), "%s%s%s", prefix, *prefix ? "." : "", key);
		if (json_object_get(v, "available"))
			print_cap(out, name, v);
		else
			print_group(out, name, v);
	}
}

void probe_print_text(FILE *out, const json_t *caps)
{
	print_group(out, "", caps);
}

/* ---- the subcommand -------------------------------------------------- */

static void probe_usage(FILE *out)
{
	fputs("usage: rmapbench probe [--json]\n"
	      "\n"
	      "Reports what the running kernel supports, one line per capability:\n"
	      "\"name: yes (details)\" or \"name: no (reason)\". BPF attach methods (raw_tp,\n"
	      "tp_btf, fentry, kprobe) are tried for real: a trivial program is loaded,\n"
	      "attached and closed again, and a refusal is shown with the kernel's errno.\n"
	      "Also checked: BTF, tracepoints, rmap functions (kallsyms, BTF, attachable),\n"
	      "kallsyms addresses, swap, zram, memory cgroups and memory.reclaim, THP, KSM,\n"
	      "NUMA, compaction, soft offline, vm.max_map_count, perf events, PROCMAP_QUERY,\n"
	      "and the slab caches counted (present, merged with which others) and\n"
	      "slab_nomerge.\n"
	      "Run it as root: most checks need it.\n"
	      "\n"
	      "options:\n"
	      "  --json      print the capabilities as JSON (the report's \"capabilities\")\n"
	      "  -h, --help  show this help\n"
	      "\n"
	      "examples:\n"
	      "  rmapbench probe\n"
	      "  rmapbench probe | grep ': no'\n"
	      "  rmapbench probe --json > caps.json\n"
	      "\n"
	      "exit: 0 printed, 2 bad option, 3 failed (out of memory, stdout unwritable)\n", out);
}

int cmd_probe(int argc, char **argv)
{
	bool json = false;
	json_t *caps;
	int i, ret = 0;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json")) {
			json = true;
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			probe_usage(stdout);
			return EXIT_OK;
		} else if (argv[i][0] == '-') {
			fprintf(stderr, "rmapbench: probe: unknown option '%s' (see rmapbench probe --help)\n",
				argv[i]);
			return EXIT_USAGE;
		} else {
			fprintf(stderr, "rmapbench: probe: unexpected argument '%s' (see rmapbench probe --help)\n",
				argv[i]);
			return EXIT_USAGE;
		}
	}
	caps = probe_capabilities();
	if (!caps) {
		fprintf(stderr, "rmapbench: probe: out of memory\n");
		return EXIT_RUN;
	}
	if (json) {
		if (json_dumpf(caps, stdout, JSON_INDENT(2)) || fputc('\n', stdout) == EOF)
			ret = EXIT_RUN;
	} else {
		probe_print_text(stdout, caps);
	}
	if (fflush(stdout))
		ret = EXIT_RUN;
	json_decref(caps);
	return ret;
}
