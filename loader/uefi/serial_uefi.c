/* loader/uefi/serial_uefi.c - COM1 by port I/O, for the messages printed
 * after ExitBootServices, when ConOut (and OVMF's mirror of it on the
 * serial port) is gone. 16550 registers: base 0x3f8, IIR +2, LCR +3, LSR +5.
 */
#include "log.h"
#include "portio.h"
#include "uefi.h"

#define COM1 0x3f8
#define LCR_8N1 0x03
#define LCR_DLAB 0x80
#define LSR_THR_EMPTY 0x20
#define IIR_FIFOS_ON 0xc0 /* both bits: a 16550A with its FIFOs enabled */
#define FIFO_BYTES 16

/* Bytes the UART takes each time its transmitter is empty: 16 with the
 * FIFO on, so that one status read (a port access each, slow on any bus
 * and in an emulator) serves 16 bytes, not one; and how many of those are
 * still free since the last wait. */
static unsigned burst = 1, room;

/* The firmware normally leaves COM1 at 115200 8N1 with its FIFOs on (OVMF
 * does). If it left the line in another format, or never set it up,
 * program 115200 8N1 ourselves: divisor 1 of the 115200 Hz base clock. */
static void serial_init(void)
{
	if ((inb(COM1 + 3) & 0x7f) != LCR_8N1) {
		outb(COM1 + 1, 0x00);     /* no interrupts */
		outb(COM1 + 3, LCR_DLAB); /* divisor latch */
		outb(COM1 + 0, 0x01);
		outb(COM1 + 1, 0x00);
		outb(COM1 + 3, LCR_8N1);
		outb(COM1 + 2, 0xc7); /* FIFOs on and cleared */
		outb(COM1 + 4, 0x03); /* DTR, RTS */
	}
	/* An 8250 or 16450 has no FIFO: one byte per wait there. */
	if ((inb(COM1 + 2) & IIR_FIFOS_ON) == IIR_FIFOS_ON)
		burst = FIFO_BYTES;
}

static void put_byte(uint8_t c)
{
	/* Wait for an empty transmitter, but not forever: a machine without
	 * a UART must not hang here (an absent port reads 0xff, which looks
	 * empty anyway). */
	if (!room) {
		for (int spin = 0; spin < 100000 && !(inb(COM1 + 5) & LSR_THR_EMPTY); spin++)
			;
		room = burst;
	}
	outb(COM1, c);
	room--;
}

void uefi_serial_write(const char *text, size_t len)
{
	static int ready;
	if (!log_serial_enabled)
		return;
	if (!ready) {
		serial_init();
		ready = 1;
	}
	for (size_t i = 0; i < len; i++) {
		if (text[i] == '\n')
			put_byte('\r');
		put_byte((uint8_t)text[i]);
	}
}
