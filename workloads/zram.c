// SPDX-License-Identifier: GPL-2.0
/* zram swap for a workload, made and undone through its guard (zram.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/swap.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "procfs.h"
#include "wl_util.h"
#include "zram.h"

#define ZRAM_CONTROL "/sys/class/zram-control"

bool wl_swap_supported(char *why, size_t len)
{
	if (geteuid() != 0) {
		snprintf(why, len, "needs root (swapon, zram)");
		return false;
	}
	/* the probe decides whether there is a zram (loaded, or a module to load) */
	if (!wl_kernel_has("zram", why, len))
		return false;
	if (!wl_kernel_flag("swap", "procfs")) {
		snprintf(why, len, "no /proc/swaps: kernel without CONFIG_SWAP");
		return false;
	}
	/*
	 * Loaded, or a module the probe found (zram.source): the runner loads
	 * it before the workload's first repetition (bench/kmod.c), never the
	 * workload's tracked child, whose processes would count.
	 */
	return true;
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
	ret = procfs_read(path, buf, sizeof(buf));
	if (ret < 0 || sscanf(buf, "%u:%u", &maj, &min) != 2) {
		snprintf(why, len, "read %s: %s", path, strerror(ret < 0 ? -ret : EINVAL));
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
	ret = procfs_read(ZRAM_CONTROL "/hot_add", buf, sizeof(buf));
	if (ret == -ENOENT) {
		snprintf(why, len, "zram not loaded (%s absent; the runner's `modprobe zram` failed)",
			 ZRAM_CONTROL);
		return -1;
	} else if (ret < 0) {
		snprintf(why, len, "zram hot_add: %s", strerror(-ret));
		return -1;
	}
	sw->zram_id = atoi(buf);
	if (wl_guard_push(g, GUARD_ZRAM, NULL, buf)) {
		wl_guard_undo(GUARD_ZRAM, NULL, buf);
		snprintf(why, len, "cannot journal zram%d", sw->zram_id);
		return -1;
	}
	snprintf(path, sizeof(path), "/sys/block/zram%d/disksize", sw->zram_id);
	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)bytes);
	ret = procfs_write(path, buf);
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
