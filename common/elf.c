/* common/elf.c - check an ELF64 x86-64 kernel image and load it (elf.h).
 *
 * Every field is read with bounds-checked little-endian helpers, and every
 * sum of two file-controlled numbers is checked for overflow before use, so
 * no input makes this read outside [file, file + size).
 * Spec: System V gABI "ELF-64 Object File Format" 1.5 (header, program
 * header table, PT_LOAD rules) and the x86-64 psABI (EM_X86_64 = 62).
 */
#include <stddef.h>
#include <stdint.h>

#include "elf.h"
#include "layout.h"
#include "lib.h"

/* Sizes and field offsets of the ELF64 file header and program header. */
#define EHDR_SIZE 64
#define PHDR_SIZE 56
#define E_TYPE 16
#define E_MACHINE 18
#define E_VERSION 20
#define E_ENTRY 24
#define E_PHOFF 32
#define E_PHENTSIZE 54
#define E_PHNUM 56
#define P_TYPE 0
#define P_FLAGS 4
#define P_OFFSET 8
#define P_VADDR 16
#define P_FILESZ 32
#define P_MEMSZ 40
#define P_ALIGN 48

#define ELFCLASS64 2
#define ELFDATA2LSB 1
#define EV_CURRENT 1
#define ET_EXEC 2
#define ET_DYN 3
#define EM_X86_64 0x3e
#define PT_LOAD 1

/* x86-64 virtual addresses are 48 bits, sign-extended (SDM vol. 1 3.3.7.1):
 * the lower half ends and the upper half starts here. */
#define LOWER_HALF_END 0x0000800000000000ull
#define UPPER_HALF_START 0xffff800000000000ull

#define X(v) ((unsigned long long)(v))

/* Little-endian reads of 2, 4 or 8 bytes at p; callers have checked the
 * bounds. Every machine this is built for (the loaders, the x86-64 hosts
 * of the tests) is little-endian, so the read is a copy, which inlined
 * with a constant size is one load, not a call and a byte loop per field
 * (each first run of a code block costs microseconds under QEMU's TCG:
 * docs/BENCHMARKS.md). */
_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "ELF64 x86-64 fields are little-endian");
static inline __attribute__((always_inline)) uint64_t rd(const unsigned char *p, unsigned bytes)
{
	uint64_t v = 0;
	__builtin_memcpy(&v, p, bytes);
	return v;
}

/* Does [a, a+n) overlap [b, b+m)? Both ends are known not to wrap. */
static int ranges_overlap(uint64_t a, uint64_t n, uint64_t b, uint64_t m)
{
	return a < b + m && b < a + n;
}

static int check_ident(const unsigned char *f, size_t size, struct error *err)
{
	if (size < EHDR_SIZE)
		return error_set(
		    err, "elf: file is 0x%zx bytes, shorter than the 64-byte ELF header", size);
	if (f[0] != 0x7f || f[1] != 'E' || f[2] != 'L' || f[3] != 'F')
		return error_set(err, "elf: bad magic %02x %02x %02x %02x (want 7f 45 4c 46)", f[0],
		                 f[1], f[2], f[3]);
	if (f[4] != ELFCLASS64)
		return error_set(err, "elf: EI_CLASS %u is not ELFCLASS64 (2)", f[4]);
	if (f[5] != ELFDATA2LSB)
		return error_set(err, "elf: EI_DATA %u is not little-endian (1)", f[5]);
	uint32_t version = (uint32_t)rd(f + E_VERSION, 4);
	if (f[6] != EV_CURRENT || version != EV_CURRENT)
		return error_set(err, "elf: EI_VERSION %u / e_version %u is not EV_CURRENT (1)",
		                 f[6], (unsigned)version);
	unsigned machine = (unsigned)rd(f + E_MACHINE, 2);
	if (machine != EM_X86_64)
		return error_set(err, "elf: e_machine %#x is not x86-64 (0x3e)", machine);
	unsigned type = (unsigned)rd(f + E_TYPE, 2);
	if (type != ET_EXEC && type != ET_DYN)
		return error_set(err, "elf: e_type %u is not ET_EXEC (2) or ET_DYN (3)", type);
	return 0;
}

/* Check one PT_LOAD program header (index i) on its own and fill *s. */
static int check_segment(const unsigned char *ph, unsigned i, size_t size, struct elf_segment *s,
                         struct error *err)
{
	s->flags = (uint32_t)rd(ph + P_FLAGS, 4);
	s->offset = rd(ph + P_OFFSET, 8);
	s->vaddr = rd(ph + P_VADDR, 8);
	s->filesz = rd(ph + P_FILESZ, 8);
	s->memsz = rd(ph + P_MEMSZ, 8);
	uint64_t align = rd(ph + P_ALIGN, 8);

	if (s->filesz > s->memsz)
		return error_set(err, "elf: segment %u p_filesz %#llx > p_memsz %#llx", i,
		                 X(s->filesz), X(s->memsz));
	if (s->offset > size || s->filesz > size - s->offset)
		return error_set(err,
		                 "elf: segment %u p_offset %#llx + p_filesz %#llx is outside the "
		                 "file (%#zx bytes)",
		                 i, X(s->offset), X(s->filesz), size);
	if (align & (align - 1))
		return error_set(err, "elf: segment %u p_align %#llx is not a power of two", i,
		                 X(align));
	/* gABI: p_vaddr == p_offset modulo the page size, so file pages map
	 * onto memory pages; our page tables rely on 4 KiB congruence. */
	if ((s->vaddr ^ s->offset) & (PAGE_SIZE - 1))
		return error_set(err,
		                 "elf: segment %u p_vaddr %#llx and p_offset %#llx differ modulo "
		                 "4096",
		                 i, X(s->vaddr), X(s->offset));
	/* The page-rounded end must not pass 2^64 either. */
	if (s->vaddr + s->memsz < s->vaddr || s->vaddr + s->memsz > 0 - (uint64_t)PAGE_SIZE)
		return error_set(err, "elf: segment %u p_vaddr %#llx + p_memsz %#llx wraps around",
		                 i, X(s->vaddr), X(s->memsz));
	uint64_t last = s->vaddr + s->memsz - 1;
	if (!(last < LOWER_HALF_END || s->vaddr >= UPPER_HALF_START))
		return error_set(err, "elf: segment %u [%#llx, %#llx) is not canonical", i,
		                 X(s->vaddr), X(last + 1));
	if (ranges_overlap(s->vaddr, s->memsz, TB_DIRECT_MAP_OFFSET,
	                   TB_DIRECT_MAP_END - TB_DIRECT_MAP_OFFSET))
		return error_set(err,
		                 "elf: segment %u [%#llx, %#llx) overlaps the direct map at %#llx",
		                 i, X(s->vaddr), X(last + 1), X(TB_DIRECT_MAP_OFFSET));
	if (ranges_overlap(s->vaddr, s->memsz, TB_STACK_TOP - TB_STACK_REGION, TB_STACK_REGION))
		return error_set(err,
		                 "elf: segment %u [%#llx, %#llx) overlaps the loader's stack "
		                 "region below %#llx",
		                 i, X(s->vaddr), X(last + 1), X(TB_STACK_TOP));
	return 0;
}

/* Collect the PT_LOAD segments into plan, sorted by vaddr (insertion sort:
 * there are at most ELF_MAX_SEGMENTS), remembering each one's header
 * index for messages. Empty segments (p_memsz 0) load nothing and are
 * skipped. */
static int collect_segments(const unsigned char *f, size_t size, uint64_t phoff, unsigned phnum,
                            struct elf_plan *plan, unsigned *index, struct error *err)
{
	plan->segment_count = 0;
	for (unsigned i = 0; i < phnum; i++) {
		const unsigned char *ph = f + phoff + (uint64_t)i * PHDR_SIZE;
		if (rd(ph + P_TYPE, 4) != PT_LOAD || rd(ph + P_MEMSZ, 8) == 0)
			continue;
		if (plan->segment_count == ELF_MAX_SEGMENTS)
			return error_set(err,
			                 "elf: more than %u PT_LOAD segments (program header %u)",
			                 ELF_MAX_SEGMENTS, i);
		struct elf_segment s;
		if (check_segment(ph, i, size, &s, err))
			return -1;
		unsigned k = plan->segment_count++;
		while (k > 0 && plan->segments[k - 1].vaddr > s.vaddr) {
			plan->segments[k] = plan->segments[k - 1];
			index[k] = index[k - 1];
			k--;
		}
		plan->segments[k] = s;
		index[k] = i;
	}
	if (plan->segment_count == 0)
		return error_set(err, "elf: no PT_LOAD segment among %u program headers", phnum);
	return 0;
}

int elf_check(const void *file, size_t size, uint64_t max_bytes, struct elf_plan *plan,
              struct error *err)
{
	return elf_check_head(file, size, size, max_bytes, plan, err);
}

int elf_check_head(const void *head, size_t avail, size_t file_size, uint64_t max_bytes,
                   struct elf_plan *plan, struct error *err)
{
	const unsigned char *f = head;
	/* Headers are read from the bytes at hand; segment data is only
	 * checked against the whole file's size, never read here. */
	size_t size = avail < file_size ? avail : file_size;
	if (check_ident(f, size, err))
		return -1;

	unsigned phentsize = (unsigned)rd(f + E_PHENTSIZE, 2);
	unsigned phnum = (unsigned)rd(f + E_PHNUM, 2);
	uint64_t phoff = rd(f + E_PHOFF, 8);
	if (phentsize != PHDR_SIZE)
		return error_set(err, "elf: e_phentsize %u is not 56", phentsize);
	/* phnum < 2^16, so the table size cannot overflow. */
	uint64_t phsize = (uint64_t)phnum * PHDR_SIZE;
	if (phoff > size || phsize > size - phoff)
		return error_set(
		    err,
		    "elf: program headers at e_phoff %#llx (%u x 56 bytes) are outside "
		    "the file (%#zx bytes)",
		    X(phoff), phnum, size);

	unsigned index[ELF_MAX_SEGMENTS];
	if (collect_segments(f, file_size, phoff, phnum, plan, index, err))
		return -1;

	/* Sorted, so overlaps can only be between neighbours. */
	for (unsigned k = 1; k < plan->segment_count; k++) {
		const struct elf_segment *a = &plan->segments[k - 1], *b = &plan->segments[k];
		if (a->vaddr + a->memsz > b->vaddr)
			return error_set(err,
			                 "elf: segments %u [%#llx, %#llx) and %u [%#llx, %#llx) "
			                 "overlap",
			                 index[k - 1], X(a->vaddr), X(a->vaddr + a->memsz),
			                 index[k], X(b->vaddr), X(b->vaddr + b->memsz));
	}

	plan->entry = rd(f + E_ENTRY, 8);
	int entry_ok = 0;
	for (unsigned k = 0; k < plan->segment_count; k++) {
		const struct elf_segment *s = &plan->segments[k];
		if ((s->flags & ELF_PF_X) && plan->entry >= s->vaddr &&
		    plan->entry - s->vaddr < s->memsz)
			entry_ok = 1;
	}
	if (!entry_ok)
		return error_set(err, "elf: entry %#llx is outside every executable segment",
		                 X(plan->entry));

	/* Past the ELF header, the program headers and each segment's file
	 * bytes (at p_offset even when there are none: check_segment wants
	 * that offset inside the file). */
	plan->file_used = phoff + phsize > EHDR_SIZE ? phoff + phsize : EHDR_SIZE;
	for (unsigned k = 0; k < plan->segment_count; k++) {
		const struct elf_segment *s = &plan->segments[k];
		if (s->offset + s->filesz > plan->file_used)
			plan->file_used = s->offset + s->filesz;
	}

	const struct elf_segment *last = &plan->segments[plan->segment_count - 1];
	plan->virt_base = ALIGN_DOWN(plan->segments[0].vaddr, (uint64_t)PAGE_SIZE);
	plan->virt_end = ALIGN_UP(last->vaddr + last->memsz, (uint64_t)PAGE_SIZE);
	/* elf_load addresses the block with size_t: in the 32-bit BIOS
	 * build that is a limit of its own. */
	uint64_t span = plan->virt_end - plan->virt_base;
	uint64_t limit = max_bytes && max_bytes < (uint64_t)SIZE_MAX ? max_bytes : SIZE_MAX;
	if (span > limit)
		return error_set(err, "elf: kernel needs %#llx bytes, only %#llx available",
		                 X(span), X(limit));
	return 0;
}

int elf_file_mirrors_memory(const struct elf_plan *plan, uint64_t *base_offset)
{
	int found = 0;
	for (unsigned k = 0; k < plan->segment_count; k++) {
		const struct elf_segment *s = &plan->segments[k];
		uint64_t rel = s->vaddr - plan->virt_base;
		if (!s->filesz)
			continue; /* pure BSS: nothing of it is in the file */
		if (s->offset < rel || (found && s->offset - rel != *base_offset))
			return 0;
		*base_offset = s->offset - rel;
		found = 1;
	}
	return found;
}

/* Segments are sorted and disjoint, so one pass zeroes each gap and BSS
 * and copies each segment's file bytes exactly once. A segment already
 * in place (the file read so that it mirrors memory) is not copied, and
 * since segments are disjoint, zeroing never touches another's bytes. */
void elf_load(const struct elf_plan *plan, const void *file, void *dest)
{
	const unsigned char *f = file;
	unsigned char *d = dest;
	size_t done = 0;
	for (unsigned k = 0; k < plan->segment_count; k++) {
		const struct elf_segment *s = &plan->segments[k];
		size_t at = (size_t)(s->vaddr - plan->virt_base);
		memset(d + done, 0, at - done);
		if (d + at != f + s->offset)
			memcpy(d + at, f + s->offset, (size_t)s->filesz);
		memset(d + at + s->filesz, 0, (size_t)(s->memsz - s->filesz));
		done = at + (size_t)s->memsz;
	}
	memset(d + done, 0, (size_t)(plan->virt_end - plan->virt_base) - done);
}
