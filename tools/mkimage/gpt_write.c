/* tools/mkimage/gpt_write.c - the image's partition tables.
 *
 * GPT per UEFI 2.10 ch. 5.3: primary header at LBA 1 with its 128-entry
 * array at LBA 2..33, the backup array and header at the disk's end, both
 * CRC32-sealed. Two partitions: the BIOS boot partition holding stage 2
 * (LBA 34..2047, the gap GRUB uses too, so no tool mistakes it for free
 * space) and the ESP from LBA 2048. The MBR is either the spec's
 * protective MBR or a hybrid one (see mbr_build).
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "crc32.h"
#include "mkimage.h"

/* GUIDs in their on-disk byte order (first three fields little-endian). */
static const uint8_t bios_boot_type[16] = {0x48, 0x61, 0x68, 0x21, 0x49, 0x64, 0x6f, 0x6e,
                                           0x74, 0x4e, 0x65, 0x65, 0x64, 0x45, 0x46, 0x49};
static const uint8_t esp_type[16] = {0x28, 0x73, 0x2a, 0xc1, 0x1f, 0xf8, 0xd2, 0x11,
                                     0xba, 0x4b, 0x00, 0xa0, 0xc9, 0x3e, 0xc9, 0x3b};

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)v);
	put16(p + 2, (uint16_t)(v >> 16));
}

static void put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)v);
	put32(p + 4, (uint32_t)(v >> 32));
}

/* A version-4-shaped GUID from 16 bytes of the input hash: deterministic
 * for the same inputs, distinct across images. */
static void derived_guid(uint8_t out[16], const uint8_t seed[32], unsigned which)
{
	for (unsigned i = 0; i < 16; i++)
		out[i] = seed[(i + which * 5) % 32] ^ (uint8_t)(which * 0x3d);
	out[7] = (uint8_t)((out[7] & 0x0f) | 0x40); /* version 4 (byte 7: time_hi high byte) */
	out[8] = (uint8_t)((out[8] & 0x3f) | 0x80); /* RFC 4122 variant */
}

static void put_entry(uint8_t *e, const uint8_t type[16], const uint8_t seed[32], unsigned which,
                      uint64_t first, uint64_t last, const char *name)
{
	memcpy(e, type, 16);
	derived_guid(e + 16, seed, which);
	put64(e + 32, first);
	put64(e + 40, last);
	for (unsigned i = 0; name[i] && i < 36; i++)
		put16(e + 56 + 2 * i, (uint8_t)name[i]); /* UTF-16LE */
}

static int write_at(int fd, uint64_t lba, const void *buf, size_t len)
{
	if (pwrite(fd, buf, len, (off_t)(lba * SECTOR)) != (ssize_t)len) {
		perror("mkimage: writing the image");
		return -1;
	}
	return 0;
}

static void fill_header(uint8_t *h, uint64_t my_lba, uint64_t alt_lba, uint64_t entries_lba,
                        uint64_t total, const uint8_t seed[32], uint32_t entries_crc)
{
	memset(h, 0, SECTOR);
	memcpy(h, "EFI PART", 8);
	put32(h + 8, 0x00010000); /* revision 1.0 */
	put32(h + 12, 92);
	put64(h + 24, my_lba);
	put64(h + 32, alt_lba);
	put64(h + 40, STAGE2_LBA);                        /* first usable */
	put64(h + 48, total - 1 - GPT_ENTRY_SECTORS - 1); /* last usable */
	derived_guid(h + 56, seed, 0);
	put64(h + 72, entries_lba);
	put32(h + 80, GPT_ENTRIES);
	put32(h + 84, GPT_ENTRY_SIZE);
	put32(h + 88, entries_crc);
	put32(h + 16, crc32(0, h, 92));
}

int gpt_write(int fd, uint64_t total, uint64_t esp_sectors, const uint8_t seed[32])
{
	static uint8_t entries[GPT_ENTRIES * GPT_ENTRY_SIZE];
	uint8_t header[SECTOR];
	memset(entries, 0, sizeof(entries));
	put_entry(entries, bios_boot_type, seed, 1, STAGE2_LBA, ESP_LBA - 1, "BIOS boot");
	put_entry(entries + GPT_ENTRY_SIZE, esp_type, seed, 2, ESP_LBA, ESP_LBA + esp_sectors - 1,
	          "EFI system");
	uint32_t crc = crc32(0, entries, sizeof(entries));
	uint64_t backup_entries = total - 1 - GPT_ENTRY_SECTORS;

	fill_header(header, 1, total - 1, 2, total, seed, crc);
	if (write_at(fd, 1, header, SECTOR) || write_at(fd, 2, entries, sizeof(entries)))
		return -1;
	fill_header(header, total - 1, 1, backup_entries, total, seed, crc);
	if (write_at(fd, backup_entries, entries, sizeof(entries)) ||
	    write_at(fd, total - 1, header, SECTOR))
		return -1;
	return 0;
}

static void put_mbr_entry(uint8_t *e, uint8_t status, uint8_t type, uint64_t first, uint64_t count)
{
	e[0] = status;
	/* CHS fields: LBA-only media; 0xFE/0xFF/0xFF says "beyond CHS". */
	e[1] = 0xfe, e[2] = 0xff, e[3] = 0xff;
	e[4] = type;
	e[5] = 0xfe, e[6] = 0xff, e[7] = 0xff;
	if (first == 1) /* the protective entry's start is CHS 0/0/2 (UEFI 5.2.3) */
		e[1] = 0x00, e[2] = 0x02, e[3] = 0x00;
	put32(e + 8, (uint32_t)first);
	put32(e + 12, count > 0xffffffffu ? 0xffffffffu : (uint32_t)count);
}

int mbr_build(uint8_t mbr[SECTOR], const struct blob *stage1, uint32_t stage2_sectors,
              uint32_t signature, uint64_t total, uint64_t esp_sectors, int fat32, int hybrid)
{
	if (stage1->size != SECTOR && stage1->size != MBR_CODE_END) {
		fprintf(stderr, "mkimage: stage 1 is %zu bytes, expected a 512-byte MBR template\n",
		        stage1->size);
		return -1;
	}
	if (memcmp(stage1->data + MBR_MAGIC_OFFSET, MBR_MAGIC, 4)) {
		fprintf(stderr,
		        "mkimage: stage 1 has no \"TBS1\" at 0x1a8: not twinboot's mbr.bin\n");
		return -1;
	}
	memset(mbr, 0, SECTOR);
	memcpy(mbr, stage1->data, MBR_CODE_END);
	put64(mbr + MBR_STAGE2_LBA_OFFSET, STAGE2_LBA);
	put16(mbr + MBR_STAGE2_SECTORS_OFFSET, (uint16_t)stage2_sectors);
	put32(mbr + 0x1b8, signature);
	uint8_t *table = mbr + 0x1be;
	if (hybrid) {
		/* 0xEE from LBA 1 covers the GPT and stage 2, so GPT-aware
		 * firmware and tools still see a GPT disk (EDK2's PartitionDxe
		 * looks for it in any slot). The ESP is also an active FAT
		 * partition, which strict CSM BIOSes want before they boot a
		 * disk at all: 0x0E (FAT16 LBA) / 0x0C (FAT32 LBA) rather than
		 * 0xEF, so Windows mounts it (docs/BOOT-YOUR-KERNEL.md). */
		put_mbr_entry(table, 0x00, 0xee, 1, ESP_LBA - 1);
		put_mbr_entry(table + 16, 0x80, fat32 ? 0x0c : 0x0e, ESP_LBA, esp_sectors);
	} else {
		put_mbr_entry(table, 0x00, 0xee, 1, total - 1);
	}
	mbr[510] = 0x55;
	mbr[511] = 0xaa;
	return 0;
}
