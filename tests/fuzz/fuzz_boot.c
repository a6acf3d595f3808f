/* tests/fuzz/fuzz_boot.c - libFuzzer target for the boot-info builder:
 * common/boot.c end to end on the fake platform (tests/unit/fake_platform.c).
 *
 * The input is a config file, a raw memory map and a kernel file:
 *
 *   u8 flags (bit 0: Secure Boot on), u16 config length, config bytes,
 *   u8 map entries (at most 16), each u32 base page, u32 pages, u8 type,
 *   then the rest is /boot/kernel.elf.
 *
 * Two module files exist (/boot/initrd, /boot/font.psf). Whatever the bytes,
 * the loader must either halt with a "twinboot: error: " line or enter the
 * kernel with a boot info that keeps every promise of common/bootinfo.h:
 * sorted, merged map with the kernel and modules in entries of their
 * types, terminated strings inside their buffers, the entry point mapped
 * executable, the stack where the ABI puts it.
 */
#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "boot.h"
#include "bootinfo.h"
#include "config.h"
#include "../unit/fake_platform.h"
#include "layout.h"
#include "log.h"
#include "paging.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint64_t take(const uint8_t **p, size_t *left, size_t n)
{
	uint64_t v = 0;
	for (size_t i = 0; i < n && *left; i++, (*p)++, (*left)--)
		v |= (uint64_t) * *p << (8 * i);
	return v;
}

/* The map entry holding [base, base + len), or NULL. */
static const struct tb_mem_range *covering(const struct tb_bootinfo *bi, uint64_t base,
                                           uint64_t len)
{
	const struct tb_mem_range *map = (const struct tb_mem_range *)(uintptr_t)bi->mem_map;
	for (uint32_t i = 0; i < bi->mem_map_entries; i++)
		if (map[i].base <= base && base + len <= map[i].base + map[i].length)
			return &map[i];
	return NULL;
}

static void check_map(const struct tb_bootinfo *bi)
{
	const struct tb_mem_range *map = (const struct tb_mem_range *)(uintptr_t)bi->mem_map;
	if (bi->mem_map_entry_size != sizeof(*map) || bi->mem_map_entries == 0)
		abort();
	for (uint32_t i = 0; i < bi->mem_map_entries; i++) {
		if (!map[i].length || map[i].type < TB_MEM_USABLE ||
		    map[i].type > TB_MEM_EFI_RUNTIME)
			abort();
		if (map[i].type == TB_MEM_USABLE && ((map[i].base | map[i].length) & 0xfff))
			abort();
		if (i && (map[i - 1].base + map[i - 1].length > map[i].base ||
		          (map[i - 1].base + map[i - 1].length == map[i].base &&
		           map[i - 1].type == map[i].type)))
			abort();
	}
}

/* The parsed config, to hold the boot info to what it asked for. */
static struct config cfg;

static void check_entered(void)
{
	const struct tb_bootinfo *bi =
	    (const struct tb_bootinfo *)(uintptr_t)(fake_result.bootinfo - TB_DIRECT_MAP_OFFSET);
	if (bi->magic != TB_BOOTINFO_MAGIC || bi->version != TB_BOOTINFO_VERSION ||
	    bi->size != sizeof(*bi))
		abort();
	check_map(bi);

	const struct tb_mem_range *k = covering(bi, bi->kernel_phys_base, bi->kernel_size);
	if (!k || k->type != TB_MEM_KERNEL || (bi->kernel_phys_base & 0xfff) ||
	    (bi->kernel_virt_base & 0xfff) || (bi->kernel_size & 0xfff) || !bi->kernel_size)
		abort();
	const struct tb_mem_range *b = covering(bi, (uint64_t)(uintptr_t)bi, sizeof(*bi));
	if (!b || b->type != TB_MEM_LOADER)
		abort();

	const char *cmdline = (const char *)(uintptr_t)bi->cmdline;
	if (strlen(cmdline) != bi->cmdline_size || strcmp(cmdline, cfg.cmdline))
		abort();
	const struct tb_module *mods = (const struct tb_module *)(uintptr_t)bi->modules;
	/* A file may be named more than once (even the kernel): one module
	 * per module= line, in order. */
	if (bi->module_count != cfg.module_count || bi->module_entry_size != sizeof(*mods))
		abort();
	for (uint32_t i = 0; i < bi->module_count; i++) {
		const struct tb_mem_range *m = covering(bi, mods[i].base, mods[i].size);
		if (!m || m->type != TB_MEM_MODULE ||
		    memchr(mods[i].name, 0, sizeof(mods[i].name)) == NULL ||
		    strncmp(mods[i].name, config_basename(cfg.modules[i]),
		            sizeof(mods[i].name) - 1))
			abort();
	}
	const char *log = (const char *)(uintptr_t)bi->log;
	if (bi->log_size == 0 || log[bi->log_size - 1] != '\n')
		abort();

	struct paging pg = {.pml4 = fake_result.pml4, .nx = fake_result.nx};
	uint64_t phys;
	uint32_t flags;
	if (!paging_lookup(&pg, fake_result.entry, &phys, &flags) || !(flags & PAGING_EXEC))
		abort();
	if (!paging_lookup(&pg, bi->kernel_virt_base, &phys, &flags) ||
	    phys != bi->kernel_phys_base)
		abort();
	if (fake_result.stack_top != TB_STACK_TOP - 8 ||
	    !paging_lookup(&pg, TB_STACK_TOP - 8, &phys, &flags) || !(flags & PAGING_WRITE) ||
	    paging_lookup(&pg, bi->stack_base - 8, &phys, &flags))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fake_platform_reset();
	log_reset();
	/* Host memory is real: keep a fuzzed BSS from taking gigabytes. */
	fake_alloc_limit = 64ull << 20;

	uint32_t flags = (uint32_t)take(&data, &size, 1);
	fake_secure_boot = flags & 1;
	size_t cfg_len = (size_t)take(&data, &size, 2);
	if (cfg_len > size)
		cfg_len = size;
	fake_platform_add_file("/boot/twinboot.cfg", data, cfg_len);
	const char *cfg_text = (const char *)data;
	data += cfg_len;
	size -= cfg_len;

	unsigned entries = (unsigned)take(&data, &size, 1) % 17;
	if (entries == 0) {
		fake_platform_add_ram(0, 0x9fc00, TB_MEM_USABLE);
		fake_platform_add_ram(0x100000, 0x3ff00000, TB_MEM_USABLE);
	}
	for (unsigned i = 0; i < entries; i++) {
		uint64_t base = take(&data, &size, 4) << 12;
		uint64_t length = take(&data, &size, 4) << 12;
		uint32_t type = (uint32_t)take(&data, &size, 1) % 12;
		fake_platform_add_ram(base, length, type);
	}
	fake_platform_add_file("/boot/kernel.elf", data, size);
	fake_platform_add_file("/boot/initrd", "INITRD", 6);
	fake_platform_add_file("/boot/font.psf", "", 0);

	if (setjmp(fake_exit) == 0)
		boot_main(1);
	if (fake_result.halted == fake_result.entered)
		abort(); /* exactly one way out */
	if (fake_result.halted) {
		if (!strstr(fake_platform_output(), "twinboot: error: "))
			abort();
		return 0;
	}
	struct error err;
	if (config_parse(cfg_text, cfg_len, &cfg, &err))
		abort(); /* entered the kernel on a config that does not parse */
	check_entered();
	return 0;
}
