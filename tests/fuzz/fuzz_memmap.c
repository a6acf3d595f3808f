/* tests/fuzz/fuzz_memmap.c - libFuzzer target for common/memmap.c.
 *
 * The input is a list of raw (base, length, type) entries, then carves
 * and allocations. After every step the map must be what bootinfo.h
 * promises: sorted, non-overlapping, merged, usable entries page-aligned,
 * and equal to what tests/unit/memmap_oracle.h computes another way.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../unit/memmap_oracle.h"
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

static struct tb_mem_range want[ORACLE_MAX], before[CAP];

static void check_oracle(const struct memmap *map, unsigned n)
{
	if (map->count != n)
		abort();
	for (unsigned i = 0; i < n; i++)
		if (memcmp(&map->entries[i], &want[i], sizeof(want[i])))
			abort();
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
	static struct tb_mem_range storage[CAP], raw[64];
	struct memmap map;
	struct error err = {{0}};
	memmap_init(&map, storage, CAP);
	unsigned n = (unsigned)take(&data, &size, 1) % 64;
	for (unsigned i = 0; i < n; i++) {
		uint64_t base = take(&data, &size, 5) << 8;
		uint64_t length = take(&data, &size, 4) << 8;
		uint32_t type = (uint32_t)take(&data, &size, 1) % 12;
		raw[i] = (struct tb_mem_range){base, length, type, 0};
		memmap_add(&map, base, length, type, &err);
	}
	if (memmap_normalize(&map, &err))
		return 0;
	check(&map);
	check_oracle(&map, memmap_oracle(raw, n, 0, 0, 0, want, ORACLE_MAX));
	/* The oracle is quadratic: a few dozen steps find what a thousand
	 * would, at a speed that lets the target run its millions. */
	for (unsigned steps = 0; size >= 8 && steps < 32; steps++) {
		uint64_t arg = take(&data, &size, 4) << 12;
		uint32_t op = (uint32_t)take(&data, &size, 1);
		uint32_t type = TB_MEM_LOADER + op % 4;
		uint32_t count = map.count;
		memcpy(before, map.entries, count * sizeof(before[0]));
		if (op & 0x80) {
			uint64_t size_wanted = arg & 0xffffff;
			uint64_t got =
			    memmap_alloc(&map, size_wanted, 0x1000u << (op & 7), 0x100000, 0, type);
			if (got && (got & 0xfff))
				abort();
			if (got) {
				uint64_t end = got + ((size_wanted + 0xfff) & ~0xfffull);
				/* what it took was usable, all of it: one entry, since
				 * the normalised map has no two usable neighbours */
				int usable = 0;
				for (uint32_t i = 0; i < count; i++)
					usable |= before[i].type == TB_MEM_USABLE &&
					          before[i].base <= got &&
					          before[i].base + before[i].length >= end;
				if (!usable)
					abort();
				check_oracle(&map, memmap_oracle(before, count, got, end, type,
				                                 want, ORACLE_MAX));
			} else if (map.count != count || memcmp(before, map.entries, count * 24)) {
				abort(); /* a failed allocation changes nothing */
			}
		} else {
			uint64_t length = take(&data, &size, 3) << 12;
			if (memmap_carve(&map, arg, length, type, &err)) {
				/* only for want of room, and then nothing changed */
				if (map.count != count || memcmp(before, map.entries, count * 24))
					abort();
				return 0;
			}
			uint64_t end = length > UINT64_MAX - arg ? UINT64_MAX : arg + length;
			check_oracle(&map, memmap_oracle(before, count, arg, end, length ? type : 0,
			                                 want, ORACLE_MAX));
		}
		check(&map);
	}
	return 0;
}
