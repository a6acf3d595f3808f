/* kernel/main.c - kmain, where both loaders hand over: check the boot info,
 * take over the CPU tables, pick the console, greet, describe the machine
 * the loader left, then run the mode the command line asks for and halt.
 * The machine state at entry is docs/ABI.md's. */
#include <stdint.h>

#include "bootinfo.h"
#include "color.h"
#include "conformance.h"
#include "console.h"
#include "gdt.h"
#include "idt.h"
#include "lib.h"
#include "panic.h"
#include "uart.h"
#include "x86.h"

void kmain(const struct tb_bootinfo *bi);

/* Refuse a boot info we don't understand, saying which field is wrong:
 * reading further through a bad pointer would only fault somewhere less
 * helpful. Only magic, version and size are read before this passes. */
static void check_bootinfo(const struct tb_bootinfo *bi)
{
	if (bi->magic != TB_BOOTINFO_MAGIC)
		panic("kernel: boot info magic 0x%016llx is not TWINBOOT (0x%016llx)",
		      (unsigned long long)bi->magic, TB_BOOTINFO_MAGIC);
	if (bi->version != TB_BOOTINFO_VERSION)
		panic("kernel: boot info version %u, this kernel understands %u", bi->version,
		      TB_BOOTINFO_VERSION);
	if (bi->size < sizeof(*bi))
		panic("kernel: boot info size %u is smaller than version 1's %zu", bi->size,
		      sizeof(*bi));
}

static const char *phys_str(const struct tb_bootinfo *bi, uint64_t phys)
{
	return (const char *)(uintptr_t)(bi->direct_map_offset + phys);
}

static void print_console(const struct tb_bootinfo *bi, enum console_kind kind)
{
	const struct tb_console *c = &bi->console;
	if (kind == CONSOLE_VGA)
		kprintf("console: VGA text %ux%u\n", c->width, c->height);
	else if (kind == CONSOLE_FB)
		kprintf("console: framebuffer %ux%ux%u at 0x%llx\n", c->width, c->height, c->bpp,
		        (unsigned long long)c->address);
	else if (c->type == TB_CONSOLE_NONE)
		kprintf("console: serial only\n");
	else
		kprintf("console: serial only (type %u, %ux%ux%u at 0x%llx: not drawable)\n",
		        c->type, c->width, c->height, c->bpp, (unsigned long long)c->address);
}

static void print_memory(const struct tb_bootinfo *bi)
{
	uint64_t usable = 0;
	for (uint32_t i = 0; i < bi->mem_map_entries; i++) {
		const struct tb_mem_range *r =
		    (const void *)(uintptr_t)(bi->direct_map_offset + bi->mem_map +
		                              (uint64_t)i * bi->mem_map_entry_size);
		if (r->type == TB_MEM_USABLE)
			usable += r->length;
	}
	kprintf("memory: %llu MiB usable in %u map entries\n", (unsigned long long)(usable >> 20),
	        bi->mem_map_entries);
}

/* cmdline word "memmap": the whole map, one entry a line, so a person
 * (and the BIOS test comparing it with SeaBIOS's E820) can read it. */
static void print_memmap(const struct tb_bootinfo *bi)
{
	static const char *const names[] = {"?",        "usable",      "reserved",   "acpi-reclaim",
	                                    "acpi-nvs", "bad",         "loader",     "kernel",
	                                    "module",   "framebuffer", "efi-runtime"};
	for (uint32_t i = 0; i < bi->mem_map_entries; i++) {
		const struct tb_mem_range *r =
		    (const void *)(uintptr_t)(bi->direct_map_offset + bi->mem_map +
		                              (uint64_t)i * bi->mem_map_entry_size);
		kprintf("map: 0x%016llx-0x%016llx %s\n", (unsigned long long)r->base,
		        (unsigned long long)(r->base + r->length - 1),
		        r->type < sizeof(names) / sizeof(names[0]) ? names[r->type] : "?");
	}
}

static void print_modules(const struct tb_bootinfo *bi)
{
	if (!bi->module_count) {
		kprintf("modules: none\n");
		return;
	}
	kprintf("modules: %u (", bi->module_count);
	for (uint32_t i = 0; i < bi->module_count; i++) {
		const struct tb_module *m =
		    (const void *)(uintptr_t)(bi->direct_map_offset + bi->modules +
		                              (uint64_t)i * bi->module_entry_size);
		kprintf("%s%.*s %llu bytes", i ? ", " : "", TB_MODULE_NAME_MAX, m->name,
		        (unsigned long long)m->size);
	}
	kprintf(")\n");
}

/* The loader's TSC stamps as milliseconds when it knew the TSC rate. */
static void print_timing(const struct tb_bootinfo *bi)
{
	uint64_t load = bi->tsc_kernel_loaded - bi->tsc_loader_entry;
	uint64_t handoff = bi->tsc_handoff - bi->tsc_kernel_loaded;
	uint64_t f = bi->tsc_frequency;
	if (f)
		kprintf("loader: entry->loaded %llu ms, loaded->handoff %llu ms\n",
		        (unsigned long long)(load * 1000 / f),
		        (unsigned long long)(handoff * 1000 / f));
	else
		kprintf(
		    "loader: entry->loaded %llu, loaded->handoff %llu TSC ticks (rate unknown)\n",
		    (unsigned long long)load, (unsigned long long)handoff);
}

static void print_info(const struct tb_bootinfo *bi, enum console_kind kind, const char *cmdline)
{
	const char *fw = bi->firmware == TB_FIRMWARE_BIOS   ? "BIOS"
	                 : bi->firmware == TB_FIRMWARE_UEFI ? "UEFI"
	                                                    : "unknown";
	kprintf("firmware: %s (%.*s)\n", fw, (int)sizeof(bi->loader_name), bi->loader_name);
	print_console(bi, kind);
	print_memory(bi);
	kprintf("cmdline: %s\n", cmdline[0] ? cmdline : "(none)");
	print_modules(bi);
	print_timing(bi);
}

/* Whether the space-separated command line contains exactly `word`. */
static int cmdline_has(const char *cmdline, const char *word)
{
	size_t n = strlen(word);
	for (const char *p = cmdline; *p;) {
		while (*p == ' ')
			p++;
		const char *end = p;
		while (*end && *end != ' ')
			end++;
		if ((size_t)(end - p) == n && !memcmp(p, word, n))
			return 1;
		p = end;
	}
	return 0;
}

void kmain(const struct tb_bootinfo *bi)
{
	uart_init(0); /* 115200 8N1, whatever the loader left */
	kprintf("kernel: started, boot info at %p\n", (const void *)bi);
	check_bootinfo(bi);
	gdt_init();
	idt_init();

	enum console_kind kind = console_init(&bi->console, bi->direct_map_offset);
	console_clear();
	console_set_color(COLOR_LIGHT_CYAN, COLOR_BLACK);
	kprintf("Hello World!\n");
	console_set_color(COLOR_LIGHT_GREY, COLOR_BLACK);

	const char *cmdline = bi->cmdline ? phys_str(bi, bi->cmdline) : "";
	print_info(bi, kind, cmdline);
	if (cmdline_has(cmdline, "memmap"))
		print_memmap(bi);

	if (cmdline_has(cmdline, "test=pagefault"))
		conformance_page_fault();
	if (cmdline_has(cmdline, "test=stackoverflow"))
		conformance_stack_overflow();
	if (cmdline_has(cmdline, "test"))
		conformance_run(bi);
	kernel_halt();
}
