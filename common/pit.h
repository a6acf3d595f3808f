/* common/pit.h - the 8254 PIT's channel 2 as a stopwatch for the TSC, on
 * machines that have one (every PC with a BIOS; QEMU's pc and q35). Used
 * by both loaders, which calibrate the TSC for the boot info's timestamps,
 * and by the kernel's conformance check of that rate. */
#ifndef TWINBOOT_PIT_H
#define TWINBOOT_PIT_H

#include <stdint.h>

#define PIT_HZ 1193182u
/* 5 ms: 0.02 % at the PIT's 838 ns resolution. */
#define PIT_MIN_TICKS 5966u
/* The loaders' window (pit_calibrate_tsc): 2 ms, 0.04 % at that resolution,
 * so that a loader that is done sooner waits for the PIT as little as it
 * can (under QEMU, a UEFI boot takes about 5 ms in all). */
#define PIT_LOADER_MIN_TICKS 2386u

/* Start channel 2 counting down from 0xffff (about 55 ms) and return the
 * TSC at that moment. */
uint64_t pit_start(void);

/* TSC ticks per second between tsc_start (from pit_start()) and now,
 * waiting until at least min_ticks PIT ticks have passed. 0 when the
 * window is no good: it ran out (more than 55 ms ago), someone else
 * reprogrammed channel 2, or no PIT answers. */
uint64_t pit_tsc_frequency(uint64_t tsc_start, uint32_t min_ticks);

/* The loaders' calibration. A loader opens the window at its entry (only
 * on a CPU with a TSC) and takes samples of it as it goes, each over a
 * longer span than the one before, so more precise:
 * - pit_calibrate_tsc(0) never waits: the rate over the window so far once
 *   it has run 2 ms, else the last rate measured (0 if none yet);
 * - pit_calibrate_tsc(1) waits for a rate if need be: for a young window
 *   to reach 2 ms, or, when the window ran out before any sample (or was
 *   never opened), for a fresh one.
 * 0 when there is no PIT. */
void pit_open_window(void);
uint64_t pit_calibrate_tsc(int wait);

#endif
