/* tests/unit/memmap_oracle.h - what memmap_normalize() must produce,
 * computed another way, for test_memmap and fuzz_memmap.
 *
 * memmap.c edits its list in place, entry against entry. The oracle cuts
 * the address line at every entry boundary instead, gives each piece the
 * strongest type covering it (or the carved type, which overrides), joins
 * equal neighbours and shrinks usable runs inward to pages. Quadratic and
 * allocation-free, for maps of a few thousand entries at most.
 */
#ifndef TWINBOOT_TEST_MEMMAP_ORACLE_H
#define TWINBOOT_TEST_MEMMAP_ORACLE_H

#include <stdint.h>
#include <stdlib.h>

#include "bootinfo.h"

#define ORACLE_MAX 4200

/* The precedence memmap.c documents, weakest first, written out again so
 * a change there that isn't meant shows up here. */
static unsigned oracle_rank(uint32_t type)
{
	static const uint32_t order[] = {TB_MEM_USABLE,      TB_MEM_LOADER,
	                                 TB_MEM_MODULE,      TB_MEM_KERNEL,
	                                 TB_MEM_EFI_RUNTIME, TB_MEM_ACPI_RECLAIMABLE,
	                                 TB_MEM_ACPI_NVS,    TB_MEM_RESERVED,
	                                 TB_MEM_FRAMEBUFFER, TB_MEM_BAD};
	for (unsigned i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		if (order[i] == type)
			return i + 1;
	return 0;
}

static uint32_t oracle_known(uint32_t type)
{
	return oracle_rank(type) ? type : TB_MEM_RESERVED;
}

static int oracle_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static uint64_t oracle_end(const struct tb_mem_range *e)
{
	return e->length > UINT64_MAX - e->base ? UINT64_MAX : e->base + e->length;
}

/* The normalised map of the raw entries in[0..n) (type 0 and empty ones
 * ignored, as memmap_add does), with [ov_base, ov_end) forced to ov_type
 * when ov_type is not 0. Returns the entry count written to out. */
static unsigned memmap_oracle(const struct tb_mem_range *in, unsigned n, uint64_t ov_base,
                              uint64_t ov_end, uint32_t ov_type, struct tb_mem_range *out,
                              unsigned cap)
{
	static uint64_t cut[2 * ORACLE_MAX + 2];
	unsigned cuts = 0, count = 0;
	if (n > ORACLE_MAX)
		abort();
	for (unsigned i = 0; i < n; i++) {
		if (!in[i].type || !in[i].length)
			continue;
		cut[cuts++] = in[i].base;
		cut[cuts++] = oracle_end(&in[i]);
	}
	if (ov_type && ov_end > ov_base) {
		cut[cuts++] = ov_base;
		cut[cuts++] = ov_end;
	}
	qsort(cut, cuts, sizeof(cut[0]), oracle_cmp);
	for (unsigned k = 0; k + 1 < cuts; k++) {
		uint64_t lo = cut[k], hi = cut[k + 1];
		uint32_t type = 0;
		if (lo == hi)
			continue;
		if (ov_type && lo >= ov_base && hi <= ov_end) {
			type = ov_type;
		} else {
			for (unsigned i = 0; i < n; i++) {
				uint32_t t = oracle_known(in[i].type);
				if (in[i].type && in[i].length && in[i].base <= lo &&
				    oracle_end(&in[i]) >= hi && oracle_rank(t) > oracle_rank(type))
					type = t;
			}
		}
		if (!type)
			continue;
		if (count && out[count - 1].type == type &&
		    out[count - 1].base + out[count - 1].length == lo) {
			out[count - 1].length += hi - lo;
		} else {
			if (count == cap)
				abort();
			out[count++] = (struct tb_mem_range){lo, hi - lo, type, 0};
		}
	}
	/* usable runs inward to 4 KiB; slivers go */
	unsigned kept = 0;
	for (unsigned i = 0; i < count; i++) {
		struct tb_mem_range e = out[i];
		if (e.type == TB_MEM_USABLE) {
			uint64_t end = (e.base + e.length) & ~0xfffull;
			if (e.base > UINT64_MAX - 0xfff)
				continue;
			uint64_t base = (e.base + 0xfff) & ~0xfffull;
			if (end <= base)
				continue;
			e.base = base;
			e.length = end - base;
		}
		out[kept++] = e;
	}
	return kept;
}

#endif
