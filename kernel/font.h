/* kernel/font.h - the 8x16 bitmap font the framebuffer console draws with.
 * Row r of glyph c is font8x16[c][r]; bit 7 is the leftmost pixel. */
#ifndef KERNEL_FONT_H
#define KERNEL_FONT_H

#include <stdint.h>

#define FONT_WIDTH 8
#define FONT_HEIGHT 16

extern const uint8_t font8x16[256][16];

/* The 16 rows of code point c (ISO 8859-1; control characters are blank). */
const uint8_t *font_glyph(unsigned char c);

#endif
