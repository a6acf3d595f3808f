/* common/log.c - the loaders' messages: screen, serial and the boot log.
 *
 * Each line goes to platform_write() and into a fixed buffer that boot.c
 * copies into the boot info, so the kernel can show what the loader saw.
 * When the buffer fills, the oldest text is kept and the rest is counted
 * as lost: the first lines (firmware, disk, files) matter most.
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

static void log_sink(void *ctx, const char *text, size_t len)
{
	(void)ctx;
	platform_write(text, len);
	size_t room = sizeof(log_buffer) - log_used;
	size_t n = len < room ? len : room;
	memcpy(log_buffer + log_used, text, n);
	log_used += n;
}

static void log_line(const char *prefix, const char *fmt, va_list ap)
{
	if (prefix)
		log_sink(NULL, prefix, strlen(prefix));
	fmt_vformat(log_sink, NULL, fmt, ap);
	log_sink(NULL, "\n", 1);
}

void log_info(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	log_line(NULL, fmt, ap);
	va_end(ap);
}

void log_verbose(const char *fmt, ...)
{
	if (!log_verbose_enabled)
		return;
	va_list ap;
	va_start(ap, fmt);
	log_line(NULL, fmt, ap);
	va_end(ap);
}

void log_fatal(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	log_line("twinboot: error: ", fmt, ap);
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
	log_used = 0;
	log_verbose_enabled = 0;
	log_serial_enabled = 1;
}
