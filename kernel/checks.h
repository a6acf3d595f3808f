/* kernel/checks.h - the individual conformance checks (check_map.c: what
 * the boot info says; check_mmu.c: what the page tables and memory do).
 * Each returns 1 when the promise holds; it may leave a note in why (on
 * success: what it looked at; on failure: what is wrong, with values). */
#ifndef KERNEL_CHECKS_H
#define KERNEL_CHECKS_H

#include <stddef.h>
#include <stdint.h>

#include "bootinfo.h"

typedef int (*check_fn)(const struct tb_bootinfo *bi, char *why, size_t n);

int check_memmap(const struct tb_bootinfo *bi, char *why, size_t n);
int check_reserved(const struct tb_bootinfo *bi, char *why, size_t n);
int check_kernel(const struct tb_bootinfo *bi, char *why, size_t n);
int check_modules(const struct tb_bootinfo *bi, char *why, size_t n);
int check_framebuffer(const struct tb_bootinfo *bi, char *why, size_t n);
int check_rsdp(const struct tb_bootinfo *bi, char *why, size_t n);
int check_sections(const struct tb_bootinfo *bi, char *why, size_t n);
int check_maps(const struct tb_bootinfo *bi, char *why, size_t n);
int check_stack(const struct tb_bootinfo *bi, char *why, size_t n);
int check_memory(const struct tb_bootinfo *bi, char *why, size_t n);
int check_tsc(const struct tb_bootinfo *bi, char *why, size_t n); /* check_tsc.c */

/* Map entry i, through the direct map. */
const struct tb_mem_range *check_entry(const struct tb_bootinfo *bi, uint32_t i);
/* Whether [base, base + len) lies inside one map entry of the given type. */
int check_inside(const struct tb_bootinfo *bi, uint64_t base, uint64_t len, uint32_t type);

/* Physical memory through the direct map. */
static inline void *check_phys(const struct tb_bootinfo *bi, uint64_t phys)
{
	return (void *)(uintptr_t)(bi->direct_map_offset + phys);
}

#endif
