/* loader/uefi/uefi.h - what the UEFI loader's files share. EFI types stay
 * inside loader/uefi/; common/ sees only platform.h. */
#ifndef TWINBOOT_UEFI_H
#define TWINBOOT_UEFI_H

#include <efi.h>
#include <stddef.h>

#include "error.h"

extern EFI_HANDLE uefi_image;
extern EFI_SYSTEM_TABLE *uefi_st;
extern EFI_BOOT_SERVICES *uefi_bs;
extern int uefi_boot_services_exited;

/* The volume BOOTX64.EFI was loaded from; uefi_boot_device is then the
 * handle of the partition it is on. */
int uefi_open_volume(struct error *err);
extern EFI_HANDLE uefi_boot_device;
/* Close the files platform_read_file left open (files_uefi.c): for a boot
 * that goes back to the firmware. */
void uefi_close_files(void);

/* The boot partition as read by our own IDE or AHCI driver (disk_uefi.c)
 * for a read of `bytes`, once platform_native_disk has taken it (IDE), or
 * from the first read of NATIVE_MIN_BYTES or more on (AHCI); NULL while
 * files go through the firmware's file system. */
struct fat_volume *uefi_disk_volume(uint64_t bytes);

/* EFI_GLOBAL_VARIABLE (UEFI 2.10 3.3), the GUID of SecureBoot, ConOut
 * and the other standard variables; libefi, which would define it, is not
 * linked. */
extern EFI_GUID uefi_global_variable;

/* "Not Found" and friends, for messages. */
const char *uefi_status_text(EFI_STATUS status);

/* Copy the GDT and the CR3-switching trampoline into a page below 4 GiB;
 * before ExitBootServices (it allocates). */
int uefi_handoff_prepare(struct error *err);

#endif
