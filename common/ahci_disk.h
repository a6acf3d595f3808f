/* common/ahci_disk.h - read the boot drive through its AHCI port. The
 * BIOS loader (loader/bios/disk_bios.c) finds the port when the BIOS names
 * no device path for the drive (SeaBIOS's AHCI disks have none), by
 * reading each AHCI disk's first sectors and comparing them with what
 * INT 13h read; the UEFI loader (loader/uefi/disk_uefi.c) has it from the
 * boot partition's device path. common/ahci.h says why, and how little
 * is touched. Each call is one or more whole commands, polled: under UEFI
 * the caller keeps firmware events out meanwhile (TPL_NOTIFY).
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
 * bridges) whose first `count` sectors are the boot drive's, which
 * read_first(first, err) reads into `first` when the first port with a
 * disk turns up (not before: on a machine without one, every boot from a
 * USB stick would pay for a read); `scratch` holds count sectors, 2-byte
 * aligned. Returns 0 with *a; AHCI_NO_CONTROLLER when the machine has
 * none at all; else -1 with err saying why not: the most telling reason
 * a disk was passed over, or that two matched. */
#define AHCI_NO_CONTROLLER 1
int ahci_disk_find(struct ahci_disk *a, int (*read_first)(void *first, struct error *err),
                   void *first, uint32_t count, void *scratch, struct error *err);

/* Port `port` of the AHCI controller at `pci`, when it is a disk the
 * firmware runs (ahci_port_usable). Returns 0 with *a, or -1 with err
 * saying why not. */
int ahci_disk_open(struct ahci_disk *a, const struct pci_location *pci, unsigned port,
                   struct error *err);

/* "port 0, PCI 00:1f.2": which disk it reads, for verbose=1 ("disk:
 * reading by AHCI (port 0, PCI 00:1f.2)"). */
void ahci_disk_describe(const struct ahci_disk *a, char *out, size_t size);

/* Read `count` sectors at `lba` into buf (2-byte aligned, below 4 GiB).
 * Returns 0, or -1 with err naming the registers; the port is then
 * restarted for the firmware, which can take over. */
int ahci_disk_read(struct ahci_disk *a, uint64_t lba, uint32_t count, void *buf, struct error *err);

#endif
