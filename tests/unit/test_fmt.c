/* tests/unit/test_fmt.c - common/fmt.c against the C library's snprintf.
 *
 * fmt follows C11 7.21.6.1 for what it supports, so each case formats the
 * same directive with both and compares text and returned length; the few
 * places where fmt is meant to differ (%p, NULL strings, unknown
 * conversions) have their own expected strings.
 */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "error.h"
#include "fmt.h"

/* The cases below include formats the compiler rightly calls odd ('0' with
 * '-', %hhd of an int, NULL for %s): they are corner cases of the standard
 * that fmt must get right all the same. */
#pragma GCC diagnostic ignored "-Wformat"
#ifndef __clang__
#pragma GCC diagnostic ignored "-Wformat-overflow"
#endif

/* Format with both and compare; a macro so each call site's arguments
 * go through the same varargs promotion for both functions. */
#define SAME(...)                                                                                  \
	do {                                                                                       \
		char want[256], got[256];                                                          \
		int wn = snprintf(want, sizeof(want), __VA_ARGS__);                                \
		int gn = fmt_snprintf(got, sizeof(got), __VA_ARGS__);                              \
		assert_string_equal(got, want);                                                    \
		assert_int_equal(gn, wn);                                                          \
	} while (0)

static void test_integers(void **state)
{
	(void)state;
	SAME("%d %i %u", 0, -1, 4000000000u);
	SAME("%d", INT_MIN);
	SAME("%lld %llu", LLONG_MIN, ULLONG_MAX);
	SAME("%ld %lu %lx", LONG_MIN, ULONG_MAX, ULONG_MAX);
	SAME("%hhd %hhu %hd %hu", 300, 300, 70000, 70000);
	SAME("%zu %zx %zd", (size_t)-1, (size_t)0x1234, (size_t)42);
	SAME("%jd %ju %td %tu", INTMAX_MIN, UINTMAX_MAX, (ptrdiff_t)-5, (ptrdiff_t)7);
	SAME("%x %X %o", 0xdeadbeefu, 0xdeadbeefu, 0777u);
	SAME("%llx", 0x123456789abcdef0ull);
	SAME("%llo", ULLONG_MAX);
}

static void test_flags_width_precision(void **state)
{
	(void)state;
	SAME("[%5d] [%-5d] [%05d] [%+d] [% d] [%+d]", 42, 42, -42, 42, 42, -42);
	SAME("[%08x] [%#x] [%#X] [%#010x] [%#x] [%#o] [%#o]", 0xbeefu, 0xbeefu, 0xbeefu, 0xbeefu,
	     0u, 8u, 0u);
	SAME("[%.5d] [%8.3d] [%-8.3d] [%08.3d] [%.0d] [%.0x] [%5.0d]", 42, -7, 7, 7, 0, 0u, 0);
	SAME("[%#.0o] [%#.3o] [%#5o]", 0u, 8u, 8u);
	SAME("[%*d] [%-*d] [%*d] [%.*d] [%.*d]", 6, 1, 6, 2, -6, 3, 4, 5, -1, 6);
	SAME("[%+ d] [%-+5d] [%0-5d]", 1, 1, 1);
	SAME("[%016llx]", 0x1fULL);
}

static void test_strings_and_chars(void **state)
{
	(void)state;
	SAME("[%s] [%10s] [%-10s] [%.3s] [%5.2s] [%.0s]", "abc", "abc", "abc", "abcdef", "xyz",
	     "gone");
	SAME("[%c%c] [%3c] [%-3c]", 'o', 'k', 'x', 'y');
	SAME("100%% and %s", "more");
	SAME("%s", "");
	SAME("%s", "no directives");
}

static void test_own_behaviour(void **state)
{
	(void)state;
	char buf[64];
	assert_int_equal(fmt_snprintf(buf, sizeof(buf), "%p", (void *)0x1000), 6);
	assert_string_equal(buf, "0x1000");
	fmt_snprintf(buf, sizeof(buf), "%p", (void *)0);
	assert_string_equal(buf, "0x0");
	fmt_snprintf(buf, sizeof(buf), "[%s]", (char *)NULL);
	assert_string_equal(buf, "[(null)]");
	/* Unknown conversions are shown as written, so bugs are visible. */
	/* (Through a variable, as the compiler rejects these literals.) */
	const char *volatile bad = "a %q b %5y c";
	fmt_snprintf(buf, sizeof(buf), bad, 0);
	assert_string_equal(buf, "a %q b %5y c");
	bad = "end %";
	fmt_snprintf(buf, sizeof(buf), bad, 0);
	assert_string_equal(buf, "end %");
	/* %.*s reads no further than the precision: the text need not be
	 * terminated (config.c quotes spans of the file this way). */
	char *span = malloc(3);
	memcpy(span, "abc", 3);
	fmt_snprintf(buf, sizeof(buf), "[%.*s]", 3, span);
	assert_string_equal(buf, "[abc]");
	free(span);
	/* Huge widths are clamped, not overflowed. */
	bad = "%99999999999d";
	assert_int_equal(fmt_snprintf(NULL, 0, bad, 1), 4096);
}

static void test_truncation(void **state)
{
	(void)state;
	char buf[8];
	memset(buf, 'Z', sizeof(buf));
	assert_int_equal(fmt_snprintf(buf, 5, "%s-%d", "abcdef", 12), 9);
	assert_string_equal(buf, "abcd");
	assert_int_equal(buf[5], 'Z'); /* nothing written past size */
	memset(buf, 'Z', sizeof(buf));
	assert_int_equal(fmt_snprintf(buf, 0, "%d", 12345), 5);
	assert_int_equal(buf[0], 'Z');
	assert_int_equal(fmt_snprintf(buf, 1, "%d", 12345), 5);
	assert_string_equal(buf, "");
}

struct collect {
	char text[128];
	size_t len;
	int calls;
};

static void collect_sink(void *ctx, const char *text, size_t len)
{
	struct collect *c = ctx;
	assert_true(c->len + len < sizeof(c->text));
	memcpy(c->text + c->len, text, len);
	c->len += len;
	c->calls++;
}

static void test_sink(void **state)
{
	(void)state;
	struct collect c = {{0}, 0, 0};
	int n = fmt_format(collect_sink, &c, "kernel at %#llx, %u segments%-3s|",
	                   0xffffffff80000000ull, 3u, "!");
	assert_int_equal(n, (int)c.len);
	assert_string_equal(c.text, "kernel at 0xffffffff80000000, 3 segments!  |");
	/* Literal runs go out in one piece, not byte by byte. */
	assert_true(c.calls < 20);
}

static void test_error_set(void **state)
{
	(void)state;
	struct error err;
	assert_int_equal(
	    error_set(&err, "fat: cluster %#x out of range in %s", 0x1f3u, "/boot/kernel.elf"), -1);
	assert_string_equal(err.msg, "fat: cluster 0x1f3 out of range in /boot/kernel.elf");
	assert_int_equal(error_set(NULL, "ignored %d", 1), -1);
	/* Long messages are cut to ERROR_MAX - 1 and stay terminated. */
	char longs[400];
	memset(longs, 'x', sizeof(longs) - 1);
	longs[sizeof(longs) - 1] = 0;
	error_set(&err, "%s", longs);
	assert_int_equal(strlen(err.msg), ERROR_MAX - 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_integers),          cmocka_unit_test(test_flags_width_precision),
	    cmocka_unit_test(test_strings_and_chars), cmocka_unit_test(test_own_behaviour),
	    cmocka_unit_test(test_truncation),        cmocka_unit_test(test_sink),
	    cmocka_unit_test(test_error_set),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
