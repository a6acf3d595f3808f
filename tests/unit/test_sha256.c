/* tests/unit/test_sha256.c - common/sha256.c against the FIPS 180-4 example
 * vectors (NIST CSRC "Examples with Intermediate Values", SHA-256, and the
 * NESSIE one-million-'a' vector), streaming against one-shot, and against
 * coreutils' sha256sum on pseudo-random buffers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "sha256.h"

static void to_hex(char out[65], const uint8_t d[SHA256_DIGEST_SIZE])
{
	for (int i = 0; i < SHA256_DIGEST_SIZE; i++)
		sprintf(out + 2 * i, "%02x", d[i]);
}

static void check(const void *data, size_t len, const char *want)
{
	uint8_t d[SHA256_DIGEST_SIZE];
	char got[65];
	sha256(data, len, d);
	to_hex(got, d);
	assert_string_equal(got, want);
}

static void test_fips_vectors(void **state)
{
	(void)state;
	check("", 0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	check("abc", 3, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	const char *m448 = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	check(m448, strlen(m448),
	      "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	const char *m896 = "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmn"
	                   "hijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu";
	check(m896, strlen(m896),
	      "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
}

static void test_million_a(void **state)
{
	(void)state;
	size_t n = 1000000;
	char *a = malloc(n);
	assert_non_null(a);
	memset(a, 'a', n);
	check(a, n, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	free(a);
}

static void fill(uint8_t *buf, size_t n, uint32_t seed)
{
	for (size_t i = 0; i < n; i++) {
		seed = seed * 1103515245 + 12345;
		buf[i] = (uint8_t)(seed >> 16);
	}
}

/* Every length around the padding boundaries (55, 56, 63, 64 bytes mod
 * 64), fed in chunks of odd sizes, must equal the one-shot digest. */
static void test_streaming(void **state)
{
	(void)state;
	static uint8_t buf[1000];
	static const size_t chunks[] = {1, 3, 7, 55, 56, 63, 64, 65, 127, 1000};
	fill(buf, sizeof(buf), 7);
	for (size_t len = 0; len <= sizeof(buf); len += (len < 200 ? 1 : 37)) {
		uint8_t one[SHA256_DIGEST_SIZE], many[SHA256_DIGEST_SIZE];
		sha256(buf, len, one);
		for (size_t c = 0; c < sizeof(chunks) / sizeof(chunks[0]); c++) {
			struct sha256_ctx ctx;
			sha256_init(&ctx);
			for (size_t off = 0; off < len; off += chunks[c])
				sha256_update(&ctx, buf + off,
				              len - off < chunks[c] ? len - off : chunks[c]);
			sha256_update(&ctx, buf, 0);
			sha256_final(&ctx, many);
			assert_memory_equal(one, many, SHA256_DIGEST_SIZE);
		}
	}
}

/* An independent implementation on data FIPS does not list. */
static void test_matches_sha256sum(void **state)
{
	(void)state;
	static const size_t sizes[] = {1, 64, 119, 4096, 65537, 300001};
	for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		char path[] = "/tmp/twinboot-sha256.XXXXXX";
		int fd = mkstemp(path);
		assert_true(fd >= 0);
		uint8_t *buf = malloc(sizes[s]);
		assert_non_null(buf);
		fill(buf, sizes[s], (uint32_t)s + 1);
		assert_int_equal(write(fd, buf, sizes[s]), (ssize_t)sizes[s]);
		close(fd);

		char cmd[128], want[65] = {0};
		snprintf(cmd, sizeof(cmd), "sha256sum %s", path);
		FILE *p = popen(cmd, "r");
		assert_non_null(p);
		assert_int_equal(fscanf(p, "%64s", want), 1);
		assert_int_equal(pclose(p), 0);
		unlink(path);

		uint8_t d[SHA256_DIGEST_SIZE];
		char got[65];
		sha256(buf, sizes[s], d);
		to_hex(got, d);
		assert_string_equal(got, want);
		free(buf);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_fips_vectors),
	    cmocka_unit_test(test_million_a),
	    cmocka_unit_test(test_streaming),
	    cmocka_unit_test(test_matches_sha256sum),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
