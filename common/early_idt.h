/* common/early_idt.h - an IDT for the kernel's first instructions.
 *
 * Until the kernel loads its own IDT, any exception it takes would find
 * none (UEFI: the firmware's, freed by ExitBootServices; BIOS: stage 2's
 * 32-bit one) and triple-fault: a silent reset, the worst way for a new
 * kernel to fail. So the loaders hand over with this one loaded: every
 * exception vector (0-31) goes to common/early_fault.asm, which prints
 * "twinboot: error: the kernel faulted before loading its own IDT: vector
 * 0x.., error 0x.., RIP 0x.., CR2 0x.." on COM1 (and on the VGA text
 * screen) and halts. docs/ABI.md states it; the kernel replaces it with
 * its own lidt and may then reclaim the page (LOADER memory).
 *
 * The page, below 4 GiB (identity mapped at hand-off):
 *   0x000  32 interrupt gates, 16 bytes each (SDM vol. 3A 6.14.1)
 *   0x200  the IDTR: 2-byte limit, 8-byte base
 *   0x210  the VGA text buffer's address when the console is VGA text, else 0
 *   0x400  early_fault.asm's code; vector i enters at 0x400 + 16 * i
 */
#ifndef TWINBOOT_EARLY_IDT_H
#define TWINBOOT_EARLY_IDT_H

#include <stdint.h>

#include "bootinfo.h"

#define EARLY_IDT_VECTORS 32u
#define EARLY_IDTR 0x200u
#define EARLY_VGA 0x210u
#define EARLY_STUB 0x400u
#define EARLY_CODE_SELECTOR 0x08u /* the hand-off GDT's 64-bit code */

/* Fill the page at `page` (the caller's LOADER page below 4 GiB). Returns
 * the IDTR's physical address, which platform_enter_kernel loads just
 * before the jump. */
uint64_t early_idt_build(const struct tb_console *console, uint64_t page);

#endif
