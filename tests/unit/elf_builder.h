/* tests/unit/elf_builder.h - build small ELF64 images in memory for the
 * elf.c tests and fuzz seeds: a file header plus program headers, written
 * little-endian at the gABI's field offsets, so a test can then break one
 * field at a time. */
#ifndef TWINBOOT_TEST_ELF_BUILDER_H
#define TWINBOOT_TEST_ELF_BUILDER_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define EB_EHDR_SIZE 64
#define EB_PHDR_SIZE 56
/* Field offsets (System V gABI, ELF-64 Object File Format 1.5). */
#define EB_E_TYPE 16
#define EB_E_MACHINE 18
#define EB_E_VERSION 20
#define EB_E_ENTRY 24
#define EB_E_PHOFF 32
#define EB_E_EHSIZE 52
#define EB_E_PHENTSIZE 54
#define EB_E_PHNUM 56
#define EB_P_TYPE 0
#define EB_P_FLAGS 4
#define EB_P_OFFSET 8
#define EB_P_VADDR 16
#define EB_P_PADDR 24
#define EB_P_FILESZ 32
#define EB_P_MEMSZ 40
#define EB_P_ALIGN 48

#define EB_PT_LOAD 1
#define EB_PT_NOTE 4
#define EB_PT_GNU_STACK 0x6474e551u

static inline void eb_put(unsigned char *buf, size_t off, unsigned bytes, uint64_t v)
{
	for (unsigned i = 0; i < bytes; i++)
		buf[off + i] = (unsigned char)(v >> (8 * i));
}

/* An x86-64 ELF64 header with program headers right after it (offset 64). */
static inline void eb_header(unsigned char *buf, unsigned type, uint64_t entry, unsigned phnum)
{
	memset(buf, 0, EB_EHDR_SIZE);
	static const unsigned char ident[7] = {
	    0x7f, 'E', 'L', 'F', 2 /* 64-bit */, 1 /* little-endian */, 1 /* EV_CURRENT */};
	memcpy(buf, ident, sizeof(ident));
	eb_put(buf, EB_E_TYPE, 2, type);
	eb_put(buf, EB_E_MACHINE, 2, 0x3e);
	eb_put(buf, EB_E_VERSION, 4, 1);
	eb_put(buf, EB_E_ENTRY, 8, entry);
	eb_put(buf, EB_E_PHOFF, 8, EB_EHDR_SIZE);
	eb_put(buf, EB_E_EHSIZE, 2, EB_EHDR_SIZE);
	eb_put(buf, EB_E_PHENTSIZE, 2, EB_PHDR_SIZE);
	eb_put(buf, EB_E_PHNUM, 2, phnum);
}

static inline size_t eb_phdr_at(unsigned i)
{
	return EB_EHDR_SIZE + (size_t)i * EB_PHDR_SIZE;
}

static inline void eb_phdr(unsigned char *buf, unsigned i, uint32_t type, uint32_t flags,
                           uint64_t offset, uint64_t vaddr, uint64_t filesz, uint64_t memsz,
                           uint64_t align)
{
	size_t at = eb_phdr_at(i);
	eb_put(buf, at + EB_P_TYPE, 4, type);
	eb_put(buf, at + EB_P_FLAGS, 4, flags);
	eb_put(buf, at + EB_P_OFFSET, 8, offset);
	eb_put(buf, at + EB_P_VADDR, 8, vaddr);
	eb_put(buf, at + EB_P_PADDR, 8, vaddr);
	eb_put(buf, at + EB_P_FILESZ, 8, filesz);
	eb_put(buf, at + EB_P_MEMSZ, 8, memsz);
	eb_put(buf, at + EB_P_ALIGN, 8, align);
}

/* Change one field of program header i. */
static inline void eb_set(unsigned char *buf, unsigned i, size_t field, uint64_t v)
{
	eb_put(buf, eb_phdr_at(i) + field, field == EB_P_TYPE || field == EB_P_FLAGS ? 4 : 8, v);
}

/* The reference kernel the tests start from, EB_GOOD_SIZE bytes, shaped
 * like ours: text at 0xffffffff80001000 (R+X, 0x100 bytes), data+BSS at
 * 0xffffffff80003000 (R+W, 0x80 in the file, 0x1800 in memory), a
 * PT_GNU_STACK that must be ignored. The program headers are listed data
 * first, so a loader that does not sort them gets the plan wrong. */
#define EB_GOOD_SIZE 0x2080
#define EB_TEXT_VADDR 0xffffffff80001000ull
#define EB_DATA_VADDR 0xffffffff80003000ull
static inline void eb_good(unsigned char *buf, unsigned type)
{
	memset(buf, 0, EB_GOOD_SIZE);
	eb_header(buf, type, EB_TEXT_VADDR + 0x10, 3);
	eb_phdr(buf, 0, EB_PT_LOAD, 6, 0x2000, EB_DATA_VADDR, 0x80, 0x1800, 0x1000);
	eb_phdr(buf, 1, EB_PT_GNU_STACK, 6, 0, 0, 0, 0, 16);
	eb_phdr(buf, 2, EB_PT_LOAD, 5, 0x1000, EB_TEXT_VADDR, 0x100, 0x100, 0x1000);
	for (size_t i = 0; i < 0x100; i++)
		buf[0x1000 + i] = (unsigned char)(0x90 + i);
	for (size_t i = 0; i < 0x80; i++)
		buf[0x2000 + i] = (unsigned char)(0x40 + i);
}

#endif
