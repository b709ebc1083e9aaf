// SPDX-License-Identifier: GPL-2.0
/*
 * Helpers of the rmap workloads: machine-state guard, zram swap, memory
 * cgroups, trees of processes sharing pages, counters (rmapwl.h).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/swap.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "rmapwl.h"
#include "wl_util.h"

/* ---- files ---------------------------------------------------------------- */

int wl_read_file(const char *path, char *buf, size_t len)
{
	ssize_t n;
	int fd, err;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	err = errno;
	close(fd);
	if (n < 0)
		return -err;
	buf[n] = 0;
	while (n > 0 && buf[n - 1] == '\n')
		buf[--n] = 0;
	return 0;
}

int wl_write_file(const char *path, const char *value)
{
	size_t len = strlen(value);
	ssize_t n;
	int fd, err;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, value, len);
	err = errno;
	close(fd);
	if (n < 0)
		return -err;
	return (size_t)n == len ? 0 : -EIO;
}

int wl_read_ll(const char *path, long long *val)
{
	char buf[128], *end;
	int ret = wl_read_file(path, buf, sizeof(buf));

	if (ret)
		return ret;
	errno = 0;
	*val = strtoll(buf, &end, 10);
	return errno || end == buf ? -EINVAL : 0;
}

int wl_read_keyed(const char *path, const char *key, long long *val)
{
	FILE *f = fopen(path, "re");
	size_t klen = strlen(key);
	char line[256];
	int ret = -ENOENT;

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, key, klen) || line[klen] != ' ')
			continue;
		*val = strtoll(line + klen + 1, NULL, 10);
		ret = 0;
		break;
	}
	fclose(f);
	return ret;
}

long long wl_vmstat(const char *name)
{
	long long v;

	return wl_read_keyed("/proc/vmstat", name, &v) ? -1 : v;
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

/* ---- guard ----------------------------------------------------------------- */

static const char *guard_dir(void)
{
	static const char *dir;

	if (!dir)
		dir = access("/run", W_OK) == 0 ? "/run/rmapbench" : "/tmp/rmapbench-guard";
	return dir;
}

static const char *const kind_names[] = {
	[GUARD_WRITE] = "write", [GUARD_SWAPOFF] = "swapoff", [GUARD_ZRAM] = "zram",
	[GUARD_UNLINK] = "unlink", [GUARD_RMDIR] = "rmdir", [GUARD_ENTER] = "enter",
	[GUARD_UMOUNT] = "umount",
};

#define NR_KINDS (int)(sizeof(kind_names) / sizeof(kind_names[0]))

static int zram_remove(const char *id)
{
	char path[PATH_MAX];
	int ret;

	if (!id[0])
		return -EINVAL;
	snprintf(path, sizeof(path), "/sys/block/zram%s/reset", id);
	ret = wl_write_file(path, "1");
	if (ret && ret != -ENOENT)
		return ret;
	ret = wl_write_file("/sys/class/zram-control/hot_remove", id);
	return ret == -ENODEV || ret == -ENOENT ? 0 : ret;
}

/* Moves every task of cgroup @dir to @procs (the parent's cgroup.procs). */
static void cgroup_evacuate(const char *dir, const char *procs)
{
	char path[PATH_MAX], pid[32];
	FILE *f;

	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	f = fopen(path, "re");
	if (!f)
		return;
	while (fgets(pid, sizeof(pid), f)) {
		pid[strcspn(pid, "\n")] = 0;
		wl_write_file(procs, pid);
	}
	fclose(f);
}

static int cgroup_rmdir(const char *dir)
{
	char parent[PATH_MAX], *slash;

	for (int i = 0; i < 100; i++) {
		if (!rmdir(dir) || errno == ENOENT)
			return 0;
		if (errno != EBUSY)
			return -errno;
		/* a dying task may still be listed: move leftovers up, retry */
		snprintf(parent, sizeof(parent), "%s", dir);
		slash = strrchr(parent, '/');
		if (slash) {
			snprintf(slash, sizeof(parent) - (slash - parent), "/cgroup.procs");
			cgroup_evacuate(dir, parent);
		}
		usleep(10000);
	}
	return -EBUSY;
}

static int undo_one(const struct guard_undo *u)
{
	char pid[32];
	int ret = 0;

	switch (u->kind) {
	case GUARD_WRITE:
		ret = wl_write_file(u->path, u->value);
		break;
	case GUARD_SWAPOFF:
		if (swapoff(u->path) && errno != EINVAL && errno != ENOENT)
			ret = -errno;
		break;
	case GUARD_ZRAM:
		ret = zram_remove(u->value);
		break;
	case GUARD_UNLINK:
		if (unlink(u->path) && errno != ENOENT)
			ret = -errno;
		break;
	case GUARD_RMDIR:
		ret = cgroup_rmdir(u->path);
		break;
	case GUARD_ENTER:
		snprintf(pid, sizeof(pid), "%d", getpid());
		ret = wl_write_file(u->path, pid);
		break;
	case GUARD_UMOUNT:
		if (umount2(u->path, MNT_DETACH) && errno != EINVAL && errno != ENOENT)
			ret = -errno;
		rmdir(u->path);
		break;
	}
	if (ret)
		fprintf(stderr, "rmapbench: cannot undo %s %s%s%s: %s\n", kind_names[u->kind],
			u->path, u->value[0] ? " = " : "", u->value, strerror(-ret));
	return ret;
}

/* Appends through the descriptor that holds the journal's lock. */
static int journal_append(struct wl_guard *g, const struct guard_undo *u)
{
	char line[PATH_MAX + GUARD_VALUE_LEN + 32];
	int n;

	if (g->fd < 0)
		return -EBADF;
	n = snprintf(line, sizeof(line), "%s\t%s\t%s\n", kind_names[u->kind], u->path,
		     u->value);
	if (n >= (int)sizeof(line))
		return -ENAMETOOLONG;
	if (write(g->fd, line, n) != n)
		return errno ? -errno : -EIO;
	return 0;
}

int wl_guard_push(struct wl_guard *g, enum guard_kind kind, const char *path,
		  const char *value)
{
	struct guard_undo *u;

	if (g->nr == GUARD_MAX)
		return -ENOSPC;
	u = &g->undo[g->nr++];
	u->kind = kind;
	snprintf(u->path, sizeof(u->path), "%s", path ? path : "");
	snprintf(u->value, sizeof(u->value), "%s", value ? value : "");
	return journal_append(g, u);
}

/* "kind<TAB>path<TAB>value": fields may be empty, so no strtok. */
static int parse_journal_line(char *line, struct guard_undo *u)
{
	char *rest = line, *kind, *path, *value;

	line[strcspn(line, "\n")] = 0;
	kind = strsep(&rest, "\t");
	path = strsep(&rest, "\t");
	value = rest;
	if (!kind || !path || !value)
		return -1;
	for (int k = 0; k < NR_KINDS; k++) {
		if (strcmp(kind, kind_names[k]))
			continue;
		u->kind = k;
		snprintf(u->path, sizeof(u->path), "%s", path);
		snprintf(u->value, sizeof(u->value), "%s", value);
		return 0;
	}
	return -1;
}

/* Undoes the journal open (and locked) on @fd, newest entry first. */
static void replay_journal(int fd)
{
	struct guard_undo *undo = calloc(GUARD_MAX, sizeof(*undo));
	char line[PATH_MAX + GUARD_VALUE_LEN + 32];
	int dfd = dup(fd), n = 0;
	FILE *f = dfd >= 0 ? fdopen(dfd, "r") : NULL;

	if (!f || !undo) {
		free(undo);
		if (f)
			fclose(f);
		else if (dfd >= 0)
			close(dfd);
		return;
	}
	rewind(f);
	while (n < GUARD_MAX && fgets(line, sizeof(line), f))
		if (!parse_journal_line(line, &undo[n]))
			n++;
	fclose(f);
	while (n--)
		if (undo[n].kind != GUARD_ENTER)	/* that process is gone */
			undo_one(&undo[n]);
	free(undo);
}

#define PF_EXITING_FLAG	0x4		/* include/linux/sched.h */
#define DYING_WAIT_MS	30000		/* a SIGKILLed owner tearing down its memory */
/* another run's repetition changing the machine; below rep_timeout_s (300) */
#define STATE_WAIT_S	240

/*
 * Whether @pid is a live process (not gone, not a zombie, not exiting, no
 * SIGKILL pending). A journal's lock, not its pid, says whether its owner is
 * alive; this only decides whether a held lock is worth waiting for.
 */
static bool owner_alive(long pid)
{
	char path[64], buf[1024], *p;
	unsigned long long pend;
	unsigned int flags = 0;
	char state = 0;

	snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
	if (wl_read_file(path, buf, sizeof(buf)))
		return false;
	p = strrchr(buf, ')');
	/* ") S ppid pgrp session tty_nr tpgid flags" */
	if (!p || sscanf(p + 1, " %c %*d %*d %*d %*d %*d %u", &state, &flags) != 2)
		return false;
	if (state == 'Z' || state == 'X' || (flags & PF_EXITING_FLAG))
		return false;
	snprintf(path, sizeof(path), "/proc/%ld/status", pid);
	for (const char *key = "ShdPnd:"; key; key = strcmp(key, "SigPnd:") ? "SigPnd:" : NULL) {
		FILE *f = fopen(path, "re");
		size_t klen = strlen(key);

		if (!f)
			return false;
		while (fgets(buf, sizeof(buf), f))
			if (!strncmp(buf, key, klen) && sscanf(buf + klen, "%llx", &pend) == 1 &&
			    (pend & (1ull << (SIGKILL - 1)))) {
				fclose(f);
				return false;
			}
		fclose(f);
	}
	return true;
}

/* flock(LOCK_EX) within @ms milliseconds (0: try once); 0 or -1. */
static int lock_within(int fd, long ms)
{
	struct timespec ts = { 0, 20 * 1000000 };

	for (long waited = 0;; waited += 20) {
		if (!flock(fd, LOCK_EX | LOCK_NB))
			return 0;
		if (errno != EWOULDBLOCK && errno != EINTR)
			return -1;
		if (waited >= ms)
			return -1;
		nanosleep(&ts, NULL);
	}
}

/*
 * Journals written by this protocol start with this line; older rmapbench
 * builds (before journals were flock()ed) wrote none and never lock theirs:
 * for those a free lock says nothing, only a pid that is gone does. Older
 * builds skip the line (not a known kind) when they replay.
 */
#define JOURNAL_HEADER	"#rmapbench-guard 2\n"

static bool has_header(int fd)
{
	char buf[sizeof(JOURNAL_HEADER)] = "";

	return pread(fd, buf, sizeof(buf) - 1, 0) == sizeof(buf) - 1 &&
	       !strcmp(buf, JOURNAL_HEADER);
}

/*
 * One journal: its owner holds an exclusive flock on it for its whole life
 * (tree members inherit it and die with the owner), and the kernel drops
 * that lock when the last holder's files are closed at exit. Held by a live
 * owner: a concurrent run, left alone. Held by a dying one (SIGKILLed,
 * exiting, a zombie whose members still exit): waited for. Then replayed
 * and unlinked, unless another recovery got there first. The caller holds
 * state.lock: nobody changes the machine meanwhile, so a zram index or
 * swap device the journal names is still the dead owner's, not another
 * run's that got the same number.
 */
static int recover_one(const char *path, long pid)
{
	struct stat st;
	int fd, ret = 0;

	fd = open(path, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return 0;
	if (!has_header(fd) && (kill(pid, 0) == 0 || errno != ESRCH)) {
		/* an older build's journal (or one just created): its owner lives */
		fprintf(stderr, "rmapbench: %s belongs to process %ld, alive (an older rmapbench "
			"without journal locks?): left alone\n", path, pid);
		close(fd);
		return 0;
	}
	if (lock_within(fd, 0)) {
		if (owner_alive(pid) || lock_within(fd, DYING_WAIT_MS)) {
			if (!owner_alive(pid))
				fprintf(stderr, "rmapbench: process %ld is still exiting after "
					"%d s: %s left for a later run\n", pid, DYING_WAIT_MS / 1000,
					path);
			close(fd);
			return 0;
		}
	}
	if (!fstat(fd, &st) && st.st_nlink > 0) {
		fprintf(stderr, "rmapbench: undoing what process %ld left behind (%s)\n", pid,
			path);
		replay_journal(fd);
		unlink(path);
		ret = 1;
	}
	close(fd);		/* drops the lock */
	return ret;
}

/* A journal that never got its name holds nothing yet. */
static void unlink_if_unlocked(const char *path)
{
	int fd = open(path, O_RDWR | O_CLOEXEC | O_NOFOLLOW);

	if (fd < 0)
		return;
	if (!lock_within(fd, 0))
		unlink(path);
	close(fd);
}

/* Every journal but ours; the caller holds state.lock. */
static int recover_journals(void)
{
	DIR *d = opendir(guard_dir());
	struct dirent *de;
	char path[PATH_MAX];
	int n = 0;

	if (!d)
		return 0;
	while ((de = readdir(d))) {
		long pid;
		char end;

		snprintf(path, sizeof(path), "%s/%s", guard_dir(), de->d_name);
		if (sscanf(de->d_name, ".guard.%ld.ne%c", &pid, &end) == 2 && pid != getpid()) {
			unlink_if_unlocked(path);	/* died before naming it */
			continue;
		}
		if (sscanf(de->d_name, "guard.%ld%c", &pid, &end) != 1 || pid == getpid())
			continue;
		n += recover_one(path, pid);
	}
	closedir(d);
	return n;
}

/* The pid written in the state lock by its holder, 0 if unknown. */
static long state_holder(int fd)
{
	char buf[32] = "";
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);

	return n > 0 ? atol(buf) : 0;
}

/*
 * Recovery outside a guard (the runner: at start-up, after killing a
 * repetition) takes state.lock like a guard does, so it never replays a
 * journal while another run changes the machine. Held by a live process:
 * that run recovered when it took the lock, and no journal can have died
 * since without holding it; nothing to do. Held by a dying one (our own
 * killed repetition, a SIGKILLed run): waited for, up to 30 s.
 */
int wl_guard_recover_stale(void)
{
	char path[PATH_MAX];
	long holder;
	int fd, n;

	if (access(guard_dir(), F_OK))
		return 0;
	snprintf(path, sizeof(path), "%s/state.lock", guard_dir());
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return 0;
	if (lock_within(fd, 0)) {
		holder = state_holder(fd);
		if (owner_alive(holder) || lock_within(fd, DYING_WAIT_MS)) {
			if (!owner_alive(holder))
				fprintf(stderr, "rmapbench: process %ld still holds %s after %d s: "
					"recovery left for a later run\n", holder, path,
					DYING_WAIT_MS / 1000);
			close(fd);
			return 0;
		}
	}
	n = recover_journals();
	close(fd);		/* drops the lock */
	return n;
}

/*
 * Machine-state changes are serialized: one guard at a time holds
 * state.lock (flock, dropped by the kernel when the holder dies), so two
 * runs never fight over zram, swap, memory cgroups, THP or KSM settings
 * nor restore each other's settings under each other's feet. A second run
 * waits up to STATE_WAIT_S for it, then fails with the holder's pid.
 */
static int take_state_lock(struct wl_guard *g, char *why, size_t len)
{
	char path[PATH_MAX], buf[32];
	long holder;
	int n;

	snprintf(path, sizeof(path), "%s/state.lock", guard_dir());
	g->state_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (g->state_fd < 0) {
		snprintf(why, len, "open %s: %s", path, strerror(errno));
		return -1;
	}
	if (lock_within(g->state_fd, 0)) {
		holder = state_holder(g->state_fd);
		fprintf(stderr, "rmapbench: waiting for process %ld to finish changing machine "
			"state (%s)\n", holder, path);
		if (lock_within(g->state_fd, STATE_WAIT_S * 1000L)) {
			snprintf(why, len, "machine state busy: process %ld has held %s for over "
				 "%d s (another run using zram/swap/memory cgroups/THP/KSM)",
				 state_holder(g->state_fd), path, STATE_WAIT_S);
			close(g->state_fd);
			g->state_fd = -1;
			return -1;
		}
	}
	n = snprintf(buf, sizeof(buf), "%d\n", getpid());
	/* the pid is only for messages: a failure to write it is harmless */
	if (!ftruncate(g->state_fd, 0) && pwrite(g->state_fd, buf, n, 0) != n)
		n = 0;
	return 0;
}

/* The journal, locked before it gets its name: recovery never sees it unlocked. */
static int open_journal(struct wl_guard *g, char *why, size_t len)
{
	char tmp[PATH_MAX];

	snprintf(g->journal, sizeof(g->journal), "%s/guard.%d", guard_dir(), g->owner);
	snprintf(tmp, sizeof(tmp), "%s/.guard.%d.new", guard_dir(), g->owner);
	unlink(tmp);
	g->fd = open(tmp, O_RDWR | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0600);
	if (g->fd < 0 || flock(g->fd, LOCK_EX) ||
	    write(g->fd, JOURNAL_HEADER, strlen(JOURNAL_HEADER)) != (ssize_t)strlen(JOURNAL_HEADER) ||
	    rename(tmp, g->journal)) {
		snprintf(why, len, "journal %s: %s", g->journal, strerror(errno));
		if (g->fd >= 0)
			close(g->fd);
		unlink(tmp);
		g->fd = -1;
		g->journal[0] = 0;
		return -1;
	}
	return 0;
}

int wl_guard_begin(struct wl_guard *g, char *why, size_t len)
{
	memset(g, 0, sizeof(*g));
	g->owner = getpid();
	g->fd = -1;
	g->state_fd = -1;
	if (mkdir(guard_dir(), 0700) && errno != EEXIST) {
		snprintf(why, len, "mkdir %s: %s", guard_dir(), strerror(errno));
		return -1;
	}
	if (take_state_lock(g, why, len))
		return -1;
	recover_journals();
	if (open_journal(g, why, len)) {
		close(g->state_fd);
		g->state_fd = -1;
		return -1;
	}
	return 0;
}

void wl_guard_end(struct wl_guard *g)
{
	if (g->owner != getpid())
		return;		/* a member of a tree: the root undoes */
	while (g->nr > 0)
		undo_one(&g->undo[--g->nr]);
	if (g->journal[0])
		unlink(g->journal);	/* before the lock goes: never seen unlocked */
	g->journal[0] = 0;
	if (g->fd >= 0)
		close(g->fd);
	if (g->state_fd >= 0)
		close(g->state_fd);
	g->fd = -1;
	g->state_fd = -1;
}

/* Current value; for "a [b] c" files, the bracketed choice. */
static int read_setting(const char *path, char *out, size_t len)
{
	char buf[512], *open_, *close_;
	int ret = wl_read_file(path, buf, sizeof(buf));

	if (ret)
		return ret;
	open_ = strchr(buf, '[');
	close_ = open_ ? strchr(open_, ']') : NULL;
	if (open_ && close_) {
		*close_ = 0;
		snprintf(out, len, "%s", open_ + 1);
	} else {
		snprintf(out, len, "%s", buf);
	}
	return 0;
}

int wl_guard_set(struct wl_guard *g, const char *path, const char *value,
		 char *why, size_t len)
{
	char old[GUARD_VALUE_LEN];
	int ret = read_setting(path, old, sizeof(old));

	if (ret) {
		snprintf(why, len, "read %s: %s", path, strerror(-ret));
		return -1;
	}
	if (!strcmp(old, value))
		return 0;
	ret = wl_guard_push(g, GUARD_WRITE, path, old);
	if (ret) {
		snprintf(why, len, "journal %s: %s", g->journal, strerror(-ret));
		return -1;
	}
	ret = wl_write_file(path, value);
	if (ret) {
		g->nr--;	/* nothing to undo */
		snprintf(why, len, "write '%s' to %s: %s", value, path, strerror(-ret));
		return -1;
	}
	return 0;
}

/* ---- zram swap -------------------------------------------------------------- */

#define ZRAM_CONTROL "/sys/class/zram-control"

bool wl_swap_supported(char *why, size_t len)
{
	char val[16];

	if (geteuid() != 0) {
		snprintf(why, len, "needs root (swapon, zram)");
		return false;
	}
	/* the probe decides whether there is a zram (loaded, or a module to load) */
	if (!wl_kernel_has("zram", why, len))
		return false;
	if (access(ZRAM_CONTROL "/hot_add", F_OK) == 0)
		return true;
	/* a modular zram that is not loaded yet: try once */
	if (system("modprobe zram num_devices=0 >/dev/null 2>&1") == 0 &&
	    access(ZRAM_CONTROL "/hot_add", F_OK) == 0)
		return true;
	if (wl_read_file("/proc/swaps", val, sizeof(val))) {
		snprintf(why, len, "no /proc/swaps: kernel without CONFIG_SWAP");
		return false;
	}
	snprintf(why, len, "no %s/hot_add: kernel without zram (CONFIG_ZRAM)", ZRAM_CONTROL);
	return false;
}

/* Version-1 swap header (include/linux/swap.h, union swap_header). */
static int write_swap_header(const char *dev, uint64_t bytes)
{
	size_t page = wl_page_size();
	unsigned char *hdr = calloc(1, page);
	uint32_t version = 1, last_page = bytes / page - 1;
	int fd, ret = 0;

	if (!hdr)
		return -ENOMEM;
	memcpy(hdr + 1024, &version, 4);
	memcpy(hdr + 1028, &last_page, 4);
	/* nr_badpages (1032) 0; uuid (1036) and label (1052) left blank */
	memcpy(hdr + page - 10, "SWAPSPACE2", 10);
	fd = open(dev, O_WRONLY | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
	} else {
		if (pwrite(fd, hdr, page, 0) != (ssize_t)page)
			ret = -EIO;
		if (fsync(fd))
			ret = ret ? ret : -errno;
		close(fd);
	}
	free(hdr);
	return ret;
}

/* /dev/zramN, made with mknod when there is no devtmpfs node. */
static int zram_node(struct wl_guard *g, struct wl_swap *sw, char *why, size_t len)
{
	char path[PATH_MAX], buf[32];
	unsigned int maj, min;
	int ret;

	snprintf(sw->dev, sizeof(sw->dev), "/dev/zram%d", sw->zram_id);
	if (access(sw->dev, F_OK) == 0)
		return 0;
	snprintf(path, sizeof(path), "/sys/block/zram%d/dev", sw->zram_id);
	ret = wl_read_file(path, buf, sizeof(buf));
	if (ret || sscanf(buf, "%u:%u", &maj, &min) != 2) {
		snprintf(why, len, "read %s: %s", path, strerror(ret ? -ret : EINVAL));
		return -1;
	}
	if (wl_guard_push(g, GUARD_UNLINK, sw->dev, NULL) ||
	    mknod(sw->dev, S_IFBLK | 0600, makedev(maj, min))) {
		snprintf(why, len, "mknod %s: %s", sw->dev, strerror(errno));
		return -1;
	}
	return 0;
}

int wl_swap_create(struct wl_guard *g, struct wl_swap *sw, uint64_t bytes,
		   char *why, size_t len)
{
	char buf[64], path[PATH_MAX];
	int ret;

	memset(sw, 0, sizeof(*sw));
	if (access("/sys/module/zswap/parameters/enabled", F_OK) == 0 &&
	    wl_guard_set(g, "/sys/module/zswap/parameters/enabled", "N", why, len))
		return -1;
	ret = wl_read_file(ZRAM_CONTROL "/hot_add", buf, sizeof(buf));
	if (ret) {
		snprintf(why, len, "zram hot_add: %s", strerror(-ret));
		return -1;
	}
	sw->zram_id = atoi(buf);
	if (wl_guard_push(g, GUARD_ZRAM, NULL, buf)) {
		zram_remove(buf);
		snprintf(why, len, "cannot journal zram%d", sw->zram_id);
		return -1;
	}
	snprintf(path, sizeof(path), "/sys/block/zram%d/disksize", sw->zram_id);
	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)bytes);
	ret = wl_write_file(path, buf);
	if (ret) {
		snprintf(why, len, "write %s to %s: %s", buf, path, strerror(-ret));
		return -1;
	}
	sw->bytes = bytes;
	if (zram_node(g, sw, why, len))
		return -1;
	ret = write_swap_header(sw->dev, bytes);
	if (ret) {
		snprintf(why, len, "swap header on %s: %s", sw->dev, strerror(-ret));
		return -1;
	}
	if (wl_guard_push(g, GUARD_SWAPOFF, sw->dev, NULL) ||
	    swapon(sw->dev, SWAP_FLAG_PREFER | (32767 & SWAP_FLAG_PRIO_MASK))) {
		snprintf(why, len, "swapon %s: %s", sw->dev, strerror(errno));
		return -1;
	}
	return 0;
}

/* ---- memory cgroups ---------------------------------------------------------- */

struct cg_where {
	int version;
	char mount[PATH_MAX];	/* mount point of the hierarchy */
	char origin[PATH_MAX];	/* our cgroup's directory: we return there */
	char parent[PATH_MAX];	/* where our cgroup is made */
	bool need_mount;	/* v2 not mounted anywhere: mount our own */
};

/* Whether the comma-separated @list (modified) holds @word. */
static bool has_item(char *list, const char *word)
{
	char *save = NULL;

	for (char *tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
		if (!strcmp(tok, word))
			return true;
	return false;
}

/* Mount point of the first mount of @fstype (with option @opt for v1). */
/* Our path in the v1 hierarchy of @ctrl ("memory"), or in v2 when NULL. */
static bool own_cgroup(const char *ctrl, char *out, size_t len)
{
	FILE *f = fopen("/proc/self/cgroup", "re");
	char line[PATH_MAX + 64];
	bool found = false;

	if (!f)
		return false;
	/* "hierarchy-id:controller,list:/path"; v2 is "0::/path" */
	while (!found && fgets(line, sizeof(line), f)) {
		char *ctrls = strchr(line, ':'), *path;

		path = ctrls ? strchr(ctrls + 1, ':') : NULL;
		if (!path)
			continue;
		*path++ = 0;
		ctrls++;
		path[strcspn(path, "\n")] = 0;
		found = ctrl ? has_item(ctrls, ctrl) : !ctrls[0];
		if (found)
			snprintf(out, len, "%s", path);
	}
	fclose(f);
	return found;
}

static bool has_word(const char *text, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = text; (p = strstr(p, word)); p += n)
		if ((p == text || p[-1] == ' ') && (p[n] == 0 || p[n] == ' ' || p[n] == '\n'))
			return true;
	return false;
}

/* Whether cgroup directory @dir hands the memory controller to its children. */
static bool delegates_memory(const char *dir)
{
	char path[PATH_MAX + 32], buf[256];

	snprintf(path, sizeof(path), "%s/cgroup.subtree_control", dir);
	return wl_read_file(path, buf, sizeof(buf)) == 0 && has_word(buf, "memory");
}

/*
 * v2: our cgroup is made below our own when that is the root or delegates
 * memory; else at the top, when the root delegates memory (a systemd host:
 * our session scope holds processes, so it cannot): we leave our cgroup for
 * the run and come back.
 */
static bool v2_usable(struct cg_where *w, char *why, size_t len)
{
	char path[PATH_MAX + 32], buf[256], rel[PATH_MAX];

	if (!own_cgroup(NULL, rel, sizeof(rel)))
		snprintf(rel, sizeof(rel), "/");
	snprintf(w->origin, sizeof(w->origin), "%s%s", w->mount, strcmp(rel, "/") ? rel : "");
	snprintf(path, sizeof(path), "%s/cgroup.controllers", w->mount);
	if (wl_read_file(path, buf, sizeof(buf)) || !has_word(buf, "memory")) {
		snprintf(why, len, "cgroup v2 at %s: no memory controller (bound to v1?)",
			 w->mount);
		return false;
	}
	if (!strcmp(rel, "/") || delegates_memory(w->origin)) {
		snprintf(w->parent, sizeof(w->parent), "%s", w->origin);
	} else if (delegates_memory(w->mount)) {
		snprintf(w->parent, sizeof(w->parent), "%s", w->mount);
	} else {
		snprintf(why, len, "cgroup v2: neither our cgroup %s nor the root delegates the "
			 "memory controller", rel);
		return false;
	}
	w->version = 2;
	return true;
}

static bool cg_locate(struct cg_where *w, char *why, size_t len)
{
	char rel[PATH_MAX], buf[4096];

	memset(w, 0, sizeof(*w));
	/* the mounts the probe found: cgroup2, and the v1 hierarchy with memory */
	if (wl_kernel_detail("memcg", "v2", w->mount, sizeof(w->mount)) && v2_usable(w, why, len))
		return true;
	if (wl_kernel_detail("memcg", "v1", w->mount, sizeof(w->mount))) {
		if (!own_cgroup("memory", rel, sizeof(rel)))
			snprintf(rel, sizeof(rel), "/");
		snprintf(w->origin, sizeof(w->origin), "%s%s", w->mount,
			 strcmp(rel, "/") ? rel : "");
		snprintf(w->parent, sizeof(w->parent), "%s", w->origin);
		w->version = 1;
		return true;
	}
	if (wl_read_file("/proc/filesystems", buf, sizeof(buf)) == 0 && strstr(buf, "cgroup2")) {
		/* nothing mounted (a bare guest): mount v2 ourselves */
		snprintf(w->mount, sizeof(w->mount), "%s/cgroup2", guard_dir());
		snprintf(w->origin, sizeof(w->origin), "%s", w->mount);
		snprintf(w->parent, sizeof(w->parent), "%s", w->mount);
		w->version = 2;
		w->need_mount = true;
		return true;
	}
	if (!why[0])
		snprintf(why, len, "no memory cgroup: neither cgroup v2 with memory nor a v1 "
			 "memory hierarchy (CONFIG_MEMCG)");
	return false;
}

bool wl_memcg_supported(char *why, size_t len)
{
	struct cg_where w;

	why[0] = 0;
	if (geteuid() != 0) {
		snprintf(why, len, "needs root (memory cgroups)");
		return false;
	}
	return cg_locate(&w, why, len);
}

static int mount_v2(struct wl_guard *g, struct cg_where *w, char *why, size_t len)
{
	char buf[256], path[PATH_MAX + 32];

	if (mkdir(w->mount, 0700) && errno != EEXIST) {
		snprintf(why, len, "mkdir %s: %s", w->mount, strerror(errno));
		return -1;
	}
	if (wl_guard_push(g, GUARD_UMOUNT, w->mount, NULL) ||
	    mount("cgroup2", w->mount, "cgroup2", 0, NULL)) {
		snprintf(why, len, "mount cgroup2 on %s: %s", w->mount, strerror(errno));
		return -1;
	}
	snprintf(path, sizeof(path), "%s/cgroup.controllers", w->mount);
	if (wl_read_file(path, buf, sizeof(buf)) || !has_word(buf, "memory")) {
		snprintf(why, len, "cgroup v2: no memory controller");
		return -1;
	}
	return 0;
}

/* v2: the parent must hand the memory controller to its children. */
static int v2_delegate(struct wl_guard *g, const struct cg_where *w, char *why, size_t len)
{
	char path[PATH_MAX + 32];
	int ret;

	if (delegates_memory(w->parent))
		return 0;
	snprintf(path, sizeof(path), "%s/cgroup.subtree_control", w->parent);
	if (wl_guard_push(g, GUARD_WRITE, path, "-memory"))
		return -1;
	ret = wl_write_file(path, "+memory");
	if (ret) {
		g->nr--;
		snprintf(why, len, "enable memory in %s: %s", path, strerror(-ret));
		return -1;
	}
	return 0;
}

int wl_memcg_create(struct wl_guard *g, struct wl_memcg *cg, char *why, size_t len)
{
	char procs[PATH_MAX + 32], pid[32];
	struct cg_where w;
	int ret;

	why[0] = 0;
	if (!cg_locate(&w, why, len))
		return -1;
	if (w.need_mount && mount_v2(g, &w, why, len))
		return -1;
	if (w.version == 2 && v2_delegate(g, &w, why, len))
		return -1;
	cg->version = w.version;
	snprintf(cg->dir, sizeof(cg->dir), "%s/rmapbench-%d", w.parent, getpid());
	if (wl_guard_push(g, GUARD_RMDIR, cg->dir, NULL) || mkdir(cg->dir, 0755)) {
		snprintf(why, len, "mkdir %s: %s", cg->dir, strerror(errno));
		return -1;
	}
	snprintf(cg->origin_procs, sizeof(cg->origin_procs), "%s/cgroup.procs", w.origin);
	if (wl_guard_push(g, GUARD_ENTER, cg->origin_procs, NULL))
		return -1;
	snprintf(procs, sizeof(procs), "%s/cgroup.procs", cg->dir);
	snprintf(pid, sizeof(pid), "%d", getpid());
	ret = wl_write_file(procs, pid);
	if (ret) {
		snprintf(why, len, "enter %s: %s", cg->dir, strerror(-ret));
		return -1;
	}
	return 0;
}

int wl_memcg_leave(const struct wl_memcg *cg, char *why, size_t len)
{
	char pid[32];
	int ret;

	snprintf(pid, sizeof(pid), "%d", getpid());
	ret = wl_write_file(cg->origin_procs, pid);
	if (ret)
		snprintf(why, len, "leave %s for %s: %s", cg->dir, cg->origin_procs,
			 strerror(-ret));
	return ret ? -1 : 0;
}

long long wl_memcg_oom_kills(const struct wl_memcg *cg)
{
	char path[PATH_MAX + 64];
	long long v;

	snprintf(path, sizeof(path), "%s/%s", cg->dir,
		 cg->version == 2 ? "memory.events" : "memory.oom_control");
	return wl_read_keyed(path, "oom_kill", &v) ? -1 : v;
}

static long long cg_file_ll(const struct wl_memcg *cg, const char *name)
{
	char path[PATH_MAX + 64];
	long long v;

	snprintf(path, sizeof(path), "%s/%s", cg->dir, name);
	return wl_read_ll(path, &v) ? -1 : v;
}

long long wl_memcg_usage(const struct wl_memcg *cg)
{
	return cg_file_ll(cg, cg->version == 2 ? "memory.current" : "memory.usage_in_bytes");
}

long long wl_memcg_swap(const struct wl_memcg *cg)
{
	char path[PATH_MAX + 64];
	long long v;

	if (cg->version == 2)
		return cg_file_ll(cg, "memory.swap.current");
	snprintf(path, sizeof(path), "%s/memory.stat", cg->dir);
	return wl_read_keyed(path, "swap", &v) ? -1 : v;
}

static int timed_write(struct wl_ctx *ctx, const char *path, const char *value,
		       uint64_t *ns)
{
	uint64_t t0 = wl_now_ns();
	int ret = wl_write_file(path, value);

	*ns = wl_now_ns() - t0;
	wl_latency(ctx, "op.memory_reclaim", *ns);
	return ret;
}

/* v2: memory.reclaim in @steps chunks; stops after 3 writes in a row fail. */
static long long reclaim_v2(struct wl_ctx *ctx, const struct wl_memcg *cg, long long target,
			    int steps, char *why, size_t len)
{
	long long usage = wl_memcg_usage(cg), chunk, total = 0;
	char path[PATH_MAX + 32], val[32];
	int fails = 0;
	uint64_t ns;

	snprintf(path, sizeof(path), "%s/memory.reclaim", cg->dir);
	if (access(path, F_OK)) {
		snprintf(why, len, "no %s (kernel before 5.19)", path);
		return -1;
	}
	chunk = (usage - target) / steps;
	if (chunk < 65536)
		chunk = 65536;
	for (int i = 0; i < 4 * steps && usage > target && fails < 3; i++) {
		int ret;

		snprintf(val, sizeof(val), "%lld", chunk);
		ret = timed_write(ctx, path, val, &ns);
		total += ns;
		if (ret && ret != -EAGAIN) {
			snprintf(why, len, "write %s: %s", path, strerror(-ret));
			return -1;
		}
		fails = ret ? fails + 1 : 0;
		usage = wl_memcg_usage(cg);
	}
	return total;
}

/* Processes in the group (lines of cgroup.procs). */
static long cg_tasks(const struct wl_memcg *cg)
{
	char path[PATH_MAX + 32], line[32];
	long n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/cgroup.procs", cg->dir);
	f = fopen(path, "re");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		n++;
	fclose(f);
	return n;
}

#define V1_ROOM_PER_TASK	(256ll << 10)
#define V1_ROOM_BASE		(1ll << 20)

/*
 * v1: the lowest limit the members can live under. Kernel memory (page
 * tables, stacks, slab; counted in memory.usage_in_bytes on v1) cannot be
 * reclaimed, and a member woken from its futex wait faults its stack and
 * data back in: a limit at or below that is what OOM-killed tasks before
 * (usage 256kB, limit 256kB). Room: 256 KiB per task and 1 MiB more.
 */
static long long v1_floor(const struct wl_memcg *cg)
{
	char path[PATH_MAX + 32];
	long long kmem = cg_file_ll(cg, "memory.kmem.usage_in_bytes"), rss = 0, cache = 0;

	if (kmem < 0) {		/* no kmem file: what is neither anon nor file */
		snprintf(path, sizeof(path), "%s/memory.stat", cg->dir);
		wl_read_keyed(path, "total_rss", &rss);
		wl_read_keyed(path, "total_cache", &cache);
		kmem = wl_memcg_usage(cg) - rss - cache;
		if (kmem < 0)
			kmem = 0;
	}
	return kmem + cg_tasks(cg) * V1_ROOM_PER_TASK + V1_ROOM_BASE;
}

/*
 * v1: memory.limit_in_bytes stepped down towards @target, never below
 * v1_floor() (EBUSY, the kernel could not reclaim that far, ends it early);
 * the limit is lifted; if @target lay below the floor, memory.force_empty
 * (reclaims what it can without any limit) takes the rest.
 */
static long long reclaim_v1(struct wl_ctx *ctx, const struct wl_memcg *cg, long long target,
			    int steps, const char **method, char *why, size_t len)
{
	long long usage = wl_memcg_usage(cg), floor = v1_floor(cg), stop, chunk, limit;
	long long total = 0;
	char path[PATH_MAX + 32], val[32] = "";
	uint64_t ns;
	int ret = 0, lift;

	stop = target > floor ? target : floor;
	snprintf(path, sizeof(path), "%s/memory.limit_in_bytes", cg->dir);
	chunk = (usage - stop) / steps;
	if (chunk < 65536)
		chunk = 65536;
	for (limit = usage - chunk; limit >= stop; limit -= chunk) {
		if (limit < v1_floor(cg))	/* kernel memory grew meanwhile */
			break;
		snprintf(val, sizeof(val), "%lld", limit);
		ret = timed_write(ctx, path, val, &ns);
		total += ns;
		if (ret)
			break;
	}
	/* lift the limit: the members must be able to refault */
	lift = wl_write_file(path, "-1");
	if (ret && ret != -EBUSY) {
		snprintf(why, len, "write %s to %s: %s", val, path, strerror(-ret));
		return -1;
	}
	if (lift) {
		snprintf(why, len, "lift %s: %s", path, strerror(-lift));
		return -1;
	}
	if (target < floor && wl_memcg_usage(cg) > target) {
		snprintf(path, sizeof(path), "%s/memory.force_empty", cg->dir);
		*method = "cgroup v1 memory.limit_in_bytes lowered step by step to a floor, "
			  "then memory.force_empty";
		ret = timed_write(ctx, path, "0", &ns);
		total += ns;
		if (ret) {
			snprintf(why, len, "write 0 to %s: %s", path, strerror(-ret));
			return -1;
		}
	}
	return total;
}

long long wl_memcg_reclaim(struct wl_ctx *ctx, const struct wl_memcg *cg,
			   long long target, int steps, const char **method,
			   char *why, size_t len)
{
	if (steps < 1)
		steps = 1;
	if (cg->version == 2) {
		*method = "cgroup v2 memory.reclaim";
		return reclaim_v2(ctx, cg, target, steps, why, len);
	}
	*method = "cgroup v1 memory.limit_in_bytes lowered step by step to a floor";
	return reclaim_v1(ctx, cg, target, steps, method, why, len);
}

/* ---- trees of processes --------------------------------------------------- */

struct tree_sample {
	uint32_t op;
	uint64_t ns;
};

struct tree_shared {
	int phase;			/* futex word */
	int acks;			/* futex word */
	int next_index;
	int failed;
	char error[WL_REASON_LEN];
	pid_t pids[TREE_MAX_NODES + 1];
	int nr_ops;
	char ops[TREE_MAX_OPS][40];
	uint32_t nr_samples;
	uint32_t dropped;
	struct tree_sample samples[TREE_MAX_SAMPLES];
};

enum { OP_FORK, OP_EXIT_WAIT };

static long futex(int *uaddr, int op, int val, const struct timespec *ts)
{
	return syscall(SYS_futex, uaddr, op, val, ts, NULL, 0);
}

static void futex_wake_all(int *uaddr)
{
	futex(uaddr, FUTEX_WAKE, INT32_MAX, NULL);
}

long tree_size(long fanout, long depth)
{
	long n = 0, level = 1;

	for (long d = 0; d < depth; d++) {
		level *= fanout;
		n += level;
		if (n > TREE_MAX_NODES)
			return n;
	}
	return n;
}

int tree_init(struct share_tree *t, long fanout, long depth,
	      int (*member_fn)(struct share_tree *, int, void *), void *arg)
{
	memset(t, 0, sizeof(*t));
	t->fanout = fanout;
	t->depth = depth;
	t->nodes = tree_size(fanout, depth);
	if (t->nodes > TREE_MAX_NODES || fanout > 16)
		return -E2BIG;
	t->member_fn = member_fn;
	t->arg = arg;
	t->sh = mmap(NULL, sizeof(*t->sh), PROT_READ | PROT_WRITE,
		     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (t->sh == MAP_FAILED) {
		t->sh = NULL;
		return -errno;
	}
	t->sh->pids[0] = getpid();
	t->sh->next_index = 1;
	tree_op(t, "op.fork");
	tree_op(t, "op.exit_wait");
	return 0;
}

int tree_op(struct share_tree *t, const char *name)
{
	struct tree_shared *sh = t->sh;

	for (int i = 0; i < sh->nr_ops; i++)
		if (!strcmp(sh->ops[i], name))
			return i;
	if (sh->nr_ops == TREE_MAX_OPS)
		return -1;
	snprintf(sh->ops[sh->nr_ops], sizeof(sh->ops[0]), "%s", name);
	return sh->nr_ops++;
}

void tree_latency(struct share_tree *t, int op, uint64_t ns)
{
	uint32_t i;

	if (op < 0)
		return;
	i = __atomic_fetch_add(&t->sh->nr_samples, 1, __ATOMIC_RELAXED);
	if (i >= TREE_MAX_SAMPLES) {
		__atomic_fetch_add(&t->sh->dropped, 1, __ATOMIC_RELAXED);
		return;
	}
	t->sh->samples[i].op = op;
	t->sh->samples[i].ns = ns;
}

void tree_error(struct share_tree *t, const char *fmt, ...)
{
	va_list ap;

	if (__atomic_exchange_n(&t->sh->failed, 1, __ATOMIC_ACQ_REL))
		return;
	va_start(ap, fmt);
	vsnprintf(t->sh->error, sizeof(t->sh->error), fmt, ap);
	va_end(ap);
}

static void ack(struct share_tree *t)
{
	__atomic_fetch_add(&t->sh->acks, 1, __ATOMIC_ACQ_REL);
	futex_wake_all(&t->sh->acks);
}

/* Member: blocks until the phase differs from @seen. */
static int wait_phase(struct share_tree *t, int seen)
{
	struct timespec ts = { 1, 0 };
	int phase;

	while ((phase = __atomic_load_n(&t->sh->phase, __ATOMIC_ACQUIRE)) == seen)
		futex(&t->sh->phase, FUTEX_WAIT, seen, &ts);
	return phase;
}

/* Reaps our direct children, timing each from @since (op.exit_wait). */
static void reap_kids(struct share_tree *t, uint64_t since)
{
	for (int i = 0; i < t->nr_kids; i++) {
		int status = wl_wait_child(t->kids[i]);

		tree_latency(t, OP_EXIT_WAIT, wl_now_ns() - since);
		if (status)
			tree_error(t, "tree member %d exited with status %d", t->kids[i], status);
	}
	t->nr_kids = 0;
}

static int fork_kids(struct share_tree *t);

static void member_main(struct share_tree *t)
{
	int phase = 0;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	t->nr_kids = 0;
	fork_kids(t);		/* a failure is in sh->error; the root gives up */
	if (t->member_fn(t, 0, t->arg))
		tree_error(t, "tree member %d failed in setup", t->index);
	ack(t);
	for (;;) {
		phase = wait_phase(t, phase);
		if (phase >= TREE_PHASE_EXIT)
			break;
		if (t->member_fn(t, phase, t->arg))
			tree_error(t, "tree member %d failed in phase %d", t->index, phase);
		ack(t);
	}
	reap_kids(t, wl_now_ns());
	_exit(0);
}

/* Forks our children when our level is above the tree's depth. */
static int fork_kids(struct share_tree *t)
{
	if (t->level >= t->depth)
		return 0;
	for (long i = 0; i < t->fanout; i++) {
		int index = __atomic_fetch_add(&t->sh->next_index, 1, __ATOMIC_ACQ_REL);
		uint64_t t0 = wl_now_ns();
		pid_t pid = fork();

		if (pid < 0) {
			tree_error(t, "fork: %s", strerror(errno));
			return -1;
		}
		if (pid == 0) {
			t->level++;
			t->index = index;
			t->sh->pids[index] = getpid();
			member_main(t);
		}
		tree_latency(t, OP_FORK, wl_now_ns() - t0);
		t->kids[t->nr_kids++] = pid;
	}
	return 0;
}

/* A member gone or a zombie (not yet reaped by its parent). */
static bool member_dead(pid_t pid)
{
	char path[64], buf[512], *p;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	if (wl_read_file(path, buf, sizeof(buf)))
		return true;
	p = strrchr(buf, ')');
	return p && (p[2] == 'Z' || p[2] == 'X');
}

/*
 * Root: an OOM kill in the members' memory cgroup fails the repetition with
 * a reason naming it (instead of a member's bare SIGKILL, or a phase that
 * waits for an answer that never comes).
 */
static int tree_oom(struct wl_ctx *ctx, const struct share_tree *t)
{
	long long kills = t->memcg ? wl_memcg_oom_kills(t->memcg) : -1;

	if (kills <= 0)
		return 0;
	for (long i = 1; i <= t->nodes; i++)
		if (t->sh->pids[i] && member_dead(t->sh->pids[i]))
			return wl_fail(ctx, "OOM killer in memcg %s killed pid %d (tree member %ld)"
				       "%s", t->memcg->dir, t->sh->pids[i], i,
				       kills > 1 ? " and others" : "");
	return wl_fail(ctx, "OOM killer in memcg %s killed %lld process(es)", t->memcg->dir,
		       kills);
}

/* Root: waits until every member acknowledged; bounded. */
static int wait_acks(struct wl_ctx *ctx, struct share_tree *t, int phase)
{
	uint64_t deadline = wl_now_ns() + 120ull * 1000000000ull;
	struct timespec ts = { 0, 100 * 1000000 };
	int n;

	while ((n = __atomic_load_n(&t->sh->acks, __ATOMIC_ACQUIRE)) < t->nodes) {
		if (tree_oom(ctx, t))
			return -1;
		if (__atomic_load_n(&t->sh->failed, __ATOMIC_ACQUIRE))
			break;
		if (wl_now_ns() > deadline)
			return wl_fail(ctx, "tree phase %d: %d of %ld members answered in 120 s",
				       phase, n, t->nodes);
		futex(&t->sh->acks, FUTEX_WAIT, n, &ts);
	}
	if (tree_oom(ctx, t))
		return -1;
	if (t->sh->failed)
		return wl_fail(ctx, "%s", t->sh->error);
	return 0;
}

int tree_build(struct wl_ctx *ctx, struct share_tree *t)
{
	t->level = 0;
	t->index = 0;
	t->nr_kids = 0;
	if (fork_kids(t)) {
		t->sh->phase = TREE_PHASE_EXIT;
		futex_wake_all(&t->sh->phase);
		reap_kids(t, wl_now_ns());
		return wl_fail(ctx, "%s", t->sh->error);
	}
	return wait_acks(ctx, t, 0);
}

int tree_phase(struct wl_ctx *ctx, struct share_tree *t, int phase)
{
	__atomic_store_n(&t->sh->acks, 0, __ATOMIC_RELEASE);
	__atomic_store_n(&t->sh->phase, phase, __ATOMIC_RELEASE);
	futex_wake_all(&t->sh->phase);
	return wait_acks(ctx, t, phase);
}

const pid_t *tree_pids(const struct share_tree *t)
{
	return t->sh->pids + 1;
}

int tree_finish(struct wl_ctx *ctx, struct share_tree *t)
{
	struct tree_shared *sh = t->sh;
	uint32_t n;
	int ret = 0;

	if (!sh)
		return 0;
	ret = tree_oom(ctx, t);	/* before the reaping: dead members are still zombies */
	__atomic_store_n(&sh->phase, TREE_PHASE_EXIT, __ATOMIC_RELEASE);
	futex_wake_all(&sh->phase);
	reap_kids(t, wl_now_ns());
	n = sh->nr_samples < TREE_MAX_SAMPLES ? sh->nr_samples : TREE_MAX_SAMPLES;
	for (uint32_t i = 0; i < n; i++)
		wl_latency(ctx, sh->ops[sh->samples[i].op], sh->samples[i].ns);
	if (sh->dropped)
		wl_note(ctx, "tree_dropped_samples", "%u", sh->dropped);
	if (sh->failed)
		ret = wl_fail(ctx, "%s", sh->error);
	munmap(sh, sizeof(*sh));
	t->sh = NULL;
	return ret;
}
