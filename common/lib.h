/* common/lib.h - the few libc functions freestanding code needs.
 *
 * common/lib.c defines them under their standard names, because the
 * compiler itself emits calls to memcpy/memset/memmove/memcmp. Host builds
 * (unit tests, fuzzers, mkimage) use the C library's instead and never link
 * lib.c; tests/unit/test_lib.c tests lib.c under renamed symbols.
 */
#ifndef TWINBOOT_LIB_H
#define TWINBOOT_LIB_H

#include <stddef.h>
#include <stdint.h>

void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
char *strrchr(const char *s, int c);

/* Copy at most size-1 bytes and always NUL-terminate (size > 0); returns
 * strlen(src) like BSD's strlcpy. Inline, not in lib.c, so host builds
 * (whose libc lacks strlcpy) share it. */
static inline size_t str_copy(char *dst, const char *src, size_t size)
{
	size_t n = strlen(src);
	if (size) {
		size_t c = n < size - 1 ? n : size - 1;
		memcpy(dst, src, c);
		dst[c] = 0;
	}
	return n;
}

/* Little-endian fields of on-disk and firmware structures (BPBs, EDD
 * device paths, PCI configuration space), at any alignment. */
static inline uint16_t le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static inline uint32_t le32(const uint8_t *p)
{
	return le16(p) | (uint32_t)le16(p + 2) << 16;
}

static inline uint64_t le64(const uint8_t *p)
{
	return le32(p) | (uint64_t)le32(p + 4) << 32;
}

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define ALIGN_UP(x, a) (((x) + ((a)-1)) & ~((__typeof__(x))(a)-1))
#define ALIGN_DOWN(x, a) ((x) & ~((__typeof__(x))(a)-1))
#define PAGE_SIZE 4096u

#endif
