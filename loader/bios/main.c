/* loader/bios/main.c - stage 2: bring up what common/ needs, then run the
 * shared boot sequence.
 *
 * entry.asm calls stage2_main() in 32-bit protected mode (flat segments,
 * no paging, interrupts off) with the boot drive stage 1 passed in DL.
 * In order: the TSC (the boot's start time), the console, A20 (nothing
 * above 1 MiB is reachable before it), the E820 map (every allocation
 * comes from it), the disk, the ESP, then boot_main(). The low-memory
 * layout is in stage2.ld.
 */
#include <stdint.h>

#include "bios.h"
#include "boot.h"
#include "cpu.h"
#include "fat.h"
#include "gpt.h"
#include "lib.h"
#include "log.h"
#include "memmap.h"
#include "pit.h"

/* Room for the raw E820 entries and the splits allocations make: real
 * maps have a few dozen entries. */
#define MAP_CAPACITY 512u
#define BDA_EBDA_SEGMENT ((const volatile uint16_t *)bios_ptr(0x40e))
#define BDA_BASE_MEMORY_KIB ((const volatile uint16_t *)bios_ptr(0x413)) /* INT 12h's */

extern char __bss_end[];
_Noreturn void stage2_main(uint32_t drive);

static struct tb_mem_range map_storage[MAP_CAPACITY];
uint32_t bios_bounce_end = BIOS_LOW_END;

/* The E820 map with stage 2's own low memory (scratch, stack, image, BSS,
 * bounce area) marked as loader memory, so nothing is allocated there
 * and the kernel knows it may reclaim it once it is done with the boot
 * info. */
static void read_memory_map(void)
{
	struct error err = {{0}};
	uint32_t ebda = (uint32_t)*BDA_EBDA_SEGMENT << 4;
	if (ebda && ebda < BIOS_LOW_END)
		log_fatal("bios: the EBDA at 0x%x overlaps stage 2's memory below 0x%x",
		          (unsigned)ebda, BIOS_LOW_END);

	memmap_init(&bios_memmap, map_storage, MAP_CAPACITY);
	if (e820_read(&bios_memmap, &err) < 0 || memmap_normalize(&bios_memmap, &err))
		log_fatal_error(&err);
	/* The bounce area goes on from BIOS_LOW_END through base memory, as
	 * far as the BIOS data area (INT 12h's size, the EBDA's start) and
	 * the map all say it is free RAM. */
	uint64_t bounce_end = memmap_run_end(&bios_memmap, BIOS_LOW_END, TB_MEM_USABLE);
	uint32_t base_memory = (uint32_t)*BDA_BASE_MEMORY_KIB << 10;
	if (base_memory < bounce_end)
		bounce_end = base_memory;
	if (ebda && ebda < bounce_end)
		bounce_end = ebda;
	bios_bounce_end = bounce_end > BIOS_LOW_END ? (uint32_t)bounce_end : BIOS_LOW_END;
	uint32_t end = ALIGN_UP((uint32_t)(uintptr_t)__bss_end, PAGE_SIZE);
	if (memmap_carve(&bios_memmap, BIOS_SCRATCH, end - BIOS_SCRATCH, TB_MEM_LOADER, &err) ||
	    memmap_carve(&bios_memmap, BIOS_BOUNCE, bios_bounce_end - BIOS_BOUNCE, TB_MEM_LOADER,
	                 &err))
		log_fatal_error(&err);
	if (memmap_total(&bios_memmap, TB_MEM_USABLE) < (4u << 20))
		log_fatal("memory: only %llu KiB usable, twinboot needs at least 4 MiB",
		          (unsigned long long)(memmap_total(&bios_memmap, TB_MEM_USABLE) >> 10));
}

/* The boot disk, its ESP (GPT, or the MBR table) and the FAT on it. */
static void mount_esp(uint8_t drive)
{
	struct error err = {{0}};
	struct partition *esp = &bios_esp_partition;
	if (disk_bios_open(&bios_disk, drive, &err))
		log_fatal_error(&err);
	if (gpt_find_esp(&bios_disk, esp, &err))
		log_fatal("no EFI system partition on drive 0x%02x: %s", drive, err.msg);
	if (esp->from_backup_gpt)
		log_info("gpt: primary GPT damaged, using the backup");
	if (fat_mount(&bios_esp, &bios_disk, esp->first_lba, esp->sectors, &err))
		log_fatal("ESP at LBA %llu on drive 0x%02x: %s", (unsigned long long)esp->first_lba,
		          drive, err.msg);
}

_Noreturn void stage2_main(uint32_t drive)
{
	/* First: the loader's start time for the boot info. A CPU without a
	 * TSC would fault on rdtsc; it can't run a 64-bit kernel anyway and
	 * boot_main says so. */
	uint64_t tsc_entry = cpu_features().tsc ? rdtsc() : 0;
	/* And the PIT window the TSC rate is measured over, so calibrating
	 * costs no wait of its own (platform_tsc_frequency). */
	if (tsc_entry)
		pit_open_window();

	console_init();
	fault_init();
	if (a20_enable())
		log_fatal("a20: the A20 gate stays closed (tried INT 15h 2401h, port 0x92 "
		          "and the keyboard controller)");
	read_memory_map();
	mount_esp((uint8_t)drive);
	boot_main(tsc_entry);
}
