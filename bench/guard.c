// SPDX-License-Identifier: GPL-2.0
/*
 * The machine-state guard (workload.h, "Machine state"), a service of the
 * runner: workloads change sysfs/procfs values, zram swap, memory cgroups
 * and mounts through it, and it puts all of it back, in reverse order, on
 * success and on error. Every change is journaled first under
 * /run/rmapbench/guard.PID, a file its owner keeps flock()ed for its life,
 * so what a killed workload left behind is undone by the runner or the next
 * run (guard_recover_stale(), guard.h, under state.lock) once the kernel
 * drops the lock (a journal without its header line: once its pid is gone);
 * one guard at a time holds /run/rmapbench/state.lock (others wait).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/swap.h>
#include <time.h>
#include <unistd.h>

#include "guard.h"
#include "procfs.h"
#include "workload.h"

const char *wl_guard_dir(void)
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
	ret = procfs_write(path, "1");
	if (ret && ret != -ENOENT)
		return ret;
	ret = procfs_write("/sys/class/zram-control/hot_remove", id);
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
		procfs_write(procs, pid);
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

/* -errno of a failed call (@rc != 0), 0 when it succeeded or failed with @gone. */
static int undo_errno(int rc, int gone)
{
	return rc && errno != gone && errno != ENOENT ? -errno : 0;
}

/* One undo step; 0 or -errno. ENOENT (and EINVAL for swap, mounts): already undone. */
static int undo_step(const struct guard_undo *u)
{
	char pid[32];
	int ret = 0;

	switch (u->kind) {
	case GUARD_WRITE:
		ret = procfs_write(u->path, u->value);
		break;
	case GUARD_SWAPOFF:
		ret = undo_errno(swapoff(u->path), EINVAL);
		break;
	case GUARD_ZRAM:
		ret = zram_remove(u->value);
		break;
	case GUARD_UNLINK:
		ret = undo_errno(unlink(u->path), ENOENT);
		break;
	case GUARD_RMDIR:
		ret = cgroup_rmdir(u->path);
		break;
	case GUARD_ENTER:
		snprintf(pid, sizeof(pid), "%d", getpid());
		ret = procfs_write(u->path, pid);
		break;
	case GUARD_UMOUNT:
		ret = undo_errno(umount2(u->path, MNT_DETACH), EINVAL);
		rmdir(u->path);
		break;
	}
	return ret;
}

int wl_guard_undo(enum guard_kind kind, const char *path, const char *value)
{
	struct guard_undo u = { .kind = kind };

	snprintf(u.path, sizeof(u.path), "%s", path ? path : "");
	snprintf(u.value, sizeof(u.value), "%s", value ? value : "");
	return undo_step(&u);
}

/* One undo step; an error is printed. */
static int undo_one(const struct guard_undo *u)
{
	int ret = undo_step(u);

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

void wl_guard_pop(struct wl_guard *g)
{
	if (g->nr > 0)
		g->nr--;
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
	if (procfs_read(path, buf, sizeof(buf)) < 0)
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
	DIR *d = opendir(wl_guard_dir());
	struct dirent *de;
	char path[PATH_MAX];
	int n = 0;

	if (!d)
		return 0;
	while ((de = readdir(d))) {
		long pid;
		char end;

		snprintf(path, sizeof(path), "%s/%s", wl_guard_dir(), de->d_name);
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
int guard_recover_stale(void)
{
	char path[PATH_MAX];
	long holder;
	int fd, n;

	if (access(wl_guard_dir(), F_OK))
		return 0;
	snprintf(path, sizeof(path), "%s/state.lock", wl_guard_dir());
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

	snprintf(path, sizeof(path), "%s/state.lock", wl_guard_dir());
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

	snprintf(g->journal, sizeof(g->journal), "%s/guard.%d", wl_guard_dir(), g->owner);
	snprintf(tmp, sizeof(tmp), "%s/.guard.%d.new", wl_guard_dir(), g->owner);
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
	if (mkdir(wl_guard_dir(), 0700) && errno != EEXIST) {
		snprintf(why, len, "mkdir %s: %s", wl_guard_dir(), strerror(errno));
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

int wl_guard_set(struct wl_guard *g, const char *path, const char *value,
		 char *why, size_t len)
{
	char old[GUARD_VALUE_LEN];
	int ret = procfs_setting(path, old, sizeof(old));

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
	ret = procfs_write(path, value);
	if (ret) {
		wl_guard_pop(g);	/* nothing to undo */
		snprintf(why, len, "write '%s' to %s: %s", value, path, strerror(-ret));
		return -1;
	}
	return 0;
}
