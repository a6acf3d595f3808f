/* kernel/x86.h - the few privileged instructions the kernel uses, as
 * inline functions (Intel SDM vol. 2). Kernel-only: never included by the
 * host-built renderers. */
#ifndef KERNEL_X86_H
#define KERNEL_X86_H

#include <stdint.h>

#include "portio.h"

#define MSR_EFER 0xc0000080u
#define EFER_NXE (1ull << 11)

static inline uint64_t read_cr0(void)
{
	uint64_t v;
	__asm__ volatile("mov %%cr0, %0" : "=r"(v));
	return v;
}

static inline uint64_t read_cr2(void)
{
	uint64_t v;
	__asm__ volatile("mov %%cr2, %0" : "=r"(v));
	return v;
}

static inline uint64_t read_cr3(void)
{
	uint64_t v;
	__asm__ volatile("mov %%cr3, %0" : "=r"(v));
	return v;
}

static inline uint64_t read_cr4(void)
{
	uint64_t v;
	__asm__ volatile("mov %%cr4, %0" : "=r"(v));
	return v;
}

static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;
	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((uint64_t)hi << 32) | lo;
}

/* Stop for good: with interrupts off, only an NMI or SMI wakes hlt, and
 * the loop puts the CPU back to sleep after one. */
static inline __attribute__((noreturn)) void halt_forever(void)
{
	for (;;)
		__asm__ volatile("cli; hlt");
}

#endif
