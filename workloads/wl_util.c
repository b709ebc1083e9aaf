// SPDX-License-Identifier: GPL-2.0
/*
 * Helpers shared by the workloads (wl_util.h): VMA counting, the clock,
 * touching pages, reaping children, /proc/vmstat counters, page frame
 * numbers, aligned mappings.
 *
 * The VMA counters allocate no memory: they run between two slab snapshots
 * and must not add a heap VMA or a stdio buffer of their own.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "procfs.h"
#include "procmap_query.h"
#include "workload.h"
#include "wl_util.h"

/* The x86-64 gate VMA ([vsyscall]) lives in the kernel half. */
#define WL_USER_ADDR_LIMIT		(UINTPTR_MAX / 2 + 1)

/* -1: the ioctl is missing on this kernel, 0: not tried yet, 1: works */
static int procmap_query_state;

size_t wl_page_size(void)
{
	static size_t page_size;

	if (!page_size)
		page_size = (size_t)sysconf(_SC_PAGESIZE);
	return page_size;
}

static int open_own_maps(void)
{
	int fd;

	do {
		fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
	} while (fd < 0 && errno == EINTR);
	return fd;
}

/*
 * Counts the VMAs intersecting [start, end) with PROCMAP_QUERY.
 * Returns the count, -1 on error, -2 when the kernel lacks the ioctl.
 */
static int procmap_count(uintptr_t start, uintptr_t end)
{
	struct wl_procmap_query query;
	uint64_t addr = start;
	int fd, count = 0;

	fd = open_own_maps();
	if (fd < 0)
		return -1;

	for (;;) {
		memset(&query, 0, sizeof(query));
		query.size = sizeof(query);
		query.query_flags = WL_PROCMAP_COVERING_OR_NEXT;
		query.query_addr = addr;
		if (ioctl(fd, WL_PROCMAP_QUERY, &query) < 0) {
			if (errno == ENOENT)
				break;
			/* ENOTTY: /proc/PID/maps has no ioctl before 6.11 */
			count = errno == ENOTTY ? -2 : -1;
			break;
		}
		if (query.vma_start >= end || query.vma_start >= WL_USER_ADDR_LIMIT)
			break;
		count++;
		if (query.vma_end <= addr)
			break;		/* never loops on a confused kernel */
		addr = query.vma_end;
	}
	close(fd);
	return count;
}

/* Buffered line reader over a file descriptor, with no heap allocation. */
struct maps_reader {
	int fd;
	size_t len;
	size_t pos;
	char buf[4096];
};

/*
 * Reads the next line into @line, truncated to @size - 1 characters (the
 * rest of a long line is skipped). Returns 1 for a line, 0 at the end, -1 on
 * a read error.
 */
static int maps_next_line(struct maps_reader *reader, char *line, size_t size)
{
	size_t used = 0;
	bool got_any = false;
	ssize_t n;
	char c;

	for (;;) {
		if (reader->pos == reader->len) {
			n = read(reader->fd, reader->buf, sizeof(reader->buf));
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0)
				return -1;
			if (n == 0)
				break;
			reader->len = (size_t)n;
			reader->pos = 0;
		}
		c = reader->buf[reader->pos++];
		got_any = true;
		if (c == '\n')
			break;
		if (used + 1 < size)
			line[used++] = c;
	}
	line[used] = '\0';
	return got_any ? 1 : 0;
}

/* "start-end perms offset dev inode name"; returns false for a bad line. */
static bool parse_maps_line(const char *line, struct wl_vma *vma, bool *vsyscall)
{
	const char *p = line;
	char *endp;
	size_t len;

	vma->start = strtoull(p, &endp, 16);
	if (endp == p || *endp != '-')
		return false;
	p = endp + 1;
	vma->end = strtoull(p, &endp, 16);
	if (endp == p || *endp != ' ')
		return false;
	p = endp + 1;
	if (strlen(p) < 4)
		return false;
	memcpy(vma->perms, p, 4);
	vma->perms[4] = '\0';

	len = strlen(line);
	*vsyscall = len >= 10 && !strcmp(line + len - 10, "[vsyscall]");
	return true;
}

int wl_maps_walk(uintptr_t start, size_t len, wl_vma_fn fn, void *arg)
{
	struct maps_reader reader = { 0 };
	uintptr_t end = len > UINTPTR_MAX - start ? UINTPTR_MAX : start + len;
	struct wl_vma vma;
	char line[512];
	bool vsyscall;
	int count = 0, ret;

	reader.fd = open_own_maps();
	if (reader.fd < 0)
		return -1;

	while ((ret = maps_next_line(&reader, line, sizeof(line))) > 0) {
		if (!parse_maps_line(line, &vma, &vsyscall)) {
			errno = EPROTO;
			ret = -1;
			break;
		}
		if (vsyscall || vma.end <= start || vma.start >= end)
			continue;
		count++;
		if (fn && fn(&vma, arg))
			break;
	}
	close(reader.fd);
	return ret < 0 ? -1 : count;
}

int wl_count_vmas_in(uintptr_t start, size_t len)
{
	uintptr_t end = len > UINTPTR_MAX - start ? UINTPTR_MAX : start + len;
	int count;

	if (procmap_query_state >= 0) {
		count = procmap_count(start, end);
		if (count != -2) {
			if (count >= 0)
				procmap_query_state = 1;
			return count;
		}
		procmap_query_state = -1;
	}
	return wl_maps_walk(start, len, NULL, NULL);
}

int wl_count_vmas(void)
{
	return wl_count_vmas_in(0, SIZE_MAX);
}

uint64_t wl_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void wl_touch(void *addr, size_t len)
{
	volatile char *bytes = addr;
	size_t page_size = wl_page_size();
	size_t off;

	for (off = 0; off < len; off += page_size)
		bytes[off] = 1;
}

/*
 * Reaps every child (with PR_SET_CHILD_SUBREAPER also orphaned descendants)
 * until none is left. Returns how many did not exit 0, or -1 (errno set) when
 * waitpid failed for another reason than having no child left.
 */
int wl_reap_all(void)
{
	int status, failed = 0;
	pid_t pid;

	for (;;) {
		pid = waitpid(-1, &status, 0);
		if (pid < 0 && errno == EINTR)
			continue;
		if (pid < 0)
			break;
		if (!WIFEXITED(status) || WEXITSTATUS(status))
			failed++;
	}
	return errno == ECHILD ? failed : -1;
}

/* Exit code of a child, 128 + signal number if it was killed, -1 on error. */
int wl_wait_child(int pid)
{
	int status;
	pid_t ret;

	do {
		ret = waitpid(pid, &status, 0);
	} while (ret < 0 && errno == EINTR);
	if (ret < 0)
		return -1;
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return -1;
}

void wl_emit_slab_allocs(struct wl_ctx *ctx, const char *prefix,
			 const struct slab_snapshot *before,
			 const struct slab_snapshot *after)
{
	char name[160];
	int kind;

	for (kind = 0; kind < NR_SLAB_KINDS; kind++) {
		snprintf(name, sizeof(name), "%s.%s", prefix,
			 slab_kind_name(kind));
		if (!before->valid || !after->valid) {
			if (kind != SLAB_VMA_LOCK)
				wl_unavailable(ctx, name, "slab accounting unavailable");
			continue;
		}
		if (!after->present[kind])
			continue;
		wl_exact(ctx, name,
			 (double)(after->allocs[kind] - before->allocs[kind]),
			 "objects", "lower");
	}
}

long long wl_vmstat(const char *name)
{
	long long v;

	return procfs_read_keyed("/proc/vmstat", name, &v) ? -1 : v;
}

int wl_pfns(const void *addr, size_t n, uint64_t *pfns)
{
	off_t off = (uintptr_t)addr / wl_page_size() * sizeof(uint64_t);
	size_t want = n * sizeof(uint64_t);
	int fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	ssize_t got;

	if (fd < 0)
		return -errno;
	got = pread(fd, pfns, want, off);
	close(fd);
	if (got != (ssize_t)want)
		return got < 0 ? -errno : -EIO;
	for (size_t i = 0; i < n; i++)	/* bit 63: present; bits 0-54: PFN */
		pfns[i] = pfns[i] >> 63 ? pfns[i] & ((1ull << 55) - 1) : 0;
	return 0;
}

void *wl_map_aligned(size_t len, size_t align)
{
	char *p = mmap(NULL, len + align, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uintptr_t start, end;

	if (p == MAP_FAILED)
		return NULL;
	start = ((uintptr_t)p + align - 1) & ~(uintptr_t)(align - 1);
	end = start + len;
	if (start > (uintptr_t)p)
		munmap(p, start - (uintptr_t)p);
	if ((uintptr_t)p + len + align > end)
		munmap((void *)end, (uintptr_t)p + len + align - end);
	return (void *)start;
}

void wl_first_error(int *failed, char *buf, size_t len, const char *fmt, va_list ap)
{
	if (__atomic_exchange_n(failed, 1, __ATOMIC_SEQ_CST))
		return;
	vsnprintf(buf, len, fmt, ap);
}
