/* tools/mkimage/image.c - lay out and write the hybrid BIOS+UEFI image.
 *
 *   LBA 0          MBR: stage 1, disk signature, protective/hybrid table
 *   LBA 1..33      primary GPT header and entries
 *   LBA 34..2047   BIOS boot partition: stage 2 (at most 64 KiB) and, with
 *                  --sign, its manifest (72 KiB at most in all)
 *   LBA 2048..     EFI system partition (FAT16/FAT32): EFI/BOOT/BOOTX64.EFI,
 *                  boot/kernel.elf, boot/twinboot.cfg, boot/<modules>
 *   last 33        backup GPT entries and header
 *
 * The image is written to a temporary file beside the output and renamed
 * over it only when complete, so a failed run leaves nothing behind.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mkimage.h"

#define MIB (1024ull * 1024)
#define CLUSTER ((uint64_t)ESP_CLUSTER_MAX_SECTORS * SECTOR) /* the largest cluster */

/* Bytes the ESP's files take, each rounded up to a whole cluster, plus a
 * few clusters of directories. An overestimate for small clusters. */
static uint64_t esp_content(const struct options *opt, const struct inputs *in)
{
	uint64_t total = 4 * CLUSTER;
	uint64_t sizes[3] = {in->efi_size, in->kernel.size, in->config_len};
	for (unsigned i = 0; i < 3; i++)
		total += (sizes[i] + CLUSTER - 1) / CLUSTER * CLUSTER;
	for (unsigned i = 0; i < opt->module_count; i++)
		total += (in->module_size[i] + CLUSTER - 1) / CLUSTER * CLUSTER;
	return total;
}

/* The whole disk, in sectors: the ESP sized to the content with room to
 * grow (content * 1.25 + 8 MiB, at least ESP_MIN_MIB), or --size after
 * checking that the content fits an ESP of at least ESP_MIN_MIB. */
static int disk_sectors(const struct options *opt, uint64_t content, uint64_t *total)
{
	const uint64_t overhead = ESP_LBA + 1 + GPT_ENTRY_SECTORS; /* + backup GPT */
	uint64_t esp_mib = (content + content / 4 + MIB - 1) / MIB + 8;
	if (esp_mib < ESP_MIN_MIB)
		esp_mib = ESP_MIN_MIB;
	*total = esp_mib * (MIB / SECTOR) + overhead;
	if (!opt->size_mib)
		return 0;
	/* The FATs and root directory take under 1/32 of the volume. */
	uint64_t min_esp = content + content / 32 + MIB;
	if (min_esp < ESP_MIN_MIB * MIB)
		min_esp = ESP_MIN_MIB * MIB;
	uint64_t min_total = min_esp / SECTOR + overhead;
	*total = (uint64_t)opt->size_mib * (MIB / SECTOR);
	if (*total < min_total) {
		fprintf(stderr, "mkimage: --size %u MiB is too small: the content needs %llu MiB\n",
		        opt->size_mib, (unsigned long long)((min_total * SECTOR + MIB - 1) / MIB));
		return -1;
	}
	return 0;
}

static int fill_image(const char *tmp, const struct options *opt, const struct inputs *in,
                      uint64_t total, uint64_t esp_sectors)
{
	uint8_t mbr[SECTOR];
	const uint8_t *seed = in->seed;
	int fat32 = esp_sectors >= FAT32_FROM_MIB * (MIB / SECTOR);
	uint32_t signature = (uint32_t)seed[0] | (uint32_t)seed[1] << 8 | (uint32_t)seed[2] << 16 |
	                     (uint32_t)seed[3] << 24;
	uint32_t serial = (uint32_t)seed[4] | (uint32_t)seed[5] << 8 | (uint32_t)seed[6] << 16 |
	                  (uint32_t)seed[7] << 24;
	uint32_t stage2_sectors = (uint32_t)((in->stage2.size + SECTOR - 1) / SECTOR);
	uint32_t manifest_sectors = in->has_manifest ? STAGE2_MANIFEST_SECTORS : 0;
	/* Signed: stage 2 says the manifest follows it, stage 1 loads both. */
	uint8_t *stage2 = malloc(in->stage2.size);
	if (!stage2)
		return -1;
	memcpy(stage2, in->stage2.data, in->stage2.size);
	if (manifest_sectors) {
		size_t n = in->stage2.size;
		if (n < 8 || memcmp(stage2 + n - 8, "TBS2", 4) ||
		    (stage2_sectors + manifest_sectors) * SECTOR > STAGE2_AREA_MAX) {
			fprintf(stderr,
			        "mkimage: --sign: %s has no room for the manifest (no \"TBS2\" "
			        "tail, or more than %u KiB with it)\n",
			        opt->stage2, STAGE2_AREA_MAX >> 10);
			free(stage2);
			return -1;
		}
		for (unsigned i = 0; i < 4; i++)
			stage2[n - 4 + i] = (uint8_t)(manifest_sectors >> (8 * i));
	}
	if (mbr_build(mbr, &in->stage1, stage2_sectors + manifest_sectors, signature, total,
	              esp_sectors, fat32, opt->hybrid)) {
		free(stage2);
		return -1;
	}
	int fd = open(tmp, O_WRONLY);
	if (fd < 0) {
		fprintf(stderr, "mkimage: %s: %s\n", tmp, strerror(errno));
		free(stage2);
		return -1;
	}
	off_t manifest_at = (off_t)(STAGE2_LBA + stage2_sectors) * SECTOR;
	int bad =
	    ftruncate(fd, (off_t)(total * SECTOR)) || pwrite(fd, mbr, SECTOR, 0) != SECTOR ||
	    pwrite(fd, stage2, in->stage2.size, STAGE2_LBA * SECTOR) != (ssize_t)in->stage2.size ||
	    (manifest_sectors && pwrite(fd, in->manifest, manifest_sectors * SECTOR, manifest_at) !=
	                             (ssize_t)(manifest_sectors * SECTOR)) ||
	    gpt_write(fd, total, esp_sectors, seed);
	free(stage2);
	if (close(fd) || bad) {
		fprintf(stderr, "mkimage: writing %s failed: %s\n", tmp, strerror(errno));
		return -1;
	}
	return fatfs_make(tmp, esp_sectors, fat32, opt, in, serial);
}

/* The temporary file, removed if mkimage is interrupted (Ctrl-C, kill)
 * so that a failed run leaves nothing behind. */
static char tmp_path[4200];

static void on_signal(int sig)
{
	unlink(tmp_path);
	sign_cleanup();
	signal(sig, SIG_DFL);
	raise(sig);
}

int image_write(const struct options *opt)
{
	static struct inputs in;
	struct stat st;
	uint64_t total;
	int sigs[] = {SIGINT, SIGTERM, SIGHUP};
	/* rename() would replace a device node, not write the disk behind it. */
	if (stat(opt->output, &st) == 0 && !S_ISREG(st.st_mode)) {
		fprintf(stderr,
		        "mkimage: %s is not a regular file: write an image, then use make usb\n",
		        opt->output);
		return -1;
	}
	/* The ESP gets the signed copy of BOOTX64.EFI when --sign is given. */
	static struct options with_signed;
	with_signed = *opt;
	if (inputs_read(opt, &in))
		return -1;
	for (unsigned i = 0; i < 3; i++)
		signal(sigs[i], on_signal);
	if (opt->sign_key && sign_loader(opt, &in, &with_signed.efi))
		return -1;
	opt = &with_signed;
	if (disk_sectors(opt, esp_content(opt, &in), &total)) {
		sign_cleanup();
		return -1;
	}
	uint64_t esp_sectors = total - (ESP_LBA + 1 + GPT_ENTRY_SECTORS);

	/* A temporary file beside the output, so rename() is atomic. */
	snprintf(tmp_path, sizeof(tmp_path), "%s.tmp-XXXXXX", opt->output);
	int fd = mkstemp(tmp_path);
	if (fd < 0) {
		fprintf(stderr, "mkimage: cannot create %s: %s\n", tmp_path, strerror(errno));
		sign_cleanup();
		return -1;
	}
	fchmod(fd, 0644);
	close(fd);
	int bad = fill_image(tmp_path, opt, &in, total, esp_sectors);
	if (!bad && rename(tmp_path, opt->output)) {
		fprintf(stderr, "mkimage: %s: %s\n", opt->output, strerror(errno));
		bad = 1;
	}
	if (bad)
		unlink(tmp_path);
	sign_cleanup();
	return bad ? -1 : 0;
}
