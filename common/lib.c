/* common/lib.c - memcpy and friends for freestanding code (loaders, kernel).
 *
 * The compiler emits calls to memcpy/memset/memmove/memcmp on its own (struct
 * copies, zeroing), so these must exist under their standard names. Two traps:
 * gcc's loop-distribution pass would turn the byte loops below back into calls
 * to the very function being defined (infinite recursion), so the loops are
 * built with that pass off. Works for -m32 and -m64.
 */
#include <stddef.h>
#include <stdint.h>

#include "lib.h"

/* gcc only: clang has no `optimize` attribute, and its loop-idiom pass already
 * leaves functions named like the idiom alone. */
#if defined(__GNUC__) && !defined(__clang__)
#define NO_LIBCALLS __attribute__((optimize("no-tree-loop-distribute-patterns")))
#else
#define NO_LIBCALLS
#endif

/* Words the copy may read and write at any alignment (x86 allows it). */
typedef size_t __attribute__((may_alias, aligned(1))) any_word;

/* The bulk moves eight words (32 or 64 bytes) per loop step through
 * general registers, the tail a byte at a time. The loaders copy whole
 * kernels and every disk read through the BIOS bounce buffer with this.
 * Not `rep movs`: an emulator (QEMU's TCG) runs each of its steps as a
 * separate block, which made a 64 MiB copy take about half a second. */
NO_LIBCALLS void *memcpy(void *dst, const void *src, size_t n)
{
	any_word *d = dst;
	const any_word *s = src;
	for (; n >= 8 * sizeof(size_t); n -= 8 * sizeof(size_t), d += 8, s += 8) {
		d[0] = s[0];
		d[1] = s[1];
		d[2] = s[2];
		d[3] = s[3];
		d[4] = s[4];
		d[5] = s[5];
		d[6] = s[6];
		d[7] = s[7];
	}
	__asm__ volatile("rep movsb" : "+D"(d), "+S"(s), "+c"(n) : : "memory");
	return dst;
}

/* Forward copy when dst is below src (or they don't overlap), else copy
 * backwards with DF set; the ABI requires DF clear again on return. */
void *memmove(void *dst, const void *src, size_t n)
{
	if ((uintptr_t)dst <= (uintptr_t)src || (uintptr_t)dst >= (uintptr_t)src + n)
		return memcpy(dst, src, n);
	void *d = (char *)dst + n - 1;
	const void *s = (const char *)src + n - 1;
	__asm__ volatile("std\n\trep movsb\n\tcld" : "+D"(d), "+S"(s), "+c"(n) : : "memory");
	return dst;
}

/* Eight words per step for the bulk, like memcpy and for the same
 * reason (BSS, boot block and page-table zeroing), the tail by bytes. */
NO_LIBCALLS void *memset(void *dst, int c, size_t n)
{
	any_word *d = dst;
	size_t w = (unsigned char)c * (SIZE_MAX / 0xff); /* the byte in every lane */
	for (; n >= 8 * sizeof(size_t); n -= 8 * sizeof(size_t), d += 8) {
		d[0] = w;
		d[1] = w;
		d[2] = w;
		d[3] = w;
		d[4] = w;
		d[5] = w;
		d[6] = w;
		d[7] = w;
	}
	__asm__ volatile("rep stosb" : "+D"(d), "+c"(n) : "a"(c) : "memory");
	return dst;
}

NO_LIBCALLS int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *p = a, *q = b;
	for (size_t i = 0; i < n; i++)
		if (p[i] != q[i])
			return p[i] < q[i] ? -1 : 1;
	return 0;
}

NO_LIBCALLS size_t strlen(const char *s)
{
	size_t n = 0;
	while (s[n])
		n++;
	return n;
}

NO_LIBCALLS size_t strnlen(const char *s, size_t max)
{
	size_t n = 0;
	while (n < max && s[n])
		n++;
	return n;
}

int strcmp(const char *a, const char *b)
{
	const unsigned char *p = (const unsigned char *)a, *q = (const unsigned char *)b;
	while (*p && *p == *q) {
		p++;
		q++;
	}
	return *p == *q ? 0 : (*p < *q ? -1 : 1);
}

int strncmp(const char *a, const char *b, size_t n)
{
	const unsigned char *p = (const unsigned char *)a, *q = (const unsigned char *)b;
	for (size_t i = 0; i < n; i++) {
		if (p[i] != q[i])
			return p[i] < q[i] ? -1 : 1;
		if (!p[i])
			break;
	}
	return 0;
}

/* As in C11 7.24.5.2, the terminating NUL counts as part of the string, so
 * strchr(s, 0) finds the end. */
NO_LIBCALLS char *strchr(const char *s, int c)
{
	for (;; s++) {
		if (*s == (char)c)
			return (char *)s;
		if (!*s)
			return NULL;
	}
}

NO_LIBCALLS char *strrchr(const char *s, int c)
{
	const char *last = NULL;
	for (;; s++) {
		if (*s == (char)c)
			last = s;
		if (!*s)
			return (char *)last;
	}
}
