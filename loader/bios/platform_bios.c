/* loader/bios/platform_bios.c - common/platform.h for the BIOS loader.
 *
 * Memory comes from the E820 map main.c read (memmap_alloc carves each
 * allocation out of it, so the final map is that map), files from the ESP
 * main.c mounted, the screen and COM1 from console_bios.c. Stage 2 runs
 * in 32-bit protected mode without paging, so it can only touch memory
 * below 4 GiB: every allocation stays there.
 */
#include <stdint.h>

#include "bios.h"
#include "cpu.h"
#include "fat.h"
#include "lib.h"
#include "log.h"
#include "manifest.h"
#include "memmap.h"
#include "pit.h"
#include "platform.h"

#define ONE_MIB 0x100000ull
#define FOUR_GIB 0x100000000ull

struct memmap bios_memmap;
struct disk bios_disk;
struct fat_volume bios_esp;
struct partition bios_esp_partition;

static const char *const type_names[] = {
    "?",      "usable", "reserved", "ACPI reclaimable", "ACPI NVS",    "bad",
    "loader", "kernel", "module",   "framebuffer",      "EFI runtime",
};

void platform_write(const char *text, size_t len)
{
	console_write(text, (uint32_t)len);
}

/* VGA text and COM1 by hand: cheap. */
int platform_write_is_slow(void)
{
	return 0;
}

_Noreturn void platform_halt(void)
{
	for (;;)
		__asm__ volatile("cli; hlt");
}

uint64_t platform_alloc_pages(uint64_t pages, uint32_t tb_type, uint64_t max_addr)
{
	uint64_t limit = max_addr && max_addr < FOUR_GIB ? max_addr : FOUR_GIB;
	if (!pages || pages >= (FOUR_GIB - ONE_MIB) / PAGE_SIZE)
		return 0;
	return memmap_alloc(&bios_memmap, pages * PAGE_SIZE, PAGE_SIZE, ONE_MIB, limit, tb_type);
}

uint64_t platform_memory_top(void)
{
	return memmap_top(&bios_memmap);
}

/* What verbose=1 should show of the steps taken before the config was
 * read (and so before verbose was known): disk, partition, memory map. */
void platform_bios_report(void)
{
	static int done;
	if (done || !log_verbose_enabled)
		return;
	done = 1;
	const struct partition *p = &bios_esp_partition;
	log_verbose("disk: %llu sectors (%llu MiB); ESP from the %s: LBA %llu, %llu sectors, "
	            "FAT%d, %u-byte clusters",
	            (unsigned long long)bios_disk.sectors,
	            (unsigned long long)(bios_disk.sectors >> 11),
	            p->from_mbr          ? "MBR table"
	            : p->from_backup_gpt ? "backup GPT"
	                                 : "GPT",
	            (unsigned long long)p->first_lba, (unsigned long long)p->sectors, bios_esp.type,
	            bios_esp.bytes_per_cluster);
	log_verbose("disk: reading by %s", disk_bios_method(&bios_disk));
	log_verbose("disk: INT 13h reads of up to %u sectors",
	            (unsigned)disk_bios_transfer_sectors(&bios_disk));
	log_verbose("memory map (E820, loader areas carved):");
	for (uint32_t i = 0; i < bios_memmap.count; i++) {
		const struct tb_mem_range *r = &bios_memmap.entries[i];
		log_verbose("  0x%012llx-0x%012llx %s", (unsigned long long)r->base,
		            (unsigned long long)(r->base + r->length - 1),
		            r->type < ARRAY_SIZE(type_names) ? type_names[r->type] : "?");
	}
}

/* All the buffer: 60 KiB is one INT 13h read on any BIOS (EDD's limit
 * is 127 sectors, so 64 KiB would take two), more than half the
 * read-ahead window, so it goes straight to the disk: a kernel up to that
 * size takes one read. */
uint32_t platform_kernel_head_bytes(void)
{
	return KERNEL_HEAD_MAX;
}

int platform_read_file(const char *path, uint64_t offset, void *dest, uint64_t len, uint64_t *size,
                       struct error *err)
{
	uint64_t start = rdtsc(); /* boot_main checked the CPU: it has a TSC */
	platform_bios_report();
	if (fat_read_file(&bios_esp, path, offset, dest, len, size, err))
		return -1;
	uint64_t want = offset < *size ? *size - offset : 0;
	if (want > len)
		want = len;
	if (log_verbose_enabled && want > PAGE_SIZE) {
		uint64_t hz = platform_tsc_frequency(1);
		uint64_t ms = hz ? (rdtsc() - start) * 1000 / hz : 0;
		log_verbose("file: %s, %u bytes at 0x%llx in %llu ms", path, (unsigned)want,
		            (unsigned long long)(uintptr_t)dest, (unsigned long long)ms);
	}
	return 0;
}

void platform_set_video(uint32_t width, uint32_t height, int verbose, struct tb_console *console)
{
	/* The BIOS left mode 3: 80x25 cells of character and attribute. */
	*console = (struct tb_console){0};
	console->type = TB_CONSOLE_VGA_TEXT;
	console->address = 0xb8000;
	console->width = 80;
	console->height = 25;
	console->pitch = 160;
	console->bpp = 16;
	if (width && height)
		vbe_set_mode(width, height, verbose, console);
}

void platform_find_tables(uint64_t *rsdp, uint64_t *smbios, uint64_t *efi_system_table)
{
	*rsdp = tables_find_rsdp();
	*smbios = tables_find_smbios();
	*efi_system_table = 0;
	log_verbose("tables: ACPI RSDP 0x%llx, SMBIOS 0x%llx", (unsigned long long)*rsdp,
	            (unsigned long long)*smbios);
}

uint32_t platform_firmware(void)
{
	return TB_FIRMWARE_BIOS;
}

/* Stage 2 carries no manifest yet: BIOS boot checks no hashes, and has
 * no signature that could anchor them (docs/SECURE-BOOT.md). */
/* stage2.ld: the manifest mkimage --sign appends to stage 2, and whether
 * it did. No signature anchors it on BIOS, but it still catches files
 * changed or corrupted since the image was made (docs/SECURE-BOOT.md). */
extern const uint8_t __manifest[];
extern const uint32_t __stage2_manifest_sectors;
_Static_assert(MANIFEST_SIZE <= 0x2a00, "stage2.ld reserves 21 sectors for the manifest");

const void *platform_manifest(size_t *len)
{
	*len = 0;
	if (__stage2_manifest_sectors * DISK_SECTOR_SIZE < MANIFEST_SIZE)
		return NULL; /* not signed: stage 1 loaded nothing there */
	*len = MANIFEST_SIZE;
	return __manifest;
}

int platform_secure_boot(void)
{
	return 0;
}

void platform_native_disk(int allowed, const void *config_file, uint64_t config_size)
{
	(void)config_file; /* stage 2 checks its drivers against INT 13h */
	(void)config_size;
	disk_bios_native(&bios_disk, allowed);
}

uint64_t platform_tsc_frequency(int wait)
{
	uint64_t hz = cpu_tsc_frequency_cpuid();
	return hz ? hz : pit_calibrate_tsc(wait);
}

/* Nothing to leave on a BIOS: the map we allocated from is the final one. */
int platform_exit_firmware(struct memmap *map, struct error *err)
{
	for (uint32_t i = 0; i < bios_memmap.count; i++) {
		const struct tb_mem_range *r = &bios_memmap.entries[i];
		if (memmap_add(map, r->base, r->length, r->type, err))
			return -1;
	}
	return 0;
}
