/* tests/fuzz/fuzz_config.c - libFuzzer target for common/config.c.
 *
 * Any bytes must parse or fail with a "config: " message; a parsed config
 * must hold terminated strings within their arrays and sane values. The
 * input is parsed in place with its exact length (libFuzzer's buffer is not
 * NUL-terminated), so a read past the end is an ASan report.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct config cfg;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct error err = {{0}};
	if (config_parse((const char *)data, size, &cfg, &err) != 0) {
		if (strncmp(err.msg, "config: ", 8) != 0 ||
		    strnlen(err.msg, ERROR_MAX) == ERROR_MAX)
			abort();
		return 0;
	}
	if (strnlen(cfg.kernel, CONFIG_PATH_MAX) == CONFIG_PATH_MAX ||
	    strnlen(cfg.cmdline, CONFIG_CMDLINE_MAX) == CONFIG_CMDLINE_MAX ||
	    cfg.module_count > CONFIG_MODULES_MAX || (cfg.serial != 0 && cfg.serial != 1) ||
	    (cfg.verbose != 0 && cfg.verbose != 1) || cfg.video_width > 16384 ||
	    cfg.video_height > 16384)
		abort();
	for (unsigned i = 0; i < cfg.module_count; i++)
		if (cfg.modules[i][0] == 0 ||
		    strnlen(cfg.modules[i], CONFIG_PATH_MAX) == CONFIG_PATH_MAX)
			abort();
	return 0;
}
