/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The small procfs/sysfs readers and writers of the whole program (bench/
 * and workloads/ alike), and the two parsers of what they read: a word in a
 * list ("cpuset cpu memory") and the bracketed choice of a setting
 * ("always [madvise] never"). A leaf: includes nothing of the project.
 */
#ifndef RMAPBENCH_PROCFS_H
#define RMAPBENCH_PROCFS_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Reads a small file into @buf, NUL-terminated, trailing newlines cut.
 * Returns the length or -errno.
 */
int procfs_read(const char *path, char *buf, size_t len);
/* Whole file into a malloc'ed, NUL-terminated buffer; NULL with errno set. */
char *procfs_slurp(const char *path, size_t *lenp);
/* First integer of a file. 0 or -errno. */
int procfs_read_long(const char *path, long *val);
int procfs_read_ll(const char *path, long long *val);
/*
 * The integer after @key and a space on a line of a "key value" file
 * (/proc/vmstat, memory.stat; "MemTotal:" in /proc/meminfo). 0 or -errno
 * (-ENOENT: no such key).
 */
int procfs_read_keyed(const char *path, const char *key, long long *val);
/* Writes @value to @path in one write(); 0 or -errno. */
int procfs_write(const char *path, const char *value);
/*
 * The value of a setting: for "a [b] c" files the bracketed choice, else
 * the whole text. 0 or -errno.
 */
int procfs_setting(const char *path, char *out, size_t len);

/* The bracketed choice of "always [madvise] never". 0, -ENOENT or -ENOSPC. */
int procfs_bracket_choice(const char *text, char *out, size_t len);
/* Whether the whitespace-separated @text contains the word @word. */
bool procfs_has_word(const char *text, const char *word);

#endif
