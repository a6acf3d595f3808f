/* loader/bios/pci.c - PCI configuration mechanism #1 (pci.h). */
#include <stdint.h>

#include "pci.h"
#include "portio.h"

#define PCI_ADDRESS 0xcf8
#define PCI_DATA 0xcfc

/* Select the dword at `offset` of the function. */
static void pci_select(const struct pci_location *f, uint8_t offset)
{
	outl(PCI_ADDRESS, 0x80000000u | (uint32_t)f->bus << 16 | (uint32_t)f->dev << 11 |
	                      (uint32_t)f->fn << 8 | (offset & 0xfcu));
}

uint32_t pci_read32(const struct pci_location *f, uint8_t offset)
{
	pci_select(f, offset);
	return inl(PCI_DATA);
}

void pci_write16(const struct pci_location *f, uint8_t offset, uint16_t v)
{
	pci_select(f, offset);
	outw((uint16_t)(PCI_DATA + (offset & 2)), v);
}
