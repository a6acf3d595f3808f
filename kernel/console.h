/* kernel/console.h - the kernel's one output interface: the screen the
 * boot info describes (VGA text or framebuffer, if any) mirrored to COM1,
 * and kprintf on common/fmt.c over both. */
#ifndef KERNEL_CONSOLE_H
#define KERNEL_CONSOLE_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "bootinfo.h"

/* What console_init() made of the boot info's console. */
enum console_kind {
	CONSOLE_SERIAL_ONLY,
	CONSOLE_VGA,
	CONSOLE_FB,
};

/* Serial only until console_init() picks the screen from tb_console;
 * addresses are physical and reached at direct_map_offset + phys. A
 * framebuffer in a format fb.c can't draw leaves serial only. */
enum console_kind console_init(const struct tb_console *con, uint64_t direct_map_offset);
void console_clear(void);
/* COLOR_* foreground and background for text written from now on. */
void console_set_color(uint8_t fg, uint8_t bg);
void console_write(const char *s, size_t n);

int kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int kvprintf(const char *fmt, va_list ap);

#endif
