/* tests/fuzz/buf_disk.h - a struct disk over the fuzzer's input bytes:
 * reads inside it are copied, reads past its end fail like a short disk. */
#ifndef TWINBOOT_FUZZ_BUF_DISK_H
#define TWINBOOT_FUZZ_BUF_DISK_H

#include <string.h>

#include "disk.h"

struct buf_disk {
	const uint8_t *data;
	size_t sectors;
};

static int buf_read(struct disk *disk, uint64_t lba, uint32_t count, void *buf, struct error *err)
{
	struct buf_disk *b = disk->ctx;
	if (lba > b->sectors || count > b->sectors - lba)
		return error_set(err, "disk: LBA 0x%llx past the end", (unsigned long long)lba);
	memcpy(buf, b->data + lba * 512, (size_t)count * 512);
	return 0;
}

#endif
