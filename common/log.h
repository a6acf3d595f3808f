/* common/log.h - the loaders' messages: screen, serial and the boot log.
 *
 * Every line a loader prints goes through here: to platform_write() (screen
 * and COM1) and into a buffer that boot.c hands to the kernel as the boot
 * info's log, so a kernel can show what the loader saw.
 */
#ifndef TWINBOOT_LOG_H
#define TWINBOOT_LOG_H

#include <stddef.h>

#include "error.h"

#define LOG_BUFFER_SIZE 16384

/* Set by config's verbose=1 (or a loader's own switch). */
extern int log_verbose_enabled;
/* Cleared by config's serial=off: platforms then keep COM1 quiet. */
extern int log_serial_enabled;

/* One line, "\n" appended. */
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The loader's banner: one line into the boot log now, but on screen and
 * serial only where that is cheap. While platform_write_is_slow() (UEFI
 * before ExitBootServices: ConOut costs about 1 ms a line under QEMU, a
 * tenth of a quiet boot) the line is held until the next line is logged,
 * so it still comes first, or until log_release(). A fixed text, not a
 * format: a quiet boot then never runs the formatter, whose first run
 * costs about 0.1 ms under QEMU's TCG (its code translated). */
void log_banner(const char *text);
/* Write the held banner, if any: boot.c calls it once the platform has
 * left the firmware (UEFI: to COM1, after ExitBootServices). */
void log_release(void);
/* One line, only with verbose=1. A quiet boot skips the call and its
 * arguments too: code run for nothing still costs its translation under
 * QEMU's TCG (about 1.5 us an instruction), at a dozen places a boot. */
#define log_verbose(...)                                                                           \
	do {                                                                                       \
		if (log_verbose_enabled)                                                           \
			log_verbose_line(__VA_ARGS__);                                             \
	} while (0)
void log_verbose_line(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "twinboot: error: <msg>" on its own line, then platform_halt(). */
_Noreturn void log_fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
_Noreturn void log_fatal_error(const struct error *err);

/* The text logged so far (kept even if it overflowed: the tail is cut). */
const char *log_text(size_t *len);

/* Forget everything logged (host tests run boot_main more than once). */
void log_reset(void);

#endif
