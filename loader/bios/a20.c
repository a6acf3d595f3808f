/* loader/bios/a20.c - open the A20 gate, so that addresses at and above
 * 1 MiB reach memory instead of wrapping around to 0.
 *
 * Three ways, each verified before the next is tried, in the order Linux's
 * arch/x86/boot/a20.c uses: the BIOS (INT 15h AX=2401h), the "fast A20"
 * bit of port 0x92 (System Control Port A, bit 1), and the 8042 keyboard
 * controller's output port (command D1h, bit 1).
 */
#include <stdint.h>

#include "bios.h"

#define KBC_DATA 0x60
#define KBC_STATUS 0x64
#define KBC_INPUT_FULL 0x02

/* A word in our own memory and its alias 1 MiB up: with A20 closed a
 * write to the alias lands on the word itself. */
static volatile uint32_t a20_probe;

static int a20_is_open(void)
{
	volatile uint32_t *low = &a20_probe;
	volatile uint32_t *high = (volatile uint32_t *)((uintptr_t)low + 0x100000);
	uint32_t saved = *high;
	int open = 1;
	/* Twice with different values, in case the alias happened to hold
	 * the first one already. */
	for (uint32_t v = 0x1a2b3c4d; v != 0; v = v == 0x1a2b3c4d ? 0xd4c3b2a1 : 0) {
		*low = v;
		*high = ~v;
		if (*low != v)
			open = 0;
	}
	*high = saved;
	return open;
}

static void a20_bios(void)
{
	struct bios_regs r = {0};
	r.eax = 0x2401;
	bios_int(0x15, &r);
}

static void a20_port92(void)
{
	uint8_t v = inb(0x92);
	/* Bit 0 resets the machine: never write it as 1. */
	if (!(v & 0x02))
		outb(0x92, (uint8_t)((v | 0x02) & ~0x01));
}

/* Wait until the 8042 can take a byte; bounded, as there may be none. */
static int kbc_wait(void)
{
	for (unsigned spin = 0; spin < 100000; spin++)
		if (!(inb(KBC_STATUS) & KBC_INPUT_FULL))
			return 0;
	return -1;
}

static void a20_kbc(void)
{
	if (kbc_wait())
		return;
	outb(KBC_STATUS, 0xd1); /* write the output port */
	if (kbc_wait())
		return;
	outb(KBC_DATA, 0xdf); /* A20 on, no reset */
	kbc_wait();
}

int a20_enable(void)
{
	static void (*const ways[])(void) = {a20_bios, a20_port92, a20_kbc};
	if (a20_is_open())
		return 0;
	for (unsigned i = 0; i < sizeof(ways) / sizeof(ways[0]); i++) {
		ways[i]();
		/* The keyboard controller may take a while to act. */
		for (unsigned tries = 0; tries < 1000; tries++)
			if (a20_is_open())
				return 0;
	}
	return -1;
}
