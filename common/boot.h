/* common/boot.h - the boot sequence both loaders share.
 *
 * A loader brings up its platform (console, disk or file system, memory
 * map for allocation) and calls boot_main(). From there on everything is
 * common code calling back through platform.h:
 *   check the CPU; read and parse /boot/twinboot.cfg; read the kernel and
 *   check it with elf_check(); load it into TB_MEM_KERNEL pages; read the
 *   modules; set the video mode; find ACPI/SMBIOS; build the page tables
 *   (kernel segments with their permissions, direct map, identity map of
 *   the first 4 GiB, the stack with its guard page); allocate and fill the
 *   boot info; leave the firmware; normalise the final memory map into the
 *   boot info; jump.
 * Every failure prints one line naming what and where, then halts.
 */
#ifndef TWINBOOT_BOOT_H
#define TWINBOOT_BOOT_H

#include <stdint.h>

#include "bootinfo.h"
#include "elf.h"

/* What the boot sequence learned before building the address space and
 * the boot info. */
struct boot_facts {
	uint64_t tsc_entry, tsc_loaded, tsc_frequency;
	struct elf_plan plan;
	uint64_t kernel_phys; /* where plan.virt_base is in physical memory */
	struct tb_console console;
	uint64_t rsdp, smbios, efi_system_table;
};

/* tsc_entry: the TSC the loader read first thing at its entry. */
_Noreturn void boot_main(uint64_t tsc_entry);

#endif
