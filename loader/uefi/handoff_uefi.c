/* loader/uefi/handoff_uefi.c - after ExitBootServices: COM1 by hand, and
 * the jump into the kernel.
 *
 * The switch to the kernel's page tables runs from the loader's own code,
 * which the new tables identity-map only below 4 GiB; OVMF loads images
 * below 4 GiB, and we check it rather than assume it. The GDT is ours
 * (in the image, so LOADER memory): the firmware's lives in boot-services
 * memory the kernel may reuse at once.
 */
#include <efi.h>

#include "log.h"
#include "platform.h"
#include "portio.h"
#include "uefi.h"

#define COM1 0x3f8

void uefi_serial_write(const char *text, size_t len)
{
	if (!log_serial_enabled)
		return;
	for (size_t i = 0; i < len; i++) {
		if (text[i] == '\n')
			uefi_serial_write("\r", 1);
		/* Wait for the transmit holding register, but not forever:
		 * a machine without a UART must not hang here. */
		for (int spin = 0; spin < 100000 && !(inb(COM1 + 5) & 0x20); spin++)
			;
		outb(COM1, (uint8_t)text[i]);
	}
}

/* Null, 64-bit code (0x08), data (0x10). */
static const uint64_t gdt[3] = {0, 0x00af9a000000ffffull, 0x00cf92000000ffffull};

void platform_enter_kernel(uint64_t pml4, uint64_t entry, uint64_t stack_top, uint64_t bootinfo,
                           int nx)
{
	struct __attribute__((packed)) {
		uint16_t limit;
		uint64_t base;
	} gdtr = {sizeof(gdt) - 1, (uint64_t)(uintptr_t)gdt};
	uint64_t here = (uint64_t)(uintptr_t)&platform_enter_kernel;
	if (here >= 0x100000000ull)
		log_fatal("uefi: the loader runs at 0x%llx, above the 4 GiB identity map",
		          (unsigned long long)here);

	__asm__ volatile("cli");
	if (nx) {
		/* EFER.NXE before CR3: NX bits with NXE clear are reserved-bit faults. */
		uint32_t lo, hi;
		__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(0xc0000080));
		lo |= 1u << 11;
		__asm__ volatile("wrmsr" : : "a"(lo), "d"(hi), "c"(0xc0000080));
	}
	__asm__ volatile("lgdt %0\n\t"
	                 "pushq $0x08\n\t"
	                 "leaq 1f(%%rip), %%rax\n\t"
	                 "pushq %%rax\n\t"
	                 "lretq\n"
	                 "1:\n\t"
	                 "movw $0x10, %%ax\n\t"
	                 "movw %%ax, %%ds\n\t"
	                 "movw %%ax, %%es\n\t"
	                 "movw %%ax, %%ss\n\t"
	                 "movq %%cr0, %%rax\n\t"
	                 "orq $0x10000, %%rax\n\t" /* CR0.WP */
	                 "movq %%rax, %%cr0\n\t"
	                 "movq %1, %%cr3\n\t" /* from here on, the kernel's tables */
	                 "movq %2, %%rsp\n\t"
	                 "xorl %%ebp, %%ebp\n\t"
	                 "cld\n\t"
	                 "jmp *%3"
	                 :
	                 : "m"(gdtr), "r"(pml4), "r"(stack_top), "r"(entry), "D"(bootinfo)
	                 : "rax", "memory");
	__builtin_unreachable();
}
