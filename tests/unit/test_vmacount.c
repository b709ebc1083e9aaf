// SPDX-License-Identifier: GPL-2.0
/*
 * wl_count_vmas()/wl_count_vmas_in() (PROCMAP_QUERY where present, else
 * /proc/self/maps) against an independent count of /proc/self/maps lines.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <fcntl.h>
#include <unistd.h>
#include <cmocka.h>

#include "workload.h"
#include "wl_util.h"

/* Lines of /proc/self/maps intersecting [lo, hi), [vsyscall] excluded. */
static int maps_lines(uintptr_t lo, uintptr_t hi)
{
	static char buf[1 << 20];	/* static: reading must not map anything */
	int fd = open("/proc/self/maps", 0), n = 0;
	ssize_t len = 0, r;
	char *line, *save = NULL;

	assert_true(fd >= 0);
	while ((r = read(fd, buf + len, sizeof(buf) - 1 - len)) > 0)
		len += r;
	close(fd);
	buf[len] = 0;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		unsigned long s, e;

		if (strstr(line, "[vsyscall]") || sscanf(line, "%lx-%lx", &s, &e) != 2)
			continue;
		n += s < hi && e > lo;
	}
	return n;
}

static void test_counts_match_maps(void **state)
{
	long page = sysconf(_SC_PAGESIZE);
	size_t len = 16 * page;
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uintptr_t lo = (uintptr_t)p, hi = lo + len;
	(void)state;

	assert_true(p != MAP_FAILED);
	assert_int_equal(wl_count_vmas_in(lo, len), 1);
	assert_int_equal(wl_count_vmas_in(lo, len), maps_lines(lo, hi));
	/* split into 5: rw | ro | rw | hole | rw */
	assert_int_equal(mprotect(p + 2 * page, 2 * page, PROT_READ), 0);
	assert_int_equal(munmap(p + 8 * page, page), 0);
	assert_int_equal(wl_count_vmas_in(lo, len), 4);
	assert_int_equal(wl_count_vmas_in(lo, len), maps_lines(lo, hi));
	assert_int_equal(wl_count_vmas(), maps_lines(0, UINTPTR_MAX));
	assert_int_equal(wl_count_vmas_in(lo + 9 * page, page), 1);
	munmap(p, len);
	assert_int_equal(wl_count_vmas_in(lo, len), maps_lines(lo, hi));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_counts_match_maps),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
