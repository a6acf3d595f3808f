/* common/pit.c - measure the TSC against the 8254 PIT (see pit.h).
 *
 * Channel 2 is the one whose gate and output software can see (port 0x61
 * bits 0 and 5), so it needs no interrupt. It runs in mode 0 from 0xffff;
 * the read-back command latches its status and count together, so one
 * read tells how many ticks have passed and whether the window is still
 * ours (same mode, not yet run out). Started at the loader's entry, the
 * window covers the loader's own work, so the calibration costs no wait
 * of its own unless the loader is done in under 2 ms, or the window ran
 * out (55 ms) before the loader took a sample of it.
 */
#include "pit.h"

#include "cpu.h"
#include "portio.h"

#define PIT_CH2 0x42
#define PIT_MODE 0x43
#define PORT_B 0x61
/* Read-back: latch status and count (bits 5, 4 clear) of channel 2. */
#define PIT_READBACK_CH2 0xc8
#define PIT_STATUS_OUT 0x80   /* output high: the count ran out */
#define PIT_STATUS_NULL 0x40  /* count written but not loaded yet */
#define PIT_STATUS_SETUP 0x3f /* access, mode, BCD bits ... */
#define PIT_STATUS_OURS 0x30  /* ... as pit_start() set them: lo/hi, mode 0 */
/* Far more reads than 55 ms of PIT can take on any CPU. */
#define PIT_SPINS_MAX 100000000u
/* Ticks (838 ns each) the count may have run between its load and the
 * TSC read that marks the start: the port accesses in between take a few
 * microseconds under QEMU. 0.5 % of the loaders' shortest window. */
#define PIT_START_SLACK_TICKS 12u
#define PIT_START_TRIES 100u

/* Channel 2's status and count as latched by PIT_READBACK_CH2. */
static uint8_t read_latched(uint32_t *count)
{
	uint8_t status = inb(PIT_CH2);
	*count = inb(PIT_CH2);
	*count |= (uint32_t)inb(PIT_CH2) << 8;
	return status;
}

uint64_t pit_start(void)
{
	/* Gate 2 on (bit 0), speaker off (bit 1). */
	outb(PORT_B, (uint8_t)((inb(PORT_B) & ~0x02) | 0x01));
	uint64_t tsc = 0;
	for (unsigned tries = 0; tries < PIT_START_TRIES; tries++) {
		/* Channel 2, low then high byte, mode 0 (output goes high at 0). */
		outb(PIT_MODE, 0xb0);
		outb(PIT_CH2, 0xff);
		outb(PIT_CH2, 0xff);
		tsc = rdtsc();
		/* The count must still be (nearly) whole when read back right
		 * after the TSC: a pause between loading it and reading the
		 * TSC (the host descheduling QEMU, or SMM) would otherwise
		 * count PIT ticks the TSC never saw, and a 10 ms pause there
		 * made a 2.6 GHz TSC measure as 15 MHz. Then start again. */
		uint32_t count;
		outb(PIT_MODE, PIT_READBACK_CH2);
		uint8_t status = read_latched(&count);
		if ((status & PIT_STATUS_NULL) || 0xffffu - count <= PIT_START_SLACK_TICKS)
			return tsc;
	}
	return tsc;
}

/* The rate between tsc_start and now: 0 when the window is gone, or,
 * unless wait, while fewer than min_ticks have passed. */
static uint64_t measure(uint64_t tsc_start, uint32_t min_ticks, int wait)
{
	for (uint32_t spins = 0; spins < PIT_SPINS_MAX; spins++) {
		/* The latch is bracketed by two TSC reads: a port access can
		 * stall (under QEMU it waits for the emulator's lock, on real
		 * machines for SMM), and a stall between a lone TSC read and the
		 * latch would count PIT ticks the TSC never saw. A sample whose
		 * bracket is over 0.2 % of the window is retried. */
		uint64_t before = rdtsc();
		outb(PIT_MODE, PIT_READBACK_CH2);
		uint64_t after = rdtsc();
		uint32_t count;
		uint8_t status = read_latched(&count);
		if ((status & PIT_STATUS_OUT) || (status & PIT_STATUS_SETUP) != PIT_STATUS_OURS)
			return 0;
		if (status & PIT_STATUS_NULL)
			continue;
		uint32_t ticks = 0xffffu - count;
		if (ticks < min_ticks && !wait)
			return 0;
		uint64_t now = before + (after - before) / 2;
		if (ticks >= min_ticks && (after - before) * 500 < after - tsc_start)
			return (now - tsc_start) * PIT_HZ / ticks;
	}
	return 0;
}

uint64_t pit_tsc_frequency(uint64_t tsc_start, uint32_t min_ticks)
{
	return measure(tsc_start, min_ticks, 1);
}

/* pit_open_window()'s TSC (0: not opened), and the rate last measured
 * over the window. */
static uint64_t window_tsc, window_hz;

void pit_open_window(void)
{
	window_tsc = pit_start();
}

uint64_t pit_calibrate_tsc(int wait)
{
	uint64_t hz = window_tsc ? measure(window_tsc, PIT_LOADER_MIN_TICKS, wait) : 0;
	if (hz) {
		window_hz = hz;
	} else if (wait && !window_hz) {
		/* Gone before anyone measured it, or never opened: a fresh
		 * one, which later calls measure over. */
		window_tsc = pit_start();
		window_hz = measure(window_tsc, PIT_LOADER_MIN_TICKS, 1);
	}
	return window_hz;
}
