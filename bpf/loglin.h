/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Log-linear histogram buckets, shared by the BPF programs (bpf/rmaplat.bpf.c)
 * and user space (bench/rmaplat.c, bench/wlctx.c): one definition of the
 * bucket index and of its bounds.
 *
 * Values below 2 * LH_SUB have a bucket each (exact). Above, every power of
 * two [2^e, 2^(e+1)) is cut into LH_SUB equal sub-buckets of width
 * 2^(e - LH_SUB_BITS), so a bucket's width is at most 1/LH_SUB of its lower
 * bound: any value in it lies within LH_REL_ERR_PCT (6.25%) of the lower bound
 * and within half that of the bucket's midpoint. The whole u64 range is
 * covered: LH_NR_BUCKETS buckets, no overflow bucket.
 *
 * No loops, no division, no builtins the BPF backend lacks: fls is done
 * with six compares and shifts, so the verifier of 6.1 accepts it as is.
 */
#ifndef RMAPBENCH_LOGLIN_H
#define RMAPBENCH_LOGLIN_H

#define LH_SUB_BITS	4
#define LH_SUB		(1u << LH_SUB_BITS)			/* 16 per power of two */
#define LH_NR_BUCKETS	((64 - LH_SUB_BITS + 1) << LH_SUB_BITS)	/* 976 */
#define LH_REL_ERR_PCT	(100.0 / LH_SUB)			/* 6.25 */
/* Array size in BPF: a power of two, so that "idx & (LH_BPF_SLOTS - 1)"
 * bounds the index for the verifier. Slots >= LH_NR_BUCKETS stay 0. */
#define LH_BPF_SLOTS	1024

#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif

/* Number of significant bits of @v: 0 for 0, 64 for 2^63 and above. */
static __always_inline unsigned int lh_fls64(unsigned long long v)
{
	unsigned int b = 0;

	if (v >> 32) {
		b += 32;
		v >>= 32;
	}
	if (v >> 16) {
		b += 16;
		v >>= 16;
	}
	if (v >> 8) {
		b += 8;
		v >>= 8;
	}
	if (v >> 4) {
		b += 4;
		v >>= 4;
	}
	if (v >> 2) {
		b += 2;
		v >>= 2;
	}
	if (v >> 1) {
		b += 1;
		v >>= 1;
	}
	return b + (unsigned int)v;
}

/* Bucket of @v: 0 .. LH_NR_BUCKETS - 1, monotonic in @v. */
static __always_inline unsigned int lh_index(unsigned long long v)
{
	unsigned int e;

	if (v < LH_SUB)
		return (unsigned int)v;
	e = lh_fls64(v) - 1;		/* 2^e <= v < 2^(e+1), e >= LH_SUB_BITS */
	return ((e - LH_SUB_BITS + 1) << LH_SUB_BITS) +
	       (unsigned int)((v >> (e - LH_SUB_BITS)) & (LH_SUB - 1));
}

/* Smallest value of bucket @i (i < LH_NR_BUCKETS). */
static __always_inline unsigned long long lh_lower(unsigned int i)
{
	unsigned int g = i >> LH_SUB_BITS, sub = i & (LH_SUB - 1);

	if (g < 2)
		return i;
	return (unsigned long long)(LH_SUB + sub) << (g - 1);
}

/* Largest value of bucket @i (inclusive; ~0ull for the last one). */
static __always_inline unsigned long long lh_upper(unsigned int i)
{
	unsigned int g = i >> LH_SUB_BITS, sub = i & (LH_SUB - 1);

	if (g < 2)
		return i;
	/* wraps to 2^64 - 1 for the last bucket: unsigned, well defined */
	return ((unsigned long long)(LH_SUB + sub + 1) << (g - 1)) - 1;
}

#endif
