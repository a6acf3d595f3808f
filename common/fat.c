/* common/fat.c - a read-only FAT12/16/32 reader over struct disk.
 *
 * Microsoft, "FAT: General Overview of On-Disk Format" 1.03: the FAT type
 * follows from the cluster count alone (section 3.5); long names are
 * VFAT LFN entries checked against their short entry's checksum (section
 * 7). Every cluster number is range-checked and every chain is bounded by
 * the cluster count, so a corrupt volume is an error, never a hang.
 * Buffers are static: the BIOS stage 2 stack is small.
 */
#include "fat.h"
#include "lib.h"

#define ATTR_VOLUME 0x08
#define ATTR_DIR 0x10
#define ATTR_LFN 0x0f
#define NAME_MAX 255
#define NO_WINDOW UINT64_MAX

static uint8_t sector[DISK_SECTOR_SIZE];

int fat_mount(struct fat_volume *vol, struct disk *disk, uint64_t first_lba, uint64_t sectors,
              struct error *err)
{
	struct error e = {{0}};
	if (disk->read(disk, first_lba, 1, sector, &e))
		return error_set(err, "fat: boot sector: %s", e.msg);
	uint32_t bps = le16(sector + 11), spc = sector[13], reserved = le16(sector + 14);
	uint32_t fats = sector[16], root_entries = le16(sector + 17);
	uint32_t total = le16(sector + 19) ? le16(sector + 19) : le32(sector + 32);
	uint32_t fat_size = le16(sector + 22) ? le16(sector + 22) : le32(sector + 36);
	if (bps != DISK_SECTOR_SIZE)
		return error_set(err, "fat: %u bytes per sector, only 512 supported",
		                 (unsigned)bps);
	if (!spc || (spc & (spc - 1)))
		return error_set(err, "fat: %u sectors per cluster is not a power of two",
		                 (unsigned)spc);
	if (!reserved || !fats || fats > 2 || !fat_size)
		return error_set(err, "fat: bad BPB (%u reserved sectors, %u FATs of %u sectors)",
		                 (unsigned)reserved, (unsigned)fats, (unsigned)fat_size);
	if (sectors && total > sectors)
		return error_set(err, "fat: %u sectors do not fit the %llu-sector partition",
		                 (unsigned)total, (unsigned long long)sectors);
	uint64_t root_sectors = ((uint64_t)root_entries * 32 + bps - 1) / bps;
	uint64_t data_start = reserved + (uint64_t)fats * fat_size + root_sectors;
	if (data_start >= total)
		return error_set(err, "fat: no data area (%u sectors, data at %llu)",
		                 (unsigned)total, (unsigned long long)data_start);

	vol->disk = disk;
	vol->first_lba = first_lba;
	vol->sectors_per_cluster = spc;
	vol->bytes_per_cluster = spc * bps;
	vol->fat_lba = first_lba + reserved;
	vol->data_lba = first_lba + data_start;
	vol->cluster_count = (uint32_t)((total - data_start) / spc);
	vol->type = vol->cluster_count < 4085 ? 12 : vol->cluster_count < 65525 ? 16 : 32;
	vol->root_lba = first_lba + reserved + (uint64_t)fats * fat_size;
	vol->root_entries = root_entries;
	vol->root_cluster = vol->type == 32 ? le32(sector + 44) : 0;
	vol->cached_fat_lba = NO_WINDOW;
	for (unsigned i = 0; i < FAT_DIR_CACHE; i++)
		vol->dir_cache_lba[i] = NO_WINDOW;
	vol->dir_cache_next = 0;
	/* FAT32 BPB_ExtFlags (section 3.3): bit 7 set means the FATs are not
	 * mirrored and only the one numbered in bits 0-3 is current. */
	uint32_t ext_flags = vol->type == 32 ? le16(sector + 40) : 0;
	if (ext_flags & 0x80) {
		if ((ext_flags & 0xf) >= fats)
			return error_set(err, "fat: active FAT %u of %u",
			                 (unsigned)(ext_flags & 0xf), (unsigned)fats);
		vol->fat_lba += (uint64_t)(ext_flags & 0xf) * fat_size;
	}
	vol->fat_end_lba = vol->fat_lba + fat_size;
	/* The FAT must have an entry for every cluster (section 3.5). */
	uint64_t fat_bits = (uint64_t)fat_size * bps * 8;
	if (fat_bits / (uint64_t)vol->type < (uint64_t)vol->cluster_count + 2)
		return error_set(err, "fat: FAT of %u sectors is too small for %u clusters",
		                 (unsigned)fat_size, (unsigned)vol->cluster_count);
	if (vol->type == 32 &&
	    (root_entries || vol->root_cluster < 2 || vol->root_cluster > vol->cluster_count + 1))
		return error_set(err, "fat: FAT32 root cluster 0x%x out of range",
		                 (unsigned)vol->root_cluster);
	return 0;
}

/* Sectors of the window starting at `lba`: as many as the cache holds,
 * but never past the end of the FAT read: a small volume's window would
 * otherwise take in the second copy, which nothing needs, and fail on a
 * bad sector there. */
static uint32_t window_at(const struct fat_volume *vol, uint64_t lba)
{
	uint64_t room = vol->fat_end_lba - lba;
	uint32_t max = sizeof(vol->fat_cache) / DISK_SECTOR_SIZE;
	return room < max ? (uint32_t)room : max;
}

/* The FAT entry of `cluster` (valid_cluster() checked by the caller, so
 * it lies inside the FAT), through a window of cached FAT sectors. */
static int fat_entry(struct fat_volume *vol, uint32_t cluster, uint32_t *next, struct error *err)
{
	uint64_t offset =
	    vol->type == 12 ? cluster + cluster / 2 : (uint64_t)cluster * vol->type / 8;
	uint64_t lba = vol->fat_lba + offset / DISK_SECTOR_SIZE;
	/* A FAT12 entry may straddle two sectors: both must be cached. */
	uint64_t last = vol->fat_lba + (offset + 1) / DISK_SECTOR_SIZE;
	if (vol->cached_fat_lba == NO_WINDOW || lba < vol->cached_fat_lba ||
	    last >= vol->cached_fat_lba + window_at(vol, vol->cached_fat_lba)) {
		struct error e = {{0}};
		if (vol->disk->read(vol->disk, lba, window_at(vol, lba), vol->fat_cache, &e)) {
			vol->cached_fat_lba = NO_WINDOW;
			for (unsigned i = 0; i < FAT_DIR_CACHE; i++)
				vol->dir_cache_lba[i] = NO_WINDOW;
			vol->dir_cache_next = 0;
			return error_set(err, "fat: reading the FAT: %s", e.msg);
		}
		vol->cached_fat_lba = lba;
	}
	const uint8_t *p =
	    vol->fat_cache + (offset - (vol->cached_fat_lba - vol->fat_lba) * DISK_SECTOR_SIZE);
	if (vol->type == 12)
		*next = (cluster & 1) ? le16(p) >> 4 : le16(p) & 0xfff;
	else if (vol->type == 16)
		*next = le16(p);
	else
		*next = le32(p) & 0x0fffffff;
	return 0;
}

static int is_end(const struct fat_volume *vol, uint32_t c)
{
	return c >= (vol->type == 12 ? 0xff8u : vol->type == 16 ? 0xfff8u : 0x0ffffff8u);
}

static int valid_cluster(const struct fat_volume *vol, uint32_t c)
{
	return c >= 2 && c <= vol->cluster_count + 1;
}

/* The cluster after c, or 0 at the end of the chain. */
static int chain_next(struct fat_volume *vol, uint32_t c, uint32_t *next, const char *path,
                      struct error *err)
{
	uint32_t n = 0;
	if (fat_entry(vol, c, &n, err))
		return -1;
	if (is_end(vol, n)) {
		*next = 0;
		return 0;
	}
	if (!valid_cluster(vol, n))
		return error_set(err, "fat: cluster 0x%x out of range in %s", (unsigned)n, path);
	*next = n;
	return 0;
}

static uint64_t cluster_lba(const struct fat_volume *vol, uint32_t c)
{
	return vol->data_lba + (uint64_t)(c - 2) * vol->sectors_per_cluster;
}

/* Long-name state while walking a directory. */
struct lfn {
	char name[NAME_MAX + 1];
	uint8_t checksum;
	int valid;
	unsigned next; /* the sequence number the next LFN entry must carry */
};

/* LFN entries come last piece first: the one flagged 0x40 carries the
 * highest sequence number N, then N-1 down to 1, all with the checksum of
 * the short entry that follows them (section 7). Anything else (a piece
 * missing, a stray entry left by a non-VFAT tool) invalidates the name. */
static void lfn_add(struct lfn *l, const uint8_t *e)
{
	static const uint8_t offsets[13] = {1, 3, 5, 7, 9, 14, 16, 18, 20, 22, 24, 28, 30};
	unsigned seq = e[0] & 0x1f;
	if (e[0] & 0x40) {
		memset(l, 0, sizeof(*l));
		l->checksum = e[13];
		l->valid = seq >= 1 && seq <= 20;
	} else if (e[13] != l->checksum || !seq || seq != l->next) {
		l->valid = 0;
	}
	if (!l->valid)
		return;
	l->next = seq - 1;
	for (unsigned i = 0; i < 13; i++) {
		uint16_t ch = le16(e + offsets[i]);
		unsigned pos = (seq - 1) * 13 + i;
		if (ch == 0 || ch == 0xffff || pos >= NAME_MAX)
			break;
		l->name[pos] = ch < 0x80 ? (char)ch : '?';
	}
}

static uint8_t short_checksum(const uint8_t *name)
{
	uint8_t sum = 0;
	for (int i = 0; i < 11; i++)
		sum = (uint8_t)(((sum & 1) << 7) + (sum >> 1) + name[i]);
	return sum;
}

static void short_name(const uint8_t *e, char *out)
{
	int n = 0;
	for (int i = 0; i < 8 && e[i] != ' '; i++)
		out[n++] = (char)e[i];
	if (e[8] != ' ') {
		out[n++] = '.';
		for (int i = 8; i < 11 && e[i] != ' '; i++)
			out[n++] = (char)e[i];
	}
	out[n] = 0;
	if (out[0] == 0x05) /* a name starting with 0xE5 is stored as 0x05 */
		out[0] = (char)0xe5;
}

static int name_equal(const char *a, const char *b, size_t blen)
{
	for (size_t i = 0; i < blen; i++) {
		char x = a[i], y = b[i];
		if (x >= 'a' && x <= 'z')
			x = (char)(x - 32);
		if (y >= 'a' && y <= 'z')
			y = (char)(y - 32);
		if (x != y || !x)
			return 0;
	}
	return a[blen] == 0;
}

/* Check one 32-byte entry against the wanted name. 1 = found (file set),
 * 0 = keep going, -1 = end of directory. */
static int match_entry(const uint8_t *e, struct lfn *lfn, const char *want, size_t len,
                       struct fat_file *file)
{
	if (e[0] == 0)
		return -1;
	if (e[0] == 0xe5) {
		lfn->valid = 0;
		return 0;
	}
	if ((e[11] & 0x3f) == ATTR_LFN) {
		lfn_add(lfn, e);
		return 0;
	}
	int long_ok = lfn->valid && !lfn->next && lfn->checksum == short_checksum(e);
	lfn->valid = 0;
	if (e[11] & ATTR_VOLUME)
		return 0;
	char name[13];
	short_name(e, name);
	if (!(long_ok && name_equal(lfn->name, want, len)) && !name_equal(name, want, len))
		return 0;
	file->first_cluster = (uint32_t)le16(e + 20) << 16 | le16(e + 26);
	file->size = le32(e + 28);
	file->is_dir = (e[11] & ATTR_DIR) != 0;
	return 1;
}

/* Brent's cycle detection along a cluster chain: one compare per link,
 * and a loop is caught within about two laps of it, not after
 * cluster_count links (a million reads on a big FAT32, minutes under a
 * BIOS). The cluster_count bound stays as a backstop. */
struct chain_guard {
	uint32_t saved, power, steps, visited;
};

static void guard_init(struct chain_guard *g, uint32_t first)
{
	*g = (struct chain_guard){first, 1, 0, 0};
}

/* 1 when `next`, the chain's next cluster, closes a loop. */
static int guard_loops(struct chain_guard *g, const struct fat_volume *vol, uint32_t next)
{
	if (next == g->saved || ++g->visited > vol->cluster_count)
		return 1;
	if (++g->steps == g->power) {
		g->saved = next;
		g->power *= 2;
		g->steps = 0;
	}
	return 0;
}

/* One directory sector, from the cache or the disk (round robin). */
static const uint8_t *dir_sector(struct fat_volume *vol, uint64_t lba, struct error *e)
{
	for (unsigned i = 0; i < FAT_DIR_CACHE; i++)
		if (vol->dir_cache_lba[i] == lba)
			return vol->dir_cache[i];
	unsigned slot = vol->dir_cache_next;
	vol->dir_cache_next = (slot + 1) % FAT_DIR_CACHE;
	vol->dir_cache_lba[slot] = NO_WINDOW;
	if (vol->disk->read(vol->disk, lba, 1, vol->dir_cache[slot], e))
		return NULL;
	vol->dir_cache_lba[slot] = lba;
	return vol->dir_cache[slot];
}

/* Search directory `dir` (cluster 0: the FAT12/16 root) for a name. */
static int dir_find(struct fat_volume *vol, uint32_t dir, const char *want, size_t len,
                    struct fat_file *file, const char *path, struct error *err)
{
	static struct lfn lfn;
	struct error e = {{0}};
	struct chain_guard guard;
	uint32_t cluster = dir;
	guard_init(&guard, dir);
	uint64_t lba = dir ? cluster_lba(vol, dir) : vol->root_lba;
	uint64_t left = dir ? vol->sectors_per_cluster : (vol->root_entries * 32u + 511) / 512;
	lfn.valid = 0;
	for (;;) {
		for (; left; left--, lba++) {
			const uint8_t *entries = dir_sector(vol, lba, &e);
			if (!entries)
				return error_set(err, "fat: reading a directory of %s: %s", path,
				                 e.msg);
			for (unsigned off = 0; off < DISK_SECTOR_SIZE; off += 32) {
				int r = match_entry(entries + off, &lfn, want, len, file);
				if (r > 0)
					return 0;
				if (r < 0)
					goto not_found;
			}
		}
		if (!dir)
			break;
		if (chain_next(vol, cluster, &cluster, path, err))
			return -1;
		if (!cluster)
			break;
		if (guard_loops(&guard, vol, cluster))
			return error_set(err, "fat: cluster chain of a directory of %s loops",
			                 path);
		lba = cluster_lba(vol, cluster);
		left = vol->sectors_per_cluster;
	}
not_found:
	return error_set(err, "fat: %s: '%.*s' not found", path, (int)len, want);
}

int fat_open(struct fat_volume *vol, const char *path, struct fat_file *file, struct error *err)
{
	uint32_t dir = vol->root_cluster; /* 0 on FAT12/16: the fixed root */
	const char *p = path;
	file->first_cluster = dir;
	file->size = 0;
	file->is_dir = 1;
	while (*p) {
		while (*p == '/')
			p++;
		size_t len = 0;
		while (p[len] && p[len] != '/')
			len++;
		if (!len)
			break;
		if (!file->is_dir)
			return error_set(err, "fat: %s: '%.*s' is not a directory", path,
			                 (int)(p - path - 1), path);
		/* The root has no "." and ".." entries (section 6.7): at the
		 * root, both name the root itself, as in POSIX. */
		if (dir == vol->root_cluster && p[0] == '.' &&
		    (len == 1 || (len == 2 && p[1] == '.'))) {
			p += len;
			continue;
		}
		if (dir && !valid_cluster(vol, dir))
			return error_set(err, "fat: cluster 0x%x out of range in %s", (unsigned)dir,
			                 path);
		if (dir_find(vol, dir, p, len, file, path, err))
			return -1;
		/* ".." of a first-level directory says cluster 0 for the root,
		 * also on FAT32, whose root has a real cluster (section 6.7). */
		if (file->is_dir && !file->first_cluster)
			file->first_cluster = vol->root_cluster;
		dir = file->first_cluster;
		p += len;
	}
	return 0;
}

int fat_read_range(struct fat_volume *vol, const struct fat_file *file, uint32_t offset, void *buf,
                   uint32_t len, const char *path, struct error *err)
{
	uint8_t *out = buf;
	uint32_t left = offset < file->size ? file->size - offset : 0;
	uint32_t cluster = file->first_cluster;
	struct chain_guard guard;
	guard_init(&guard, cluster);
	if (len < left)
		left = len;
	if (offset % DISK_SECTOR_SIZE)
		return error_set(err, "fat: %s: read from byte %u, not a sector boundary", path,
		                 (unsigned)offset);
	if (!left)
		return 0;
	if (!valid_cluster(vol, cluster))
		return error_set(err, "fat: cluster 0x%x out of range in %s", (unsigned)cluster,
		                 path);
	/* Walk the chain past the clusters before `offset`; the first run
	 * then starts `lead` bytes into its first cluster. */
	for (uint32_t skip = offset / vol->bytes_per_cluster; skip; skip--) {
		uint32_t next;
		if (chain_next(vol, cluster, &next, path, err))
			return -1;
		if (next && guard_loops(&guard, vol, next))
			return error_set(err, "fat: cluster chain of %s loops", path);
		if (!next)
			return error_set(err, "fat: %s: chain ends before byte %u of %u", path,
			                 (unsigned)offset, (unsigned)file->size);
		cluster = next;
	}
	uint32_t lead = offset % vol->bytes_per_cluster;
	uint32_t done = offset - lead;
	while (left) {
		/* Gather a run of consecutive clusters: one disk read each. */
		uint32_t first = cluster, count = 1, next;
		for (;;) {
			if ((uint64_t)count * vol->bytes_per_cluster - lead >= left)
				break;
			if (chain_next(vol, cluster, &next, path, err))
				return -1;
			if (next && guard_loops(&guard, vol, next))
				return error_set(err, "fat: cluster chain of %s loops", path);
			if (!next)
				return error_set(err, "fat: %s: chain ends after %u bytes of %u",
				                 path,
				                 (unsigned)(done + count * vol->bytes_per_cluster),
				                 (unsigned)file->size);
			if (next != cluster + 1) {
				cluster = next;
				break;
			}
			cluster = next;
			count++;
		}
		uint64_t run = (uint64_t)count * vol->bytes_per_cluster - lead;
		uint32_t bytes = run < left ? (uint32_t)run : left;
		uint32_t whole = bytes / DISK_SECTOR_SIZE, tail = bytes % DISK_SECTOR_SIZE;
		uint64_t lba = cluster_lba(vol, first) + lead / DISK_SECTOR_SIZE;
		struct error e = {{0}};
		if (whole && vol->disk->read(vol->disk, lba, whole, out, &e))
			return error_set(err, "fat: reading %s: %s", path, e.msg);
		if (tail) {
			if (vol->disk->read(vol->disk, lba + whole, 1, sector, &e))
				return error_set(err, "fat: reading %s: %s", path, e.msg);
			memcpy(out + whole * DISK_SECTOR_SIZE, sector, tail);
		}
		out += bytes;
		done += bytes + lead;
		left -= bytes;
		lead = 0;
		/* Either the run covered the rest of the range (left is now 0)
		 * or the gathering loop stopped with `cluster` at the start of
		 * the next run. */
	}
	if (done < file->size)
		return 0; /* a part only: the chain goes on */
	/* The chain must end right here. No entry of a cycle is an end
	 * marker, so this also catches a loop that the file's size alone
	 * would have read through as repeated data. */
	uint32_t after;
	if (chain_next(vol, cluster, &after, path, err))
		return -1;
	if (after)
		return error_set(err, "fat: cluster chain of %s loops or runs past its %u bytes",
		                 path, (unsigned)file->size);
	return 0;
}

int fat_read(struct fat_volume *vol, const struct fat_file *file, void *buf, const char *path,
             struct error *err)
{
	return fat_read_range(vol, file, 0, buf, file->size, path, err);
}

int fat_read_file(struct fat_volume *vol, const char *path, uint64_t offset, void *dest,
                  uint64_t len, uint64_t *size, struct error *err)
{
	struct fat_file file;
	if (fat_open(vol, path, &file, err))
		return -1;
	if (file.is_dir)
		return error_set(err, "fat: %s is a directory, not a file", path);
	*size = file.size;
	if (!len || offset >= file.size)
		return 0;
	uint32_t want = len < file.size - offset ? (uint32_t)len : (uint32_t)(file.size - offset);
	return fat_read_range(vol, &file, (uint32_t)offset, dest, want, path, err);
}
