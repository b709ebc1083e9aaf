/* SPDX-License-Identifier: GPL-2.0 */
/*
 * `rmapbench probe`: the BPF attach tests. Each loads a trivial program built
 * here for one method and attaches it for real; everything is closed again.
 * A failure comes with the kernel's errno text (and the verifier's last words).
 */
#ifndef RMAPBENCH_PROBE_ATTACH_H
#define RMAPBENCH_PROBE_ATTACH_H

#include <stdbool.h>
#include <stddef.h>

struct btf;

#define PROBE_REASON_LEN 512
#define PROBE_ERRLEN	 128	/* errno text */

enum probe_method { M_RAW_TP, M_TP_BTF, M_FENTRY, M_KPROBE, NR_METHODS };

/* "raw_tp", "tp_btf", "fentry", "kprobe" */
const char *probe_method_name(enum probe_method mi);
/* The standard target: sched_process_fork (tracepoints), folio_referenced (functions) */
const char *probe_method_target(enum probe_method mi);

/*
 * Loads a trivial BPF program for @method ("raw_tp", "tp_btf", "fentry",
 * "kprobe") and attaches it to its standard target, where for the tracepoint
 * methods it also checks that the program runs on a fork. false: @reason says
 * why, with the kernel's errno text.
 */
bool probe_attach_works(const char *method, char *reason, size_t len);

/*
 * Same for a given @target: a tracepoint name (raw_tp, tp_btf) or a kernel
 * function (fentry, kprobe). No check that the program runs.
 */
bool probe_attach_target(const char *method, const char *target,
			 char *reason, size_t len);

/*
 * The test behind both: method @mi on @target, with vmlinux @btf (NULL:
 * @btf_err says why) for the BTF methods, optionally checking that the
 * program runs on a fork(). false: @reason says why, followed by the kernel
 * options the method needs that are not set if @hint.
 */
bool probe_attach_test(enum probe_method mi, const struct btf *btf, int btf_err,
		       const char *target, bool check_fire, bool hint,
		       char *reason, size_t len);
/* vmlinux BTF, or NULL with *@err = -errno */
struct btf *probe_btf_load(int *err);

/* Appends to the NUL-terminated @buf of @len bytes; nothing when it is full. */
void probe_append(char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
