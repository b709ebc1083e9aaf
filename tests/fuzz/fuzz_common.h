/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared by the libFuzzer harnesses (tests/fuzz/fuzz_*.c, docs/reliability.md).
 * Inputs reach the product code the way a user's do: as files, held in
 * memory (memfd) and opened by their /proc/self/fd path, so config_load(),
 * cmp_config_load() and report_load() run unchanged.
 */
#ifndef RMAPBENCH_FUZZ_COMMON_H
#define RMAPBENCH_FUZZ_COMMON_H

#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define FUZZ_FILES	4

/* A violated invariant is a finding: abort, so libFuzzer saves the input. */
#define FUZZ_ASSERT(cond)						\
	do {								\
		if (!(cond)) {						\
			fprintf(stderr, "%s:%d: invariant failed: %s\n",	\
				__FILE__, __LINE__, #cond);		\
			abort();					\
		}							\
	} while (0)

/* File @slot now holds @data; returns its path (valid for the whole run). */
static inline const char *fuzz_file(int slot, const uint8_t *data, size_t size)
{
	static int fd[FUZZ_FILES] = { -1, -1, -1, -1 };
	static char path[FUZZ_FILES][32];

	if (fd[slot] < 0) {
		fd[slot] = memfd_create("rmapbench-fuzz", MFD_CLOEXEC);
		if (fd[slot] < 0) {
			perror("memfd_create");
			abort();
		}
		snprintf(path[slot], sizeof(path[slot]), "/proc/self/fd/%d", fd[slot]);
	}
	if (ftruncate(fd[slot], 0) ||
	    (size && pwrite(fd[slot], data, size, 0) != (ssize_t)size)) {
		perror("memfd write");
		abort();
	}
	return path[slot];
}

/* A NUL-terminated copy of the input (free it). */
static inline char *fuzz_string(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = 0;
	return s;
}

/* The product prints tables and usage on stdout: not needed while fuzzing. */
static inline void fuzz_quiet_stdout(void)
{
	int fd = open("/dev/null", O_WRONLY);

	if (fd >= 0) {
		dup2(fd, STDOUT_FILENO);
		close(fd);
	}
}

#endif
