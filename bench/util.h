/* SPDX-License-Identifier: GPL-2.0 */
#ifndef RMAPBENCH_UTIL_H
#define RMAPBENCH_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "procfs.h"

/* Exit codes (README "Exit codes"). */
#define EXIT_OK		0
#define EXIT_REGRESSION	1	/* compare: a gated metric regressed */
#define EXIT_USAGE	2	/* bad input: CLI, config, report file */
#define EXIT_RUN	3	/* a workload failed or the kernel refused the probes */

extern int verbose;

void err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Strict integer parsing: whole string, base 10, in [min, max]. */
int parse_long(const char *s, long min, long max, long *out);
uint64_t now_ns(void);

/*
 * The one atomic file writer: @len bytes to a temporary file in @path's
 * directory, fsync, rename over @path. Refuses to write through a symlink;
 * readers see the old file or the whole new one. 0, or -1 with @why (naming
 * @path). bench/ and report/ write every output file with it.
 */
int file_write_atomic(const char *path, const void *data, size_t len, char *why, size_t whylen);
/*
 * The same for @json or a text buffer, "-" writing to stdout. Returns 0, or
 * -1 after printing the error.
 */
int json_write_atomic(json_t *json, const char *path);
int text_write_atomic(const char *text, size_t len, const char *path);

/*
 * Reads an INI file whole, for ini_parse_string(), refusing what libinih
 * would misread: more than INI_FILE_MAX bytes (it would read /dev/zero
 * forever), a NUL byte (it would ignore the rest) and a line longer than
 * INI_MAX_LINE - 1 characters (it parses the tail as a line of its own: the
 * end of a long comment could set a key). Returns the text (free() it), or
 * NULL with the reason in @why and in *@line the 1-based line it concerns
 * (0: the whole file).
 */
#define INI_FILE_MAX	(1 << 20)
char *ini_read(const char *path, char *why, size_t len, int *line);
/* Split "a,b, c" into callback calls with trimmed items. */
int for_each_item(const char *list, int (*cb)(const char *item, void *arg), void *arg);

#endif
