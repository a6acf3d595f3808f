/* tests/unit/test_gpt.c - finding the ESP on an sgdisk-made disk, with
 * the primary, the backup or both headers damaged, and on MBR disks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "crc32.h"
#include "disk_file.h"
#include "gpt.h"

static struct mem_disk disk;

static int setup(void **state)
{
	(void)state;
	mem_disk_open(&disk, "gpt.img");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free(disk.data);
	return 0;
}

static void test_finds_the_esp(void **state)
{
	(void)state;
	struct partition esp;
	struct error err = {{0}};
	assert_int_equal(gpt_find_esp(&disk.disk, &esp, &err), 0);
	assert_int_equal(esp.first_lba, 2048);
	assert_int_equal(esp.sectors, 67550 - 2048 + 1);
	assert_false(esp.from_backup_gpt);
	assert_false(esp.from_mbr);
	/* The header and its 128-entry array in one read: each BIOS read is
	 * a real-mode round trip. */
	assert_int_equal(disk.reads, 1);
}

static void test_bad_primary_uses_the_backup(void **state)
{
	(void)state;
	struct partition esp;
	struct error err = {{0}};
	disk.data[512 + 16] ^= 0xff; /* the primary header's CRC field */
	assert_int_equal(gpt_find_esp(&disk.disk, &esp, &err), 0);
	assert_int_equal(esp.first_lba, 2048);
	assert_true(esp.from_backup_gpt);
}

static void test_bad_entry_array_uses_the_backup(void **state)
{
	(void)state;
	struct partition esp;
	struct error err = {{0}};
	disk.data[1024 + 128 + 40] ^= 1; /* entry 2's last LBA */
	assert_int_equal(gpt_find_esp(&disk.disk, &esp, &err), 0);
	assert_true(esp.from_backup_gpt);
	assert_int_equal(esp.sectors, 67550 - 2048 + 1);
}

static void test_both_headers_bad_are_both_named(void **state)
{
	(void)state;
	struct partition esp;
	struct error err = {{0}};
	disk.data[512 + 16] ^= 0xff;
	disk.data[disk.size - 512 + 16] ^= 0xff;
	assert_int_equal(gpt_find_esp(&disk.disk, &esp, &err), -1);
	assert_non_null(strstr(err.msg, "gpt: primary header CRC"));
	assert_non_null(strstr(err.msg, "backup header CRC"));
	assert_non_null(strstr(err.msg, "at LBA 1,"));
}

static void test_read_error_is_named(void **state)
{
	(void)state;
	struct partition esp;
	struct error err = {{0}};
	disk.fail_lba = 1;
	disk.data[disk.size - 512 + 16] ^= 0xff;
	assert_int_equal(gpt_find_esp(&disk.disk, &esp, &err), -1);
	assert_non_null(strstr(err.msg, "read of 1 sectors at LBA 0x1 failed"));
}

static void test_mbr_only_disk(void **state)
{
	(void)state;
	struct partition esp;
	struct error err = {{0}};
	memset(disk.data + 512, 0, 33 * 512);                  /* no primary GPT */
	memset(disk.data + disk.size - 33 * 512, 0, 33 * 512); /* no backup */
	memset(disk.data + 446, 0, 64);
	uint8_t *e = disk.data + 446 + 16; /* entry 2: active FAT16 */
	e[0] = 0x80;
	e[4] = 0x0e;
	e[8] = 0x00, e[9] = 0x08;   /* LBA 2048 */
	e[12] = 0x00, e[13] = 0x80; /* 32768 sectors */
	assert_int_equal(gpt_find_esp(&disk.disk, &esp, &err), 0);
	assert_true(esp.from_mbr);
	assert_int_equal(esp.first_lba, 2048);
	assert_int_equal(esp.sectors, 32768);
	e[0] = 0; /* not active, not 0xEF: nothing to boot */
	assert_int_equal(gpt_find_esp(&disk.disk, &esp, &err), -1);
	assert_non_null(strstr(err.msg, "no EFI system or active FAT partition"));
}

static uint8_t *sector_at(uint64_t lba)
{
	return disk.data + lba * 512;
}

static uint64_t get_le(const uint8_t *p, int width)
{
	uint64_t v = 0;
	for (int i = width - 1; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static void put_le(uint8_t *p, uint64_t v, int width)
{
	for (int i = 0; i < width; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* Recompute a header's CRC32 as a tool would after editing it. */
static void fix_header_crc(uint64_t lba)
{
	uint8_t *h = sector_at(lba);
	uint64_t size = get_le(h + 12, 4);
	put_le(h + 16, 0, 4);
	put_le(h + 16, crc32(0, h, size > 512 ? 512 : (size_t)size), 4);
}

static void fix_entries_crc(uint64_t lba)
{
	uint8_t *h = sector_at(lba);
	uint64_t bytes = get_le(h + 80, 4) * get_le(h + 84, 4);
	put_le(h + 88, crc32(0, sector_at(get_le(h + 72, 8)), (size_t)bytes), 4);
	fix_header_crc(lba);
}

static uint64_t backup_lba(void)
{
	return disk.size / 512 - 1;
}

/* Set a header field in a consistent header (CRC fixed). */
static void set_field(uint64_t lba, int off, uint64_t value, int width)
{
	put_le(sector_at(lba) + off, value, width);
	fix_header_crc(lba);
}

static void expect_message(const char *want)
{
	struct partition esp;
	struct error err = {{0}};
	assert_int_equal(gpt_find_esp(&disk.disk, &esp, &err), -1);
	assert_string_equal(err.msg, want);
}

static void expect_backup_used(void)
{
	struct partition esp;
	struct error err = {{0}};
	if (gpt_find_esp(&disk.disk, &esp, &err))
		fail_msg("%s", err.msg);
	assert_true(esp.from_backup_gpt);
	assert_int_equal(esp.first_lba, 2048);
	assert_int_equal(esp.sectors, 67550 - 2048 + 1);
}

/* Each header check: on the primary alone the backup takes over; on both
 * the message names the check and values for each. */
static void test_each_check_is_named(void **state)
{
	(void)state;
	static const struct {
		int off, width;
		uint64_t value;
		const char *primary, *backup;
	} cases[] = {
	    {12, 4, 91, "header size 91 at LBA 1", "header size 91 at LBA 69631"},
	    {12, 4, 513, "header size 513 at LBA 1", "header size 513 at LBA 69631"},
	    {24, 8, 5, "header at LBA 1 says it is at LBA 5",
	     "header at LBA 69631 says it is at LBA 5"},
	    {84, 4, 100, "128 entries of 100 bytes at LBA 1",
	     "128 entries of 100 bytes at LBA 69631"},
	    {84, 4, 0, "128 entries of 0 bytes at LBA 1", "128 entries of 0 bytes at LBA 69631"},
	    {80, 4, 5000, "5000 entries of 128 bytes at LBA 1",
	     "5000 entries of 128 bytes at LBA 69631"},
	    {72, 8, 69630, "entry array at LBA 69630 is outside the disk",
	     "entry array at LBA 69630 is outside the disk"},
	};
	uint8_t *saved = malloc(disk.size);
	memcpy(saved, disk.data, disk.size);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memcpy(disk.data, saved, disk.size);
		set_field(1, cases[i].off, cases[i].value, cases[i].width);
		expect_backup_used();
		set_field(backup_lba(), cases[i].off, cases[i].value, cases[i].width);
		char want[ERROR_MAX];
		snprintf(want, sizeof(want), "gpt: primary %s; backup %s", cases[i].primary,
		         cases[i].backup);
		expect_message(want);
	}
	free(saved);
}

static void test_entry_array_crc_is_named(void **state)
{
	(void)state;
	sector_at(2)[0] ^= 1;     /* primary entries */
	sector_at(69599)[0] ^= 1; /* backup entries */
	struct partition esp;
	struct error err = {{0}};
	assert_int_equal(gpt_find_esp(&disk.disk, &esp, &err), -1);
	assert_non_null(strstr(err.msg, "gpt: primary entry array CRC 0x"));
	assert_non_null(strstr(err.msg, " at LBA 2, expected 0x"));
	assert_non_null(strstr(err.msg, "; backup entry array CRC 0x"));
	assert_non_null(strstr(err.msg, " at LBA 69599, expected 0x"));
}

/* A damaged primary's alternate_lba is not believed: the backup is at
 * the last LBA. */
static void test_damaged_primary_alternate_is_ignored(void **state)
{
	(void)state;
	put_le(sector_at(1) + 32, 12345, 8); /* CRC now wrong too */
	expect_backup_used();
}

/* An intact primary header whose entries are bad points to the backup:
 * here, one moved away from the last LBA. */
static void test_intact_primary_alternate_is_followed(void **state)
{
	(void)state;
	memcpy(sector_at(69000), sector_at(backup_lba()), 512);
	memset(sector_at(backup_lba()), 0, 512);
	set_field(69000, 24, 69000, 8);
	set_field(1, 32, 69000, 8);
	sector_at(2)[0] ^= 1; /* primary entries */
	expect_backup_used();
}

static void test_esp_outside_the_usable_lbas(void **state)
{
	(void)state;
	/* entry 2's last LBA past last_usable (69598), in both arrays */
	put_le(sector_at(2) + 128 + 40, 69600, 8);
	put_le(sector_at(69599) + 128 + 40, 69600, 8);
	fix_entries_crc(1);
	fix_entries_crc(backup_lba());
	expect_message("gpt: ESP at LBA 2048..69600 is outside the usable LBAs 34..69598");
}

static void test_gpt_without_esp(void **state)
{
	(void)state;
	sector_at(2)[128] ^= 0xff; /* entry 2's type GUID */
	sector_at(69599)[128] ^= 0xff;
	fix_entries_crc(1);
	fix_entries_crc(backup_lba());
	expect_message("gpt: no EFI system partition among 128 GPT entries");
}

/* mkimage's hybrid MBR: 0xEE protective entry, then the ESP as an active
 * FAT32 (LBA) entry; used only when there is no GPT at all. */
static void test_hybrid_mbr_without_gpt(void **state)
{
	(void)state;
	struct partition esp;
	struct error err = {{0}};
	memset(sector_at(1), 0, 512);
	memset(sector_at(backup_lba()), 0, 512);
	uint8_t *mbr = sector_at(0);
	assert_int_equal(mbr[446 + 4], 0xee); /* sgdisk's protective entry */
	uint8_t *e = mbr + 446 + 16;
	e[0] = 0x80;
	e[4] = 0x0c;
	put_le(e + 8, 2048, 4);
	put_le(e + 12, 65503, 4);
	assert_int_equal(gpt_find_esp(&disk.disk, &esp, &err), 0);
	assert_true(esp.from_mbr);
	assert_int_equal(esp.first_lba, 2048);
	assert_int_equal(esp.sectors, 65503);
	put_le(e + 12, 69632 - 2048 + 1, 4); /* one sector past the disk */
	expect_message("gpt: no GPT on the disk, and MBR partition 2 at LBA 2048 (67585 sectors) "
	               "is outside the 69632-sector disk");
	mbr[511] = 0;
	expect_message("gpt: no GPT on the disk, and no MBR signature");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_finds_the_esp, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_bad_primary_uses_the_backup, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_bad_entry_array_uses_the_backup, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_both_headers_bad_are_both_named, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_read_error_is_named, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_mbr_only_disk, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_each_check_is_named, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_entry_array_crc_is_named, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_damaged_primary_alternate_is_ignored, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_intact_primary_alternate_is_followed, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_esp_outside_the_usable_lbas, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_gpt_without_esp, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_hybrid_mbr_without_gpt, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
