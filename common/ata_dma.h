/* common/ata_dma.h - read the boot drive by ATA bus-master DMA when it is
 * an IDE disk on a PCI controller (common/ide_dma.h says why). The callers
 * (loader/bios/disk_bios.c, loader/uefi/disk_uefi.c) check the first
 * reads against the firmware's and go back to the firmware for good on
 * any error.
 */
#ifndef TWINBOOT_ATA_DMA_H
#define TWINBOOT_ATA_DMA_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "ide_dma.h"

/* SFF-8038i's PRD addresses are 32 bits wide. */
#define ATA_DMA_LIMIT 0x100000000ull

struct ata_dma {
	struct ata_location loc;
	uint16_t bus_master; /* this channel's bus-master registers */
};

/* The task-file and control ports of IDE channel `channel` (0 primary, 1
 * secondary) of the controller at `pci`: from its BARs in native mode, the
 * ISA ports in compatibility mode. Returns 0, or -1 with err saying why
 * (no such function, not a bus-master IDE controller). */
int ata_channel_ports(const struct pci_location *pci, unsigned channel, uint16_t *command_base,
                      uint16_t *control_port, struct error *err);

/* Whether the engine can write [buf, buf + bytes): below 4 GiB. */
static inline int ata_dma_reaches(const void *buf, uint64_t bytes)
{
	return (uint64_t)(uintptr_t)buf + bytes <= ATA_DMA_LIMIT;
}

/* Check the controller (PCI class 01:01 with bus mastering, the channel
 * the BIOS names) and the disk (IDENTIFY: LBA48 and a DMA mode the BIOS
 * selected). Returns 0, or -1 with err saying why not. */
int ata_dma_open(struct ata_dma *ata, const struct ata_location *loc, struct error *err);

/* "the ATA master at 0x170, PCI 00:01.1": which disk an open driver reads,
 * for verbose=1. */
void ata_dma_describe(const struct ata_dma *ata, char *out, size_t size);

/* Give the channel back to the firmware: its device interrupt unmasked, as at
 * power-on (the driver masks it while it polls). ata_dma_open's and
 * ata_dma_read's failures do this themselves. */
void ata_dma_release(const struct ata_dma *ata);

/* Read `count` sectors at `lba` into buf (2-byte aligned; below 4 GiB, or
 * it fails at once) by READ DMA EXT. Returns 0, or -1 with err naming the
 * status; the channel is reset then, so the firmware can drive it again. */
int ata_dma_read(struct ata_dma *ata, uint64_t lba, uint32_t count, void *buf, struct error *err);

#endif
