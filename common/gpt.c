/* common/gpt.c - find the EFI system partition (UEFI 2.10 ch. 5).
 *
 * The primary GPT header (LBA 1) is trusted only when its own CRC32 and
 * its entry array's CRC32 check out; otherwise the backup header at the
 * disk's last LBA is tried, as firmware does. A disk without a valid GPT
 * falls back to its MBR table. Only 512-byte sectors are supported.
 */
#include "gpt.h"
#include "crc32.h"
#include "lib.h"

#define GPT_SIGNATURE "EFI PART"
#define GPT_HEADER_MIN 92u
#define GPT_ENTRY_MIN 128u
#define GPT_ENTRIES_MAX 1024u

/* C12A7328-F81F-11D2-BA4B-00A0C93EC93B in its on-disk (mixed-endian) form */
static const uint8_t esp_type[16] = {0x28, 0x73, 0x2a, 0xc1, 0x1f, 0xf8, 0xd2, 0x11,
                                     0xba, 0x4b, 0x00, 0xa0, 0xc9, 0x3e, 0xc9, 0x3b};

/* A sector for a header, then 32 for entries (the usual 128 entries of
 * 128 bytes): the primary header and its array come in one disk read, not
 * 33, and under BIOS each read is a real-mode round trip. Static, because
 * the BIOS stage 2 stack is small. */
#define ENTRY_CHUNK_SECTORS 32u
static uint8_t area[(1 + ENTRY_CHUNK_SECTORS) * DISK_SECTOR_SIZE];
static uint8_t *const header = area;
static uint8_t *const entries = area + DISK_SECTOR_SIZE;

/* What try_header() learnt besides its verdict. */
struct header_info {
	int no_esp;         /* the GPT is valid but has no ESP: no point in the backup */
	int header_ok;      /* the header itself passed its CRC and my_lba checks */
	uint64_t alternate; /* its alternate_lba, when header_ok */
};

/* Check the header at `lba`; on success look through its entries for the
 * ESP. Returns 0 found, -1 with `why` set (header or entries bad, or no
 * ESP: info tells the cases apart). */
static int try_header(struct disk *disk, uint64_t lba, struct partition *esp,
                      struct header_info *info, struct error *why)
{
	struct error err = {{0}};
	/* The primary's entries follow it at LBA 2 on nearly every disk:
	 * read ahead, and fall back to the header alone if that fails. */
	uint32_t ahead =
	    lba == 1 && disk->sectors >= 2 + ENTRY_CHUNK_SECTORS ? ENTRY_CHUNK_SECTORS : 0;
	if (ahead && disk->read(disk, lba, 1 + ahead, area, &err))
		ahead = 0;
	if (!ahead && disk->read(disk, lba, 1, header, &err))
		return error_set(why, "%s", err.msg);
	if (memcmp(header, GPT_SIGNATURE, 8))
		return error_set(why, "no \"EFI PART\" signature at LBA %llu",
		                 (unsigned long long)lba);
	uint32_t size = le32(header + 12);
	if (size < GPT_HEADER_MIN || size > DISK_SECTOR_SIZE)
		return error_set(why, "header size %u at LBA %llu", (unsigned)size,
		                 (unsigned long long)lba);
	uint32_t stored = le32(header + 16);
	memset(header + 16, 0, 4);
	uint32_t actual = crc32(0, header, size);
	if (stored != actual)
		return error_set(why, "header CRC 0x%08x at LBA %llu, expected 0x%08x",
		                 (unsigned)stored, (unsigned long long)lba, (unsigned)actual);
	if (le64(header + 24) != lba)
		return error_set(why, "header at LBA %llu says it is at LBA %llu",
		                 (unsigned long long)lba, (unsigned long long)le64(header + 24));
	info->header_ok = 1;
	info->alternate = le64(header + 32);
	uint64_t first_usable = le64(header + 40), last_usable = le64(header + 48);
	uint64_t entries_lba = le64(header + 72);
	uint32_t count = le32(header + 80), entry_size = le32(header + 84);
	if (entry_size < GPT_ENTRY_MIN || entry_size % GPT_ENTRY_MIN ||
	    entry_size > DISK_SECTOR_SIZE || count > GPT_ENTRIES_MAX)
		return error_set(why, "%u entries of %u bytes at LBA %llu", (unsigned)count,
		                 (unsigned)entry_size, (unsigned long long)lba);
	uint32_t per_sector = DISK_SECTOR_SIZE / entry_size;
	uint32_t sectors = (count + per_sector - 1) / per_sector;
	if (disk->sectors &&
	    (entries_lba >= disk->sectors || sectors > disk->sectors - entries_lba))
		return error_set(why, "entry array at LBA %llu is outside the disk",
		                 (unsigned long long)entries_lba);

	/* One pass over the array: the CRC covers count * entry_size bytes.
	 * The ESP found is judged only once the CRC says the array is intact. */
	uint32_t crc = 0, found = 0;
	int first_chunk_read = entries_lba == lba + 1 && ahead;
	for (uint32_t s = 0; s < sectors; s++) {
		uint32_t at = s % ENTRY_CHUNK_SECTORS;
		if (at == 0 && !(s == 0 && first_chunk_read) &&
		    disk->read(disk, entries_lba + s,
		               sectors - s < ENTRY_CHUNK_SECTORS ? sectors - s
		                                                 : ENTRY_CHUNK_SECTORS,
		               entries, &err))
			return error_set(why, "%s", err.msg);
		const uint8_t *sector = entries + at * DISK_SECTOR_SIZE;
		uint32_t n =
		    count - s * per_sector < per_sector ? count - s * per_sector : per_sector;
		crc = crc32(crc, sector, n * entry_size);
		for (uint32_t i = 0; i < n && !found; i++) {
			const uint8_t *e = sector + i * entry_size;
			uint64_t first = le64(e + 32), last = le64(e + 40);
			if (memcmp(e, esp_type, 16) || last < first)
				continue;
			esp->first_lba = first;
			esp->sectors = last - first + 1;
			found = 1;
		}
	}
	if (crc != le32(header + 88))
		return error_set(why, "entry array CRC 0x%08x at LBA %llu, expected 0x%08x",
		                 (unsigned)le32(header + 88), (unsigned long long)entries_lba,
		                 (unsigned)crc);
	if (!found) {
		info->no_esp = 1;
		return error_set(why, "no EFI system partition among %u GPT entries",
		                 (unsigned)count);
	}
	/* UEFI 2.10 5.3.3: partitions lie within the usable LBAs; the
	 * FAT reader would otherwise read past the disk. */
	uint64_t esp_last = esp->first_lba + esp->sectors - 1;
	if (esp->first_lba < first_usable || esp_last > last_usable ||
	    (disk->sectors && esp_last >= disk->sectors)) {
		info->no_esp = 1;
		return error_set(why, "ESP at LBA %llu..%llu is outside the usable LBAs %llu..%llu",
		                 (unsigned long long)esp->first_lba, (unsigned long long)esp_last,
		                 (unsigned long long)first_usable, (unsigned long long)last_usable);
	}
	return 0;
}

/* The MBR's own table: a 0xEF entry, else an active FAT one. */
static int try_mbr(struct disk *disk, struct partition *esp, struct error *why)
{
	struct error err = {{0}};
	if (disk->read(disk, 0, 1, header, &err))
		return error_set(why, "%s", err.msg);
	if (header[510] != 0x55 || header[511] != 0xaa)
		return error_set(why, "no MBR signature");
	for (int pass = 0; pass < 2; pass++) {
		for (int i = 0; i < 4; i++) {
			const uint8_t *e = header + 446 + 16 * i;
			uint8_t type = e[4];
			int fat = type == 0x0b || type == 0x0c || type == 0x0e || type == 0x06;
			int match = pass == 0 ? type == 0xef : (e[0] & 0x80) && fat;
			if (!match || !le32(e + 12))
				continue;
			esp->first_lba = le32(e + 8);
			esp->sectors = le32(e + 12);
			if (!esp->first_lba ||
			    (disk->sectors && (esp->first_lba >= disk->sectors ||
			                       esp->sectors > disk->sectors - esp->first_lba)))
				return error_set(why,
				                 "MBR partition %d at LBA %llu (%llu sectors) is "
				                 "outside the %llu-sector disk",
				                 i + 1, (unsigned long long)esp->first_lba,
				                 (unsigned long long)esp->sectors,
				                 (unsigned long long)disk->sectors);
			return 0;
		}
	}
	return error_set(why, "no EFI system or active FAT partition in the MBR");
}

int gpt_find_esp(struct disk *disk, struct partition *esp, struct error *err)
{
	/* Static, like the sector buffers: three messages on the stack would
	 * take much of stage 2's. */
	static struct error primary, backup;
	struct header_info info = {0, 0, 0};
	primary.msg[0] = backup.msg[0] = 0;
	memset(esp, 0, sizeof(*esp));
	if (!try_header(disk, 1, esp, &info, &primary))
		return 0;
	if (info.no_esp)
		return error_set(err, "gpt: %s", primary.msg);

	/* The backup's location: the primary's alternate_lba if the header
	 * itself checked out (only its entry array was bad), else the disk's
	 * last sector (UEFI 2.10 5.3.2), as a damaged header's fields mean
	 * nothing. */
	uint64_t alternate = disk->sectors ? disk->sectors - 1 : 0;
	if (info.header_ok && info.alternate > 1)
		alternate = info.alternate;
	info = (struct header_info){0, 0, 0};
	if (alternate && !try_header(disk, alternate, esp, &info, &backup)) {
		esp->from_backup_gpt = 1;
		return 0;
	}
	if (info.no_esp)
		return error_set(err, "gpt: %s", backup.msg);

	/* Only a disk with no GPT at all falls back to the MBR table: a
	 * damaged GPT is reported, not silently bypassed. */
	static const char no_sig[] = "no \"EFI PART\"";
	int primary_absent = !memcmp(primary.msg, no_sig, sizeof(no_sig) - 1);
	int backup_absent = !alternate || !memcmp(backup.msg, no_sig, sizeof(no_sig) - 1);
	if (primary_absent && backup_absent) {
		if (try_mbr(disk, esp, &backup))
			return error_set(err, "gpt: no GPT on the disk, and %s", backup.msg);
		esp->from_mbr = 1;
		return 0;
	}
	return error_set(err, "gpt: primary %s; backup %s", primary.msg,
	                 alternate ? backup.msg : "not found (disk size unknown)");
}
