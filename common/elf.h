/* common/elf.h - validate an ELF64 x86-64 kernel held in memory and load it.
 *
 * elf_check() reads only inside [file, file + size), whatever the bytes
 * are, and either fills a load plan or fails with a message naming the
 * header field and its value. elf_load() then copies the segments into one
 * physically contiguous block; the page tables map that block at the
 * segments' virtual addresses (p_paddr is never used).
 * Spec: System V gABI "ELF-64 Object File Format" 1.5, and the x86-64 psABI.
 */
#ifndef TWINBOOT_ELF_H
#define TWINBOOT_ELF_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

#define ELF_MAX_SEGMENTS 16

/* elf_segment.flags: the ELF p_flags bits */
#define ELF_PF_X 1u
#define ELF_PF_W 2u
#define ELF_PF_R 4u

struct elf_segment {
	uint64_t vaddr;  /* p_vaddr */
	uint64_t offset; /* p_offset */
	uint64_t filesz; /* p_filesz */
	uint64_t memsz;  /* p_memsz */
	uint32_t flags;  /* ELF_PF_* */
};

struct elf_plan {
	uint64_t entry;     /* e_entry, inside an executable segment */
	uint64_t virt_base; /* lowest segment vaddr, rounded down to 4 KiB */
	uint64_t virt_end;  /* highest segment end, rounded up to 4 KiB */
	/* The file's first file_used bytes hold its ELF and program headers
	 * and every segment's bytes: all that checking and loading read.
	 * What follows (section headers, symbols, a debug build's DWARF) is
	 * loaded by nobody. */
	uint64_t file_used;
	unsigned segment_count;
	struct elf_segment segments[ELF_MAX_SEGMENTS]; /* sorted by vaddr */
};

/* Validate `file` (size bytes) as a kernel for twinboot: ELF64, little
 * endian, x86-64, ET_EXEC or ET_DYN, 1..ELF_MAX_SEGMENTS PT_LOAD segments
 * with sane sizes, alignment and canonical, non-wrapping, non-overlapping
 * addresses outside the loader's ranges (layout.h), an entry point in an
 * executable segment, and a span (virt_end - virt_base) no larger than
 * `max_bytes` (0: no limit). Returns 0 and fills *plan, or -1 with err. */
int elf_check(const void *file, size_t size, uint64_t max_bytes, struct elf_plan *plan,
              struct error *err);

/* elf_check() with only the file's first `avail` bytes at `head` (its
 * headers) out of `file_size`: the same checks and plan, reading nothing
 * past `avail`; program headers beyond it fail as outside the file. */
int elf_check_head(const void *head, size_t avail, size_t file_size, uint64_t max_bytes,
                   struct elf_plan *plan, struct error *err);

/* 1 when the file lays the segments out as memory does: one offset D with
 * p_offset == D + (p_vaddr - virt_base) for every segment with file bytes,
 * as linkers write kernels. Then a file read to address A has each segment
 * in place at A + D, and elf_load(plan, A, A + D) only zeroes. D (in
 * *base_offset) is a multiple of 4096, since elf_check demands p_offset
 * and p_vaddr agree modulo 4096. 0 otherwise, or when no segment has
 * file bytes. */
int elf_file_mirrors_memory(const struct elf_plan *plan, uint64_t *base_offset);

/* Copy each segment's file bytes to dest + (vaddr - virt_base) and zero the
 * rest of the block (BSS and gaps). dest must hold virt_end - virt_base
 * bytes; file must be the buffer elf_check() accepted. A segment whose
 * bytes are already in place is left as it is. */
void elf_load(const struct elf_plan *plan, const void *file, void *dest);

#endif
