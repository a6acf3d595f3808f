/* tests/unit/test_memmap.c - the memory-map normaliser, carving and the
 * frame allocator, against maps shaped like real firmware's. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "memmap.h"
#include "memmap_oracle.h"

#define CAP 64
#define BIG 4200
static struct tb_mem_range storage[BIG];
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

/* Low memory as SeaBIOS reports it: usable up to the EBDA at 0x9fc00,
 * which normalising rounds down to the page. */
static void test_run_end(void **state)
{
	(void)state;
	add(0, 0x9fc00, TB_MEM_USABLE);
	add(0x9fc00, 0x400, TB_MEM_RESERVED);
	add(0xf0000, 0x10000, TB_MEM_RESERVED);
	add(0x100000, 0x100000, TB_MEM_USABLE);
	add(0x200000, 0x100000, TB_MEM_USABLE); /* merged with the one before */
	normalize();
	assert_int_equal(memmap_run_end(&map, 0x80000, TB_MEM_USABLE), 0x9f000);
	assert_int_equal(memmap_run_end(&map, 0, TB_MEM_USABLE), 0x9f000);
	assert_int_equal(memmap_run_end(&map, 0x9efff, TB_MEM_USABLE), 0x9f000);
	/* the end itself is outside, and so is a hole or another type */
	assert_int_equal(memmap_run_end(&map, 0x9f000, TB_MEM_USABLE), 0x9f000);
	assert_int_equal(memmap_run_end(&map, 0xa0000, TB_MEM_USABLE), 0xa0000);
	assert_int_equal(memmap_run_end(&map, 0xf8000, TB_MEM_USABLE), 0xf8000);
	assert_int_equal(memmap_run_end(&map, 0xf8000, TB_MEM_RESERVED), 0x100000);
	assert_int_equal(memmap_run_end(&map, 0x150000, TB_MEM_USABLE), 0x300000);
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

/* Four overlapping entries of four types, added in each of the 24 orders:
 * one answer. */
static void test_every_order_gives_one_map(void **state)
{
	(void)state;
	static const struct tb_mem_range raw[4] = {{0x0000, 0x10000, TB_MEM_USABLE, 0},
	                                           {0x3000, 0x4000, TB_MEM_ACPI_NVS, 0},
	                                           {0x5000, 0x6000, TB_MEM_RESERVED, 0},
	                                           {0x9000, 0x3000, TB_MEM_LOADER, 0}};
	static const int perms[24][4] = {
	    {0, 1, 2, 3}, {0, 1, 3, 2}, {0, 2, 1, 3}, {0, 2, 3, 1}, {0, 3, 1, 2}, {0, 3, 2, 1},
	    {1, 0, 2, 3}, {1, 0, 3, 2}, {1, 2, 0, 3}, {1, 2, 3, 0}, {1, 3, 0, 2}, {1, 3, 2, 0},
	    {2, 0, 1, 3}, {2, 0, 3, 1}, {2, 1, 0, 3}, {2, 1, 3, 0}, {2, 3, 0, 1}, {2, 3, 1, 0},
	    {3, 0, 1, 2}, {3, 0, 2, 1}, {3, 1, 0, 2}, {3, 1, 2, 0}, {3, 2, 0, 1}, {3, 2, 1, 0}};
	for (int p = 0; p < 24; p++) {
		memmap_init(&map, storage, CAP);
		for (int i = 0; i < 4; i++)
			add(raw[perms[p][i]].base, raw[perms[p][i]].length, raw[perms[p][i]].type);
		normalize();
		assert_int_equal(map.count, 5);
		expect(0, 0x0000, 0x3000, TB_MEM_USABLE);
		expect(1, 0x3000, 0x2000, TB_MEM_ACPI_NVS);
		expect(2, 0x5000, 0x6000, TB_MEM_RESERVED); /* beats NVS and the loader */
		expect(3, 0xb000, 0x1000, TB_MEM_LOADER);
		expect(4, 0xc000, 0x4000, TB_MEM_USABLE);
	}
}

/* The framebuffer the loader adds names the screen's range whatever the
 * firmware called it (here reserved, as a PCI hole often is); only
 * defective RAM outranks it. */
static void test_framebuffer_outranks_all_but_bad(void **state)
{
	(void)state;
	add(0x0, 0xa0000, TB_MEM_USABLE);
	add(0xe0000000, 0x20000000, TB_MEM_RESERVED);
	add(0xfd000000, 0x300000, TB_MEM_FRAMEBUFFER);
	add(0xfd100000, 0x1000, TB_MEM_BAD);
	normalize();
	assert_int_equal(map.count, 6);
	expect(0, 0x0, 0xa0000, TB_MEM_USABLE);
	expect(1, 0xe0000000, 0x1d000000, TB_MEM_RESERVED);
	expect(2, 0xfd000000, 0x100000, TB_MEM_FRAMEBUFFER);
	expect(3, 0xfd100000, 0x1000, TB_MEM_BAD);
	expect(4, 0xfd101000, 0x1ff000, TB_MEM_FRAMEBUFFER);
	expect(5, 0xfd300000, 0x2d00000, TB_MEM_RESERVED);
}

/* Two usable entries meeting at an odd address share a whole page. */
static void test_unaligned_neighbours_keep_their_page(void **state)
{
	(void)state;
	add(0x1400, 0x1000, TB_MEM_USABLE);
	add(0x400, 0x1000, TB_MEM_USABLE);
	normalize();
	assert_int_equal(map.count, 1);
	expect(0, 0x1000, 0x1000, TB_MEM_USABLE);
}

static void test_carve_at_the_edges(void **state)
{
	(void)state;
	struct error err = {{0}};
	add(0x10000, 0x10000, TB_MEM_USABLE);
	add(0x30000, 0x10000, TB_MEM_USABLE);
	normalize();
	/* head and tail of the first entry */
	assert_int_equal(memmap_carve(&map, 0x10000, 0x1000, TB_MEM_LOADER, &err), 0);
	assert_int_equal(memmap_carve(&map, 0x1f000, 0x1000, TB_MEM_KERNEL, &err), 0);
	/* across the end of one entry, the gap and into the next */
	assert_int_equal(memmap_carve(&map, 0x1e000, 0x14000, TB_MEM_MODULE, &err), 0);
	assert_int_equal(map.count, 4);
	expect(0, 0x10000, 0x1000, TB_MEM_LOADER);
	expect(1, 0x11000, 0xd000, TB_MEM_USABLE);
	expect(2, 0x1e000, 0x14000, TB_MEM_MODULE);
	expect(3, 0x32000, 0xe000, TB_MEM_USABLE);
	/* exactly one whole entry, and an unaligned cut into usable memory */
	assert_int_equal(memmap_carve(&map, 0x10000, 0x1000, TB_MEM_KERNEL, &err), 0);
	assert_int_equal(memmap_carve(&map, 0x3f800, 0x100, TB_MEM_RESERVED, &err), 0);
	assert_int_equal(map.count, 5);
	expect(0, 0x10000, 0x1000, TB_MEM_KERNEL);
	expect(3, 0x32000, 0xd000, TB_MEM_USABLE); /* up to the page holding the cut */
	expect(4, 0x3f800, 0x100, TB_MEM_RESERVED);
}

static void test_carve_without_room_leaves_the_map(void **state)
{
	(void)state;
	struct error err = {{0}};
	memmap_init(&map, storage, 2);
	add(0x100000, 0x100000, TB_MEM_USABLE);
	normalize();
	assert_int_equal(memmap_carve(&map, 0x140000, 0x1000, TB_MEM_KERNEL, &err), -1);
	assert_string_equal(err.msg,
	                    "memmap: no room to carve 0x140000-0x141000 (3 entries, room for 2)");
	assert_int_equal(map.count, 1);
	expect(0, 0x100000, 0x100000, TB_MEM_USABLE);
	/* at an edge it needs one entry more, not two: that fits */
	assert_int_equal(memmap_carve(&map, 0x100000, 0x1000, TB_MEM_KERNEL, &err), 0);
	assert_int_equal(map.count, 2);
	/* and an allocation that can't be recorded is no allocation */
	assert_int_equal(memmap_alloc(&map, 0x1000, 0x1000, 0x140000, 0, TB_MEM_LOADER), 0);
	assert_int_equal(map.count, 2);
	expect(1, 0x101000, 0xff000, TB_MEM_USABLE);
}

static void test_alloc_rounding_and_bounds(void **state)
{
	(void)state;
	add(0, 0x9f000, TB_MEM_USABLE);
	add(0x100000, 0x700000, TB_MEM_USABLE);
	normalize();
	/* page 0 is never handed out: 0 means failure */
	assert_int_equal(memmap_alloc(&map, 0x1000, 0x1000, 0, 0, TB_MEM_LOADER), 0x1000);
	/* sizes round up to pages */
	assert_int_equal(memmap_alloc(&map, 0x1001, 0x1000, 0, 0, TB_MEM_LOADER), 0x2000);
	assert_int_equal(memmap_total(&map, TB_MEM_LOADER), 0x3000);
	assert_int_equal(memmap_alloc(&map, 0, 0x1000, 0, 0, TB_MEM_LOADER), 0);
	/* max_addr is exclusive: a block ending right at it fits */
	assert_int_equal(memmap_alloc(&map, 0x200000, 0x200000, 0x100000, 0x400000, TB_MEM_KERNEL),
	                 0x200000);
	assert_int_equal(memmap_alloc(&map, 0x200000, 0x200000, 0x100000, 0x5fffff, TB_MEM_KERNEL),
	                 0);
	assert_int_equal(memmap_alloc(&map, 0x200000, 0x200000, 0x100000, 0x600000, TB_MEM_KERNEL),
	                 0x400000);
	/* min_addr inside a block, then aligned up */
	assert_int_equal(memmap_alloc(&map, 0x1000, 0x10000, 0x123000, 0, TB_MEM_MODULE), 0x130000);
	struct error err = {{0}};
	assert_int_equal(memmap_normalize(&map, &err), 0);
	assert_int_equal(memmap_total(&map, TB_MEM_KERNEL), 0x400000);
	assert_int_equal(memmap_total(&map, TB_MEM_MODULE), 0x1000);
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(uint64_t n)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state % n;
}

static void expect_oracle(const struct tb_mem_range *want, unsigned n, const char *what,
                          unsigned round)
{
	if (map.count != n)
		fail_msg("%s, round %u: %u entries, the oracle has %u", what, round,
		         (unsigned)map.count, n);
	for (unsigned i = 0; i < n; i++)
		expect(i, want[i].base, want[i].length, want[i].type);
}

/* Random maps with 1 KiB granularity, unknown types and type 0 included,
 * against the oracle; then carves and allocations on the result. */
static void test_random_maps_match_the_oracle(void **state)
{
	(void)state;
	static struct tb_mem_range raw[48], want[BIG], before[BIG];
	struct error err = {{0}};
	for (unsigned round = 0; round < 3000; round++) {
		unsigned n = 1 + (unsigned)rnd(40);
		memmap_init(&map, storage, BIG);
		for (unsigned i = 0; i < n; i++) {
			raw[i] = (struct tb_mem_range){rnd(0x100) * 0x400, rnd(0x30) * 0x400,
			                               (uint32_t)rnd(13), 0};
			memmap_add(&map, raw[i].base, raw[i].length, raw[i].type, NULL);
		}
		normalize();
		unsigned expected = memmap_oracle(raw, n, 0, 0, 0, want, BIG);
		expect_oracle(want, expected, "normalize", round);
		normalize(); /* idempotent */
		expect_oracle(want, expected, "renormalize", round);

		uint32_t count = map.count;
		memcpy(before, map.entries, count * sizeof(before[0]));
		uint64_t base = rnd(0x110) * 0x400, length = (1 + rnd(0x20)) * 0x400;
		uint32_t type = 1 + (uint32_t)rnd(10);
		assert_int_equal(memmap_carve(&map, base, length, type, &err), 0);
		expect_oracle(want,
		              memmap_oracle(before, count, base, base + length, type, want, BIG),
		              "carve", round);

		/* the lowest aligned fit, by brute force over the pages */
		count = map.count;
		memcpy(before, map.entries, count * sizeof(before[0]));
		uint64_t size = (1 + rnd(4)) * 0x1000, align = 0x1000ull << rnd(3);
		uint64_t lowest = 0;
		for (uint64_t a = align; a + size <= 0x50000 && !lowest; a += align) {
			int fits = 1;
			for (uint64_t p = a; p < a + size && fits; p += 0x1000) {
				fits = 0;
				for (uint32_t i = 0; i < count; i++)
					if (before[i].type == TB_MEM_USABLE &&
					    before[i].base <= p &&
					    before[i].base + before[i].length >= p + 0x1000)
						fits = 1;
			}
			if (fits)
				lowest = a;
		}
		uint64_t got = memmap_alloc(&map, size, align, 0, 0, TB_MEM_KERNEL);
		assert_int_equal(got, lowest);
		if (got)
			expect_oracle(
			    want,
			    memmap_oracle(before, count, got, got + size, TB_MEM_KERNEL, want, BIG),
			    "alloc", round);
	}
}

/* A big firmware map: 2000 raw entries, shuffled, many overlapping. */
static void test_two_thousand_entries(void **state)
{
	(void)state;
	static struct tb_mem_range raw[2000], want[BIG];
	for (unsigned i = 0; i < 1000; i++) {
		raw[2 * i] =
		    (struct tb_mem_range){0x100000 + i * 0x10000ull, 0xf000, TB_MEM_USABLE, 0};
		raw[2 * i + 1] =
		    (struct tb_mem_range){0x100000 + i * 0x10000ull + 0xe800, 0x2000,
		                          i % 3 ? TB_MEM_RESERVED : TB_MEM_ACPI_NVS, 0};
	}
	raw[1999] = (struct tb_mem_range){0x4000000, 0x8000000, TB_MEM_USABLE, 0};
	for (unsigned i = 1999; i > 0; i--) {
		unsigned j = (unsigned)rnd(i + 1);
		struct tb_mem_range t = raw[i];
		raw[i] = raw[j];
		raw[j] = t;
	}
	memmap_init(&map, storage, BIG);
	for (unsigned i = 0; i < 2000; i++)
		add(raw[i].base, raw[i].length, raw[i].type);
	normalize();
	expect_oracle(want, memmap_oracle(raw, 2000, 0, 0, 0, want, BIG), "2000 entries", 0);
	assert_true(map.count > 1000);
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
	assert_int_equal(memmap_type_from_efi(15), TB_MEM_RESERVED);         /* unaccepted */
	assert_int_equal(memmap_type_from_efi(16), TB_MEM_RESERVED);         /* past the spec's */
	assert_int_equal(memmap_type_from_efi(0x70000000), TB_MEM_RESERVED); /* OEM */
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
	    cmocka_unit_test_setup(test_run_end, setup),
	    cmocka_unit_test_setup(test_alloc_lowest_fit_with_limits, setup),
	    cmocka_unit_test_setup(test_unknown_type_becomes_reserved, setup),
	    cmocka_unit_test_setup(test_every_order_gives_one_map, setup),
	    cmocka_unit_test_setup(test_framebuffer_outranks_all_but_bad, setup),
	    cmocka_unit_test_setup(test_unaligned_neighbours_keep_their_page, setup),
	    cmocka_unit_test_setup(test_carve_at_the_edges, setup),
	    cmocka_unit_test_setup(test_carve_without_room_leaves_the_map, setup),
	    cmocka_unit_test_setup(test_alloc_rounding_and_bounds, setup),
	    cmocka_unit_test_setup(test_random_maps_match_the_oracle, setup),
	    cmocka_unit_test_setup(test_two_thousand_entries, setup),
	    cmocka_unit_test_setup(test_full_storage_is_an_error, setup),
	    cmocka_unit_test_setup(test_e820_types, setup),
	    cmocka_unit_test_setup(test_efi_types, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
