/* common/memmap.h - the physical memory map: from firmware to the ABI's.
 *
 * Loaders add raw entries as the firmware reports them (E820 or UEFI
 * descriptors, converted with memmap_type_from_*), carve out what they
 * allocated, and normalise: the result is sorted, non-overlapping, merged,
 * with usable entries page-aligned inward, exactly what bootinfo.h
 * promises. The BIOS loader also allocates frames from it.
 * Specs: ACPI 6.5 ch. 15 (E820), UEFI 2.10 7.2 (memory types).
 */
#ifndef TWINBOOT_MEMMAP_H
#define TWINBOOT_MEMMAP_H

#include <stdint.h>

#include "bootinfo.h"
#include "error.h"

struct memmap {
	struct tb_mem_range *entries; /* storage owned by the caller */
	uint32_t count;
	uint32_t capacity;
};

/* UEFI memory types twinboot allocates with, in the OS-defined range
 * (0x80000000 and up), so the final UEFI map tells kernel, modules and
 * loader data apart. */
#define MEMMAP_EFI_TYPE_KERNEL 0x80000001u
#define MEMMAP_EFI_TYPE_MODULE 0x80000002u
#define MEMMAP_EFI_TYPE_LOADER 0x80000003u

void memmap_init(struct memmap *map, struct tb_mem_range *storage, uint32_t capacity);

/* Append a raw entry (any order, may overlap; zero length is ignored).
 * Returns -1 with err when the storage is full. */
int memmap_add(struct memmap *map, uint64_t base, uint64_t length, uint32_t type,
               struct error *err);

/* E820 type and ACPI 3.0 extended attributes to TB_MEM_*. An entry whose
 * extended attribute bit 0 ("enabled") is clear is ignored: returns 0. */
uint32_t memmap_type_from_e820(uint32_t e820_type, uint32_t ext_attr, int has_ext_attr);

/* UEFI EFI_MEMORY_TYPE (plus the MEMMAP_EFI_TYPE_* above) to TB_MEM_*, as
 * seen after ExitBootServices: boot services memory is usable. */
uint32_t memmap_type_from_efi(uint32_t efi_type);

/* Sort, resolve overlaps (the stricter type wins: see memmap.c for the
 * order), merge adjacent entries of one type, shrink usable entries inward
 * to 4 KiB boundaries and drop empty ones. Idempotent. */
int memmap_normalize(struct memmap *map, struct error *err);

/* Mark [base, base + length) as `type` in a normalised map, splitting
 * entries as needed, and normalise again. */
int memmap_carve(struct memmap *map, uint64_t base, uint64_t length, uint32_t type,
                 struct error *err);

/* Take `size` bytes (rounded up to pages) aligned to `align` (a power of
 * two, at least 4096) from the usable memory in [min_addr, max_addr) of a
 * normalised map, preferring the lowest address; carve it as `type`.
 * Returns the physical address, or 0 when nothing fits. */
uint64_t memmap_alloc(struct memmap *map, uint64_t size, uint64_t align, uint64_t min_addr,
                      uint64_t max_addr, uint32_t type);

/* One past the end of the entry of `type` that holds `addr` in a
 * normalised map (whose neighbours of one type are merged, so that is
 * where the run of `type` ends); `addr` itself when no such entry holds it. */
uint64_t memmap_run_end(const struct memmap *map, uint64_t addr, uint32_t type);

/* Sum of the lengths of entries of `type`. */
uint64_t memmap_total(const struct memmap *map, uint32_t type);

/* One past the highest address of any RAM-like entry (usable, ACPI,
 * loader, kernel, module). */
uint64_t memmap_top(const struct memmap *map);

#endif
