/* tests/unit/test_boot_manifest.c - boot_main with a manifest (what
 * mkimage --sign embeds): pinned files boot, a changed, unlisted or
 * unpinned one is refused by name, a pinned kernel is read to its last
 * byte, and Secure Boot without a manifest refuses to boot. */
#include "boot_harness.h"
#include "manifest.h"

/* The manifest: what mkimage --sign would embed for these files. */
static const char signed_cfg[] = "kernel=/boot/kernel.elf\nmodule=/boot/initrd\n";
static uint8_t manifest[MANIFEST_SIZE + 512]; /* a PE section is padded */

static void sign_standard_files(int secure_boot)
{
	struct error err = {{0}};
	kernel_size = make_kernel(kernel, sizeof(kernel));
	const struct manifest_file files[] = {
	    {"/boot/kernel.elf", kernel, kernel_size},
	    {"/boot/twinboot.cfg", signed_cfg, strlen(signed_cfg)},
	    {"/boot/initrd", "INITRD", 6}};
	memset(manifest, 0, sizeof(manifest));
	assert_int_equal(manifest_build(manifest, MANIFEST_SIZE, files, 3, &err), 0);
	fake_manifest = manifest;
	fake_manifest_len = sizeof(manifest);
	fake_secure_boot = secure_boot;
}

static void test_manifest_matching_files_boot(void **state)
{
	(void)state;
	sign_standard_files(1);
	add_standard_files(signed_cfg);
	fake_platform_add_file("/boot/initrd", "INITRD", 6);
	run_boot();
	entered_bootinfo();
	assert_non_null(
	    strstr(fake_platform_output(), "manifest: 3 files pinned by SHA-256, Secure Boot on"));
}

/* A pinned kernel is read to its last byte, past its segments: the hash
 * covers the whole file, so a change in its debug info is refused too. */
static void test_manifest_pins_every_byte(void **state)
{
	(void)state;
	static uint8_t file[0x20000];
	struct error err = {{0}};
	static const char cfg[] = "kernel=/boot/kernel.elf\nverbose=1\n";
	make_kernel(file, sizeof(file));
	memset(file + 0x2800, 0xdb, sizeof(file) - 0x2800);
	const struct manifest_file files[] = {{"/boot/kernel.elf", file, sizeof(file)},
	                                      {"/boot/twinboot.cfg", cfg, strlen(cfg)}};
	assert_int_equal(manifest_build(manifest, MANIFEST_SIZE, files, 2, &err), 0);
	fake_manifest = manifest;
	fake_manifest_len = MANIFEST_SIZE;
	fake_platform_add_file("/boot/twinboot.cfg", cfg, strlen(cfg));
	fake_platform_add_file("/boot/kernel.elf", file, sizeof(file));
	run_boot();
	entered_bootinfo();
	assert_int_equal(fake_bytes_read, strlen(cfg) + sizeof(file));
	assert_null(strstr(fake_platform_output(), "left on the disk"));

	file[sizeof(file) - 1] ^= 1; /* one bit of the "debug info" */
	fake_platform_reset();
	log_reset();
	setup(NULL);
	fake_manifest = manifest;
	fake_manifest_len = MANIFEST_SIZE;
	fake_platform_add_file("/boot/twinboot.cfg", cfg, strlen(cfg));
	fake_platform_add_file("/boot/kernel.elf", file, sizeof(file));
	expect_halt_with("manifest: /boot/kernel.elf: SHA-256 mismatch");
}

static void test_manifest_changed_kernel_is_refused(void **state)
{
	(void)state;
	sign_standard_files(1);
	kernel[0x1000] = 0xcc; /* one byte of text changed after signing */
	fake_platform_add_file("/boot/twinboot.cfg", signed_cfg, strlen(signed_cfg));
	fake_platform_add_file("/boot/kernel.elf", kernel, kernel_size);
	fake_platform_add_file("/boot/initrd", "INITRD", 6);
	expect_halt_with("manifest: /boot/kernel.elf: SHA-256 mismatch (expected ");
}

static void test_manifest_changed_config_is_refused(void **state)
{
	(void)state;
	sign_standard_files(0);
	add_standard_files("kernel=/boot/kernel.elf\nmodule=/boot/initrd\ncmdline=init=/bin/sh\n");
	fake_platform_add_file("/boot/initrd", "INITRD", 6);
	expect_halt_with("manifest: /boot/twinboot.cfg: SHA-256 mismatch");
}

static void test_manifest_changed_module_is_refused(void **state)
{
	(void)state;
	sign_standard_files(1);
	add_standard_files(signed_cfg);
	fake_platform_add_file("/boot/initrd", "EVILRD", 6);
	expect_halt_with("manifest: /boot/initrd: SHA-256 mismatch");
}

static void test_manifest_unlisted_module_is_refused(void **state)
{
	(void)state;
	/* A manifest that pins the config naming /boot/other, not the file. */
	static const char cfg[] = "kernel=/boot/kernel.elf\nmodule=/boot/other\n";
	struct error err = {{0}};
	kernel_size = make_kernel(kernel, sizeof(kernel));
	const struct manifest_file files[] = {{"/boot/kernel.elf", kernel, kernel_size},
	                                      {"/boot/twinboot.cfg", cfg, strlen(cfg)}};
	assert_int_equal(manifest_build(manifest, MANIFEST_SIZE, files, 2, &err), 0);
	fake_manifest = manifest;
	fake_manifest_len = MANIFEST_SIZE;
	add_standard_files(cfg);
	fake_platform_add_file("/boot/other", "OTHER", 5);
	expect_halt_with("manifest: /boot/other: not in the manifest");
}

static void test_manifest_corrupt_is_refused(void **state)
{
	(void)state;
	sign_standard_files(0);
	manifest[8] = 2; /* version */
	add_standard_files(signed_cfg);
	fake_platform_add_file("/boot/initrd", "INITRD", 6);
	expect_halt_with("manifest: unsupported version 2");
}

static void test_secure_boot_without_manifest_is_refused(void **state)
{
	(void)state;
	static const uint8_t blank[MANIFEST_SIZE];
	add_standard_files("kernel=/boot/kernel.elf\n");
	fake_secure_boot = 1;
	expect_halt_with("Secure Boot is on but BOOTX64.EFI carries no manifest: "
	                 "sign the image with mkimage --sign");
	/* A blank section (an unsigned build) is no manifest either. */
	fake_platform_reset();
	log_reset();
	setup(NULL);
	add_standard_files("kernel=/boot/kernel.elf\n");
	fake_manifest = blank;
	fake_manifest_len = sizeof(blank);
	fake_secure_boot = 1;
	expect_halt_with("Secure Boot is on but BOOTX64.EFI carries no manifest");
}

static void test_blank_manifest_without_secure_boot_boots(void **state)
{
	(void)state;
	static const uint8_t blank[MANIFEST_SIZE];
	add_standard_files("kernel=/boot/kernel.elf\n");
	fake_manifest = blank;
	fake_manifest_len = sizeof(blank);
	run_boot();
	entered_bootinfo();
	assert_null(strstr(fake_platform_output(), "manifest"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_manifest_pins_every_byte, setup),
	    cmocka_unit_test_setup(test_manifest_matching_files_boot, setup),
	    cmocka_unit_test_setup(test_manifest_changed_kernel_is_refused, setup),
	    cmocka_unit_test_setup(test_manifest_changed_config_is_refused, setup),
	    cmocka_unit_test_setup(test_manifest_changed_module_is_refused, setup),
	    cmocka_unit_test_setup(test_manifest_unlisted_module_is_refused, setup),
	    cmocka_unit_test_setup(test_manifest_corrupt_is_refused, setup),
	    cmocka_unit_test_setup(test_secure_boot_without_manifest_is_refused, setup),
	    cmocka_unit_test_setup(test_blank_manifest_without_secure_boot_boots, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
