/* common/pci.c - PCI configuration mechanism #1 (pci.h). */
#include <stdint.h>

#include "pci.h"
#include "portio.h"

#define PCI_ADDRESS 0xcf8
#define PCI_DATA 0xcfc

/* Interrupts off, returning the flags to give back (pushf/popf work in
 * 32- and 64-bit code alike). */
static unsigned long irq_save(void)
{
	unsigned long flags;
	__asm__ volatile("pushf\n\tpop %0\n\tcli" : "=r"(flags) : : "memory");
	return flags;
}

static void irq_restore(unsigned long flags)
{
	__asm__ volatile("push %0\n\tpopf" : : "r"(flags) : "memory", "cc");
}

/* Select the dword at `offset` of the function. */
static void pci_select(const struct pci_location *f, uint8_t offset)
{
	outl(PCI_ADDRESS, 0x80000000u | (uint32_t)f->bus << 16 | (uint32_t)f->dev << 11 |
	                      (uint32_t)f->fn << 8 | (offset & 0xfcu));
}

uint32_t pci_read32(const struct pci_location *f, uint8_t offset)
{
	unsigned long flags = irq_save();
	pci_select(f, offset);
	uint32_t v = inl(PCI_DATA);
	irq_restore(flags);
	return v;
}

void pci_write16(const struct pci_location *f, uint8_t offset, uint16_t v)
{
	unsigned long flags = irq_save();
	pci_select(f, offset);
	outw((uint16_t)(PCI_DATA + (offset & 2)), v);
	irq_restore(flags);
}
