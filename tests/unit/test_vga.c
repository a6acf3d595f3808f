/* tests/unit/test_vga.c - kernel/vga.c rendering into an in-memory 80x25
 * text buffer: every cell's character and attribute is checked after
 * clearing, colours, newline, carriage return, tab, backspace, line wrap
 * and scrolling. The buffer is malloc'ed to its exact size, so ASan
 * reports any write outside it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "color.h"
#include "vga.h"

#define W 80
#define H 25
#define GREY 0x07 /* light grey on black: the attribute of blanks */

static uint16_t *buf;
static struct vga_text v;

static int setup(void **state)
{
	(void)state;
	buf = malloc(W * H * sizeof(*buf));
	for (int i = 0; i < W * H; i++)
		buf[i] = 0xdead; /* garbage the loader might have left */
	vga_init(&v, buf, W, H);
	vga_clear(&v);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free(buf);
	return 0;
}

static uint16_t at(unsigned col, unsigned row)
{
	return buf[row * W + col];
}

/* Row `row` must read `text` in attribute `attr`, then blanks to the end. */
static void expect_row(unsigned row, const char *text, uint8_t attr)
{
	size_t n = strlen(text);
	for (unsigned col = 0; col < W; col++) {
		uint16_t want =
		    col < n ? (uint16_t)((uint8_t)text[col] | attr << 8) : (' ' | GREY << 8);
		if (at(col, row) != want)
			fail_msg("row %u col %u: cell 0x%04x, expected 0x%04x", row, col,
			         at(col, row), want);
	}
}

static void write_str(const char *s)
{
	vga_write(&v, s, strlen(s));
}

static void test_clear(void **state)
{
	(void)state;
	for (int i = 0; i < W * H; i++)
		assert_int_equal(buf[i], 0x0720);
	assert_int_equal(v.col, 0);
	assert_int_equal(v.row, 0);
}

/* The blog_os post's greeting: light cyan on black is attribute 0x0b. */
static void test_hello_light_cyan(void **state)
{
	(void)state;
	vga_set_color(&v, COLOR_LIGHT_CYAN, COLOR_BLACK);
	write_str("Hello World!");
	assert_int_equal(at(0, 0), 0x0b48);  /* 'H' */
	assert_int_equal(at(11, 0), 0x0b21); /* '!' */
	assert_int_equal(v.col, 12);
	vga_set_color(&v, COLOR_WHITE, COLOR_BLUE);
	write_str("x");
	assert_int_equal(at(12, 0), 0x1f78);
	assert_int_equal(at(13, 0), 0x0720);
}

static void test_newline_and_return(void **state)
{
	(void)state;
	write_str("abc\nde\rX");
	expect_row(0, "abc", GREY);
	expect_row(1, "Xe", GREY);
	assert_int_equal(v.row, 1);
	assert_int_equal(v.col, 1);
}

static void test_tab(void **state)
{
	(void)state;
	write_str("a\tb\t\tc");
	expect_row(0, "a       b               c", GREY);
	assert_int_equal(v.col, 25);
	/* A tab from the last stop of a line ends the line. */
	v.col = 76;
	write_str("\t");
	assert_int_equal(v.row, 1);
	assert_int_equal(v.col, 0);
}

static void test_backspace(void **state)
{
	(void)state;
	write_str("abc\b\bX");
	expect_row(0, "aX", GREY);
	assert_int_equal(v.col, 2);
	write_str("\b\b\b\b");
	expect_row(0, "", GREY);
	assert_int_equal(v.col, 0);
	assert_int_equal(v.row, 0);
}

static void test_wrap(void **state)
{
	(void)state;
	char line[W + 2];
	memset(line, 'w', W);
	line[W] = 'Z';
	line[W + 1] = 0;
	write_str(line);
	assert_int_equal(at(W - 1, 0), 0x0777);
	expect_row(1, "Z", GREY);
}

/* 30 numbered lines: the screen then shows lines 6..29 and a blank last
 * row in the current colour, the cursor at its start. */
static void test_scroll(void **state)
{
	(void)state;
	char s[32];
	for (int i = 0; i < 30; i++) {
		snprintf(s, sizeof(s), "line %d\n", i);
		write_str(s);
	}
	for (int r = 0; r < H - 1; r++) {
		snprintf(s, sizeof(s), "line %d", r + 6);
		expect_row(r, s, GREY);
	}
	expect_row(H - 1, "", GREY);
	assert_int_equal(v.row, H - 1);
	assert_int_equal(v.col, 0);

	vga_set_color(&v, COLOR_YELLOW, COLOR_RED);
	write_str("!\n");
	assert_int_equal(at(0, H - 2), 0x4e21);
	for (int c = 0; c < W; c++)
		assert_int_equal(at(c, H - 1), 0x4e20); /* blanked in the new colour */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_clear, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_hello_light_cyan, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_newline_and_return, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_tab, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_backspace, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_wrap, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_scroll, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
