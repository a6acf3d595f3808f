/* common/platform.h - the seam between common/ and the firmware.
 *
 * common/ never calls the BIOS or UEFI itself: everything it needs from the
 * machine goes through these functions. loader/bios/platform_bios.c and
 * loader/uefi/platform_uefi.c implement them for real; tests/unit/
 * fake_platform.c implements them over host memory for the unit tests.
 *
 * Physical addresses are uint64_t everywhere. Both loaders run with
 * physical == virtual for everything they allocate (flat 32-bit protected
 * mode below 4 GiB; UEFI's identity map), so phys_ptr() turns one into a
 * pointer; the fake platform hands out host addresses for the same reason.
 */
#ifndef TWINBOOT_PLATFORM_H
#define TWINBOOT_PLATFORM_H

#include <stddef.h>
#include <stdint.h>

#include "bootinfo.h"
#include "error.h"

struct memmap;

static inline void *phys_ptr(uint64_t phys)
{
	return (void *)(uintptr_t)phys;
}

/* Text to the screen and the serial port, as it comes (no newline added).
 * common/log.c calls this; everything else uses log_*(). */
void platform_write(const char *text, size_t len);

/* Nonzero while each platform_write costs a slow firmware call (UEFI's
 * ConOut before ExitBootServices), so log_banner() holds its line. */
int platform_write_is_slow(void);

/* Stop for good after an error: interrupts off, halt in a loop (BIOS and
 * after ExitBootServices) or wait for a key and return to the firmware
 * with an error status (UEFI, before ExitBootServices). Never returns. */
_Noreturn void platform_halt(void);

/* Allocate `pages` 4 KiB pages of physical memory, contents undefined
 * (files are read straight into them: zeroing a 64 MiB kernel's pages
 * first would be a wasted pass; callers zero what they need), below
 * `max_addr` (exclusive; 0 means no limit), recorded in the final memory
 * map as `tb_type` (TB_MEM_KERNEL, TB_MEM_MODULE or TB_MEM_LOADER).
 * Returns the physical address, or 0 when no such memory is free. */
uint64_t platform_alloc_pages(uint64_t pages, uint32_t tb_type, uint64_t max_addr);

/* One past the highest physical address of RAM the firmware reports; the
 * direct map covers [0, max(this, 4 GiB)). */
uint64_t platform_memory_top(void);

/* Read bytes [offset, offset + len) of a file of the boot volume (path
 * like "/boot/kernel.elf"), as far as the file reaches, into dest and set
 * *size to the whole file's size; len 0 only asks for the size. offset is
 * a multiple of 512. The caller allocated dest (common/boot.c: new pages
 * for a file, or the kernel's own pages, so it is read once, in place).
 * On failure returns -1 with `err` naming the file and the cause. */
int platform_read_file(const char *path, uint64_t offset, void *dest, uint64_t len, uint64_t *size,
                       struct error *err);

/* The most platform_kernel_head_bytes() may say: common/boot.c's buffer,
 * which holds the config first. */
#define KERNEL_HEAD_MAX (60u << 10)

/* How many of the kernel file's first bytes common/boot.c reads before its
 * headers tell where the rest goes: all of a small kernel, the headers of
 * a big one, which then reads the rest (up to its last segment) in one go.
 * A multiple of 4 KiB, so the rest starts on a page; at most
 * KERNEL_HEAD_MAX. */
uint32_t platform_kernel_head_bytes(void);

/* Set up the screen: width/height 0 keep the current mode; otherwise pick
 * the available mode closest to width x height (verbose: list them). Fills
 * *console (TB_CONSOLE_NONE when there is no usable screen). Never fails
 * the boot: a screen that can't be set is reported and left alone. */
void platform_set_video(uint32_t width, uint32_t height, int verbose, struct tb_console *console);

/* Firmware tables: ACPI RSDP, SMBIOS entry point, UEFI system table; 0
 * for those that are absent. */
void platform_find_tables(uint64_t *rsdp, uint64_t *smbios, uint64_t *efi_system_table);

/* The firmware kind, TB_FIRMWARE_BIOS or TB_FIRMWARE_UEFI. */
uint32_t platform_firmware(void);

/* TSC ticks per second, from CPUID or calibrated (pit.h); 0 when
 * unknown. wait 0: without waiting, so 0 also while the calibration has
 * no sample yet; each call refines it. wait 1: the final rate. */
uint64_t platform_tsc_frequency(int wait);

/* Called once, after the config is read and before any byte of the
 * kernel: whether the loader may go on to read the boot disk by its own
 * drivers instead of the firmware's (the config's disk=). The BIOS loader
 * may have read the partition table and the config by IDE bus-master DMA
 * (reversible: dropped here when not allowed); it takes a virtio-blk
 * device over only now, when allowed, since that cannot be undone. The
 * UEFI loader reads an IDE boot disk by DMA from here on, when allowed
 * (loader/uefi/disk_uefi.c), once its driver reads the config file as
 * `config_file` (`config_size` bytes, as read through the firmware). */
void platform_native_disk(int allowed, const void *config_file, uint64_t config_size);

/* The file manifest the loader binary carries (common/manifest.h): the
 * bytes of BOOTX64.EFI's .twinboot section, which may still be blank
 * (all zero, an unsigned build), and their count in *len; NULL when this
 * loader has no place for one (BIOS stage 2, for now). */
const void *platform_manifest(size_t *len);

/* 1 when the firmware only runs signed binaries (UEFI 2.10 3.3: the
 * SecureBoot variable is 1), else 0. With it on, common/ refuses to boot
 * files that no manifest vouches for. */
int platform_secure_boot(void);

/* Leave the firmware for good and report the final memory map: raw
 * entries go into `map` with memmap_add(); common/ normalises it. On UEFI
 * this is GetMemoryMap + ExitBootServices (retried on a stale key). After
 * it, only platform_write (serial/screen by hand), platform_halt and
 * platform_enter_kernel may be called. */
int platform_exit_firmware(struct memmap *map, struct error *err);

/* Load CR3 = pml4, make sure long mode, PAE, NXE (if nx) and CR0.WP are
 * on, load a GDT with a 64-bit code segment and the IDT whose IDTR is at
 * `idtr` (below 4 GiB: common/early_idt.h), set RSP = stack_top and
 * RDI = bootinfo and jump to entry. The code doing this must be identity
 * mapped in the new tables (the first 4 GiB are). Never returns. */
_Noreturn void platform_enter_kernel(uint64_t pml4, uint64_t entry, uint64_t stack_top,
                                     uint64_t bootinfo, int nx, uint64_t idtr);

#endif
