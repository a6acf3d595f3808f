/* tests/unit/test_readahead.c - small reads a window at a time: the bytes
 * are the disk's whatever the window holds, big reads pass through, a
 * window that fails or runs past the disk never fails a read that works
 * alone, and the BIOS loader's path to a file (GPT, FAT, config) takes
 * fewer reads of the disk below. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "disk_file.h"
#include "fat.h"
#include "gpt.h"
#include "readahead.h"

#define WINDOW 127u
#define SECTORS 1000u

/* A disk whose every byte names its sector: byte i of LBA n is
 * (n * 7 + i) & 0xff. Logs the reads that reach it. */
struct log_disk {
	struct disk disk;
	uint64_t fail_lba; /* a read touching it fails; UINT64_MAX: none */
	unsigned reads;
	uint64_t lba[64];
	uint32_t count[64];
};

static uint8_t pattern(uint64_t lba, unsigned i)
{
	return (uint8_t)(lba * 7 + i);
}

static int log_read(struct disk *disk, uint64_t lba, uint32_t count, void *buf, struct error *err)
{
	struct log_disk *d = disk->ctx;
	if (d->reads < 64) {
		d->lba[d->reads] = lba;
		d->count[d->reads] = count;
	}
	d->reads++;
	if (d->fail_lba >= lba && d->fail_lba < lba + count)
		return error_set(err, "bad sector at LBA %llu", (unsigned long long)d->fail_lba);
	if (lba + count > SECTORS)
		return error_set(err, "LBA %llu + %u is past the end", (unsigned long long)lba,
		                 (unsigned)count);
	uint8_t *out = buf;
	for (uint32_t s = 0; s < count; s++)
		for (unsigned i = 0; i < DISK_SECTOR_SIZE; i++)
			*out++ = pattern(lba + s, i);
	return 0;
}

static struct log_disk below;
static struct readahead ra;
static uint8_t window[WINDOW * DISK_SECTOR_SIZE];

static void open_disk(uint64_t sectors_known)
{
	memset(&below, 0, sizeof(below));
	below.disk = (struct disk){.read = log_read, .sectors = sectors_known, .ctx = &below};
	below.fail_lba = UINT64_MAX;
	readahead_init(&ra, &below.disk, window, WINDOW);
}

/* Reads [lba, lba + count) through the window and checks every byte. */
static void read_ok(uint64_t lba, uint32_t count)
{
	static uint8_t buf[SECTORS * DISK_SECTOR_SIZE];
	struct error err = {{0}};
	memset(buf, 0xee, sizeof(buf));
	if (ra.disk.read(&ra.disk, lba, count, buf, &err))
		fail_msg("LBA %llu + %u: %s", (unsigned long long)lba, (unsigned)count, err.msg);
	for (uint32_t s = 0; s < count; s++)
		for (unsigned i = 0; i < DISK_SECTOR_SIZE; i++)
			if (buf[s * DISK_SECTOR_SIZE + i] != pattern(lba + s, i))
				fail_msg("LBA %llu + %u: byte %u of sector %llu wrong",
				         (unsigned long long)lba, (unsigned)count, i,
				         (unsigned long long)(lba + s));
	/* Nothing past the request written. */
	assert_int_equal(buf[count * DISK_SECTOR_SIZE], 0xee);
}

static void test_small_reads_inside_a_window_are_copies(void **state)
{
	(void)state;
	open_disk(SECTORS);
	assert_int_equal(ra.disk.sectors, SECTORS);
	read_ok(100, 1);
	assert_int_equal(below.reads, 1);
	assert_int_equal(below.lba[0], 100);
	assert_int_equal(below.count[0], WINDOW);
	/* The same sector again, later ones, the window's last, and one
	 * more than half a window that still lies inside it. */
	read_ok(100, 1);
	read_ok(101, 64);
	read_ok(100 + WINDOW - 1, 1);
	read_ok(100, WINDOW);
	assert_int_equal(below.reads, 1);
}

static void test_reads_outside_the_window_move_it(void **state)
{
	(void)state;
	open_disk(SECTORS);
	read_ok(100, 1);
	read_ok(99, 1); /* before it */
	assert_int_equal(below.reads, 2);
	assert_int_equal(below.lba[1], 99);
	read_ok(99 + WINDOW - 1, 2); /* straddles its end */
	assert_int_equal(below.reads, 3);
	assert_int_equal(below.lba[2], 99 + WINDOW - 1);
	assert_int_equal(below.count[2], WINDOW);
}

static void test_big_reads_pass_through_and_keep_the_window(void **state)
{
	(void)state;
	open_disk(SECTORS);
	read_ok(10, 1);
	read_ok(500, WINDOW / 2 + 1);
	assert_int_equal(below.reads, 2);
	assert_int_equal(below.lba[1], 500);
	assert_int_equal(below.count[1], WINDOW / 2 + 1);
	read_ok(600, 300);
	assert_int_equal(below.count[2], 300);
	read_ok(11, 3); /* the first window still there */
	assert_int_equal(below.reads, 3);
}

static void test_window_stops_at_the_end_of_the_disk(void **state)
{
	(void)state;
	open_disk(SECTORS);
	read_ok(SECTORS - 10, 2);
	assert_int_equal(below.reads, 1);
	assert_int_equal(below.count[0], 10);
	read_ok(SECTORS - 1, 1);
	assert_int_equal(below.reads, 1);
}

static void test_reads_past_the_end_fail_as_below(void **state)
{
	(void)state;
	uint8_t buf[4 * DISK_SECTOR_SIZE];
	struct error err = {{0}};
	open_disk(SECTORS);
	assert_int_equal(ra.disk.read(&ra.disk, SECTORS, 1, buf, &err), -1);
	assert_string_equal(err.msg, "LBA 1000 + 1 is past the end");
	assert_int_equal(ra.disk.read(&ra.disk, SECTORS - 1, 2, buf, &err), -1);
	assert_string_equal(err.msg, "LBA 999 + 2 is past the end");
}

/* A disk of unknown size: the window that runs past its end fails, the
 * read asked for does not. */
static void test_unknown_size_falls_back_to_the_exact_read(void **state)
{
	(void)state;
	open_disk(0);
	read_ok(SECTORS - 5, 5);
	assert_int_equal(below.reads, 2);
	assert_int_equal(below.count[0], WINDOW);
	assert_int_equal(below.count[1], 5);
	/* Nothing was kept from the failed window. */
	read_ok(SECTORS - 5, 1);
	assert_int_equal(below.reads, 4);
}

static void test_bad_sector_past_the_request_is_not_an_error(void **state)
{
	(void)state;
	open_disk(SECTORS);
	below.fail_lba = 150;
	read_ok(100, 4);
	assert_int_equal(below.reads, 2);
	assert_int_equal(below.count[1], 4);
	/* The bad sector itself: the disk's own error. */
	uint8_t buf[DISK_SECTOR_SIZE];
	struct error err = {{0}};
	assert_int_equal(ra.disk.read(&ra.disk, 150, 1, buf, &err), -1);
	assert_string_equal(err.msg, "bad sector at LBA 150");
}

/* The BIOS loader's path: the ESP from the GPT, its FAT mounted, a file
 * in a subdirectory read, through the window and straight, with the same
 * bytes and fewer reads of the disk. */
static struct mem_disk direct, windowed;

static int free_images(void **state)
{
	(void)state;
	free(direct.data);
	free(windowed.data);
	return 0;
}

static void test_esp_and_file_take_fewer_reads(void **state)
{
	(void)state;
	mem_disk_open(&direct, "gpt.img");
	mem_disk_open(&windowed, "gpt.img");
	readahead_init(&ra, &windowed.disk, window, WINDOW);

	struct disk *disks[2] = {&direct.disk, &ra.disk};
	char text[2][64];
	uint64_t size[2];
	for (int i = 0; i < 2; i++) {
		struct partition esp;
		struct fat_volume vol;
		struct error err = {{0}};
		if (gpt_find_esp(disks[i], &esp, &err) ||
		    /* 0: gpt.img's ESP is 33 sectors shorter than the
		     * FAT image dd put in it, which reaches none of them. */
		    fat_mount(&vol, disks[i], esp.first_lba, 0, &err) ||
		    fat_read_file(&vol, "boot/A Long File Name.txt", 0, text[i], sizeof(text[i]),
		                  &size[i], &err))
			fail_msg("%s", err.msg);
	}
	assert_int_equal(size[0], 28);
	assert_int_equal(size[1], 28);
	assert_memory_equal(text[1], "hello from a long file name\n", 28);
	assert_memory_equal(text[0], text[1], 28);
	/* 6 and 4 reads: the boot sector's window holds the FAT's start,
	 * the root directory's the first clusters (the image's FATs and
	 * root take 289 sectors, more than a window). */
	assert_true(windowed.reads + 2 <= direct.reads);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_small_reads_inside_a_window_are_copies),
	    cmocka_unit_test(test_reads_outside_the_window_move_it),
	    cmocka_unit_test(test_big_reads_pass_through_and_keep_the_window),
	    cmocka_unit_test(test_window_stops_at_the_end_of_the_disk),
	    cmocka_unit_test(test_reads_past_the_end_fail_as_below),
	    cmocka_unit_test(test_unknown_size_falls_back_to_the_exact_read),
	    cmocka_unit_test(test_bad_sector_past_the_request_is_not_an_error),
	    cmocka_unit_test_teardown(test_esp_and_file_take_fewer_reads, free_images),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
