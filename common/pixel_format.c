/* common/pixel_format.c - see pixel_format.h. */
#include "pixel_format.h"

/* A mask as (size, shift): its width and lowest set bit; 0 when the mask
 * is empty or not one run of set bits. */
static int channel(uint32_t mask, uint8_t *size, uint8_t *shift)
{
	if (!mask)
		return 0;
	*shift = (uint8_t)__builtin_ctz(mask);
	uint32_t ones = mask >> *shift;
	*size = ones == UINT32_MAX ? 32 : (uint8_t)__builtin_ctz(~ones);
	return ones == UINT32_MAX || !(ones & (ones + 1));
}

int pixel_format_from_masks(struct tb_console *c, uint32_t red, uint32_t green, uint32_t blue,
                            uint32_t reserved, struct error *err)
{
	if (!channel(red, &c->red_size, &c->red_shift) ||
	    !channel(green, &c->green_size, &c->green_shift) ||
	    !channel(blue, &c->blue_size, &c->blue_shift))
		return error_set(err,
		                 "masks red 0x%x green 0x%x blue 0x%x: a colour that is not "
		                 "one run of bits",
		                 (unsigned)red, (unsigned)green, (unsigned)blue);
	if ((red & green) || (red & blue) || (green & blue) || ((red | green | blue) & reserved))
		return error_set(err, "masks red 0x%x green 0x%x blue 0x%x reserved 0x%x overlap",
		                 (unsigned)red, (unsigned)green, (unsigned)blue,
		                 (unsigned)reserved);
	unsigned bits = 32 - (unsigned)__builtin_clz(red | green | blue | reserved);
	unsigned bpp = (bits + 7) / 8 * 8;
	if (bpp < 16)
		return error_set(err,
		                 "masks red 0x%x green 0x%x blue 0x%x: %u-bit pixels, "
		                 "not 16, 24 or 32",
		                 (unsigned)red, (unsigned)green, (unsigned)blue, bpp);
	c->bpp = (uint16_t)bpp;
	return 0;
}
