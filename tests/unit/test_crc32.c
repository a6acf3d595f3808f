/* tests/unit/test_crc32.c - common/crc32.c against known CRC-32 values
 * (the "123456789" check value of the IEEE polynomial, RFC 3720 B.4 style
 * vectors) and against a bitwise reference implementation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "crc32.h"

/* The textbook bit-at-a-time CRC, the definition the table must match. */
static uint32_t crc32_bitwise(const unsigned char *p, size_t n)
{
	uint32_t c = 0xffffffff;
	for (size_t i = 0; i < n; i++) {
		c ^= p[i];
		for (int k = 0; k < 8; k++)
			c = (c >> 1) ^ (0xedb88320 & -(c & 1));
	}
	return ~c;
}

static void test_known_values(void **state)
{
	(void)state;
	assert_int_equal(crc32(0, "", 0), 0);
	assert_int_equal(crc32(0, "123456789", 9), 0xcbf43926);
	assert_int_equal(crc32(0, "The quick brown fox jumps over the lazy dog", 43), 0x414fa339);
	unsigned char zeros[32] = {0};
	assert_int_equal(crc32(0, zeros, sizeof(zeros)), 0x190a55ad);
}

static void test_matches_bitwise(void **state)
{
	(void)state;
	unsigned char buf[1024];
	uint32_t seed = 1;
	for (size_t i = 0; i < sizeof(buf); i++) {
		seed = seed * 1103515245 + 12345;
		buf[i] = (unsigned char)(seed >> 16);
	}
	for (size_t n = 0; n <= sizeof(buf); n += 61)
		assert_int_equal(crc32(0, buf, n), crc32_bitwise(buf, n));
}

/* GPT computes the entry-array CRC in one go; callers may also feed it in
 * pieces, which must give the same result. */
static void test_incremental(void **state)
{
	(void)state;
	const char *s = "EFI PART header and entries";
	size_t n = strlen(s);
	for (size_t cut = 0; cut <= n; cut++)
		assert_int_equal(crc32(crc32(0, s, cut), s + cut, n - cut), crc32(0, s, n));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_known_values),
	    cmocka_unit_test(test_matches_bitwise),
	    cmocka_unit_test(test_incremental),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
