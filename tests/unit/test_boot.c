/* tests/unit/test_boot.c - the shared boot sequence, end to end on the
 * fake platform: config, kernel and modules in, page tables, memory map
 * and a boot info out, the banner's timing, and every failure a named
 * message and a halt. How the kernel file is read: test_boot_kernel_read.c;
 * the manifest: test_boot_manifest.c. */
#include "boot_harness.h"
#include "config.h"
#include "early_idt.h"
#include "paging.h"

static void test_boots_with_modules_and_cmdline(void **state)
{
	(void)state;
	add_standard_files("kernel=/boot/kernel.elf\ncmdline=console=ttyS0 test\n"
	                   "module=/boot/initrd\nmodule=/boot/fonts/big.psf\n");
	fake_platform_add_file("/boot/initrd", "INITRD", 6);
	fake_platform_add_file("/boot/fonts/big.psf", "PSF2xx", 6);
	run_boot();
	struct tb_bootinfo *bi = entered_bootinfo();

	assert_int_equal(bi->magic, TB_BOOTINFO_MAGIC);
	assert_int_equal(bi->version, TB_BOOTINFO_VERSION);
	assert_int_equal(bi->size, sizeof(struct tb_bootinfo));
	assert_string_equal(bi->loader_name, TB_LOADER_NAME);
	assert_string_equal((char *)(uintptr_t)bi->cmdline, "console=ttyS0 test");
	assert_int_equal(bi->cmdline_size, strlen("console=ttyS0 test"));
	assert_int_equal(bi->module_count, 2);
	assert_int_equal(bi->module_entry_size, sizeof(struct tb_module));
	struct tb_module *mods = (struct tb_module *)(uintptr_t)bi->modules;
	assert_string_equal(mods[0].name, "initrd");
	assert_string_equal(mods[1].name, "big.psf");
	assert_int_equal(mods[0].size, 6);
	assert_memory_equal((void *)(uintptr_t)mods[0].base, "INITRD", 6);
	/* The PIT window is sampled before the first module is read, which
	 * may outlast it (pit.h); the rate is taken after the last read. */
	assert_int_equal(fake_bytes_read_at_tsc_sample, fake_bytes_read - 6 - 6);
	assert_int_equal(fake_bytes_read_at_tsc_rate, fake_bytes_read);
	assert_int_equal(bi->tsc_loader_entry, 1234);
	assert_true(bi->tsc_handoff >= bi->tsc_kernel_loaded);
	assert_int_equal(bi->tsc_frequency, 1000000000ull);
	assert_int_equal(bi->direct_map_offset, TB_DIRECT_MAP_OFFSET);
	assert_int_equal(bi->kernel_virt_base, KBASE);
	assert_int_equal(bi->kernel_size, 0x4000);
	assert_int_equal(fake_result.entry, KBASE + 0x10);
	assert_int_equal(fake_result.stack_top, TB_STACK_TOP - 8);

	/* The kernel's bytes are where the boot info says, BSS zeroed. */
	uint8_t *kphys = (uint8_t *)(uintptr_t)bi->kernel_phys_base;
	assert_int_equal(kphys[0], 0x90);
	assert_int_equal(kphys[0x1000], 0xab);
	assert_int_equal(kphys[0x1800], 0);

	/* The log handed over holds the loader's first line. */
	assert_true(bi->log_size > 0);
	assert_non_null(strstr((char *)(uintptr_t)bi->log, TB_LOADER_NAME));
}

/* The kernel starts with the early IDT loaded (early_idt.h): 32 interrupt
 * gates into early_fault.asm's entries, in a LOADER page below 4 GiB. */
static void test_kernel_starts_with_the_early_idt(void **state)
{
	(void)state;
	add_standard_files("kernel=/boot/kernel.elf\n");
	fake_console = (struct tb_console){.type = TB_CONSOLE_VGA_TEXT, .address = 0xb8000};
	run_boot();
	struct tb_bootinfo *bi = entered_bootinfo();
	const uint8_t *idtr = (const uint8_t *)(uintptr_t)fake_result.idtr;
	uint16_t limit;
	uint64_t base, vga;
	memcpy(&limit, idtr, 2);
	memcpy(&base, idtr + 2, 8);
	assert_int_equal(limit, 32 * 16 - 1);
	assert_int_equal(fake_result.idtr, base + EARLY_IDTR);
	const uint8_t *page = (const uint8_t *)(uintptr_t)base;
	for (unsigned v = 0; v < 32; v++) {
		const uint8_t *g = page + 16 * v;
		uint64_t target = g[0] | (uint64_t)g[1] << 8 | (uint64_t)g[6] << 16 |
		                  (uint64_t)g[7] << 24 | (uint64_t)g[8] << 32 |
		                  (uint64_t)g[9] << 40 | (uint64_t)g[10] << 48 |
		                  (uint64_t)g[11] << 56;
		assert_int_equal(target, base + EARLY_STUB + 16 * v);
		assert_int_equal(g[2] | g[3] << 8, 0x08); /* the hand-off GDT's code */
		assert_int_equal(g[5], 0x8e);             /* present 64-bit interrupt gate */
	}
	/* vector 0 pushes a zero error code and its number: push 0; push 0 */
	assert_memory_equal(page + EARLY_STUB, "\x6a\x00\x6a\x00\xe9", 5);
	/* vector 14 has the CPU's error code: push 14 */
	assert_memory_equal(page + EARLY_STUB + 16 * 14, "\x6a\x0e\xe9", 3);
	memcpy(&vga, page + EARLY_VGA, 8);
	assert_int_equal(vga, 0xb8000);
	/* the page is loader memory the kernel may reclaim */
	const struct tb_mem_range *map = (const struct tb_mem_range *)(uintptr_t)bi->mem_map;
	int found = 0;
	for (uint32_t i = 0; i < bi->mem_map_entries; i++)
		found |= map[i].type == TB_MEM_LOADER && map[i].base <= base &&
		         base + 4096 <= map[i].base + map[i].length;
	assert_true(found);
}

static void test_page_tables_follow_the_abi(void **state)
{
	(void)state;
	add_standard_files("kernel=/boot/kernel.elf\n");
	run_boot();
	struct tb_bootinfo *bi = entered_bootinfo();
	struct paging pg = {.pml4 = fake_result.pml4, .nx = fake_result.nx};
	uint64_t phys;
	uint32_t flags;

	assert_true(paging_lookup(&pg, KBASE, &phys, &flags));
	assert_int_equal(phys, bi->kernel_phys_base);
	assert_true(flags & PAGING_EXEC);
	assert_false(flags & PAGING_WRITE);
	assert_true(paging_lookup(&pg, KBASE + 0x2000, &phys, &flags));
	assert_int_equal(phys, bi->kernel_phys_base + 0x2000);
	assert_true(flags & PAGING_WRITE);
	if (fake_result.nx)
		assert_false(flags & PAGING_EXEC);

	/* Stack mapped, guard page below it not. */
	assert_true(paging_lookup(&pg, bi->stack_base, &phys, &flags));
	assert_true(flags & PAGING_WRITE);
	/* The zero return address at the top of the stack. */
	assert_true(paging_lookup(&pg, TB_STACK_TOP - 8, &phys, &flags));
	assert_int_equal(*(uint64_t *)(uintptr_t)phys, 0);
	assert_false(paging_lookup(&pg, bi->stack_base - 4096, &phys, &flags));

	/* Identity map of the first 4 GiB, direct map of everything. */
	assert_true(paging_lookup(&pg, 0xfffff000, &phys, &flags));
	assert_int_equal(phys, 0xfffff000);
	assert_true(paging_lookup(&pg, TB_DIRECT_MAP_OFFSET + 0x123000, &phys, &flags));
	assert_int_equal(phys, 0x123000);
	if (fake_result.nx)
		assert_false(flags & PAGING_EXEC);
}

static void test_memory_map_is_normalised(void **state)
{
	(void)state;
	add_standard_files("kernel=/boot/kernel.elf\n");
	run_boot();
	struct tb_bootinfo *bi = entered_bootinfo();
	struct tb_mem_range *map = (struct tb_mem_range *)(uintptr_t)bi->mem_map;
	int seen_kernel = 0, seen_loader = 0;
	assert_true(bi->mem_map_entries >= 3);
	for (uint32_t i = 0; i < bi->mem_map_entries; i++) {
		if (i)
			assert_true(map[i - 1].base + map[i - 1].length <= map[i].base);
		if (map[i].type == TB_MEM_USABLE)
			assert_int_equal((map[i].base | map[i].length) & 0xfff, 0);
		seen_kernel |= map[i].type == TB_MEM_KERNEL &&
		               map[i].base <= bi->kernel_phys_base &&
		               bi->kernel_phys_base < map[i].base + map[i].length;
		seen_loader |= map[i].type == TB_MEM_LOADER;
	}
	assert_true(seen_kernel);
	assert_true(seen_loader);
}

static void test_missing_config_is_named(void **state)
{
	(void)state;
	kernel_size = make_kernel(kernel, sizeof(kernel));
	fake_platform_add_file("/boot/kernel.elf", kernel, kernel_size);
	expect_halt_with("/boot/twinboot.cfg");
}

static void test_bad_config_line_is_named(void **state)
{
	(void)state;
	add_standard_files("kernel=/boot/kernel.elf\nkernal=x\n");
	expect_halt_with("line 2");
}

/* The config is read into the kernel's head buffer: one byte more than
 * it holds is refused by name, and the largest one boots. */
static void test_config_size_limit(void **state)
{
	(void)state;
	static char text[CONFIG_FILE_MAX + 1];
	static const char line[] = "kernel=/boot/kernel.elf\n";
	memset(text, '#', sizeof(text));
	memcpy(text, line, sizeof(line) - 1);
	text[CONFIG_FILE_MAX - 1] = '\n';
	kernel_size = make_kernel(kernel, sizeof(kernel));
	fake_platform_add_file("/boot/twinboot.cfg", text, CONFIG_FILE_MAX);
	fake_platform_add_file("/boot/kernel.elf", kernel, kernel_size);
	run_boot();
	assert_int_equal(entered_bootinfo()->magic, TB_BOOTINFO_MAGIC);
	setup(NULL);
	text[CONFIG_FILE_MAX] = '\n';
	fake_platform_add_file("/boot/twinboot.cfg", text, CONFIG_FILE_MAX + 1);
	fake_platform_add_file("/boot/kernel.elf", kernel, kernel_size);
	expect_halt_with("/boot/twinboot.cfg: 61441 bytes, more than a config may have (61440)");
}

static void test_missing_kernel_is_named(void **state)
{
	(void)state;
	fake_platform_add_file("/boot/twinboot.cfg", "kernel=/boot/nope.elf\n", 22);
	expect_halt_with("/boot/nope.elf");
}

static void test_bad_kernel_is_named(void **state)
{
	(void)state;
	kernel_size = make_kernel(kernel, sizeof(kernel));
	kernel[0] = 'X'; /* bad magic */
	fake_platform_add_file("/boot/twinboot.cfg", "kernel=/boot/kernel.elf\n", 24);
	fake_platform_add_file("/boot/kernel.elf", kernel, kernel_size);
	expect_halt_with("/boot/kernel.elf: elf:");
}

/* The banner, as the platform prints it: "twinboot 0.1.0 (BIOS)\n". */
static const char *banner(void)
{
	static char line[64];
	snprintf(line, sizeof(line), "%s (BIOS)\n", TB_LOADER_NAME);
	return line;
}

/* Where output is cheap the banner goes out first and at once. */
static void test_banner_is_written_at_once_where_output_is_cheap(void **state)
{
	(void)state;
	add_standard_files("kernel=/boot/kernel.elf\n");
	run_boot();
	entered_bootinfo();
	assert_string_equal(fake_platform_output(), banner());
	assert_int_equal(fake_output_at_exit, strlen(banner()));
}

/* Where each write is a slow firmware call (UEFI's ConOut), a quiet boot
 * writes nothing before it leaves the firmware, then the banner; the boot
 * log has it first all the same. */
static void test_banner_waits_for_the_exit_where_output_is_slow(void **state)
{
	(void)state;
	fake_write_slow = 1;
	add_standard_files("kernel=/boot/kernel.elf\n");
	run_boot();
	struct tb_bootinfo *bi = entered_bootinfo();
	assert_int_equal(fake_output_at_exit, 0);
	assert_string_equal(fake_platform_output(), banner());
	assert_memory_equal((char *)(uintptr_t)bi->log, banner(), strlen(banner()));
}

/* Any other line releases the held banner first: a verbose boot and an
 * error read as they would with cheap output. */
static void test_held_banner_still_comes_first(void **state)
{
	(void)state;
	fake_write_slow = 1;
	add_standard_files("kernel=/boot/kernel.elf\nverbose=1\n");
	run_boot();
	entered_bootinfo();
	const char *out = fake_platform_output();
	assert_memory_equal(out, banner(), strlen(banner()));
	assert_non_null(strstr(out + strlen(banner()), "config: kernel=/boot/kernel.elf"));
	assert_null(strstr(out + strlen(banner()), banner())); /* once */

	setup(NULL);
	fake_write_slow = 1;
	fake_platform_add_file("/boot/twinboot.cfg", "kernel=/boot/nope.elf\n", 22);
	run_boot();
	assert_true(fake_result.halted);
	out = fake_platform_output();
	assert_memory_equal(out, banner(), strlen(banner()));
	assert_ptr_equal(strstr(out, "twinboot: error: "), out + strlen(banner()));
}

static void test_missing_module_is_named(void **state)
{
	(void)state;
	add_standard_files("module=/boot/initrd\n");
	expect_halt_with("/boot/initrd");
}

static void test_out_of_memory_is_named(void **state)
{
	(void)state;
	add_standard_files("kernel=/boot/kernel.elf\n");
	/* Room for the config and the kernel file, not for its segments. */
	fake_alloc_limit = 0x4000;
	expect_halt_with("no free memory");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_boots_with_modules_and_cmdline, setup),
	    cmocka_unit_test_setup(test_page_tables_follow_the_abi, setup),
	    cmocka_unit_test_setup(test_kernel_starts_with_the_early_idt, setup),
	    cmocka_unit_test_setup(test_memory_map_is_normalised, setup),
	    cmocka_unit_test_setup(test_missing_config_is_named, setup),
	    cmocka_unit_test_setup(test_bad_config_line_is_named, setup),
	    cmocka_unit_test_setup(test_config_size_limit, setup),
	    cmocka_unit_test_setup(test_missing_kernel_is_named, setup),
	    cmocka_unit_test_setup(test_bad_kernel_is_named, setup),
	    cmocka_unit_test_setup(test_missing_module_is_named, setup),
	    cmocka_unit_test_setup(test_banner_is_written_at_once_where_output_is_cheap, setup),
	    cmocka_unit_test_setup(test_banner_waits_for_the_exit_where_output_is_slow, setup),
	    cmocka_unit_test_setup(test_held_banner_still_comes_first, setup),
	    cmocka_unit_test_setup(test_out_of_memory_is_named, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
