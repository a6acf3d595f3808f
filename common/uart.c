/* common/uart.c - COM1 by polling (uart.h). 16550 registers from 0x3f8:
 * THR +0, IER +1, IIR/FCR +2, LCR +3, MCR +4, LSR +5, scratch +7.
 */
#include "uart.h"
#include "portio.h"

#define COM1 0x3f8
#define LCR_8N1 0x03
#define LCR_DLAB 0x80
#define LSR_THR_EMPTY 0x20
#define IIR_FIFOS_ON 0xc0 /* both bits: a 16550A with its FIFOs enabled */
#define FIFO_BYTES 16

static int present;
/* Bytes the UART takes each time its transmitter is empty: 16 with the
 * FIFO on, so that one status read (a port access each, slow on any bus
 * and in an emulator) serves 16 bytes, not one; and how many of those are
 * still free since the last wait. */
static unsigned burst, room;

int uart_init(int keep_8n1)
{
	/* No UART answers with 0xff; the scratch register of a present one
	 * holds what we write. */
	outb(COM1 + 7, 0x5a);
	present = inb(COM1 + 7) == 0x5a;
	if (!present)
		return 0;
	if (!keep_8n1 || (inb(COM1 + 3) & 0x7f) != LCR_8N1) {
		outb(COM1 + 1, 0x00);     /* no interrupts */
		outb(COM1 + 3, LCR_DLAB); /* the next two are the divisor */
		outb(COM1 + 0, 0x01);     /* 115200 / 1 */
		outb(COM1 + 1, 0x00);
		outb(COM1 + 3, LCR_8N1);
		outb(COM1 + 2, 0xc7); /* FIFOs on and cleared */
		outb(COM1 + 4, 0x03); /* DTR and RTS */
	}
	/* An 8250 or 16450 has no FIFO: one byte per wait there. */
	burst = (inb(COM1 + 2) & IIR_FIFOS_ON) == IIR_FIFOS_ON ? FIFO_BYTES : 1;
	room = 0;
	return 1;
}

static void put_byte(uint8_t c)
{
	/* Bounded: a wedged UART must not hang the boot. */
	if (!room) {
		for (unsigned spin = 0; spin < 100000 && !(inb(COM1 + 5) & LSR_THR_EMPTY); spin++)
			;
		room = burst;
	}
	outb(COM1, c);
	room--;
}

void uart_write(const char *text, size_t len)
{
	if (!present)
		return;
	for (size_t i = 0; i < len; i++) {
		if (text[i] == '\n')
			put_byte('\r');
		put_byte((uint8_t)text[i]);
	}
}
