/* tools/mkimage/mkimage.h - what mkimage's parts share: the options and
 * the image layout (see docs/BOOT-YOUR-KERNEL.md for the picture). */
#ifndef TWINBOOT_MKIMAGE_H
#define TWINBOOT_MKIMAGE_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"

#define SECTOR 512u
#define GPT_ENTRIES 128u
#define GPT_ENTRY_SIZE 128u
#define GPT_ENTRY_SECTORS (GPT_ENTRIES * GPT_ENTRY_SIZE / SECTOR) /* 32 */
#define STAGE2_LBA 34u         /* first sector after the primary GPT */
#define ESP_LBA 2048u          /* 1 MiB: aligned for flash media */
#define STAGE2_MAX (64u << 10) /* issue 8's budget for stage 2 itself */
/* Stage 2 and the manifest --sign appends: what stage 1 reads (mbr.asm). */
#define STAGE2_AREA_MAX (72u << 10)
/* mkimage --sign appends the manifest to stage 2 in whole sectors and
 * stores their count in stage 2's last dword, after its "TBS2" tail
 * (loader/bios/stage2.ld reserves the room). */
#define STAGE2_MANIFEST_SECTORS 21u
#define ESP_MIN_MIB 32u
#define FAT32_FROM_MIB 512u         /* smaller ESPs get FAT16 */
#define ESP_CLUSTER_MAX_SECTORS 64u /* 32 KiB: fatfs.c picks up to this */
#define MAX_MODULES 64

/* Stage 1's patch fields, as loader/bios/mbr.asm lays them out. */
#define MBR_MAGIC_OFFSET 0x1a8
#define MBR_MAGIC "TBS1"
#define MBR_STAGE2_LBA_OFFSET 0x1ac
#define MBR_STAGE2_SECTORS_OFFSET 0x1b4
#define MBR_CODE_END 0x1b8 /* disk signature from here */

struct module_arg {
	const char *path;
	char name[64];
};

struct options {
	const char *output;
	const char *kernel;
	const char *cmdline;
	const char *config;
	const char *mbr_code, *stage2, *efi;
	struct module_arg modules[MAX_MODULES];
	unsigned module_count;
	unsigned size_mib;                /* 0: sized to the content */
	int hybrid;                       /* 1: hybrid MBR (default), 0: protective */
	const char *sign_key, *sign_cert; /* --sign KEY --cert CERT, or NULL */
};

/* A whole input file in memory (mkimage's inputs are small). */
struct blob {
	uint8_t *data;
	size_t size;
};

/* Everything read and vetted before the image is written (inputs.c). */
struct inputs {
	struct blob kernel, stage1, stage2;
	uint64_t efi_size;
	uint64_t module_size[MAX_MODULES];
	char config[CONFIG_FILE_MAX]; /* boot/twinboot.cfg's text, as the loaders take it */
	size_t config_len;
	uint8_t seed[32]; /* SHA-256 of all of the above and the epoch */
	/* --sign: the manifest, which also goes after stage 2 (image.c) */
	uint8_t manifest[STAGE2_MANIFEST_SECTORS * SECTOR];
	int has_manifest;
};

/* Read a file; on failure print "mkimage: PATH: why" and return -1. */
int blob_read(const char *path, struct blob *out);

/* Read, check and hash every input opt names; one line on stderr and -1
 * on the first problem. */
int inputs_read(const struct options *opt, struct inputs *in);

/* SOURCE_DATE_EPOCH, or a fixed default (1980-01-01, the FAT epoch) so an
 * image is reproducible even when the caller does not set it. */
const char *inputs_epoch(void);

/* mkimage check FILE: print the load plan or why it won't boot. */
int check_kernel(const char *path);

/* Build the image described by opt, atomically. */
int image_write(const struct options *opt);

/* The MBR: stage 1's code with its patch fields set, the disk signature
 * and either a protective or a hybrid partition table. */
int mbr_build(uint8_t mbr[SECTOR], const struct blob *stage1, uint32_t stage2_sectors,
              uint32_t signature, uint64_t total_sectors, uint64_t esp_sectors, int fat32,
              int hybrid);

/* Primary and backup GPT (headers and entry arrays) into the image file. */
int gpt_write(int fd, uint64_t total_sectors, uint64_t esp_sectors, const uint8_t seed[32]);

/* Make the ESP's FAT with mtools and copy the files in. */
int fatfs_make(const char *image, uint64_t esp_sectors, int fat32, const struct options *opt,
               const struct inputs *in, uint32_t serial);

/* The file offset and raw size of PE section `name` in pe; -1 if there
 * is none or the headers are broken (pe.c). */
int pe_find_section(const struct blob *pe, const char *name, size_t *offset, size_t *size);

/* mkimage --sign: a copy of opt->efi with the manifest of the files the
 * image will hold, signed with sbsign; *efi_path names it and
 * in->efi_size is its size. One line on stderr and -1 on failure. */
int sign_loader(const struct options *opt, struct inputs *in, const char **efi_path);

/* Remove sign_loader()'s temporary files (async-signal-safe). */
void sign_cleanup(void);

#endif
