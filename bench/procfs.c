// SPDX-License-Identifier: GPL-2.0
/* Small procfs/sysfs readers and writers (procfs.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "procfs.h"

int procfs_read(const char *path, char *buf, size_t len)
{
	ssize_t n;
	size_t got = 0;
	int fd, ret;

	if (!len)
		return -EINVAL;
	buf[0] = '\0';
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while (got < len - 1) {
		n = read(fd, buf + got, len - 1 - got);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			ret = -errno;
			close(fd);
			buf[0] = '\0';
			return ret;
		}
		if (n == 0)
			break;
		got += n;
	}
	close(fd);
	while (got && (buf[got - 1] == '\n' || buf[got - 1] == '\r'))
		got--;
	buf[got] = '\0';
	return (int)got;
}

char *procfs_slurp(const char *path, size_t *lenp)
{
	size_t cap = 4096, len = 0;
	char *buf, *tmp;
	ssize_t n;
	int fd, saved;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	buf = malloc(cap);
	if (!buf)
		goto fail;
	for (;;) {
		if (len + 1 >= cap) {
			tmp = realloc(buf, cap * 2);
			if (!tmp)
				goto fail;
			buf = tmp;
			cap *= 2;
		}
		n = read(fd, buf + len, cap - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			goto fail;
		if (n == 0)
			break;
		len += n;
	}
	close(fd);
	buf[len] = '\0';
	if (lenp)
		*lenp = len;
	return buf;
fail:
	saved = errno;
	free(buf);
	close(fd);
	errno = saved;
	return NULL;
}

int procfs_read_ll(const char *path, long long *val)
{
	char buf[128], *end;
	int ret;

	ret = procfs_read(path, buf, sizeof(buf));
	if (ret < 0)
		return ret;
	errno = 0;
	*val = strtoll(buf, &end, 10);
	if (errno || end == buf)
		return -EINVAL;
	return 0;
}

int procfs_read_long(const char *path, long *val)
{
	long long v;
	int ret = procfs_read_ll(path, &v);

	if (!ret)
		*val = v;
	return ret;
}

int procfs_read_keyed(const char *path, const char *key, long long *val)
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

int procfs_write(const char *path, const char *value)
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

int procfs_setting(const char *path, char *out, size_t len)
{
	char buf[512];
	int ret = procfs_read(path, buf, sizeof(buf));

	if (ret < 0)
		return ret;
	if (procfs_bracket_choice(buf, out, len))
		snprintf(out, len, "%s", buf);
	return 0;
}

int procfs_bracket_choice(const char *text, char *out, size_t len)
{
	const char *open, *close_;
	size_t n;

	if (len)
		out[0] = '\0';
	open = strchr(text, '[');
	if (!open)
		return -ENOENT;
	close_ = strchr(open, ']');
	if (!close_ || close_ == open + 1)
		return -ENOENT;
	n = close_ - open - 1;
	if (n >= len)
		return -ENOSPC;
	memcpy(out, open + 1, n);
	out[n] = '\0';
	return 0;
}

bool procfs_has_word(const char *text, const char *word)
{
	size_t wl = strlen(word);
	const char *p = text;

	while ((p = strstr(p, word))) {
		bool start = p == text || p[-1] == ' ' || p[-1] == '\t' || p[-1] == '\n';
		char end = p[wl];

		if (start && (end == '\0' || end == ' ' || end == '\t' || end == '\n'))
			return true;
		p += wl;
	}
	return false;
}
