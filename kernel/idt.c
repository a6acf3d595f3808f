/* kernel/idt.c - the IDT and the one handler every exception reaches. It
 * prints which exception, where, the error code, CR2 for a page fault and
 * all general registers, then halts: the kernel has nothing to recover
 * with, and a message beats a triple-fault reset.
 * Intel SDM vol. 3A 6.10 "Interrupt Descriptor Table", 6.14.1 "64-Bit Mode
 * IDT" (16-byte gates), Table 6-1 (names and mnemonics). */
#include "idt.h"

#include "color.h"
#include "console.h"
#include "gdt.h"
#include "panic.h"
#include "x86.h"

#define VECTOR_DOUBLE_FAULT 8
#define VECTOR_PAGE_FAULT 14

struct idt_gate {
	uint16_t offset_low;
	uint16_t selector;
	uint8_t ist;       /* bits 0-2: IST index, 0 = stay on the current stack */
	uint8_t type_attr; /* P, DPL, type (0xe = 64-bit interrupt gate) */
	uint16_t offset_mid;
	uint32_t offset_high;
	uint32_t reserved;
};
_Static_assert(sizeof(struct idt_gate) == 16, "64-bit IDT gates are 16 bytes");

struct __attribute__((packed)) idt_pointer {
	uint16_t limit;
	uint64_t base;
};

extern const uint64_t isr_stub_table[32];

static struct idt_gate idt[32] __attribute__((aligned(16)));

static const char *const names[32][2] = {
    {"divide error", "#DE"},
    {"debug", "#DB"},
    {"non-maskable interrupt", "NMI"},
    {"breakpoint", "#BP"},
    {"overflow", "#OF"},
    {"BOUND range exceeded", "#BR"},
    {"invalid opcode", "#UD"},
    {"device not available", "#NM"},
    {"double fault", "#DF"},
    {"coprocessor segment overrun", "#CSO"},
    {"invalid TSS", "#TS"},
    {"segment not present", "#NP"},
    {"stack-segment fault", "#SS"},
    {"general protection", "#GP"},
    {"page fault", "#PF"},
    {"reserved", "#15"},
    {"x87 floating-point error", "#MF"},
    {"alignment check", "#AC"},
    {"machine check", "#MC"},
    {"SIMD floating-point", "#XM"},
    {"virtualization", "#VE"},
    {"control protection", "#CP"},
    {"reserved", "#22"},
    {"reserved", "#23"},
    {"reserved", "#24"},
    {"reserved", "#25"},
    {"reserved", "#26"},
    {"reserved", "#27"},
    {"hypervisor injection", "#HV"},
    {"VMM communication", "#VC"},
    {"security", "#SX"},
    {"reserved", "#31"},
};

void idt_init(void)
{
	for (unsigned v = 0; v < 32; v++) {
		uint64_t a = isr_stub_table[v];
		idt[v] = (struct idt_gate){
		    .offset_low = (uint16_t)a,
		    .selector = GDT_KERNEL_CODE,
		    .ist = v == VECTOR_DOUBLE_FAULT ? GDT_IST_DOUBLE_FAULT : 0,
		    .type_attr = 0x8e, /* present, DPL 0, interrupt gate: IF stays 0 */
		    .offset_mid = (uint16_t)(a >> 16),
		    .offset_high = (uint32_t)(a >> 32),
		};
	}
	struct idt_pointer p = {sizeof(idt) - 1, (uint64_t)(uintptr_t)idt};
	__asm__ volatile("lidt %0" : : "m"(p));
}

/* A page fault's error code, spelled out (SDM Figure 6-11). */
static void print_pf_error(uint64_t e)
{
	kprintf(
	    "  %s, %s access, %s mode%s%s\n", e & 1 ? "protection violation" : "page not present",
	    e & 2 ? "write" : (e & 16 ? "instruction fetch" : "read"), e & 4 ? "user" : "kernel",
	    e & 8 ? ", reserved bit set" : "", e & 32 ? ", protection key" : "");
}

static int on_df_stack(const struct trap_frame *f)
{
	uintptr_t p = (uintptr_t)f;
	return p >= (uintptr_t)gdt_df_stack && p < (uintptr_t)gdt_df_stack + GDT_DF_STACK_SIZE;
}

void exception_handler(struct trap_frame *f)
{
	static int depth;
	/* A fault while reporting one: printing again would likely fault
	 * again, so stop quietly rather than recurse into a triple fault. */
	if (depth++)
		halt_forever();
	unsigned v = (unsigned)f->vector & 31;
	console_set_color(COLOR_LIGHT_RED, COLOR_BLACK);
	kprintf("\nEXCEPTION: %s (%s) at RIP=0x%016lx", names[v][0], names[v][1], f->rip);
	if (v == VECTOR_PAGE_FAULT)
		kprintf(" CR2=0x%016lx", read_cr2());
	kprintf(" error=0x%lx vector=%u\n", f->error, v);
	if (v == VECTOR_PAGE_FAULT)
		print_pf_error(f->error);
	if (on_df_stack(f))
		kprintf("  (handled on the IST1 stack; the faulting RSP was 0x%016lx)\n", f->rsp);
	console_set_color(COLOR_LIGHT_GREY, COLOR_BLACK);
	kprintf("  RAX=%016lx RBX=%016lx RCX=%016lx\n", f->rax, f->rbx, f->rcx);
	kprintf("  RDX=%016lx RSI=%016lx RDI=%016lx\n", f->rdx, f->rsi, f->rdi);
	kprintf("  RBP=%016lx RSP=%016lx R8 =%016lx\n", f->rbp, f->rsp, f->r8);
	kprintf("  R9 =%016lx R10=%016lx R11=%016lx\n", f->r9, f->r10, f->r11);
	kprintf("  R12=%016lx R13=%016lx R14=%016lx\n", f->r12, f->r13, f->r14);
	kprintf("  R15=%016lx RFLAGS=%08lx CS=%04lx SS=%04lx\n", f->r15, f->rflags, f->cs, f->ss);
	kprintf("  CR0=%016lx CR3=%016lx CR4=%016lx\n", read_cr0(), read_cr3(), read_cr4());
	kernel_halt();
}
