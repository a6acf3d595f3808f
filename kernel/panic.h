/* kernel/panic.h - stop the kernel with a message on every console. */
#ifndef KERNEL_PANIC_H
#define KERNEL_PANIC_H

/* Print "PANIC at file:line: message" in light red and halt for good. */
#define panic(...) panic_at(__FILE__, __LINE__, __VA_ARGS__)

__attribute__((noreturn, format(printf, 3, 4))) void panic_at(const char *file, int line,
                                                              const char *fmt, ...);

/* Print "kernel: halting" and stop: cli, then hlt forever. */
__attribute__((noreturn)) void kernel_halt(void);

#endif
