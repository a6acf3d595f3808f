/* common/fmt.h - a small printf-style formatter over a sink callback.
 *
 * Freestanding, no floating point. Conversions: %d %i %u %x %X %o %c %s %p
 * %%, the length modifiers hh h l ll z j t, flags '-' '0' ' ' '+' '#',
 * width and precision (both also as '*'). The loaders' log, the kernel's
 * kprintf and error_set() all use it, so one tested formatter prints
 * everything twinboot shows.
 */
#ifndef TWINBOOT_FMT_H
#define TWINBOOT_FMT_H

#include <stdarg.h>
#include <stddef.h>

typedef void (*fmt_sink)(void *ctx, const char *text, size_t len);

/* Format to the sink; returns the number of characters produced. */
int fmt_vformat(fmt_sink sink, void *ctx, const char *fmt, va_list ap);
int fmt_format(fmt_sink sink, void *ctx, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* snprintf semantics: always NUL-terminates when size > 0, returns the
 * length the full output would have had. */
int fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int fmt_snprintf(char *buf, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
