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
	memset(p, 0, 4096);
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

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_teardown(test_kernel_segments_keep_their_permissions, teardown),
	    cmocka_unit_test_teardown(test_without_nx_everything_is_executable, teardown),
	    cmocka_unit_test_teardown(test_direct_map_uses_large_pages, teardown),
	    cmocka_unit_test_teardown(test_finer_mapping_splits_a_large_page, teardown),
	    cmocka_unit_test_teardown(test_guard_page_unmapped, teardown),
	    cmocka_unit_test_teardown(test_bad_arguments_are_named, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
