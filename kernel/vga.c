/* kernel/vga.c - the VGA text-mode renderer: cells, colours, scrolling and
 * the control characters \n \r \t \b. Each cell is the character in the low
 * byte and the attribute in the high byte (IBM VGA Technical Reference,
 * "Alphanumeric Modes"). Host-built for tests/unit/test_vga.c: no ports,
 * no globals. */
#include "vga.h"

#include "color.h"

static uint16_t cell(const struct vga_text *v, unsigned char c)
{
	return (uint16_t)(c | (v->attr << 8));
}

void vga_init(struct vga_text *v, volatile uint16_t *cells, unsigned width, unsigned height)
{
	v->cells = cells;
	v->width = width;
	v->height = height;
	v->col = 0;
	v->row = 0;
	v->attr = COLOR_ATTR(COLOR_LIGHT_GREY, COLOR_BLACK);
}

void vga_set_color(struct vga_text *v, uint8_t fg, uint8_t bg)
{
	v->attr = COLOR_ATTR(fg, bg);
}

static void blank_row(struct vga_text *v, unsigned row)
{
	volatile uint16_t *p = v->cells + (size_t)row * v->width;
	for (unsigned i = 0; i < v->width; i++)
		p[i] = cell(v, ' ');
}

void vga_clear(struct vga_text *v)
{
	for (unsigned r = 0; r < v->height; r++)
		blank_row(v, r);
	v->col = 0;
	v->row = 0;
}

/* Cells are copied one at a time through the volatile pointer: the buffer
 * is device memory on real hardware, and 4000 bytes cost nothing. */
static void scroll(struct vga_text *v)
{
	size_t n = (size_t)(v->height - 1) * v->width;
	for (size_t i = 0; i < n; i++)
		v->cells[i] = v->cells[i + v->width];
	blank_row(v, v->height - 1);
}

static void newline(struct vga_text *v)
{
	v->col = 0;
	if (v->row + 1 < v->height)
		v->row++;
	else
		scroll(v);
}

void vga_putc(struct vga_text *v, char ch)
{
	unsigned char c = (unsigned char)ch;
	if (!v->width || !v->height)
		return;
	switch (c) {
	case '\n':
		newline(v);
		return;
	case '\r':
		v->col = 0;
		return;
	case '\t': {
		/* Blank up to the next stop so a tab over old text clears it. */
		unsigned stop = (v->col / VGA_TAB_WIDTH + 1) * VGA_TAB_WIDTH;
		while (v->col < stop && v->col < v->width)
			v->cells[(size_t)v->row * v->width + v->col++] = cell(v, ' ');
		if (v->col >= v->width)
			newline(v);
		return;
	}
	case '\b':
		if (v->col > 0) {
			v->col--;
			v->cells[(size_t)v->row * v->width + v->col] = cell(v, ' ');
		}
		return;
	}
	v->cells[(size_t)v->row * v->width + v->col] = cell(v, c);
	if (++v->col >= v->width)
		newline(v);
}

void vga_write(struct vga_text *v, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		vga_putc(v, s[i]);
}
