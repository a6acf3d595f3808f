/* loader/bios/bios.h - what the BIOS stage 2 files share: the low-memory
 * layout (stage2.ld explains it), the BIOS-call thunk, port I/O and the
 * one-job modules main.c and platform_bios.c put together.
 */
#ifndef TWINBOOT_BIOS_H
#define TWINBOOT_BIOS_H

#include <stdint.h>

#include "bootinfo.h"
#include "disk.h"
#include "error.h"
#include "fat.h"
#include "gpt.h"
#include "memmap.h"
#include "portio.h"

/* Fixed low-memory areas (linear addresses), see stage2.ld. */
#define BIOS_SCRATCH 0x1000u /* 4 KiB for buffers the BIOS fills */
#define BIOS_SCRATCH_SIZE 0x1000u
/* The last 256 bytes of it hold realmode.asm's registers and saved stack
 * pointer: data off the thunk's code page (realmode.asm says why). */
#define BIOS_THUNK_DATA 0x1f00u
/* Where INT 13h reads land: 64 KiB from 0x70000, then on through free
 * base memory up to bios_bounce_end (main.c: below the EBDA), 64 KiB
 * segment by segment, one read of a batch in each (disk_bios.c). */
#define BIOS_BOUNCE 0x70000u
#define BIOS_BOUNCE_SEGMENT 0x10000u
#define BIOS_LOW_END 0x80000u /* nothing of ours above this but bounce area */
extern uint32_t bios_bounce_end;

/* Real-mode segment and offset of a linear address below 1 MiB. */
#define BIOS_SEG(addr) ((uint16_t)((uint32_t)(addr) >> 4))
#define BIOS_OFF(addr) ((uint16_t)((uint32_t)(addr)&0xf))
/* Linear address of a real-mode far pointer (segment << 16 | offset). */
#define BIOS_FARPTR(p) ((((uint32_t)(p) >> 16) << 4) + ((uint32_t)(p)&0xffff))

/* A pointer to a fixed physical address. The empty asm hides the constant
 * from gcc, whose -Warray-bounds takes small constant addresses for
 * zero-sized objects (gcc bug 99578). */
static inline void *bios_ptr(uint32_t addr)
{
	void *p;
	__asm__("" : "=r"(p) : "0"(addr));
	return p;
}

#define BIOS_FLAG_CF 0x0001u

/* Registers in and out of a BIOS call, in the order realmode.asm pops
 * them (segments, flags, then popad's order). Zero what you don't set. */
struct bios_regs {
	uint16_t gs, fs, es, ds;
	uint32_t eflags;
	uint32_t edi, esi, ebp, esp_unused, ebx, edx, ecx, eax;
};
_Static_assert(sizeof(struct bios_regs) == 44, "realmode.asm copies 11 dwords");

/* realmode.asm: `int vector` in real mode with each of regs[0..count-1]
 * in turn, results back in each, in one trip to real mode; it stops after
 * the first call that returns with CF set. Returns the calls made. */
#define BIOS_BATCH_MAX 4u
unsigned bios_int_batch(uint8_t vector, struct bios_regs *regs, uint32_t count);

/* One call: `int vector` with *regs, results back in it. */
static inline void bios_int(uint8_t vector, struct bios_regs *regs)
{
	bios_int_batch(vector, regs, 1);
}

/* What main.c sets up and platform_bios.c serves common/ from: the E820
 * map (normalised, the loader's low memory carved out; allocations come
 * from it), the boot disk and the mounted ESP. */
extern struct memmap bios_memmap;
extern struct disk bios_disk;
extern struct fat_volume bios_esp;
extern struct partition bios_esp_partition;
void platform_bios_report(void); /* verbose: disk, ESP and map, once */

/* fault.c: exceptions in stage 2 print their vector and EIP and halt. */
void fault_init(void);

/* console_bios.c: VGA text at 0xb8000 and COM1 115200 8N1. */
void console_init(void);
void console_write(const char *text, uint32_t len);
void console_serial_only(void); /* a graphics mode hides the text screen */

/* a20.c: enable the A20 gate (BIOS, port 0x92, keyboard controller),
 * verified after each way. Returns 0, or -1 when nothing worked. */
int a20_enable(void);

/* e820.c: every INT 15h E820 entry, added raw to map. Returns the number
 * of entries, or -1 with err. */
int e820_read(struct memmap *map, struct error *err);

/* disk_bios.c: the boot drive through INT 13h extended reads. */
int disk_bios_open(struct disk *disk, uint8_t drive, struct error *err);
/* Once the config is read: when `allowed`, take a virtio-blk drive over
 * (disk_bios_open already tried IDE DMA); else drop DMA and stay on INT
 * 13h for good. */
void disk_bios_native(struct disk *disk, int allowed);
/* "bus-master DMA (...)" or "INT 13h (why not DMA)", for verbose=1. */
const char *disk_bios_method(const struct disk *disk);
/* The sectors an INT 13h read asks for at most: 127 until the BIOS
 * refuses that many. */
uint32_t disk_bios_transfer_sectors(const struct disk *disk);

/* vbe.c: set the VBE linear framebuffer mode closest to width x height and
 * describe it. Returns 0, or -1 (text mode kept) with a logged reason. */
int vbe_set_mode(uint32_t width, uint32_t height, int verbose, struct tb_console *console);

/* tables_bios.c: ACPI RSDP and SMBIOS entry point; 0 when absent. */
uint64_t tables_find_rsdp(void);
uint64_t tables_find_smbios(void);

#endif
