// SPDX-License-Identifier: GPL-2.0
/*
 * Every workload, in the order `rmapbench list` shows them. A new workload
 * adds its `const struct workload_info` here once.
 */
#include <stddef.h>
#include <string.h>

#include <jansson.h>

#include "workload.h"

extern const struct workload_info fork_chain_info;
extern const struct workload_info fork_tree_info;
extern const struct workload_info mremap_frag_info;
extern const struct workload_info mremap_multi_info;
extern const struct workload_info reclaim_info;
extern const struct workload_info migrate_info;
extern const struct workload_info thp_info;
extern const struct workload_info ksm_info;
extern const struct workload_info footprint_info;

const struct workload_info *const workload_table[] = {
	&fork_chain_info,
	&fork_tree_info,
	&mremap_frag_info,
	&mremap_multi_info,
	&reclaim_info,
	&migrate_info,
	&thp_info,
	&ksm_info,
	&footprint_info,
	NULL,
};

const struct workload_info *workload_find(const char *name)
{
	const struct workload_info *const *info;

	for (info = workload_table; *info; info++)
		if (!strcmp((*info)->name, name))
			return *info;
	return NULL;
}

static bool json_value_equal(json_t *a, json_t *b)
{
	if (json_is_number(a) && json_is_number(b))
		return json_number_value(a) == json_number_value(b);
	return json_equal(a, b);
}

/* Whether @v is the declared default of parameter @key of @workload. */
static bool param_default(const char *workload, const char *key, json_t *v)
{
	const struct workload_info *info = workload_find(workload);
	const struct wl_param *p;

	for (p = info ? info->params : NULL; p && p->name; p++)
		if (!strcmp(p->name, key))
			return json_is_integer(v) && json_integer_value(v) == p->def;
	return false;
}

/* Every parameter of @a is in @b with the same value, or absent there and @a's is the default. */
static bool params_within(const char *workload, json_t *a, json_t *b)
{
	const char *key;
	json_t *va, *vb;

	json_object_foreach(a, key, va) {
		vb = json_object_get(b, key);
		if (vb ? !json_value_equal(va, vb) : !param_default(workload, key, va))
			return false;
	}
	return true;
}

bool workload_params_equal(const char *workload, json_t *a, json_t *b)
{
	return params_within(workload, a, b) && params_within(workload, b, a);
}
