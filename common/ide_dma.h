/* common/ide_dma.h - the pure parts of the loaders' native IDE path
 * (common/ata_dma.c): which IDE channel and device the BIOS's boot drive
 * is, from its EDD 3.0 drive parameters, and the bus-master DMA scatter
 * list for a read. No port I/O here, so the host tests and fuzzes them.
 *
 * Why a native path at all: a BIOS reads IDE disks by PIO, one 16-bit port
 * access per word, and can only write below 1 MiB, so every byte is copied
 * again; edk2's IDE driver stalls 10 ms after every 128 KiB. Bus-master
 * DMA of our own moves whole runs straight to where the kernel goes.
 */
#ifndef TWINBOOT_IDE_DMA_H
#define TWINBOOT_IDE_DMA_H

#include <stdint.h>

#include "error.h"

/* AH=48h's result buffer: EDD 3.0 fills up to offset 0x42. */
#define EDD_PARAMS_SIZE 0x42u
/* The Fixed Disk Parameter Extension Table (EDD 1.1) it points to. */
#define EDD_DPTE_SIZE 16u

/* A PCI function, as EDD 3.0's interface path names it. */
struct pci_location {
	uint8_t bus, dev, fn;
};

/* Where the boot drive sits, as the BIOS describes it. */
struct ata_location {
	uint8_t pci_bus, pci_dev, pci_fn; /* the IDE controller */
	uint16_t command_base;            /* task-file ports (0x1f0, 0x170, ...) */
	uint16_t control_port;            /* device control / alternate status */
	uint8_t slave;                    /* 0: master, 1: slave */
};

/* The far pointer (segment << 16 | offset) to the DPTE in AH=48h's buffer;
 * 0 when there is none (0xffffffff means none too, per EDD 3.0). */
uint32_t edd_dpte_pointer(const uint8_t params[EDD_PARAMS_SIZE]);

/* The PCI function of the boot drive's controller from AH=48h's buffer,
 * when its EDD 3.0 device path is present, check-summed, on PCI and of the
 * interface `interface` (8 bytes space-padded, compared over its length:
 * "ATA ", "SCSI": SeaBIOS's name for virtio-blk). Returns 0, or -1 with
 * err saying why ("edd: interface is SCSI, not ATA"). */
int edd_pci_function(const uint8_t params[EDD_PARAMS_SIZE], const char *interface,
                     struct pci_location *pci, struct error *err);

/* Whether AH=48h's buffer has an EDD 3.0 device path at all (its key,
 * 0xbedd), right or wrong: SeaBIOS gives none for AHCI, NVMe and USB
 * disks. */
int edd_device_path_present(const uint8_t params[EDD_PARAMS_SIZE]);

/* Fill *loc from AH=48h's buffer and the DPTE it points to. Returns 0 only
 * for an ATA disk (not ATAPI) on a PCI controller whose EDD 3.0 device
 * path and DPTE are both present, check-summed and agree on master/slave;
 * otherwise -1 with err saying why ("edd: interface is SCSI, not ATA"). */
int edd_ata_location(const uint8_t params[EDD_PARAMS_SIZE], const uint8_t dpte[EDD_DPTE_SIZE],
                     struct ata_location *loc, struct error *err);

/* One Physical Region Descriptor (ATA bus-master IDE, SFF-8038i): a
 * 32-bit address and a byte count (0 means 64 KiB); bit 31 of `flags`
 * marks the last. A region may not cross a 64 KiB boundary. */
struct ide_prd {
	uint32_t address;
	uint16_t bytes;
	uint16_t flags;
};
_Static_assert(sizeof(struct ide_prd) == 8, "SFF-8038i: a PRD is two dwords");
#define IDE_PRD_LAST 0x8000u

/* Fill up to `max` descriptors for `bytes` bytes at physical `address`
 * (both even, address + bytes at most 4 GiB) and return how many bytes
 * they cover: all of them, or fewer when the table is full (then a whole
 * number of 512-byte sectors). *used receives the descriptor count. */
uint32_t ide_prd_build(struct ide_prd *table, unsigned max, uint32_t address, uint32_t bytes,
                       unsigned *used);

#endif
