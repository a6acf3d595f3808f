/* tests/lowkernel/lowkernel.c - a second, independent twinboot kernel.
 *
 * Nothing shared with kernel/: linked low (0x400000, lowkernel.ld), plain
 * -mcmodel=small code, one C file. It proves mkimage and both loaders
 * boot any kernel that takes the boot-info ABI, and is the smallest
 * example for docs/BOOT-YOUR-KERNEL.md. It says hello and its command
 * line on COM1 (and the VGA text screen when there is one), then ends
 * QEMU through isa-debug-exit with the "pass" code.
 */
#include <stdint.h>

#include "../../common/bootinfo.h"

static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint8_t inb(uint16_t port)
{
	uint8_t v;
	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static volatile uint16_t *vga;
static unsigned vga_pos;

static void put(const char *s)
{
	for (; *s; s++) {
		for (int spin = 0; spin < 100000 && !(inb(0x3f8 + 5) & 0x20); spin++)
			;
		outb(0x3f8, (uint8_t)*s);
		if (vga && *s != '\n')
			vga[vga_pos++] = (uint16_t)(0x0a00 | (uint8_t)*s);
		else if (vga)
			vga_pos = (vga_pos / 80 + 1) * 80;
	}
}

void lowkernel_main(const struct tb_bootinfo *bi);

void lowkernel_main(const struct tb_bootinfo *bi)
{
	if (bi->magic != TB_BOOTINFO_MAGIC) {
		put("lowkernel: bad boot info magic\n");
		outb(0xf4, 0x11);
		for (;;)
			__asm__ volatile("cli; hlt");
	}
	if (bi->console.type == TB_CONSOLE_VGA_TEXT)
		vga = (volatile uint16_t *)(bi->direct_map_offset + bi->console.address);
	put("lowkernel: hello\nlowkernel: cmdline '");
	put((const char *)(bi->direct_map_offset + bi->cmdline));
	put(bi->firmware == TB_FIRMWARE_UEFI ? "' from UEFI\n" : "' from BIOS\n");
	outb(0xf4, 0x10); /* QEMU: exit status 33 */
	for (;;)
		__asm__ volatile("cli; hlt");
}
