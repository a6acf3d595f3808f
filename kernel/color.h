/* kernel/color.h - the 16 colours every console understands: the VGA text
 * mode attribute colours (IBM VGA Technical Reference, "Attribute
 * Controller"), used as indexes into fb.c's RGB palette too. */
#ifndef KERNEL_COLOR_H
#define KERNEL_COLOR_H

enum {
	COLOR_BLACK,
	COLOR_BLUE,
	COLOR_GREEN,
	COLOR_CYAN,
	COLOR_RED,
	COLOR_MAGENTA,
	COLOR_BROWN,
	COLOR_LIGHT_GREY,
	COLOR_DARK_GREY,
	COLOR_LIGHT_BLUE,
	COLOR_LIGHT_GREEN,
	COLOR_LIGHT_CYAN,
	COLOR_LIGHT_RED,
	COLOR_LIGHT_MAGENTA,
	COLOR_YELLOW,
	COLOR_WHITE,
};

/* A VGA attribute byte: background in bits 4-6 (bit 7 blinks), foreground
 * in bits 0-3. Light cyan on black is 0x0b. */
#define COLOR_ATTR(fg, bg) ((unsigned char)((((bg)&0x7) << 4) | ((fg)&0xf)))

#endif
