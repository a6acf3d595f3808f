/* tests/unit/test_paging.c - the page-table builder, walked back with
 * paging_lookup and by hand, over host frames (phys == host pointer). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "paging.h"

#define KBASE 0xffffffff80000000ull
#define GIB 0x40000000ull
#define MIB2 0x200000ull

static void *frames[4096];
static unsigned frame_count;
static unsigned frame_limit;

static uint64_t alloc_frame(void *ctx)
{
	(void)ctx;
	if (frame_count >= frame_limit)
		return 0;
	void *p = aligned_alloc(4096, 4096);
	/* Garbage, as a loader's frames may hold: paging.c must write every
	 * entry of a new table itself. */
	memset(p, 0xa5, 4096);
	frames[frame_count++] = p;
	return (uint64_t)(uintptr_t)p;
}

static int teardown(void **state)
{
	(void)state;
	for (unsigned i = 0; i < frame_count; i++)
		free(frames[i]);
	frame_count = 0;
	return 0;
}

static struct paging new_tables(int nx, int huge_1g)
{
	struct paging pg = {0};
	struct error err = {{0}};
	frame_limit = 4096;
	pg.nx = nx;
	pg.huge_1g = huge_1g;
	pg.alloc_frame = alloc_frame;
	assert_int_equal(paging_init(&pg, &err), 0);
	return pg;
}

static void map(struct paging *pg, uint64_t virt, uint64_t phys, uint64_t size, uint32_t flags)
{
	struct error err = {{0}};
	if (paging_map(pg, virt, phys, size, flags, &err))
		fail_msg("paging_map: %s", err.msg);
}

static void expect_mapping(struct paging *pg, uint64_t virt, uint64_t phys, uint32_t flags)
{
	uint64_t got_phys;
	uint32_t got_flags;
	if (!paging_lookup(pg, virt, &got_phys, &got_flags))
		fail_msg("0x%llx is not mapped", (unsigned long long)virt);
	assert_int_equal(got_phys, phys);
	assert_int_equal(got_flags, flags);
}

static void test_kernel_segments_keep_their_permissions(void **state)
{
	(void)state;
	struct paging pg = new_tables(1, 0);
	map(&pg, KBASE, 0x200000, 0x3000, PAGING_EXEC);           /* .text r-x */
	map(&pg, KBASE + 0x3000, 0x203000, 0x1000, 0);            /* .rodata r-- */
	map(&pg, KBASE + 0x4000, 0x204000, 0x2000, PAGING_WRITE); /* .data rw- */
	expect_mapping(&pg, KBASE + 0x123, 0x200123, PAGING_EXEC);
	expect_mapping(&pg, KBASE + 0x3008, 0x203008, 0);
	expect_mapping(&pg, KBASE + 0x5ff8, 0x205ff8, PAGING_WRITE);
	uint64_t phys;
	uint32_t flags;
	assert_false(paging_lookup(&pg, KBASE + 0x6000, &phys, &flags));
	assert_false(paging_lookup(&pg, KBASE - 0x1000, &phys, &flags));
	/* one PDPT, one PD, one PT below the PML4 */
	assert_int_equal(pg.frames_used, 4);
}

static void test_without_nx_everything_is_executable(void **state)
{
	(void)state;
	struct paging pg = new_tables(0, 0);
	map(&pg, KBASE, 0x200000, 0x1000, 0);
	expect_mapping(&pg, KBASE, 0x200000, PAGING_EXEC);
	/* and no bit 63 in the leaf: it would be a reserved-bit fault */
	uint64_t *pml4 = (uint64_t *)(uintptr_t)pg.pml4;
	uint64_t *pdpt = (uint64_t *)(uintptr_t)(pml4[511] & 0x000ffffffffff000ull);
	uint64_t *pd = (uint64_t *)(uintptr_t)(pdpt[510] & 0x000ffffffffff000ull);
	uint64_t *pt = (uint64_t *)(uintptr_t)(pd[0] & 0x000ffffffffff000ull);
	assert_int_equal(pt[0] >> 63, 0);
}

static void test_direct_map_uses_large_pages(void **state)
{
	(void)state;
	uint64_t dm = 0xffff800000000000ull;
	struct paging big = new_tables(1, 1);
	map(&big, dm, 0, 6 * GIB, PAGING_WRITE);
	expect_mapping(&big, dm + 5 * GIB + 0x1234, 5 * GIB + 0x1234, PAGING_WRITE);
	assert_int_equal(big.frames_used, 2); /* PML4 + PDPT: 1 GiB leaves */
	assert_true(big.frames_used <= paging_frames_needed(6 * GIB, 1) + 1);
	teardown(NULL);

	struct paging mid = new_tables(1, 0);
	map(&mid, dm, 0, 6 * GIB, PAGING_WRITE);
	expect_mapping(&mid, dm + 3 * GIB + 0x201000, 3 * GIB + 0x201000, PAGING_WRITE);
	assert_int_equal(mid.frames_used, 2 + 6); /* a PD per GiB */
	assert_true(mid.frames_used <= paging_frames_needed(6 * GIB, 1) + 1);
}

static void test_finer_mapping_splits_a_large_page(void **state)
{
	(void)state;
	struct paging pg = new_tables(1, 1);
	map(&pg, 0, 0, 4 * GIB, PAGING_WRITE | PAGING_EXEC);
	/* a read-only 4 KiB page inside the first 1 GiB and 2 MiB pages */
	map(&pg, 0x201000, 0x201000, 0x1000, 0);
	expect_mapping(&pg, 0x201000, 0x201000, 0);
	expect_mapping(&pg, 0x200000, 0x200000, PAGING_WRITE | PAGING_EXEC);
	expect_mapping(&pg, 0x202000, 0x202000, PAGING_WRITE | PAGING_EXEC);
	expect_mapping(&pg, 0x3fe00000, 0x3fe00000, PAGING_WRITE | PAGING_EXEC);
	expect_mapping(&pg, GIB + 0x5000, GIB + 0x5000, PAGING_WRITE | PAGING_EXEC);
}

static void test_guard_page_unmapped(void **state)
{
	(void)state;
	struct error err = {{0}};
	struct paging pg = new_tables(1, 0);
	uint64_t top = 0xffffffff7ff00000ull;
	map(&pg, top - 0x11000, 0x400000, 0x11000, PAGING_WRITE);
	assert_int_equal(paging_unmap_page(&pg, top - 0x11000, &err), 0);
	uint64_t phys;
	uint32_t flags;
	assert_false(paging_lookup(&pg, top - 0x11000, &phys, &flags));
	expect_mapping(&pg, top - 0x10000, 0x401000, PAGING_WRITE);
}

static void test_bad_arguments_are_named(void **state)
{
	(void)state;
	struct error err = {{0}};
	struct paging pg = new_tables(1, 0);
	assert_int_equal(paging_map(&pg, 0x1001, 0, 0x1000, 0, &err), -1);
	assert_string_equal(err.msg, "paging: unaligned mapping 0x1001 -> 0x0 (0x1000 bytes)");
	assert_int_equal(paging_map(&pg, 0x0000800000000000ull, 0, 0x1000, 0, &err), -1);
	assert_string_equal(err.msg, "paging: 0x800000000000 (0x1000 bytes) is not canonical");
	frame_limit = frame_count; /* no more frames */
	assert_int_equal(paging_map(&pg, KBASE, 0, 0x1000, 0, &err), -1);
	assert_non_null(strstr(err.msg, "out of memory for page tables"));
}

/* Everything a loader maps, in one set of tables, as docs/ABI.md states
 * it: identity 4 GiB, direct map, kernel segments, stack with a guard. */
static void test_the_whole_layout(void **state)
{
	(void)state;
	struct error err = {{0}};
	uint64_t dm = 0xffff800000000000ull, top = 0xffffffff7ff00000ull;
	struct paging pg = new_tables(1, 1);
	map(&pg, 0, 0, 4 * GIB, PAGING_WRITE | PAGING_EXEC);
	map(&pg, dm, 0, 6 * GIB, PAGING_WRITE);
	map(&pg, KBASE, 0x1000000, 0x5000, PAGING_EXEC);
	map(&pg, KBASE + 0x5000, 0x1005000, 0x2000, 0);
	map(&pg, KBASE + 0x7000, 0x1007000, 0x9000, PAGING_WRITE);
	map(&pg, top - 0x11000, 0x2000000, 0x11000, PAGING_WRITE);
	assert_int_equal(paging_unmap_page(&pg, top - 0x11000, &err), 0);

	expect_mapping(&pg, 0xb8000, 0xb8000, PAGING_WRITE | PAGING_EXEC);
	expect_mapping(&pg, 4 * GIB - 8, 4 * GIB - 8, PAGING_WRITE | PAGING_EXEC);
	expect_mapping(&pg, dm + 0xb8000, 0xb8000, PAGING_WRITE);
	expect_mapping(&pg, dm + 6 * GIB - 1, 6 * GIB - 1, PAGING_WRITE);
	expect_mapping(&pg, KBASE + 0x4fff, 0x1004fff, PAGING_EXEC);
	expect_mapping(&pg, KBASE + 0x5000, 0x1005000, 0);
	expect_mapping(&pg, KBASE + 0xffff, 0x100ffff, PAGING_WRITE);
	expect_mapping(&pg, top - 8, 0x2010ff8, PAGING_WRITE);
	expect_mapping(&pg, top - 0x10000, 0x2001000, PAGING_WRITE);
	uint64_t phys;
	uint32_t flags;
	assert_false(paging_lookup(&pg, 4 * GIB, &phys, &flags));
	assert_false(paging_lookup(&pg, dm + 6 * GIB, &phys, &flags));
	assert_false(paging_lookup(&pg, top - 0x10001, &phys, &flags)); /* the guard */
	assert_false(paging_lookup(&pg, top, &phys, &flags));
	assert_false(paging_lookup(&pg, KBASE + 0x10000, &phys, &flags));
	/* PML4; identity: PDPT; direct map: PDPT; kernel and stack share the
	 * top PDPT (index 510 and 509) with a PD and a PT each */
	assert_int_equal(pg.frames_used, 1 + 1 + 1 + 1 + 2 + 2);
}

static void test_identity_map_frame_counts(void **state)
{
	(void)state;
	struct paging pg = new_tables(1, 0);
	map(&pg, 0, 0, 4 * GIB, PAGING_WRITE | PAGING_EXEC);
	assert_int_equal(pg.frames_used, 1 + 1 + 4); /* 2 MiB leaves in 4 PDs */
	expect_mapping(&pg, 0x12345678, 0x12345678, PAGING_WRITE | PAGING_EXEC);
	teardown(NULL);
	pg = new_tables(1, 1);
	map(&pg, 0, 0, 4 * GIB, PAGING_WRITE | PAGING_EXEC);
	assert_int_equal(pg.frames_used, 1 + 1); /* four 1 GiB leaves */
	expect_mapping(&pg, 0xfee00000, 0xfee00000, PAGING_WRITE | PAGING_EXEC);
}

/* The tables a fresh paging_map of [virt, virt + size) must use, page by
 * page: each 4 KiB page lies in the largest leaf that the range covers
 * whole and that virt and phys agree on below its size; it needs a PD
 * unless in a 1 GiB leaf, a PT if in no large leaf. Plus the PML4 and a
 * PDPT (all ranges here are below 512 GiB). */
static unsigned tables_expected(uint64_t virt, uint64_t phys, uint64_t size, int huge_1g)
{
	unsigned n = 2;
	uint64_t end = virt + size, last_pd = UINT64_MAX, last_pt = UINT64_MAX;
	for (uint64_t at = virt; at < end; at += 0x1000) {
		uint64_t g = at & ~(GIB - 1), m = at & ~(MIB2 - 1);
		if (huge_1g && !((virt ^ phys) & (GIB - 1)) && g >= virt && g + GIB <= end)
			continue;
		if (g != last_pd) {
			n++;
			last_pd = g;
		}
		if (!((virt ^ phys) & (MIB2 - 1)) && m >= virt && m + MIB2 <= end)
			continue;
		if (m != last_pt) {
			n++;
			last_pt = m;
		}
	}
	return n;
}

/* Ranges that start and end anywhere around 2 MiB and 1 GiB boundaries,
 * with phys in and out of step with virt: every 4 KiB page maps to its
 * frame with the flags asked, the pages around the range stay unmapped,
 * and the tables used are exactly those the range needs (so runs of
 * leaves fill whole tables and large pages are used wherever they fit). */
static void test_runs_across_table_ends(void **state)
{
	(void)state;
	srand(7);
	for (int round = 0; round < 200; round++) {
		int huge_1g = round & 1;
		uint64_t virt = (uint64_t)(1 + rand() % 3) * GIB -
		                (uint64_t)(rand() % 1024) * 0x1000 -
		                (round & 2 ? 0 : (uint64_t)(rand() % 3) * MIB2);
		uint64_t phys = round % 3 == 0   ? virt + 3 * GIB
		                : round % 3 == 1 ? virt + 5 * MIB2
		                                 : virt + 0x7000;
		uint64_t size = (uint64_t)(rand() % 2048 + 1) * 0x1000 +
		                (round & 4 ? (uint64_t)(rand() % 4) * MIB2 : 0) +
		                (round & 8 ? GIB : 0);
		uint32_t flags = round & 16 ? PAGING_WRITE : PAGING_EXEC;
		struct paging pg = new_tables(1, huge_1g);
		map(&pg, virt, phys, size, flags);
		for (uint64_t off = 0; off < size; off += 0x1000)
			expect_mapping(&pg, virt + off, phys + off, flags);
		uint64_t got_phys;
		uint32_t got_flags;
		assert_false(paging_lookup(&pg, virt - 0x1000, &got_phys, &got_flags));
		assert_false(paging_lookup(&pg, virt + size, &got_phys, &got_flags));
		if (pg.frames_used != tables_expected(virt, phys, size, huge_1g))
			fail_msg("round %d: 0x%llx -> 0x%llx, 0x%llx bytes, 1 GiB pages %d: %llu "
			         "tables, expected %u",
			         round, (unsigned long long)virt, (unsigned long long)phys,
			         (unsigned long long)size, huge_1g,
			         (unsigned long long)pg.frames_used,
			         tables_expected(virt, phys, size, huge_1g));
		teardown(NULL);
	}
}

/* A 4 KiB page inside a 2 MiB one costs exactly one page table, and the
 * other 511 pages keep the large page's mapping and permissions. */
static void test_split_of_a_2m_page(void **state)
{
	(void)state;
	struct paging pg = new_tables(1, 0);
	map(&pg, 0x40000000, 0x80000000, 2 * MIB2, PAGING_WRITE);
	assert_int_equal(pg.frames_used, 3);
	map(&pg, 0x401ff000, 0x5000, 0x1000, PAGING_EXEC);
	assert_int_equal(pg.frames_used, 4);
	expect_mapping(&pg, 0x401ff010, 0x5010, PAGING_EXEC);
	expect_mapping(&pg, 0x40000000, 0x80000000, PAGING_WRITE);
	expect_mapping(&pg, 0x401fe000, 0x801fe000, PAGING_WRITE);
	expect_mapping(&pg, 0x40200000, 0x80200000, PAGING_WRITE);
}

/* A 2 MiB page inside a 1 GiB one: one page directory, the rest intact. */
static void test_split_of_a_1g_page(void **state)
{
	(void)state;
	struct paging pg = new_tables(1, 1);
	map(&pg, GIB, 3 * GIB, GIB, PAGING_WRITE);
	assert_int_equal(pg.frames_used, 2);
	map(&pg, GIB + 0x600000, 0x200000, MIB2, PAGING_EXEC);
	assert_int_equal(pg.frames_used, 3);
	expect_mapping(&pg, GIB + 0x600000, 0x200000, PAGING_EXEC);
	expect_mapping(&pg, GIB + 0x7fffff, 0x3fffff, PAGING_EXEC);
	expect_mapping(&pg, GIB + 0x5fffff, 3 * GIB + 0x5fffff, PAGING_WRITE);
	expect_mapping(&pg, GIB + 0x800000, 3 * GIB + 0x800000, PAGING_WRITE);
	expect_mapping(&pg, 2 * GIB - 1, 4 * GIB - 1, PAGING_WRITE);
	/* the guard page case: a 4 KiB hole in what was a 1 GiB page */
	struct error err = {{0}};
	assert_int_equal(paging_unmap_page(&pg, GIB + 0x10000000, &err), 0);
	assert_int_equal(pg.frames_used, 4);
	uint64_t phys;
	uint32_t flags;
	assert_false(paging_lookup(&pg, GIB + 0x10000000, &phys, &flags));
	expect_mapping(&pg, GIB + 0x10001000, 3 * GIB + 0x10001000, PAGING_WRITE);
	expect_mapping(&pg, GIB + 0xffff000, 3 * GIB + 0xffff000, PAGING_WRITE);
}

/* A miss at each level of the walk, and unmapping what isn't mapped. */
static void test_lookup_misses_at_every_level(void **state)
{
	(void)state;
	struct error err = {{0}};
	struct paging pg = new_tables(1, 0);
	uint64_t phys = 0x1234;
	uint32_t flags = 77;
	assert_false(paging_lookup(&pg, 0, &phys, &flags)); /* empty PML4 */
	map(&pg, 0x40201000, 0x1000, 0x1000, 0);
	assert_false(paging_lookup(&pg, 0x40202000, &phys, &flags));   /* PT entry */
	assert_false(paging_lookup(&pg, 0x40400000, &phys, &flags));   /* PD entry */
	assert_false(paging_lookup(&pg, 0x80201000, &phys, &flags));   /* PDPT entry */
	assert_false(paging_lookup(&pg, 0x8000201000, &phys, &flags)); /* PML4 entry */
	assert_int_equal(phys, 0x1234);
	assert_int_equal(flags, 77);
	assert_int_equal(paging_unmap_page(&pg, 0x8000201000, &err), 0);
	assert_int_equal(paging_unmap_page(&pg, 0x40202000, &err), 0);
	expect_mapping(&pg, 0x40201fff, 0x1fff, 0);
}

static uint64_t rng_state = 0x2545f4914f6cdd1dull;

static uint64_t rnd(uint64_t n)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state % n;
}

/* paging_frames_needed() is an upper bound for fresh tables, whatever the
 * range: with large_pages when virt and phys agree modulo 2 MiB. */
static void test_frames_needed_is_an_upper_bound(void **state)
{
	(void)state;
	/* the worst case exactly: a range overhanging by one page at both
	 * ends of a 512 GiB span straddles one more table at every level */
	struct paging worst = new_tables(1, 0);
	uint64_t t512 = 512 * GIB;
	map(&worst, t512 - 0x1000, t512 - 0x1000, t512 + 0x2000, PAGING_WRITE);
	assert_int_equal(worst.frames_used - 1, 3 + 514 + 2);
	assert_int_equal(paging_frames_needed(t512 + 0x2000, 1), 3 + 514 + 2);
	teardown(NULL);
	for (int round = 0; round < 300; round++) {
		int alike = round & 1;
		uint64_t size = (1 + rnd(round < 150 ? 0x800 : 0x80000)) * 0x1000;
		uint64_t virt = rnd(1ull << 35) << 12;
		uint64_t phys =
		    alike ? (rnd(1ull << 18) << 21) + (virt & (MIB2 - 1)) : rnd(1ull << 30) << 12;
		struct paging pg = new_tables(1, (int)rnd(2));
		map(&pg, virt, phys, size, PAGING_WRITE);
		uint64_t need = paging_frames_needed(size, alike);
		if (pg.frames_used - 1 > need)
			fail_msg(
			    "0x%llx bytes at 0x%llx -> 0x%llx took %llu frames, need says %llu",
			    (unsigned long long)size, (unsigned long long)virt,
			    (unsigned long long)phys, (unsigned long long)pg.frames_used - 1,
			    (unsigned long long)need);
		expect_mapping(&pg, virt + size - 1, phys + size - 1, PAGING_WRITE);
		teardown(NULL);
	}
}

static void test_wrapping_ranges_are_refused(void **state)
{
	(void)state;
	struct error err = {{0}};
	struct paging pg = new_tables(1, 0);
	/* past 2^64 back to 0 */
	assert_int_equal(paging_map(&pg, 0xfffffffffffff000ull, 0, 0x2000, 0, &err), -1);
	assert_string_equal(err.msg, "paging: 0xfffffffffffff000 (0x2000 bytes) is not canonical");
	/* from the low half across the hole into the high half */
	assert_int_equal(paging_map(&pg, 0x7ffffffff000ull, 0, 0xffff000000002000ull, 0, &err), -1);
	assert_string_equal(err.msg,
	                    "paging: 0x7ffffffff000 (0xffff000000002000 bytes) is not canonical");
	assert_int_equal(pg.frames_used, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_teardown(test_kernel_segments_keep_their_permissions, teardown),
	    cmocka_unit_test_teardown(test_without_nx_everything_is_executable, teardown),
	    cmocka_unit_test_teardown(test_direct_map_uses_large_pages, teardown),
	    cmocka_unit_test_teardown(test_finer_mapping_splits_a_large_page, teardown),
	    cmocka_unit_test_teardown(test_guard_page_unmapped, teardown),
	    cmocka_unit_test_teardown(test_bad_arguments_are_named, teardown),
	    cmocka_unit_test_teardown(test_the_whole_layout, teardown),
	    cmocka_unit_test_teardown(test_identity_map_frame_counts, teardown),
	    cmocka_unit_test_teardown(test_split_of_a_2m_page, teardown),
	    cmocka_unit_test_teardown(test_runs_across_table_ends, teardown),
	    cmocka_unit_test_teardown(test_split_of_a_1g_page, teardown),
	    cmocka_unit_test_teardown(test_lookup_misses_at_every_level, teardown),
	    cmocka_unit_test_teardown(test_frames_needed_is_an_upper_bound, teardown),
	    cmocka_unit_test_teardown(test_wrapping_ranges_are_refused, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
