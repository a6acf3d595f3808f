/* common/uart.h - COM1, a 16550 UART at I/O port 0x3f8, written by
 * polling: both loaders' serial output, and the demo kernel's. */
#ifndef TWINBOOT_UART_H
#define TWINBOOT_UART_H

#include <stddef.h>

/* Find the UART and make it ready: 115200 8N1 with its FIFOs on. With
 * keep_8n1, a line the firmware already set to 8N1 keeps its speed (UEFI
 * firmware sets up the port it mirrors its console to); the BIOS loader
 * sets the speed itself. Returns 0 when no UART answers; writes then do
 * nothing. */
int uart_init(int keep_8n1);

/* Write len bytes, each '\n' as "\r\n". */
void uart_write(const char *text, size_t len);

#endif
