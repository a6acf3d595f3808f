/* loader/uefi/main.c - BOOTX64.EFI: bring up what common/ needs, then run
 * the shared boot sequence.
 *
 * The firmware enters efi_main directly: the image has no relocations for
 * gnu-efi's crt0 to apply (the Makefile's UEFI_ENTRY_LDFLAGS). We keep the
 * firmware's tables in globals, switch off the watchdog (UEFI 2.10 7.5:
 * it would reset the machine after 5 minutes, e.g. while an error waits
 * for a key), open the boot volume and hand over to boot_main(). Nothing
 * in here returns: boot_main ends in the kernel or in platform_halt().
 */
#include <efi.h>

#include "boot.h"
#include "cpu.h"
#include "log.h"
#include "pit.h"
#include "uefi.h"

/* A .reloc section, as gnu-efi's crt0 has it: one block of two no-op
 * (IMAGE_REL_BASED_ABSOLUTE) entries. The firmware loads a PE image
 * without one only at its preferred base, which is 0 here. */
__asm__(".section .reloc, \"a\"\n"
        ".long 0, 12\n" /* page RVA, block size */
        ".short 0, 0\n" /* the two entries */
        ".previous");

EFI_GUID uefi_global_variable = {
    0x8be4df61, 0x93ca, 0x11d2, {0xaa, 0x0d, 0x00, 0xe0, 0x98, 0x03, 0x2b, 0x8c}};
EFI_HANDLE uefi_image;
EFI_SYSTEM_TABLE *uefi_st;
EFI_BOOT_SERVICES *uefi_bs;

EFI_STATUS EFIAPI efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *st);

EFI_STATUS EFIAPI efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	uint64_t tsc_entry = rdtsc();
	/* The window the TSC rate is measured over (platform_tsc_frequency). */
	pit_open_window();
	struct error err = {{0}};

	uefi_image = image;
	uefi_st = st;
	uefi_bs = st->BootServices;
	uefi_bs->SetWatchdogTimer(0, 0, 0, NULL);
	if (uefi_open_volume(&err))
		log_fatal_error(&err);
	boot_main(tsc_entry);
}
