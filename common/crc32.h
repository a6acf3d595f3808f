/* common/crc32.h - CRC-32 (IEEE 802.3, reflected, poly 0xEDB88320), as the
 * GPT headers and entry arrays use it (UEFI 2.10 5.3.2). */
#ifndef TWINBOOT_CRC32_H
#define TWINBOOT_CRC32_H

#include <stddef.h>
#include <stdint.h>

/* crc32(0, buf, n) is the CRC of buf; pass a previous result to continue. */
uint32_t crc32(uint32_t crc, const void *buf, size_t n);

#endif
