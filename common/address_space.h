/* common/address_space.h - the kernel's page tables, as docs/ABI.md
 * promises them: kernel segments with their permissions, all RAM in the
 * direct map, the first 4 GiB identity mapped, the stack and its guard. */
#ifndef TWINBOOT_ADDRESS_SPACE_H
#define TWINBOOT_ADDRESS_SPACE_H

#include <stdint.h>

#include "boot.h"

/* How many pages address_space_build() takes: the kernel's stack and the
 * most frames its tables can need. */
uint64_t address_space_pages(const struct boot_facts *facts);

/* Put the stack and the tables in the address_space_pages() pages at
 * `pages` (the caller's LOADER memory below 4 GiB), map everything and
 * return the physical address of the PML4. Fatal on failure. The stack's
 * top 8 bytes are zeroed: the kernel's return address, so its entry looks
 * like a called function (SysV). */
uint64_t address_space_build(const struct boot_facts *facts, uint64_t pages, int nx, int huge_1g);

#endif
