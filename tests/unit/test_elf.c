/* tests/unit/test_elf.c - common/elf.c: accepting good kernels, loading
 * them, and every rejection class of issue 2 with its exact message.
 *
 * Images come from elf_builder.h: a good kernel (eb_good) with one field
 * broken per test. Each check runs on a heap copy of exactly the image's
 * size, so AddressSanitizer catches any read past the end.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "elf.h"
#include "elf_builder.h"
#include "layout.h"

static unsigned char img[0x4000];

/* elf_check on a tight heap copy of img[0..size); returns its result and
 * leaves the message in err. */
static int check_n(size_t size, uint64_t max, struct elf_plan *plan, struct error *err)
{
	unsigned char *copy = malloc(size ? size : 1);
	assert_non_null(copy);
	memcpy(copy, img, size);
	strcpy(err->msg, "(no message)");
	int r = elf_check(copy, size, max, plan, err);
	free(copy);
	return r;
}

/* Expect img (size bytes) to be rejected with exactly `msg`. */
static void reject(size_t size, const char *msg)
{
	struct elf_plan plan;
	struct error err;
	assert_int_equal(check_n(size, 0, &plan, &err), -1);
	assert_string_equal(err.msg, msg);
}

static void good(void)
{
	eb_good(img, 2);
}

static void test_accept_exec(void **state)
{
	(void)state;
	struct elf_plan plan;
	struct error err;
	good();
	assert_int_equal(check_n(EB_GOOD_SIZE, 0x100000, &plan, &err), 0);
	assert_int_equal(plan.entry, EB_TEXT_VADDR + 0x10);
	assert_int_equal(plan.virt_base, EB_TEXT_VADDR);
	assert_int_equal(plan.virt_end, EB_DATA_VADDR + 0x2000);
	/* PT_GNU_STACK ignored; the two PT_LOADs sorted by address. */
	assert_int_equal(plan.segment_count, 2);
	assert_int_equal(plan.segments[0].vaddr, EB_TEXT_VADDR);
	assert_int_equal(plan.segments[0].offset, 0x1000);
	assert_int_equal(plan.segments[0].filesz, 0x100);
	assert_int_equal(plan.segments[0].flags, ELF_PF_R | ELF_PF_X);
	assert_int_equal(plan.segments[1].vaddr, EB_DATA_VADDR);
	assert_int_equal(plan.segments[1].memsz, 0x1800);
	assert_int_equal(plan.segments[1].flags, ELF_PF_R | ELF_PF_W);
}

/* ET_DYN is loaded at its linked addresses, not relocated; a zero-sized
 * PT_LOAD is harmless and skipped. */
static void test_accept_dyn(void **state)
{
	(void)state;
	struct elf_plan plan;
	struct error err;
	eb_good(img, 3);
	eb_set(img, 1, EB_P_TYPE, EB_PT_LOAD);
	assert_int_equal(check_n(EB_GOOD_SIZE, 0, &plan, &err), 0);
	assert_int_equal(plan.segment_count, 2);
	assert_int_equal(plan.virt_base, EB_TEXT_VADDR);

	/* A lower-half DYN linked at 2 MiB, exactly at the size limit. */
	eb_set(img, 2, EB_P_VADDR, 0x201000);
	eb_set(img, 0, EB_P_VADDR, 0x203000);
	eb_put(img, EB_E_ENTRY, 8, 0x2010ff);
	assert_int_equal(check_n(EB_GOOD_SIZE, 0x4000, &plan, &err), 0);
	assert_int_equal(plan.virt_base, 0x201000);
	assert_int_equal(plan.virt_end, 0x205000);
	assert_int_equal(plan.entry, 0x2010ff);
}

static void test_load(void **state)
{
	(void)state;
	struct elf_plan plan;
	struct error err;
	good();
	assert_int_equal(check_n(EB_GOOD_SIZE, 0, &plan, &err), 0);
	size_t span = (size_t)(plan.virt_end - plan.virt_base);
	assert_int_equal(span, 0x4000);
	unsigned char *dest = malloc(span);
	assert_non_null(dest);
	memset(dest, 0xcc, span);
	elf_load(&plan, img, dest);
	for (size_t i = 0; i < span; i++) {
		unsigned char want = 0; /* gaps and BSS */
		if (i < 0x100)
			want = (unsigned char)(0x90 + i);
		else if (i >= 0x2000 && i < 0x2080)
			want = (unsigned char)(0x40 + i - 0x2000);
		assert_int_equal(dest[i], want);
	}
	free(dest);
}

/* elf_check_head sees only the headers, yet plans as elf_check does and
 * still checks segment data against the whole file's size. */
static void test_check_head(void **state)
{
	(void)state;
	struct elf_plan full, head;
	struct error err = {{0}};
	good();
	assert_int_equal(elf_check(img, EB_GOOD_SIZE, 0, &full, &err), 0);
	size_t headers = eb_phdr_at(3);
	unsigned char *copy = malloc(headers); /* ASan: nothing past it is read */
	assert_non_null(copy);
	memcpy(copy, img, headers);
	assert_int_equal(elf_check_head(copy, headers, EB_GOOD_SIZE, 0, &head, &err), 0);
	assert_int_equal(head.entry, full.entry);
	assert_int_equal(head.virt_base, full.virt_base);
	assert_int_equal(head.virt_end, full.virt_end);
	assert_int_equal(head.segment_count, full.segment_count);
	for (unsigned k = 0; k < full.segment_count; k++) {
		assert_int_equal(head.segments[k].vaddr, full.segments[k].vaddr);
		assert_int_equal(head.segments[k].offset, full.segments[k].offset);
		assert_int_equal(head.segments[k].filesz, full.segments[k].filesz);
		assert_int_equal(head.segments[k].memsz, full.segments[k].memsz);
		assert_int_equal(head.segments[k].flags, full.segments[k].flags);
	}

	assert_int_equal(elf_check_head(copy, headers, EB_GOOD_SIZE - 1, 0, &head, &err), -1);
	assert_string_equal(err.msg, "elf: segment 0 p_offset 0x2000 + p_filesz 0x80 is "
	                             "outside the file (0x207f bytes)");
	/* program headers past the bytes at hand: outside what was read */
	assert_int_equal(elf_check_head(copy, headers - 1, EB_GOOD_SIZE, 0, &head, &err), -1);
	free(copy);
	assert_non_null(strstr(err.msg, "program headers at e_phoff 0x40"));
}

/* The reference kernel moved to a file that mirrors memory: data at
 * offset 0x3000, 0x2000 past text as in memory. */
static void mirrored(void)
{
	good();
	memmove(img + 0x3000, img + 0x2000, 0x80);
	memset(img + 0x2000, 0xee, 0x1000); /* bytes no segment holds */
	eb_set(img, 0, EB_P_OFFSET, 0x3000);
}

static void test_mirrors_memory(void **state)
{
	(void)state;
	struct elf_plan plan;
	struct error err = {{0}};
	uint64_t offset = 0;
	good(); /* text at file 0x1000 (memory +0), data at 0x2000 (+0x2000) */
	assert_int_equal(elf_check(img, EB_GOOD_SIZE, 0, &plan, &err), 0);
	assert_false(elf_file_mirrors_memory(&plan, &offset));

	mirrored();
	assert_int_equal(elf_check(img, 0x3080, 0, &plan, &err), 0);
	assert_true(elf_file_mirrors_memory(&plan, &offset));
	assert_int_equal(offset, 0x1000);

	/* A segment of BSS only has no file bytes to place: no constraint. */
	eb_set(img, 1, EB_P_TYPE, EB_PT_LOAD);
	eb_set(img, 1, EB_P_VADDR, EB_DATA_VADDR + 0x2000);
	eb_set(img, 1, EB_P_OFFSET, 0);
	eb_set(img, 1, EB_P_MEMSZ, 0x1000);
	assert_int_equal(elf_check(img, 0x3080, 0, &plan, &err), 0);
	assert_int_equal(plan.segment_count, 3);
	assert_true(elf_file_mirrors_memory(&plan, &offset));
	assert_int_equal(offset, 0x1000);

	/* Data 0x2000 into memory but 0x1000 into the file: the file would
	 * have to start before the block. */
	good();
	eb_set(img, 2, EB_P_FILESZ, 0); /* text all BSS */
	eb_set(img, 0, EB_P_OFFSET, 0x1000);
	assert_int_equal(elf_check(img, EB_GOOD_SIZE, 0, &plan, &err), 0);
	assert_false(elf_file_mirrors_memory(&plan, &offset));
}

/* Loading a mirrored file in place gives what copying it gives. */
static void test_load_in_place(void **state)
{
	(void)state;
	struct elf_plan plan;
	struct error err = {{0}};
	uint64_t offset;
	mirrored();
	assert_int_equal(elf_check(img, 0x3080, 0, &plan, &err), 0);
	assert_true(elf_file_mirrors_memory(&plan, &offset));
	size_t span = (size_t)(plan.virt_end - plan.virt_base);
	unsigned char *copied = calloc(1, span), *block = malloc(offset + span);
	assert_non_null(copied);
	assert_non_null(block);
	elf_load(&plan, img, copied);
	memset(block, 0xcc, offset + span);
	memcpy(block, img, 0x3080);
	elf_load(&plan, block, block + offset);
	assert_memory_equal(block + offset, copied, span);
	assert_int_equal(block[offset], 0x90);
	assert_int_equal(block[offset + 0x2000], 0x40);
	assert_int_equal(block[offset + 0x1000], 0); /* the 0xee gap, zeroed */
	free(copied);
	free(block);
}

static void test_truncated(void **state)
{
	(void)state;
	good();
	reject(0, "elf: file is 0x0 bytes, shorter than the 64-byte ELF header");
	reject(63, "elf: file is 0x3f bytes, shorter than the 64-byte ELF header");
	reject(200, "elf: program headers at e_phoff 0x40 (3 x 56 bytes) are outside the file "
	            "(0xc8 bytes)");
	reject(0x2000, "elf: segment 0 p_offset 0x2000 + p_filesz 0x80 is outside the file "
	               "(0x2000 bytes)");
	/* Every prefix of a good image is rejected, and never read past. */
	struct elf_plan plan;
	struct error err;
	for (size_t n = 0; n < EB_GOOD_SIZE; n++)
		assert_int_equal(check_n(n, 0, &plan, &err), -1);
}

static void test_ident(void **state)
{
	(void)state;
	good();
	img[1] = 'e';
	reject(EB_GOOD_SIZE, "elf: bad magic 7f 65 4c 46 (want 7f 45 4c 46)");
	good();
	img[4] = 1;
	reject(EB_GOOD_SIZE, "elf: EI_CLASS 1 is not ELFCLASS64 (2)");
	good();
	img[5] = 2;
	reject(EB_GOOD_SIZE, "elf: EI_DATA 2 is not little-endian (1)");
	good();
	eb_put(img, EB_E_VERSION, 4, 0);
	reject(EB_GOOD_SIZE, "elf: EI_VERSION 1 / e_version 0 is not EV_CURRENT (1)");
	good();
	eb_put(img, EB_E_MACHINE, 2, 3);
	reject(EB_GOOD_SIZE, "elf: e_machine 0x3 is not x86-64 (0x3e)");
	good();
	eb_put(img, EB_E_TYPE, 2, 1);
	reject(EB_GOOD_SIZE, "elf: e_type 1 is not ET_EXEC (2) or ET_DYN (3)");
	eb_put(img, EB_E_TYPE, 2, 4);
	reject(EB_GOOD_SIZE, "elf: e_type 4 is not ET_EXEC (2) or ET_DYN (3)");
}

static void test_program_header_table(void **state)
{
	(void)state;
	good();
	eb_put(img, EB_E_PHENTSIZE, 2, 64);
	reject(EB_GOOD_SIZE, "elf: e_phentsize 64 is not 56");
	good();
	eb_put(img, EB_E_PHOFF, 8, 0xffffffffffffffc0ull);
	reject(EB_GOOD_SIZE, "elf: program headers at e_phoff 0xffffffffffffffc0 (3 x 56 bytes) "
	                     "are outside the file (0x2080 bytes)");
	good();
	eb_put(img, EB_E_PHNUM, 2, 0xffff);
	reject(EB_GOOD_SIZE, "elf: program headers at e_phoff 0x40 (65535 x 56 bytes) are "
	                     "outside the file (0x2080 bytes)");
}

static void test_segment_sizes(void **state)
{
	(void)state;
	good();
	eb_set(img, 2, EB_P_FILESZ, 0x2000);
	eb_set(img, 2, EB_P_MEMSZ, 0x1000);
	reject(EB_GOOD_SIZE, "elf: segment 2 p_filesz 0x2000 > p_memsz 0x1000");
	good();
	eb_set(img, 2, EB_P_FILESZ, 0x1100);
	eb_set(img, 2, EB_P_MEMSZ, 0x1100);
	reject(EB_GOOD_SIZE, "elf: segment 2 p_offset 0x1000 + p_filesz 0x1100 is outside the "
	                     "file (0x2080 bytes)");
	/* offset + filesz would wrap to a small number. */
	good();
	eb_set(img, 0, EB_P_OFFSET, 0xfffffffffffff000ull);
	eb_set(img, 0, EB_P_FILESZ, 0x1080);
	eb_set(img, 0, EB_P_MEMSZ, 0x1080);
	reject(EB_GOOD_SIZE, "elf: segment 0 p_offset 0xfffffffffffff000 + p_filesz 0x1080 is "
	                     "outside the file (0x2080 bytes)");
}

static void test_alignment(void **state)
{
	(void)state;
	good();
	eb_set(img, 2, EB_P_ALIGN, 0x3000);
	reject(EB_GOOD_SIZE, "elf: segment 2 p_align 0x3000 is not a power of two");
	good();
	eb_set(img, 2, EB_P_VADDR, EB_TEXT_VADDR + 0x10);
	reject(EB_GOOD_SIZE, "elf: segment 2 p_vaddr 0xffffffff80001010 and p_offset 0x1000 "
	                     "differ modulo 4096");
	/* p_align 0 and 1 both mean "no constraint". */
	struct elf_plan plan;
	struct error err;
	good();
	eb_set(img, 2, EB_P_ALIGN, 0);
	eb_set(img, 0, EB_P_ALIGN, 1);
	assert_int_equal(check_n(EB_GOOD_SIZE, 0, &plan, &err), 0);
}

static void test_addresses(void **state)
{
	(void)state;
	good();
	eb_set(img, 0, EB_P_VADDR, 0x0000900000000000ull);
	reject(EB_GOOD_SIZE, "elf: segment 0 [0x900000000000, 0x900000001800) is not canonical");
	/* Canonical start, but the end crosses into the hole. */
	good();
	eb_set(img, 0, EB_P_VADDR, 0x00007ffffffff000ull);
	reject(EB_GOOD_SIZE, "elf: segment 0 [0x7ffffffff000, 0x800000000800) is not canonical");
	good();
	eb_set(img, 0, EB_P_VADDR, 0xfffffffffffff000ull);
	reject(EB_GOOD_SIZE,
	       "elf: segment 0 p_vaddr 0xfffffffffffff000 + p_memsz 0x1800 wraps around");
	good();
	eb_set(img, 0, EB_P_MEMSZ, 0xffffffffffffffffull);
	reject(EB_GOOD_SIZE,
	       "elf: segment 0 p_vaddr 0xffffffff80003000 + p_memsz 0xffffffffffffffff wraps "
	       "around");
}

static void test_loader_ranges(void **state)
{
	(void)state;
	good();
	eb_set(img, 0, EB_P_VADDR, TB_DIRECT_MAP_OFFSET + 0x100000);
	reject(EB_GOOD_SIZE, "elf: segment 0 [0xffff800000100000, 0xffff800000101800) overlaps "
	                     "the direct map at 0xffff800000000000");
	/* Just below the stack top: inside the reserved 1 MiB. */
	good();
	eb_set(img, 0, EB_P_VADDR, TB_STACK_TOP - 0x2000);
	reject(EB_GOOD_SIZE, "elf: segment 0 [0xffffffff7fefe000, 0xffffffff7feff800) overlaps "
	                     "the loader's stack region below 0xffffffff7ff00000");
	/* Ending exactly where the region starts is fine. */
	struct elf_plan plan;
	struct error err;
	good();
	eb_set(img, 0, EB_P_VADDR, TB_STACK_TOP - TB_STACK_REGION - 0x2000);
	eb_set(img, 0, EB_P_MEMSZ, 0x2000);
	assert_int_equal(check_n(EB_GOOD_SIZE, 0, &plan, &err), 0);
}

static void test_overlap(void **state)
{
	(void)state;
	good();
	eb_set(img, 2, EB_P_VADDR, EB_DATA_VADDR + 0x1000);
	eb_put(img, EB_E_ENTRY, 8, EB_DATA_VADDR + 0x1000);
	reject(EB_GOOD_SIZE, "elf: segments 0 [0xffffffff80003000, 0xffffffff80004800) and 2 "
	                     "[0xffffffff80004000, 0xffffffff80004100) overlap");
}

static void test_entry(void **state)
{
	(void)state;
	good();
	/* Inside the data segment, which is not executable. */
	eb_put(img, EB_E_ENTRY, 8, EB_DATA_VADDR);
	reject(EB_GOOD_SIZE, "elf: entry 0xffffffff80003000 is outside every executable segment");
	/* One past the end of text. */
	eb_put(img, EB_E_ENTRY, 8, EB_TEXT_VADDR + 0x100);
	reject(EB_GOOD_SIZE, "elf: entry 0xffffffff80001100 is outside every executable segment");
}

static void test_segment_count(void **state)
{
	(void)state;
	good();
	eb_set(img, 0, EB_P_TYPE, EB_PT_NOTE);
	eb_set(img, 2, EB_P_TYPE, EB_PT_NOTE);
	reject(EB_GOOD_SIZE, "elf: no PT_LOAD segment among 3 program headers");
	/* Zero-sized PT_LOADs don't count as loadable. */
	good();
	eb_set(img, 0, EB_P_MEMSZ, 0);
	eb_set(img, 0, EB_P_FILESZ, 0);
	eb_set(img, 2, EB_P_MEMSZ, 0);
	eb_set(img, 2, EB_P_FILESZ, 0);
	reject(EB_GOOD_SIZE, "elf: no PT_LOAD segment among 3 program headers");

	/* 17 one-page segments, each in bounds: one too many. */
	memset(img, 0, sizeof(img));
	eb_header(img, 2, EB_TEXT_VADDR, 17);
	for (unsigned i = 0; i < 17; i++)
		eb_phdr(img, i, EB_PT_LOAD, 5, 0x1000, EB_TEXT_VADDR + 0x1000 * i, 0x10, 0x10,
		        0x1000);
	reject(0x1010, "elf: more than 16 PT_LOAD segments (program header 16)");
	/* 16 is fine. */
	struct elf_plan plan;
	struct error err;
	eb_put(img, EB_E_PHNUM, 2, 16);
	assert_int_equal(check_n(0x1010, 0, &plan, &err), 0);
	assert_int_equal(plan.segment_count, 16);
}

static void test_too_big(void **state)
{
	(void)state;
	struct elf_plan plan;
	struct error err;
	good();
	assert_int_equal(check_n(EB_GOOD_SIZE, 0x3fff, &plan, &err), -1);
	assert_string_equal(err.msg, "elf: kernel needs 0x4000 bytes, only 0x3fff available");
	assert_int_equal(check_n(EB_GOOD_SIZE, 0x4000, &plan, &err), 0);
}

/* Random corruption of a good image: never a crash or an out-of-bounds
 * read (ASan), and an accepted plan always satisfies the invariants. */
static void test_corruption(void **state)
{
	(void)state;
	uint32_t seed = 12345;
	for (int round = 0; round < 3000; round++) {
		good();
		for (int k = 0; k < 4; k++) {
			seed = seed * 1103515245 + 12345;
			size_t at = (seed >> 8) % (EB_EHDR_SIZE + 3 * EB_PHDR_SIZE);
			img[at] = (unsigned char)(seed >> 24);
		}
		struct elf_plan plan;
		struct error err;
		if (check_n(EB_GOOD_SIZE, 0x100000, &plan, &err) == 0) {
			assert_true(plan.segment_count >= 1 && plan.segment_count <= 16);
			for (unsigned i = 0; i < plan.segment_count; i++) {
				const struct elf_segment *s = &plan.segments[i];
				assert_true(s->offset + s->filesz <= EB_GOOD_SIZE);
				assert_true(s->vaddr >= plan.virt_base);
				assert_true(s->vaddr + s->memsz <= plan.virt_end);
			}
		} else {
			assert_memory_equal(err.msg, "elf: ", 5);
		}
	}
}

/* Our own kernel, when it has been built: the loaders must accept it. */
static void test_real_kernel(void **state)
{
	(void)state;
	FILE *fp = fopen("build/kernel/kernel.elf", "rb");
	if (!fp) {
		skip();
		return;
	}
	assert_int_equal(fseek(fp, 0, SEEK_END), 0);
	long size = ftell(fp);
	assert_true(size > 0);
	rewind(fp);
	unsigned char *buf = malloc((size_t)size);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)size, fp), (size_t)size);
	fclose(fp);
	struct elf_plan plan;
	struct error err = {{0}};
	int r = elf_check(buf, (size_t)size, 64 << 20, &plan, &err);
	free(buf);
	if (r)
		print_error("kernel.elf rejected: %s\n", err.msg);
	assert_int_equal(r, 0);
	assert_true(plan.virt_base >= 0xffffffff80000000ull);
	assert_true(plan.entry >= plan.virt_base && plan.entry < plan.virt_end);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_accept_exec),   cmocka_unit_test(test_accept_dyn),
	    cmocka_unit_test(test_load),          cmocka_unit_test(test_truncated),
	    cmocka_unit_test(test_ident),         cmocka_unit_test(test_program_header_table),
	    cmocka_unit_test(test_segment_sizes), cmocka_unit_test(test_alignment),
	    cmocka_unit_test(test_addresses),     cmocka_unit_test(test_loader_ranges),
	    cmocka_unit_test(test_overlap),       cmocka_unit_test(test_entry),
	    cmocka_unit_test(test_segment_count), cmocka_unit_test(test_too_big),
	    cmocka_unit_test(test_corruption),    cmocka_unit_test(test_real_kernel),
	    cmocka_unit_test(test_check_head),    cmocka_unit_test(test_mirrors_memory),
	    cmocka_unit_test(test_load_in_place),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
