/* tests/fuzz/fuzz_elf.c - libFuzzer target for common/elf.c.
 *
 * Any input must either be rejected with an "elf: " message or yield a
 * plan whose segments lie inside the file and the load block; accepted
 * plans are then loaded, so elf_load's copies are fuzzed too (ASan checks
 * every byte). The size limit keeps each run fast.
 *
 * The loader's fast path is checked against the slow one: the headers
 * alone (elf_check_head over the first 4 KiB) must plan what the whole
 * file plans, and a file that mirrors memory, loaded in place, must give
 * the bytes a copy gives. And the file cut after its first file_used
 * bytes, all the loaders read of it, must plan and load as the whole.
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

	struct elf_plan head;
	size_t avail = size < 4096 ? size : 4096;
	uint8_t *copy = malloc(avail); /* exactly the bytes at hand: ASan */
	if (!copy)
		abort();
	memcpy(copy, data, avail);
	int head_ok = elf_check_head(copy, avail, size, LOAD_LIMIT, &head, &err) == 0;
	free(copy);
	if (head_ok && (head.entry != plan.entry || head.virt_base != plan.virt_base ||
	                head.virt_end != plan.virt_end || head.segment_count != plan.segment_count))
		abort();
	if (head_ok && head.file_used != plan.file_used)
		abort();
	if (plan.file_used > size)
		abort();
	struct elf_plan cut;
	uint8_t *used = malloc(plan.file_used); /* only those bytes: ASan */
	if (!used)
		abort();
	memcpy(used, data, plan.file_used);
	if (elf_check(used, plan.file_used, LOAD_LIMIT, &cut, &err) != 0 ||
	    cut.entry != plan.entry || cut.virt_end != plan.virt_end ||
	    cut.file_used != plan.file_used)
		abort();
	unsigned char *from_cut = malloc(span);
	if (!from_cut)
		abort();
	elf_load(&cut, used, from_cut);
	if (memcmp(from_cut, dest, span))
		abort();
	free(from_cut);
	free(used);

	uint64_t offset;
	if (elf_file_mirrors_memory(&plan, &offset)) {
		if (offset & 0xfff)
			abort();
		/* [file start][kernel block][file end], as common/boot.c lays it */
		size_t block = (size_t)offset + (span > size - offset ? span : size - offset);
		unsigned char *in_place = malloc(block);
		if (!in_place)
			abort();
		memcpy(in_place, data, size);
		elf_load(&plan, in_place, in_place + offset);
		if (memcmp(in_place + offset, dest, span))
			abort();
		free(in_place);
	}
	free(dest);
	return 0;
}
