/* kernel/fb.c - the framebuffer text renderer. Pixels are packed little
 * endian, bpp/8 bytes each, and each channel sits where the boot info's
 * size/shift pair says (UEFI 2.10 12.9 EFI_PIXEL_BITMASK, VBE 3.0
 * ModeInfoBlock RedMaskSize/RedFieldPosition), so BGRX, RGBX, 24-bit and
 * 5:6:5 modes all take the same path. Host-built for tests/unit/test_fb.c:
 * no ports, no globals beyond the constant palette. */
#include "fb.h"

#include "color.h"
#include "font.h"
#include "lib.h"

const uint32_t fb_palette_rgb[16] = {
    0x000000, 0x0000aa, 0x00aa00, 0x00aaaa, 0xaa0000, 0xaa00aa, 0xaa5500, 0xaaaaaa,
    0x555555, 0x5555ff, 0x55ff55, 0x55ffff, 0xff5555, 0xff55ff, 0xffff55, 0xffffff,
};

/* An 8-bit channel value scaled to `size` bits, mapping 0xff to the
 * channel's maximum and 0 to 0: narrower channels (5:6:5) keep its top
 * bits, wider ones (GOP's 10:10:10 modes, UEFI 2.10 12.9) repeat it below
 * itself, as 0xab becomes 0x2ae in 10 bits. */
static uint32_t channel(uint32_t v8, uint8_t size, uint8_t shift)
{
	if (!size)
		return 0;
	if (size <= 8)
		return (v8 >> (8 - size)) << shift;
	/* Up to 16 bits (channel_ok): the top `size` bits of v8 twice over. */
	return ((v8 << 8 | v8) >> (16 - size)) << shift;
}

uint32_t fb_pixel(const struct fb_surface *s, uint32_t rgb)
{
	return channel((rgb >> 16) & 0xff, s->red_size, s->red_shift) |
	       channel((rgb >> 8) & 0xff, s->green_size, s->green_shift) |
	       channel(rgb & 0xff, s->blue_size, s->blue_shift);
}

/* Channels up to 16 bits, inside the pixel: what fb_pixel can build in
 * 32 bits. */
static int channel_ok(uint8_t size, uint8_t shift, uint16_t bpp)
{
	return size <= 16 && shift + size <= bpp;
}

int fb_init(struct fb_console *c, const struct fb_surface *s)
{
	if (s->bpp != 16 && s->bpp != 24 && s->bpp != 32)
		return -1;
	if (!channel_ok(s->red_size, s->red_shift, s->bpp) ||
	    !channel_ok(s->green_size, s->green_shift, s->bpp) ||
	    !channel_ok(s->blue_size, s->blue_shift, s->bpp))
		return -1;
	if (s->width < FONT_WIDTH || s->height < FONT_HEIGHT ||
	    s->pitch < (uint64_t)s->width * (s->bpp / 8))
		return -1;
	c->s = *s;
	c->cols = s->width / FONT_WIDTH;
	c->rows = s->height / FONT_HEIGHT;
	c->col = 0;
	c->row = 0;
	for (unsigned i = 0; i < 16; i++)
		c->palette[i] = fb_pixel(s, fb_palette_rgb[i]);
	fb_set_color(c, COLOR_LIGHT_GREY, COLOR_BLACK);
	return 0;
}

void fb_set_color(struct fb_console *c, uint8_t fg, uint8_t bg)
{
	c->fg = c->palette[fg & 0xf];
	c->bg = c->palette[bg & 0xf];
}

/* Store one pixel value at p. 32 bpp takes one aligned store when it can
 * (the common case, and 4x fewer stores under emulation); the others go
 * byte by byte, which is right for any alignment and pitch. */
static void put(uint8_t *p, uint16_t bpp, uint32_t px)
{
	if (bpp == 32 && !((uintptr_t)p & 3)) {
		*(volatile uint32_t *)p = px;
		return;
	}
	p[0] = (uint8_t)px;
	p[1] = (uint8_t)(px >> 8);
	if (bpp >= 24)
		p[2] = (uint8_t)(px >> 16);
	if (bpp == 32)
		p[3] = (uint8_t)(px >> 24);
}

/* Fill pixel rows [y0, y1) across the full width with px. */
static void fill_rows(const struct fb_surface *s, uint32_t y0, uint32_t y1, uint32_t px)
{
	unsigned bytes = s->bpp / 8;
	for (uint32_t y = y0; y < y1; y++) {
		uint8_t *row = s->base + (size_t)y * s->pitch;
		if (!px) {
			memset(row, 0, (size_t)s->width * bytes);
			continue;
		}
		for (uint32_t x = 0; x < s->width; x++)
			put(row + (size_t)x * bytes, s->bpp, px);
	}
}

void fb_clear(struct fb_console *c)
{
	fill_rows(&c->s, 0, c->s.height, c->bg);
	c->col = 0;
	c->row = 0;
}

static void draw_glyph(struct fb_console *c, unsigned col, unsigned row, unsigned char ch)
{
	const uint8_t *g = font_glyph(ch);
	unsigned bytes = c->s.bpp / 8;
	uint8_t *p =
	    c->s.base + (size_t)row * FONT_HEIGHT * c->s.pitch + (size_t)col * FONT_WIDTH * bytes;
	for (unsigned y = 0; y < FONT_HEIGHT; y++, p += c->s.pitch)
		for (unsigned x = 0; x < FONT_WIDTH; x++)
			put(p + x * bytes, c->s.bpp, (g[y] & (0x80 >> x)) ? c->fg : c->bg);
}

/* Move every text row up by one and blank the last; the pixel rows below
 * the last full text row (height % 16) are left alone. */
static void scroll(struct fb_console *c)
{
	size_t line = (size_t)FONT_HEIGHT * c->s.pitch;
	memmove(c->s.base, c->s.base + line, (c->rows - 1) * line);
	fill_rows(&c->s, (c->rows - 1) * FONT_HEIGHT, c->rows * FONT_HEIGHT, c->bg);
	c->row = c->rows - 1;
}

static void newline(struct fb_console *c)
{
	c->col = 0;
	if (c->row >= c->rows)
		scroll(c); /* a newline already pending: make its room now */
	c->row++;          /* may become c->rows: the scroll waits for the next cell */
}

/* Put a visible cell (character or blank) at the cursor and advance. */
static void emit(struct fb_console *c, unsigned char ch)
{
	if (c->row >= c->rows)
		scroll(c);
	draw_glyph(c, c->col, c->row, ch);
	if (++c->col >= c->cols)
		newline(c);
}

void fb_putc(struct fb_console *c, char ch)
{
	unsigned char u = (unsigned char)ch;
	switch (u) {
	case '\n':
		newline(c);
		return;
	case '\r':
		c->col = 0;
		return;
	case '\t':
		do
			emit(c, ' ');
		while (c->col % FB_TAB_WIDTH);
		return;
	case '\b':
		if (c->col > 0 && c->row < c->rows) {
			c->col--;
			draw_glyph(c, c->col, c->row, ' ');
		}
		return;
	}
	emit(c, u);
}

void fb_write(struct fb_console *c, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		fb_putc(c, s[i]);
}
