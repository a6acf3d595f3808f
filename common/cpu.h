/* common/cpu.h - CPUID and the TSC, the same in the 32-bit BIOS stage, the
 * UEFI loader, the kernel and host tests. Intel SDM vol. 2A "CPUID". */
#ifndef TWINBOOT_CPU_H
#define TWINBOOT_CPU_H

#include <stdint.h>

struct cpuid_regs {
	uint32_t eax, ebx, ecx, edx;
};

static inline struct cpuid_regs cpuid(uint32_t leaf, uint32_t subleaf)
{
	struct cpuid_regs r;
	__asm__ volatile("cpuid"
	                 : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx)
	                 : "a"(leaf), "c"(subleaf));
	return r;
}

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

/* How long the loaders' disk drivers (ata_dma.c, ahci_disk.c,
 * loader/bios/virtio_disk.c) wait for a device, in TSC ticks: a disk
 * answers within a second, and a 16 MiB command takes milliseconds; 8e9
 * ticks is two seconds even at 4 GHz and generous on slower CPUs. */
#define DEVICE_TIMEOUT_TICKS 8000000000ull

struct cpu_features {
	int long_mode; /* CPUID 80000001h EDX bit 29 */
	int pae;       /* CPUID 1 EDX bit 6 */
	int nx;        /* CPUID 80000001h EDX bit 20 */
	int huge_1g;   /* CPUID 80000001h EDX bit 26 */
	int tsc;       /* CPUID 1 EDX bit 4 */
};

static inline struct cpu_features cpu_features(void)
{
	struct cpu_features f = {0};
	struct cpuid_regs r = cpuid(0, 0);
	if (r.eax >= 1) {
		r = cpuid(1, 0);
		f.pae = (r.edx >> 6) & 1;
		f.tsc = (r.edx >> 4) & 1;
	}
	r = cpuid(0x80000000u, 0);
	if (r.eax >= 0x80000001u) {
		r = cpuid(0x80000001u, 0);
		f.long_mode = (r.edx >> 29) & 1;
		f.nx = (r.edx >> 20) & 1;
		f.huge_1g = (r.edx >> 26) & 1;
	}
	return f;
}

/* TSC ticks per second from CPUID leaf 15h (crystal ratio) or 16h (base
 * MHz); 0 when the CPU doesn't say, and the platform calibrates instead. */
uint64_t cpu_tsc_frequency_cpuid(void);

#endif
