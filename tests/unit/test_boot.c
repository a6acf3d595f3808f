/* tests/unit/test_boot.c - the shared boot sequence, end to end on the
 * fake platform: config, kernel and modules in, page tables and a boot
 * info out, and every failure a named message and a halt. */
#include <elf.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "boot.h"
#include "bootinfo.h"
#include "config.h"
#include "early_idt.h"
#include "fake_platform.h"
#include "layout.h"
#include "log.h"
#include "manifest.h"
#include "paging.h"

#define KBASE 0xffffffff80000000ull

/* A two-segment kernel: 0x1000 bytes of R-X text at KBASE, then a page of
 * RW- data with 0x800 bytes in the file and a BSS tail. */
static size_t make_kernel(uint8_t *buf, size_t size)
{
	memset(buf, 0, size);
	Elf64_Ehdr *eh = (Elf64_Ehdr *)buf;
	memcpy(eh->e_ident, ELFMAG, SELFMAG);
	eh->e_ident[EI_CLASS] = ELFCLASS64;
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_ident[EI_VERSION] = EV_CURRENT;
	eh->e_type = ET_EXEC;
	eh->e_machine = EM_X86_64;
	eh->e_version = EV_CURRENT;
	eh->e_entry = KBASE + 0x10;
	eh->e_phoff = sizeof(*eh);
	eh->e_ehsize = sizeof(*eh);
	eh->e_phentsize = sizeof(Elf64_Phdr);
	eh->e_phnum = 2;
	Elf64_Phdr *ph = (Elf64_Phdr *)(buf + sizeof(*eh));
	ph[0] = (Elf64_Phdr){PT_LOAD, PF_R | PF_X, 0x1000, KBASE, KBASE, 0x1000, 0x1000, 0x1000};
	ph[1] = (Elf64_Phdr){PT_LOAD,        PF_R | PF_W, 0x2000, KBASE + 0x1000,
	                     KBASE + 0x1000, 0x800,       0x3000, 0x1000};
	memset(buf + 0x1000, 0x90, 0x1000); /* text: nops */
	memset(buf + 0x2000, 0xab, 0x800);  /* data */
	return 0x2800;
}

static uint8_t kernel[0x3000];
static size_t kernel_size;

static void add_standard_files(const char *cfg)
{
	kernel_size = make_kernel(kernel, sizeof(kernel));
	fake_platform_add_file("/boot/twinboot.cfg", cfg, strlen(cfg));
	fake_platform_add_file("/boot/kernel.elf", kernel, kernel_size);
}

static int setup(void **state)
{
	(void)state;
	fake_platform_reset();
	log_reset();
	fake_platform_add_ram(0, 0x9fc00, 1);
	fake_platform_add_ram(0x100000, 0x3ff00000, 1);
	return 0;
}

/* Run boot_main until it halts or enters the kernel. */
static void run_boot(void)
{
	if (setjmp(fake_exit) == 0)
		boot_main(1234);
}

static struct tb_bootinfo *entered_bootinfo(void)
{
	assert_true(fake_result.entered);
	assert_false(fake_result.halted);
	return (struct tb_bootinfo *)(uintptr_t)(fake_result.bootinfo - TB_DIRECT_MAP_OFFSET);
}

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
	 * head (boot.c's first read, 60 KiB). The rate is taken last. */
	assert_int_equal(fake_bytes_read_at_tsc_sample, strlen(cfg) + (60u << 10));
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
 * segments in a 140 KiB file) take that one read, however big the file. */
static void test_small_segments_in_a_big_file_take_one_read(void **state)
{
	(void)state;
	static uint8_t file[0x30000];
	const char *cfg = "kernel=/boot/kernel.elf\nverbose=1\n";
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
	assert_int_equal(fake_bytes_read, strlen(cfg) + (60u << 10));
	assert_non_null(strstr(fake_platform_output(), "kernel: /boot/kernel.elf read in one go"));
	assert_non_null(
	    strstr(fake_platform_output(), "the last 135168 bytes of /boot/kernel.elf left on"));
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

static void expect_halt_with(const char *text)
{
	run_boot();
	assert_true(fake_result.halted);
	assert_false(fake_result.entered);
	const char *out = fake_platform_output();
	if (!strstr(out, text))
		fail_msg("expected '%s' in output:\n%s", text, out);
	assert_non_null(strstr(out, "twinboot: error: "));
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

/* The manifest: what mkimage --sign would embed for these files. */
static const char signed_cfg[] = "kernel=/boot/kernel.elf\nmodule=/boot/initrd\n";
static uint8_t manifest[MANIFEST_SIZE + 512]; /* a PE section is padded */

static void sign_standard_files(int secure_boot)
{
	struct error err = {{0}};
	kernel_size = make_kernel(kernel, sizeof(kernel));
	const struct manifest_file files[] = {
	    {"/boot/kernel.elf", kernel, kernel_size},
	    {"/boot/twinboot.cfg", signed_cfg, strlen(signed_cfg)},
	    {"/boot/initrd", "INITRD", 6}};
	memset(manifest, 0, sizeof(manifest));
	assert_int_equal(manifest_build(manifest, MANIFEST_SIZE, files, 3, &err), 0);
	fake_manifest = manifest;
	fake_manifest_len = sizeof(manifest);
	fake_secure_boot = secure_boot;
}

static void test_manifest_matching_files_boot(void **state)
{
	(void)state;
	sign_standard_files(1);
	add_standard_files(signed_cfg);
	fake_platform_add_file("/boot/initrd", "INITRD", 6);
	run_boot();
	entered_bootinfo();
	assert_non_null(
	    strstr(fake_platform_output(), "manifest: 3 files pinned by SHA-256, Secure Boot on"));
}

/* A pinned kernel is read to its last byte, past its segments: the hash
 * covers the whole file, so a change in its debug info is refused too. */
static void test_manifest_pins_every_byte(void **state)
{
	(void)state;
	static uint8_t file[0x20000];
	struct error err = {{0}};
	static const char cfg[] = "kernel=/boot/kernel.elf\nverbose=1\n";
	make_kernel(file, sizeof(file));
	memset(file + 0x2800, 0xdb, sizeof(file) - 0x2800);
	const struct manifest_file files[] = {{"/boot/kernel.elf", file, sizeof(file)},
	                                      {"/boot/twinboot.cfg", cfg, strlen(cfg)}};
	assert_int_equal(manifest_build(manifest, MANIFEST_SIZE, files, 2, &err), 0);
	fake_manifest = manifest;
	fake_manifest_len = MANIFEST_SIZE;
	fake_platform_add_file("/boot/twinboot.cfg", cfg, strlen(cfg));
	fake_platform_add_file("/boot/kernel.elf", file, sizeof(file));
	run_boot();
	entered_bootinfo();
	assert_int_equal(fake_bytes_read, strlen(cfg) + sizeof(file));
	assert_null(strstr(fake_platform_output(), "left on the disk"));

	file[sizeof(file) - 1] ^= 1; /* one bit of the "debug info" */
	fake_platform_reset();
	log_reset();
	setup(NULL);
	fake_manifest = manifest;
	fake_manifest_len = MANIFEST_SIZE;
	fake_platform_add_file("/boot/twinboot.cfg", cfg, strlen(cfg));
	fake_platform_add_file("/boot/kernel.elf", file, sizeof(file));
	expect_halt_with("manifest: /boot/kernel.elf: SHA-256 mismatch");
}

static void test_manifest_changed_kernel_is_refused(void **state)
{
	(void)state;
	sign_standard_files(1);
	kernel[0x1000] = 0xcc; /* one byte of text changed after signing */
	fake_platform_add_file("/boot/twinboot.cfg", signed_cfg, strlen(signed_cfg));
	fake_platform_add_file("/boot/kernel.elf", kernel, kernel_size);
	fake_platform_add_file("/boot/initrd", "INITRD", 6);
	expect_halt_with("manifest: /boot/kernel.elf: SHA-256 mismatch (expected ");
}

static void test_manifest_changed_config_is_refused(void **state)
{
	(void)state;
	sign_standard_files(0);
	add_standard_files("kernel=/boot/kernel.elf\nmodule=/boot/initrd\ncmdline=init=/bin/sh\n");
	fake_platform_add_file("/boot/initrd", "INITRD", 6);
	expect_halt_with("manifest: /boot/twinboot.cfg: SHA-256 mismatch");
}

static void test_manifest_changed_module_is_refused(void **state)
{
	(void)state;
	sign_standard_files(1);
	add_standard_files(signed_cfg);
	fake_platform_add_file("/boot/initrd", "EVILRD", 6);
	expect_halt_with("manifest: /boot/initrd: SHA-256 mismatch");
}

static void test_manifest_unlisted_module_is_refused(void **state)
{
	(void)state;
	/* A manifest that pins the config naming /boot/other, not the file. */
	static const char cfg[] = "kernel=/boot/kernel.elf\nmodule=/boot/other\n";
	struct error err = {{0}};
	kernel_size = make_kernel(kernel, sizeof(kernel));
	const struct manifest_file files[] = {{"/boot/kernel.elf", kernel, kernel_size},
	                                      {"/boot/twinboot.cfg", cfg, strlen(cfg)}};
	assert_int_equal(manifest_build(manifest, MANIFEST_SIZE, files, 2, &err), 0);
	fake_manifest = manifest;
	fake_manifest_len = MANIFEST_SIZE;
	add_standard_files(cfg);
	fake_platform_add_file("/boot/other", "OTHER", 5);
	expect_halt_with("manifest: /boot/other: not in the manifest");
}

static void test_manifest_corrupt_is_refused(void **state)
{
	(void)state;
	sign_standard_files(0);
	manifest[8] = 2; /* version */
	add_standard_files(signed_cfg);
	fake_platform_add_file("/boot/initrd", "INITRD", 6);
	expect_halt_with("manifest: unsupported version 2");
}

static void test_secure_boot_without_manifest_is_refused(void **state)
{
	(void)state;
	static const uint8_t blank[MANIFEST_SIZE];
	add_standard_files("kernel=/boot/kernel.elf\n");
	fake_secure_boot = 1;
	expect_halt_with("Secure Boot is on but BOOTX64.EFI carries no manifest: "
	                 "sign the image with mkimage --sign");
	/* A blank section (an unsigned build) is no manifest either. */
	fake_platform_reset();
	log_reset();
	setup(NULL);
	add_standard_files("kernel=/boot/kernel.elf\n");
	fake_manifest = blank;
	fake_manifest_len = sizeof(blank);
	fake_secure_boot = 1;
	expect_halt_with("Secure Boot is on but BOOTX64.EFI carries no manifest");
}

static void test_blank_manifest_without_secure_boot_boots(void **state)
{
	(void)state;
	static const uint8_t blank[MANIFEST_SIZE];
	add_standard_files("kernel=/boot/kernel.elf\n");
	fake_manifest = blank;
	fake_manifest_len = sizeof(blank);
	run_boot();
	entered_bootinfo();
	assert_null(strstr(fake_platform_output(), "manifest"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_boots_with_modules_and_cmdline, setup),
	    cmocka_unit_test_setup(test_page_tables_follow_the_abi, setup),
	    cmocka_unit_test_setup(test_kernel_starts_with_the_early_idt, setup),
	    cmocka_unit_test_setup(test_small_kernel_is_read_once, setup),
	    cmocka_unit_test_setup(test_disk_setting_reaches_the_platform_before_the_kernel, setup),
	    cmocka_unit_test_setup(test_big_kernel_is_read_in_place, setup),
	    cmocka_unit_test_setup(test_other_layouts_are_copied, setup),
	    cmocka_unit_test_setup(test_debug_info_is_not_read, setup),
	    cmocka_unit_test_setup(test_debug_info_is_not_read_for_a_copy, setup),
	    cmocka_unit_test_setup(test_small_segments_in_a_big_file_take_one_read, setup),
	    cmocka_unit_test_setup(test_manifest_pins_every_byte, setup),
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
	    cmocka_unit_test_setup(test_manifest_matching_files_boot, setup),
	    cmocka_unit_test_setup(test_manifest_changed_kernel_is_refused, setup),
	    cmocka_unit_test_setup(test_manifest_changed_config_is_refused, setup),
	    cmocka_unit_test_setup(test_manifest_changed_module_is_refused, setup),
	    cmocka_unit_test_setup(test_manifest_unlisted_module_is_refused, setup),
	    cmocka_unit_test_setup(test_manifest_corrupt_is_refused, setup),
	    cmocka_unit_test_setup(test_secure_boot_without_manifest_is_refused, setup),
	    cmocka_unit_test_setup(test_blank_manifest_without_secure_boot_boots, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
