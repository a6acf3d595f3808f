/* tools/mkimage/image.c - lay out and write the hybrid BIOS+UEFI image.
 *
 *   LBA 0          MBR: stage 1, disk signature, protective/hybrid table
 *   LBA 1..33      primary GPT header and entries
 *   LBA 34..2047   BIOS boot partition: stage 2 (at most 64 KiB)
 *   LBA 2048..     EFI system partition (FAT16/FAT32): EFI/BOOT/BOOTX64.EFI,
 *                  boot/kernel.elf, boot/twinboot.cfg, boot/<modules>
 *   last 33        backup GPT entries and header
 *
 * The image is written to a temporary file beside the output and renamed
 * over it only when complete, so a failed run leaves nothing behind.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "elf.h"
#include "mkimage.h"
#include "sha256.h"

#define MIB (1024ull * 1024)

int blob_read(const char *path, struct blob *out)
{
	FILE *f = fopen(path, "rb");
	struct stat st;
	if (!f || fstat(fileno(f), &st) || !S_ISREG(st.st_mode)) {
		fprintf(stderr, "mkimage: %s: %s\n", path,
		        f ? "not a regular file" : strerror(errno));
		if (f)
			fclose(f);
		return -1;
	}
	out->size = (size_t)st.st_size;
	out->data = malloc(out->size ? out->size : 1);
	if (!out->data || fread(out->data, 1, out->size, f) != out->size) {
		fprintf(stderr, "mkimage: %s: read failed\n", path);
		fclose(f);
		return -1;
	}
	fclose(f);
	return 0;
}

static uint64_t file_size(const char *path)
{
	struct stat st;
	return stat(path, &st) ? 0 : (uint64_t)st.st_size;
}

/* The config mkimage writes when --config is absent. */
static void make_config(const struct options *opt, char *text, size_t size)
{
	size_t n = (size_t)snprintf(text, size,
	                            "# written by twinboot mkimage\n"
	                            "kernel=/boot/kernel.elf\n");
	if (opt->cmdline)
		n += (size_t)snprintf(text + n, size - n, "cmdline=%s\n", opt->cmdline);
	for (unsigned i = 0; i < opt->module_count && n < size; i++)
		n +=
		    (size_t)snprintf(text + n, size - n, "module=/boot/%s\n", opt->modules[i].name);
}

/* A seed for GUIDs and the FAT serial: the hash of every input and of
 * SOURCE_DATE_EPOCH, so equal inputs give equal images. */
static void make_seed(const struct options *opt, const struct blob *kernel, const char *config,
                      uint8_t seed[32])
{
	struct sha256_ctx h;
	const char *epoch = getenv("SOURCE_DATE_EPOCH");
	sha256_init(&h);
	sha256_update(&h, kernel->data, kernel->size);
	sha256_update(&h, config, strlen(config));
	if (epoch)
		sha256_update(&h, epoch, strlen(epoch));
	for (unsigned i = 0; i < opt->module_count; i++)
		sha256_update(&h, opt->modules[i].name, strlen(opt->modules[i].name));
	sha256_final(&h, seed);
}

/* Bytes the ESP must hold, counted in 32 KiB clusters (the largest FAT16
 * mformat picks), plus directories. */
static uint64_t esp_content(const struct options *opt, uint64_t efi, uint64_t kernel)
{
	const uint64_t cluster = 32768;
	uint64_t total =
	    ((efi + cluster - 1) / cluster + (kernel + cluster - 1) / cluster + 4) * cluster;
	for (unsigned i = 0; i < opt->module_count; i++)
		total += (file_size(opt->modules[i].path) + cluster - 1) / cluster * cluster;
	return total;
}

static int check_inputs(const struct options *opt, struct blob *kernel, struct blob *stage1,
                        struct blob *stage2)
{
	struct elf_plan plan;
	struct error err = {{0}};
	if (blob_read(opt->kernel, kernel) || blob_read(opt->mbr_code, stage1) ||
	    blob_read(opt->stage2, stage2))
		return -1;
	if (elf_check(kernel->data, kernel->size, 0, &plan, &err)) {
		fprintf(stderr, "mkimage: %s will not boot: %s\n", opt->kernel, err.msg);
		return -1;
	}
	if (stage2->size == 0 || stage2->size > STAGE2_MAX) {
		fprintf(stderr, "mkimage: %s is %zu bytes; stage 2 must be 1 to %u\n", opt->stage2,
		        stage2->size, STAGE2_MAX);
		return -1;
	}
	struct blob efi;
	if (blob_read(opt->efi, &efi))
		return -1;
	free(efi.data);
	if (opt->config) {
		struct blob cfg;
		if (blob_read(opt->config, &cfg))
			return -1;
		free(cfg.data);
	}
	for (unsigned i = 0; i < opt->module_count; i++) {
		struct blob m;
		if (blob_read(opt->modules[i].path, &m))
			return -1;
		free(m.data);
	}
	return 0;
}

static int fill_image(const char *tmp, const struct options *opt, const struct blob *kernel,
                      const struct blob *stage1, const struct blob *stage2, uint64_t total,
                      uint64_t esp_sectors, const char *config)
{
	uint8_t seed[32], mbr[SECTOR];
	int fat32 = esp_sectors >= FAT32_FROM_MIB * (MIB / SECTOR);
	make_seed(opt, kernel, config, seed);
	uint32_t signature = (uint32_t)seed[0] | (uint32_t)seed[1] << 8 | (uint32_t)seed[2] << 16 |
	                     (uint32_t)seed[3] << 24;
	uint32_t stage2_sectors = (uint32_t)((stage2->size + SECTOR - 1) / SECTOR);
	if (mbr_build(mbr, stage1, stage2_sectors, signature, total, esp_sectors, fat32,
	              opt->hybrid))
		return -1;
	int fd = open(tmp, O_WRONLY);
	if (fd < 0)
		return -1;
	int bad =
	    ftruncate(fd, (off_t)(total * SECTOR)) || pwrite(fd, mbr, SECTOR, 0) != SECTOR ||
	    pwrite(fd, stage2->data, stage2->size, STAGE2_LBA * SECTOR) != (ssize_t)stage2->size ||
	    gpt_write(fd, total, esp_sectors, seed);
	if (close(fd) || bad) {
		fprintf(stderr, "mkimage: writing %s failed\n", tmp);
		return -1;
	}
	return fatfs_make(tmp, esp_sectors, fat32, opt, config, signature ^ 0x54574e42u);
}

int image_write(const struct options *opt)
{
	static struct blob kernel, stage1, stage2;
	static char config[4096 + 64 * 96 + 128];
	if (check_inputs(opt, &kernel, &stage1, &stage2))
		return -1;
	make_config(opt, config, sizeof(config));

	uint64_t content = esp_content(opt, file_size(opt->efi), kernel.size);
	uint64_t need_mib = (content + content / 4) / MIB + 8;
	uint64_t esp_mib = need_mib < ESP_MIN_MIB ? ESP_MIN_MIB : need_mib;
	uint64_t overhead = ESP_LBA + 1 + GPT_ENTRY_SECTORS; /* before the ESP, backup GPT */
	uint64_t total = (esp_mib * MIB) / SECTOR + overhead;
	if (opt->size_mib) {
		uint64_t min_mib = (content + content / 8) / MIB + 2;
		if (min_mib < ESP_MIN_MIB / 2)
			min_mib = ESP_MIN_MIB / 2;
		total = (uint64_t)opt->size_mib * (MIB / SECTOR);
		if (total < overhead + min_mib * (MIB / SECTOR)) {
			fprintf(stderr,
			        "mkimage: --size %u MiB is too small: the content needs %llu MiB\n",
			        opt->size_mib, (unsigned long long)(min_mib + 2));
			return -1;
		}
	}
	uint64_t esp_sectors = total - overhead;

	/* A temporary file beside the output, so rename() is atomic. */
	char tmp[4200];
	snprintf(tmp, sizeof(tmp), "%s.tmp-XXXXXX", opt->output);
	int fd = mkstemp(tmp);
	if (fd < 0) {
		fprintf(stderr, "mkimage: cannot create %s: %s\n", tmp, strerror(errno));
		return -1;
	}
	fchmod(fd, 0644);
	close(fd);
	if (fill_image(tmp, opt, &kernel, &stage1, &stage2, total, esp_sectors, config) ||
	    rename(tmp, opt->output)) {
		unlink(tmp);
		return -1;
	}
	return 0;
}
