// SPDX-License-Identifier: GPL-2.0
/*
 * Every workload, in the order `rmapbench list` shows them. A new workload
 * adds its `const struct workload_info` here once.
 */
#include <stddef.h>
#include <string.h>

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
