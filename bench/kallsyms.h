/* SPDX-License-Identifier: GPL-2.0 */
/*
 * /proc/kallsyms, read once per process: the one place that knows its format
 * and how the compiler renames functions. Used by the capability probe (are
 * the rmap functions there, under which symbol), the rmap latency collector
 * (which symbol a kprobe attaches to) and the slab accounting (the address
 * ranges of the functions that allocate our objects).
 *
 * The rule for compiler clones: function @fn's code is the symbol @fn and
 * every symbol "@fn.<suffix>" (.isra.N, .constprop.N, .part.N, .llvm.N:
 * copies of the function; .cold: its unlikely paths moved away). Its entry,
 * where a probe attaches, is @fn itself, else its first clone that is not a
 * .cold fragment.
 */
#ifndef RMAPBENCH_KALLSYMS_H
#define RMAPBENCH_KALLSYMS_H

#include <stdbool.h>
#include <stddef.h>

struct ksym {
	unsigned long long addr;
	const char *name;
};

struct ksyms {
	struct ksym *syms;	/* built-in symbols by address (modules' left out) */
	size_t nr;
	long lines;		/* symbols read, modules' included */
	bool addrs;		/* some address is not zero (not hidden by kptr_restrict) */
	int err;		/* 0, or -errno: the file could not be read */
	char *names;		/* storage of the names */
};

/* Reads a kallsyms file into @ks; 0, or -errno (also in @ks->err). */
int ksyms_load(struct ksyms *ks, const char *path);
void ksyms_free(struct ksyms *ks);

/* /proc/kallsyms, read at the first call; never NULL (->err says why empty). */
const struct ksyms *ksyms_get(void);

/* Does symbol @sym belong to function @fn (@fn itself or a clone)? */
bool ksym_of(const char *sym, const char *fn);
/* The entry symbol of @fn (see above), or NULL. */
const struct ksym *ksyms_find(const struct ksyms *ks, const char *fn);
/* End of @sym's code: the next higher address, 0 when @sym is the last. */
unsigned long long ksyms_end(const struct ksyms *ks, const struct ksym *sym);

#endif
