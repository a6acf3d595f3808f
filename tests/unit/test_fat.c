/* tests/unit/test_fat.c - reading mformat/mcopy-made FAT12, FAT16 and
 * FAT32 volumes: long and short names, nested directories, a fragmented
 * file, and corrupt chains that must fail with a message, not hang. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "disk_file.h"
#include "fat.h"

static struct mem_disk disk;
static struct fat_volume vol;
static uint8_t *big;
static size_t big_size;

static void mount(const char *image, int type)
{
	struct error err = {{0}};
	mem_disk_open(&disk, image);
	if (fat_mount(&vol, &disk.disk, 0, disk.disk.sectors, &err))
		fail_msg("%s: %s", image, err.msg);
	assert_int_equal(vol.type, type);
}

static int teardown(void **state)
{
	(void)state;
	free(disk.data);
	free(big);
	big = NULL;
	return 0;
}

static void read_and_compare(const char *path, const void *want, size_t size)
{
	struct fat_file file;
	struct error err = {{0}};
	if (fat_open(&vol, path, &file, &err))
		fail_msg("%s", err.msg);
	assert_int_equal(file.size, size);
	assert_false(file.is_dir);
	uint8_t *buf = malloc(size + 1);
	if (fat_read(&vol, &file, buf, path, &err))
		fail_msg("%s", err.msg);
	assert_memory_equal(buf, want, size);
	free(buf);
}

/* Bytes [offset, offset + len) only: exactly those (as far as the file
 * reaches), nothing past them written, and no complaint that the chain
 * goes on or started earlier. `want` is the whole file. */
static void read_range_and_compare(const char *path, const uint8_t *want, uint32_t offset,
                                   uint32_t len)
{
	struct fat_file file;
	struct error err = {{0}};
	if (fat_open(&vol, path, &file, &err))
		fail_msg("%s", err.msg);
	uint32_t left = offset < file.size ? file.size - offset : 0;
	uint32_t n = len < left ? len : left;
	uint8_t *buf = malloc(len + 64);
	memset(buf, 0xcc, len + 64);
	if (fat_read_range(&vol, &file, offset, buf, len, path, &err))
		fail_msg("%s at %u: %s", path, (unsigned)offset, err.msg);
	assert_memory_equal(buf, want + offset, n);
	for (uint32_t i = n; i < len + 64; i++)
		assert_int_equal(buf[i], 0xcc);
	free(buf);
}

static void check_volume(const char *image, int type)
{
	mount(image, type);
	big = read_file("big.bin", &big_size);
	assert_int_equal(big_size, 100000);
	read_and_compare("/boot/big.bin", big, big_size);
	read_and_compare("/BOOT/KERNEL.ELF", big, big_size); /* case-insensitive */
	read_and_compare("/EFI/BOOT/first.bin", big, big_size);
	read_and_compare("/boot/A Long File Name.txt", "hello from a long file name\n", 28);
	read_and_compare("/boot/a long file name.TXT", "hello from a long file name\n", 28);
	read_and_compare("/boot/deep/tiny.bin", "A", 1);
	read_range_and_compare("/boot/big.bin", big, 0, 4096);
	read_range_and_compare("/boot/big.bin", big, 0, 1);
	read_range_and_compare("/boot/big.bin", big, 0, 65537);
	read_range_and_compare("/boot/deep/tiny.bin", (const uint8_t *)"A", 0, 4096);
	/* The rest after a head, from cluster starts and from inside a
	 * cluster, to the end and short of it, and past the end. */
	read_range_and_compare("/boot/big.bin", big, 65536, 100000);
	read_range_and_compare("/boot/big.bin", big, 512, 100000);
	read_range_and_compare("/boot/big.bin", big, 1536, 3000);
	read_range_and_compare("/boot/big.bin", big, 99840, 4096);
	read_range_and_compare("/boot/big.bin", big, 99840, 160);
	read_range_and_compare("/boot/big.bin", big, 100352, 512);
	read_range_and_compare("/EFI/BOOT/first.bin", big, 4096, 90000);
}

static void test_fat12(void **state)
{
	(void)state;
	check_volume("fat12.img", 12);
}

static void test_fat16(void **state)
{
	(void)state;
	check_volume("fat16.img", 16);
}

static void test_fat32(void **state)
{
	(void)state;
	check_volume("fat32.img", 32);
}

/* fat_read_file, the loaders' platform_read_file: the size always, the
 * bytes asked for as far as the file reaches, nothing for len 0 or an
 * offset past the end, and directories and missing files refused. */
static void test_read_file(void **state)
{
	(void)state;
	mount("fat16.img", 16);
	big = read_file("big.bin", &big_size);
	struct error err = {{0}};
	uint64_t size = 0;
	uint8_t *buf = malloc(big_size + 512);
	memset(buf, 0xcc, big_size + 512);
	assert_int_equal(fat_read_file(&vol, "/boot/big.bin", 0, buf, 0, &size, &err), 0);
	assert_int_equal(size, big_size);
	assert_int_equal(buf[0], 0xcc); /* len 0: only the size */
	size = 0;
	assert_int_equal(
	    fat_read_file(&vol, "/boot/big.bin", 1024, buf, big_size + 512, &size, &err), 0);
	assert_int_equal(size, big_size);
	assert_memory_equal(buf, big + 1024, big_size - 1024);
	assert_int_equal(buf[big_size - 1024], 0xcc); /* nothing past the file's end */
	memset(buf, 0xcc, big_size + 512);
	assert_int_equal(fat_read_file(&vol, "/boot/big.bin", 512, buf, 1000, &size, &err), 0);
	assert_memory_equal(buf, big + 512, 1000);
	assert_int_equal(buf[1000], 0xcc);
	memset(buf, 0xcc, 16);
	assert_int_equal(fat_read_file(&vol, "/boot/big.bin", 100352, buf, 512, &size, &err), 0);
	assert_int_equal(size, big_size);
	assert_int_equal(buf[0], 0xcc);
	assert_int_equal(fat_read_file(&vol, "/boot/deep", 0, buf, 512, &size, &err), -1);
	assert_string_equal(err.msg, "fat: /boot/deep is a directory, not a file");
	assert_int_equal(fat_read_file(&vol, "/boot/nothere.elf", 0, buf, 512, &size, &err), -1);
	assert_non_null(strstr(err.msg, "/boot/nothere.elf"));
	free(buf);
}

static void test_contiguous_runs_take_one_read_each(void **state)
{
	(void)state;
	mount("fat16.img", 16);
	struct fat_file file;
	struct error err = {{0}};
	assert_int_equal(fat_open(&vol, "/EFI/BOOT/first.bin", &file, &err), 0);
	uint8_t *buf = malloc(file.size);
	unsigned before = disk.reads;
	assert_int_equal(fat_read(&vol, &file, buf, "first", &err), 0);
	/* 100000 bytes in 1 KiB clusters, stored contiguously: one read for
	 * the whole sectors, one for the tail, and FAT windows (8 sectors,
	 * 2048 entries) - far fewer than one read per cluster (98). */
	assert_true(disk.reads - before <= 4);
	free(buf);
}

/* 1 MiB in 512-byte clusters, stored contiguously: its chain fills 16
 * sectors of the FAT, which one window holds (FAT_WINDOW_SECTORS), so the
 * whole file takes a read of the FAT and one of the data. A window of 8
 * sectors took three or four. */
static void test_long_chain_takes_one_fat_read(void **state)
{
	(void)state;
	mount("fat32.img", 32);
	struct fat_file file;
	struct error err = {{0}};
	assert_int_equal(fat_open(&vol, "/boot/chain.bin", &file, &err), 0);
	assert_int_equal(file.size, 1048576);
	uint8_t *buf = malloc(file.size);
	unsigned before = disk.reads;
	assert_int_equal(fat_read(&vol, &file, buf, "chain", &err), 0);
	assert_true(disk.reads - before <= 2);
	big = read_file("big.bin", &big_size);
	for (size_t at = 0; at < file.size; at += big_size) {
		size_t n = file.size - at < big_size ? file.size - at : big_size;
		assert_memory_equal(buf + at, big, n);
	}
	free(buf);
}

/* Opening files again walks "/" and "/boot" again: from the cache. */
static void test_directories_are_read_once(void **state)
{
	(void)state;
	mount("fat16.img", 16);
	struct fat_file file;
	struct error err = {{0}};
	assert_int_equal(fat_open(&vol, "/boot/big.bin", &file, &err), 0);
	unsigned before = disk.reads;
	for (int i = 0; i < 3; i++) {
		assert_int_equal(fat_open(&vol, "/boot/big.bin", &file, &err), 0);
		assert_int_equal(fat_open(&vol, "/boot/deep/tiny.bin", &file, &err), 0);
	}
	/* only /boot/deep's own sector, the first time */
	assert_true(disk.reads - before <= 1);
	assert_int_equal(file.size, 1);
}

static void test_missing_file_is_named(void **state)
{
	(void)state;
	mount("fat16.img", 16);
	struct fat_file file;
	struct error err = {{0}};
	assert_int_equal(fat_open(&vol, "/boot/nothere.elf", &file, &err), -1);
	assert_string_equal(err.msg, "fat: /boot/nothere.elf: 'nothere.elf' not found");
	assert_int_equal(fat_open(&vol, "/nodir/kernel.elf", &file, &err), -1);
	assert_string_equal(err.msg, "fat: /nodir/kernel.elf: 'nodir' not found");
	assert_int_equal(fat_open(&vol, "/boot/big.bin/x", &file, &err), -1);
	assert_string_equal(err.msg, "fat: /boot/big.bin/x: '/boot/big.bin' is not a directory");
}

/* The FAT entry of `cluster` in the first FAT of the mounted image. */
static uint32_t get_fat(uint32_t cluster)
{
	const uint8_t *fat = disk.data + vol.fat_lba * 512;
	if (vol.type == 12) {
		const uint8_t *p = fat + cluster + cluster / 2;
		uint32_t v = (uint32_t)(p[0] | p[1] << 8);
		return cluster & 1 ? v >> 4 : v & 0xfff;
	}
	const uint8_t *p = fat + cluster * (vol.type / 8);
	uint32_t v = (uint32_t)(p[0] | p[1] << 8);
	return vol.type == 16 ? v : (v | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24) & 0x0fffffff;
}

/* Point the FAT entry of `cluster` somewhere, in `copies` FAT copies
 * (from the first), keeping the other nibble of a FAT12 pair. */
static void set_fat_copies(uint32_t cluster, uint32_t value, int copies)
{
	for (int copy = 0; copy < copies; copy++) {
		uint64_t fat = vol.fat_lba + (uint64_t)copy * ((vol.root_lba - vol.fat_lba) / 2);
		uint8_t *p = disk.data + fat * 512;
		if (vol.type == 12) {
			p += cluster + cluster / 2;
			uint32_t v = (uint32_t)(p[0] | p[1] << 8);
			v = cluster & 1 ? (v & 0x000f) | value << 4 : (v & 0xf000) | value;
			p[0] = (uint8_t)v;
			p[1] = (uint8_t)(v >> 8);
		} else {
			p += cluster * (vol.type / 8);
			for (int i = 0; i < vol.type / 8; i++)
				p[i] = (uint8_t)(value >> (8 * i));
		}
	}
	vol.cached_fat_lba = UINT64_MAX; /* the reader's window is stale now */
}

static void set_fat(uint32_t cluster, uint32_t value)
{
	set_fat_copies(cluster, value, 2);
}

static uint16_t get_fat16(uint32_t cluster)
{
	return (uint16_t)get_fat(cluster);
}

static void set_fat16(uint32_t cluster, uint16_t value)
{
	set_fat(cluster, value);
}

static void test_corrupt_chains_fail_cleanly(void **state)
{
	(void)state;
	mount("fat16.img", 16);
	struct fat_file file;
	struct error err = {{0}};
	assert_int_equal(fat_open(&vol, "/boot/kernel.elf", &file, &err), 0);
	uint8_t *buf = malloc(file.size);
	uint32_t c = file.first_cluster;
	/* the file's 4th cluster, wherever mcopy put it */
	uint32_t fourth = get_fat16(get_fat16(get_fat16(c)));

	set_fat16(fourth, (uint16_t)c); /* loop back to the start */
	assert_int_equal(fat_read(&vol, &file, buf, "/boot/kernel.elf", &err), -1);
	assert_string_equal(err.msg, "fat: cluster chain of /boot/kernel.elf loops");

	set_fat16(fourth, 0xfff0); /* out of range */
	assert_int_equal(fat_read(&vol, &file, buf, "/boot/kernel.elf", &err), -1);
	assert_string_equal(err.msg, "fat: cluster 0xfff0 out of range in /boot/kernel.elf");

	set_fat16(fourth, 0xffff); /* ends after 4 clusters */
	assert_int_equal(fat_read(&vol, &file, buf, "/boot/kernel.elf", &err), -1);
	char want[96];
	snprintf(want, sizeof(want), "fat: /boot/kernel.elf: chain ends after %u bytes of 100000",
	         (unsigned)(4 * vol.bytes_per_cluster));
	assert_string_equal(err.msg, want);

	/* A read of the rest walks the chain past the break too. */
	uint32_t past = 6 * vol.bytes_per_cluster;
	assert_int_equal(fat_read_range(&vol, &file, past, buf, 512, "/boot/kernel.elf", &err), -1);
	snprintf(want, sizeof(want), "fat: /boot/kernel.elf: chain ends before byte %u of 100000",
	         (unsigned)past);
	assert_string_equal(err.msg, want);
	set_fat16(fourth, (uint16_t)c);
	assert_int_equal(
	    fat_read_range(&vol, &file, past, buf, file.size - past, "/boot/kernel.elf", &err), -1);
	assert_string_equal(err.msg, "fat: cluster chain of /boot/kernel.elf loops");

	/* Only whole sectors can be skipped. */
	assert_int_equal(fat_read_range(&vol, &file, 100, buf, 512, "/boot/kernel.elf", &err), -1);
	assert_string_equal(err.msg,
	                    "fat: /boot/kernel.elf: read from byte 100, not a sector boundary");
	free(buf);
}

static void test_disk_error_is_named(void **state)
{
	(void)state;
	mount("fat16.img", 16);
	struct fat_file file;
	struct error err = {{0}};
	assert_int_equal(fat_open(&vol, "/boot/kernel.elf", &file, &err), 0);
	uint8_t *buf = malloc(file.size);
	disk.fail_lba =
	    vol.data_lba + (uint64_t)(file.first_cluster - 2) * vol.sectors_per_cluster + 5;
	assert_int_equal(fat_read(&vol, &file, buf, "/boot/kernel.elf", &err), -1);
	assert_non_null(strstr(err.msg, "fat: reading /boot/kernel.elf: disk: read of"));
	free(buf);
}

/* FAT12's FAT is smaller than the window of FAT sectors the reader keeps:
 * the window must stop at its end, not take in the second copy, where a
 * bad sector would fail a read that needs nothing from it. */
static void test_bad_sector_in_the_second_fat_is_never_read(void **state)
{
	(void)state;
	mount("fat12.img", 12);
	uint64_t fat_size = (vol.root_lba - vol.fat_lba) / 2;
	assert_true(fat_size < FAT_WINDOW_SECTORS);
	assert_int_equal(vol.fat_end_lba, vol.fat_lba + fat_size);
	disk.fail_lba = vol.fat_lba + fat_size;
	big = read_file("big.bin", &big_size);
	read_and_compare("/boot/big.bin", big, big_size);
}

static void test_bad_boot_sector_is_named(void **state)
{
	(void)state;
	struct error err = {{0}};
	mem_disk_open(&disk, "fat16.img");
	disk.data[13] = 3; /* sectors per cluster */
	assert_int_equal(fat_mount(&vol, &disk.disk, 0, disk.disk.sectors, &err), -1);
	assert_string_equal(err.msg, "fat: 3 sectors per cluster is not a power of two");
	disk.data[13] = 4;
	disk.data[11] = 0; /* bytes per sector 0x400 */
	disk.data[12] = 4;
	assert_int_equal(fat_mount(&vol, &disk.disk, 0, disk.disk.sectors, &err), -1);
	assert_string_equal(err.msg, "fat: 1024 bytes per sector, only 512 supported");
}

static void check_many(const char *image, int type)
{
	mount(image, type);
	/* 40 files of three entries each: 3840 bytes of directory */
	assert_true(40 * 3 * 32 > vol.bytes_per_cluster);
	for (int i = 10; i < 50; i++) {
		char path[64], want[16];
		snprintf(path, sizeof(path), "/boot/many/FILE NUMBER %d.TXT", i);
		snprintf(want, sizeof(want), "%d\n", i);
		read_and_compare(path, want, 3);
		if (i < 30) {
			snprintf(path, sizeof(path), "/root file %d.txt", i);
			read_and_compare(path, want, 3);
		}
	}
	struct fat_file file;
	struct error err = {{0}};
	assert_int_equal(fat_open(&vol, "/boot/many/file number 50.txt", &file, &err), -1);
	assert_string_equal(err.msg,
	                    "fat: /boot/many/file number 50.txt: 'file number 50.txt' not found");
	free(disk.data);
}

static void test_directories_spanning_clusters(void **state)
{
	(void)state;
	check_many("fat12.img", 12);
	check_many("fat16.img", 16);
	check_many("fat32.img", 32);
	disk.data = NULL;
}

/* "." and ".." are ordinary entries; ".." of a first-level directory
 * says cluster 0, the root, which on FAT32 has a cluster of its own. */
static void test_dot_entries(void **state)
{
	(void)state;
	static const char *const images[] = {"fat12.img", "fat16.img", "fat32.img"};
	for (int i = 0; i < 3; i++) {
		mount(images[i], i == 0 ? 12 : i == 1 ? 16 : 32);
		read_and_compare("/boot/./deep/../deep/tiny.bin", "A", 1);
		read_and_compare("/boot/../EFI/BOOT/../../boot/deep/tiny.bin", "A", 1);
		read_and_compare("//boot//deep/tiny.bin/", "A", 1);
		read_and_compare("/./../boot/deep/../../../boot/deep/tiny.bin", "A", 1);
		struct fat_file root;
		struct error err = {{0}};
		assert_int_equal(fat_open(&vol, "/boot/..", &root, &err), 0);
		assert_true(root.is_dir);
		assert_int_equal(root.first_cluster, vol.root_cluster);
		free(disk.data);
	}
	disk.data = NULL;
}

/* The 32-byte LFN entry holding the first 13 characters of `name`. */
static uint8_t *find_lfn(const char *name)
{
	uint8_t pattern[10];
	for (int i = 0; i < 5; i++) {
		pattern[2 * i] = (uint8_t)name[i];
		pattern[2 * i + 1] = 0;
	}
	for (size_t off = 0; off + 32 <= disk.size; off += 32)
		if (disk.data[off + 11] == 0x0f && !memcmp(disk.data + off + 1, pattern, 10))
			return disk.data + off;
	fail_msg("no LFN entry for %s", name);
	return NULL;
}

/* The disk bytes were changed under the volume: drop what it cached. */
static void forget_directories(void)
{
	for (unsigned i = 0; i < FAT_DIR_CACHE; i++)
		vol.dir_cache_lba[i] = UINT64_MAX;
}

static void test_long_names_need_checksum_and_sequence(void **state)
{
	(void)state;
	static const char text[] = "hello from a long file name\n";
	struct fat_file file;
	struct error err = {{0}};
	mount("fat16.img", 16);
	uint8_t *lfn = find_lfn("A Long File Name.txt");
	assert_int_equal(lfn[0], 0x01); /* the last piece read, just before the 8.3 entry */

	lfn[13] ^= 1; /* an orphaned piece: checksum of some other entry */
	forget_directories();
	assert_int_equal(fat_open(&vol, "/boot/A Long File Name.txt", &file, &err), -1);
	assert_string_equal(err.msg,
	                    "fat: /boot/A Long File Name.txt: 'A Long File Name.txt' not found");
	read_and_compare("/boot/ALONGF~1.TXT", text, 28); /* the 8.3 name still works */
	lfn[13] ^= 1;
	forget_directories();
	read_and_compare("/boot/A Long File Name.txt", text, 28);

	lfn[0] = 0x03; /* piece 1 missing: pieces 2, 3 */
	forget_directories();
	assert_int_equal(fat_open(&vol, "/boot/A Long File Name.txt", &file, &err), -1);
	lfn[0] = 0x01;
	forget_directories();
	/* both pieces numbered 1: the second must not overwrite the first
	 * into a name "A Long File N" */
	lfn[-32] = 0x41;
	forget_directories();
	assert_int_equal(fat_open(&vol, "/boot/A Long File N", &file, &err), -1);
	assert_int_equal(fat_open(&vol, "/boot/A Long File Name.txt", &file, &err), -1);
	lfn[-32] = 0x02; /* no piece flagged as the last one */
	forget_directories();
	assert_int_equal(fat_open(&vol, "/boot/A Long File Name.txt", &file, &err), -1);
	read_and_compare("/boot/alongf~1.txt", text, 28);
}

static void test_fat12_chains(void **state)
{
	(void)state;
	struct fat_file file;
	struct error err = {{0}};
	mount("fat12.img", 12);
	assert_int_equal(fat_open(&vol, "/boot/kernel.elf", &file, &err), 0);
	uint8_t *buf = malloc(file.size);
	/* an odd and an even cluster: both halves of a 3-byte pair */
	uint32_t second = get_fat(file.first_cluster), third = get_fat(second);
	uint32_t odd = second & 1 ? second : third, next = get_fat(odd);
	set_fat(odd, 0xff0);
	assert_int_equal(fat_read(&vol, &file, buf, "/boot/kernel.elf", &err), -1);
	assert_string_equal(err.msg, "fat: cluster 0xff0 out of range in /boot/kernel.elf");
	set_fat(odd, next);
	uint32_t even = odd == second ? third : get_fat(third);
	assert_int_equal(even & 1, 0);
	set_fat(even, 0xfff);
	assert_int_equal(fat_read(&vol, &file, buf, "/boot/kernel.elf", &err), -1);
	assert_non_null(strstr(err.msg, "chain ends after"));
	free(buf);
}

static void test_directory_chain_loop(void **state)
{
	(void)state;
	struct fat_file dir, file;
	struct error err = {{0}};
	mount("fat32.img", 32);
	assert_int_equal(fat_open(&vol, "/boot/many", &dir, &err), 0);
	assert_true(dir.is_dir);
	set_fat(dir.first_cluster, dir.first_cluster);
	unsigned before = disk.reads;
	assert_int_equal(fat_open(&vol, "/boot/many/nothere", &file, &err), -1);
	assert_string_equal(err.msg,
	                    "fat: cluster chain of a directory of /boot/many/nothere loops");
	/* Found on the first lap, not after all 65525+ clusters of the FAT32:
	 * on a BIOS every one of those would be a disk read. */
	assert_true(disk.reads - before < 16);
	set_fat(dir.first_cluster, 0x0fffff00);
	assert_int_equal(fat_open(&vol, "/boot/many/nothere", &file, &err), -1);
	assert_string_equal(err.msg, "fat: cluster 0xfffff00 out of range in /boot/many/nothere");
}

/* FAT32 with mirroring off reads the active FAT only (BPB_ExtFlags). */
static void test_fat32_active_fat(void **state)
{
	(void)state;
	struct fat_file file;
	struct error err = {{0}};
	mount("fat32.img", 32);
	assert_int_equal(fat_open(&vol, "/boot/big.bin", &file, &err), 0);
	set_fat_copies(file.first_cluster, file.first_cluster, 1); /* FAT 0 only */
	disk.data[40] = 0x81;                                      /* FAT 1 is active */
	assert_int_equal(fat_mount(&vol, &disk.disk, 0, disk.disk.sectors, &err), 0);
	read_and_compare("/boot/big.bin", big = read_file("big.bin", &big_size), 100000);
	disk.data[40] = 0x80; /* FAT 0 active: the damaged one */
	assert_int_equal(fat_mount(&vol, &disk.disk, 0, disk.disk.sectors, &err), 0);
	uint8_t *buf = malloc(file.size);
	assert_int_equal(fat_read(&vol, &file, buf, "/boot/big.bin", &err), -1);
	free(buf);
	disk.data[40] = 0x82;
	assert_int_equal(fat_mount(&vol, &disk.disk, 0, disk.disk.sectors, &err), -1);
	assert_string_equal(err.msg, "fat: active FAT 2 of 2");
}

/* A 6-sector FAT12 volume on a 6-sector disk: reading its FAT must not
 * ask for sectors the disk doesn't have. */
static void test_tiny_volume(void **state)
{
	(void)state;
	uint8_t *image = calloc(6, 512);    /* teardown frees it */
	image[11] = 0x00, image[12] = 0x02; /* 512 bytes per sector */
	image[13] = 1;                      /* sectors per cluster */
	image[14] = 1;                      /* reserved */
	image[16] = 1;                      /* one FAT */
	image[17] = 16;                     /* root entries: one sector */
	image[19] = 6;                      /* total sectors */
	image[21] = 0xf8;
	image[22] = 1; /* FAT size */
	image[510] = 0x55, image[511] = 0xaa;
	/* FAT: media, EOC, then 2 -> 3 -> 4 -> end */
	static const uint8_t fat[] = {0xf8, 0xff, 0xff, 0x03, 0x40, 0x00, 0xff, 0x0f};
	memcpy(image + 512, fat, sizeof(fat));
	memcpy(image + 1024, "DATA    BIN\x20", 12);
	image[1024 + 26] = 2;                                         /* first cluster */
	image[1024 + 28] = 1500 & 0xff, image[1024 + 29] = 1500 >> 8; /* size */
	for (int i = 0; i < 3 * 512; i++)
		image[3 * 512 + i] = (uint8_t)(i * 13);

	memset(&disk, 0, sizeof(disk));
	disk.data = image;
	disk.size = 6 * 512;
	disk.disk = (struct disk){mem_disk_read, 6, &disk};
	disk.fail_lba = UINT64_MAX;
	struct error err = {{0}};
	assert_int_equal(fat_mount(&vol, &disk.disk, 0, 6, &err), 0);
	assert_int_equal(vol.type, 12);
	assert_int_equal(vol.cluster_count, 3);
	read_and_compare("/data.bin", image + 3 * 512, 1500);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_teardown(test_fat12, teardown),
	    cmocka_unit_test_teardown(test_fat16, teardown),
	    cmocka_unit_test_teardown(test_fat32, teardown),
	    cmocka_unit_test_teardown(test_directories_are_read_once, teardown),
	    cmocka_unit_test_teardown(test_contiguous_runs_take_one_read_each, teardown),
	    cmocka_unit_test_teardown(test_long_chain_takes_one_fat_read, teardown),
	    cmocka_unit_test_teardown(test_missing_file_is_named, teardown),
	    cmocka_unit_test_teardown(test_corrupt_chains_fail_cleanly, teardown),
	    cmocka_unit_test_teardown(test_disk_error_is_named, teardown),
	    cmocka_unit_test_teardown(test_bad_sector_in_the_second_fat_is_never_read, teardown),
	    cmocka_unit_test_teardown(test_bad_boot_sector_is_named, teardown),
	    cmocka_unit_test_teardown(test_directories_spanning_clusters, teardown),
	    cmocka_unit_test_teardown(test_dot_entries, teardown),
	    cmocka_unit_test_teardown(test_long_names_need_checksum_and_sequence, teardown),
	    cmocka_unit_test_teardown(test_fat12_chains, teardown),
	    cmocka_unit_test_teardown(test_directory_chain_loop, teardown),
	    cmocka_unit_test_teardown(test_fat32_active_fat, teardown),
	    cmocka_unit_test_teardown(test_tiny_volume, teardown),
	    cmocka_unit_test_teardown(test_read_file, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
