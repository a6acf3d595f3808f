/* common/manifest.h - the list of files a signed loader may boot, by hash.
 *
 * mkimage --sign hashes the kernel, each module and the config, writes this
 * manifest into the `.twinboot` PE section of BOOTX64.EFI and then signs
 * the binary, so the firmware's signature check covers the hashes too. The
 * loaders check every file they read against it (docs/SECURE-BOOT.md).
 *
 * On-disk layout, version 1, little-endian, no padding between fields:
 *
 *   offset  size  field
 *   0x0000     8  magic        "TBMANIF1"
 *   0x0008     4  version      1
 *   0x000c     4  header_size  32: offset of the first entry
 *   0x0010     4  entry_size   160
 *   0x0014     4  entry_count  0..66 entries in use
 *   0x0018     4  total_size   10592 = 32 + 66 * 160, the whole reserved area
 *   0x001c     4  reserved     0
 *   0x0020   160  entry[0]     then entry[1] ... entry[65]
 *   entry:  0x00  128  path    absolute, as the config writes it, NUL-padded
 *           0x80   32  sha256  FIPS 180-4 digest of the file's bytes
 *
 * The size is fixed (66 entries: kernel, config, 64 modules) so the loader
 * can reserve the section at build time and mkimage can fill it in place.
 * Unused entries and the bytes after each path's NUL are zero, so one set
 * of files has exactly one manifest.
 */
#ifndef TWINBOOT_MANIFEST_H
#define TWINBOOT_MANIFEST_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "sha256.h"

#define MANIFEST_MAGIC "TBMANIF1"
#define MANIFEST_VERSION 1
#define MANIFEST_PATH_MAX 128 /* = CONFIG_PATH_MAX, checked in manifest.c */
#define MANIFEST_ENTRIES_MAX 66
#define MANIFEST_SECTION ".twinboot"

struct manifest_header {
	char magic[8];        /* 0x00 MANIFEST_MAGIC, no NUL */
	uint32_t version;     /* 0x08 MANIFEST_VERSION */
	uint32_t header_size; /* 0x0c sizeof(struct manifest_header) */
	uint32_t entry_size;  /* 0x10 sizeof(struct manifest_entry) */
	uint32_t entry_count; /* 0x14 */
	uint32_t total_size;  /* 0x18 MANIFEST_SIZE */
	uint32_t reserved;    /* 0x1c zero */
};

struct manifest_entry {
	char path[MANIFEST_PATH_MAX];       /* 0x00 NUL-terminated, NUL-padded */
	uint8_t sha256[SHA256_DIGEST_SIZE]; /* 0x80 */
};

#define MANIFEST_SIZE (32 + MANIFEST_ENTRIES_MAX * 160)

/* The layout above, checked in every build (BIOS -m32, UEFI, host). The
 * entry has alignment 1, so a view may point anywhere in a buffer. */
#define MANIFEST_ASSERT(e) _Static_assert(e, #e)
MANIFEST_ASSERT(sizeof(struct manifest_header) == 32);
MANIFEST_ASSERT(offsetof(struct manifest_header, entry_count) == 0x14);
MANIFEST_ASSERT(offsetof(struct manifest_header, reserved) == 0x1c);
MANIFEST_ASSERT(sizeof(struct manifest_entry) == 160);
MANIFEST_ASSERT(offsetof(struct manifest_entry, sha256) == 0x80);
MANIFEST_ASSERT(_Alignof(struct manifest_entry) == 1);
MANIFEST_ASSERT(MANIFEST_SIZE == 10592);

/* A parsed manifest: points into the caller's buffer, which must outlive
 * it. Entries are byte arrays, so any alignment of the buffer is fine. */
struct manifest_view {
	const struct manifest_entry *entries;
	uint32_t count;
};

/* One file for manifest_build(): its path as the config names it and its
 * contents. */
struct manifest_file {
	const char *path;
	const void *data;
	size_t size;
};

/* 1 if buf holds no manifest at all: empty, or a magic of zero bytes (the
 * loader's placeholder section before mkimage --sign fills it). */
int manifest_is_blank(const void *buf, size_t len);

/* Check len bytes at buf (len may exceed MANIFEST_SIZE: a PE section is
 * padded to the file alignment). Reads nothing outside buf. Returns 0 and
 * fills *out, or -1 with err like "manifest: unsupported version 2". */
int manifest_parse(const void *buf, size_t len, struct manifest_view *out, struct error *err);

/* The digest recorded for path (exact, case-sensitive match), or NULL. */
const uint8_t *manifest_find(const struct manifest_view *view, const char *path);

/* 0 if the size bytes at data hash to path's digest; else -1 with err
 * "manifest: /boot/kernel.elf: SHA-256 mismatch (expected 1a2b3c4d, got
 * 5e6f7a8b)" or "manifest: /boot/x: not in the manifest". */
int manifest_verify(const struct manifest_view *view, const char *path, const void *data,
                    size_t size, struct error *err);

/* Hash each file and write a whole manifest (MANIFEST_SIZE bytes, unused
 * space zeroed) to buf, which must hold at least that. For mkimage. Returns
 * 0, or -1 with err naming the bad path or count. */
int manifest_build(void *buf, size_t size, const struct manifest_file *files, unsigned count,
                   struct error *err);

#endif
