// SPDX-License-Identifier: GPL-2.0
/*
 * Creates N separate VMAs (one page each, a hole after each), and prints the
 * change of /proc/slabinfo's active vm_area_struct objects across that:
 * an independent ground truth for rmapbench stat's counts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static long active_objs(const char *cache)
{
	char line[512], name[128];
	long active = -1, n;
	FILE *f = fopen("/proc/slabinfo", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%127s %ld", name, &n) == 2 && !strcmp(name, cache))
			active = n;
	fclose(f);
	return active;
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 20000, page = sysconf(_SC_PAGESIZE);
	char *area = mmap(NULL, 2 * n * page, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	long before, after;

	if (area == MAP_FAILED)
		return 1;
	munmap(area, 2 * n * page);	/* keep the address range, reuse it below */
	before = active_objs("vm_area_struct");
	for (long i = 0; i < n; i++)
		if (mmap(area + 2 * i * page, page, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0) == MAP_FAILED)
			return 1;
	after = active_objs("vm_area_struct");
	printf("%ld\n", after - before);
	return 0;
}
