/* tests/fuzz/fuzz_fat.c - libFuzzer target for common/fat.c.
 *
 * The input is a small FAT volume in memory. Whatever its bytes, mounting,
 * looking up paths and reading files must end in success or an "fat: "
 * message: no read outside the volume (ASan), no hang (bounded chains).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf_disk.h"
#include "fat.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_message(const struct error *err)
{
	if (strncmp(err->msg, "fat: ", 5) != 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fat_volume vol;
	static const char *paths[] = {"/boot/kernel.elf", "/EFI/BOOT/BOOTX64.EFI",
	                              "/boot/twinboot.cfg", "/a/b/c/d"};
	struct buf_disk b = {data, size / 512};
	struct disk disk = {buf_read, b.sectors, &b};
	struct error err = {{0}};
	if (size < 512 || size > (4u << 20))
		return 0;
	if (fat_mount(&vol, &disk, 0, disk.sectors, &err)) {
		check_message(&err);
		return 0;
	}
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		struct fat_file file;
		if (fat_open(&vol, paths[i], &file, &err)) {
			check_message(&err);
			continue;
		}
		/* A file can't be larger than the volume that holds it. */
		if (file.is_dir || file.size > size)
			continue;
		uint8_t *out = malloc(file.size ? file.size : 1);
		if (fat_read(&vol, &file, out, paths[i], &err))
			check_message(&err);
		free(out);
	}
	return 0;
}
