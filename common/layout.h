/* common/layout.h - where a twinboot loader puts things in the kernel's
 * virtual address space, and who the loader says it is.
 *
 * A kernel must not link segments into these ranges; elf_check() rejects
 * one that does. docs/ABI.md states the same numbers.
 */
#ifndef TWINBOOT_LAYOUT_H
#define TWINBOOT_LAYOUT_H

#define TB_LOADER_NAME "twinboot 0.1.0"

/* All physical memory, [0, max(RAM top, 4 GiB)), is mapped here
 * read/write, no-execute. 64 TiB of room, as Linux's and Limine's maps. */
#define TB_DIRECT_MAP_OFFSET 0xffff800000000000ull
#define TB_DIRECT_MAP_END 0xffffc00000000000ull

/* The kernel's initial stack: TB_STACK_SIZE bytes ending at TB_STACK_TOP,
 * with the page below unmapped as a guard. The whole TB_STACK_REGION
 * below TB_STACK_TOP is kept free of kernel segments. */
#define TB_STACK_TOP 0xffffffff7ff00000ull
#define TB_STACK_SIZE 0x10000ull
#define TB_STACK_REGION 0x100000ull

/* The first 4 GiB are identity mapped as well. */
#define TB_IDENTITY_MAP_END 0x100000000ull

#endif
