/* common/disk.h - a disk as common/ sees it: 512-byte sectors read by LBA.
 *
 * The BIOS loader implements read() with INT 13h extended reads (or IDE
 * bus-master DMA, common/ata_dma.c, or virtio-blk), the UEFI loader with
 * that DMA driver or the firmware's DiskIo, mkimage and the tests with a
 * file or a buffer. FAT and GPT code reads through it.
 */
#ifndef TWINBOOT_DISK_H
#define TWINBOOT_DISK_H

#include <stdint.h>

#include "error.h"

#define DISK_SECTOR_SIZE 512u

struct disk {
	/* Read `count` sectors from `lba` into buf. Returns 0, or -1 after
	 * filling err ("disk: read of 8 sectors at LBA 0x800 failed: ...").
	 * May be called with any count; the implementation splits it. */
	int (*read)(struct disk *disk, uint64_t lba, uint32_t count, void *buf, struct error *err);
	uint64_t sectors; /* size of the disk; 0 if unknown */
	void *ctx;
};

#endif
