/* common/fat.h - a read-only FAT12/16/32 reader over struct disk.
 *
 * Follows Microsoft's "FAT: General Overview of On-Disk Format" 1.03:
 * the BPB decides the FAT type by cluster count; directories are searched
 * by 8.3 name and by VFAT long name (case-insensitive). Every cluster
 * number is range-checked and chains are bounded by the cluster count, so
 * a corrupt volume gives an error, never a hang or a read out of bounds.
 * Files are read in runs of contiguous clusters, one disk read a run.
 */
#ifndef TWINBOOT_FAT_H
#define TWINBOOT_FAT_H

#include <stdint.h>

#include "disk.h"
#include "error.h"

#define FAT_DIR_CACHE 4
/* 32 KiB of FAT per read: the chain of a 64 MiB file of 4 KiB clusters
 * (64 KiB of FAT32) in two or three reads rather than sixteen. Through
 * INT 13h a read costs about the same whatever its size up to 127
 * sectors (half a millisecond from a USB stick under QEMU). */
#define FAT_WINDOW_SECTORS 64

struct fat_volume {
	struct disk *disk;
	uint64_t first_lba; /* partition start */
	int type;           /* 12, 16 or 32 */
	uint32_t bytes_per_cluster;
	uint32_t sectors_per_cluster;
	uint64_t fat_lba;       /* the FAT read (the first, or FAT32's active one) */
	uint64_t fat_end_lba;   /* one past it: other copies are never read */
	uint64_t data_lba;      /* cluster 2 */
	uint32_t cluster_count; /* data clusters: valid numbers are 2..cluster_count+1 */
	uint64_t root_lba;      /* FAT12/16 fixed root directory */
	uint32_t root_entries;  /* FAT12/16 */
	uint32_t root_cluster;  /* FAT32 */
	/* A window of cached FAT sectors, so chains walk without a read per
	 * link: FAT_WINDOW_SECTORS from cached_fat_lba. */
	uint64_t cached_fat_lba;
	uint8_t fat_cache[DISK_SECTOR_SIZE * FAT_WINDOW_SECTORS];
	/* The last few directory sectors read: every open walks "/" and
	 * "/boot" again, and a BIOS disk read is a real-mode round trip. */
	uint64_t dir_cache_lba[FAT_DIR_CACHE];
	uint8_t dir_cache[FAT_DIR_CACHE][DISK_SECTOR_SIZE];
	unsigned dir_cache_next;
};

struct fat_file {
	uint32_t first_cluster;
	uint32_t size;
	int is_dir;
};

/* Read and check the boot sector of the FAT at first_lba (sectors long). */
int fat_mount(struct fat_volume *vol, struct disk *disk, uint64_t first_lba, uint64_t sectors,
              struct error *err);

/* Look up an absolute path ("/boot/kernel.elf"), '/'-separated, matched
 * case-insensitively against long and short names. */
int fat_open(struct fat_volume *vol, const char *path, struct fat_file *file, struct error *err);

/* Read the whole file into buf (file->size bytes). `path` is used only in
 * messages. */
int fat_read(struct fat_volume *vol, const struct fat_file *file, void *buf, const char *path,
             struct error *err);
/* Read bytes [offset, offset + len) of the file, as far as it reaches,
 * into buf: a kernel's headers first, before the loader knows where the
 * whole file goes, then the rest. offset must be a multiple of 512. */
int fat_read_range(struct fat_volume *vol, const struct fat_file *file, uint32_t offset, void *buf,
                   uint32_t len, const char *path, struct error *err);

/* platform_read_file (common/platform.h) over a volume: the size of the
 * file at `path` in *size, and bytes [offset, offset + len) of it, as far
 * as it reaches, into dest; len 0 only asks for the size. Both loaders
 * read files this way when they read the disk themselves. */
int fat_read_file(struct fat_volume *vol, const char *path, uint64_t offset, void *dest,
                  uint64_t len, uint64_t *size, struct error *err);

#endif
