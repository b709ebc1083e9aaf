/* SPDX-License-Identifier: GPL-2.0 */
/* `rmapbench list` (bench/list.c). */
#ifndef RMAPBENCH_LIST_H
#define RMAPBENCH_LIST_H

int cmd_list(int argc, char **argv);

#endif
