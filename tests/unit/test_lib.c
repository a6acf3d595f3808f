/* tests/unit/test_lib.c - common/lib.c on the host, under renamed symbols.
 *
 * Host programs use libc's memcpy & co., so lib.c is compiled into this test
 * a second time with every function renamed to tb_*, and each result is
 * compared with a plain reference loop or with libc.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#define memcpy tb_memcpy
#define memmove tb_memmove
#define memset tb_memset
#define memcmp tb_memcmp
#define strlen tb_strlen
#define strnlen tb_strnlen
#define strcmp tb_strcmp
#define strncmp tb_strncmp
#define strchr tb_strchr
#define strrchr tb_strrchr
#include "../../common/lib.c"
#undef memcpy
#undef memmove
#undef memset
#undef memcmp
#undef strlen
#undef strnlen
#undef strcmp
#undef strncmp
#undef strchr
#undef strrchr

static int sign(int v)
{
	return (v > 0) - (v < 0);
}

static void fill_pattern(unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (unsigned char)(i * 7 + 3);
}

static void test_memcpy_memset(void **state)
{
	(void)state;
	unsigned char src[300], dst[320];
	fill_pattern(src, sizeof(src));
	for (size_t off = 0; off < 8; off++) {
		for (size_t n = 0; n < 260; n += 37) {
			for (size_t i = 0; i < sizeof(dst); i++)
				dst[i] = 0xee;
			assert_ptr_equal(tb_memcpy(dst + off, src + 1, n), dst + off);
			for (size_t i = 0; i < sizeof(dst); i++) {
				int inside = i >= off && i < off + n;
				assert_int_equal(dst[i], inside ? src[1 + i - off] : 0xee);
			}
		}
	}
	/* memset stores the low byte of c only, and exactly n of them. */
	for (size_t i = 0; i < sizeof(dst); i++)
		dst[i] = 0xee;
	assert_ptr_equal(tb_memset(dst + 3, 0x1ab, 100), dst + 3);
	for (size_t i = 0; i < sizeof(dst); i++)
		assert_int_equal(dst[i], i >= 3 && i < 103 ? 0xab : 0xee);
	tb_memset(dst, 0, 0);
	assert_int_equal(dst[0], 0xee);
	/* every length around the 8-word steps, at every alignment */
	for (size_t off = 0; off < 9; off++)
		for (size_t n = 0; n + off + 1 < sizeof(dst) && n < 200; n++) {
			for (size_t i = 0; i < sizeof(dst); i++)
				dst[i] = 0xee;
			tb_memset(dst + off, 0x80 | (int)n, n);
			for (size_t i = 0; i < sizeof(dst); i++)
				assert_int_equal(dst[i], i >= off && i < off + n ? (0x80 | n) & 0xff
				                                                 : 0xee);
		}
}

static void test_memmove(void **state)
{
	(void)state;
	unsigned char buf[200], ref[200];
	/* Every overlap shape: forward, backward, identical, disjoint. */
	const int shifts[] = {-60, -50, -1, 0, 1, 3, 50, 70};
	for (size_t k = 0; k < sizeof(shifts) / sizeof(shifts[0]); k++) {
		fill_pattern(buf, sizeof(buf));
		fill_pattern(ref, sizeof(ref));
		size_t from = 60, to = (size_t)(60 + shifts[k]), n = 70;
		tb_memmove(buf + to, buf + from, n);
		memmove(ref + to, ref + from, n);
		assert_memory_equal(buf, ref, sizeof(buf));
	}
	/* After a backward copy the direction flag must be clear again, or
	 * this forward copy would run the wrong way. */
	unsigned char a[16] = "abcdefghijklmno", b[16] = {0};
	tb_memcpy(b, a, 16);
	assert_memory_equal(a, b, 16);
}

static void test_memcmp(void **state)
{
	(void)state;
	unsigned char a[4] = {1, 2, 3, 0x80}, b[4] = {1, 2, 3, 0x01};
	assert_int_equal(tb_memcmp(a, b, 3), 0);
	assert_int_equal(sign(tb_memcmp(a, b, 4)), 1); /* bytes compare unsigned */
	assert_int_equal(sign(tb_memcmp(b, a, 4)), -1);
	assert_int_equal(tb_memcmp(a, b, 0), 0);
}

static void test_strings(void **state)
{
	(void)state;
	assert_int_equal(tb_strlen(""), 0);
	assert_int_equal(tb_strlen("kernel.elf"), 10);
	assert_int_equal(tb_strnlen("kernel.elf", 4), 4);
	assert_int_equal(tb_strnlen("ab", 10), 2);
	assert_int_equal(tb_strcmp("abc", "abc"), 0);
	assert_int_equal(sign(tb_strcmp("abc", "abd")), -1);
	assert_int_equal(sign(tb_strcmp("abcd", "abc")), 1);
	assert_int_equal(sign(tb_strcmp("\x80", "a")), 1);
	assert_int_equal(tb_strncmp("abcX", "abcY", 3), 0);
	assert_int_equal(sign(tb_strncmp("abcX", "abcY", 4)), -1);
	assert_int_equal(tb_strncmp("ab", "ab", 10), 0);
	assert_int_equal(sign(tb_strncmp("a", "ab", 10)), -1);

	const char *path = "/boot/mod/initrd";
	assert_ptr_equal(tb_strchr(path, '/'), path);
	assert_ptr_equal(tb_strchr(path, 'm'), path + 6);
	assert_ptr_equal(tb_strchr(path, 0), path + 16);
	assert_null(tb_strchr(path, 'z'));
	assert_ptr_equal(tb_strrchr(path, '/'), path + 9);
	assert_ptr_equal(tb_strrchr(path, 0), path + 16);
	assert_null(tb_strrchr(path, 'z'));
}

static void test_str_copy(void **state)
{
	(void)state;
	char buf[6];
	memset(buf, 'Z', sizeof(buf));
	assert_int_equal(str_copy(buf, "twinboot", sizeof(buf)), 8);
	assert_string_equal(buf, "twinb");
	assert_int_equal(str_copy(buf, "ok", sizeof(buf)), 2);
	assert_string_equal(buf, "ok");
	buf[0] = 'Z';
	str_copy(buf, "x", 0);
	assert_int_equal(buf[0], 'Z');
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_memcpy_memset), cmocka_unit_test(test_memmove),
	    cmocka_unit_test(test_memcmp),        cmocka_unit_test(test_strings),
	    cmocka_unit_test(test_str_copy),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
