// SPDX-License-Identifier: GPL-2.0
#include <stddef.h>
#include "collector.h"

extern const struct collector rmaplat_collector;
extern const struct collector perfcount_collector;

/* One line per collector; the runner calls them in this order. */
const struct collector *const collector_table[] = {
	&rmaplat_collector,
	&perfcount_collector,
	NULL,
};
