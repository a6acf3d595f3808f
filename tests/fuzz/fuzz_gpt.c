/* tests/fuzz/fuzz_gpt.c - libFuzzer target for common/gpt.c.
 *
 * The input is the start of a disk (MBR, GPT header and entries); the
 * last sector doubles as the backup header. Any bytes must give an ESP
 * inside the disk or a "gpt: " message.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf_disk.h"
#include "gpt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf_disk b = {data, size / 512};
	struct disk disk = {buf_read, b.sectors, &b};
	struct partition esp;
	struct error err = {{0}};
	if (size < 512 || size > (1u << 20))
		return 0;
	if (gpt_find_esp(&disk, &esp, &err)) {
		if (strncmp(err.msg, "gpt: ", 5) != 0)
			abort();
		return 0;
	}
	/* Found: a non-empty partition inside the disk, from one source. */
	if (esp.sectors == 0 || esp.first_lba >= b.sectors ||
	    esp.sectors > b.sectors - esp.first_lba || (esp.from_backup_gpt && esp.from_mbr))
		abort();
	return 0;
}
