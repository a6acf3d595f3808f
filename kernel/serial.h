/* kernel/serial.h - COM1 output, 115200 8N1. Every console line is
 * mirrored here; without a UART it stays silent. */
#ifndef KERNEL_SERIAL_H
#define KERNEL_SERIAL_H

#include <stddef.h>

/* Program COM1 and check it answers in loopback mode: 1 if it does. */
int serial_init(void);
/* Write n bytes, '\n' as "\r\n"; a no-op when serial_init found no UART. */
void serial_write(const char *s, size_t n);

#endif
