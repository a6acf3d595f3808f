/* tests/unit/test_manifest.c - common/manifest.c: build and parse agree,
 * the bytes sit at the offsets manifest.h documents, lookups are exact,
 * and every error path gives its exact message. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "manifest.h"

/* One spare byte in front so the manifest can sit at an odd address, and
 * a padded tail as in a PE section rounded to 512 bytes. */
static uint8_t storage[1 + MANIFEST_SIZE + 352];
static uint8_t *const buf = storage + 1;
static struct error err;

static const struct manifest_file three[] = {
    {"/boot/kernel.elf", "abc", 3},
    {"/boot/twinboot.cfg", "kernel=/boot/kernel.elf\n", 24},
    {"/boot/initrd", "", 0},
};

static void build_three(void)
{
	memset(storage, 0, sizeof(storage));
	assert_int_equal(manifest_build(buf, MANIFEST_SIZE, three, 3, &err), 0);
}

static void put32(size_t off, uint32_t v)
{
	memcpy(buf + off, &v, 4);
}

static struct manifest_entry *entry(unsigned i)
{
	return (struct manifest_entry *)(buf + 32 + 160 * i);
}

/* Parse must fail with exactly want. */
static void refuse(size_t len, const char *want)
{
	struct manifest_view v;
	memset(&err, 0, sizeof(err));
	assert_int_equal(manifest_parse(buf, len, &v, &err), -1);
	assert_string_equal(err.msg, want);
}

static void test_layout(void **state)
{
	(void)state;
	build_three();
	assert_memory_equal(buf, "TBMANIF1", 8);
	static const uint8_t words[] = {1, 0, 0, 0, 32,   0,    0, 0, 160, 0, 0, 0,
	                                3, 0, 0, 0, 0x60, 0x29, 0, 0, 0,   0, 0, 0};
	assert_memory_equal(buf + 8, words, sizeof(words));
	assert_string_equal((char *)buf + 0x20, "/boot/kernel.elf");
	static const uint8_t abc[4] = {0xba, 0x78, 0x16, 0xbf};
	assert_memory_equal(buf + 0x20 + 0x80, abc, 4);
	assert_string_equal((char *)buf + 0x20 + 160, "/boot/twinboot.cfg");
	/* Everything past the last entry is zero, so the build is canonical. */
	for (size_t i = 32 + 3 * 160; i < MANIFEST_SIZE; i++)
		assert_int_equal(buf[i], 0);
	uint8_t again[MANIFEST_SIZE];
	assert_int_equal(manifest_build(again, sizeof(again), three, 3, &err), 0);
	assert_memory_equal(again, buf, MANIFEST_SIZE);
}

static void test_parse_find_verify(void **state)
{
	(void)state;
	build_three();
	struct manifest_view v;
	assert_int_equal(manifest_parse(buf, sizeof(storage) - 1, &v, &err), 0);
	assert_int_equal(v.count, 3);
	const uint8_t *d = manifest_find(&v, "/boot/kernel.elf");
	assert_non_null(d);
	assert_int_equal(d[0], 0xba);
	assert_null(manifest_find(&v, "/boot/kernel.el"));
	assert_null(manifest_find(&v, "/boot/kernel.elf/"));
	assert_null(manifest_find(&v, "/BOOT/KERNEL.ELF"));
	assert_null(manifest_find(&v, "boot/kernel.elf"));
	for (unsigned i = 0; i < 3; i++)
		assert_int_equal(
		    manifest_verify(&v, three[i].path, three[i].data, three[i].size, &err), 0);
}

static void test_verify_errors(void **state)
{
	(void)state;
	build_three();
	struct manifest_view v;
	assert_int_equal(manifest_parse(buf, MANIFEST_SIZE, &v, &err), 0);
	assert_int_equal(manifest_verify(&v, "/boot/kernel.elf", "", 0, &err), -1);
	assert_string_equal(err.msg, "manifest: /boot/kernel.elf: SHA-256 mismatch "
	                             "(expected ba7816bf, got e3b0c442)");
	assert_int_equal(manifest_verify(&v, "/boot/initrd", "abc", 3, &err), -1);
	assert_string_equal(err.msg, "manifest: /boot/initrd: SHA-256 mismatch "
	                             "(expected e3b0c442, got ba7816bf)");
	assert_int_equal(manifest_verify(&v, "/boot/x", "abc", 3, &err), -1);
	assert_string_equal(err.msg, "manifest: /boot/x: not in the manifest");
}

static void test_empty_and_blank(void **state)
{
	(void)state;
	memset(storage, 0, sizeof(storage));
	assert_true(manifest_is_blank(buf, MANIFEST_SIZE));
	assert_true(manifest_is_blank(buf, 0));
	refuse(MANIFEST_SIZE, "manifest: bad magic 0000000000000000, expected \"TBMANIF1\"");
	assert_int_equal(manifest_build(buf, MANIFEST_SIZE, NULL, 0, &err), 0);
	assert_false(manifest_is_blank(buf, MANIFEST_SIZE));
	struct manifest_view v;
	assert_int_equal(manifest_parse(buf, MANIFEST_SIZE, &v, &err), 0);
	assert_int_equal(v.count, 0);
	assert_null(manifest_find(&v, "/boot/kernel.elf"));
}

static void test_header_errors(void **state)
{
	(void)state;
	build_three();
	refuse(31, "manifest: 31 bytes, shorter than its 32-byte header");
	refuse(MANIFEST_SIZE - 1, "manifest: 10591 bytes, shorter than its total size 10592");
	buf[0] = 'X';
	refuse(MANIFEST_SIZE, "manifest: bad magic 58424d414e494631, expected \"TBMANIF1\"");
	build_three();
	put32(8, 2);
	refuse(MANIFEST_SIZE, "manifest: unsupported version 2 (this loader reads 1)");
	build_three();
	put32(12, 48);
	refuse(MANIFEST_SIZE, "manifest: header size 48, entry size 160, expected 32 and 160");
	build_three();
	put32(16, 96);
	refuse(MANIFEST_SIZE, "manifest: header size 32, entry size 96, expected 32 and 160");
	build_three();
	put32(24, 0xffffffff);
	refuse(MANIFEST_SIZE, "manifest: total size 4294967295, expected 10592");
	build_three();
	put32(28, 0x10);
	refuse(MANIFEST_SIZE, "manifest: reserved field 0x10, expected 0");
	build_three();
	put32(20, 67);
	refuse(MANIFEST_SIZE, "manifest: 67 entries, more than the 66 it holds");
	put32(20, 0xffffffff);
	refuse(MANIFEST_SIZE, "manifest: 4294967295 entries, more than the 66 it holds");
}

static void test_entry_errors(void **state)
{
	(void)state;
	build_three();
	memset(entry(1)->path, 'a', MANIFEST_PATH_MAX);
	refuse(MANIFEST_SIZE, "manifest: entry 1: path not terminated within 128 bytes");
	build_three();
	strcpy(entry(2)->path, "boot/initrd");
	refuse(MANIFEST_SIZE, "manifest: entry 2: path 'boot/initrd' is not absolute");
	build_three();
	memset(entry(0)->path, 0, MANIFEST_PATH_MAX);
	refuse(MANIFEST_SIZE, "manifest: entry 0: path '' is not absolute");
	build_three();
	entry(2)->path[127] = 'x';
	refuse(MANIFEST_SIZE, "manifest: entry 2: /boot/initrd: nonzero bytes after the path");
	build_three();
	strcpy(entry(2)->path, "/boot/kernel.elf");
	refuse(MANIFEST_SIZE, "manifest: entries 0 and 2: /boot/kernel.elf listed twice");
	build_three();
	entry(65)->sha256[31] = 1;
	refuse(MANIFEST_SIZE, "manifest: unused entry 65 is not zero");
	build_three();
	entry(3)->path[0] = '/';
	refuse(MANIFEST_SIZE, "manifest: unused entry 3 is not zero");
}

static void test_build_errors(void **state)
{
	(void)state;
	uint8_t *out = malloc(MANIFEST_SIZE);
	assert_non_null(out);
	assert_int_equal(manifest_build(out, MANIFEST_SIZE - 1, three, 3, &err), -1);
	assert_string_equal(err.msg, "manifest: buffer of 10591 bytes, need 10592");

	struct manifest_file many[MANIFEST_ENTRIES_MAX + 1];
	static char names[MANIFEST_ENTRIES_MAX + 1][16];
	for (unsigned i = 0; i <= MANIFEST_ENTRIES_MAX; i++) {
		snprintf(names[i], sizeof(names[i]), "/boot/m%u", i);
		many[i] = (struct manifest_file){names[i], names[i], strlen(names[i])};
	}
	assert_int_equal(manifest_build(out, MANIFEST_SIZE, many, 67, &err), -1);
	assert_string_equal(err.msg, "manifest: 67 files, more than the 66 it holds");
	/* 66 is the capacity and must fit. */
	assert_int_equal(manifest_build(out, MANIFEST_SIZE, many, 66, &err), 0);
	struct manifest_view v;
	assert_int_equal(manifest_parse(out, MANIFEST_SIZE, &v, &err), 0);
	assert_int_equal(manifest_verify(&v, "/boot/m65", "/boot/m65", 9, &err), 0);

	struct manifest_file bad = {"initrd", "", 0};
	assert_int_equal(manifest_build(out, MANIFEST_SIZE, &bad, 1, &err), -1);
	assert_string_equal(err.msg, "manifest: path 'initrd' is not absolute");
	char longpath[MANIFEST_PATH_MAX + 1];
	memset(longpath, 'a', sizeof(longpath));
	longpath[0] = '/';
	longpath[MANIFEST_PATH_MAX] = 0;
	bad.path = longpath;
	assert_int_equal(manifest_build(out, MANIFEST_SIZE, &bad, 1, &err), -1);
	assert_string_equal(err.msg,
	                    "manifest: path of 128 bytes, longer than 127: "
	                    "/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
	/* 127 bytes is the longest path that fits. */
	longpath[MANIFEST_PATH_MAX - 1] = 0;
	assert_int_equal(manifest_build(out, MANIFEST_SIZE, &bad, 1, &err), 0);
	assert_int_equal(manifest_parse(out, MANIFEST_SIZE, &v, &err), 0);
	assert_non_null(manifest_find(&v, longpath));
	/* Its mismatch message is cut at ERROR_MAX, still terminated. */
	assert_int_equal(manifest_verify(&v, longpath, "x", 1, &err), -1);
	assert_int_equal(strlen(err.msg), ERROR_MAX - 1);

	struct manifest_file twice[] = {three[0], three[1], three[0]};
	assert_int_equal(manifest_build(out, MANIFEST_SIZE, twice, 3, &err), -1);
	assert_string_equal(err.msg, "manifest: entries 0 and 2: /boot/kernel.elf listed twice");
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_layout),        cmocka_unit_test(test_parse_find_verify),
	    cmocka_unit_test(test_verify_errors), cmocka_unit_test(test_empty_and_blank),
	    cmocka_unit_test(test_header_errors), cmocka_unit_test(test_entry_errors),
	    cmocka_unit_test(test_build_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
