/* tests/unit/disk_file.h - a struct disk over an image file read into
 * memory, with read counting and fault injection, for test_fat/test_gpt.
 * The images come from tests/unit/disk_images.sh. */
#ifndef TWINBOOT_TEST_DISK_FILE_H
#define TWINBOOT_TEST_DISK_FILE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "disk.h"

#define DISK_DIR "build/tests/disks"

struct mem_disk {
	struct disk disk;
	uint8_t *data;
	size_t size;
	unsigned reads;
	uint64_t fail_lba; /* a read touching this LBA fails; UINT64_MAX: none */
};

static int mem_disk_read(struct disk *disk, uint64_t lba, uint32_t count, void *buf,
                         struct error *err)
{
	struct mem_disk *m = disk->ctx;
	m->reads++;
	if (m->fail_lba >= lba && m->fail_lba < lba + count)
		return error_set(err, "disk: read of %u sectors at LBA 0x%llx failed", count,
		                 (unsigned long long)lba);
	if (lba > m->size / 512 || count > m->size / 512 - lba)
		return error_set(err, "disk: LBA 0x%llx + %u is past the end",
		                 (unsigned long long)lba, count);
	memcpy(buf, m->data + lba * 512, (size_t)count * 512);
	return 0;
}

static void make_images(void)
{
	static int made;
	if (!made && system("sh tests/unit/disk_images.sh " DISK_DIR) != 0) {
		fprintf(stderr, "tests/unit/disk_images.sh failed\n");
		abort();
	}
	made = 1;
}

static uint8_t *read_file(const char *name, size_t *size)
{
	char path[256];
	make_images();
	snprintf(path, sizeof(path), DISK_DIR "/%s", name);
	FILE *f = fopen(path, "rb");
	if (!f) {
		perror(path);
		abort();
	}
	fseek(f, 0, SEEK_END);
	*size = (size_t)ftell(f);
	fseek(f, 0, SEEK_SET);
	uint8_t *data = malloc(*size ? *size : 1);
	if (fread(data, 1, *size, f) != *size)
		abort();
	fclose(f);
	return data;
}

static void mem_disk_open(struct mem_disk *m, const char *name)
{
	memset(m, 0, sizeof(*m));
	m->data = read_file(name, &m->size);
	m->disk.read = mem_disk_read;
	m->disk.sectors = m->size / 512;
	m->disk.ctx = m;
	m->fail_lba = UINT64_MAX;
}

#endif
