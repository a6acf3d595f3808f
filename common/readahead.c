/* common/readahead.c - small reads a window at a time (readahead.h). */
#include "readahead.h"
#include "lib.h"

static int inside(const struct readahead *ra, uint64_t lba, uint32_t count)
{
	return ra->held && lba >= ra->lba && lba - ra->lba <= ra->held &&
	       count <= ra->held - (lba - ra->lba);
}

static int readahead_read(struct disk *disk, uint64_t lba, uint32_t count, void *buf,
                          struct error *err)
{
	struct readahead *ra = disk->ctx;
	struct disk *under = ra->under;
	if (inside(ra, lba, count)) {
		memcpy(buf, ra->window + (lba - ra->lba) * DISK_SECTOR_SIZE,
		       (size_t)count * DISK_SECTOR_SIZE);
		return 0;
	}
	/* Big reads, and reads past the disk's end, which the disk below
	 * refuses in its own words. */
	int past_end = under->sectors && (lba >= under->sectors || count > under->sectors - lba);
	if ((uint64_t)count * 2 > ra->window_sectors || past_end)
		return under->read(under, lba, count, buf, err);

	uint32_t n = ra->window_sectors;
	if (under->sectors && n > under->sectors - lba)
		n = (uint32_t)(under->sectors - lba);
	ra->held = 0;
	struct error ignored = {{0}};
	/* A window that fails (a bad sector past the one asked for, a disk
	 * smaller than the BIOS says) must not fail a read that works alone. */
	if (under->read(under, lba, n, ra->window, &ignored))
		return under->read(under, lba, count, buf, err);
	ra->lba = lba;
	ra->held = n;
	memcpy(buf, ra->window, (size_t)count * DISK_SECTOR_SIZE);
	return 0;
}

void readahead_init(struct readahead *ra, struct disk *under, void *window, uint32_t sectors)
{
	ra->under = under;
	ra->window = window;
	ra->window_sectors = sectors;
	ra->lba = 0;
	ra->held = 0;
	ra->disk = (struct disk){.read = readahead_read, .sectors = under->sectors, .ctx = ra};
}
