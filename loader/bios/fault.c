/* loader/bios/fault.c - turn a CPU exception in stage 2 into a message.
 *
 * An IDT of 32-bit interrupt gates (SDM vol. 3A 6.11) for the 32 exception
 * vectors, all pointing at isr.asm's stubs. realmode.asm reloads it after
 * every BIOS call, since real mode needs the IVT in IDTR instead.
 */
#include <stdint.h>

#include "bios.h"
#include "log.h"

#define FAULT_VECTORS 32u
#define FAULT_STUB_SIZE 16u    /* isr.asm's stub stride */
#define GATE_INTERRUPT_32 0x8e /* present, DPL 0, 32-bit interrupt gate */

struct idt_gate {
	uint16_t offset_low;
	uint16_t selector;
	uint8_t zero;
	uint8_t type;
	uint16_t offset_high;
};

struct idt_pointer {
	uint16_t limit;
	uint32_t base;
} __attribute__((packed));

extern char fault_stubs[];
_Noreturn void stage2_fault(uint32_t vector, uint32_t error, uint32_t eip);

static struct idt_gate idt[FAULT_VECTORS];
struct idt_pointer idt32_desc; /* realmode.asm loads it too */

static const char *const names[] = {
    "divide error",
    "debug",
    "NMI",
    "breakpoint",
    "overflow",
    "bound range",
    "invalid opcode",
    "device not available",
    "double fault",
    "coprocessor overrun",
    "invalid TSS",
    "segment not present",
    "stack fault",
    "general protection",
    "page fault",
    "reserved",
    "x87 error",
    "alignment check",
    "machine check",
    "SIMD error",
};

void fault_init(void)
{
	for (uint32_t i = 0; i < FAULT_VECTORS; i++) {
		uint32_t handler = (uint32_t)(uintptr_t)fault_stubs + i * FAULT_STUB_SIZE;
		idt[i].offset_low = (uint16_t)handler;
		idt[i].selector = 0x08;
		idt[i].zero = 0;
		idt[i].type = GATE_INTERRUPT_32;
		idt[i].offset_high = (uint16_t)(handler >> 16);
	}
	idt32_desc.limit = sizeof(idt) - 1;
	idt32_desc.base = (uint32_t)(uintptr_t)idt;
	__asm__ volatile("lidt %0" : : "m"(idt32_desc));
}

_Noreturn void stage2_fault(uint32_t vector, uint32_t error, uint32_t eip)
{
	log_fatal("stage 2: CPU exception %u (%s), error code 0x%x, at eip 0x%x", vector,
	          vector < sizeof(names) / sizeof(names[0]) ? names[vector] : "reserved", error,
	          eip);
}
