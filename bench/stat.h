/* SPDX-License-Identifier: GPL-2.0 */
/* `rmapbench stat -- CMD` (bench/stat.c). */
#ifndef RMAPBENCH_STAT_H
#define RMAPBENCH_STAT_H

int cmd_stat(int argc, char **argv);

#endif
