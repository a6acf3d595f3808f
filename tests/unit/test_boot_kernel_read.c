/* tests/unit/test_boot_kernel_read.c - how boot_main reads the kernel
 * file: a small one in its first read, a big one in place or read and
 * copied, every needed byte once, nothing past the last segment (a debug
 * build's DWARF), and the disk= setting and the TSC's PIT samples at the
 * right moments between the reads. */
#include "boot_harness.h"

/* A small kernel (make_kernel: 10 KiB) comes whole with the loader's
 * first read of the file: one read, the segments copied from it. */
static void test_small_kernel_is_read_once(void **state)
{
	(void)state;
	const char *cfg = "kernel=/boot/kernel.elf\nverbose=1\n";
	add_standard_files(cfg);
	run_boot();
	struct tb_bootinfo *bi = entered_bootinfo();
	uint8_t *kphys = (uint8_t *)(uintptr_t)bi->kernel_phys_base;
	assert_int_equal(kphys[0], 0x90);
	assert_int_equal(kphys[0x1000], 0xab);
	assert_int_equal(kphys[0x1800], 0);
	assert_int_equal(fake_bytes_read, strlen(cfg) + kernel_size);
	assert_non_null(strstr(fake_platform_output(), "kernel: /boot/kernel.elf read in one go"));
	/* With no read that could outlast the PIT window, no sample: the
	 * TSC's rate is measured once, last, over the longest window. */
	assert_int_equal(fake_bytes_read_at_tsc_sample, UINT64_MAX);
	assert_int_equal(fake_bytes_read_at_tsc_rate, fake_bytes_read);
}

/* disk= reaches the platform once, after the config is read and before
 * any byte of the kernel: the BIOS loader reads the config through INT
 * 13h and only then may switch to its own disk drivers. */
static void check_native_disk_told(const char *cfg, int expected)
{
	setup(NULL); /* a fresh platform for each config */
	add_standard_files(cfg);
	run_boot();
	entered_bootinfo();
	assert_int_equal(fake_native_disk_calls, 1);
	assert_int_equal(fake_native_disk, expected);
	assert_int_equal(fake_bytes_read_at_native_disk, strlen(cfg));
}

static void test_disk_setting_reaches_the_platform_before_the_kernel(void **state)
{
	(void)state;
	check_native_disk_told("kernel=/boot/kernel.elf\n", 1);
	check_native_disk_told("kernel=/boot/kernel.elf\ndisk=firmware\n", 0);
	check_native_disk_told("disk=native\n", 1);
}

/* make_kernel() with 72 KiB of data (then 4 KiB of BSS), bigger than the
 * loader's first read, the data at `data_offset` in the file and `tail`
 * bytes after it that no segment holds (a debug build's symbols and
 * DWARF); served with a verbose config. Returns the boot info once the
 * kernel is entered, fake_bytes_read counting the kernel's reads only. */
#define BIG_TAIL_MAX 0x40000u
static struct tb_bootinfo *boot_big_kernel(uint64_t data_offset, size_t tail, size_t *file_size)
{
	const char *cfg = "kernel=/boot/kernel.elf\nverbose=1\n";
	static uint8_t big[0x15000 + BIG_TAIL_MAX];
	assert_true(tail <= BIG_TAIL_MAX);
	*file_size = (size_t)data_offset + 0x12000 + tail;
	make_kernel(big, sizeof(big));
	memset(big + data_offset + 0x12000, 0xdb, tail);
	Elf64_Phdr *ph = (Elf64_Phdr *)(big + sizeof(Elf64_Ehdr));
	ph[1].p_offset = data_offset;
	ph[1].p_filesz = 0x12000;
	ph[1].p_memsz = 0x13000;
	memset(big + 0x2000, 0, 0x1000);
	memset(big + data_offset, 0xab, 0x12000);
	fake_platform_add_file("/boot/twinboot.cfg", cfg, strlen(cfg));
	fake_platform_add_file("/boot/kernel.elf", big, *file_size);
	run_boot();
	struct tb_bootinfo *bi = entered_bootinfo();
	uint8_t *kphys = (uint8_t *)(uintptr_t)bi->kernel_phys_base;
	assert_int_equal(kphys[0], 0x90);
	assert_int_equal(kphys[0x1000], 0xab);
	assert_int_equal(kphys[0x12fff], 0xab);
	assert_int_equal(kphys[0x13000], 0); /* BSS, zeroed */
	assert_int_equal(kphys[0x13fff], 0);
	assert_int_equal(bi->kernel_size, 0x14000);
	/* The PIT window opened at entry is sampled before the rest of a
	 * big kernel, whose read may outlast it (pit.h): after the kernel's
	 * head (boot.c's first read, platform_kernel_head_bytes()). The rate
	 * is taken last. */
	assert_int_equal(fake_bytes_read_at_tsc_sample, strlen(cfg) + fake_kernel_head_bytes);
	assert_int_equal(fake_bytes_read_at_tsc_rate, fake_bytes_read);
	fake_bytes_read -= strlen(cfg);
	return bi;
}

/* make_kernel() with 72 KiB of data: bigger than the first read. Its file
 * lays segments out as memory (text at file 0x1000 = KBASE, data at
 * 0x2000 = KBASE + 0x1000), as linkers do, so the loader reads it once
 * more, straight to where it runs, headers just below. */
static void test_big_kernel_is_read_in_place(void **state)
{
	(void)state;
	size_t size;
	struct tb_bootinfo *bi = boot_big_kernel(0x2000, 0, &size);
	uint8_t *kphys = (uint8_t *)(uintptr_t)bi->kernel_phys_base;
	assert_memory_equal(kphys - 0x1000,
	                    "\x7f"
	                    "ELF",
	                    4); /* the file's head */
	/* every byte of the file once: its head, then the rest */
	assert_int_equal(fake_bytes_read, size);
	assert_non_null(strstr(fake_platform_output(), "kernel: /boot/kernel.elf read in place"));
}

/* A big file laid out otherwise (data moved from 0x2000 to 0x3000) is
 * read whole, once, and its segments copied: the same kernel in memory,
 * the same map. */
static void test_other_layouts_are_copied(void **state)
{
	(void)state;
	size_t size;
	struct tb_bootinfo *bi = boot_big_kernel(0x3000, 0, &size);
	assert_non_null(strstr(fake_platform_output(), "read whole and copied"));
	assert_int_equal(fake_bytes_read, size);
	const struct tb_mem_range *map = (const struct tb_mem_range *)(uintptr_t)bi->mem_map;
	int kernel_entry = 0;
	for (uint32_t i = 0; i < bi->mem_map_entries; i++)
		kernel_entry |= map[i].type == TB_MEM_KERNEL &&
		                map[i].base == bi->kernel_phys_base &&
		                map[i].length == bi->kernel_size;
	assert_true(kernel_entry);
}

/* A debug build: 256 KiB of symbols and DWARF after the segments, which
 * nothing loads, stay on the disk; the segments are read in place. */
static void test_debug_info_is_not_read(void **state)
{
	(void)state;
	size_t size;
	struct tb_bootinfo *bi = boot_big_kernel(0x2000, BIG_TAIL_MAX, &size);
	assert_int_equal(fake_bytes_read, 0x2000 + 0x12000);
	assert_int_equal(bi->kernel_size, 0x14000);
	assert_non_null(strstr(fake_platform_output(), "kernel: /boot/kernel.elf read in place"));
	assert_non_null(
	    strstr(fake_platform_output(),
	           "kernel: the last 262144 bytes of /boot/kernel.elf left on the disk"));
}

/* The same in a file laid out otherwise: only the segments' bytes are
 * read, then copied. */
static void test_debug_info_is_not_read_for_a_copy(void **state)
{
	(void)state;
	size_t size;
	boot_big_kernel(0x3000, 0x1000, &size);
	assert_non_null(strstr(fake_platform_output(), "read whole and copied"));
	assert_int_equal(fake_bytes_read, 0x3000 + 0x12000);
	assert_non_null(strstr(fake_platform_output(), "the last 4096 bytes of"));
}

/* Segments that end inside the first read (our demo kernel: 36 KiB of
 * segments in a 140 KiB file) take that one read, however big the file,
 * be it the BIOS loader's 60 KiB or the UEFI loader's 16 KiB. */
static void boot_small_segments_in_a_big_file(uint32_t head)
{
	static uint8_t file[0x30000];
	const char *cfg = "kernel=/boot/kernel.elf\nverbose=1\n";
	setup(NULL);
	fake_kernel_head_bytes = head;
	make_kernel(file, sizeof(file));
	memset(file + 0x2800, 0xdb, sizeof(file) - 0x2800);
	fake_platform_add_file("/boot/twinboot.cfg", cfg, strlen(cfg));
	fake_platform_add_file("/boot/kernel.elf", file, sizeof(file));
	run_boot();
	struct tb_bootinfo *bi = entered_bootinfo();
	uint8_t *kphys = (uint8_t *)(uintptr_t)bi->kernel_phys_base;
	assert_int_equal(kphys[0xfff], 0x90);
	assert_int_equal(kphys[0x1000], 0xab);
	assert_int_equal(kphys[0x1800], 0); /* BSS, not the tail's 0xdb */
	assert_int_equal(fake_bytes_read, strlen(cfg) + head);
	assert_non_null(strstr(fake_platform_output(), "kernel: /boot/kernel.elf read in one go"));
	char left[96];
	snprintf(left, sizeof(left), "the last %u bytes of /boot/kernel.elf left on",
	         (unsigned)(sizeof(file) - head));
	assert_non_null(strstr(fake_platform_output(), left));
}

static void test_small_segments_in_a_big_file_take_one_read(void **state)
{
	(void)state;
	boot_small_segments_in_a_big_file(60u << 10);
	boot_small_segments_in_a_big_file(16u << 10);
}

/* The UEFI loader's first read, 16 KiB (files_uefi.c: the rest of the
 * firmware's cached block): a big kernel's rest follows from there, in
 * place, every byte read once; the small one (10 KiB) still comes whole
 * with the first read. */
static void test_a_smaller_first_read(void **state)
{
	(void)state;
	size_t size;
	fake_kernel_head_bytes = 16u << 10;
	struct tb_bootinfo *bi = boot_big_kernel(0x2000, 0, &size);
	assert_int_equal(fake_bytes_read, size);
	assert_memory_equal((uint8_t *)(uintptr_t)bi->kernel_phys_base - 0x1000,
	                    "\x7f"
	                    "ELF",
	                    4);
	assert_non_null(strstr(fake_platform_output(), "kernel: /boot/kernel.elf read in place"));

	const char *cfg = "kernel=/boot/kernel.elf\nverbose=1\n";
	setup(NULL);
	fake_kernel_head_bytes = 16u << 10;
	add_standard_files(cfg);
	run_boot();
	entered_bootinfo();
	assert_int_equal(fake_bytes_read, strlen(cfg) + kernel_size);
	assert_non_null(strstr(fake_platform_output(), "kernel: /boot/kernel.elf read in one go"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_small_kernel_is_read_once, setup),
	    cmocka_unit_test_setup(test_disk_setting_reaches_the_platform_before_the_kernel, setup),
	    cmocka_unit_test_setup(test_big_kernel_is_read_in_place, setup),
	    cmocka_unit_test_setup(test_other_layouts_are_copied, setup),
	    cmocka_unit_test_setup(test_debug_info_is_not_read, setup),
	    cmocka_unit_test_setup(test_debug_info_is_not_read_for_a_copy, setup),
	    cmocka_unit_test_setup(test_small_segments_in_a_big_file_take_one_read, setup),
	    cmocka_unit_test_setup(test_a_smaller_first_read, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
