/* common/ide_dma.c - EDD 3.0 location of an ATA boot drive and bus-master
 * DMA scatter lists (ide_dma.h). References: Phoenix "BIOS Enhanced Disk
 * Drive Specification" 3.0, table 7 (AH=48h result) and table 8 (DPTE);
 * SFF-8038i "Bus Master Programming Interface for IDE ATA Controllers",
 * section 2 (the Physical Region Descriptor table).
 */
#include <stddef.h>
#include <stdint.h>

#include "ide_dma.h"
#include "lib.h"

/* AH=48h result offsets (EDD 3.0 table 7). */
#define EDD_DPTE_PTR 0x1a
#define EDD_KEY 0x1e /* 0xbedd: the device path below is present */
#define EDD_PATH_LEN 0x20
#define EDD_HOST_BUS 0x24
#define EDD_INTERFACE 0x28
#define EDD_IFACE_PATH 0x30
#define EDD_DEVICE_PATH 0x38
#define EDD_CHECKSUM_END 0x42 /* the checksum byte is at 0x41 */

/* DPTE offsets (EDD 3.0 table 8). */
#define DPTE_COMMAND 0
#define DPTE_CONTROL 2
#define DPTE_HEAD 4 /* bit 4: slave */
#define DPTE_REVISION 14

#define SIXTY_FOUR_KIB 0x10000u

static int sums_to_zero(const uint8_t *p, size_t n)
{
	uint8_t sum = 0;
	for (size_t i = 0; i < n; i++)
		sum = (uint8_t)(sum + p[i]);
	return sum == 0;
}

uint32_t edd_dpte_pointer(const uint8_t params[EDD_PARAMS_SIZE])
{
	uint32_t p =
	    (uint32_t)le16(params + EDD_DPTE_PTR) | (uint32_t)le16(params + EDD_DPTE_PTR + 2) << 16;
	return p == 0xffffffffu ? 0 : p;
}

int edd_device_path_present(const uint8_t params[EDD_PARAMS_SIZE])
{
	return le16(params + EDD_KEY) == 0xbedd;
}

int edd_pci_function(const uint8_t params[EDD_PARAMS_SIZE], const char *interface,
                     struct pci_location *pci, struct error *err)
{
	if (!edd_device_path_present(params))
		return error_set(err, "edd: no EDD 3.0 device path");
	/* The checksum covers the key through offset 0x41; EDD 3.0 says the
	 * path is 36 (0x24) bytes and later T13 drafts 44: both end by 0x42. */
	uint8_t len = params[EDD_PATH_LEN];
	if (len < 0x24 || EDD_KEY + len > EDD_CHECKSUM_END)
		return error_set(err, "edd: device path length %u", len);
	if (!sums_to_zero(params + EDD_KEY, len))
		return error_set(err, "edd: device path checksum is wrong");
	if (memcmp(params + EDD_HOST_BUS, "PCI", 3) != 0)
		return error_set(err, "edd: host bus is not PCI");
	size_t want = strlen(interface);
	if (memcmp(params + EDD_INTERFACE, interface, want) != 0) {
		int shown = 8; /* space-padded ASCII */
		while (shown && params[EDD_INTERFACE + shown - 1] == ' ')
			shown--;
		while (want && interface[want - 1] == ' ')
			want--;
		return error_set(err, "edd: interface is %.*s, not %.*s", shown,
		                 (const char *)params + EDD_INTERFACE, (int)want, interface);
	}
	pci->bus = params[EDD_IFACE_PATH];
	pci->dev = params[EDD_IFACE_PATH + 1];
	pci->fn = params[EDD_IFACE_PATH + 2];
	if (pci->dev > 31 || pci->fn > 7)
		return error_set(err, "edd: PCI device %02x.%x is out of range", pci->dev, pci->fn);
	return 0;
}

int edd_ata_location(const uint8_t params[EDD_PARAMS_SIZE], const uint8_t dpte[EDD_DPTE_SIZE],
                     struct ata_location *loc, struct error *err)
{
	struct pci_location pci;
	if (edd_pci_function(params, "ATA ", &pci, err))
		return -1;
	if (!dpte)
		return error_set(err, "edd: no DPTE");
	if (dpte[DPTE_REVISION] != 0x11 || !sums_to_zero(dpte, EDD_DPTE_SIZE))
		return error_set(err, "edd: DPTE revision 0x%02x or checksum is wrong",
		                 dpte[DPTE_REVISION]);

	uint8_t slave = (dpte[DPTE_HEAD] >> 4) & 1;
	if (params[EDD_DEVICE_PATH] != slave)
		return error_set(err, "edd: device path says %s, DPTE says %s",
		                 params[EDD_DEVICE_PATH] ? "slave" : "master",
		                 slave ? "slave" : "master");
	uint16_t command = le16(dpte + DPTE_COMMAND), control = le16(dpte + DPTE_CONTROL);
	if (!command || !control)
		return error_set(err, "edd: DPTE has no I/O ports");

	loc->pci_bus = pci.bus;
	loc->pci_dev = pci.dev;
	loc->pci_fn = pci.fn;
	loc->command_base = command;
	loc->control_port = control;
	loc->slave = slave;
	return 0;
}

uint32_t ide_prd_build(struct ide_prd *table, unsigned max, uint32_t address, uint32_t bytes,
                       unsigned *used)
{
	uint32_t done = 0;
	unsigned n = 0;
	while (done < bytes && n < max) {
		uint32_t at = address + done;
		/* Up to the next 64 KiB boundary, which no region may cross. */
		uint32_t room = SIXTY_FOUR_KIB - (at & (SIXTY_FOUR_KIB - 1));
		uint32_t len = bytes - done < room ? bytes - done : room;
		table[n].address = at;
		table[n].bytes = (uint16_t)len; /* 64 KiB wraps to 0, as it should */
		table[n].flags = 0;
		done += len;
		n++;
	}
	if (done < bytes)
		done -= done % 512; /* whole sectors: the command counts them */
	/* Drop the descriptors the cut left empty and end the last at it. */
	while (n && table[n - 1].address >= address + done)
		n--;
	if (n) {
		table[n - 1].bytes = (uint16_t)(address + done - table[n - 1].address);
		table[n - 1].flags = IDE_PRD_LAST;
	}
	*used = n;
	return done;
}
