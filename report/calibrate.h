/* SPDX-License-Identifier: GPL-2.0 */
/*
 * `rmapbench calibrate`: the run-to-run drift of each timed metric on this
 * machine, from A/A reports, written as a noise file (report/noise.h) for
 * `compare --noise FILE`. See docs/compare.md, "Drift calibration".
 */
#ifndef RMAPBENCH_CALIBRATE_H
#define RMAPBENCH_CALIBRATE_H

/* calibrate REPORT.json... [-o FILE]: 0 ok, 2 bad input. */
int cmd_calibrate(int argc, char **argv);

#endif
