/* loader/uefi/handoff_uefi.c - the jump into the kernel.
 *
 * The new page tables identity-map only the first 4 GiB, and the firmware
 * may have loaded BOOTX64.EFI anywhere (OVMF picks low memory, other
 * firmwares need not). So before ExitBootServices we copy a position-
 * independent trampoline and our GDT into one page allocated below 4 GiB
 * (LOADER memory: the kernel keeps it until it has its own GDT), and the
 * CR3 switch runs from there. The firmware's GDT lives in boot-services
 * memory the kernel may reuse at once, hence our own.
 * Sequence: Intel SDM vol. 3A 9.8.5 "Initializing IA-32e Mode" (we are in
 * it already: only segments, EFER.NXE, CR0.WP and CR3 change).
 */
#include <efi.h>

#include "lib.h"
#include "log.h"
#include "platform.h"
#include "uefi.h"

#define MSR_EFER 0xc0000080u
#define EFER_NXE (1u << 11)
#define CR0_WP (1ull << 16)
#define FOUR_GIB 0x100000000ull

/* Null, 64-bit code (0x08: L=1, DPL 0), data (0x10): as the BIOS path. */
static const uint64_t gdt_template[3] = {0, 0x00af9a000000ffffull, 0x00cf92000000ffffull};

/* trampoline(pml4 = rdi, entry = rsi, stack_top = rdx, bootinfo = rcx),
 * SysV ABI. Runs with paging and the GDT already as the kernel expects;
 * after the CR3 load only this page (identity-mapped) is fetched from,
 * and nothing touches the old stack. */
extern const uint8_t trampoline_start[] __attribute__((visibility("hidden")));
extern const uint8_t trampoline_end[] __attribute__((visibility("hidden")));
__asm__(".pushsection .text\n"
        "trampoline_start:\n\t"
        "movq %rdi, %cr3\n\t" /* the kernel's tables from here on */
        "movq %rdx, %rsp\n\t"
        "movq %rcx, %rdi\n\t"
        "xorl %ebp, %ebp\n\t"
        "cld\n\t"
        "jmp *%rsi\n"
        "trampoline_end:\n"
        ".popsection");

/* The page: GDT at offset 0, trampoline code at 64. */
#define TRAMPOLINE_CODE 64
static uint8_t *handoff_page;

int uefi_handoff_prepare(struct error *err)
{
	uint64_t phys = platform_alloc_pages(1, TB_MEM_LOADER, FOUR_GIB);
	if (!phys)
		return error_set(err, "uefi: no page below 4 GiB for the kernel hand-off");
	handoff_page = phys_ptr(phys);
	memcpy(handoff_page, gdt_template, sizeof(gdt_template));
	memcpy(handoff_page + TRAMPOLINE_CODE, trampoline_start,
	       (size_t)(trampoline_end - trampoline_start));
	return 0;
}

static void load_gdt(void)
{
	struct __attribute__((packed)) {
		uint16_t limit;
		uint64_t base;
	} gdtr = {sizeof(gdt_template) - 1, (uint64_t)(uintptr_t)handoff_page};
	/* A far return reloads CS (no far jmp to a 64-bit offset exists);
	 * then the data segments. FS/GS stay: nothing uses them. */
	__asm__ volatile("lgdt %0\n\t"
	                 "pushq $0x08\n\t"
	                 "leaq 1f(%%rip), %%rax\n\t"
	                 "pushq %%rax\n\t"
	                 "lretq\n"
	                 "1:\n\t"
	                 "movw $0x10, %%ax\n\t"
	                 "movw %%ax, %%ds\n\t"
	                 "movw %%ax, %%es\n\t"
	                 "movw %%ax, %%ss"
	                 :
	                 : "m"(gdtr)
	                 : "rax", "memory");
}

void platform_enter_kernel(uint64_t pml4, uint64_t entry, uint64_t stack_top, uint64_t bootinfo,
                           int nx, uint64_t idtr)
{
	if (!handoff_page)
		log_fatal("uefi: platform_enter_kernel before uefi_handoff_prepare");
	__asm__ volatile("cli");
	load_gdt();
	/* The early IDT (common/early_idt.h): the firmware's is gone with
	 * ExitBootServices, and a fault now should be named, not a reset. */
	__asm__ volatile("lidt (%0)" : : "r"(idtr) : "memory");
	if (nx) {
		/* EFER.NXE before CR3: with NXE clear, an NX bit in the new
		 * tables is a reserved bit, and the first fetch faults. */
		uint32_t lo, hi;
		__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(MSR_EFER));
		__asm__ volatile("wrmsr" : : "a"(lo | EFER_NXE), "d"(hi), "c"(MSR_EFER));
	}
	/* CR0.WP: read-only pages are read-only for the kernel too. */
	uint64_t cr0;
	__asm__ volatile("movq %%cr0, %0" : "=r"(cr0));
	__asm__ volatile("movq %0, %%cr0" : : "r"(cr0 | CR0_WP) : "memory");

	void (*trampoline)(uint64_t, uint64_t, uint64_t, uint64_t) =
	    (void (*)(uint64_t, uint64_t, uint64_t, uint64_t))(handoff_page + TRAMPOLINE_CODE);
	trampoline(pml4, entry, stack_top, bootinfo);
	__builtin_unreachable();
}
