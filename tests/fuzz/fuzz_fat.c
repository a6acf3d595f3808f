/* tests/fuzz/fuzz_fat.c - libFuzzer target for common/fat.c.
 *
 * The input is a FAT volume in memory. Whatever its bytes, mounting,
 * looking up paths and reading files must end in success or an "fat: "
 * message: no read outside the volume (ASan), no hang (bounded chains).
 *
 * A FAT32 volume has at least 65525 clusters, far more than a seed should
 * hold, so the input describes a sparse disk: a 12-byte header (little
 * endian u32s: hole_start, hole_sectors, total_sectors), then the sectors
 * before the hole, then those after it. The hole and anything past the
 * data up to total_sectors read as zeros. The seeds in corpus/fat/ are
 * mformat/mcopy volumes cut this way: boot sector and the start of the
 * FAT, a hole over the rest of the FATs, then the root directory and the
 * first clusters.
 *
 * A file read whole must be what fat_read_range reads of it in two parts,
 * as common/boot.c reads a kernel: its head, then the rest. And all of it
 * the same through common/readahead.c's window, as the BIOS loader reads.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fat.h"
#include "readahead.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_SECTORS (1u << 21) /* a 1 GiB volume at most */
#define MAX_FILE (4u << 20)

struct sparse_disk {
	const uint8_t *data;
	uint64_t data_sectors, hole_start, hole_sectors;
};

static void read_one(const struct sparse_disk *d, uint64_t lba, uint8_t *out)
{
	uint64_t i = lba < d->hole_start                     ? lba
	             : lba < d->hole_start + d->hole_sectors ? UINT64_MAX
	                                                     : lba - d->hole_sectors;
	if (i < d->data_sectors)
		memcpy(out, d->data + i * 512, 512);
	else
		memset(out, 0, 512);
}

static int sparse_read(struct disk *disk, uint64_t lba, uint32_t count, void *buf,
                       struct error *err)
{
	if (lba > disk->sectors || count > disk->sectors - lba)
		return error_set(err, "disk: LBA 0x%llx past the end", (unsigned long long)lba);
	for (uint32_t i = 0; i < count; i++)
		read_one(disk->ctx, lba + i, (uint8_t *)buf + (size_t)i * 512);
	return 0;
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void check_message(const struct error *err)
{
	if (strncmp(err->msg, "fat: ", 5) != 0)
		abort();
}

#define PATHS 6
static const char *paths[PATHS] = {
    "/boot/kernel.elf",           "/EFI/BOOT/BOOTX64.EFI",       "/boot/twinboot.cfg",
    "/boot/A Long File Name.txt", "/boot/deep/../deep/tiny.bin", "/a/b/c/d"};

/* What fat.c made of one path: opened, read whole, and the bytes. */
struct outcome {
	int opened, read;
	uint32_t size;
	uint8_t *bytes;
};

/* Mount and read every path through `disk`; 0 when the mount failed. */
static int read_paths(struct disk *disk, struct outcome out[PATHS])
{
	static struct fat_volume vol;
	struct error err = {{0}};
	uint64_t total = disk->sectors;
	memset(out, 0, sizeof(struct outcome) * PATHS);
	if (fat_mount(&vol, disk, 0, disk->sectors, &err)) {
		check_message(&err);
		return 0;
	}
	if (!vol.bytes_per_cluster || vol.data_lba >= total ||
	    (uint64_t)vol.cluster_count * vol.sectors_per_cluster > total - vol.data_lba + 0ull)
		abort(); /* mount accepted a volume larger than its partition */
	for (size_t i = 0; i < PATHS; i++) {
		struct fat_file file;
		if (fat_open(&vol, paths[i], &file, &err)) {
			check_message(&err);
			continue;
		}
		out[i].opened = 1;
		out[i].size = file.size;
		if (file.is_dir || file.size > MAX_FILE)
			continue;
		uint8_t *whole = malloc(file.size ? file.size : 1);
		uint8_t head[4096];
		uint32_t head_len = file.size < sizeof(head) ? file.size : sizeof(head);
		uint8_t *rest = malloc(file.size ? file.size : 1);
		int parts_ok =
		    fat_read_range(&vol, &file, 0, head, sizeof(head), paths[i], &err) == 0;
		if (!parts_ok)
			check_message(&err);
		if (parts_ok && file.size > sizeof(head)) {
			parts_ok =
			    fat_read_range(&vol, &file, sizeof(head), rest,
			                   file.size - (uint32_t)sizeof(head), paths[i], &err) == 0;
			if (!parts_ok)
				check_message(&err);
		}
		if (fat_read(&vol, &file, whole, paths[i], &err)) {
			check_message(&err);
		} else {
			if (!parts_ok || memcmp(head, whole, head_len) ||
			    (file.size > head_len &&
			     memcmp(rest, whole + head_len, file.size - head_len)))
				abort(); /* the whole file read, a part did not, or differs */
			out[i].read = 1;
			out[i].bytes = whole;
			whole = NULL;
		}
		free(rest);
		free(whole);
	}
	return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t window[127 * 512];
	if (size < 12 + 512 || size > (4u << 20))
		return 0;
	struct sparse_disk d = {data + 12, (size - 12) / 512, le32(data), le32(data + 4)};
	if (d.hole_start > d.data_sectors)
		d.hole_start = d.data_sectors;
	if (d.hole_sectors > MAX_SECTORS)
		d.hole_sectors = MAX_SECTORS;
	uint64_t total = le32(data + 8);
	if (total < d.data_sectors + d.hole_sectors)
		total = d.data_sectors + d.hole_sectors;
	if (total > MAX_SECTORS)
		total = MAX_SECTORS;
	struct disk disk = {sparse_read, total, &d};
	/* The BIOS loader reads through a read-ahead window: fat.c must
	 * make exactly the same of the volume through it. */
	struct readahead ra;
	readahead_init(&ra, &disk, window, 127);
	struct outcome direct[PATHS], windowed[PATHS];
	int mounted = read_paths(&disk, direct);
	if (read_paths(&ra.disk, windowed) != mounted)
		abort();
	for (size_t i = 0; i < PATHS; i++) {
		if (direct[i].opened != windowed[i].opened || direct[i].size != windowed[i].size ||
		    direct[i].read != windowed[i].read ||
		    (direct[i].read && memcmp(direct[i].bytes, windowed[i].bytes, direct[i].size)))
			abort(); /* the window changed what a read returns */
		free(direct[i].bytes);
		free(windowed[i].bytes);
	}
	return 0;
}
