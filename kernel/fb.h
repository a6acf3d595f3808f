/* kernel/fb.h - text rendering into a linear framebuffer with the 8x16
 * font: 16, 24 or 32 bits per pixel, any channel masks, any pitch.
 *
 * Pure like vga.c: it writes only the pixels of the surface it is given
 * and keeps its state in the struct, so host unit tests render into
 * malloc'ed memory. */
#ifndef KERNEL_FB_H
#define KERNEL_FB_H

#include <stddef.h>
#include <stdint.h>

#define FB_TAB_WIDTH 8

/* A framebuffer as tb_console describes one. */
struct fb_surface {
	uint8_t *base;          /* pixel (0, 0) */
	uint32_t width, height; /* pixels */
	uint32_t pitch;         /* bytes from one row to the next */
	uint16_t bpp;           /* 16, 24 or 32 */
	uint8_t red_size, red_shift;
	uint8_t green_size, green_shift;
	uint8_t blue_size, blue_shift;
};

struct fb_console {
	struct fb_surface s;
	unsigned cols, rows;  /* text cells that fit */
	unsigned col, row;    /* next cell; row == rows means "scroll first" */
	uint32_t fg, bg;      /* pixel values of the current colours */
	uint32_t palette[16]; /* pixel values of the 16 console colours */
};

/* The console colours as 0xRRGGBB, VGA's default palette. */
extern const uint32_t fb_palette_rgb[16];

/* The pixel value of 0xRRGGBB in s's format, each channel scaled to its
 * size (fb.c's channel()). */
uint32_t fb_pixel(const struct fb_surface *s, uint32_t rgb);

/* Take over a surface: 0, or -1 when its format is not one we draw
 * (bpp other than 16/24/32, a channel wider than 16 bits or outside the
 * pixel, a pitch smaller than a row, smaller than one 8x16 cell). */
int fb_init(struct fb_console *c, const struct fb_surface *s);
void fb_set_color(struct fb_console *c, uint8_t fg, uint8_t bg);
/* Fill the whole surface with the background colour, home the cursor. */
void fb_clear(struct fb_console *c);
/* One character, with vga_putc's control characters. Scrolling is lazy:
 * a newline on the last line only marks it, the scroll (one memmove of
 * the whole screen, slow under emulation) happens at the next character. */
void fb_putc(struct fb_console *c, char ch);
void fb_write(struct fb_console *c, const char *s, size_t n);

#endif
