/* kernel/conformance.h - the kernel's test modes, chosen on the command
 * line: `test` checks what the loader promised in docs/ABI.md and ends
 * QEMU through isa-debug-exit; `test=pagefault` and `test=stackoverflow`
 * fault on purpose so tests see the exception handlers work. */
#ifndef KERNEL_CONFORMANCE_H
#define KERNEL_CONFORMANCE_H

#include "bootinfo.h"

/* isa-debug-exit (-device isa-debug-exit,iobase=0xf4,iosize=0x04): QEMU
 * exits with status (value << 1) | 1, so 33 for pass and 35 for fail. */
#define DEBUG_EXIT_PORT 0xf4
#define DEBUG_EXIT_PASS 0x10
#define DEBUG_EXIT_FAIL 0x11

/* Run every check, print one line each and a summary, exit QEMU with the
 * pass or fail code, and halt if QEMU is still there. */
__attribute__((noreturn)) void conformance_run(const struct tb_bootinfo *bi);

/* Read an unmapped address: the #PF handler reports and halts. */
__attribute__((noreturn)) void conformance_page_fault(void);
/* Recurse until the stack runs into its guard page: #PF cannot push its
 * frame there, so the CPU raises #DF, which runs on IST1 and reports. */
__attribute__((noreturn)) void conformance_stack_overflow(void);

#endif
