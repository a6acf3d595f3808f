/* kernel/check_mmu.c - conformance checks of what the loader mapped and of
 * the memory behind it, read from the live page tables (pagewalk.c) and by
 * touching memory: the kernel's sections with their promised permissions,
 * the direct and identity maps, the stack and its guard page, and usable
 * RAM that keeps what is written to it (docs/ABI.md "Paging"). */
#include "checks.h"

#include "fmt.h"
#include "layout.h"
#include "lib.h"
#include "pagewalk.h"
#include "x86.h"

#define FAIL(...) (fmt_snprintf(why, n, __VA_ARGS__), 0)
#define X(v) ((unsigned long long)(v))
#define CR0_WP (1ull << 16)
#define GIB (1ull << 30)
#define MIB2 (2ull << 20)

extern char __text_start[], __text_end[], __rodata_start[], __rodata_end[];
extern char __data_start[], __data_end[];

/* Every page of [start, end) must be present, translate to where the boot
 * info says the kernel lies, and be writable/no-execute exactly as asked. */
static int section(const struct tb_bootinfo *bi, const char *name, const char *start,
                   const char *end, int writable, int nx, char *why, size_t n)
{
	uint64_t va = ALIGN_DOWN((uint64_t)(uintptr_t)start, PAGE_SIZE);
	for (; va < (uint64_t)(uintptr_t)end; va += PAGE_SIZE) {
		struct pagewalk w;
		uint64_t want = bi->kernel_phys_base + (va - bi->kernel_virt_base);
		if (!pagewalk(bi->direct_map_offset, va, &w))
			return FAIL("%s page 0x%llx not present", name, X(va));
		if (w.phys != want)
			return FAIL("%s page 0x%llx maps 0x%llx, expected 0x%llx", name, X(va),
			            X(w.phys), X(want));
		if (w.writable != writable)
			return FAIL("%s page 0x%llx is %s", name, X(va),
			            w.writable ? "writable" : "read-only");
		if (w.nx != nx)
			return FAIL("%s page 0x%llx is %s", name, X(va),
			            w.nx ? "no-execute" : "executable");
	}
	return 1;
}

int check_sections(const struct tb_bootinfo *bi, char *why, size_t n)
{
	/* Without NXE the XD bit is reserved, so nothing can be no-execute. */
	int nxe = !!(rdmsr(MSR_EFER) & EFER_NXE);
	if (!(read_cr0() & CR0_WP))
		return FAIL("CR0.WP is clear: ring 0 could write read-only pages");
	if (!section(bi, ".text", __text_start, __text_end, 0, 0, why, n) ||
	    !section(bi, ".rodata", __rodata_start, __rodata_end, 0, nxe, why, n) ||
	    !section(bi, ".data/.bss", __data_start, __data_end, 1, nxe, why, n))
		return 0;
	return fmt_snprintf(why, n, "NX %s", nxe ? "on" : "off: CPU lacks it"), 1;
}

/* phys must be mapped at direct_map_offset + phys and, below 4 GiB, at
 * phys itself; if `read`, a few words read through both must agree (never
 * read where devices may sit: a read can have side effects there). */
static int same_memory(const struct tb_bootinfo *bi, const char *what, uint64_t phys, int read,
                       char *why, size_t n)
{
	struct pagewalk d, id;
	uint64_t dva = bi->direct_map_offset + phys;
	if (!pagewalk(bi->direct_map_offset, dva, &d) || d.phys != phys)
		return FAIL("%s 0x%llx: direct map at 0x%llx %s", what, X(phys), X(dva),
		            d.present ? "translates elsewhere" : "not present");
	if (phys >= TB_IDENTITY_MAP_END)
		return 1;
	if (!pagewalk(bi->direct_map_offset, phys, &id) || id.phys != phys)
		return FAIL("%s 0x%llx: identity map %s", what, X(phys),
		            id.present ? "translates elsewhere" : "not present");
	if (!read)
		return 1;
	const volatile uint64_t *a = (const volatile uint64_t *)(uintptr_t)dva;
	const volatile uint64_t *b = (const volatile uint64_t *)(uintptr_t)phys;
	for (int i = 0; i < 8; i++)
		if (a[i] != b[i])
			return FAIL("%s 0x%llx: word %d reads 0x%llx direct, 0x%llx identity", what,
			            X(phys), i, X(a[i]), X(b[i]));
	return 1;
}

int check_maps(const struct tb_bootinfo *bi, char *why, size_t n)
{
	uint64_t top = 0, first_usable = 0;
	if (bi->direct_map_offset != TB_DIRECT_MAP_OFFSET)
		return FAIL("direct_map_offset 0x%llx, expected 0x%llx", X(bi->direct_map_offset),
		            X(TB_DIRECT_MAP_OFFSET));
	for (uint32_t i = 0; i < bi->mem_map_entries; i++) {
		const struct tb_mem_range *r = check_entry(bi, i);
		if (r->type == TB_MEM_USABLE && !first_usable && r->base >= 0x100000)
			first_usable = r->base;
		if (r->type == TB_MEM_USABLE && r->base + r->length > top)
			top = r->base + r->length;
	}
	uint64_t bi_phys = (uint64_t)(uintptr_t)bi - bi->direct_map_offset;
	if (!same_memory(bi, "boot info", ALIGN_DOWN(bi_phys, 64), 1, why, n) ||
	    !same_memory(bi, "memory map", ALIGN_DOWN(bi->mem_map, 64), 1, why, n) ||
	    !same_memory(bi, "kernel", bi->kernel_phys_base, 1, why, n) ||
	    (top && !same_memory(bi, "top of RAM", ALIGN_DOWN(top - 1, 64), 1, why, n)) ||
	    (first_usable && !same_memory(bi, "usable page", first_usable, 1, why, n)) ||
	    !same_memory(bi, "last page below 4 GiB", TB_IDENTITY_MAP_END - PAGE_SIZE, 0, why, n))
		return 0;

	/* A write through one map must show through the other at once. */
	if (first_usable && first_usable < TB_IDENTITY_MAP_END) {
		volatile uint64_t *a = check_phys(bi, first_usable);
		volatile uint64_t *b = (volatile uint64_t *)(uintptr_t)first_usable;
		uint64_t old = *a;
		*a = 0x7477696e626f6f74ull;
		uint64_t seen = *b;
		*a = old;
		if (seen != 0x7477696e626f6f74ull)
			return FAIL(
			    "write at 0x%llx through the direct map reads back 0x%llx through "
			    "the identity map",
			    X(first_usable), X(seen));
	}
	return fmt_snprintf(why, n, "RAM up to 0x%llx", X(top)), 1;
}

int check_stack(const struct tb_bootinfo *bi, char *why, size_t n)
{
	struct pagewalk w;
	uint64_t guard = bi->stack_base - PAGE_SIZE;
	uint64_t rsp = (uint64_t)(uintptr_t)__builtin_frame_address(0);
	if (bi->stack_size < 0x10000 || (bi->stack_base & (PAGE_SIZE - 1)))
		return FAIL("stack [0x%llx, +0x%llx): not 64 KiB at a page boundary",
		            X(bi->stack_base), X(bi->stack_size));
	if (rsp < bi->stack_base || rsp >= bi->stack_base + bi->stack_size)
		return FAIL("running on 0x%llx, outside the stack [0x%llx, +0x%llx)", X(rsp),
		            X(bi->stack_base), X(bi->stack_size));
	for (uint64_t va = bi->stack_base; va < bi->stack_base + bi->stack_size; va += PAGE_SIZE)
		if (!pagewalk(bi->direct_map_offset, va, &w) || !w.writable)
			return FAIL("stack page 0x%llx %s", X(va),
			            w.present ? "is read-only" : "is not present");
	if (pagewalk(bi->direct_map_offset, guard, &w))
		return FAIL("guard page 0x%llx is mapped (to 0x%llx)", X(guard), X(w.phys));
	return fmt_snprintf(why, n, "guard page 0x%llx unmapped", X(guard)), 1;
}

/* Write two patterns derived from the address to the first and last word
 * of the page, read them back, and restore what was there. A pattern that
 * names its own address also catches two pages aliasing one another. */
static int page_ok(const struct tb_bootinfo *bi, uint64_t phys)
{
	volatile uint64_t *p = check_phys(bi, phys);
	int ok = 1;
	for (unsigned i = 0; i < PAGE_SIZE / 8; i += PAGE_SIZE / 8 - 1) {
		uint64_t old = p[i];
		uint64_t pat = (phys + i * 8) ^ 0x5a5aa5a5c3c33c3cull;
		p[i] = pat;
		ok &= p[i] == pat;
		p[i] = ~pat;
		ok &= p[i] == ~pat;
		p[i] = old;
	}
	return ok;
}

int check_memory(const struct tb_bootinfo *bi, char *why, size_t n)
{
	uint64_t pages = 0;
	for (uint32_t i = 0; i < bi->mem_map_entries; i++) {
		const struct tb_mem_range *r = check_entry(bi, i);
		if (r->type != TB_MEM_USABLE)
			continue;
		/* Every page below 1 GiB, then the first page of each 2 MiB above
		 * it, so a big guest doesn't make the host back all its memory. */
		for (uint64_t p = r->base; p < r->base + r->length;) {
			if (!page_ok(bi, p))
				return FAIL("page 0x%llx does not keep what is written to it",
				            X(p));
			pages++;
			p = p + PAGE_SIZE < GIB ? p + PAGE_SIZE : ALIGN_UP(p + PAGE_SIZE, MIB2);
		}
	}
	return fmt_snprintf(why, n, "%llu pages written and read back", X(pages)), 1;
}
