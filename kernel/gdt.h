/* kernel/gdt.h - the kernel's own GDT and TSS, replacing the loader's
 * (which lives in memory the kernel may later reclaim). */
#ifndef KERNEL_GDT_H
#define KERNEL_GDT_H

#define GDT_KERNEL_CODE 0x08
#define GDT_KERNEL_DATA 0x10
#define GDT_TSS 0x18

/* The IST slot the double-fault gate uses (IDT gate field IST = 1). */
#define GDT_IST_DOUBLE_FAULT 1

/* Load the GDT, reload every segment register and load the task register,
 * whose TSS gives the double fault its own stack. */
void gdt_init(void);

/* The double-fault stack (IST1), so its handler can tell it runs there. */
#define GDT_DF_STACK_SIZE 16384
extern unsigned char gdt_df_stack[GDT_DF_STACK_SIZE];

#endif
