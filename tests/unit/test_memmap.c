/* tests/unit/test_memmap.c - the memory-map normaliser, carving and the
 * frame allocator, against maps shaped like real firmware's. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "memmap.h"

#define CAP 64
static struct tb_mem_range storage[CAP];
static struct memmap map;

static int setup(void **state)
{
	(void)state;
	memset(storage, 0xee, sizeof(storage));
	memmap_init(&map, storage, CAP);
	return 0;
}

static void add(uint64_t base, uint64_t length, uint32_t type)
{
	assert_int_equal(memmap_add(&map, base, length, type, NULL), 0);
}

static void expect(unsigned i, uint64_t base, uint64_t length, uint32_t type)
{
	assert_true(i < map.count);
	if (map.entries[i].base != base || map.entries[i].length != length ||
	    map.entries[i].type != type)
		fail_msg("entry %u: got {0x%llx, 0x%llx, %u}, want {0x%llx, 0x%llx, %u}", i,
		         (unsigned long long)map.entries[i].base,
		         (unsigned long long)map.entries[i].length, (unsigned)map.entries[i].type,
		         (unsigned long long)base, (unsigned long long)length, (unsigned)type);
	assert_int_equal(map.entries[i].reserved, 0);
}

static void normalize(void)
{
	struct error err = {{0}};
	assert_int_equal(memmap_normalize(&map, &err), 0);
}

static void test_sorts_and_merges(void **state)
{
	(void)state;
	add(0x200000, 0x100000, TB_MEM_USABLE);
	add(0x100000, 0x100000, TB_MEM_USABLE);
	add(0, 0x9f000, TB_MEM_USABLE);
	add(0xf0000, 0x10000, TB_MEM_RESERVED);
	normalize();
	assert_int_equal(map.count, 3);
	expect(0, 0, 0x9f000, TB_MEM_USABLE);
	expect(1, 0xf0000, 0x10000, TB_MEM_RESERVED);
	expect(2, 0x100000, 0x200000, TB_MEM_USABLE);
}

static void test_stricter_type_wins_in_any_order(void **state)
{
	(void)state;
	for (int order = 0; order < 2; order++) {
		memmap_init(&map, storage, CAP);
		if (order == 0) {
			add(0x100000, 0x400000, TB_MEM_USABLE);
			add(0x200000, 0x100000, TB_MEM_ACPI_NVS);
		} else {
			add(0x200000, 0x100000, TB_MEM_ACPI_NVS);
			add(0x100000, 0x400000, TB_MEM_USABLE);
		}
		normalize();
		assert_int_equal(map.count, 3);
		expect(0, 0x100000, 0x100000, TB_MEM_USABLE);
		expect(1, 0x200000, 0x100000, TB_MEM_ACPI_NVS);
		expect(2, 0x300000, 0x200000, TB_MEM_USABLE);
	}
}

static void test_partial_overlaps(void **state)
{
	(void)state;
	add(0x1000, 0x3000, TB_MEM_RESERVED); /* 0x1000-0x4000 */
	add(0x3000, 0x3000, TB_MEM_USABLE);   /* 0x3000-0x6000: loses its head */
	add(0x5000, 0x2000, TB_MEM_BAD);      /* 0x5000-0x7000: takes the tail */
	normalize();
	assert_int_equal(map.count, 3);
	expect(0, 0x1000, 0x3000, TB_MEM_RESERVED);
	expect(1, 0x4000, 0x1000, TB_MEM_USABLE);
	expect(2, 0x5000, 0x2000, TB_MEM_BAD);
}

static void test_usable_shrinks_to_pages(void **state)
{
	(void)state;
	add(0x100, 0x2000, TB_MEM_USABLE);   /* 0x100-0x2100 -> 0x1000-0x2000 */
	add(0x10000, 0x800, TB_MEM_USABLE);  /* less than a page: vanishes */
	add(0x20010, 0x10, TB_MEM_ACPI_NVS); /* not usable: kept as is */
	normalize();
	assert_int_equal(map.count, 2);
	expect(0, 0x1000, 0x1000, TB_MEM_USABLE);
	expect(1, 0x20010, 0x10, TB_MEM_ACPI_NVS);
}

static void test_normalize_is_idempotent(void **state)
{
	(void)state;
	add(0, 0xa0000, TB_MEM_USABLE);
	add(0x9fc00, 0x400, TB_MEM_RESERVED);
	add(0x100000, 0x7ee0000, TB_MEM_USABLE);
	add(0x7fe0000, 0x20000, TB_MEM_RESERVED);
	add(0x3000000, 0x1000, TB_MEM_ACPI_RECLAIMABLE);
	normalize();
	struct tb_mem_range before[CAP];
	uint32_t count = map.count;
	memcpy(before, storage, sizeof(before));
	normalize();
	assert_int_equal(map.count, count);
	assert_memory_equal(before, storage, count * sizeof(before[0]));
}

static void test_carve_splits_and_overrides(void **state)
{
	(void)state;
	struct error err = {{0}};
	add(0x100000, 0x1000000, TB_MEM_USABLE);
	add(0x2000000, 0x100000, TB_MEM_RESERVED);
	normalize();
	assert_int_equal(memmap_carve(&map, 0x200000, 0x3000, TB_MEM_KERNEL, &err), 0);
	/* a framebuffer carved over a reserved range wins: the loader knows */
	assert_int_equal(memmap_carve(&map, 0x2000000, 0x100000, TB_MEM_FRAMEBUFFER, &err), 0);
	assert_int_equal(map.count, 4);
	expect(0, 0x100000, 0x100000, TB_MEM_USABLE);
	expect(1, 0x200000, 0x3000, TB_MEM_KERNEL);
	expect(2, 0x203000, 0xefd000, TB_MEM_USABLE);
	expect(3, 0x2000000, 0x100000, TB_MEM_FRAMEBUFFER);
}

static void test_alloc_lowest_fit_with_limits(void **state)
{
	(void)state;
	add(0x1000, 0x9e000, TB_MEM_USABLE);
	add(0x100000, 0x100000, TB_MEM_USABLE);
	add(0x300000, 0x400000, TB_MEM_USABLE);
	normalize();
	uint64_t a = memmap_alloc(&map, 0x2000, 0x1000, 0x100000, 0, TB_MEM_LOADER);
	assert_int_equal(a, 0x100000);
	/* too big for the second block: goes to the third, 2 MiB aligned */
	uint64_t b = memmap_alloc(&map, 0x180000, 0x200000, 0x100000, 0, TB_MEM_KERNEL);
	assert_int_equal(b, 0x400000);
	/* nothing below the limit is big enough */
	assert_int_equal(memmap_alloc(&map, 0x200000, 0x1000, 0x100000, 0x300000, TB_MEM_LOADER),
	                 0);
	assert_int_equal(memmap_total(&map, TB_MEM_KERNEL), 0x180000);
	assert_int_equal(memmap_total(&map, TB_MEM_LOADER), 0x2000);
	assert_int_equal(memmap_top(&map), 0x700000);
}

/* Found by fuzz_memmap: an unknown type must not reach the kernel. */
static void test_unknown_type_becomes_reserved(void **state)
{
	(void)state;
	add(0x1000, 0x1000, 42);
	normalize();
	assert_int_equal(map.count, 1);
	expect(0, 0x1000, 0x1000, TB_MEM_RESERVED);
}

static void test_full_storage_is_an_error(void **state)
{
	(void)state;
	struct error err = {{0}};
	struct tb_mem_range small[2];
	memmap_init(&map, small, 2);
	assert_int_equal(memmap_add(&map, 0, 0x1000, TB_MEM_USABLE, &err), 0);
	assert_int_equal(memmap_add(&map, 0x2000, 0x1000, TB_MEM_USABLE, &err), 0);
	assert_int_equal(memmap_add(&map, 0x4000, 0x1000, TB_MEM_USABLE, &err), -1);
	assert_string_equal(err.msg, "memmap: more than 2 entries");
}

static void test_e820_types(void **state)
{
	(void)state;
	assert_int_equal(memmap_type_from_e820(1, 0, 0), TB_MEM_USABLE);
	assert_int_equal(memmap_type_from_e820(1, 1, 1), TB_MEM_USABLE);
	assert_int_equal(memmap_type_from_e820(1, 0, 1), 0);               /* "ignore this entry" */
	assert_int_equal(memmap_type_from_e820(1, 3, 1), TB_MEM_RESERVED); /* non-volatile */
	assert_int_equal(memmap_type_from_e820(2, 0, 0), TB_MEM_RESERVED);
	assert_int_equal(memmap_type_from_e820(3, 0, 0), TB_MEM_ACPI_RECLAIMABLE);
	assert_int_equal(memmap_type_from_e820(4, 0, 0), TB_MEM_ACPI_NVS);
	assert_int_equal(memmap_type_from_e820(5, 0, 0), TB_MEM_BAD);
	assert_int_equal(memmap_type_from_e820(7, 0, 0), TB_MEM_RESERVED);
	assert_int_equal(memmap_type_from_e820(99, 0, 0), TB_MEM_RESERVED);
}

static void test_efi_types(void **state)
{
	(void)state;
	assert_int_equal(memmap_type_from_efi(0), TB_MEM_RESERVED);
	assert_int_equal(memmap_type_from_efi(1), TB_MEM_LOADER);
	assert_int_equal(memmap_type_from_efi(2), TB_MEM_LOADER);
	assert_int_equal(memmap_type_from_efi(3), TB_MEM_USABLE);
	assert_int_equal(memmap_type_from_efi(4), TB_MEM_USABLE);
	assert_int_equal(memmap_type_from_efi(5), TB_MEM_EFI_RUNTIME);
	assert_int_equal(memmap_type_from_efi(6), TB_MEM_EFI_RUNTIME);
	assert_int_equal(memmap_type_from_efi(7), TB_MEM_USABLE);
	assert_int_equal(memmap_type_from_efi(8), TB_MEM_BAD);
	assert_int_equal(memmap_type_from_efi(9), TB_MEM_ACPI_RECLAIMABLE);
	assert_int_equal(memmap_type_from_efi(10), TB_MEM_ACPI_NVS);
	assert_int_equal(memmap_type_from_efi(11), TB_MEM_RESERVED);
	assert_int_equal(memmap_type_from_efi(MEMMAP_EFI_TYPE_KERNEL), TB_MEM_KERNEL);
	assert_int_equal(memmap_type_from_efi(MEMMAP_EFI_TYPE_MODULE), TB_MEM_MODULE);
	assert_int_equal(memmap_type_from_efi(MEMMAP_EFI_TYPE_LOADER), TB_MEM_LOADER);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_sorts_and_merges, setup),
	    cmocka_unit_test_setup(test_stricter_type_wins_in_any_order, setup),
	    cmocka_unit_test_setup(test_partial_overlaps, setup),
	    cmocka_unit_test_setup(test_usable_shrinks_to_pages, setup),
	    cmocka_unit_test_setup(test_normalize_is_idempotent, setup),
	    cmocka_unit_test_setup(test_carve_splits_and_overrides, setup),
	    cmocka_unit_test_setup(test_alloc_lowest_fit_with_limits, setup),
		cmocka_unit_test_setup(test_unknown_type_becomes_reserved, setup),
	    cmocka_unit_test_setup(test_full_storage_is_an_error, setup),
	    cmocka_unit_test_setup(test_e820_types, setup),
	    cmocka_unit_test_setup(test_efi_types, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
