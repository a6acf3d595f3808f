/* common/bootinfo.h - the twinboot boot-info ABI, version 1.
 *
 * The one contract between a twinboot loader (BIOS or UEFI) and the kernel
 * it starts. A kernel author may copy this file alone: it needs only
 * <stdint.h> and <stddef.h>. The machine state at entry and the meaning of
 * every field are in docs/ABI.md.
 *
 * Layout rules: fixed-width fields, every address a uint64_t, padding
 * spelled out, no bit-fields, enums or packing, so the 32-bit BIOS loader,
 * the 64-bit UEFI loader and the kernel agree byte for byte; the asserts at
 * the end prove it in every build. New fields are only ever appended; `size`
 * says how many bytes of struct tb_bootinfo the loader filled in.
 *
 * Addresses inside the boot info are physical. The kernel reaches them
 * through the direct map: virtual = physical + direct_map_offset (or, below
 * 4 GiB, through the identity map while it keeps it).
 */
#ifndef TWINBOOT_BOOTINFO_H
#define TWINBOOT_BOOTINFO_H

#include <stddef.h>
#include <stdint.h>

#define TB_BOOTINFO_MAGIC 0x544f4f424e495754ull /* "TWINBOOT" in memory */
#define TB_BOOTINFO_VERSION 1

/* tb_bootinfo.firmware */
#define TB_FIRMWARE_BIOS 1
#define TB_FIRMWARE_UEFI 2

/* tb_mem_range.type. The map is sorted by base, entries never overlap and
 * adjacent entries of one type are merged. USABLE entries are 4 KiB aligned
 * at both ends. */
#define TB_MEM_USABLE 1
#define TB_MEM_RESERVED 2
#define TB_MEM_ACPI_RECLAIMABLE 3
#define TB_MEM_ACPI_NVS 4
#define TB_MEM_BAD 5
#define TB_MEM_LOADER 6       /* loader code/data, page tables, this boot info, the stack */
#define TB_MEM_KERNEL 7       /* the kernel's loaded segments */
#define TB_MEM_MODULE 8       /* module file contents */
#define TB_MEM_FRAMEBUFFER 9  /* the linear framebuffer */
#define TB_MEM_EFI_RUNTIME 10 /* UEFI runtime services code and data */

struct tb_mem_range {
	uint64_t base;     /* 0x00 physical address */
	uint64_t length;   /* 0x08 bytes */
	uint32_t type;     /* 0x10 TB_MEM_* */
	uint32_t reserved; /* 0x14 zero */
};

/* tb_console.type */
#define TB_CONSOLE_NONE 0        /* no screen: use the serial port */
#define TB_CONSOLE_VGA_TEXT 1    /* 16-bit cells, char + attribute */
#define TB_CONSOLE_FRAMEBUFFER 2 /* linear framebuffer, packed pixels */

struct tb_console {
	uint32_t type;       /* 0x00 TB_CONSOLE_* */
	uint32_t reserved0;  /* 0x04 zero */
	uint64_t address;    /* 0x08 physical address of cell/pixel (0,0) */
	uint32_t width;      /* 0x10 columns (text) or pixels */
	uint32_t height;     /* 0x14 rows (text) or pixels */
	uint32_t pitch;      /* 0x18 bytes from one row to the next */
	uint16_t bpp;        /* 0x1c bits per pixel: 16, 24 or 32 (text: 16) */
	uint8_t red_size;    /* 0x1e mask width in bits */
	uint8_t red_shift;   /* 0x1f bit position of the mask's lowest bit */
	uint8_t green_size;  /* 0x20 */
	uint8_t green_shift; /* 0x21 */
	uint8_t blue_size;   /* 0x22 */
	uint8_t blue_shift;  /* 0x23 */
	uint32_t reserved1;  /* 0x24 zero */
};

#define TB_MODULE_NAME_MAX 64

struct tb_module {
	uint64_t base;                 /* 0x00 physical address, 4 KiB aligned */
	uint64_t size;                 /* 0x08 bytes (the file's size) */
	char name[TB_MODULE_NAME_MAX]; /* 0x10 file name, NUL-terminated */
};

struct tb_bootinfo {
	uint64_t magic;       /* 0x000 TB_BOOTINFO_MAGIC */
	uint32_t version;     /* 0x008 TB_BOOTINFO_VERSION */
	uint32_t size;        /* 0x00c bytes of this struct filled in */
	uint32_t firmware;    /* 0x010 TB_FIRMWARE_* */
	uint32_t reserved0;   /* 0x014 zero */
	char loader_name[32]; /* 0x018 "twinboot 0.1.0", NUL-terminated */

	uint64_t mem_map;            /* 0x038 physical address of tb_mem_range[] */
	uint32_t mem_map_entries;    /* 0x040 number of entries */
	uint32_t mem_map_entry_size; /* 0x044 stride: sizeof(struct tb_mem_range) */

	struct tb_console console; /* 0x048 the screen the loader left set up */

	uint64_t rsdp;             /* 0x070 ACPI RSDP, physical; 0 if absent */
	uint64_t smbios;           /* 0x078 SMBIOS entry point (2.x or 3.0); 0 if absent */
	uint64_t efi_system_table; /* 0x080 UEFI system table; 0 on BIOS */

	uint64_t cmdline;           /* 0x088 physical address of a NUL-terminated string */
	uint32_t cmdline_size;      /* 0x090 bytes, without the NUL */
	uint32_t module_count;      /* 0x094 entries in modules[] */
	uint64_t modules;           /* 0x098 physical address of tb_module[] */
	uint32_t module_entry_size; /* 0x0a0 stride: sizeof(struct tb_module) */
	uint32_t reserved1;         /* 0x0a4 zero */

	uint64_t kernel_phys_base;  /* 0x0a8 physical address of the lowest segment page */
	uint64_t kernel_virt_base;  /* 0x0b0 its virtual address */
	uint64_t kernel_size;       /* 0x0b8 bytes from base to the end of the last page */
	uint64_t direct_map_offset; /* 0x0c0 all RAM is mapped at this + physical */

	uint64_t stack_base; /* 0x0c8 virtual address of the stack's lowest byte */
	uint64_t stack_size; /* 0x0d0 bytes; the page below stack_base is unmapped */

	uint64_t tsc_loader_entry;  /* 0x0d8 TSC when the loader started (stage 2 / efi_main) */
	uint64_t tsc_kernel_loaded; /* 0x0e0 TSC when kernel and modules were in memory */
	uint64_t tsc_handoff;       /* 0x0e8 TSC just before the jump to the kernel */
	uint64_t tsc_frequency;     /* 0x0f0 TSC ticks per second; 0 if unknown */

	uint64_t log;       /* 0x0f8 physical address of the loader's log text */
	uint32_t log_size;  /* 0x100 bytes of text (lines end in '\n') */
	uint32_t reserved2; /* 0x104 zero */
};

/* Compile-time proof of the layout, in every build that includes this. */
#define TB_ABI_ASSERT(e) _Static_assert(e, #e)
TB_ABI_ASSERT(sizeof(struct tb_mem_range) == 24);
TB_ABI_ASSERT(offsetof(struct tb_mem_range, base) == 0x00);
TB_ABI_ASSERT(offsetof(struct tb_mem_range, length) == 0x08);
TB_ABI_ASSERT(offsetof(struct tb_mem_range, type) == 0x10);
TB_ABI_ASSERT(offsetof(struct tb_mem_range, reserved) == 0x14);

TB_ABI_ASSERT(sizeof(struct tb_console) == 0x28);
TB_ABI_ASSERT(offsetof(struct tb_console, type) == 0x00);
TB_ABI_ASSERT(offsetof(struct tb_console, reserved0) == 0x04);
TB_ABI_ASSERT(offsetof(struct tb_console, address) == 0x08);
TB_ABI_ASSERT(offsetof(struct tb_console, width) == 0x10);
TB_ABI_ASSERT(offsetof(struct tb_console, height) == 0x14);
TB_ABI_ASSERT(offsetof(struct tb_console, pitch) == 0x18);
TB_ABI_ASSERT(offsetof(struct tb_console, bpp) == 0x1c);
TB_ABI_ASSERT(offsetof(struct tb_console, red_size) == 0x1e);
TB_ABI_ASSERT(offsetof(struct tb_console, red_shift) == 0x1f);
TB_ABI_ASSERT(offsetof(struct tb_console, green_size) == 0x20);
TB_ABI_ASSERT(offsetof(struct tb_console, green_shift) == 0x21);
TB_ABI_ASSERT(offsetof(struct tb_console, blue_size) == 0x22);
TB_ABI_ASSERT(offsetof(struct tb_console, blue_shift) == 0x23);
TB_ABI_ASSERT(offsetof(struct tb_console, reserved1) == 0x24);

TB_ABI_ASSERT(sizeof(struct tb_module) == 0x50);
TB_ABI_ASSERT(offsetof(struct tb_module, base) == 0x00);
TB_ABI_ASSERT(offsetof(struct tb_module, size) == 0x08);
TB_ABI_ASSERT(offsetof(struct tb_module, name) == 0x10);

TB_ABI_ASSERT(sizeof(struct tb_bootinfo) == 0x108);
TB_ABI_ASSERT(offsetof(struct tb_bootinfo, magic) == 0x000);
TB_ABI_ASSERT(offsetof(struct tb_bootinfo, version) == 0x008);
TB_ABI_ASSERT(offsetof(struct tb_bootinfo, size) == 0x00c);
TB_ABI_ASSERT(offsetof(struct tb_bootinfo, firmware) == 0x010);
TB_ABI_ASSERT(offsetof(struct tb_bootinfo, reserved0) == 0x014);
TB_ABI_ASSERT(offsetof(struct tb_bootinfo, loader_name) == 0x018);
TB_ABI_ASSERT(offsetof(struct tb_bootinfo, mem_map) == 0x038);
TB_ABI_ASSERT(offsetof(struct tb_bootinfo, mem_map_entries) == 0x040);
TB_ABI_ASSERT(offsetof(struct tb_bootinfo, mem_map_entry_size) == 0x044);
TB_ABI_ASSERT(offsetof(struct tb_bootinfo, console) == 0x048);
TB_ABI_ASSERT(offsetof(struct tb_bootinfo, rsdp) == 0x070);
TB_ABI_ASSERT(offsetof(struct tb_bootinfo, smbios) == 0x078);
TB_ABI_ASSERT(offsetof(struct tb_bootinfo, efi_system_table) == 0x080);
TB_ABI_ASSERT(offsetof(struct tb_bootinfo, cmdline) == 0x088);
TB_ABI_ASSERT(offsetof(struct tb_bootinfo, cmdline_size) == 0x090);
TB_ABI_ASSERT(offsetof(struct tb_bootinfo, module_count) == 0x094);
TB_ABI_ASSERT(offsetof(struct tb_bootinfo, modules) == 0x098);
TB_ABI_ASSERT(offsetof(struct tb_bootinfo, module_entry_size) == 0x0a0);
TB_ABI_ASSERT(offsetof(struct tb_bootinfo, reserved1) == 0x0a4);
TB_ABI_ASSERT(offsetof(struct tb_bootinfo, kernel_phys_base) == 0x0a8);
TB_ABI_ASSERT(offsetof(struct tb_bootinfo, kernel_virt_base) == 0x0b0);
TB_ABI_ASSERT(offsetof(struct tb_bootinfo, kernel_size) == 0x0b8);
TB_ABI_ASSERT(offsetof(struct tb_bootinfo, direct_map_offset) == 0x0c0);
TB_ABI_ASSERT(offsetof(struct tb_bootinfo, stack_base) == 0x0c8);
TB_ABI_ASSERT(offsetof(struct tb_bootinfo, stack_size) == 0x0d0);
TB_ABI_ASSERT(offsetof(struct tb_bootinfo, tsc_loader_entry) == 0x0d8);
TB_ABI_ASSERT(offsetof(struct tb_bootinfo, tsc_kernel_loaded) == 0x0e0);
TB_ABI_ASSERT(offsetof(struct tb_bootinfo, tsc_handoff) == 0x0e8);
TB_ABI_ASSERT(offsetof(struct tb_bootinfo, tsc_frequency) == 0x0f0);
TB_ABI_ASSERT(offsetof(struct tb_bootinfo, log) == 0x0f8);
TB_ABI_ASSERT(offsetof(struct tb_bootinfo, log_size) == 0x100);
TB_ABI_ASSERT(offsetof(struct tb_bootinfo, reserved2) == 0x104);

#endif
