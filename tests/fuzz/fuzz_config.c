// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer: the INI configuration of `rmapbench run --config FILE`.
 * The input is the file; config_load() reads it as it reads a user's.
 * Accepted: every value within its range and the config serialises.
 * Refused: exactly one error line, nothing crashes or leaks.
 */
#include "config.h"
#include "fuzz_common.h"
#include "fuzz_config_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = fuzz_file(0, data, size);
	struct config cfg;

	config_init(&cfg);
	fuzz_check_config(&cfg);
	if (config_load(&cfg, path))
		return 0;
	FUZZ_ASSERT(cfg.path == path);
	fuzz_check_config(&cfg);
	return 0;
}
