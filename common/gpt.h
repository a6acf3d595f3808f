/* common/gpt.h - find the EFI system partition on a disk.
 *
 * Reads the GPT (UEFI 2.10 ch. 5.3): the primary header at LBA 1, checked
 * by its header and entry-array CRC32s; when the primary is damaged, the
 * backup header it or the MBR points to (the last LBA). Without a valid
 * GPT, the MBR table (a type 0xEF, or an active FAT 0x0B/0x0C/0x0E/0x06
 * partition). Errors name what is wrong: "gpt: primary header CRC
 * 0x1234abcd, expected 0x...; backup header CRC ...".
 */
#ifndef TWINBOOT_GPT_H
#define TWINBOOT_GPT_H

#include <stdint.h>

#include "disk.h"
#include "error.h"

struct partition {
	uint64_t first_lba;
	uint64_t sectors;
	int from_backup_gpt; /* the primary GPT was damaged */
	int from_mbr;        /* no GPT: found in the MBR table */
};

/* Find the ESP (GPT type C12A7328-F81F-11D2-BA4B-00A0C93EC93B). */
int gpt_find_esp(struct disk *disk, struct partition *esp, struct error *err);

#endif
