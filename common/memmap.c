/* common/memmap.c - the physical memory map: from firmware to the ABI's.
 *
 * Firmware maps overlap, come unsorted and split RAM into many small
 * pieces; bootinfo.h promises a sorted, non-overlapping, merged map whose
 * usable entries are page-aligned. Everything here works in the caller's
 * storage, without allocation or recursion, since it runs in stage 2 and
 * before ExitBootServices alike. Firmware maps hold tens to hundreds of
 * entries, so the simple quadratic passes are fast enough (test_memmap
 * normalises 2000 overlapping ones).
 * Specs: ACPI 6.5 ch. 15 (E820), UEFI 2.10 7.2 (memory types).
 */
#include "memmap.h"
#include "lib.h"

/* Where two entries overlap, the stricter type wins: a byte that any
 * source calls reserved must not be handed out as RAM. Weakest first:
 * free RAM, then what the loader put there (reclaimable, then the kernel's
 * own), then firmware regions the OS must keep. The framebuffer comes
 * after those: the loader adds it where GOP or VBE says the screen is,
 * which a firmware map leaves out or calls reserved, and names it there.
 * BAD is last since defective RAM must never be used whatever else claims
 * it. */
static const uint32_t strength[] = {
    [TB_MEM_USABLE] = 1,   [TB_MEM_LOADER] = 2,      [TB_MEM_MODULE] = 3,
    [TB_MEM_KERNEL] = 4,   [TB_MEM_EFI_RUNTIME] = 5, [TB_MEM_ACPI_RECLAIMABLE] = 6,
    [TB_MEM_ACPI_NVS] = 7, [TB_MEM_RESERVED] = 8,    [TB_MEM_FRAMEBUFFER] = 9,
    [TB_MEM_BAD] = 10,
};

static uint32_t rank(uint32_t type)
{
	/* An unknown type is treated as reserved: safe, never handed out. */
	return type < ARRAY_SIZE(strength) && strength[type] ? strength[type]
	                                                     : strength[TB_MEM_RESERVED];
}

static uint64_t end_of(const struct tb_mem_range *e)
{
	return e->base + e->length;
}

void memmap_init(struct memmap *map, struct tb_mem_range *storage, uint32_t capacity)
{
	map->entries = storage;
	map->count = 0;
	map->capacity = capacity;
}

int memmap_add(struct memmap *map, uint64_t base, uint64_t length, uint32_t type, struct error *err)
{
	if (!length || !type)
		return 0;
	if (map->count == map->capacity)
		return error_set(err, "memmap: more than %u entries", (unsigned)map->capacity);
	/* An entry running past the top of the address space is cut there. */
	if (length > UINT64_MAX - base)
		length = UINT64_MAX - base;
	map->entries[map->count++] = (struct tb_mem_range){base, length, type, 0};
	return 0;
}

static void remove_at(struct memmap *map, uint32_t i)
{
	memmove(&map->entries[i], &map->entries[i + 1],
	        (map->count - i - 1) * sizeof(map->entries[0]));
	map->count--;
}

/* Insert keeping the entries sorted by base (after equal bases). */
static int insert_sorted(struct memmap *map, struct tb_mem_range e, struct error *err)
{
	if (map->count == map->capacity)
		return error_set(err, "memmap: more than %u entries after splitting overlaps",
		                 (unsigned)map->capacity);
	uint32_t i = map->count;
	while (i > 0 && map->entries[i - 1].base > e.base)
		i--;
	memmove(&map->entries[i + 1], &map->entries[i], (map->count - i) * sizeof(e));
	map->entries[i] = e;
	map->count++;
	return 0;
}

static void sort_by_base(struct memmap *map)
{
	/* Insertion sort: stable, in place, and maps arrive nearly sorted. */
	for (uint32_t i = 1; i < map->count; i++) {
		struct tb_mem_range e = map->entries[i];
		uint32_t j = i;
		while (j > 0 && map->entries[j - 1].base > e.base) {
			map->entries[j] = map->entries[j - 1];
			j--;
		}
		map->entries[j] = e;
	}
}

/* Make sorted entries disjoint: walk adjacent pairs; where they overlap,
 * the weaker one gives way (trimmed, dropped or split around the
 * stronger). Sorted by base, entry i can only overlap i + 1 once every
 * earlier pair is disjoint. */
static int resolve_overlaps(struct memmap *map, struct error *err)
{
	uint32_t i = 0;
	while (i + 1 < map->count) {
		struct tb_mem_range *a = &map->entries[i], *b = &map->entries[i + 1];
		uint64_t a_end = end_of(a), b_end = end_of(b);
		if (b->base >= a_end) {
			i++;
		} else if (a->type == b->type) {
			a->length = (a_end > b_end ? a_end : b_end) - a->base;
			remove_at(map, i + 1);
		} else if (rank(a->type) >= rank(b->type)) {
			struct tb_mem_range rest = {a_end, b_end - a_end, b->type, 0};
			remove_at(map, i + 1);
			if (b_end > a_end && insert_sorted(map, rest, err))
				return -1;
		} else {
			struct tb_mem_range rest = {b_end, a_end - b_end, a->type, 0};
			if (a->base == b->base)
				remove_at(map, i);
			else
				a->length = b->base - a->base;
			if (a_end > b_end && insert_sorted(map, rest, err))
				return -1;
		}
	}
	return 0;
}

/* Usable memory shrinks inward to whole pages; 0 when nothing is left of
 * it. Shrinking only opens gaps, so nothing can merge after it. */
static int align_usable(struct tb_mem_range *e)
{
	if (e->type != TB_MEM_USABLE)
		return 1;
	uint64_t base = ALIGN_UP(e->base, (uint64_t)PAGE_SIZE);
	uint64_t end = ALIGN_DOWN(end_of(e), (uint64_t)PAGE_SIZE);
	if (base < e->base || end <= base)
		return 0;
	e->base = base;
	e->length = end - base;
	return 1;
}

int memmap_normalize(struct memmap *map, struct error *err)
{
	/* The ABI has no unknown types: whatever the firmware meant by one,
	 * the kernel must keep its hands off it. */
	for (uint32_t i = 0; i < map->count; i++)
		if (map->entries[i].type == 0 || map->entries[i].type > TB_MEM_EFI_RUNTIME)
			map->entries[i].type = TB_MEM_RESERVED;
	sort_by_base(map);
	if (resolve_overlaps(map, err))
		return -1;
	/* Merge neighbours of one type that touch, then align: two usable
	 * entries meeting at an odd address may hold a whole page between
	 * them that neither holds alone. One pass, compacting, each entry
	 * aligned once no more can merge into it: most of a UEFI map merges
	 * (OVMF's 122 descriptors at ExitBootServices became 25 entries). */
	uint32_t kept = 0;
	for (uint32_t i = 0; i < map->count; i++) {
		struct tb_mem_range e = map->entries[i];
		if (kept) {
			struct tb_mem_range *last = &map->entries[kept - 1];
			if (last->type == e.type && end_of(last) == e.base) {
				last->length += e.length;
				continue;
			}
			if (!align_usable(last))
				kept--;
		}
		map->entries[kept++] = e;
	}
	if (kept && !align_usable(&map->entries[kept - 1]))
		kept--;
	map->count = kept;
	return 0;
}

int memmap_carve(struct memmap *map, uint64_t base, uint64_t length, uint32_t type,
                 struct error *err)
{
	if (!length)
		return 0;
	if (length > UINT64_MAX - base)
		length = UINT64_MAX - base;
	uint64_t end = base + length;
	/* Make sure of the room first, so a full storage leaves the map as it
	 * was: the new entry, plus one when it lands strictly inside an
	 * entry, which splits in two around it; entries it covers go. */
	uint32_t need = map->count + 1;
	for (uint32_t i = 0; i < map->count; i++) {
		const struct tb_mem_range *e = &map->entries[i];
		if (e->base < base && end_of(e) > end)
			need++;
		else if (e->base >= base && end_of(e) <= end)
			need--;
	}
	if (need > map->capacity)
		return error_set(err,
		                 "memmap: no room to carve 0x%llx-0x%llx (%u entries, room for %u)",
		                 (unsigned long long)base, (unsigned long long)end, (unsigned)need,
		                 (unsigned)map->capacity);
	/* Cut [base, end) out of every entry first, so the new type wins
	 * whatever its strength: the caller knows what this range is now. */
	for (uint32_t i = 0; i < map->count;) {
		struct tb_mem_range *e = &map->entries[i];
		uint64_t e_end = end_of(e);
		if (e_end <= base || e->base >= end) {
			i++;
			continue;
		}
		struct tb_mem_range after = {end, e_end - end, e->type, 0};
		if (e->base < base) {
			e->length = base - e->base;
			i++;
		} else {
			remove_at(map, i);
		}
		if (e_end > end && insert_sorted(map, after, err))
			return -1;
	}
	if (insert_sorted(map, (struct tb_mem_range){base, length, type, 0}, err))
		return -1;
	return memmap_normalize(map, err);
}

uint64_t memmap_alloc(struct memmap *map, uint64_t size, uint64_t align, uint64_t min_addr,
                      uint64_t max_addr, uint32_t type)
{
	if (!size || size > UINT64_MAX - PAGE_SIZE)
		return 0;
	size = ALIGN_UP(size, (uint64_t)PAGE_SIZE);
	if (align < PAGE_SIZE)
		align = PAGE_SIZE;
	/* Address 0 means failure to the caller, so never hand it out. */
	if (min_addr < PAGE_SIZE)
		min_addr = PAGE_SIZE;
	if (!max_addr)
		max_addr = UINT64_MAX;
	for (uint32_t i = 0; i < map->count; i++) {
		const struct tb_mem_range *e = &map->entries[i];
		if (e->type != TB_MEM_USABLE)
			continue;
		uint64_t start = e->base > min_addr ? e->base : min_addr;
		uint64_t limit = end_of(e) < max_addr ? end_of(e) : max_addr;
		if (start > UINT64_MAX - align)
			continue;
		start = ALIGN_UP(start, align);
		if (start >= limit || limit - start < size)
			continue;
		if (memmap_carve(map, start, size, type, NULL))
			return 0;
		return start;
	}
	return 0;
}

uint64_t memmap_run_end(const struct memmap *map, uint64_t addr, uint32_t type)
{
	for (uint32_t i = 0; i < map->count; i++) {
		const struct tb_mem_range *e = &map->entries[i];
		if (e->type == type && e->base <= addr && addr < end_of(e))
			return end_of(e);
	}
	return addr;
}

uint64_t memmap_total(const struct memmap *map, uint32_t type)
{
	uint64_t total = 0;
	for (uint32_t i = 0; i < map->count; i++)
		if (map->entries[i].type == type)
			total += map->entries[i].length;
	return total;
}

uint64_t memmap_top(const struct memmap *map)
{
	uint64_t top = 0;
	for (uint32_t i = 0; i < map->count; i++) {
		uint32_t t = map->entries[i].type;
		int ram = t == TB_MEM_USABLE || t == TB_MEM_LOADER || t == TB_MEM_KERNEL ||
		          t == TB_MEM_MODULE || t == TB_MEM_ACPI_RECLAIMABLE ||
		          t == TB_MEM_ACPI_NVS || t == TB_MEM_EFI_RUNTIME;
		if (ram && end_of(&map->entries[i]) > top)
			top = end_of(&map->entries[i]);
	}
	return top;
}

uint32_t memmap_type_from_e820(uint32_t e820_type, uint32_t ext_attr, int has_ext_attr)
{
	/* ACPI 3.0 extended attributes: bit 0 clear means "ignore this
	 * entry"; bit 1 marks non-volatile memory, which is not RAM. */
	if (has_ext_attr && !(ext_attr & 1))
		return 0;
	if (has_ext_attr && (ext_attr & 2))
		return TB_MEM_RESERVED;
	switch (e820_type) {
	case 1:
		return TB_MEM_USABLE;
	case 3:
		return TB_MEM_ACPI_RECLAIMABLE;
	case 4:
		return TB_MEM_ACPI_NVS;
	case 5:
		return TB_MEM_BAD;
	default:
		return TB_MEM_RESERVED; /* 2, 7 (persistent), 12, unknown */
	}
}

uint32_t memmap_type_from_efi(uint32_t efi_type)
{
	/* A table, not a switch: one lookup per descriptor, and far fewer
	 * blocks for an emulator to translate than a jump table's cases. */
	static const uint8_t from_efi[] = {
	    [1] = TB_MEM_LOADER,           /* EfiLoaderCode: the running loader image */
	    [2] = TB_MEM_LOADER,           /* EfiLoaderData: its pool allocations */
	    [3] = TB_MEM_USABLE,           /* EfiBootServicesCode */
	    [4] = TB_MEM_USABLE,           /* EfiBootServicesData */
	    [5] = TB_MEM_EFI_RUNTIME,      /* EfiRuntimeServicesCode */
	    [6] = TB_MEM_EFI_RUNTIME,      /* EfiRuntimeServicesData */
	    [7] = TB_MEM_USABLE,           /* EfiConventionalMemory */
	    [8] = TB_MEM_BAD,              /* EfiUnusableMemory */
	    [9] = TB_MEM_ACPI_RECLAIMABLE, /* EfiACPIReclaimMemory */
	    [10] = TB_MEM_ACPI_NVS,        /* EfiACPIMemoryNVS */
	};
	if (efi_type < ARRAY_SIZE(from_efi) && from_efi[efi_type])
		return from_efi[efi_type];
	if (efi_type == MEMMAP_EFI_TYPE_KERNEL)
		return TB_MEM_KERNEL;
	if (efi_type == MEMMAP_EFI_TYPE_MODULE)
		return TB_MEM_MODULE;
	if (efi_type == MEMMAP_EFI_TYPE_LOADER)
		return TB_MEM_LOADER;
	/* 0 and 11-15: reserved, MMIO, port space, PAL code, persistent,
	 * unaccepted; and any type a later spec adds */
	return TB_MEM_RESERVED;
}
