/* kernel/panic.c - the kernel's two ways to stop: panic() after something
 * went wrong, kernel_halt() when there is nothing left to do. Both leave
 * the CPU in a cli; hlt loop, so QEMU neither resets nor exits. */
#include "panic.h"

#include <stdarg.h>

#include "color.h"
#include "console.h"
#include "x86.h"

void panic_at(const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	__asm__ volatile("cli");
	console_set_color(COLOR_LIGHT_RED, COLOR_BLACK);
	kprintf("PANIC at %s:%d: ", file, line);
	va_start(ap, fmt);
	kvprintf(fmt, ap);
	va_end(ap);
	kprintf("\n");
	kernel_halt();
}

void kernel_halt(void)
{
	kprintf("kernel: halting\n");
	halt_forever();
}
