/* common/readahead.h - a struct disk over another that reads small
 * requests a window at a time.
 *
 * Why: before the kernel's first byte, the BIOS loader reads the GPT, the
 * FAT's boot sector, a window of the FAT, two directories and the config,
 * one to 64 sectors at a time, all within 64 KiB of each other on an image
 * mkimage made. Through INT 13h every read is a trip to real mode and, from
 * a USB stick, a bulk-only transfer of its own (command, data and status:
 * 0.1 to 0.4 ms of QEMU's time, a round trip on a real stick), where the
 * rest of 63.5 KiB in the same transfer costs little more. So a small read
 * fetches a whole window from its first sector, and the reads after it
 * that fall inside are copies.
 *
 * A read of more than half a window goes straight through (a kernel's
 * bulk), and leaves the window as it was. The window is only ever filled
 * from the disk below, never written, so it cannot go stale: the loaders
 * only read.
 */
#ifndef TWINBOOT_READAHEAD_H
#define TWINBOOT_READAHEAD_H

#include <stdint.h>

#include "disk.h"

struct readahead {
	struct disk disk; /* read through this one */
	struct disk *under;
	uint8_t *window;
	uint32_t window_sectors;
	uint64_t lba;  /* the window's first sector */
	uint32_t held; /* sectors of the window read; 0: empty */
};

/* `window` holds `sectors` sectors: the largest read the disk below does
 * in one transfer (127 through INT 13h). Copies under->sectors, so call it
 * after the disk below is open. */
void readahead_init(struct readahead *ra, struct disk *under, void *window, uint32_t sectors);

#endif
