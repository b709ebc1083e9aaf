// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <ini.h>
#include <libgen.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

int verbose;

void err(const char *fmt, ...)
{
	va_list ap;

	fputs("rmapbench: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void info(const char *fmt, ...)
{
	va_list ap;

	if (!verbose)
		return;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int parse_long(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	if (!s || !*s)
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static int write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		buf += n;
		len -= n;
	}
	return 0;
}

int file_write_atomic(const char *path, const void *data, size_t len, char *why, size_t whylen)
{
	char dir[PATH_MAX], tmp[PATH_MAX + 32];
	struct stat st;
	int fd;

	if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode)) {
		snprintf(why, whylen, "%s: refusing to write through a symlink", path);
		return -1;
	}
	snprintf(dir, sizeof(dir), "%s", path);
	snprintf(tmp, sizeof(tmp), "%s/.rmapbench.XXXXXX", dirname(dir));
	fd = mkstemp(tmp);	/* O_EXCL: never through a link either */
	if (fd < 0) {
		snprintf(why, whylen, "%s: cannot write: %s", path, strerror(errno));
		return -1;
	}
	if (write_all(fd, data, len) || fsync(fd) || fchmod(fd, 0644)) {
		snprintf(why, whylen, "%s: write failed: %s", path, strerror(errno));
		goto fail;
	}
	if (close(fd)) {
		fd = -1;
		snprintf(why, whylen, "%s: write failed: %s", path, strerror(errno));
		goto fail;
	}
	fd = -1;
	if (rename(tmp, path)) {
		snprintf(why, whylen, "%s: cannot write: %s", path, strerror(errno));
		goto fail;
	}
	return 0;
fail:
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	return -1;
}

int text_write_atomic(const char *text, size_t len, const char *path)
{
	char why[PATH_MAX + 128];

	if (!strcmp(path, "-"))
		return write_all(STDOUT_FILENO, text, len) ? -1 : 0;
	if (file_write_atomic(path, text, len, why, sizeof(why))) {
		err("%s", why);
		return -1;
	}
	return 0;
}

int json_write_atomic(json_t *json, const char *path)
{
	char *text = json_dumps(json, JSON_INDENT(1) | JSON_REAL_PRECISION(10));
	int ret;

	if (!text) {
		err("%s: cannot serialise JSON", path);
		return -1;
	}
	ret = text_write_atomic(text, strlen(text), path);
	if (!ret && !strcmp(path, "-"))
		ret = write_all(STDOUT_FILENO, "\n", 1);
	free(text);
	return ret;
}

char *ini_read(const char *path, char *why, size_t len, int *line)
{
	FILE *f = fopen(path, "re");
	char *buf = NULL, *p, *nul;
	size_t n = 0, cap = 0;

	*line = 0;
	if (!f) {
		snprintf(why, len, "cannot read: %s", strerror(errno));
		return NULL;
	}
	for (;;) {
		char *nbuf;
		size_t got;

		if (cap - n < 4096) {
			cap = cap ? cap * 2 : 8192;
			nbuf = realloc(buf, cap);
			if (!nbuf) {
				snprintf(why, len, "cannot read: out of memory");
				goto fail;
			}
			buf = nbuf;
		}
		got = fread(buf + n, 1, cap - n - 1, f);
		n += got;
		if (n > INI_FILE_MAX) {
			snprintf(why, len, "larger than %d bytes: not a configuration file",
				 INI_FILE_MAX);
			goto fail;
		}
		if (!got)
			break;
	}
	if (ferror(f)) {
		snprintf(why, len, "cannot read: %s", strerror(errno));
		goto fail;
	}
	fclose(f);
	f = NULL;
	buf[n] = 0;
	nul = memchr(buf, 0, n);
	for (p = buf, *line = 1; p < buf + n; (*line)++) {
		char *end = memchr(p, '\n', buf + n - p) ?: buf + n;

		if (nul && nul < end) {
			snprintf(why, len, "contains a NUL byte: not a text file");
			goto fail;
		}
		if (end - p > INI_MAX_LINE - 1) {
			snprintf(why, len, "line longer than %d characters", INI_MAX_LINE - 1);
			goto fail;
		}
		p = end + 1;
	}
	*line = 0;
	return buf;
fail:
	if (f)
		fclose(f);
	free(buf);
	return NULL;
}

int for_each_item(const char *list, int (*cb)(const char *item, void *arg), void *arg)
{
	char *copy = strdup(list), *save = NULL, *tok;
	int ret = 0;

	if (!copy)
		return -1;
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char *end;

		while (*tok == ' ' || *tok == '\t')
			tok++;
		end = tok + strlen(tok);
		while (end > tok && (end[-1] == ' ' || end[-1] == '\t'))
			*--end = 0;
		if (!*tok)
			continue;
		ret = cb(tok, arg);
		if (ret)
			break;
	}
	free(copy);
	return ret;
}
