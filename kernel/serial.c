/* kernel/serial.c - the 16550 UART on COM1 (I/O port 0x3f8), polled.
 * Register map and the loopback self-test: National Semiconductor PC16550D
 * datasheet, "Registers" and "Modem Control Register" (bit 4, LOOP). */
#include "serial.h"

#include "x86.h"

#define COM1 0x3f8
#define REG_DATA 0 /* DLAB=0: transmit/receive; DLAB=1: divisor low byte */
#define REG_IER 1  /* DLAB=0: interrupt enable; DLAB=1: divisor high byte */
#define REG_FCR 2
#define REG_LCR 3
#define REG_MCR 4
#define REG_LSR 5
#define LCR_DLAB 0x80
#define LCR_8N1 0x03
#define LSR_THR_EMPTY 0x20
#define MCR_LOOPBACK 0x10
#define MCR_DTR_RTS_OUT2 0x0b
#define TEST_BYTE 0xae

static int present;

int serial_init(void)
{
	outb(COM1 + REG_IER, 0x00);     /* polled: no interrupts */
	outb(COM1 + REG_LCR, LCR_DLAB); /* divisor 1: 115200 baud from 1.8432 MHz / 16 */
	outb(COM1 + REG_DATA, 0x01);
	outb(COM1 + REG_IER, 0x00);
	outb(COM1 + REG_LCR, LCR_8N1);
	outb(COM1 + REG_FCR, 0xc7); /* enable and clear FIFOs, 14-byte threshold */

	/* In loopback mode what we send comes straight back. A port with no
	 * UART behind it reads 0xff, so the byte must differ from that. */
	outb(COM1 + REG_MCR, MCR_LOOPBACK | MCR_DTR_RTS_OUT2);
	outb(COM1 + REG_DATA, TEST_BYTE);
	present = 0;
	for (int i = 0; i < 1000 && !present; i++)
		present = (inb(COM1 + REG_LSR) & 1) && inb(COM1 + REG_DATA) == TEST_BYTE;
	outb(COM1 + REG_MCR, MCR_DTR_RTS_OUT2);
	return present;
}

static void put(char c)
{
	/* Bounded wait: a wedged UART must not hang the kernel. */
	for (int i = 0; i < 100000; i++)
		if (inb(COM1 + REG_LSR) & LSR_THR_EMPTY)
			break;
	outb(COM1 + REG_DATA, (uint8_t)c);
}

void serial_write(const char *s, size_t n)
{
	if (!present)
		return;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\n')
			put('\r');
		put(s[i]);
	}
}
