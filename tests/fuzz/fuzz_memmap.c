/* tests/fuzz/fuzz_memmap.c - libFuzzer target for common/memmap.c.
 *
 * The input is a list of raw (base, length, type) entries, then carves
 * and allocations. After every step the map must be what bootinfo.h
 * promises: sorted, non-overlapping, merged, usable entries page-aligned.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "memmap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CAP 256

static uint64_t take(const uint8_t **p, size_t *left, size_t n)
{
	uint64_t v = 0;
	for (size_t i = 0; i < n && *left; i++, (*p)++, (*left)--)
		v |= (uint64_t) * *p << (8 * i);
	return v;
}

static void check(const struct memmap *map)
{
	for (uint32_t i = 0; i < map->count; i++) {
		const struct tb_mem_range *e = &map->entries[i];
		if (!e->length || e->type < TB_MEM_USABLE || e->type > TB_MEM_EFI_RUNTIME)
			abort();
		if (e->type == TB_MEM_USABLE && ((e->base | e->length) & 0xfff))
			abort();
		if (i) {
			const struct tb_mem_range *p = &map->entries[i - 1];
			if (p->base + p->length > e->base)
				abort();
			if (p->base + p->length == e->base && p->type == e->type)
				abort();
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct tb_mem_range storage[CAP];
	struct memmap map;
	struct error err = {{0}};
	memmap_init(&map, storage, CAP);
	unsigned n = (unsigned)take(&data, &size, 1) % 64;
	for (unsigned i = 0; i < n; i++) {
		uint64_t base = take(&data, &size, 5) << 8;
		uint64_t length = take(&data, &size, 4) << 8;
		uint32_t type = (uint32_t)take(&data, &size, 1) % 12;
		memmap_add(&map, base, length, type, &err);
	}
	if (memmap_normalize(&map, &err))
		return 0;
	check(&map);
	while (size >= 8) {
		uint64_t arg = take(&data, &size, 4) << 12;
		uint32_t op = (uint32_t)take(&data, &size, 1);
		uint32_t type = TB_MEM_LOADER + op % 4;
		if (op & 0x80) {
			uint64_t got = memmap_alloc(&map, arg & 0xffffff, 0x1000u << (op & 7),
			                            0x100000, 0, type);
			if (got && (got & 0xfff))
				abort();
		} else if (memmap_carve(&map, arg, take(&data, &size, 3) << 12, type, &err)) {
			return 0;
		}
		check(&map);
	}
	return 0;
}
