/* loader/bios/disk_bios.c - the boot drive as a struct disk, through the
 * BIOS's INT 13h extensions (Phoenix EDD 3.0: AH=41h check, AH=42h
 * extended read, AH=48h drive parameters).
 *
 * The BIOS can only write below 1 MiB, so every read goes into the bounce
 * buffer and is copied on (memcpy: rep movsb). Transfers are as large as
 * the BIOS accepts: 127 sectors first (the EDD limit many BIOSes keep),
 * halved on failure until one works; the working size is remembered.
 */
#include <stdint.h>

#include "bios.h"
#include "lib.h"
#include "log.h"

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

/* EDD 3.0 table 7: drive parameters (the fields we read). */
struct edd_params {
	uint16_t size;
	uint16_t flags;
	uint32_t cylinders, heads, sectors_per_track;
	uint64_t sectors;
	uint16_t bytes_per_sector;
	uint8_t rest[0x42 - 0x1a];
} __attribute__((packed));

struct bios_disk {
	uint8_t drive;
	uint32_t chunk;  /* the transfer size we try now */
	uint32_t proven; /* the largest that has worked; 0 before any read */
};

static struct bios_disk boot_disk;

/* One INT 13h AH=42h into the bounce buffer. Returns the BIOS status
 * (AH), 0 on success. */
static uint8_t read_chunk(uint8_t drive, uint64_t lba, uint32_t count)
{
	volatile struct edd_packet *p = bios_ptr(BIOS_SCRATCH);
	struct bios_regs r = {0};
	p->size = sizeof(struct edd_packet);
	p->reserved = 0;
	p->count = (uint16_t)count;
	p->offset = BIOS_OFF(BIOS_BOUNCE);
	p->segment = BIOS_SEG(BIOS_BOUNCE);
	p->lba = lba;
	r.eax = 0x4200;
	r.edx = drive;
	r.ds = BIOS_SEG(BIOS_SCRATCH);
	r.esi = BIOS_OFF(BIOS_SCRATCH);
	bios_int(0x13, &r);
	uint8_t status = (uint8_t)(r.eax >> 8);
	if (!(r.eflags & BIOS_FLAG_CF) && p->count == count)
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

static int disk_bios_read(struct disk *disk, uint64_t lba, uint32_t count, void *buf,
                          struct error *err)
{
	struct bios_disk *d = disk->ctx;
	uint8_t *out = buf;
	unsigned tries = 0;

	while (count) {
		uint32_t n = count < d->chunk ? count : d->chunk;
		uint8_t status = read_chunk(d->drive, lba, n);
		if (status) {
			/* A size that never worked: the BIOS may cap transfers
			 * (64 KiB, or 127 sectors), so halve it for good. */
			if (n > d->proven && n > 1) {
				d->chunk = (n > 64 ? 64 : n / 2);
				log_verbose(
				    "disk: %u-sector read refused (status 0x%02x), trying %u",
				    (unsigned)n, status, (unsigned)d->chunk);
				continue;
			}
			/* A size that did work: a transient error. */
			if (++tries > READ_TRIES)
				return error_set(err,
				                 "disk: read of %u sectors at LBA 0x%llx failed on "
				                 "drive 0x%02x: BIOS status 0x%02x",
				                 (unsigned)n, (unsigned long long)lba, d->drive,
				                 status);
			reset_drive(d->drive);
			continue;
		}
		if (n > d->proven)
			d->proven = n;
		tries = 0;
		memcpy(out, bios_ptr(BIOS_BOUNCE), n * DISK_SECTOR_SIZE);
		out += n * DISK_SECTOR_SIZE;
		lba += n;
		count -= n;
	}
	return 0;
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
	p->size = 0x1e;
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
	disk->read = disk_bios_read;
	disk->sectors = sectors;
	disk->ctx = &boot_disk;
	return 0;
}
