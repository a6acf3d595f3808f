/* common/device_path.c - see device_path.h. */
#include "device_path.h"

#include <stdint.h>

#define TYPE_MESSAGING 0x03
#define SUBTYPE_UART 0x0e
#define TYPE_END 0x7f
#define SUBTYPE_END_ENTIRE 0xff
#define NODE_HEADER 4

int device_path_has_uart(const void *path, size_t size)
{
	const uint8_t *p = path;
	size_t at = 0;
	while (size - at >= NODE_HEADER) {
		uint8_t type = p[at], subtype = p[at + 1];
		size_t len = (size_t)p[at + 2] | (size_t)p[at + 3] << 8;
		if (len < NODE_HEADER || len > size - at)
			return 0;
		if (type == TYPE_MESSAGING && subtype == SUBTYPE_UART)
			return 1;
		if (type == TYPE_END && subtype == SUBTYPE_END_ENTIRE)
			return 0;
		at += len;
	}
	return 0;
}
