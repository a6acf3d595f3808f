/* loader/bios/disk_bios.c - the boot drive as a struct disk, through the
 * BIOS's INT 13h extensions (Phoenix EDD 3.0: AH=41h check, AH=42h
 * extended read, AH=48h drive parameters), or by bus-master DMA when
 * AH=48h says the drive is an IDE disk on PCI (ata_dma.c), or through
 * the device's own queue when it names a virtio-blk function
 * (virtio_disk.c), or through its AHCI port when it names no device at
 * all, as SeaBIOS does for AHCI disks (common/ahci_disk.c).
 *
 * The DMA and AHCI paths are taken when the disk is opened, only after
 * they read the first sectors exactly as INT 13h does, and dropped for
 * good, back to INT 13h, on their first error or when the config says
 * disk=firmware.
 * The virtio path cannot go back: taking the device over resets it under
 * SeaBIOS, so it waits until the config is read and allows it. Its first
 * read is the same check, and it and any later error end the boot.
 *
 * The BIOS can only write below 1 MiB, so every INT 13h read goes into the
 * bounce area and is copied on. Transfers are as large as the BIOS
 * accepts: 127 sectors first (the EDD limit many BIOSes keep), halved on
 * failure until one works; the working size is remembered. Once it has
 * worked, up to three go in one trip to real mode (realmode.asm), one in
 * each 64 KiB segment of the bounce area: under QEMU a trip costs about as
 * much as copying the 64 KiB on. Reads of a few sectors (the GPT, the
 * FAT's metadata, directories, the config) fetch a whole transfer through
 * a read-ahead window (common/readahead.h): on INT 13h only, where each
 * read is a trip to real mode and, from a USB stick, a transfer of its
 * own; a DMA or virtio command costs neither, and a window running into
 * a bad sector nobody needs must not end the DMA path.
 */
#include <stdint.h>

#include "ahci_disk.h"
#include "ata_dma.h"
#include "bios.h"
#include "cpu.h"
#include "fmt.h"
#include "lib.h"
#include "log.h"
#include "readahead.h"
#include "virtio_disk.h"

#define EDD_MAX_SECTORS 127u
#define READ_TRIES 3u

/* EDD 3.0 table 6: the disk address packet. */
struct edd_packet {
	uint8_t size;
	uint8_t reserved;
	uint16_t count;
	uint16_t offset, segment;
	uint64_t lba;
};

/* EDD 3.0 table 7: drive parameters (the fields we read here; ide_dma.c
 * reads the device path beyond them). */
struct edd_params {
	uint16_t size;
	uint16_t flags;
	uint32_t cylinders, heads, sectors_per_track;
	uint64_t sectors;
	uint16_t bytes_per_sector;
	uint8_t rest[EDD_PARAMS_SIZE - 0x1a];
} __attribute__((packed));

/* Sectors the DMA path must read exactly as INT 13h does before it is
 * trusted: the MBR and the GPT header, which name this disk. */
#define DMA_CHECK_SECTORS 2u

struct bios_disk {
	uint8_t drive;
	uint32_t chunk;  /* the transfer size we try now */
	uint32_t proven; /* the largest that has worked; 0 before any read */
	int use_dma;     /* reads go through `ata` */
	int use_ahci;    /* reads go through `ahci` */
	int use_virtio;  /* reads go through `virtio`, for good */
	struct ata_dma ata;
	struct ahci_disk ahci;
	struct virtio_blk virtio;
	/* AH=48h's answer, kept for disk_bios_native; unset: no answer */
	int have_params;
	uint8_t params[EDD_PARAMS_SIZE];
	char method[160]; /* how, or why not by DMA, for verbose=1 */
};

static struct bios_disk boot_disk;

/* INT 13h reads as a struct disk, and the read-ahead window over it: one
 * transfer at the EDD limit, 63.5 KiB. Static: the BIOS stack is small. */
static struct disk int13_disk;
static struct readahead int13_ahead;
static uint8_t int13_window[EDD_MAX_SECTORS * DISK_SECTOR_SIZE];

/* The first sectors as read by INT 13h and by the native path. */
static uint8_t by_native[DMA_CHECK_SECTORS * DISK_SECTOR_SIZE],
    by_int13[DMA_CHECK_SECTORS * DISK_SECTOR_SIZE];

/* A batch of INT 13h AH=42h reads: the i-th into the i-th 64 KiB segment
 * of the bounce area, its disk address packet at BIOS_SCRATCH + 16 i. */
struct int13_batch {
	unsigned calls;
	uint32_t sectors[BIOS_BATCH_MAX];
	struct bios_regs regs[BIOS_BATCH_MAX];
};

static uint32_t slot_addr(unsigned i)
{
	return BIOS_BOUNCE + i * BIOS_BOUNCE_SEGMENT;
}

static uint32_t packet_addr(unsigned i)
{
	return BIOS_SCRATCH + i * sizeof(struct edd_packet);
}

/* Sectors the i-th segment of the bounce area holds: the whole segment
 * but the last sector (EDD's 127-sector limit), or what is left of the
 * area before bios_bounce_end. */
static uint32_t bounce_sectors(unsigned i)
{
	uint32_t start = slot_addr(i);
	if (i >= BIOS_BATCH_MAX || start >= bios_bounce_end)
		return 0;
	uint32_t room = (bios_bounce_end - start) / DISK_SECTOR_SIZE;
	return room < EDD_MAX_SECTORS ? room : EDD_MAX_SECTORS;
}

static void add_read(struct int13_batch *b, uint8_t drive, uint64_t lba, uint32_t count)
{
	unsigned i = b->calls++;
	uint32_t packet = packet_addr(i);
	volatile struct edd_packet *p = bios_ptr(packet);
	p->size = sizeof(struct edd_packet);
	p->reserved = 0;
	p->count = (uint16_t)count;
	p->offset = BIOS_OFF(slot_addr(i));
	p->segment = BIOS_SEG(slot_addr(i));
	p->lba = lba;
	b->sectors[i] = count;
	b->regs[i] = (struct bios_regs){0};
	b->regs[i].eax = 0x4200;
	b->regs[i].edx = drive;
	b->regs[i].ds = BIOS_SEG(packet);
	b->regs[i].esi = BIOS_OFF(packet);
}

/* The BIOS status (AH) of the i-th read, 0 on success. */
static uint8_t read_status(const struct int13_batch *b, unsigned i)
{
	volatile struct edd_packet *p = bios_ptr(packet_addr(i));
	uint8_t status = (uint8_t)(b->regs[i].eax >> 8);
	if (!(b->regs[i].eflags & BIOS_FLAG_CF) && p->count == b->sectors[i])
		return 0;
	/* CF with AH = 0, or fewer sectors than asked: still a failure. */
	return status ? status : 0xff;
}

static void reset_drive(uint8_t drive)
{
	struct bios_regs r = {0};
	r.edx = drive; /* AH = 0: reset */
	bios_int(0x13, &r);
}

static int int13_read(struct bios_disk *d, uint64_t lba, uint32_t count, void *buf,
                      struct error *err)
{
	uint8_t *out = buf;
	unsigned tries = 0;
	uint32_t chunk_before = d->chunk;

	while (count) {
		/* As many reads as the bounce area holds in one trip to real
		 * mode, once the transfer size has worked; a size not yet
		 * proven goes alone, so a refusal is told from an error. */
		struct int13_batch b = {0};
		uint32_t planned = 0;
		do {
			uint32_t n = count - planned;
			uint32_t room = bounce_sectors(b.calls);
			if (n > d->chunk)
				n = d->chunk;
			if (n > room)
				n = room;
			add_read(&b, d->drive, lba + planned, n);
			planned += n;
		} while (planned < count && b.sectors[0] <= d->proven && bounce_sectors(b.calls));
		unsigned made = bios_int_batch(0x13, b.regs, b.calls);

		unsigned i;
		uint8_t status = 0;
		for (i = 0; i < made && !(status = read_status(&b, i)); i++) {
			uint32_t n = b.sectors[i];
			if (n > d->proven)
				d->proven = n;
			tries = 0;
			memcpy(out, bios_ptr(slot_addr(i)), n * DISK_SECTOR_SIZE);
			out += n * DISK_SECTOR_SIZE;
			lba += n;
			count -= n;
		}
		if (i == b.calls)
			continue;
		/* The i-th read failed; any after it are made again. */
		uint32_t n = b.sectors[i];
		/* A size that never worked: the BIOS may cap transfers (64 KiB,
		 * or 127 sectors), so halve it for good. */
		if (n > d->proven && n > 1) {
			d->chunk = (n > 64 ? 64 : n / 2);
			log_verbose("disk: %u-sector read refused (status 0x%02x), trying %u",
			            (unsigned)n, status, (unsigned)d->chunk);
			continue;
		}
		/* A size that did work: a transient error. */
		if (++tries > READ_TRIES) {
			/* A sector that fails at every size: what halved the
			 * size on the way may have been that sector, not a
			 * BIOS limit, so the next read starts where this one
			 * did (a limit shows again at once). Else a window
			 * that ran into a bad sector nobody needs would leave
			 * the kernel to come in small reads. */
			d->chunk = chunk_before;
			return error_set(err,
			                 "disk: read of %u sectors at LBA 0x%llx failed on drive "
			                 "0x%02x: BIOS status 0x%02x",
			                 (unsigned)n, (unsigned long long)lba, d->drive, status);
		}
		reset_drive(d->drive);
	}
	return 0;
}

static int int13_disk_read(struct disk *disk, uint64_t lba, uint32_t count, void *buf,
                           struct error *err)
{
	return int13_read(disk->ctx, lba, count, buf, err);
}

/* A native path's error: INT 13h reads from here on, and says why. */
static void native_failed(struct bios_disk *d, const struct error *e, const char *path)
{
	log_info("disk: %s; reading by INT 13h from here on", e->msg);
	fmt_snprintf(d->method, sizeof(d->method), "INT 13h after %s error", path);
}

static int disk_bios_read(struct disk *disk, uint64_t lba, uint32_t count, void *buf,
                          struct error *err)
{
	struct bios_disk *d = disk->ctx;
	if (d->use_virtio)
		return virtio_blk_read(&d->virtio, lba, count, buf, err);
	if ((d->use_dma || d->use_ahci) && !((uintptr_t)buf & 1)) {
		struct error e = {{0}};
		if (d->use_dma ? !ata_dma_read(&d->ata, lba, count, buf, &e)
		               : !ahci_disk_read(&d->ahci, lba, count, buf, &e))
			return 0;
		native_failed(d, &e, d->use_dma ? "a DMA" : "an AHCI");
		d->use_dma = d->use_ahci = 0;
	}
	return int13_ahead.disk.read(&int13_ahead.disk, lba, count, buf, err);
}

/* Take the DMA path when AH=48h (its result in `params`) places the drive
 * on a PCI IDE channel, the controller and disk suit it, and it reads the
 * first sectors as INT 13h does. d->method says which, or why not. */
static void try_dma(struct bios_disk *d, const uint8_t *params)
{
	uint8_t *by_dma = by_native;
	struct error err = {{0}};
	uint32_t dpte_ptr = edd_dpte_pointer(params);
	const uint8_t *dpte = dpte_ptr ? bios_ptr(BIOS_FARPTR(dpte_ptr)) : 0;
	struct ata_location loc;
	int usable = 0;
	/* A CPU without a TSC has no clock for the driver's timeouts. */
	if (!cpu_features().tsc)
		error_set(&err, "no TSC for timeouts");
	else if (!edd_ata_location(params, dpte, &loc, &err) &&
	         !ata_dma_open(&d->ata, &loc, &err) &&
	         !ata_dma_read(&d->ata, 0, DMA_CHECK_SECTORS, by_dma, &err)) {
		/* INT 13h reads next: the channel as the BIOS expects it. */
		ata_dma_release(&d->ata);
		if (!int13_read(d, 0, DMA_CHECK_SECTORS, by_int13, &err)) {
			usable = !memcmp(by_dma, by_int13, sizeof(by_int13));
			if (!usable)
				error_set(&err,
				          "ata: DMA and INT 13h read different first sectors");
		}
	}
	if (!usable) {
		fmt_snprintf(d->method, sizeof(d->method), "INT 13h (%s)", err.msg);
		return;
	}
	d->use_dma = 1;
	char where[80];
	ata_dma_describe(&d->ata, where, sizeof(where));
	fmt_snprintf(d->method, sizeof(d->method), "bus-master DMA (%s)", where);
}

/* Take the virtio path when AH=48h places the drive on a virtio-blk PCI
 * function that virtio_blk_open accepts. INT 13h reads the first sectors
 * before the takeover, the device's own queue after it: the same bytes,
 * or the boot ends, since INT 13h cannot read the reset device. */
static void try_virtio(struct bios_disk *d, const uint8_t *params, uint64_t sectors)
{
	struct virtio_blk *v = &d->virtio;
	struct error err = {{0}};
	if (!cpu_features().tsc)
		error_set(&err, "no TSC for timeouts");
	else if (!virtio_blk_open(v, params, sectors, &err) &&
	         !int13_read(d, 0, DMA_CHECK_SECTORS, by_int13, &err)) {
		if (virtio_blk_take_over(v, &err) ||
		    virtio_blk_read(v, 0, DMA_CHECK_SECTORS, by_native, &err))
			log_fatal("disk: virtio-blk at PCI %02x:%02x.%x: %s; after its reset INT "
			          "13h cannot read it",
			          v->pci.bus, v->pci.dev, v->pci.fn, err.msg);
		if (memcmp(by_native, by_int13, sizeof(by_int13)))
			log_fatal("disk: virtio-blk at PCI %02x:%02x.%x reads LBA 0 differently "
			          "from INT 13h; is the boot drive another disk?",
			          v->pci.bus, v->pci.dev, v->pci.fn);
		d->use_virtio = 1;
		fmt_snprintf(d->method, sizeof(d->method),
		             "virtio-blk (PCI %02x:%02x.%x, queue size %u)", v->pci.bus, v->pci.dev,
		             v->pci.fn, v->queue_size);
		return;
	}
	/* Not a virtio drive at all: the IDE path's reason stands. */
	if (strncmp(err.msg, "edd:", 4))
		fmt_snprintf(d->method, sizeof(d->method), "INT 13h (%s)", err.msg);
}

/* The boot drive's first sectors by INT 13h, for ahci_disk_find. */
static int int13_first_sectors(void *buf, struct error *err)
{
	return int13_read(&boot_disk, 0, DMA_CHECK_SECTORS, buf, err);
}

/* Take the AHCI path when the BIOS names no device for the drive (no
 * AH=48h answer, or one without an EDD 3.0 device path: SeaBIOS's AHCI
 * disks) and exactly one disk on an AHCI port reads its first sectors as
 * INT 13h does. */
static void try_ahci(struct bios_disk *d)
{
	struct error err = {{0}};
	if (d->have_params && edd_device_path_present(d->params))
		return;
	int status = cpu_features().tsc ? ahci_disk_find(&d->ahci, int13_first_sectors, by_int13,
	                                                 DMA_CHECK_SECTORS, by_native, &err)
	                                : error_set(&err, "no TSC for timeouts");
	if (!status) {
		d->use_ahci = 1;
		char where[64];
		ahci_disk_describe(&d->ahci, where, sizeof(where));
		fmt_snprintf(d->method, sizeof(d->method), "AHCI (%s)", where);
		return;
	}
	/* No AHCI controller at all: the EDD reason says more. */
	if (status != AHCI_NO_CONTROLLER)
		fmt_snprintf(d->method, sizeof(d->method), "INT 13h (%s)", err.msg);
}

void disk_bios_native(struct disk *disk, int allowed)
{
	struct bios_disk *d = disk->ctx;
	if (!allowed) {
		/* DMA, if on, has read only the partition table and the
		 * config; the channel goes back to the BIOS as it found it. */
		if (d->use_dma)
			ata_dma_release(&d->ata);
		d->use_dma = d->use_ahci = 0;
		if (d->have_params)
			fmt_snprintf(d->method, sizeof(d->method),
			             "INT 13h (disk=firmware in the config)");
		return;
	}
	if (d->have_params && !d->use_dma && !d->use_ahci)
		try_virtio(d, d->params, disk->sectors);
}

const char *disk_bios_method(const struct disk *disk)
{
	const struct bios_disk *d = disk->ctx;
	return d->method;
}

int disk_bios_open(struct disk *disk, uint8_t drive, struct error *err)
{
	struct bios_regs r = {0};

	/* AH=41h: BX = AA55h and CX bit 0 (packet interface) on success. */
	r.eax = 0x4100;
	r.ebx = 0x55aa;
	r.edx = drive;
	bios_int(0x13, &r);
	if ((r.eflags & BIOS_FLAG_CF) || (r.ebx & 0xffff) != 0xaa55 || !(r.ecx & 1))
		return error_set(err, "disk: drive 0x%02x has no INT 13h extensions", drive);

	/* AH=48h: the size of the disk and its sector size. */
	volatile struct edd_params *p = bios_ptr(BIOS_SCRATCH);
	memset((void *)p, 0, sizeof(*p));
	p->size = EDD_PARAMS_SIZE; /* EDD 3.0: with the device path */
	r = (struct bios_regs){0};
	r.eax = 0x4800;
	r.edx = drive;
	r.ds = BIOS_SEG(BIOS_SCRATCH);
	r.esi = BIOS_OFF(BIOS_SCRATCH);
	bios_int(0x13, &r);
	uint64_t sectors = 0;
	if (!(r.eflags & BIOS_FLAG_CF)) {
		if (p->bytes_per_sector && p->bytes_per_sector != DISK_SECTOR_SIZE)
			return error_set(err, "disk: drive 0x%02x has %u-byte sectors, not 512",
			                 drive, p->bytes_per_sector);
		sectors = p->sectors;
	}

	boot_disk.drive = drive;
	boot_disk.chunk = EDD_MAX_SECTORS;
	boot_disk.proven = 0;
	boot_disk.use_dma = 0;
	boot_disk.use_ahci = 0;
	boot_disk.use_virtio = 0;
	boot_disk.have_params = !(r.eflags & BIOS_FLAG_CF);
	if (boot_disk.have_params)
		memcpy(boot_disk.params, (const void *)p, sizeof(boot_disk.params));
	fmt_snprintf(boot_disk.method, sizeof(boot_disk.method), "INT 13h (no AH=48h)");
	/* DMA at once: it can be dropped again if the config says
	 * disk=firmware. The virtio takeover cannot, so it waits for the
	 * config (disk_bios_native). */
	if (boot_disk.have_params)
		try_dma(&boot_disk, boot_disk.params);
	if (!boot_disk.use_dma)
		try_ahci(&boot_disk);
	int13_disk = (struct disk){.read = int13_disk_read, .sectors = sectors, .ctx = &boot_disk};
	readahead_init(&int13_ahead, &int13_disk, int13_window, EDD_MAX_SECTORS);
	disk->read = disk_bios_read;
	disk->sectors = sectors;
	disk->ctx = &boot_disk;
	return 0;
}

uint32_t disk_bios_transfer_sectors(const struct disk *disk)
{
	const struct bios_disk *d = disk->ctx;
	return d->chunk;
}
