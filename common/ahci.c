/* common/ahci.c - the pure parts of the native AHCI path (ahci.h). */
#include <stdint.h>

#include "ahci.h"
#include "lib.h"
#include "pci.h"

#define PCI_BAR5 9 /* dword index of BAR5, ABAR */

#define FIS_H2D 0x27
#define FIS_COMMAND 0x80 /* the C bit: a command, not a control update */
#define FIS_DEVICE_LBA 0x40
#define FIS_DWORDS 5u

#define ATA_READ_DMA_EXT 0x25

int ahci_pci_abar(const uint32_t cfg[16], uint32_t *abar, struct error *err)
{
	uint32_t command = cfg[1] & 0xffff, bar = cfg[PCI_BAR5];
	*abar = bar & ~0xfu;
	/* ABAR must be a 32-bit memory BAR (bit 0 clear: memory; bits 1-2
	 * clear: 32-bit; BAR5 is the last, so it can't be a 64-bit one). */
	if ((cfg[2] >> 8) != AHCI_PCI_CLASS || (bar & 7) || !*abar ||
	    (command & (PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER)) !=
	        (PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER))
		return error_set(err,
		                 "ahci: class %06x, command 0x%04x, ABAR 0x%x: not an AHCI "
		                 "controller the firmware runs in reach",
		                 (unsigned)(cfg[2] >> 8), (unsigned)command, (unsigned)bar);
	return 0;
}

int ahci_port_usable(unsigned port, const struct ahci_port_state *p, struct error *err)
{
	uint32_t engines = p->cmd & AHCI_CMD_ENGINES;
	/* SStatus: DET 3 is a device with the link up, IPM 1 the link
	 * active. A command list or FIS area above 4 GiB is out of stage
	 * 2's reach; a firmware that takes the port's interrupts would take
	 * ours; a port half started is in no state we know. */
	if ((p->ssts & 0xf0f) == 0x103 && p->sig == AHCI_SIG_ATA &&
	    (engines == AHCI_CMD_ENGINES || !engines) && !p->clbu && p->clb && !p->fbu && p->fb &&
	    !p->ie && !(p->tfd & (AHCI_TFD_BSY | AHCI_TFD_DRQ)))
		return 0;
	return error_set(err,
	                 "ahci: port %u is no idle ATA disk set up by the firmware (SStatus 0x%x, "
	                 "signature 0x%x, PxCMD 0x%x, PxCLB 0x%llx, PxFB 0x%llx, PxIE 0x%x, "
	                 "PxTFD 0x%x)",
	                 port, (unsigned)p->ssts, (unsigned)p->sig, (unsigned)p->cmd,
	                 (unsigned long long)p->clbu << 32 | p->clb,
	                 (unsigned long long)p->fbu << 32 | p->fb, (unsigned)p->ie,
	                 (unsigned)p->tfd);
}

uint32_t ahci_build_read(struct ahci_cmd_header *h, struct ahci_cmd_table *t, uint32_t table_phys,
                         uint64_t lba, uint32_t count, uint32_t buf)
{
	uint32_t n = count < AHCI_MAX_SECTORS ? count : AHCI_MAX_SECTORS;
	uint32_t bytes = n * 512u;
	unsigned prds = (bytes + AHCI_PRD_MAX_BYTES - 1) / AHCI_PRD_MAX_BYTES;
	memset(t, 0, sizeof(*t));
	memset(h, 0, sizeof(*h));
	h->flags = FIS_DWORDS | (uint32_t)prds << 16; /* a read: W clear */
	h->ctba = table_phys;
	uint8_t *f = t->cfis;
	f[0] = FIS_H2D;
	f[1] = FIS_COMMAND;
	f[2] = ATA_READ_DMA_EXT;
	f[4] = (uint8_t)lba;
	f[5] = (uint8_t)(lba >> 8);
	f[6] = (uint8_t)(lba >> 16);
	f[7] = FIS_DEVICE_LBA;
	f[8] = (uint8_t)(lba >> 24);
	f[9] = (uint8_t)(lba >> 32);
	f[10] = (uint8_t)(lba >> 40);
	f[12] = (uint8_t)n;
	f[13] = (uint8_t)(n >> 8);
	for (unsigned i = 0; i < prds; i++) {
		uint32_t part = bytes < AHCI_PRD_MAX_BYTES ? bytes : AHCI_PRD_MAX_BYTES;
		t->prdt[i].dba = buf;
		t->prdt[i].dbc = part - 1;
		buf += part;
		bytes -= part;
	}
	return n;
}

int ahci_command_result(uint64_t lba, uint32_t count, uint32_t is, uint32_t tfd, int timed_out,
                        struct error *err)
{
	if (!timed_out && !(is & AHCI_IS_TFES) &&
	    !(tfd & (AHCI_TFD_ERR | AHCI_TFD_DF | AHCI_TFD_BSY | AHCI_TFD_DRQ)))
		return 0;
	return error_set(err,
	                 "ahci: read of %u sectors at LBA 0x%llx %s: status 0x%02x, error 0x%02x, "
	                 "PxIS 0x%x",
	                 (unsigned)count, (unsigned long long)lba,
	                 timed_out ? "timed out" : "failed", (unsigned)(tfd & 0xff),
	                 (unsigned)((tfd >> 8) & 0xff), (unsigned)is);
}
