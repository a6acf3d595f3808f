/* tests/fuzz/fuzz_manifest.c - libFuzzer target for common/manifest.c.
 *
 * Any bytes must parse or fail with a terminated "manifest: " message; the
 * input buffer has its exact length, so a read past it is an ASan report.
 * A parsed manifest must have at most 66 terminated, absolute, distinct
 * paths; find() must return each entry's own digest, and verify() of the
 * input itself must succeed exactly when that digest is the input's hash.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "manifest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_error(const struct error *err)
{
	if (strncmp(err->msg, "manifest: ", 10) != 0 || strnlen(err->msg, ERROR_MAX) == ERROR_MAX)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct error err = {{0}};
	struct manifest_view v;
	int blank = manifest_is_blank(data, size);
	if (manifest_parse(data, size, &v, &err) != 0) {
		check_error(&err);
		return 0;
	}
	if (blank || v.count > MANIFEST_ENTRIES_MAX)
		abort();
	uint8_t self[SHA256_DIGEST_SIZE];
	sha256(data, size, self);
	for (uint32_t i = 0; i < v.count; i++) {
		const char *path = v.entries[i].path;
		if (path[0] != '/' || strnlen(path, MANIFEST_PATH_MAX) == MANIFEST_PATH_MAX)
			abort();
		if (manifest_find(&v, path) != v.entries[i].sha256)
			abort();
		/* Hashing the whole input per entry would make this target
		 * crawl; the first, second and last entries show each path. */
		if (i > 1 && i + 1 != v.count)
			continue;
		int ok = manifest_verify(&v, path, data, size, &err) == 0;
		if (ok != (memcmp(self, v.entries[i].sha256, SHA256_DIGEST_SIZE) == 0))
			abort();
		if (!ok)
			check_error(&err);
	}
	if (manifest_find(&v, "") != NULL ||
	    manifest_verify(&v, "relative", data, size, &err) != -1)
		abort();
	check_error(&err);
	return 0;
}
