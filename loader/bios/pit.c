/* loader/bios/pit.c - measure the TSC against the 8254 PIT, for CPUs that
 * don't state their TSC rate in CPUID.
 *
 * Channel 2 is the one whose gate and output software can see (port 0x61
 * bits 0 and 5), so it needs no interrupt: program it in mode 0 with a
 * count for ~5 ms and count TSC ticks until its output goes high, as
 * Linux's pit_calibrate_tsc() does.
 */
#include <stdint.h>

#include "bios.h"
#include "cpu.h"

#define PIT_HZ 1193182u
#define PIT_COUNT 5966u /* 5 ms: 0.02 % at the PIT's 838 ns resolution */
#define PIT_CH2 0x42
#define PIT_MODE 0x43
#define PORT_B 0x61

uint64_t pit_tsc_frequency(void)
{
	/* Gate 2 on (bit 0), speaker off (bit 1). */
	outb(PORT_B, (uint8_t)((inb(PORT_B) & ~0x02) | 0x01));
	/* Channel 2, low then high byte, mode 0 (out goes high at 0). */
	outb(PIT_MODE, 0xb0);
	outb(PIT_CH2, PIT_COUNT & 0xff);
	outb(PIT_CH2, PIT_COUNT >> 8);

	uint64_t start = rdtsc();
	uint32_t spins = 0;
	while (!(inb(PORT_B) & 0x20))
		if (++spins > 100000000u)
			return 0; /* no PIT answering */
	uint64_t ticks = rdtsc() - start;
	return ticks * PIT_HZ / PIT_COUNT;
}
