/* kernel/idt.h - the interrupt descriptor table: a gate for each of the 32
 * CPU exceptions, all reporting through exception_handler() and halting. */
#ifndef KERNEL_IDT_H
#define KERNEL_IDT_H

#include <stdint.h>

/* What isr.asm leaves on the stack, lowest address first. */
struct trap_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error; /* error is 0 when the CPU pushes none */
	uint64_t rip, cs, rflags, rsp, ss;
};

/* Fill and load the IDT; the double fault gets IST1 (gdt_init first). */
void idt_init(void);

/* Called by isr.asm: print the exception and the registers, then halt. */
void exception_handler(struct trap_frame *f);

#endif
