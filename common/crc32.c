/* common/crc32.c - CRC-32 as GPT uses it (UEFI 2.10 5.3.2: the IEEE 802.3
 * polynomial, reflected, initial value and final XOR 0xffffffff).
 *
 * Four bits per step from a 16-entry table: 64 bytes of table instead of
 * 1 KiB, which matters in the 64 KiB BIOS stage 2, and still far faster
 * than the disk reads that produce the data.
 */
#include "crc32.h"

/* crc_table[i] = i run through four rounds of the bitwise CRC. */
static const uint32_t crc_table[16] = {
    0x00000000, 0x1db71064, 0x3b6e20c8, 0x26d930ac, 0x76dc4190, 0x6b6b51f4, 0x4db26158, 0x5005713c,
    0xedb88320, 0xf00f9344, 0xd6d6a3e8, 0xcb61b38c, 0x9b64c2b0, 0x86d3d2d4, 0xa00ae278, 0xbdbdf21c,
};

uint32_t crc32(uint32_t crc, const void *buf, size_t n)
{
	const unsigned char *p = buf;
	crc = ~crc;
	for (size_t i = 0; i < n; i++) {
		crc ^= p[i];
		crc = (crc >> 4) ^ crc_table[crc & 15];
		crc = (crc >> 4) ^ crc_table[crc & 15];
	}
	return ~crc;
}
