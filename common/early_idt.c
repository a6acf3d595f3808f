/* common/early_idt.c - the IDT the kernel starts with (early_idt.h). */
#include "early_idt.h"
#include "layout.h"
#include "lib.h"
#include "log.h"
#include "platform.h"

/* early_fault.asm, assembled to a flat binary by the Makefile, and its size. */
extern const uint8_t early_fault_code[];
extern const uint32_t early_fault_size;
__asm__(".pushsection .rodata\n"
        ".globl early_fault_code, early_fault_size\n"
        ".balign 4\n"
        "early_fault_size: .long 2f - early_fault_code\n"
        "early_fault_code:\n"
        ".incbin \"" EARLY_FAULT_BIN "\"\n"
        "2:\n"
        ".popsection");

#define GATE_INTERRUPT 0x8eu /* present, DPL 0, 64-bit interrupt gate */

uint64_t early_idt_build(const struct tb_console *console, uint64_t page)
{
	size_t code_size = early_fault_size;
	if (code_size > PAGE_SIZE - EARLY_STUB)
		log_fatal("boot: early_fault.asm is %u bytes, more than its page holds",
		          (unsigned)code_size);
	uint8_t *p = phys_ptr(page);
	memset(p, 0, PAGE_SIZE);
	for (unsigned v = 0; v < EARLY_IDT_VECTORS; v++) {
		/* SDM vol. 3A figure 6-8: offset 15..0, selector, IST 0 (the
		 * kernel's stack), type; offset 31..16; offset 63..32, 0. */
		uint64_t target = page + EARLY_STUB + 16u * v;
		uint64_t gate[2] = {(target & 0xffff) | (uint64_t)EARLY_CODE_SELECTOR << 16 |
		                        (uint64_t)GATE_INTERRUPT << 40 |
		                        (target >> 16 & 0xffff) << 48,
		                    target >> 32};
		__builtin_memcpy(p + 16u * v, gate, sizeof(gate));
	}
	uint16_t limit = EARLY_IDT_VECTORS * 16 - 1;
	__builtin_memcpy(p + EARLY_IDTR, &limit, 2);
	__builtin_memcpy(p + EARLY_IDTR + 2, &page, 8);
	uint64_t vga = console->type == TB_CONSOLE_VGA_TEXT ? console->address : 0;
	__builtin_memcpy(p + EARLY_VGA, &vga, 8);
	memcpy(p + EARLY_STUB, early_fault_code, code_size);
	return page + EARLY_IDTR;
}
