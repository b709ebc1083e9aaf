/* SPDX-License-Identifier: GPL-2.0 */
/*
 * `rmapbench probe`: the subcommand and its text output. The probe itself is
 * probe_caps.c (the capabilities) on top of probe_attach.c (the BPF attach
 * tests); this header brings in both for the probe's users.
 */
#ifndef RMAPBENCH_PROBE_H
#define RMAPBENCH_PROBE_H

#include <stdio.h>
#include <jansson.h>

#include "probe_attach.h"
#include "probe_caps.h"
#include "sysinfo.h"	/* probe_kernel(), probe_machine() */

/* The subcommand; argv[0] == "probe". Exit status: 0, 1 (failure), 2 (usage). */
int cmd_probe(int argc, char **argv);

/* Prints @caps, one line per capability: "name: yes (details)" / "name: no (reason)". */
void probe_print_text(FILE *out, const json_t *caps);

#endif
