/* loader/bios/ata_dma.h - read the boot drive by ATA bus-master DMA when it
 * is an IDE disk on a PCI controller (common/ide_dma.h says why). The
 * caller (disk_bios.c) checks the first reads against INT 13h and goes
 * back to INT 13h for good on any error.
 */
#ifndef TWINBOOT_ATA_DMA_H
#define TWINBOOT_ATA_DMA_H

#include <stdint.h>

#include "error.h"
#include "ide_dma.h"

struct ata_dma {
	struct ata_location loc;
	uint16_t bus_master; /* this channel's bus-master registers */
};

/* Check the controller (PCI class 01:01 with bus mastering, the channel
 * the BIOS names) and the disk (IDENTIFY: LBA48 and a DMA mode the BIOS
 * selected). Returns 0, or -1 with err saying why not. */
int ata_dma_open(struct ata_dma *ata, const struct ata_location *loc, struct error *err);

/* Give the channel back to the BIOS: its device interrupt unmasked, as at
 * power-on (the driver masks it while it polls). ata_dma_open's and
 * ata_dma_read's failures do this themselves. */
void ata_dma_release(const struct ata_dma *ata);

/* Read `count` sectors at `lba` into buf (below 4 GiB, 2-byte aligned) by
 * READ DMA EXT. Returns 0, or -1 with err naming the status; the channel
 * is reset then, so the BIOS can drive it again. */
int ata_dma_read(struct ata_dma *ata, uint64_t lba, uint32_t count, void *buf, struct error *err);

#endif
