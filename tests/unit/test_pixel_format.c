/* tests/unit/test_pixel_format.c - common/pixel_format.c: the pixel width
 * and channels of GOP's two fixed formats and of PixelBitMask modes of 16,
 * 24 and 32 bits (with and without a reserved mask, and 10-bit channels),
 * and the masks it must refuse: 8-bit pixels, overlapping masks, a
 * colour that is missing or not one run of bits. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "pixel_format.h"

struct layout {
	uint32_t red, green, blue, reserved;
	uint16_t bpp;
	uint8_t rs, rsh, gs, gsh, bs, bsh; /* size and shift of each channel */
};

static const struct layout good[] = {
    /* PixelBlueGreenRedReserved8BitPerColor and PixelRedGreenBlueReserved8BitPerColor */
    {0x00ff0000, 0x0000ff00, 0x000000ff, 0xff000000, 32, 8, 16, 8, 8, 8, 0},
    {0x000000ff, 0x0000ff00, 0x00ff0000, 0xff000000, 32, 8, 0, 8, 8, 8, 16},
    /* 16-bit 5:6:5 and 5:5:5 with a reserved top bit */
    {0xf800, 0x07e0, 0x001f, 0, 16, 5, 11, 6, 5, 5, 0},
    {0x7c00, 0x03e0, 0x001f, 0x8000, 16, 5, 10, 5, 5, 5, 0},
    /* 5:5:5 with no reserved mask: still two bytes a pixel */
    {0x7c00, 0x03e0, 0x001f, 0, 16, 5, 10, 5, 5, 5, 0},
    /* 24-bit, no reserved byte: three bytes a pixel, as Linux reads it */
    {0xff0000, 0x00ff00, 0x0000ff, 0, 24, 8, 16, 8, 8, 8, 0},
    /* 10:10:10 deep colour with 2 reserved bits */
    {0x3ff00000, 0x000ffc00, 0x000003ff, 0xc0000000, 32, 10, 20, 10, 10, 10, 0},
};

static void test_widths_and_channels(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		const struct layout *l = &good[i];
		struct tb_console c;
		struct error err = {{0}};
		memset(&c, 0xee, sizeof(c));
		assert_int_equal(
		    pixel_format_from_masks(&c, l->red, l->green, l->blue, l->reserved, &err), 0);
		assert_int_equal(c.bpp, l->bpp);
		assert_int_equal(c.red_size, l->rs);
		assert_int_equal(c.red_shift, l->rsh);
		assert_int_equal(c.green_size, l->gs);
		assert_int_equal(c.green_shift, l->gsh);
		assert_int_equal(c.blue_size, l->bs);
		assert_int_equal(c.blue_shift, l->bsh);
	}
}

static void expect_refused(uint32_t red, uint32_t green, uint32_t blue, uint32_t reserved,
                           const char *says)
{
	struct tb_console c = {0};
	struct error err = {{0}};
	assert_int_equal(pixel_format_from_masks(&c, red, green, blue, reserved, &err), -1);
	assert_non_null(strstr(err.msg, says));
	assert_int_equal(c.bpp, 0);
}

static void test_refused_masks(void **state)
{
	(void)state;
	expect_refused(0xe0, 0x1c, 0x03, 0, "8-bit pixels");               /* 3:3:2 */
	expect_refused(0xff0000, 0x00ff00, 0x0000ff, 0x01000f, "overlap"); /* reserved in blue */
	expect_refused(0xff0000, 0x01ff00, 0x0000ff, 0, "overlap");        /* green in red */
	expect_refused(0xff0000, 0, 0x0000ff, 0, "not one run");           /* no green */
	expect_refused(0xf0f000, 0x000f00, 0x0000ff, 0, "not one run");    /* red with a hole */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_widths_and_channels),
	    cmocka_unit_test(test_refused_masks),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
