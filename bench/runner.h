/* SPDX-License-Identifier: GPL-2.0 */
/* `rmapbench run` (bench/runner.c). */
#ifndef RMAPBENCH_RUNNER_H
#define RMAPBENCH_RUNNER_H

int cmd_run(int argc, char **argv);

#endif
