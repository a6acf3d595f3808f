/* kernel/check_map.c - conformance checks of what the boot info states:
 * the memory map's shape, zeroed reserved fields, and that the kernel,
 * the modules and the framebuffer sit in map entries of their own type
 * (docs/ABI.md), and the ACPI RSDP's checksums (ACPI 6.5 5.2.5.3). */
#include "checks.h"

#include "fmt.h"
#include "lib.h"

#define FAIL(...) (fmt_snprintf(why, n, __VA_ARGS__), 0)
#define X(v) ((unsigned long long)(v))

const struct tb_mem_range *check_entry(const struct tb_bootinfo *bi, uint32_t i)
{
	return check_phys(bi, bi->mem_map + (uint64_t)i * bi->mem_map_entry_size);
}

int check_inside(const struct tb_bootinfo *bi, uint64_t base, uint64_t len, uint32_t type)
{
	for (uint32_t i = 0; i < bi->mem_map_entries; i++) {
		const struct tb_mem_range *r = check_entry(bi, i);
		if (r->type == type && base >= r->base && base + len <= r->base + r->length)
			return 1;
	}
	return 0;
}

int check_memmap(const struct tb_bootinfo *bi, char *why, size_t n)
{
	if (!bi->mem_map_entries)
		return FAIL("the map is empty");
	if (bi->mem_map_entry_size != sizeof(struct tb_mem_range))
		return FAIL("entry size %u, expected %zu", bi->mem_map_entry_size,
		            sizeof(struct tb_mem_range));
	const struct tb_mem_range *prev = NULL;
	for (uint32_t i = 0; i < bi->mem_map_entries; i++) {
		const struct tb_mem_range *r = check_entry(bi, i);
		if (!r->length)
			return FAIL("entry %u at 0x%llx is empty", i, X(r->base));
		if (r->type < TB_MEM_USABLE || r->type > TB_MEM_EFI_RUNTIME)
			return FAIL("entry %u at 0x%llx has unknown type %u", i, X(r->base),
			            r->type);
		if (r->base + r->length < r->base)
			return FAIL("entry %u at 0x%llx wraps around", i, X(r->base));
		if (r->type == TB_MEM_USABLE && ((r->base | r->length) & (PAGE_SIZE - 1)))
			return FAIL("usable entry %u [0x%llx, +0x%llx) is not page-aligned", i,
			            X(r->base), X(r->length));
		if (prev && r->base < prev->base + prev->length)
			return FAIL("entry %u at 0x%llx overlaps or precedes entry %u [0x%llx, "
			            "+0x%llx)",
			            i, X(r->base), i - 1, X(prev->base), X(prev->length));
		if (prev && r->base == prev->base + prev->length && r->type == prev->type)
			return FAIL("entries %u and %u (type %u) touch but are not merged", i - 1,
			            i, r->type);
		prev = r;
	}
	return fmt_snprintf(why, n, "%u entries", bi->mem_map_entries), 1;
}

int check_reserved(const struct tb_bootinfo *bi, char *why, size_t n)
{
	if (bi->reserved0 || bi->reserved1 || bi->reserved2)
		return FAIL("boot info reserved0/1/2 = 0x%x/0x%x/0x%x", bi->reserved0,
		            bi->reserved1, bi->reserved2);
	if (bi->console.reserved0 || bi->console.reserved1)
		return FAIL("console reserved0/1 = 0x%x/0x%x", bi->console.reserved0,
		            bi->console.reserved1);
	for (uint32_t i = 0; i < bi->mem_map_entries; i++)
		if (check_entry(bi, i)->reserved)
			return FAIL("map entry %u reserved = 0x%x", i,
			            check_entry(bi, i)->reserved);
	if (bi->module_count && bi->module_entry_size != sizeof(struct tb_module))
		return FAIL("module entry size %u, expected %zu", bi->module_entry_size,
		            sizeof(struct tb_module));
	if (strnlen(bi->loader_name, sizeof(bi->loader_name)) == sizeof(bi->loader_name))
		return FAIL("loader_name is not NUL-terminated");
	return 1;
}

int check_kernel(const struct tb_bootinfo *bi, char *why, size_t n)
{
	extern char __kernel_start[], __kernel_end[];
	uint64_t start = (uint64_t)(uintptr_t)__kernel_start;
	uint64_t size = (uint64_t)(uintptr_t)__kernel_end - start;
	if (bi->kernel_virt_base != start)
		return FAIL("kernel_virt_base 0x%llx, but the kernel is linked at 0x%llx",
		            X(bi->kernel_virt_base), X(start));
	if (bi->kernel_size < size)
		return FAIL("kernel_size 0x%llx, the image spans 0x%llx", X(bi->kernel_size),
		            X(size));
	if (bi->kernel_phys_base & (PAGE_SIZE - 1))
		return FAIL("kernel_phys_base 0x%llx is not page-aligned", X(bi->kernel_phys_base));
	if (!check_inside(bi, bi->kernel_phys_base, bi->kernel_size, TB_MEM_KERNEL))
		return FAIL("[0x%llx, +0x%llx) is not inside one KERNEL entry",
		            X(bi->kernel_phys_base), X(bi->kernel_size));
	return fmt_snprintf(why, n, "0x%llx bytes at 0x%llx", X(bi->kernel_size),
	                    X(bi->kernel_phys_base)),
	       1;
}

int check_modules(const struct tb_bootinfo *bi, char *why, size_t n)
{
	for (uint32_t i = 0; i < bi->module_count; i++) {
		const struct tb_module *m =
		    check_phys(bi, bi->modules + (uint64_t)i * bi->module_entry_size);
		if (strnlen(m->name, sizeof(m->name)) == sizeof(m->name))
			return FAIL("module %u's name is not NUL-terminated", i);
		if (m->base & (PAGE_SIZE - 1))
			return FAIL("module %s at 0x%llx is not page-aligned", m->name, X(m->base));
		if (!check_inside(bi, m->base, m->size, TB_MEM_MODULE))
			return FAIL("module %s [0x%llx, +0x%llx) is not inside one MODULE entry",
			            m->name, X(m->base), X(m->size));
	}
	return fmt_snprintf(why, n, "%u modules", bi->module_count), 1;
}

int check_framebuffer(const struct tb_bootinfo *bi, char *why, size_t n)
{
	const struct tb_console *c = &bi->console;
	if (c->type != TB_CONSOLE_FRAMEBUFFER)
		return fmt_snprintf(why, n, "no framebuffer"), 1;
	uint64_t size = (uint64_t)c->pitch * c->height;
	if (c->pitch < (uint64_t)c->width * (c->bpp / 8))
		return FAIL("pitch %u is less than %u pixels of %u bits", c->pitch, c->width,
		            c->bpp);
	if (!check_inside(bi, c->address, size, TB_MEM_FRAMEBUFFER))
		return FAIL("[0x%llx, +0x%llx) is not inside one FRAMEBUFFER entry", X(c->address),
		            X(size));
	return fmt_snprintf(why, n, "0x%llx bytes at 0x%llx", X(size), X(c->address)), 1;
}

static uint8_t sum(const uint8_t *p, size_t len)
{
	uint8_t s = 0;
	while (len--)
		s += *p++;
	return s;
}

/* ACPI 6.5 Table 5.3: the first 20 bytes (ACPI 1.0's RSDP) sum to zero;
 * from revision 2 on, all `length` bytes (36) sum to zero as well. */
int check_rsdp(const struct tb_bootinfo *bi, char *why, size_t n)
{
	if (!bi->rsdp)
		return fmt_snprintf(why, n, "no RSDP"), 1;
	const uint8_t *r = check_phys(bi, bi->rsdp);
	if (memcmp(r, "RSD PTR ", 8))
		return FAIL("no \"RSD PTR \" signature at 0x%llx", X(bi->rsdp));
	if (sum(r, 20))
		return FAIL("checksum of the first 20 bytes is 0x%02x, not 0", sum(r, 20));
	unsigned rev = r[15];
	if (rev >= 2) {
		uint32_t len = r[20] | r[21] << 8 | r[22] << 16 | (uint32_t)r[23] << 24;
		if (len < 36 || len > 4096)
			return FAIL("revision %u RSDP length %u", rev, len);
		if (sum(r, len))
			return FAIL("extended checksum over %u bytes is 0x%02x, not 0", len,
			            sum(r, len));
	}
	return fmt_snprintf(why, n, "revision %u at 0x%llx", rev, X(bi->rsdp)), 1;
}
