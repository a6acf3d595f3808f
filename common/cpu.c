/* common/cpu.c - the TSC frequency as the CPU states it.
 *
 * Intel SDM vol. 2A, CPUID leaf 15h: TSC = crystal * EBX / EAX; leaf 16h:
 * the base frequency in MHz, which is the TSC rate on CPUs with an
 * invariant TSC. Neither exists under QEMU's default CPU models; the
 * platforms then calibrate against a timer they trust.
 */
#include "cpu.h"

static uint64_t from_leaves(void)
{
	uint32_t max_leaf = cpuid(0, 0).eax;
	if (max_leaf >= 0x15) {
		struct cpuid_regs r = cpuid(0x15, 0);
		/* ECX (crystal Hz) is 0 on some CPUs that do report the ratio:
		 * fall through to leaf 16h rather than guess the crystal. */
		if (r.eax && r.ebx && r.ecx)
			return (uint64_t)r.ecx * r.ebx / r.eax;
	}
	if (max_leaf >= 0x16) {
		uint32_t mhz = cpuid(0x16, 0).eax & 0xffff;
		if (mhz)
			return (uint64_t)mhz * 1000000u;
	}
	return 0;
}

uint64_t cpu_tsc_frequency_cpuid(void)
{
	/* Asked once: under a hypervisor each CPUID is an exit, and the
	 * loaders ask at every sample of their calibration. */
	static uint64_t hz = UINT64_MAX;
	if (hz == UINT64_MAX)
		hz = from_leaves();
	return hz;
}
