// SPDX-License-Identifier: GPL-2.0
/* /proc/kallsyms, read once (kallsyms.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kallsyms.h"

struct ksym_raw {
	unsigned long long addr;
	size_t name;		/* offset in the name storage */
	size_t line;		/* order in the file: ties keep it */
};

static int raw_cmp(const void *a, const void *b)
{
	const struct ksym_raw *x = a, *y = b;

	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	return x->line < y->line ? -1 : x->line > y->line;
}

/* Appends @s to the storage; its offset, or -1 without memory. */
static long store_name(char **pool, size_t *used, size_t *cap, const char *s, size_t n)
{
	long off = *used;

	if (*used + n + 1 > *cap) {
		size_t ncap = *cap ? *cap * 2 : 1 << 20;
		char *tmp;

		while (ncap < *used + n + 1)
			ncap *= 2;
		tmp = realloc(*pool, ncap);
		if (!tmp)
			return -1;
		*pool = tmp;
		*cap = ncap;
	}
	memcpy(*pool + *used, s, n);
	(*pool)[*used + n] = '\0';
	*used += n + 1;
	return off;
}

static int parse(struct ksyms *ks, FILE *f)
{
	size_t len = 0, nr = 0, cap = 0, used = 0, pool_cap = 0;
	struct ksym_raw *raw = NULL, *tmp;
	char *line = NULL, *name, *end;
	unsigned long long addr;
	int ret = -ENOMEM;
	long off;

	while (getline(&line, &len, f) > 0) {
		/* "addr type name[\t[module]]" */
		addr = strtoull(line, &name, 16);
		ks->lines++;
		ks->addrs |= addr != 0;
		if (*name != ' ' || !name[1] || name[2] != ' ')
			continue;
		name += 3;
		end = name + strcspn(name, " \t\n");
		if (*end == '\t' || end == name)
			continue;	/* a module's symbol */
		if (nr == cap) {
			cap = cap ? cap * 2 : 65536;
			tmp = realloc(raw, cap * sizeof(*raw));
			if (!tmp)
				goto out;
			raw = tmp;
		}
		off = store_name(&ks->names, &used, &pool_cap, name, end - name);
		if (off < 0)
			goto out;
		raw[nr] = (struct ksym_raw){ .addr = addr, .name = off, .line = nr };
		nr++;
	}
	if (ferror(f)) {
		ret = -EIO;
		goto out;
	}
	ks->syms = calloc(nr ? nr : 1, sizeof(*ks->syms));
	if (!ks->syms)
		goto out;
	if (nr)
		qsort(raw, nr, sizeof(*raw), raw_cmp);
	for (size_t i = 0; i < nr; i++)
		ks->syms[i] = (struct ksym){ .addr = raw[i].addr, .name = ks->names + raw[i].name };
	ks->nr = nr;
	ret = 0;
out:
	free(raw);
	free(line);
	return ret;
}

int ksyms_load(struct ksyms *ks, const char *path)
{
	FILE *f;

	memset(ks, 0, sizeof(*ks));
	f = fopen(path, "re");
	if (!f) {
		ks->err = -errno;
		return ks->err;
	}
	ks->err = parse(ks, f);
	fclose(f);
	if (ks->err) {
		int err = ks->err;

		ksyms_free(ks);
		ks->err = err;
	}
	return ks->err;
}

void ksyms_free(struct ksyms *ks)
{
	free(ks->syms);
	free(ks->names);
	memset(ks, 0, sizeof(*ks));
}

const struct ksyms *ksyms_get(void)
{
	static struct ksyms ks;
	static bool loaded;

	if (!loaded) {
		ksyms_load(&ks, "/proc/kallsyms");
		loaded = true;
	}
	return &ks;
}

bool ksym_of(const char *sym, const char *fn)
{
	size_t n = strlen(fn);

	return !strncmp(sym, fn, n) && (sym[n] == '\0' || sym[n] == '.');
}

const struct ksym *ksyms_find(const struct ksyms *ks, const char *fn)
{
	const struct ksym *clone = NULL;
	size_t n = strlen(fn);

	for (size_t i = 0; i < ks->nr; i++) {
		const char *s = ks->syms[i].name;

		if (!ksym_of(s, fn))
			continue;
		if (s[n] == '\0')
			return &ks->syms[i];
		if (!clone && strcmp(s + n, ".cold") && strncmp(s + n, ".cold.", 6))
			clone = &ks->syms[i];
	}
	return clone;
}

unsigned long long ksyms_end(const struct ksyms *ks, const struct ksym *sym)
{
	for (size_t i = sym - ks->syms + 1; i < ks->nr; i++)
		if (ks->syms[i].addr != sym->addr)
			return ks->syms[i].addr;
	return 0;
}
