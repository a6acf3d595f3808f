/* common/ahci.h - the pure parts of the loaders' native AHCI path
 * (common/ahci_disk.c): whether a PCI function is an AHCI controller whose
 * registers the loaders can reach, whether a port is one the firmware runs
 * with a disk behind it, the command header and table of a read, and what
 * a finished command's registers say. No MMIO here, so the host tests them.
 *
 * Why a native path at all: SeaBIOS reads an AHCI disk one INT 13h call
 * of 64 KiB at a time into a bounce buffer below 1 MiB, a trip to real
 * mode each (q35's disk: 64 MiB in about 0.3 s under QEMU); one command of
 * ours moves 16 MiB straight to where the kernel goes.
 *
 * Why so little of the controller is touched: the firmware set the port
 * up and reads through it after us (INT 13h, should our path fail or the
 * config say disk=firmware). We borrow slot 0 of its command list for
 * one command at a time, with a command table of our own, and put its
 * header back after. A port the firmware left running stays running
 * (SeaBIOS) unless a command fails; one it stops between commands
 * (edk2) we start and stop again around ours.
 * Reference: Serial ATA AHCI 1.3.1, sections 3 (registers), 4.2 (command
 * list and table) and 6.2.2 (error recovery); ATA8-ACS for READ DMA EXT.
 */
#ifndef TWINBOOT_AHCI_H
#define TWINBOOT_AHCI_H

#include <stdint.h>

#include "error.h"

/* PCI class 01h, subclass 06h (SATA), programming interface 01h (AHCI). */
#define AHCI_PCI_CLASS 0x010601u

/* Generic host control registers, from ABAR (3.1). */
#define AHCI_PI 0x0c /* ports implemented */
#define AHCI_MAX_PORTS 32u

/* Port registers, from ABAR + AHCI_PORT(n) (3.3). */
#define AHCI_PORT(n) (0x100u + 0x80u * (n))
#define AHCI_PX_CLB 0x00
#define AHCI_PX_CLBU 0x04
#define AHCI_PX_FB 0x08
#define AHCI_PX_FBU 0x0c
#define AHCI_PX_IS 0x10
#define AHCI_PX_IE 0x14
#define AHCI_PX_CMD 0x18
#define AHCI_PX_TFD 0x20
#define AHCI_PX_SIG 0x24
#define AHCI_PX_SSTS 0x28
#define AHCI_PX_SERR 0x30
#define AHCI_PX_CI 0x38

#define AHCI_CMD_ST (1u << 0)   /* the port processes its command list */
#define AHCI_CMD_FRE (1u << 4)  /* it receives FISes */
#define AHCI_CMD_FR (1u << 14)  /* the FIS engine runs */
#define AHCI_CMD_CR (1u << 15)  /* the list engine runs */
#define AHCI_IS_TFES (1u << 30) /* task file error */
#define AHCI_SIG_ATA 0x00000101u

/* ATA status bits as PxTFD's low byte holds them. */
#define AHCI_TFD_ERR 0x01u
#define AHCI_TFD_DRQ 0x08u
#define AHCI_TFD_DF 0x20u
#define AHCI_TFD_BSY 0x80u

/* A command header, one of the list's 32 (4.2.2). */
struct ahci_cmd_header {
	uint32_t flags; /* FIS length in dwords; bits 16-31: PRDT entries */
	uint32_t prdbc; /* bytes moved, written by the HBA */
	uint32_t ctba, ctbau;
	uint32_t reserved[4];
};

/* A physical region descriptor (4.2.3.3): up to 4 MiB, word aligned. */
struct ahci_prd {
	uint32_t dba, dbau, reserved;
	uint32_t dbc; /* bytes - 1 */
};
#define AHCI_PRD_MAX_BYTES (4u << 20)

/* Four descriptors: 16 MiB a command, which a 16-bit sector count holds. */
#define AHCI_PRDS 4u
#define AHCI_MAX_SECTORS (AHCI_PRDS * AHCI_PRD_MAX_BYTES / 512u)

/* A command table (4.2.3), 128-byte aligned. */
struct ahci_cmd_table {
	uint8_t cfis[64];
	uint8_t acmd[16];
	uint8_t reserved[48];
	struct ahci_prd prdt[AHCI_PRDS];
};

/* The registers ahci_port_usable judges, as read from the port. */
struct ahci_port_state {
	uint32_t clb, clbu, fb, fbu, cmd, ie, tfd, sig, ssts;
};

/* From the function's first 64 bytes of configuration space (as dwords):
 * an AHCI controller (AHCI_PCI_CLASS) with memory decoding and bus
 * mastering on (the firmware reads through it) and ABAR (BAR5) in memory
 * below 4 GiB, where stage 2 reaches it. Returns 0 with *abar, or -1 with
 * err saying why not. */
int ahci_pci_abar(const uint32_t cfg[16], uint32_t *abar, struct error *err);

/* Port `port` as the firmware left it: a disk (ATA signature) on a link
 * that is up, its command list and FIS area set and below 4 GiB, its
 * interrupts off (the firmware polls, as we do) and the device idle; and
 * the port either running (ST, FRE, CR, FR: SeaBIOS) or stopped between
 * commands (all four clear: edk2, which starts it for each command; so
 * do we then). Returns 0, or -1 with err saying why not. */
int ahci_port_usable(unsigned port, const struct ahci_port_state *p, struct error *err);

/* PxCMD's four engine bits: all set (running) or all clear (stopped). */
#define AHCI_CMD_ENGINES (AHCI_CMD_ST | AHCI_CMD_FRE | AHCI_CMD_CR | AHCI_CMD_FR)

/* Fill the header and table for READ DMA EXT of up to `count` sectors at
 * `lba` into the physical buffer `buf` (word aligned, below 4 GiB, not
 * crossing it); `table` is at physical `table_phys`. Returns the sectors
 * the command reads: min(count, AHCI_MAX_SECTORS). */
uint32_t ahci_build_read(struct ahci_cmd_header *h, struct ahci_cmd_table *t, uint32_t table_phys,
                         uint64_t lba, uint32_t count, uint32_t buf);

/* Whether the read of `count` sectors at `lba` ended well, from PxIS and
 * PxTFD once PxCI's bit cleared (or the wait for it ran out: timed_out).
 * Returns 0, or -1 with err naming the read and the registers. */
int ahci_command_result(uint64_t lba, uint32_t count, uint32_t is, uint32_t tfd, int timed_out,
                        struct error *err);

#endif
