/* common/pci.h - PCI configuration space through mechanism #1 (ports
 * 0xcf8/0xcfc, PCI 3.0 section 3.2.2.3.2), for the native disk drivers
 * (ata_dma.c, ahci_disk.c, loader/bios/virtio_disk.c), and the command
 * register's bits, which the pure parts (ahci.c, virtio_blk.c) test in a
 * configuration space already read. Each access keeps interrupts
 * off between writing the address and using the data port, so the UEFI
 * firmware's interrupt handlers cannot slip in between.
 */
#ifndef TWINBOOT_PCI_H
#define TWINBOOT_PCI_H

#include <stdint.h>

#include "ide_dma.h"

/* The command register (a word at 0x04, PCI 3.0 6.2.2) and its bits. */
#define PCI_COMMAND 0x04
#define PCI_COMMAND_IO 0x0001u
#define PCI_COMMAND_MEMORY 0x0002u
#define PCI_COMMAND_MASTER 0x0004u

/* The dword at `offset` (rounded down to 4) of function `f`. */
uint32_t pci_read32(const struct pci_location *f, uint8_t offset);
/* The word at `offset` (even) of function `f`. */
void pci_write16(const struct pci_location *f, uint8_t offset, uint16_t v);

#endif
