/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel differences the BPF programs read through, resolved by CO-RE at load
 * time (never by #ifdef on a version): one helper per difference, with the
 * local "flavor" types (name___suffix) that describe each layout.
 *
 * vmlinux.h is generated from the build host's BTF, so a field that exists
 * only on some kernels must be reached through a flavor type declared here,
 * never through vmlinux.h's own definition.
 */
#ifndef RMAPBENCH_CORE_FIXES_BPF_H
#define RMAPBENCH_CORE_FIXES_BPF_H

#include <bpf/bpf_core_read.h>

/*
 * folio->flags: an unsigned long up to 6.17; from 6.18 a memdesc_flags_t,
 * a struct wrapping the same unsigned long as member "f".
 */
struct rmb_memdesc_flags {
	unsigned long f;
};

struct folio___memdesc {
	struct rmb_memdesc_flags flags;
} __attribute__((preserve_access_index));

struct folio___ulong {
	unsigned long flags;
} __attribute__((preserve_access_index));

/*
 * Mapcount of a large folio: _large_mapcount (-1 based) from 6.11 on. Before
 * that only the PMD mappings (_entire_mapcount) and per-page counts existed,
 * which cannot give the total without walking every page.
 */
struct folio___large {
	atomic_t _large_mapcount;
} __attribute__((preserve_access_index));

struct folio___small {
	atomic_t _mapcount;
} __attribute__((preserve_access_index));

static __always_inline unsigned long rmb_folio_flags(const void *folio)
{
	const struct folio___memdesc *m = folio;
	const struct folio___ulong *u = folio;

	if (bpf_core_field_exists(m->flags.f))
		return BPF_CORE_READ(m, flags.f);
	return BPF_CORE_READ(u, flags);
}

static __always_inline bool rmb_folio_is_large(const void *folio)
{
	unsigned long head = bpf_core_enum_value(enum pageflags, PG_head);

	return rmb_folio_flags(folio) & (1UL << (head & 63));
}

/*
 * Number of page-table mappings of @folio (what an rmap walk visits at most),
 * or -1 where the kernel keeps no total for a large folio.
 */
static __always_inline int rmb_folio_mapcount(const void *folio)
{
	const struct folio___large *l = folio;
	const struct folio___small *s = folio;

	if (!rmb_folio_is_large(folio))
		return BPF_CORE_READ(s, _mapcount.counter) + 1;
	if (bpf_core_field_exists(l->_large_mapcount))
		return BPF_CORE_READ(l, _large_mapcount.counter) + 1;
	return -1;
}

#endif
