/* tests/bench/kernel.c - the bench kernel: one line on COM1, then QEMU ends
 * through isa-debug-exit at once (exit status 33).
 *
 * Low-linked like tests/lowkernel/ (kernel.ld). twinboot enters bench_main
 * in long mode; GRUB enters multiboot2.asm's 32-bit path instead, which
 * writes the same line. bench.py times QEMU start to this line, so nothing
 * runs before it: no UART set-up (QEMU's UART needs none), no screen.
 * After it, twinboot's own TSC stamps: the ticks from the loader's start
 * to the kernel being in memory, and the ticks per second, which bench.py
 * sets against the raw reader's ticks for its read (rawread*.{asm,c}).
 */
#include "../../common/bootinfo.h"
#include "com1.h"

void bench_main(const struct tb_bootinfo *bi);

void bench_main(const struct tb_bootinfo *bi)
{
	puts_com1("bench: kernel up\n");
	puts_com1("bench: ticks ");
	puthex_com1(bi->tsc_kernel_loaded - bi->tsc_loader_entry);
	puts_com1(" of ");
	puthex_com1(bi->tsc_frequency);
	puts_com1("\n");
	outb(0xf4, 0x10); /* QEMU: exit status 33 */
	for (;;)
		__asm__ volatile("cli; hlt");
}
