/* common/address_space.c - build the kernel's page tables.
 *
 * The stack and the frames for the tables come from pages the caller
 * allocated up front (address_space_pages(), sized by
 * paging_frames_needed() for every range we map), so the UEFI map gets one
 * LOADER region instead of a descriptor per table. Layout: common/layout.h.
 */
#include "address_space.h"
#include "layout.h"
#include "lib.h"
#include "log.h"
#include "paging.h"
#include "platform.h"

#define FOUR_GIB 0x100000000ull

struct frame_pool {
	uint64_t next, end;
};

/* A frame for a table, as it is: paging.c fills every new table whole
 * (zeroes, or the entries of the large page it splits). */
static uint64_t pool_alloc(void *ctx)
{
	struct frame_pool *pool = ctx;
	if (pool->next < pool->end) {
		uint64_t frame = pool->next;
		pool->next += PAGE_SIZE;
		return frame;
	}
	/* The estimate is a worst case, so this is a safety net only. */
	return platform_alloc_pages(1, TB_MEM_LOADER, FOUR_GIB);
}

static void map_or_die(struct paging *pg, uint64_t virt, uint64_t phys, uint64_t size,
                       uint32_t flags, const char *what)
{
	struct error err = {{0}};
	if (paging_map(pg, virt, phys, size, flags, &err))
		log_fatal("paging: mapping the %s failed: %s", what, err.msg);
}

static uint32_t segment_flags(uint32_t elf_flags)
{
	return ((elf_flags & ELF_PF_W) ? PAGING_WRITE : 0) |
	       ((elf_flags & ELF_PF_X) ? PAGING_EXEC : 0);
}

/* Segments are sorted and never overlap, but two may share a page (the
 * end of .text and the start of .rodata in a tightly linked kernel): that
 * page gets the union of both permissions. */
static void map_kernel(struct paging *pg, const struct boot_facts *facts)
{
	const struct elf_plan *plan = &facts->plan;
	uint64_t prev_end = 0;
	uint32_t prev_flags = 0;
	for (unsigned i = 0; i < plan->segment_count; i++) {
		const struct elf_segment *s = &plan->segments[i];
		uint64_t start = ALIGN_DOWN(s->vaddr, PAGE_SIZE);
		uint64_t end = ALIGN_UP(s->vaddr + s->memsz, PAGE_SIZE);
		uint32_t flags = segment_flags(s->flags);
		if (start < prev_end) {
			map_or_die(pg, start, facts->kernel_phys + (start - plan->virt_base),
			           PAGE_SIZE, flags | prev_flags, "kernel");
			start += PAGE_SIZE;
		}
		if (start < end)
			map_or_die(pg, start, facts->kernel_phys + (start - plan->virt_base),
			           end - start, flags, "kernel");
		prev_end = end;
		prev_flags = flags;
	}
}

/* What the mappings cover: RAM and at least the 4 GiB below, where
 * firmware tables and MMIO live, rounded to 1 GiB so that the direct map
 * needs no 4 KiB tables; and the framebuffer where it lies above that. */
struct extent {
	uint64_t top, fb_base, fb_size;
	int fb_outside;
};

static struct extent extent_of(const struct boot_facts *facts)
{
	struct extent x;
	const struct tb_console *con = &facts->console;
	x.top = platform_memory_top();
	if (x.top < FOUR_GIB)
		x.top = FOUR_GIB;
	x.top = ALIGN_UP(x.top, 0x40000000ull);
	x.fb_size = ALIGN_UP((uint64_t)con->pitch * con->height, PAGE_SIZE);
	x.fb_base = ALIGN_DOWN(con->address, PAGE_SIZE);
	x.fb_outside = con->type == TB_CONSOLE_FRAMEBUFFER && x.fb_base + x.fb_size > x.top;
	return x;
}

/* The most table frames the mappings of `x` can take. */
static uint64_t table_frames(const struct boot_facts *facts, const struct extent *x)
{
	uint64_t kernel_span = facts->plan.virt_end - facts->plan.virt_base;
	/* The kernel's segments sit at 4 KiB-aligned frames under 2 MiB-
	 * aligned addresses, so they need 4 KiB tables throughout. */
	return paging_frames_needed(x->top, 1) + paging_frames_needed(FOUR_GIB, 1) +
	       paging_frames_needed(kernel_span, 0) + paging_frames_needed(TB_STACK_SIZE, 0) +
	       (x->fb_outside ? paging_frames_needed(x->fb_size, 1) : 0) + 1;
}

uint64_t address_space_pages(const struct boot_facts *facts)
{
	struct extent x = extent_of(facts);
	return TB_STACK_SIZE / PAGE_SIZE + table_frames(facts, &x);
}

uint64_t address_space_build(const struct boot_facts *facts, uint64_t pages, int nx, int huge_1g)
{
	struct extent x = extent_of(facts);
	/* [stack][tables], as address_space_pages() counted them */
	uint64_t stack = pages;
	*(uint64_t *)phys_ptr(stack + TB_STACK_SIZE - 8) = 0;
	struct frame_pool pool = {stack + TB_STACK_SIZE,
	                          stack + TB_STACK_SIZE + table_frames(facts, &x) * PAGE_SIZE};

	struct paging pg = {0};
	pg.nx = nx;
	pg.huge_1g = huge_1g;
	pg.alloc_frame = pool_alloc;
	pg.ctx = &pool;
	struct error err = {{0}};
	if (paging_init(&pg, &err))
		log_fatal_error(&err);

	/* Identity map executable: the loader's own code runs from it
	 * while it switches to these tables. */
	map_or_die(&pg, 0, 0, FOUR_GIB, PAGING_WRITE | PAGING_EXEC, "identity map");
	map_or_die(&pg, TB_DIRECT_MAP_OFFSET, 0, x.top, PAGING_WRITE, "direct map");
	if (x.fb_outside)
		map_or_die(&pg, TB_DIRECT_MAP_OFFSET + x.fb_base, x.fb_base, x.fb_size,
		           PAGING_WRITE, "framebuffer");
	map_kernel(&pg, facts);
	/* The guard page below the stack is simply never mapped. */
	map_or_die(&pg, TB_STACK_TOP - TB_STACK_SIZE, stack, TB_STACK_SIZE, PAGING_WRITE, "stack");
	log_verbose("paging: %llu table frames, direct map of %llu MiB, NX %s, 1 GiB pages %s",
	            (unsigned long long)pg.frames_used, (unsigned long long)(x.top >> 20),
	            nx ? "on" : "off", huge_1g ? "on" : "off");
	return pg.pml4;
}
