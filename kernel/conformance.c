/* kernel/conformance.c - runs the conformance checks of checks.h, one line
 * each and a summary, then reports through isa-debug-exit so a QEMU test
 * gets the verdict as an exit status; and the two deliberate faults. */
#include "conformance.h"

#include "checks.h"
#include "color.h"
#include "console.h"
#include "panic.h"
#include "x86.h"

static const struct {
	const char *name;
	check_fn fn;
} checks[] = {
    {"memmap", check_memmap},           /* sorted, disjoint, merged, usable aligned */
    {"reserved", check_reserved},       /* reserved fields zero, strides as v1 */
    {"kernel", check_kernel},           /* kernel block inside a KERNEL entry */
    {"modules", check_modules},         /* each inside a MODULE entry */
    {"framebuffer", check_framebuffer}, /* inside a FRAMEBUFFER entry */
    {"rsdp", check_rsdp},               /* ACPI RSDP checksums */
    {"sections", check_sections},       /* .text RX, .rodata R, .data RW, WP */
    {"maps", check_maps},               /* direct and identity maps agree */
    {"stack", check_stack},             /* stack mapped RW, guard page not */
    {"memory", check_memory},           /* usable RAM writes and reads back */
    {"tsc", check_tsc},                 /* tsc_frequency agrees with the PIT */
};

void conformance_run(const struct tb_bootinfo *bi)
{
	unsigned passed = 0, failed = 0;
	for (unsigned i = 0; i < sizeof(checks) / sizeof(checks[0]); i++) {
		char why[200] = "";
		kprintf("test: %s ... ", checks[i].name);
		if (checks[i].fn(bi, why, sizeof(why))) {
			passed++;
			console_set_color(COLOR_LIGHT_GREEN, COLOR_BLACK);
			kprintf("ok");
			console_set_color(COLOR_LIGHT_GREY, COLOR_BLACK);
			kprintf(why[0] ? " (%s)\n" : "\n", why);
		} else {
			failed++;
			console_set_color(COLOR_LIGHT_RED, COLOR_BLACK);
			kprintf("FAIL: %s\n", why[0] ? why : "(no reason given)");
			console_set_color(COLOR_LIGHT_GREY, COLOR_BLACK);
		}
	}
	kprintf("test: %u passed, %u failed\n", passed, failed);
	outb(DEBUG_EXIT_PORT, failed ? DEBUG_EXIT_FAIL : DEBUG_EXIT_PASS);
	/* Still here: no debug-exit device (real hardware). */
	kernel_halt();
}

void conformance_page_fault(void)
{
	/* Far below the direct map and above anything a test guest's RAM
	 * (identity-mapped only up to 4 GiB) could make present. */
	volatile uint64_t *p = (volatile uint64_t *)0x00000dead0000000ull;
	kprintf("test: reading unmapped address %p, expecting a page fault\n", (void *)p);
	(void)*p;
	panic("test: reading %p did not fault", (void *)p);
}

/* Each frame keeps a volatile array live across the call, so the compiler
 * can make it neither a loop nor a tail call; the volatile depth bound,
 * never reached, keeps it from proving the recursion endless. */
static volatile unsigned long depth_limit = ~0ul;

__attribute__((noinline)) static unsigned long recurse(unsigned long depth)
{
	volatile char frame[256];
	frame[0] = (char)depth;
	if (depth >= depth_limit)
		return frame[0];
	return recurse(depth + 1) + frame[0];
}

void conformance_stack_overflow(void)
{
	kprintf("test: recursing until the stack overflows, expecting a double fault\n");
	recurse(0);
	panic("test: the stack did not overflow");
}
