/* tests/unit/test_gpt.c - finding the ESP on an sgdisk-made disk, with
 * the primary, the backup or both headers damaged, and on MBR disks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

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

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_finds_the_esp, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_bad_primary_uses_the_backup, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_bad_entry_array_uses_the_backup, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_both_headers_bad_are_both_named, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_read_error_is_named, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_mbr_only_disk, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
