// SPDX-License-Identifier: GPL-2.0
/*
 * The capability probe's results for the workloads (workload.h): their
 * supported() and their setup read what `rmapbench probe` found, probed once
 * per process, instead of probing the kernel again with code of their own.
 */
#include <stdio.h>
#include <jansson.h>

#include "probe_caps.h"
#include "workload.h"

bool wl_kernel_has(const char *cap, char *why, size_t len)
{
	const json_t *c = probe_cap(cap);
	const char *reason;

	if (json_is_true(json_object_get(c, "available")))
		return true;
	reason = json_string_value(json_object_get(c, "reason"));
	snprintf(why, len, "%s: %s", cap, reason ? reason : "no such capability");
	return false;
}

bool wl_kernel_flag(const char *cap, const char *key)
{
	return json_is_true(json_object_get(probe_cap(cap), key));
}

bool wl_kernel_detail(const char *cap, const char *key, char *out, size_t len)
{
	const char *s = json_string_value(json_object_get(probe_cap(cap), key));

	if (!s)
		return false;
	snprintf(out, len, "%s", s);
	return true;
}
