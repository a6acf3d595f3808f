/* kernel/vga.h - text rendering into a VGA text-mode buffer: cells of
 * (character, attribute) 16-bit words, row after row.
 *
 * Pure: it writes only the cells it is given and keeps its state in the
 * struct, so host unit tests render into malloc'ed memory. Moving the
 * hardware cursor (CRTC ports) is console.c's job, from col/row. */
#ifndef KERNEL_VGA_H
#define KERNEL_VGA_H

#include <stddef.h>
#include <stdint.h>

#define VGA_TAB_WIDTH 8

struct vga_text {
	volatile uint16_t *cells; /* cell (col, row) is cells[row * width + col] */
	unsigned width, height;   /* in cells, 80x25 in the BIOS's mode 3 */
	unsigned col, row;        /* where the next character goes */
	uint8_t attr;             /* attribute of new characters and blanks */
};

/* Take over a buffer of width x height cells; the cursor starts at (0, 0)
 * in light grey on black. Nothing is drawn until vga_clear or vga_putc. */
void vga_init(struct vga_text *v, volatile uint16_t *cells, unsigned width, unsigned height);
void vga_set_color(struct vga_text *v, uint8_t fg, uint8_t bg);
/* Blank every cell in the current colour and home the cursor. */
void vga_clear(struct vga_text *v);
/* One character: '\n' goes to the start of the next line, '\r' to the
 * start of this one, '\t' to the next multiple of VGA_TAB_WIDTH, '\b'
 * moves back one cell in the line and blanks it. The last line full or
 * a newline on it scrolls everything up by one line. */
void vga_putc(struct vga_text *v, char c);
void vga_write(struct vga_text *v, const char *s, size_t n);

#endif
