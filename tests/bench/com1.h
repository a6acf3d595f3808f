/* tests/bench/com1.h - how the bench programs (kernel.c, rawread_efi.c)
 * write their lines: COM1 by port I/O, with no UART set-up, which QEMU's
 * needs none of, so nothing runs before the line that is timed. */
#ifndef TWINBOOT_BENCH_COM1_H
#define TWINBOOT_BENCH_COM1_H

#include <stdint.h>

#include "../../common/portio.h"

static inline void puts_com1(const char *s)
{
	for (; *s; s++)
		outb(0x3f8, (uint8_t)*s);
}

static inline void puthex_com1(uint64_t v)
{
	for (int shift = 60; shift >= 0; shift -= 4)
		outb(0x3f8, (uint8_t) "0123456789abcdef"[(v >> shift) & 15]);
}

#endif
