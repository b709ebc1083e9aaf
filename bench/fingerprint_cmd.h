/* SPDX-License-Identifier: GPL-2.0 */
/* `rmapbench fingerprint` (fingerprint_cmd.c). */
#ifndef RMAPBENCH_FINGERPRINT_CMD_H
#define RMAPBENCH_FINGERPRINT_CMD_H

/* fingerprint [--json]: the command, this machine's fingerprint; 0 or 2. */
int cmd_fingerprint(int argc, char **argv);

#endif
