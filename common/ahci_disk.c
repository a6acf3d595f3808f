/* common/ahci_disk.c - the boot drive through its AHCI port (ahci_disk.h).
 * MMIO and PCI configuration access, so built for the loaders only; the
 * decisions and the command layout are in common/ahci.c, host-tested.
 * The command table's and the buffers' addresses are 32-bit (the upper
 * halves stay 0, whatever the HBA's CAP.S64A says).
 *
 * One command at a time in slot 0 of the firmware's command list, its
 * header put back after, polled with a TSC deadline like common/ata_dma.c.
 */
#include <stdint.h>

#include "ahci.h"
#include "ahci_disk.h"
#include "cpu.h"
#include "fmt.h"
#include "lib.h"
#include "mmio.h"
#include "pci.h"

#define PCI_CLASS_BRIDGE 0x060400u
#define MAX_BUSES 16u

static struct ahci_cmd_table table __attribute__((aligned(128)));

static volatile uint32_t *port_reg(const struct ahci_disk *a, uint32_t reg)
{
	return reg32(a->abar + AHCI_PORT(a->port) + reg);
}

/* Set or clear PxCMD bits `set` and wait until bits `running` follow:
 * 0, or -1 when they don't within the deadline (AHCI 10.1.2 allows 500
 * ms). */
static int switch_engine(const struct ahci_disk *a, uint32_t set, uint32_t running, int on)
{
	volatile uint32_t *cmd = port_reg(a, AHCI_PX_CMD);
	*cmd = on ? *cmd | set : *cmd & ~set;
	uint64_t deadline = rdtsc() + DEVICE_TIMEOUT_TICKS;
	while (!(*cmd & running) != !on)
		if (rdtsc() > deadline)
			return -1;
	return 0;
}

/* AHCI 10.3.1: FIS receive first, then the command list; stopping, the
 * other way round. */
static int start_port(const struct ahci_disk *a)
{
	return switch_engine(a, AHCI_CMD_FRE, AHCI_CMD_FR, 1) ||
	       switch_engine(a, AHCI_CMD_ST, AHCI_CMD_CR, 1);
}

static void stop_port(const struct ahci_disk *a)
{
	(void)switch_engine(a, AHCI_CMD_ST, AHCI_CMD_CR, 0);
	(void)switch_engine(a, AHCI_CMD_FRE, AHCI_CMD_FR, 0);
}

/* AHCI 6.2.2.1: stop the command list (PxCI clears with it), clear the
 * port's errors and start it again, idle. */
static void restart_port(const struct ahci_disk *a)
{
	(void)switch_engine(a, AHCI_CMD_ST, AHCI_CMD_CR, 0);
	*port_reg(a, AHCI_PX_SERR) = *port_reg(a, AHCI_PX_SERR);
	*port_reg(a, AHCI_PX_IS) = *port_reg(a, AHCI_PX_IS);
	(void)switch_engine(a, AHCI_CMD_ST, AHCI_CMD_CR, 1);
}

/* Read `count` sectors (at most AHCI_MAX_SECTORS) at `lba` to `buf` by
 * one command in slot 0, whose header is put back after. */
static int read_command(const struct ahci_disk *a, uint64_t lba, uint32_t count, uint32_t buf,
                        struct error *err)
{
	struct ahci_cmd_header h;
	ahci_build_read(&h, &table, (uint32_t)(uintptr_t)&table, lba, count, buf);
	volatile uint32_t *slot = reg32(*port_reg(a, AHCI_PX_CLB));
	const uint32_t *ours = (const uint32_t *)&h;
	uint32_t saved[sizeof(h) / 4];
	for (unsigned i = 0; i < sizeof(h) / 4; i++) {
		saved[i] = slot[i];
		slot[i] = ours[i];
	}
	*port_reg(a, AHCI_PX_IS) = *port_reg(a, AHCI_PX_IS); /* write 1 to clear */
	barrier();
	*port_reg(a, AHCI_PX_CI) = 1;

	uint64_t deadline = rdtsc() + DEVICE_TIMEOUT_TICKS;
	int timed_out = 0;
	while ((*port_reg(a, AHCI_PX_CI) & 1) && !(*port_reg(a, AHCI_PX_IS) & AHCI_IS_TFES) &&
	       !(timed_out = rdtsc() > deadline))
		;
	uint32_t is = *port_reg(a, AHCI_PX_IS), tfd = *port_reg(a, AHCI_PX_TFD);
	*port_reg(a, AHCI_PX_IS) = is;
	int failed = ahci_command_result(lba, count, is, tfd, timed_out, err);
	if (failed)
		restart_port(a);
	for (unsigned i = 0; i < sizeof(h) / 4; i++)
		slot[i] = saved[i];
	return failed;
}

int ahci_disk_read(struct ahci_disk *a, uint64_t lba, uint32_t count, void *buf, struct error *err)
{
#if UINTPTR_MAX > 0xffffffffu
	if ((uint64_t)(uintptr_t)buf + (uint64_t)count * 512u > 0x100000000ull)
		return error_set(err, "ahci: buffer at 0x%llx is beyond the HBA's 4 GiB",
		                 (unsigned long long)(uintptr_t)buf);
#endif
	uint32_t at = (uint32_t)(uintptr_t)buf;
	/* As the firmware left it this time: running with nothing issued, or
	 * stopped, to be started and stopped again around our commands. */
	uint32_t engines = *port_reg(a, AHCI_PX_CMD) & AHCI_CMD_ENGINES;
	int stopped = !engines;
	if ((!stopped && engines != AHCI_CMD_ENGINES) || *port_reg(a, AHCI_PX_CI))
		return error_set(err, "ahci: port %u is busy (PxCMD 0x%x, PxCI 0x%x)", a->port,
		                 (unsigned)*port_reg(a, AHCI_PX_CMD),
		                 (unsigned)*port_reg(a, AHCI_PX_CI));
	if (stopped && start_port(a)) {
		stop_port(a);
		return error_set(err, "ahci: port %u does not start (PxCMD 0x%x)", a->port,
		                 (unsigned)*port_reg(a, AHCI_PX_CMD));
	}
	int failed = 0;
	while (count && !failed) {
		uint32_t n = count < AHCI_MAX_SECTORS ? count : AHCI_MAX_SECTORS;
		failed = read_command(a, lba, n, at, err);
		at += n * 512u;
		lba += n;
		count -= n;
	}
	if (stopped)
		stop_port(a);
	return failed;
}

void ahci_disk_describe(const struct ahci_disk *a, char *out, size_t size)
{
	fmt_snprintf(out, size, "port %u, PCI %02x:%02x.%x", a->port, a->pci.bus, a->pci.dev,
	             a->pci.fn);
}

/* The search's state: what matched, and the reason from the furthest
 * stage any disk was passed over at (a disk that read other sectors says
 * more than an empty port). */
struct search {
	int (*read_first)(void *first, struct error *err);
	void *first;
	int have_first;
	uint32_t count;
	void *scratch;
	unsigned controllers;
	int matches;
	struct ahci_disk found;
	int stage;
	struct error why;
};

static void passed_over(struct search *s, int stage, const struct error *e)
{
	if (stage >= s->stage) {
		s->stage = stage;
		s->why = *e;
	}
}

/* Whether port a->port is a disk we can read: 0, or the stage it was
 * passed over at (1 no device, 2 not a disk we can read) with e why. */
static int check_port(struct ahci_disk *a, struct error *e)
{
	struct ahci_port_state p = {
	    .clb = *port_reg(a, AHCI_PX_CLB),
	    .clbu = *port_reg(a, AHCI_PX_CLBU),
	    .fb = *port_reg(a, AHCI_PX_FB),
	    .fbu = *port_reg(a, AHCI_PX_FBU),
	    .cmd = *port_reg(a, AHCI_PX_CMD),
	    .ie = *port_reg(a, AHCI_PX_IE),
	    .tfd = *port_reg(a, AHCI_PX_TFD),
	    .sig = *port_reg(a, AHCI_PX_SIG),
	    .ssts = *port_reg(a, AHCI_PX_SSTS),
	};
	if ((p.ssts & 0xf) != 3) {
		error_set(e, "ahci: no disk on port %u", a->port);
		return 1;
	}
	return ahci_port_usable(a->port, &p, e) ? 2 : 0;
}

/* Whether port a->port holds the boot drive: 0, or the stage it was
 * passed over at (check_port's, or 3: its first sectors) with e why. The
 * first sectors are the MBR and the GPT header, which names the disk
 * (its GUID) and its size (the backup header's LBA). */
static int try_port(struct search *s, struct ahci_disk *a, struct error *e)
{
	int stage = check_port(a, e);
	if (stage)
		return stage;
	if (!s->have_first && s->read_first(s->first, e))
		return 3;
	s->have_first = 1;
	if (ahci_disk_read(a, 0, s->count, s->scratch, e))
		return 3;
	if (memcmp(s->scratch, s->first, s->count * 512u)) {
		error_set(e, "ahci: port %u reads other first sectors than INT 13h", a->port);
		return 3;
	}
	return 0;
}

/* The AHCI controller at `f`, as ahci_pci_abar judges its configuration
 * space: a->abar set, and its implemented ports returned in *ports. A
 * controller the firmware left in legacy mode (GHC.AE clear) runs no
 * port: ahci_port_usable turns each down. */
static int open_controller(struct ahci_disk *a, const struct pci_location *f, uint32_t *ports,
                           struct error *err)
{
	uint32_t cfg[16];
	for (uint8_t i = 0; i < 16; i++)
		cfg[i] = pci_read32(f, (uint8_t)(4 * i));
	*a = (struct ahci_disk){.pci = *f};
	if (ahci_pci_abar(cfg, &a->abar, err))
		return -1;
	*ports = *reg32(a->abar + AHCI_PI);
	return 0;
}

/* The HBA fetches the command table by a 32-bit address here. */
static int table_in_reach(struct error *err)
{
#if UINTPTR_MAX > 0xffffffffu
	if ((uint64_t)(uintptr_t)&table + sizeof(table) > 0x100000000ull)
		return error_set(err, "ahci: the loader is above 4 GiB, out of the HBA's reach");
#else
	(void)err;
#endif
	return 0;
}

static void try_controller(struct search *s, const struct pci_location *f)
{
	struct error e = {{0}};
	struct ahci_disk a;
	uint32_t implemented;
	s->controllers++;
	if (open_controller(&a, f, &implemented, &e)) {
		passed_over(s, 2, &e);
		return;
	}
	for (a.port = 0; a.port < AHCI_MAX_PORTS; a.port++) {
		if (!(implemented & (1u << a.port)))
			continue;
		int stage = try_port(s, &a, &e);
		if (stage)
			passed_over(s, stage, &e);
		else if (!s->matches++)
			s->found = a;
	}
}

int ahci_disk_open(struct ahci_disk *a, const struct pci_location *pci, unsigned port,
                   struct error *err)
{
	uint32_t implemented;
	if (table_in_reach(err) || open_controller(a, pci, &implemented, err))
		return -1;
	a->port = port;
	if (port >= AHCI_MAX_PORTS || !(implemented & (1u << port)))
		return error_set(err, "ahci: PCI %02x:%02x.%x has no port %u", pci->bus, pci->dev,
		                 pci->fn, port);
	return check_port(a, err) ? -1 : 0;
}

int ahci_disk_find(struct ahci_disk *a, int (*read_first)(void *first, struct error *err),
                   void *first, uint32_t count, void *scratch, struct error *err)
{
	struct search s = {
	    .read_first = read_first, .first = first, .count = count, .scratch = scratch};
	if (table_in_reach(err))
		return -1;
	/* Until a port says more: a controller may implement none. */
	error_set(&s.why, "ahci: no port implemented");
	/* Bus 0, then each bus a PCI-to-PCI bridge leads to, as found. */
	uint8_t buses[MAX_BUSES] = {0};
	unsigned nbuses = 1;
	for (unsigned b = 0; b < nbuses; b++) {
		for (uint8_t dev = 0; dev < 32; dev++) {
			for (uint8_t fn = 0; fn < 8; fn++) {
				struct pci_location f = {buses[b], dev, fn};
				if ((pci_read32(&f, 0) & 0xffff) == 0xffff) {
					if (!fn)
						break;
					continue;
				}
				uint32_t class = pci_read32(&f, 0x08) >> 8;
				if (class == AHCI_PCI_CLASS) {
					try_controller(&s, &f);
				} else if (class == PCI_CLASS_BRIDGE) {
					uint8_t secondary = (uint8_t)(pci_read32(&f, 0x18) >> 8);
					int known = !secondary; /* 0: not configured */
					for (unsigned i = 0; i < nbuses; i++)
						known |= buses[i] == secondary;
					if (!known && nbuses < MAX_BUSES)
						buses[nbuses++] = secondary;
				}
				/* Functions 1-7 only on a multi-function device. */
				if (!fn && !(pci_read32(&f, 0x0c) & 0x00800000u))
					break;
			}
		}
	}
	if (s.matches == 1) {
		*a = s.found;
		return 0;
	}
	if (s.matches > 1)
		return error_set(
		    err, "ahci: %d disks read the same first sectors as the boot drive", s.matches);
	if (!s.controllers) {
		error_set(err, "ahci: no AHCI controller");
		return AHCI_NO_CONTROLLER;
	}
	*err = s.why;
	return -1;
}
