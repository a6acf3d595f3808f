/* kernel/check_tsc.c - the conformance check of the boot info's TSC rate:
 * measured again here against the PIT (common/pit.h) over 10 ms, it must
 * agree within 5 %, so the loader's timestamps read in true milliseconds.
 * The tolerance is wide next to the PIT's 0.01 % because under TCG the
 * host may pause the guest between our reads; a wrong calibration (a
 * window miscounted, units mixed up) is off by far more. */
#include <stdint.h>

#include "checks.h"
#include "fmt.h"
#include "pit.h"

#define CHECK_TICKS 11932u /* 10 ms of PIT */
#define TOLERANCE_PERCENT 5

int check_tsc(const struct tb_bootinfo *bi, char *why, size_t n)
{
	uint64_t said = bi->tsc_frequency;
	uint64_t seen = pit_tsc_frequency(pit_start(), CHECK_TICKS);
	if (!seen)
		return fmt_snprintf(why, n, "no PIT channel 2 to measure against"), 0;
	if (!said)
		return fmt_snprintf(why, n, "tsc_frequency 0 (unknown), the PIT says %llu Hz",
		                    (unsigned long long)seen),
		       0;
	uint64_t diff = said > seen ? said - seen : seen - said;
	if (diff * 100 > seen * TOLERANCE_PERCENT)
		return fmt_snprintf(why, n, "tsc_frequency %llu Hz, the PIT says %llu Hz",
		                    (unsigned long long)said, (unsigned long long)seen),
		       0;
	return fmt_snprintf(why, n, "%llu Hz, the PIT says %llu Hz", (unsigned long long)said,
	                    (unsigned long long)seen),
	       1;
}
