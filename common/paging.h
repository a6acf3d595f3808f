/* common/paging.h - build x86-64 4-level page tables.
 *
 * Tables come from a frame allocator callback; the builder picks the
 * largest page that fits each piece of a range (1 GiB where the CPU has
 * them and it is allowed, 2 MiB, else 4 KiB) and splits a large page when a
 * later, finer mapping needs it. Spec: Intel SDM vol. 3A ch. 4.5
 * ("4-Level Paging"), table 4-14 to 4-20 for the entry bits.
 */
#ifndef TWINBOOT_PAGING_H
#define TWINBOOT_PAGING_H

#include <stdint.h>

#include "error.h"

/* paging_map() flags */
#define PAGING_WRITE 1u /* writable; else read-only (CR0.WP makes it hold for ring 0) */
#define PAGING_EXEC 2u  /* executable; else NX when paging.nx is set */

struct paging {
	uint64_t pml4; /* physical address of the top table, set by paging_init */
	int nx;        /* the CPU has NX (EFER.NXE will be set): use bit 63 */
	int huge_1g;   /* the CPU has 1 GiB pages (CPUID 80000001h EDX bit 26) */
	/* Returns the physical address of a 4 KiB frame, or 0; paging.c
	 * writes all of it, so it need not be zeroed. */
	uint64_t (*alloc_frame)(void *ctx);
	void *ctx;
	uint64_t frames_used; /* frames taken so far, for the log and tests */
};

int paging_init(struct paging *pg, struct error *err);

/* Map [virt, virt + size) to [phys, phys + size) with `flags`. All three
 * must be 4 KiB aligned; virt must be canonical. An existing mapping in the
 * range is replaced. */
int paging_map(struct paging *pg, uint64_t virt, uint64_t phys, uint64_t size, uint32_t flags,
               struct error *err);

/* Remove the 4 KiB page at virt (the stack guard). */
int paging_unmap_page(struct paging *pg, uint64_t virt, struct error *err);

/* Walk the tables: returns 1 and sets *phys (the physical address virt
 * translates to, page offset included) and *flags (PAGING_* of the leaf)
 * when virt is mapped, 0 when not. Tests and the conformance checks use it. */
int paging_lookup(const struct paging *pg, uint64_t virt, uint64_t *phys, uint32_t *flags);

/* Frames paging_map() may need for a range of `size` bytes, worst case:
 * with large_pages, virt and phys are 2 MiB aligned alike so only the
 * ends need 4 KiB tables; without, every 2 MiB needs one. The loaders
 * reserve this many up front. */
uint64_t paging_frames_needed(uint64_t size, int large_pages);

#endif
