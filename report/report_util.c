// SPDX-License-Identifier: GPL-2.0
/*
 * Small helpers of report/: growing strings, atomic file writes, names.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "report.h"
#include "util.h"

static void sbuf_reserve(struct sbuf *b, size_t more)
{
	size_t want = b->len + more + 1;
	char *s;

	if (b->oom || want <= b->cap)
		return;
	if (want < 2 * b->cap)
		want = 2 * b->cap;
	if (want < 256)
		want = 256;
	s = realloc(b->s, want);
	if (!s) {
		b->oom = true;
		return;
	}
	b->s = s;
	b->cap = want;
}

void sbuf_printf(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->oom = true;
		return;
	}
	sbuf_reserve(b, n);
	if (b->oom)
		return;
	va_start(ap, fmt);
	vsnprintf(b->s + b->len, n + 1, fmt, ap);
	va_end(ap);
	b->len += n;
}

void sbuf_puts(struct sbuf *b, const char *s)
{
	size_t n = strlen(s);

	sbuf_reserve(b, n);
	if (b->oom)
		return;
	memcpy(b->s + b->len, s, n + 1);
	b->len += n;
}

void sbuf_html(struct sbuf *b, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '<': sbuf_puts(b, "&lt;"); break;
		case '>': sbuf_puts(b, "&gt;"); break;
		case '&': sbuf_puts(b, "&amp;"); break;
		case '"': sbuf_puts(b, "&quot;"); break;
		case '\'': sbuf_puts(b, "&#39;"); break;
		default: sbuf_printf(b, "%c", *s);
		}
	}
}

void sbuf_md(struct sbuf *b, const char *s)
{
	for (; s && *s; s++) {
		if (strchr("|\\`*_<>[]", *s))
			sbuf_printf(b, "\\%c", *s);
		else if (*s == '\n')
			sbuf_puts(b, " ");
		else
			sbuf_printf(b, "%c", *s);
	}
}

void sbuf_free(struct sbuf *b)
{
	free(b->s);
	memset(b, 0, sizeof(*b));
}

int sbuf_write(struct sbuf *b, const char *path, char *err, size_t errlen)
{
	if (b->oom) {
		snprintf(err, errlen, "%s: out of memory", path);
		return -1;
	}
	return file_write_atomic(path, b->s ? b->s : "", b->len, err, errlen);
}

int mkdir_p(const char *path, char *err, size_t errlen)
{
	char *copy = strdup(path), *p, c;
	struct stat st;
	int ret = -1;

	if (!copy) {
		snprintf(err, errlen, "%s: out of memory", path);
		return -1;
	}
	for (p = copy + 1; ; p++) {
		if (*p != '/' && *p)
			continue;
		c = *p;
		*p = '\0';
		if (mkdir(copy, 0755) && errno != EEXIST) {
			snprintf(err, errlen, "%s: cannot create directory: %s",
				 copy, strerror(errno));
			goto out;
		}
		*p = c;
		if (!c)
			break;
	}
	if (stat(path, &st) || !S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "%s: not a directory", path);
		goto out;
	}
	ret = 0;
out:
	free(copy);
	return ret;
}

char *path_join(const char *dir, const char *name)
{
	char *p;

	if (asprintf(&p, "%s/%s", dir, name) < 0)
		return NULL;
	return p;
}

/* At most 48 bytes: names end up in graph file names. */
char *file_safe(const char *s)
{
	char *out = strndup(s ? s : "", 48), *p;

	for (p = out; p && *p; p++) {
		if (!(*p >= 'a' && *p <= 'z') && !(*p >= 'A' && *p <= 'Z') &&
		    !(*p >= '0' && *p <= '9') && *p != '.' && *p != '-' && *p != '_')
			*p = '_';
	}
	return out;
}

void utc_stamp(char *buf, size_t len, bool compact)
{
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	strftime(buf, len, compact ? "%Y%m%dT%H%M%SZ" : "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* An errno metric reads "EFAULT (14)"; anything else as fmt_num(). */
const char *fmt_metric(char *buf, size_t len, const char *unit, double v)
{
	const char *name;

	if (unit && !strcmp(unit, "errno") && v > 0 && v < 4096 && v == floor(v) &&
	    (name = strerrorname_np((int)v))) {
		snprintf(buf, len, "%s (%.0f)", name, v);
		return buf;
	}
	return fmt_num(buf, len, v);
}

const char *fmt_num(char *buf, size_t len, double v)
{
	if (isnan(v))
		snprintf(buf, len, "n/a");
	else if (isinf(v))
		snprintf(buf, len, v > 0 ? "inf" : "-inf");
	else if (v == floor(v) && fabs(v) < 1e15)
		snprintf(buf, len, "%.0f", v);
	else if (fabs(v) >= 100)
		snprintf(buf, len, "%.1f", v);
	else
		snprintf(buf, len, "%.4g", v);
	return buf;
}

const char *fmt_pct(char *buf, size_t len, double v)
{
	if (isnan(v))
		snprintf(buf, len, "n/a");
	else if (isinf(v))
		snprintf(buf, len, v > 0 ? "+inf%%" : "-inf%%");
	else
		snprintf(buf, len, "%+.2f%%", v);
	return buf;
}

json_t *json_num(double v)
{
	if (!isfinite(v))
		return json_null();
	if (v == floor(v) && fabs(v) < 9007199254740992.0)
		return json_integer((json_int_t)v);
	return json_real(v);
}

/* strcmp that takes NULL (JSON null): equal only to NULL */
bool str_eq_null(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return !strcmp(a, b);
}
