/* tools/mkimage/pe.c - find a section of a PE32+ image by name, so that
 * mkimage --sign can fill BOOTX64.EFI's manifest section in place.
 *
 * PE format ("MS-DOS Stub", "COFF File Header", "Section Table"): the
 * offset of the "PE\0\0" signature is at 0x3c, the 20-byte COFF header
 * follows it, then the optional header, then 40-byte section headers.
 * objcopy writes names longer than 8 bytes (".twinboot") as "/N", an
 * offset into the COFF string table, which follows the symbol table
 * (18 bytes a symbol). Every offset is checked against the file's size.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mkimage.h"

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint16_t le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

/* 1 if the section header's name field names `name`. */
static int name_is(const struct blob *pe, const uint8_t *field, uint64_t strtab, const char *name)
{
	size_t len = strlen(name);
	if (field[0] != '/')
		return len <= 8 && !memcmp(field, name, len) && (len == 8 || !field[len]);
	char digits[8];
	memcpy(digits, field + 1, 7);
	digits[7] = 0;
	char *end;
	unsigned long off = strtoul(digits, &end, 10);
	if (end == digits || !strtab)
		return 0;
	uint64_t at = strtab + off;
	return at + len + 1 <= pe->size && !memcmp(pe->data + at, name, len + 1);
}

int pe_find_section(const struct blob *pe, const char *name, size_t *offset, size_t *size)
{
	const uint8_t *d = pe->data;
	if (pe->size < 0x40 || d[0] != 'M' || d[1] != 'Z')
		return -1;
	uint64_t coff = (uint64_t)le32(d + 0x3c) + 4;
	if (coff + 20 > pe->size || memcmp(d + coff - 4, "PE\0\0", 4))
		return -1;
	unsigned count = le16(d + coff + 2);
	uint64_t symtab = le32(d + coff + 8), symbols = le32(d + coff + 12);
	uint64_t table = coff + 20 + le16(d + coff + 16);
	uint64_t strtab = symtab ? symtab + symbols * 18 : 0;
	if (table + (uint64_t)count * 40 > pe->size || strtab + 4 > pe->size)
		return -1;
	for (unsigned i = 0; i < count; i++) {
		const uint8_t *s = d + table + (uint64_t)i * 40;
		if (!name_is(pe, s, strtab, name))
			continue;
		uint64_t raw_size = le32(s + 16), raw_at = le32(s + 20);
		if (raw_at + raw_size > pe->size)
			return -1;
		*offset = (size_t)raw_at;
		*size = (size_t)raw_size;
		return 0;
	}
	return -1;
}
