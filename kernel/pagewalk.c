/* kernel/pagewalk.c - a software walk of 4-level paging: PML4, PDPT, PD,
 * PT, with 1 GiB and 2 MiB pages ending it early (PS bit). Permissions
 * combine across levels as the MMU combines them: writable only if every
 * level allows it, no-execute if any level forbids it. Intel SDM vol. 3A
 * 4.5 "4-Level Paging", Table 4-14 to 4-20, 4.6 "Access Rights". */
#include "pagewalk.h"

#include "x86.h"

#define PTE_P (1ull << 0)
#define PTE_RW (1ull << 1)
#define PTE_PS (1ull << 7)
#define PTE_NX (1ull << 63)
#define PTE_ADDR 0x000ffffffffff000ull /* bits 12-51 */

int pagewalk(uint64_t direct_map_offset, uint64_t virt, struct pagewalk *w)
{
	uint64_t table = read_cr3() & PTE_ADDR;
	w->present = 0;
	w->writable = 1;
	w->nx = 0;
	w->phys = 0;
	w->page = 0;
	/* Level 4 indexes with bits 47-39, then 38-30, 29-21, 20-12. */
	for (int level = 4; level >= 1; level--) {
		unsigned shift = 12 + 9 * (level - 1);
		unsigned index = (virt >> shift) & 0x1ff;
		uint64_t e = ((volatile uint64_t *)(uintptr_t)(direct_map_offset + table))[index];
		if (!(e & PTE_P))
			return 0;
		w->writable &= !!(e & PTE_RW);
		w->nx |= !!(e & PTE_NX);
		/* PS means a 1 GiB page in a PDPT entry and 2 MiB in a PD entry;
		 * in a PML4 entry it is reserved, and a PT entry has no PS. */
		if (level == 1 || ((level == 2 || level == 3) && (e & PTE_PS))) {
			uint64_t size = 1ull << shift;
			w->page = size;
			w->phys = (e & PTE_ADDR & ~(size - 1)) | (virt & (size - 1));
			w->present = 1;
			return 1;
		}
		table = e & PTE_ADDR;
	}
	return 0;
}
