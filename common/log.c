/* common/log.c - the loaders' messages: screen, serial and the boot log.
 *
 * Each line goes into a fixed buffer that boot.c copies into the boot
 * info, so the kernel can show what the loader saw, and from there to
 * platform_write() in one call. When the buffer fills, the oldest text is
 * kept and the rest is only written: the first lines (firmware, disk,
 * files) matter most.
 */
#include <stdarg.h>

#include "fmt.h"
#include "lib.h"
#include "log.h"
#include "platform.h"

int log_verbose_enabled;
int log_serial_enabled = 1;

static char log_buffer[LOG_BUFFER_SIZE];
static size_t log_used;
/* The current line's text not yet written: log_buffer[pending, log_used).
 * A line goes out in one platform_write, since each write costs a
 * firmware call (UEFI's ConOut: 0.4 ms and more under QEMU). */
static size_t pending;
/* A banner line held back (log_banner): log_buffer[held, held_end). */
static size_t held, held_end;

static void write_pending(void)
{
	if (log_used > pending)
		platform_write(log_buffer + pending, log_used - pending);
	pending = log_used;
}

static void log_sink(void *ctx, const char *text, size_t len)
{
	(void)ctx;
	size_t room = sizeof(log_buffer) - log_used;
	size_t n = len < room ? len : room;
	memcpy(log_buffer + log_used, text, n);
	log_used += n;
	if (n < len) { /* the buffer is full: the rest goes out as it comes */
		write_pending();
		platform_write(text + n, len - n);
	}
}

/* One line: `text` as it is, then `fmt` formatted, if given. */
static void log_line(const char *text, const char *fmt, va_list *ap, int hold)
{
	size_t start = log_used;
	log_release();
	pending = start;
	if (text)
		log_sink(NULL, text, strlen(text));
	if (fmt)
		fmt_vformat(log_sink, NULL, fmt, *ap);
	log_sink(NULL, "\n", 1);
	/* Held only when all of it is in the buffer (pending moves on when
	 * the buffer fills mid-line). */
	if (hold && pending == start && platform_write_is_slow()) {
		held = start;
		held_end = pending = log_used;
	}
	write_pending();
}

void log_release(void)
{
	if (held_end > held)
		platform_write(log_buffer + held, held_end - held);
	held = held_end = 0;
}

void log_banner(const char *text)
{
	log_line(text, NULL, NULL, 1);
}

void log_info(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	log_line(NULL, fmt, &ap, 0);
	va_end(ap);
}

void log_verbose_line(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	log_line(NULL, fmt, &ap, 0);
	va_end(ap);
}

void log_fatal(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	log_line("twinboot: error: ", fmt, &ap, 0);
	va_end(ap);
	platform_halt();
}

void log_fatal_error(const struct error *err)
{
	log_fatal("%s", err->msg[0] ? err->msg : "unknown error");
}

const char *log_text(size_t *len)
{
	*len = log_used;
	return log_buffer;
}

void log_reset(void)
{
	log_used = pending = held = held_end = 0;
	log_verbose_enabled = 0;
	log_serial_enabled = 1;
}
