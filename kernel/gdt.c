/* kernel/gdt.c - a flat 64-bit GDT and a TSS whose IST1 is a private stack
 * for the double-fault handler: when the kernel stack overflows into its
 * guard page, the #PF cannot push its frame, the CPU raises #DF, and that
 * one switches to IST1 instead of faulting a third time (which resets).
 * Intel SDM vol. 3A 3.4.5 "Segment Descriptors", 7.7 "Task Management in
 * 64-bit Mode" (the 64-bit TSS), 6.14.5 "Interrupt Stack Table". */
#include "gdt.h"

#include <stdint.h>

#include "lib.h"

/* The 64-bit TSS (SDM Figure 7-11); packed because rsp0 sits at offset 4. */
struct tss {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base;
} __attribute__((packed));
_Static_assert(sizeof(struct tss) == 104, "64-bit TSS is 104 bytes");

unsigned char gdt_df_stack[GDT_DF_STACK_SIZE] __attribute__((aligned(16)));
static struct tss tss;

/* Null, code 0x08 (L=1, P, DPL 0, type execute/read), data 0x10 (P,
 * read/write), then the 16-byte TSS descriptor at 0x18, filled at run time
 * because its base is the TSS's address. */
static uint64_t gdt[5] __attribute__((aligned(16))) = {
    0, 0x00209a0000000000ull, 0x0000920000000000ull, 0, 0,
};

struct __attribute__((packed)) gdt_pointer {
	uint16_t limit;
	uint64_t base;
};

static void tss_descriptor(uint64_t *d, uint64_t base, uint32_t limit)
{
	/* Type 9 = available 64-bit TSS, P = 1 (SDM Figure 7-4). */
	d[0] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (0x89ull << 40) |
	       ((uint64_t)((limit >> 16) & 0xf) << 48) | (((base >> 24) & 0xff) << 56);
	d[1] = base >> 32;
}

void gdt_init(void)
{
	memset(&tss, 0, sizeof(tss));
	/* The stack grows down: IST1 points past the array's end. */
	tss.ist[GDT_IST_DOUBLE_FAULT - 1] = (uint64_t)(uintptr_t)(gdt_df_stack + GDT_DF_STACK_SIZE);
	tss.iomap_base = sizeof(tss); /* no I/O permission bitmap */
	tss_descriptor(&gdt[3], (uint64_t)(uintptr_t)&tss, sizeof(tss) - 1);

	struct gdt_pointer p = {sizeof(gdt) - 1, (uint64_t)(uintptr_t)gdt};
	/* lgdt, then a far return to reload CS (a mov can't), then the data
	 * segments, then ltr. SDM vol. 3A 9.8.3 describes the same sequence
	 * when switching to a new GDT. */
	__asm__ volatile("lgdt %0\n\t"
	                 "pushq %1\n\t"
	                 "leaq 1f(%%rip), %%rax\n\t"
	                 "pushq %%rax\n\t"
	                 "lretq\n"
	                 "1:\n\t"
	                 "movw %2, %%ax\n\t"
	                 "movw %%ax, %%ds\n\t"
	                 "movw %%ax, %%es\n\t"
	                 "movw %%ax, %%ss\n\t"
	                 "xorl %%eax, %%eax\n\t"
	                 "movw %%ax, %%fs\n\t"
	                 "movw %%ax, %%gs\n\t"
	                 "movw %3, %%ax\n\t"
	                 "ltr %%ax"
	                 :
	                 : "m"(p), "i"(GDT_KERNEL_CODE), "i"(GDT_KERNEL_DATA), "i"(GDT_TSS)
	                 : "rax", "memory");
}
