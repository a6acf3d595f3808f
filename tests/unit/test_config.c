/* tests/unit/test_config.c - common/config.c: defaults, every key, the
 * tolerated file shapes (comments, CRLF, BOM, no final newline) and each
 * error message with its line number. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "config.h"

static struct config cfg;

/* Parse a heap copy of exactly strlen(text) bytes, without the NUL, so
 * ASan sees any read past the end. */
static int parse(const char *text, struct error *err)
{
	size_t n = strlen(text);
	char *copy = malloc(n ? n : 1);
	assert_non_null(copy);
	memcpy(copy, text, n);
	strcpy(err->msg, "(no message)");
	int r = config_parse(copy, n, &cfg, err);
	free(copy);
	return r;
}

static void ok(const char *text)
{
	struct error err;
	int r = parse(text, &err);
	if (r)
		print_error("unexpected error: %s\n", err.msg);
	assert_int_equal(r, 0);
}

static void fails(const char *text, const char *msg)
{
	struct error err;
	assert_int_equal(parse(text, &err), -1);
	assert_string_equal(err.msg, msg);
}

static void test_full_file(void **state)
{
	(void)state;
	ok("# twinboot configuration\n"
	   "kernel=/boot/other.elf\n"
	   "\n"
	   "  cmdline = console=ttyS0 loglevel=7  \n"
	   "module=/boot/initrd\n"
	   "module = /boot/mod/fonts.bin # trailing comment\n"
	   "video=1024x768\n"
	   "serial=off\n"
	   "disk=firmware\n"
	   "verbose=1\n");
	assert_string_equal(cfg.kernel, "/boot/other.elf");
	assert_string_equal(cfg.cmdline, "console=ttyS0 loglevel=7");
	assert_int_equal(cfg.module_count, 2);
	assert_string_equal(cfg.modules[0], "/boot/initrd");
	assert_string_equal(cfg.modules[1], "/boot/mod/fonts.bin");
	assert_int_equal(cfg.video_width, 1024);
	assert_int_equal(cfg.video_height, 768);
	assert_int_equal(cfg.serial, 0);
	assert_int_equal(cfg.native_disk, 0);
	assert_int_equal(cfg.verbose, 1);
}

static void test_defaults(void **state)
{
	(void)state;
	/* Stale values from an earlier parse must not survive. */
	ok("module=/a\nvideo=800x600\nserial=off\nverbose=1\ncmdline=x\ndisk=firmware\n");
	ok("verbose=0");
	assert_string_equal(cfg.kernel, "/boot/kernel.elf");
	assert_string_equal(cfg.cmdline, "");
	assert_int_equal(cfg.module_count, 0);
	assert_int_equal(cfg.video_width, 0);
	assert_int_equal(cfg.video_height, 0);
	assert_int_equal(cfg.serial, 1);
	assert_int_equal(cfg.verbose, 0);
	assert_int_equal(cfg.native_disk, 1);
	/* Later lines win; an empty cmdline is allowed. */
	ok("cmdline=first\ncmdline=\nserial=off\nserial=on\n");
	assert_string_equal(cfg.cmdline, "");
	assert_int_equal(cfg.serial, 1);
}

static void test_file_shapes(void **state)
{
	(void)state;
	/* UTF-8 BOM, CRLF line ends, tabs, no final newline. */
	ok("\xef\xbb\xbfkernel=/boot/k.elf\r\n\tvideo\t=\t640X480\r\n\r\nverbose=1");
	assert_string_equal(cfg.kernel, "/boot/k.elf");
	assert_int_equal(cfg.video_width, 640);
	assert_int_equal(cfg.video_height, 480);
	assert_int_equal(cfg.verbose, 1);
	/* '=' inside a value is part of it. */
	ok("cmdline=root=/dev/sda1 a=b\n");
	assert_string_equal(cfg.cmdline, "root=/dev/sda1 a=b");
	ok("video=0x0\n");
	assert_int_equal(cfg.video_width, 0);
	/* Without the terminating NUL: the parser must stop at len. */
	struct error err;
	const char text[] = "serial=offXXXX";
	assert_int_equal(config_parse(text, 10, &cfg, &err), 0);
	assert_int_equal(cfg.serial, 0);
}

static void test_modules(void **state)
{
	(void)state;
	char text[64 * 20 + 64];
	size_t n = 0;
	for (int i = 0; i < CONFIG_MODULES_MAX; i++)
		n += (size_t)sprintf(text + n, "module=/boot/m%d\n", i);
	ok(text);
	assert_int_equal(cfg.module_count, 64);
	assert_string_equal(cfg.modules[63], "/boot/m63");
	strcpy(text + n, "# one more\nmodule=/boot/extra\n");
	fails(text, "config: line 66: more than 64 module= lines");
}

static void test_unknown_and_malformed(void **state)
{
	(void)state;
	fails("# c\n\nkernal=/boot/kernel.elf\n", "config: line 3: unknown key 'kernal'");
	fails("kernel=/k\n#\n\n\nvideo 1024x768\n",
	      "config: line 5: expected key=value, got 'video 1024x768'");
	fails("  =value\n", "config: line 1: expected key=value, got '=value'");
	fails("Kernel=/k\n", "config: line 1: unknown key 'Kernel'");
	/* Counting lines across CRLF and a BOM. */
	fails("\xef\xbb\xbf"
	      "serial=on\r\nbogus\r\n",
	      "config: line 2: expected key=value, got 'bogus'");
	/* Long junk is quoted in part, the message stays one line. */
	char junk[600];
	memset(junk, 'j', sizeof(junk) - 1);
	junk[sizeof(junk) - 1] = 0;
	struct error err;
	assert_int_equal(parse(junk, &err), -1);
	assert_int_equal(strncmp(err.msg, "config: line 1: expected key=value, got 'jjjj", 45), 0);
	assert_true(strlen(err.msg) < ERROR_MAX);
	/* A NUL inside the text (the length says where it ends). */
	const char nul[] = "serial=on\nab\0cd=1\n";
	assert_int_equal(config_parse(nul, sizeof(nul) - 1, &cfg, &err), -1);
	assert_string_equal(err.msg, "config: line 2: NUL byte at column 3");
}

static void test_bad_values(void **state)
{
	(void)state;
	fails("kernel=/k\nvideo=12x\n", "config: line 2: video '12x' is not WIDTHxHEIGHT");
	fails("video=x768\n", "config: line 1: video 'x768' is not WIDTHxHEIGHT");
	fails("video=1024*768\n", "config: line 1: video '1024*768' is not WIDTHxHEIGHT");
	fails("video=1024x768x32\n", "config: line 1: video '1024x768x32' is not WIDTHxHEIGHT");
	fails("video=0x768\n", "config: line 1: video '0x768' is not WIDTHxHEIGHT");
	fails("video=99999x1\n", "config: line 1: video '99999x1' is not WIDTHxHEIGHT");
	fails("video=123456x1\n", "config: line 1: video '123456x1' is not WIDTHxHEIGHT");
	fails("video=\n", "config: line 1: video '' is not WIDTHxHEIGHT");
	fails("serial=yes\n", "config: line 1: serial 'yes' is not on or off");
	fails("verbose=2\n", "config: line 1: verbose '2' is not 0 or 1");
	fails("disk=dma\n", "config: line 1: disk 'dma' is not native or firmware");
	fails("kernel=\n", "config: line 1: kernel= needs a path");
	fails("module=  # nothing\n", "config: line 1: module= needs a path");
}

static void test_lengths(void **state)
{
	(void)state;
	static char text[CONFIG_CMDLINE_MAX + 64];
	strcpy(text, "verbose=0\n\n\ncmdline=");
	size_t head = strlen(text);
	memset(text + head, 'c', CONFIG_CMDLINE_MAX - 1);
	text[head + CONFIG_CMDLINE_MAX - 1] = 0;
	ok(text);
	assert_int_equal(strlen(cfg.cmdline), CONFIG_CMDLINE_MAX - 1);
	strcat(text, "c\n");
	fails(text, "config: line 4: cmdline longer than 4095 bytes");

	strcpy(text, "kernel=/");
	memset(text + 8, 'k', CONFIG_PATH_MAX - 2);
	text[8 + CONFIG_PATH_MAX - 2] = 0;
	ok(text);
	assert_int_equal(strlen(cfg.kernel), CONFIG_PATH_MAX - 1);
	strcat(text, "k");
	fails(text, "config: line 1: kernel path longer than 127 bytes");
}

static void test_no_settings(void **state)
{
	(void)state;
	const char *msg = "config: no settings (file empty or only comments)";
	fails("", msg);
	fails("\n\n  \r\n", msg);
	fails("# only\n   # comments\n", msg);
	fails("\xef\xbb\xbf", msg);
}

static void test_basename(void **state)
{
	(void)state;
	assert_string_equal(config_basename("/boot/initrd"), "initrd");
	assert_string_equal(config_basename("/boot/mod/a.bin"), "a.bin");
	assert_string_equal(config_basename("plain"), "plain");
	assert_string_equal(config_basename("/boot/"), "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_full_file),
	    cmocka_unit_test(test_defaults),
	    cmocka_unit_test(test_file_shapes),
	    cmocka_unit_test(test_modules),
	    cmocka_unit_test(test_unknown_and_malformed),
	    cmocka_unit_test(test_bad_values),
	    cmocka_unit_test(test_lengths),
	    cmocka_unit_test(test_no_settings),
	    cmocka_unit_test(test_basename),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
