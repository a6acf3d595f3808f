/* common/fmt.c - printf-style formatting over a sink callback (see fmt.h).
 *
 * Follows C11 7.21.6.1 for the conversions it supports, so the unit tests can
 * compare it with the host's snprintf. Integers are formatted as uint64_t;
 * in the 32-bit BIOS build the division by 10 comes from libgcc. An unknown
 * conversion is printed as written, so a bad format shows up on the screen.
 */
#include <stdarg.h>
#include <stdint.h>

#include "fmt.h"

#define F_LEFT 1u  /* '-' */
#define F_ZERO 2u  /* '0' */
#define F_SPACE 4u /* ' ' */
#define F_PLUS 8u  /* '+' */
#define F_HASH 16u /* '#' */

/* Width and precision beyond this are clamped: no real format needs more,
 * and it keeps every count below in int range. */
#define FIELD_MAX 4096

struct spec {
	unsigned flags;
	int width;
	int prec; /* -1: not given */
	char len; /* 0, h, l, z, j, t; H = hh, L = ll */
	char conv;
};

struct out {
	fmt_sink sink;
	void *ctx;
	int count;
};

static void emit(struct out *o, const char *s, size_t n)
{
	if (n) {
		o->sink(o->ctx, s, n);
		o->count += (int)n;
	}
}

static void pad(struct out *o, char c, int n)
{
	char chunk[16];
	for (unsigned i = 0; i < sizeof(chunk); i++)
		chunk[i] = c;
	while (n > 0) {
		int k = n < (int)sizeof(chunk) ? n : (int)sizeof(chunk);
		emit(o, chunk, (size_t)k);
		n -= k;
	}
}

/* One string, padded to the field width on the side the flags say. */
static void put_str(struct out *o, const struct spec *sp, const char *s, size_t n)
{
	int fill = sp->width - (int)n;
	if (!(sp->flags & F_LEFT))
		pad(o, ' ', fill);
	emit(o, s, n);
	if (sp->flags & F_LEFT)
		pad(o, ' ', fill);
}

static void put_int(struct out *o, const struct spec *sp, uint64_t v, int negative)
{
	const char *set = sp->conv == 'X' ? "0123456789ABCDEF" : "0123456789abcdef";
	char digits[24]; /* 2^64 in octal is 22 digits */
	char prefix[2];
	int n = 0, plen = 0;
	int is_signed = sp->conv == 'd' || sp->conv == 'i';
	int hex = sp->conv == 'x' || sp->conv == 'X' || sp->conv == 'p';

	/* Digits are built from the end of the buffer, least significant
	 * first. Precision 0 with value 0 prints none (7.21.6.1p8). */
	if (v != 0 || sp->prec != 0) {
		do {
			if (hex) {
				digits[sizeof(digits) - ++n] = set[v & 15];
				v >>= 4;
			} else if (sp->conv == 'o') {
				digits[sizeof(digits) - ++n] = set[v & 7];
				v >>= 3;
			} else {
				digits[sizeof(digits) - ++n] = set[v % 10];
				v /= 10;
			}
		} while (v);
	}
	const char *first = digits + sizeof(digits) - n;
	if (negative)
		prefix[plen++] = '-';
	else if (is_signed && (sp->flags & F_PLUS))
		prefix[plen++] = '+';
	else if (is_signed && (sp->flags & F_SPACE))
		prefix[plen++] = ' ';
	/* '#' adds 0x to non-zero hex; %p always has it. */
	if (sp->conv == 'p' || (hex && (sp->flags & F_HASH) && n && !(n == 1 && first[0] == '0'))) {
		prefix[plen++] = '0';
		prefix[plen++] = sp->conv == 'X' ? 'X' : 'x';
	}
	int zeros = sp->prec > n ? sp->prec - n : 0;
	/* '#' with octal forces a leading 0 digit. */
	if (sp->conv == 'o' && (sp->flags & F_HASH) && zeros == 0 && (n == 0 || first[0] != '0'))
		zeros = 1;
	int total = plen + zeros + n;
	if ((sp->flags & (F_ZERO | F_LEFT)) == F_ZERO && sp->prec < 0 && sp->width > total) {
		zeros += sp->width - total;
		total = sp->width;
	}
	if (!(sp->flags & F_LEFT))
		pad(o, ' ', sp->width - total);
	emit(o, prefix, (size_t)plen);
	pad(o, '0', zeros);
	emit(o, first, (size_t)n);
	if (sp->flags & F_LEFT)
		pad(o, ' ', sp->width - total);
}

/* Parse a decimal field; clamps instead of overflowing. */
static int parse_num(const char **p)
{
	int v = 0;
	while (**p >= '0' && **p <= '9') {
		if (v < FIELD_MAX)
			v = v * 10 + (**p - '0');
		(*p)++;
	}
	return v < FIELD_MAX ? v : FIELD_MAX;
}

static unsigned flag_bit(char c)
{
	switch (c) {
	case '-':
		return F_LEFT;
	case '0':
		return F_ZERO;
	case ' ':
		return F_SPACE;
	case '+':
		return F_PLUS;
	case '#':
		return F_HASH;
	default:
		return 0;
	}
}

static int clamp_field(int v)
{
	return v > FIELD_MAX ? FIELD_MAX : v;
}

/* Flags, width, precision and length of one directive; *p is past the '%'
 * on entry and on the conversion character on return. */
static void parse_spec(const char **pp, va_list *ap, struct spec *sp)
{
	const char *p = *pp;
	sp->flags = 0;
	sp->prec = -1;
	for (unsigned f; (f = flag_bit(*p)) != 0; p++)
		sp->flags |= f;
	if (*p == '*') {
		p++;
		sp->width = va_arg(*ap, int);
		/* A negative '*' width means '-' (7.21.6.1p5). */
		if (sp->width < 0) {
			sp->flags |= F_LEFT;
			sp->width = sp->width < -FIELD_MAX ? FIELD_MAX : -sp->width;
		}
		sp->width = clamp_field(sp->width);
	} else {
		sp->width = parse_num(&p);
	}
	if (*p == '.') {
		p++;
		if (*p == '*') {
			p++;
			sp->prec = va_arg(*ap, int);
			sp->prec = sp->prec < 0 ? -1 : clamp_field(sp->prec);
		} else {
			sp->prec = parse_num(&p);
		}
	}
	/* Length: 'H' stands for hh and 'L' for ll. */
	sp->len = 0;
	if (*p == 'h' || *p == 'l') {
		sp->len = *p++;
		if (*p == sp->len) {
			sp->len = sp->len == 'h' ? 'H' : 'L';
			p++;
		}
	} else if (*p == 'z' || *p == 'j' || *p == 't') {
		sp->len = *p++;
	}
	sp->conv = *p;
	*pp = p;
}

/* The argument of a signed conversion, converted back to its own type
 * first (%hhd of 300 prints 44, as printf does). */
static intmax_t arg_signed(va_list *ap, char len)
{
	switch (len) {
	case 'H':
		return (signed char)va_arg(*ap, int);
	case 'h':
		return (short)va_arg(*ap, int);
	case 'l':
		return va_arg(*ap, long);
	case 'L':
		return va_arg(*ap, long long);
	case 'z':
		return (ptrdiff_t)va_arg(*ap, size_t);
	case 'j':
		return va_arg(*ap, intmax_t);
	case 't':
		return va_arg(*ap, ptrdiff_t);
	default:
		return va_arg(*ap, int);
	}
}

static uintmax_t arg_unsigned(va_list *ap, char len)
{
	switch (len) {
	case 'H':
		return (unsigned char)va_arg(*ap, unsigned);
	case 'h':
		return (unsigned short)va_arg(*ap, unsigned);
	case 'l':
		return va_arg(*ap, unsigned long);
	case 'L':
		return va_arg(*ap, unsigned long long);
	case 'z':
		return va_arg(*ap, size_t);
	case 'j':
		return va_arg(*ap, uintmax_t);
	case 't':
		return (size_t)va_arg(*ap, ptrdiff_t);
	default:
		return va_arg(*ap, unsigned);
	}
}

/* One directive whose spec is parsed; returns 0 when the format ended
 * inside it. */
static int put_directive(struct out *o, const struct spec *sp, va_list *ap)
{
	switch (sp->conv) {
	case 'd':
	case 'i': {
		intmax_t v = arg_signed(ap, sp->len);
		/* Negate in unsigned arithmetic so INTMAX_MIN works. */
		put_int(o, sp, v < 0 ? -(uint64_t)v : (uint64_t)v, v < 0);
		return 1;
	}
	case 'u':
	case 'x':
	case 'X':
	case 'o':
		put_int(o, sp, arg_unsigned(ap, sp->len), 0);
		return 1;
	case 'p':
		put_int(o, sp, (uintptr_t)va_arg(*ap, void *), 0);
		return 1;
	case 'c': {
		char c = (char)va_arg(*ap, int);
		put_str(o, sp, &c, 1);
		return 1;
	}
	case 's': {
		const char *s = va_arg(*ap, const char *);
		if (!s)
			s = "(null)";
		size_t n = 0;
		/* With a precision, s need not be terminated: stop before
		 * reading past it (7.21.6.1p8). */
		while ((sp->prec < 0 || n < (size_t)sp->prec) && s[n])
			n++;
		put_str(o, sp, s, n);
		return 1;
	}
	case '%':
		emit(o, "%", 1);
		return 1;
	default:
		return 0;
	}
}

int fmt_vformat(fmt_sink sink, void *ctx, const char *fmt, va_list ap)
{
	struct out o = {sink, ctx, 0};
	const char *p = fmt;
	va_list args;
	/* A copy, so helpers can take its address portably (a va_list
	 * parameter may be an array that decayed to a pointer). */
	va_copy(args, ap);
	while (*p) {
		const char *lit = p;
		while (*p && *p != '%')
			p++;
		emit(&o, lit, (size_t)(p - lit));
		if (!*p)
			break;
		const char *start = p++;
		struct spec sp;
		parse_spec(&p, &args, &sp);
		if (!put_directive(&o, &sp, &args)) {
			/* Unknown or cut short: show the directive as written. */
			if (!*p) {
				emit(&o, start, (size_t)(p - start));
				break;
			}
			emit(&o, start, (size_t)(p + 1 - start));
		}
		p++;
	}
	va_end(args);
	return o.count;
}

int fmt_format(fmt_sink sink, void *ctx, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = fmt_vformat(sink, ctx, fmt, ap);
	va_end(ap);
	return n;
}

struct buf_sink {
	char *buf;
	size_t size; /* room for text, excluding the NUL */
	size_t used;
};

static void buf_write(void *ctx, const char *text, size_t len)
{
	struct buf_sink *b = ctx;
	for (size_t i = 0; i < len && b->used < b->size; i++)
		b->buf[b->used++] = text[i];
}

int fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct buf_sink b = {buf, size ? size - 1 : 0, 0};
	int n = fmt_vformat(buf_write, &b, fmt, ap);
	if (size)
		buf[b.used] = 0;
	return n;
}

int fmt_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = fmt_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
