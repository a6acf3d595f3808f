/* tests/unit/test_fb.c - kernel/fb.c rendering into in-memory framebuffers
 * of every format a loader may hand over: 32 bpp BGRX (GOP's usual) and
 * RGBX, 24 bpp, 16 bpp 5:6:5, and pitches wider than a row. Each check
 * decodes real pixels and compares them with the font's bits and with
 * hand-computed pixel values; the padding past each row must stay intact.
 * Surfaces are malloc'ed to pitch * height, so ASan reports overruns. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "color.h"
#include "fb.h"
#include "font.h"

#define PAD 0xa7 /* what the bytes past each row's last pixel hold */
#define LIGHT_CYAN 0x55ffff
#define GREY 0xaaaaaa

struct format {
	const char *name;
	uint16_t bpp;
	uint8_t rs, rsh, gs, gsh, bs, bsh; /* size and shift of each channel */
	uint32_t light_cyan;               /* 0x55ffff, encoded by hand */
};

static const struct format formats[] = {
    {"BGRX 8:8:8:8", 32, 8, 16, 8, 8, 8, 0, 0x0055ffff},
    {"RGBX 8:8:8:8", 32, 8, 0, 8, 8, 8, 16, 0x00ffff55},
    {"BGR 8:8:8", 24, 8, 16, 8, 8, 8, 0, 0x55ffff},
    {"RGB 5:6:5", 16, 5, 11, 6, 5, 5, 0, (0x55 >> 3) << 11 | 0x3f << 5 | 0x1f},
    /* GOP's 10-bit PixelBitMask modes: 0x55 repeated is 0x155, 0xff 0x3ff. */
    {"XRGB 2:10:10:10", 32, 10, 20, 10, 10, 10, 0, 0x155u << 20 | 0x3ffu << 10 | 0x3ff},
};

static struct fb_surface make(const struct format *f, uint32_t w, uint32_t h, uint32_t extra)
{
	struct fb_surface s = {
	    .width = w,
	    .height = h,
	    .pitch = w * (f->bpp / 8) + extra,
	    .bpp = f->bpp,
	    .red_size = f->rs,
	    .red_shift = f->rsh,
	    .green_size = f->gs,
	    .green_shift = f->gsh,
	    .blue_size = f->bs,
	    .blue_shift = f->bsh,
	};
	s.base = malloc((size_t)s.pitch * h);
	memset(s.base, PAD, (size_t)s.pitch * h);
	return s;
}

static uint32_t pixel(const struct fb_surface *s, uint32_t x, uint32_t y)
{
	const uint8_t *p = s->base + (size_t)y * s->pitch + (size_t)x * (s->bpp / 8);
	uint32_t v = 0;
	for (unsigned i = 0; i < s->bpp / 8u; i++)
		v |= (uint32_t)p[i] << (8 * i);
	return v;
}

/* Cell (col, row) must show glyph ch in pixel values fg on bg. */
static void expect_cell(const struct fb_surface *s, unsigned col, unsigned row, unsigned char ch,
                        uint32_t fg, uint32_t bg)
{
	const uint8_t *g = font8x16[ch];
	for (unsigned y = 0; y < FONT_HEIGHT; y++)
		for (unsigned x = 0; x < FONT_WIDTH; x++) {
			uint32_t want = (g[y] >> (7 - x)) & 1 ? fg : bg;
			uint32_t got = pixel(s, col * 8 + x, row * 16 + y);
			if (got != want)
				fail_msg("cell (%u,%u) '%c' pixel (%u,%u): 0x%x, expected 0x%x",
				         col, row, ch, x, y, got, want);
		}
}

static void expect_text(const struct fb_surface *s, unsigned row, const char *text, uint32_t fg,
                        uint32_t bg)
{
	for (unsigned i = 0; text[i]; i++)
		expect_cell(s, i, row, (unsigned char)text[i], fg, bg);
}

static void expect_padding(const struct fb_surface *s)
{
	size_t row_bytes = (size_t)s->width * (s->bpp / 8);
	for (uint32_t y = 0; y < s->height; y++)
		for (size_t i = row_bytes; i < s->pitch; i++)
			if (s->base[(size_t)y * s->pitch + i] != PAD)
				fail_msg("padding byte %zu of row %u overwritten", i, y);
}

static void write_str(struct fb_console *c, const char *s)
{
	fb_write(c, s, strlen(s));
}

/* The font itself: printable ASCII all drawn, distinct, space blank. */
static void test_font(void **state)
{
	(void)state;
	static const uint8_t blank[16];
	assert_memory_equal(font_glyph(' '), blank, 16);
	for (int c = 0x21; c < 0x7f; c++) {
		assert_memory_not_equal(font_glyph((unsigned char)c), blank, 16);
		if (c > 0x21)
			assert_memory_not_equal(font_glyph((unsigned char)c),
			                        font_glyph((unsigned char)(c - 1)), 16);
	}
	/* 'H': two uprights in rows 2-11 and the bar in row 6, as the VGA ROM font. */
	assert_int_equal(font_glyph('H')[2], 0xc6);
	assert_int_equal(font_glyph('H')[6], 0xfe);
	assert_int_equal(font_glyph('H')[12], 0x00);
}

/* Every format, with and without padding: the greeting in light cyan on
 * black, pixel for pixel, and the rest of the screen black. */
static void test_hello_every_format(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
		for (uint32_t extra = 0; extra <= 52; extra += 52) {
			const struct format *f = &formats[i];
			struct fb_surface s = make(f, 640, 480, extra);
			struct fb_console c;
			assert_int_equal(fb_init(&c, &s), 0);
			assert_int_equal(fb_pixel(&s, LIGHT_CYAN), f->light_cyan);
			assert_int_equal(c.cols, 80);
			assert_int_equal(c.rows, 30);
			fb_clear(&c);
			fb_set_color(&c, COLOR_LIGHT_CYAN, COLOR_BLACK);
			write_str(&c, "Hello World!");
			expect_text(&s, 0, "Hello World!", f->light_cyan, 0);
			for (uint32_t y = 0; y < 480; y++)
				for (uint32_t x = (y < 16 ? 12 * 8 : 0); x < 640; x++)
					if (pixel(&s, x, y) != 0)
						fail_msg("%s: pixel (%u,%u) not black", f->name, x,
						         y);
			expect_padding(&s);
			free(s.base);
		}
	}
}

/* Colours other than the greeting's, on a non-black background. */
static void test_colors(void **state)
{
	(void)state;
	struct fb_surface s = make(&formats[0], 640, 480, 0);
	struct fb_console c;
	assert_int_equal(fb_init(&c, &s), 0);
	fb_set_color(&c, COLOR_YELLOW, COLOR_BLUE);
	fb_clear(&c);
	assert_int_equal(pixel(&s, 639, 479), 0x0000aa);
	write_str(&c, "Ok");
	expect_text(&s, 0, "Ok", 0xffff55, 0x0000aa);
	free(s.base);
}

/* One channel at each width: narrower than 8 bits keeps the top bits,
 * wider repeats the value below itself, so 0 and 0xff stay the ends. */
static void test_channel_widths(void **state)
{
	(void)state;
	static const struct {
		uint8_t size;
		uint32_t ab, ff;
	} want[] = {
	    {1, 0x1, 0x1},      {5, 0x15, 0x1f},      {8, 0xab, 0xff},      {10, 0x2ae, 0x3ff},
	    {12, 0xaba, 0xfff}, {15, 0x55d5, 0x7fff}, {16, 0xabab, 0xffff},
	};
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		struct fb_surface s = {.bpp = 32, .green_size = want[i].size, .green_shift = 4};
		assert_int_equal(fb_pixel(&s, 0x00ab00), want[i].ab << 4);
		assert_int_equal(fb_pixel(&s, 0x00ff00), want[i].ff << 4);
		assert_int_equal(fb_pixel(&s, 0xff00ff), 0);
	}
}

static void test_control_chars(void **state)
{
	(void)state;
	struct fb_surface s = make(&formats[1], 640, 480, 16);
	struct fb_console c;
	uint32_t g = fb_pixel(&s, GREY);
	assert_int_equal(fb_init(&c, &s), 0);
	fb_clear(&c);
	write_str(&c, "abc\b\bX\nde\rY\tZ");
	expect_text(&s, 0, "aX  ", g, 0);
	expect_text(&s, 1, "Y       Z", g, 0); /* the tab blanked the 'e' */
	assert_int_equal(c.row, 1);
	assert_int_equal(c.col, 9);
	/* Line wrap: the 81st character starts the next line. */
	write_str(&c, "\n");
	for (int i = 0; i < 80; i++)
		write_str(&c, "w");
	write_str(&c, "!");
	expect_cell(&s, 79, 2, 'w', g, 0);
	expect_cell(&s, 0, 3, '!', g, 0);
	expect_padding(&s);
	free(s.base);
}

/* 64x48 pixels = 8x3 cells. The newline after the last line only marks
 * the scroll; it happens at the next character. */
static void test_scroll(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
		struct fb_surface s = make(&formats[i], 64, 48, 8);
		struct fb_console c;
		uint32_t g = fb_pixel(&s, GREY);
		assert_int_equal(fb_init(&c, &s), 0);
		fb_clear(&c);
		write_str(&c, "zero\none\ntwo\n");
		expect_text(&s, 0, "zero", g, 0);
		expect_text(&s, 2, "two", g, 0);
		write_str(&c, "3");
		expect_text(&s, 0, "one     ", g, 0);
		expect_text(&s, 1, "two     ", g, 0);
		expect_text(&s, 2, "3       ", g, 0);
		/* Two newlines at the bottom: one scroll now, one pending. */
		write_str(&c, "\n\nX");
		expect_text(&s, 0, "3       ", g, 0);
		expect_text(&s, 1, "        ", g, 0);
		expect_text(&s, 2, "X       ", g, 0);
		expect_padding(&s);
		free(s.base);
	}
}

/* A height that is not a multiple of 16: the rows below the last text
 * line are cleared but never scrolled into. */
static void test_odd_resolution(void **state)
{
	(void)state;
	struct fb_surface s = make(&formats[2], 650, 490, 3);
	struct fb_console c;
	assert_int_equal(fb_init(&c, &s), 0);
	assert_int_equal(c.cols, 81);
	assert_int_equal(c.rows, 30);
	fb_clear(&c);
	for (int i = 0; i < 40; i++)
		write_str(&c, "line\n");
	write_str(&c, "end");
	expect_text(&s, 29, "end", fb_pixel(&s, GREY), 0);
	for (uint32_t x = 0; x < 650; x++)
		assert_int_equal(pixel(&s, x, 489), 0);
	expect_padding(&s);
	free(s.base);
}

static void test_rejects_bad_formats(void **state)
{
	(void)state;
	struct fb_console c;
	struct fb_surface s = make(&formats[0], 640, 480, 0);
	struct fb_surface bad = s;
	bad.bpp = 8;
	assert_int_equal(fb_init(&c, &bad), -1);
	bad = s;
	bad.pitch = 640 * 4 - 4;
	assert_int_equal(fb_init(&c, &bad), -1);
	bad = s;
	bad.red_size = 17;
	assert_int_equal(fb_init(&c, &bad), -1);
	bad = s;
	bad.blue_shift = 30;
	assert_int_equal(fb_init(&c, &bad), -1);
	bad = s;
	bad.height = 15;
	assert_int_equal(fb_init(&c, &bad), -1);
	free(s.base);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_font),           cmocka_unit_test(test_hello_every_format),
	    cmocka_unit_test(test_colors),         cmocka_unit_test(test_channel_widths),
	    cmocka_unit_test(test_control_chars),  cmocka_unit_test(test_scroll),
	    cmocka_unit_test(test_odd_resolution), cmocka_unit_test(test_rejects_bad_formats),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
