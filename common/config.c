/* common/config.c - parse /boot/twinboot.cfg (format in config.h).
 *
 * The text is walked in place as (pointer, length) spans, never copied into
 * a line buffer, so a damaged file of any size or content costs nothing but
 * an error message. '#' starts a comment wherever it appears, so values
 * (including cmdline=) cannot contain one. A UTF-8 byte-order mark and
 * CRLF line ends, as Windows editors write them, are accepted.
 */
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "lib.h"

/* Largest video mode side accepted: beyond any real screen, small enough
 * that width * height * 4 cannot overflow 32 bits downstream. */
#define VIDEO_SIDE_MAX 16384
/* How much of a bad line or key an error message quotes. */
#define QUOTE_MAX 48

struct span {
	const char *p;
	size_t n;
};

static int is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

static struct span trim(struct span s)
{
	while (s.n && is_blank(s.p[0])) {
		s.p++;
		s.n--;
	}
	while (s.n && is_blank(s.p[s.n - 1]))
		s.n--;
	return s;
}

static int span_is(struct span s, const char *word)
{
	return s.n == strlen(word) && memcmp(s.p, word, s.n) == 0;
}

static int quote_len(struct span s)
{
	return (int)(s.n < QUOTE_MAX ? s.n : QUOTE_MAX);
}

/* Copy a path value into dst (CONFIG_PATH_MAX bytes). */
static int set_path(char *dst, struct span v, unsigned line, const char *key, struct error *err)
{
	if (v.n == 0)
		return error_set(err, "config: line %u: %s= needs a path", line, key);
	if (v.n >= CONFIG_PATH_MAX)
		return error_set(err, "config: line %u: %s path longer than %u bytes", line, key,
		                 CONFIG_PATH_MAX - 1);
	memcpy(dst, v.p, v.n);
	dst[v.n] = 0;
	return 0;
}

/* A decimal number of 1 to 5 digits from *s, advancing it; -1 if none. */
static long take_number(struct span *s)
{
	long v = 0;
	size_t i = 0;
	while (i < s->n && i < 6 && s->p[i] >= '0' && s->p[i] <= '9')
		v = v * 10 + (s->p[i++] - '0');
	if (i == 0 || i > 5)
		return -1;
	s->p += i;
	s->n -= i;
	return v;
}

/* WIDTHxHEIGHT, both in 1..VIDEO_SIDE_MAX, or 0x0 for "keep the mode". */
static int parse_video(struct span v, struct config *cfg, unsigned line, struct error *err)
{
	struct span s = v;
	long w = take_number(&s);
	long h = -1;
	if (w >= 0 && s.n && (s.p[0] == 'x' || s.p[0] == 'X')) {
		s.p++;
		s.n--;
		h = take_number(&s);
	}
	int ok = w >= 0 && h >= 0 && s.n == 0 && (w == 0) == (h == 0) && w <= VIDEO_SIDE_MAX &&
	         h <= VIDEO_SIDE_MAX;
	if (!ok)
		return error_set(err, "config: line %u: video '%.*s' is not WIDTHxHEIGHT", line,
		                 quote_len(v), v.p);
	cfg->video_width = (uint32_t)w;
	cfg->video_height = (uint32_t)h;
	return 0;
}

/* One key=value pair, both trimmed. */
static int apply(struct config *cfg, unsigned line, struct span key, struct span v,
                 struct error *err)
{
	if (span_is(key, "kernel"))
		return set_path(cfg->kernel, v, line, "kernel", err);
	if (span_is(key, "module")) {
		if (cfg->module_count == CONFIG_MODULES_MAX)
			return error_set(err, "config: line %u: more than %u module= lines", line,
			                 CONFIG_MODULES_MAX);
		if (set_path(cfg->modules[cfg->module_count], v, line, "module", err))
			return -1;
		cfg->module_count++;
		return 0;
	}
	if (span_is(key, "cmdline")) {
		if (v.n >= CONFIG_CMDLINE_MAX)
			return error_set(err, "config: line %u: cmdline longer than %u bytes", line,
			                 CONFIG_CMDLINE_MAX - 1);
		memcpy(cfg->cmdline, v.p, v.n);
		cfg->cmdline[v.n] = 0;
		return 0;
	}
	if (span_is(key, "video"))
		return parse_video(v, cfg, line, err);
	if (span_is(key, "serial")) {
		if (!span_is(v, "on") && !span_is(v, "off"))
			return error_set(err, "config: line %u: serial '%.*s' is not on or off",
			                 line, quote_len(v), v.p);
		cfg->serial = span_is(v, "on");
		return 0;
	}
	if (span_is(key, "disk")) {
		if (!span_is(v, "native") && !span_is(v, "firmware"))
			return error_set(err,
			                 "config: line %u: disk '%.*s' is not native or firmware",
			                 line, quote_len(v), v.p);
		cfg->native_disk = span_is(v, "native");
		return 0;
	}
	if (span_is(key, "verbose")) {
		if (!span_is(v, "0") && !span_is(v, "1"))
			return error_set(err, "config: line %u: verbose '%.*s' is not 0 or 1", line,
			                 quote_len(v), v.p);
		cfg->verbose = span_is(v, "1");
		return 0;
	}
	return error_set(err, "config: line %u: unknown key '%.*s'", line, quote_len(key), key.p);
}

static void set_defaults(struct config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	str_copy(cfg->kernel, "/boot/kernel.elf", sizeof(cfg->kernel));
	cfg->serial = 1;
	cfg->native_disk = 1;
}

int config_parse(const char *text, size_t len, struct config *cfg, struct error *err)
{
	set_defaults(cfg);
	if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0) {
		text += 3;
		len -= 3;
	}
	unsigned line = 0, settings = 0;
	size_t at = 0;
	while (at < len) {
		/* One pass over the line: where it ends, where a comment and
		 * the first '=' before it start, and no NUL, which would
		 * silently cut a value short further on. */
		const char *p = text + at;
		size_t n = 0, comment = SIZE_MAX, eq = SIZE_MAX;
		line++;
		for (; at + n < len && p[n] != '\n'; n++) {
			if (p[n] == 0)
				return error_set(err, "config: line %u: NUL byte at column %u",
				                 line, (unsigned)n + 1);
			if (p[n] == '#' && comment == SIZE_MAX)
				comment = n;
			if (p[n] == '=' && eq == SIZE_MAX && comment == SIZE_MAX)
				eq = n;
		}
		at += n + 1;
		struct span s = trim((struct span){p, comment < n ? comment : n});
		if (s.n == 0)
			continue;
		struct span key = trim((struct span){p, eq < n ? eq : 0});
		if (eq == SIZE_MAX || key.n == 0)
			return error_set(err, "config: line %u: expected key=value, got '%.*s'",
			                 line, quote_len(s), s.p);
		size_t end = (size_t)(s.p - p) + s.n; /* past the value */
		struct span v = trim((struct span){p + eq + 1, end - eq - 1});
		if (apply(cfg, line, key, v, err))
			return -1;
		settings++;
	}
	if (settings == 0)
		return error_set(err, "config: no settings (file empty or only comments)");
	return 0;
}

const char *config_basename(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? slash + 1 : path;
}
