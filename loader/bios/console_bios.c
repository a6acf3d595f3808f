/* loader/bios/console_bios.c - the loader's output before the kernel: the
 * VGA text screen at 0xb8000 and the first serial port.
 *
 * Writes go straight to video memory (no INT 10h: this runs in protected
 * mode and must keep working when the BIOS is out of reach), continuing
 * below what the BIOS printed, scrolling at the bottom. COM1 (common/
 * uart.c) is set to 115200 8N1 whatever the BIOS left.
 */
#include <stdint.h>

#include "bios.h"
#include "log.h"
#include "lib.h"
#include "uart.h"

#define VGA_TEXT ((volatile uint16_t *)bios_ptr(0xb8000))
#define VGA_COLS 80u
#define VGA_ROWS 25u
#define VGA_ATTR 0x0700u /* light grey on black */
#define CRTC_INDEX 0x3d4
#define CRTC_DATA 0x3d5
#define BDA_CURSOR ((volatile uint8_t *)bios_ptr(0x450)) /* page 0: column, row */

static unsigned row, col;
static int vga_on;

/* Move the blinking cursor and the BIOS's idea of it to (row, col). */
static void vga_sync_cursor(void)
{
	uint16_t pos = (uint16_t)(row * VGA_COLS + col);
	outb(CRTC_INDEX, 0x0f);
	outb(CRTC_DATA, (uint8_t)pos);
	outb(CRTC_INDEX, 0x0e);
	outb(CRTC_DATA, (uint8_t)(pos >> 8));
	BDA_CURSOR[0] = (uint8_t)col;
	BDA_CURSOR[1] = (uint8_t)row;
}

static void vga_newline(void)
{
	col = 0;
	if (++row < VGA_ROWS)
		return;
	row = VGA_ROWS - 1;
	memmove((void *)VGA_TEXT, (const void *)(VGA_TEXT + VGA_COLS),
	        (VGA_ROWS - 1) * VGA_COLS * 2);
	for (unsigned i = 0; i < VGA_COLS; i++)
		VGA_TEXT[(VGA_ROWS - 1) * VGA_COLS + i] = VGA_ATTR | ' ';
}

static void vga_putc(char c)
{
	if (c == '\n') {
		vga_newline();
	} else if (c == '\r') {
		col = 0;
	} else {
		VGA_TEXT[row * VGA_COLS + col] = (uint16_t)(VGA_ATTR | (uint8_t)c);
		if (++col == VGA_COLS)
			vga_newline();
	}
}

void console_init(void)
{
	uart_init(0); /* without a UART, uart_write does nothing */
	/* Carry on where the BIOS left its cursor, so its messages stay. */
	col = BDA_CURSOR[0];
	row = BDA_CURSOR[1];
	if (col >= VGA_COLS || row >= VGA_ROWS)
		row = col = 0;
	if (col)
		vga_newline();
	vga_on = 1;
}

void console_write(const char *text, uint32_t len)
{
	if (vga_on) {
		for (uint32_t i = 0; i < len; i++)
			vga_putc(text[i]);
		vga_sync_cursor();
	}
	if (log_serial_enabled)
		uart_write(text, len);
}

void console_serial_only(void)
{
	vga_on = 0;
}
