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

static uint16_t get_fat16(uint32_t cluster)
{
	const uint8_t *p = disk.data + vol.fat_lba * 512 + cluster * 2;
	return (uint16_t)(p[0] | p[1] << 8);
}

/* Point the FAT16 entry of `cluster` somewhere (both FAT copies). */
static void set_fat16(uint32_t cluster, uint16_t value)
{
	for (int copy = 0; copy < 2; copy++) {
		uint64_t fat = vol.fat_lba + (uint64_t)copy * ((vol.root_lba - vol.fat_lba) / 2);
		uint8_t *p = disk.data + fat * 512 + cluster * 2;
		p[0] = (uint8_t)value;
		p[1] = (uint8_t)(value >> 8);
	}
	vol.cached_fat_lba = UINT64_MAX; /* the reader's window is stale now */
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
	assert_string_equal(
	    err.msg, "fat: cluster chain of /boot/kernel.elf loops or runs past its 100000 bytes");

	set_fat16(fourth, 0xfff0); /* out of range */
	assert_int_equal(fat_read(&vol, &file, buf, "/boot/kernel.elf", &err), -1);
	assert_string_equal(err.msg, "fat: cluster 0xfff0 out of range in /boot/kernel.elf");

	set_fat16(fourth, 0xffff); /* ends after 4 clusters */
	assert_int_equal(fat_read(&vol, &file, buf, "/boot/kernel.elf", &err), -1);
	char want[96];
	snprintf(want, sizeof(want), "fat: /boot/kernel.elf: chain ends after %u bytes of 100000",
	         (unsigned)(4 * vol.bytes_per_cluster));
	assert_string_equal(err.msg, want);
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

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_teardown(test_fat12, teardown),
	    cmocka_unit_test_teardown(test_fat16, teardown),
	    cmocka_unit_test_teardown(test_fat32, teardown),
	    cmocka_unit_test_teardown(test_contiguous_runs_take_one_read_each, teardown),
	    cmocka_unit_test_teardown(test_missing_file_is_named, teardown),
	    cmocka_unit_test_teardown(test_corrupt_chains_fail_cleanly, teardown),
	    cmocka_unit_test_teardown(test_disk_error_is_named, teardown),
	    cmocka_unit_test_teardown(test_bad_boot_sector_is_named, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
