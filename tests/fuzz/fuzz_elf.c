/* tests/fuzz/fuzz_elf.c - libFuzzer target for common/elf.c.
 *
 * Any input must either be rejected with an "elf: " message or yield a
 * plan whose segments lie inside the file and the load block; accepted
 * plans are then loaded, so elf_load's copies are fuzzed too (ASan checks
 * every byte). The size limit keeps each run fast.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "elf.h"

#define LOAD_LIMIT (256u << 10)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct elf_plan plan;
	struct error err = {{0}};
	if (elf_check(data, size, LOAD_LIMIT, &plan, &err) != 0) {
		if (strncmp(err.msg, "elf: ", 5) != 0 || strnlen(err.msg, ERROR_MAX) == ERROR_MAX)
			abort();
		return 0;
	}
	uint64_t span = plan.virt_end - plan.virt_base;
	if (plan.segment_count == 0 || plan.segment_count > ELF_MAX_SEGMENTS || span > LOAD_LIMIT)
		abort();
	for (unsigned i = 0; i < plan.segment_count; i++) {
		const struct elf_segment *s = &plan.segments[i];
		if (s->offset > size || s->filesz > size - s->offset || s->filesz > s->memsz ||
		    s->vaddr < plan.virt_base || s->vaddr + s->memsz > plan.virt_end ||
		    (i > 0 && s->vaddr < plan.segments[i - 1].vaddr + plan.segments[i - 1].memsz))
			abort();
	}
	unsigned char *dest = malloc(span);
	if (!dest)
		abort();
	elf_load(&plan, data, dest);
	free(dest);
	return 0;
}
