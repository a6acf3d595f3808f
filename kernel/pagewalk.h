/* kernel/pagewalk.h - look a virtual address up in the live page tables
 * (CR3), the way the MMU would, to check what the loader mapped. */
#ifndef KERNEL_PAGEWALK_H
#define KERNEL_PAGEWALK_H

#include <stdint.h>

struct pagewalk {
	int present;   /* every level present */
	int writable;  /* R/W set at every level */
	int nx;        /* XD set at some level */
	uint64_t phys; /* the physical address virt translates to */
	uint64_t page; /* the size of the page that maps it: 4 KiB, 2 MiB or 1 GiB */
};

/* Walk CR3's 4-level tables for virt, reading them through the direct map
 * at direct_map_offset. Returns w->present. */
int pagewalk(uint64_t direct_map_offset, uint64_t virt, struct pagewalk *w);

#endif
