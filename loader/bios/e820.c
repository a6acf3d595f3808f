/* loader/bios/e820.c - the firmware's memory map through INT 15h E820h.
 *
 * ACPI 6.5 15.1 "INT 15H, E820H - Query System Address Map": each call
 * returns one entry into ES:DI and a continuation value in EBX (0 after the
 * last entry; some BIOSes signal the end with CF instead). We ask for the
 * 24-byte ACPI 3.0 form; a BIOS that fills only 20 bytes says so in ECX,
 * and then the extended attributes don't exist.
 */
#include <stdint.h>

#include "bios.h"
#include "lib.h"
#include "memmap.h"

#define E820_SMAP 0x534d4150u /* "SMAP" */
#define E820_MAX_CALLS 1024u  /* a loop guard, far above any real map */

struct e820_entry {
	uint64_t base;
	uint64_t length;
	uint32_t type;
	uint32_t ext_attr;
};

int e820_read(struct memmap *map, struct error *err)
{
	volatile struct e820_entry *e = bios_ptr(BIOS_SCRATCH);
	uint32_t cont = 0;
	int count = 0;

	for (uint32_t call = 0; call < E820_MAX_CALLS; call++) {
		struct bios_regs r = {0};
		/* Preset "enabled" so a 20-byte answer reads as enabled. */
		e->ext_attr = 1;
		r.eax = 0xe820;
		r.edx = E820_SMAP;
		r.ebx = cont;
		r.ecx = sizeof(struct e820_entry);
		r.es = BIOS_SEG(BIOS_SCRATCH);
		r.edi = BIOS_OFF(BIOS_SCRATCH);
		bios_int(0x15, &r);
		if (r.eflags & BIOS_FLAG_CF) {
			if (call == 0)
				return error_set(err, "e820: INT 15h E820h not supported (CF set)");
			break; /* CF after the last entry ends the list */
		}
		if (r.eax != E820_SMAP)
			return error_set(err, "e820: call %u returned EAX 0x%x, not 'SMAP'",
			                 (unsigned)call, (unsigned)r.eax);
		int has_ext = r.ecx >= 24;
		uint32_t type = memmap_type_from_e820(e->type, e->ext_attr, has_ext);
		if (type && memmap_add(map, e->base, e->length, type, err))
			return -1;
		count++;
		cont = r.ebx;
		if (!cont)
			break;
	}
	if (!count)
		return error_set(err, "e820: the BIOS reported no memory");
	return count;
}
