/* common/paging.c - build x86-64 4-level page tables.
 *
 * Intel SDM vol. 3A 4.5 ("4-Level Paging"): a PML4 entry points to a
 * PDPT, whose entries map 1 GiB pages (PS) or point to a page directory,
 * whose entries map 2 MiB pages (PS) or point to a page table of 4 KiB
 * pages. Permissions live on the leaves; the entries above them are
 * writable and executable so that they never narrow what a leaf says.
 */
#include "paging.h"
#include "lib.h"
#include "platform.h"

#define PTE_P (1ull << 0)
#define PTE_RW (1ull << 1)
#define PTE_PS (1ull << 7)
#define PTE_NX (1ull << 63)
#define PTE_ADDR 0x000ffffffffff000ull

#define SIZE_4K 0x1000ull
#define SIZE_2M 0x200000ull
#define SIZE_1G 0x40000000ull

static uint64_t *table_at(uint64_t phys)
{
	return phys_ptr(phys & PTE_ADDR);
}

static unsigned index_of(uint64_t virt, unsigned level)
{
	/* level 4 = PML4 (bits 39-47) ... level 1 = PT (bits 12-20) */
	return (unsigned)(virt >> (12 + 9 * (level - 1))) & 511;
}

static uint64_t leaf_bits(const struct paging *pg, uint32_t flags)
{
	uint64_t bits = PTE_P;
	if (flags & PAGING_WRITE)
		bits |= PTE_RW;
	if (pg->nx && !(flags & PAGING_EXEC))
		bits |= PTE_NX;
	return bits;
}

static uint64_t alloc_table(struct paging *pg, struct error *err)
{
	uint64_t frame = pg->alloc_frame(pg->ctx);
	if (!frame) {
		error_set(err, "paging: out of memory for page tables after %llu frames",
		          (unsigned long long)pg->frames_used);
		return 0;
	}
	pg->frames_used++;
	return frame;
}

/* The table an entry at `level` (2 = PD entry, 3 = PDPT entry, 4 = PML4
 * entry) points to, created if absent. A large page there is split into
 * a table of the next smaller pages with the same mapping and bits, so a
 * finer mapping can replace part of it. */
static uint64_t *next_table(struct paging *pg, uint64_t *entry, unsigned level, struct error *err)
{
	if ((*entry & PTE_P) && !(*entry & PTE_PS))
		return table_at(*entry);
	uint64_t frame = alloc_table(pg, err);
	if (!frame)
		return NULL;
	uint64_t *table = table_at(frame);
	if (*entry & PTE_P) {
		uint64_t step = level == 3 ? SIZE_2M : SIZE_4K;
		uint64_t base = *entry & PTE_ADDR & ~(level == 3 ? SIZE_1G - 1 : SIZE_2M - 1);
		uint64_t bits = *entry & (PTE_P | PTE_RW | PTE_NX);
		for (unsigned i = 0; i < 512; i++)
			table[i] = (base + i * step) | bits | (level == 3 ? PTE_PS : 0);
	} else {
		memset(table, 0, PAGE_SIZE);
	}
	*entry = frame | PTE_P | PTE_RW;
	return table;
}

int paging_init(struct paging *pg, struct error *err)
{
	pg->frames_used = 0;
	pg->pml4 = alloc_table(pg, err);
	if (!pg->pml4)
		return -1;
	memset(table_at(pg->pml4), 0, PAGE_SIZE);
	return 0;
}

/* Leaves of `step` bytes from table[i] on, for as much of the range as
 * this table covers: one walk from the PML4 per table, not per page (a
 * 4 GiB direct map is 2048 pages of 2 MiB, a 64 MiB kernel 16384 of
 * 4 KiB). Stops at the table's end, where a larger page may fit again. */
static void fill_run(uint64_t *table, unsigned i, uint64_t step, uint64_t bits, uint64_t *virt,
                     uint64_t *phys, uint64_t *size)
{
	do {
		table[i++] = *phys | bits;
		*virt += step;
		*phys += step;
		*size -= step;
	} while (i < 512 && *size >= step);
}

static int is_canonical(uint64_t virt)
{
	uint64_t top = virt >> 47;
	return top == 0 || top == 0x1ffff;
}

int paging_map(struct paging *pg, uint64_t virt, uint64_t phys, uint64_t size, uint32_t flags,
               struct error *err)
{
	if ((virt | phys | size) & (SIZE_4K - 1))
		return error_set(err, "paging: unaligned mapping 0x%llx -> 0x%llx (0x%llx bytes)",
		                 (unsigned long long)virt, (unsigned long long)phys,
		                 (unsigned long long)size);
	/* Both ends canonical and in the same half: a range must neither wrap
	 * past 2^64 nor cross the non-canonical hole (SDM vol. 1 3.3.7.1). */
	uint64_t last = virt + size - 1;
	if (!is_canonical(virt) ||
	    (size && (last < virt || !is_canonical(last) || (last >> 47) != (virt >> 47))))
		return error_set(err, "paging: 0x%llx (0x%llx bytes) is not canonical",
		                 (unsigned long long)virt, (unsigned long long)size);
	uint64_t bits = leaf_bits(pg, flags);
	while (size) {
		uint64_t *pdpt = next_table(pg, &table_at(pg->pml4)[index_of(virt, 4)], 4, err);
		if (!pdpt)
			return -1;
		uint64_t *pdpte = &pdpt[index_of(virt, 3)];
		if (pg->huge_1g && !((virt | phys) & (SIZE_1G - 1)) && size >= SIZE_1G) {
			*pdpte = phys | bits | PTE_PS;
			virt += SIZE_1G;
			phys += SIZE_1G;
			size -= SIZE_1G;
			continue;
		}
		uint64_t *pd = next_table(pg, pdpte, 3, err);
		if (!pd)
			return -1;
		if (!((virt | phys) & (SIZE_2M - 1)) && size >= SIZE_2M) {
			fill_run(pd, index_of(virt, 2), SIZE_2M, bits | PTE_PS, &virt, &phys,
			         &size);
			continue;
		}
		uint64_t *pt = next_table(pg, &pd[index_of(virt, 2)], 2, err);
		if (!pt)
			return -1;
		fill_run(pt, index_of(virt, 1), SIZE_4K, bits, &virt, &phys, &size);
	}
	return 0;
}

int paging_unmap_page(struct paging *pg, uint64_t virt, struct error *err)
{
	uint64_t *entry = &table_at(pg->pml4)[index_of(virt, 4)];
	for (unsigned level = 4; level > 1; level--) {
		if (!(*entry & PTE_P))
			return 0; /* not mapped: nothing to do */
		uint64_t *table = next_table(pg, entry, level, err);
		if (!table)
			return -1;
		entry = &table[index_of(virt, level - 1)];
	}
	*entry = 0;
	return 0;
}

int paging_lookup(const struct paging *pg, uint64_t virt, uint64_t *phys, uint32_t *flags)
{
	uint64_t entry = table_at(pg->pml4)[index_of(virt, 4)];
	for (unsigned level = 3; level >= 1; level--) {
		if (!(entry & PTE_P))
			return 0;
		entry = table_at(entry)[index_of(virt, level)];
		if (!(entry & PTE_P))
			return 0;
		uint64_t page = level == 3 ? SIZE_1G : level == 2 ? SIZE_2M : SIZE_4K;
		if (level == 1 || (entry & PTE_PS)) {
			*phys = (entry & PTE_ADDR & ~(page - 1)) + (virt & (page - 1));
			*flags = ((entry & PTE_RW) ? PAGING_WRITE : 0) |
			         ((entry & PTE_NX) && pg->nx ? 0 : PAGING_EXEC);
			return 1;
		}
	}
	return 0;
}

uint64_t paging_frames_needed(uint64_t size, int large_pages)
{
	/* A range may straddle one extra table at each end of every level. */
	uint64_t pdpts = size / (512 * SIZE_1G) + 2;
	uint64_t pds = size / SIZE_1G + 2;
	uint64_t pts = large_pages ? 2 : size / SIZE_2M + 2;
	return pdpts + pds + pts;
}
