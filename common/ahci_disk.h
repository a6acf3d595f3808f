/* common/ahci_disk.h - read the boot drive through its AHCI port, for the
 * BIOS loader (loader/bios/disk_bios.c), when the BIOS names no device
 * path for it (SeaBIOS's AHCI disks have none): the port is found by
 * reading each AHCI disk's first sectors and comparing them with what
 * INT 13h read. common/ahci.h says why, and how little is touched.
 */
#ifndef TWINBOOT_AHCI_DISK_H
#define TWINBOOT_AHCI_DISK_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "ide_dma.h"

struct ahci_disk {
	struct pci_location pci;
	uint32_t abar;
	unsigned port;
};

/* Find the one disk on an AHCI port (PCI bus 0 and the buses behind its
 * bridges) whose first `count` sectors are `first`; `scratch` holds count
 * sectors, 2-byte aligned. Returns 0 with *a, or -1 with err
 * saying why not: "ahci: no AHCI controller" when there is none at all,
 * else the most telling reason a disk was passed over, or that two
 * matched. */
int ahci_disk_find(struct ahci_disk *a, const void *first, uint32_t count, void *scratch,
                   struct error *err);

/* "AHCI port 0, PCI 00:1f.2": which disk it reads, for verbose=1. */
void ahci_disk_describe(const struct ahci_disk *a, char *out, size_t size);

/* Read `count` sectors at `lba` into buf (2-byte aligned, below 4 GiB).
 * Returns 0, or -1 with err naming the registers; the port is then
 * restarted for the firmware, which can take over. */
int ahci_disk_read(struct ahci_disk *a, uint64_t lba, uint32_t count, void *buf, struct error *err);

#endif
