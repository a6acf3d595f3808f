/* tests/unit/boot_harness.h - what the boot-sequence tests share: a small
 * kernel, the standard files, a fake machine with 1 GiB of RAM, and
 * boot_main run until it enters the kernel or halts. Used by test_boot.c
 * (the sequence and its failures), test_boot_kernel_read.c (how much of the
 * kernel file is read, and how) and test_boot_manifest.c (files pinned by
 * SHA-256). */
#ifndef TWINBOOT_TEST_BOOT_HARNESS_H
#define TWINBOOT_TEST_BOOT_HARNESS_H

#include <elf.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "boot.h"
#include "bootinfo.h"
#include "fake_platform.h"
#include "layout.h"
#include "log.h"

#define KBASE 0xffffffff80000000ull

/* A two-segment kernel: 0x1000 bytes of R-X text at KBASE, then a page of
 * RW- data with 0x800 bytes in the file and a BSS tail. */
static inline size_t make_kernel(uint8_t *buf, size_t size)
{
	memset(buf, 0, size);
	Elf64_Ehdr *eh = (Elf64_Ehdr *)buf;
	memcpy(eh->e_ident, ELFMAG, SELFMAG);
	eh->e_ident[EI_CLASS] = ELFCLASS64;
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_ident[EI_VERSION] = EV_CURRENT;
	eh->e_type = ET_EXEC;
	eh->e_machine = EM_X86_64;
	eh->e_version = EV_CURRENT;
	eh->e_entry = KBASE + 0x10;
	eh->e_phoff = sizeof(*eh);
	eh->e_ehsize = sizeof(*eh);
	eh->e_phentsize = sizeof(Elf64_Phdr);
	eh->e_phnum = 2;
	Elf64_Phdr *ph = (Elf64_Phdr *)(buf + sizeof(*eh));
	ph[0] = (Elf64_Phdr){PT_LOAD, PF_R | PF_X, 0x1000, KBASE, KBASE, 0x1000, 0x1000, 0x1000};
	ph[1] = (Elf64_Phdr){PT_LOAD,        PF_R | PF_W, 0x2000, KBASE + 0x1000,
	                     KBASE + 0x1000, 0x800,       0x3000, 0x1000};
	memset(buf + 0x1000, 0x90, 0x1000); /* text: nops */
	memset(buf + 0x2000, 0xab, 0x800);  /* data */
	return 0x2800;
}

static uint8_t kernel[0x3000];
static size_t kernel_size;

static inline void add_standard_files(const char *cfg)
{
	kernel_size = make_kernel(kernel, sizeof(kernel));
	fake_platform_add_file("/boot/twinboot.cfg", cfg, strlen(cfg));
	fake_platform_add_file("/boot/kernel.elf", kernel, kernel_size);
}

static inline int setup(void **state)
{
	(void)state;
	fake_platform_reset();
	log_reset();
	fake_platform_add_ram(0, 0x9fc00, 1);
	fake_platform_add_ram(0x100000, 0x3ff00000, 1);
	return 0;
}

/* Run boot_main until it halts or enters the kernel. */
static inline void run_boot(void)
{
	if (setjmp(fake_exit) == 0)
		boot_main(1234);
}

static inline struct tb_bootinfo *entered_bootinfo(void)
{
	assert_true(fake_result.entered);
	assert_false(fake_result.halted);
	return (struct tb_bootinfo *)(uintptr_t)(fake_result.bootinfo - TB_DIRECT_MAP_OFFSET);
}

/* Run boot_main, which must halt with `text` in its error. */
static inline void expect_halt_with(const char *text)
{
	run_boot();
	assert_true(fake_result.halted);
	assert_false(fake_result.entered);
	const char *out = fake_platform_output();
	if (!strstr(out, text))
		fail_msg("expected '%s' in output:\n%s", text, out);
	assert_non_null(strstr(out, "twinboot: error: "));
}

#endif
