/* common/ata_dma.c - ATA bus-master DMA on a PCI IDE controller, for both
 * loaders (BIOS: loader/bios/disk_bios.c; UEFI: loader/uefi/disk_uefi.c).
 * Port I/O, so built for the loaders only, not the host.
 *
 * References: ATA/ATAPI-7 vol. 1 (IDENTIFY DEVICE words 53, 63, 83, 88;
 * READ DMA EXT 25h; the task-file and device-control registers), SFF-8038i
 * (bus-master command, status and PRD-table registers), PCI 3.0 (config
 * mechanism #1 and the class-code byte of a mass-storage IDE function).
 *
 * Everything is polled with the device's interrupt masked (nIEN), the way
 * the firmware drives it; every wait has a TSC deadline, and an error or a
 * timeout resets the channel so the firmware's own driver can take over.
 */
#include <stdint.h>

#include "ata_dma.h"
#include "cpu.h"
#include "fmt.h"
#include "lib.h"
#include "pci.h"
#include "portio.h"

/* Task-file registers, from the command block base. */
#define ATA_ERROR 1
#define ATA_COUNT 2
#define ATA_LBA_LOW 3
#define ATA_LBA_MID 4
#define ATA_LBA_HIGH 5
#define ATA_DEVICE 6
#define ATA_STATUS 7  /* read */
#define ATA_COMMAND 7 /* write */

#define ST_ERR 0x01
#define ST_DRQ 0x08
#define ST_DF 0x20
#define ST_DRDY 0x40
#define ST_BSY 0x80

#define CTL_NIEN 0x02
#define CTL_SRST 0x04

#define CMD_IDENTIFY 0xec
#define CMD_READ_DMA_EXT 0x25

/* Bus-master registers, from the channel's base. */
#define BM_COMMAND 0
#define BM_STATUS 2
#define BM_PRD 4
#define BM_CMD_START 0x01
#define BM_CMD_TO_MEMORY 0x08 /* the device writes memory: a disk read */
#define BM_ST_ACTIVE 0x01
#define BM_ST_ERROR 0x02
#define BM_ST_IRQ 0x04

/* 128 descriptors: at least 127 x 64 KiB, 8 MiB, per command. 1 KiB
 * aligned to its size, so the table never crosses 64 KiB (SFF-8038i). */
#define PRD_COUNT 128u
static struct ide_prd prd_table[PRD_COUNT] __attribute__((aligned(PRD_COUNT * 8)));
/* LBA48 counts up to 65536 sectors; 0xffff keeps the count register
 * from wrapping to the 0 that means 65536. */
#define MAX_SECTORS 0xffffu

/* The alternate status: reading it doesn't acknowledge the device. */
static uint8_t alt_status(const struct ata_dma *a)
{
	return inb(a->loc.control_port);
}

/* Wait until BSY is clear; returns the status, or -1 on timeout. */
static int wait_not_busy(const struct ata_dma *a)
{
	uint64_t deadline = rdtsc() + DEVICE_TIMEOUT_TICKS;
	for (;;) {
		uint8_t st = alt_status(a);
		if (!(st & ST_BSY))
			return st;
		if (rdtsc() > deadline)
			return -1;
	}
}

/* Select our device with LBA addressing, then the 400 ns the device needs
 * before its status means anything (four reads of the alternate status). */
static int select_device(const struct ata_dma *a)
{
	outb(a->loc.control_port, CTL_NIEN);
	outb((uint16_t)(a->loc.command_base + ATA_DEVICE), (uint8_t)(0x40 | a->loc.slave << 4));
	for (int i = 0; i < 4; i++)
		(void)alt_status(a);
	int st = wait_not_busy(a);
	return st < 0 || (st & (ST_DRQ | ST_ERR | ST_DF)) || !(st & ST_DRDY) ? -1 : 0;
}

void ata_dma_describe(const struct ata_dma *a, char *out, size_t size)
{
	fmt_snprintf(out, size, "the ATA %s at 0x%x, PCI %02x:%02x.%x",
	             a->loc.slave ? "slave" : "master", a->loc.command_base, a->loc.pci_bus,
	             a->loc.pci_dev, a->loc.pci_fn);
}

void ata_dma_release(const struct ata_dma *a)
{
	/* nIEN clear, the power-on state: a BIOS that waits for IRQ 14
	 * needs it, and a driver that polls (OVMF's) masks it itself. */
	outb(a->loc.control_port, 0);
}

/* After a failure: stop the engine and soft-reset the channel (both
 * devices), then hand it back to the firmware, idle. */
static void reset_channel(const struct ata_dma *a)
{
	outb((uint16_t)(a->bus_master + BM_COMMAND), 0);
	outb((uint16_t)(a->bus_master + BM_STATUS),
	     (uint8_t)(inb((uint16_t)(a->bus_master + BM_STATUS)) | BM_ST_IRQ | BM_ST_ERROR));
	outb(a->loc.control_port, CTL_SRST | CTL_NIEN);
	for (int i = 0; i < 16; i++) /* SRST must be held at least 5 us */
		(void)inb(0x80);
	outb(a->loc.control_port, CTL_NIEN);
	(void)wait_not_busy(a);
	ata_dma_release(a);
}

/* IDENTIFY DEVICE by PIO: 256 words. ATAPI devices abort it. */
static int identify(const struct ata_dma *a, uint16_t id[256], struct error *err)
{
	if (select_device(a))
		return error_set(err, "ata: device does not come ready");
	outb((uint16_t)(a->loc.command_base + ATA_COMMAND), CMD_IDENTIFY);
	(void)alt_status(a);
	int st = wait_not_busy(a);
	if (st < 0 || (st & (ST_ERR | ST_DF)) || !(st & ST_DRQ))
		return error_set(err, "ata: IDENTIFY DEVICE failed (status 0x%02x)", st & 0xff);
	for (unsigned i = 0; i < 256; i++)
		id[i] = inw(a->loc.command_base);
	(void)inb((uint16_t)(a->loc.command_base + ATA_STATUS));
	return 0;
}

int ata_channel_ports(const struct pci_location *pci, unsigned channel, uint16_t *command_base,
                      uint16_t *control_port, struct error *err)
{
	uint32_t id_reg = pci_read32(pci, 0x00);
	if ((id_reg & 0xffff) == 0xffff)
		return error_set(err, "ata: no PCI function at %02x:%02x.%x", pci->bus, pci->dev,
		                 pci->fn);
	uint32_t class = pci_read32(pci, 0x08);
	uint8_t prog_if = (uint8_t)(class >> 8);
	if ((class >> 16) != 0x0101 || !(prog_if & 0x80))
		return error_set(err,
		                 "ata: PCI %02x:%02x.%x is class %04x prog-if %02x, not a "
		                 "bus-master IDE controller",
		                 pci->bus, pci->dev, pci->fn, (unsigned)(class >> 16), prog_if);
	/* Each channel is in native mode (prog-if bit 0 or 2: its ports in
	 * BAR0/BAR1 or BAR2/BAR3) or compatibility mode (the ISA ports). */
	if (prog_if & (channel ? 0x04 : 0x01)) {
		uint8_t bar = channel ? 0x18 : 0x10;
		*command_base = (uint16_t)(pci_read32(pci, bar) & 0xfffc);
		*control_port = (uint16_t)((pci_read32(pci, bar + 4) & 0xfffc) + 2);
	} else {
		*command_base = channel ? 0x170 : 0x1f0;
		*control_port = channel ? 0x376 : 0x3f6;
	}
	return 0;
}

int ata_dma_open(struct ata_dma *ata, const struct ata_location *loc, struct error *err)
{
	const struct pci_location pci = {loc->pci_bus, loc->pci_dev, loc->pci_fn};
	/* The channel whose task file the firmware names. */
	unsigned channel;
	uint16_t primary, secondary, control;
	if (ata_channel_ports(&pci, 0, &primary, &control, err) ||
	    ata_channel_ports(&pci, 1, &secondary, &control, err))
		return -1;
	if (loc->command_base == primary)
		channel = 0;
	else if (loc->command_base == secondary)
		channel = 1;
	else
		return error_set(err, "ata: ports 0x%x are neither channel of PCI %02x:%02x.%x",
		                 loc->command_base, loc->pci_bus, loc->pci_dev, loc->pci_fn);
#if UINTPTR_MAX > 0xffffffffu
	/* The engine takes a 32-bit table address; the UEFI loader may
	 * have been loaded anywhere. */
	if (!ata_dma_reaches(prd_table, sizeof(prd_table)))
		return error_set(err,
		                 "ata: the loader is above 4 GiB, out of the DMA engine's reach");
#endif
	uint32_t bar4 = pci_read32(&pci, 0x20);
	if (!(bar4 & 1) || !(bar4 & 0xfff0))
		return error_set(err, "ata: bus-master registers are not in I/O space (BAR4 0x%x)",
		                 (unsigned)bar4);
	uint16_t command = (uint16_t)pci_read32(&pci, PCI_COMMAND);
	if (!(command & PCI_COMMAND_IO))
		return error_set(err, "ata: the controller's I/O decoding is off");
	if (!(command & PCI_COMMAND_MASTER))
		pci_write16(&pci, PCI_COMMAND, command | PCI_COMMAND_MASTER);

	ata->loc = *loc;
	ata->bus_master = (uint16_t)((bar4 & 0xfffc) + 8 * channel);

	/* The disk: 48-bit LBA (word 83 bit 10) and a DMA mode the firmware
	 * set up (word 88 bits 8-14 when word 53 bit 2 says word 88 is
	 * valid, or word 63 bits 8-10): we don't program timings. */
	uint16_t id[256] = {0};
	int failed = identify(ata, id, err);
	if (!failed && !(id[83] & (1u << 10)))
		failed = error_set(err, "ata: the disk has no 48-bit LBA");
	int udma = (id[53] & 4) && (id[88] & 0x7f00);
	int mwdma = id[63] & 0x0700;
	if (!failed && !udma && !mwdma)
		failed = error_set(err, "ata: no DMA mode selected (words 63 0x%04x, 88 0x%04x)",
		                   id[63], id[88]);
	if (failed)
		ata_dma_release(ata); /* IDENTIFY masked the interrupt */
	return failed;
}

/* One READ DMA EXT of `count` sectors whose PRDs are in place. */
static int read_command(struct ata_dma *a, uint64_t lba, uint32_t count, struct error *err)
{
	uint16_t tf = a->loc.command_base, bm = a->bus_master;
	if (select_device(a)) {
		uint8_t st = alt_status(a); /* before the reset clears it */
		reset_channel(a);
		return error_set(err, "ata: device does not come ready (status 0x%02x)", st);
	}
	outb((uint16_t)(bm + BM_COMMAND), 0);
	outl((uint16_t)(bm + BM_PRD), (uint32_t)(uintptr_t)prd_table);
	outb((uint16_t)(bm + BM_STATUS),
	     (uint8_t)(inb((uint16_t)(bm + BM_STATUS)) | BM_ST_IRQ | BM_ST_ERROR));
	outb((uint16_t)(bm + BM_COMMAND), BM_CMD_TO_MEMORY);

	/* 48-bit task file: the high bytes first, then the low ones. */
	outb((uint16_t)(tf + ATA_COUNT), (uint8_t)(count >> 8));
	outb((uint16_t)(tf + ATA_LBA_LOW), (uint8_t)(lba >> 24));
	outb((uint16_t)(tf + ATA_LBA_MID), (uint8_t)(lba >> 32));
	outb((uint16_t)(tf + ATA_LBA_HIGH), (uint8_t)(lba >> 40));
	outb((uint16_t)(tf + ATA_COUNT), (uint8_t)count);
	outb((uint16_t)(tf + ATA_LBA_LOW), (uint8_t)lba);
	outb((uint16_t)(tf + ATA_LBA_MID), (uint8_t)(lba >> 8));
	outb((uint16_t)(tf + ATA_LBA_HIGH), (uint8_t)(lba >> 16));
	outb((uint16_t)(tf + ATA_COMMAND), CMD_READ_DMA_EXT);
	outb((uint16_t)(bm + BM_COMMAND), BM_CMD_TO_MEMORY | BM_CMD_START);

	/* Done when the engine has gone through the table (ACTIVE clear) and
	 * the device is no longer busy; the interrupt bit needn't come, as
	 * nIEN masks it. */
	uint64_t deadline = rdtsc() + DEVICE_TIMEOUT_TICKS;
	uint8_t bst, st;
	for (;;) {
		bst = inb((uint16_t)(bm + BM_STATUS));
		st = alt_status(a);
		if (bst & BM_ST_ERROR)
			break;
		if (!(st & ST_BSY) && (!(bst & BM_ST_ACTIVE) || (st & (ST_ERR | ST_DF))))
			break;
		if (rdtsc() > deadline)
			break;
	}
	outb((uint16_t)(bm + BM_COMMAND), 0);
	st = inb((uint16_t)(tf + ATA_STATUS)); /* acknowledges the device */
	outb((uint16_t)(bm + BM_STATUS), (uint8_t)(bst | BM_ST_IRQ | BM_ST_ERROR));
	if ((bst & (BM_ST_ERROR | BM_ST_ACTIVE)) || (st & (ST_BSY | ST_DRQ | ST_ERR | ST_DF))) {
		uint8_t error = inb((uint16_t)(tf + ATA_ERROR));
		reset_channel(a);
		return error_set(err,
		                 "ata: DMA read of %u sectors at LBA 0x%llx failed: status 0x%02x, "
		                 "error 0x%02x, bus-master status 0x%02x",
		                 (unsigned)count, (unsigned long long)lba, st, error, bst);
	}
	return 0;
}

int ata_dma_read(struct ata_dma *ata, uint64_t lba, uint32_t count, void *buf, struct error *err)
{
#if UINTPTR_MAX > 0xffffffffu
	if (!ata_dma_reaches(buf, (uint64_t)count * 512u))
		return error_set(err, "ata: buffer at 0x%llx is beyond the DMA engine's 4 GiB",
		                 (unsigned long long)(uintptr_t)buf);
#endif
	uint32_t at = (uint32_t)(uintptr_t)buf;
	while (count) {
		uint32_t n = count < MAX_SECTORS ? count : MAX_SECTORS;
		unsigned used;
		uint32_t bytes = ide_prd_build(prd_table, PRD_COUNT, at, n * 512u, &used);
		n = bytes / 512u;
		if (!n) /* PRD_COUNT entries always hold a sector; belt and braces */
			return error_set(err, "ata: no DMA table for 0x%x", (unsigned)at);
		if (read_command(ata, lba, n, err))
			return -1;
		at += bytes;
		lba += n;
		count -= n;
	}
	return 0;
}
