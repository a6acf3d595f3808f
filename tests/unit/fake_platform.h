/* tests/unit/fake_platform.h - common/platform.h over host memory.
 *
 * Files come from a table, pages from aligned_alloc (so "physical" is a
 * host pointer, as in the loaders), the final memory map from a script
 * plus every allocation with its type (what UEFI would report), and the
 * two exits (halt, enter kernel) longjmp back to the test.
 */
#ifndef TWINBOOT_FAKE_PLATFORM_H
#define TWINBOOT_FAKE_PLATFORM_H

#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>

#include "bootinfo.h"

struct fake_result {
	int halted;  /* platform_halt was called */
	int entered; /* platform_enter_kernel was called */
	uint64_t pml4, entry, stack_top, bootinfo, idtr;
	int nx;
};

extern jmp_buf fake_exit; /* setjmp() this before boot_main() */
extern struct fake_result fake_result;
extern uint64_t fake_memory_top;       /* platform_memory_top() */
extern uint64_t fake_alloc_limit;      /* bytes fake allocations may take in all */
extern struct tb_console fake_console; /* what platform_set_video reports */
extern uint64_t fake_rsdp;
extern const void *fake_manifest; /* platform_manifest(): NULL or these bytes */
extern size_t fake_manifest_len;
extern int fake_secure_boot;            /* platform_secure_boot() */
extern uint64_t fake_bytes_read;        /* file bytes platform_read_file copied */
extern uint32_t fake_kernel_head_bytes; /* platform_kernel_head_bytes(): 60 KiB */
/* fake_bytes_read when platform_tsc_frequency() was first asked for a
 * sample (wait 0) and for the rate (wait 1); -1 never */
extern uint64_t fake_bytes_read_at_tsc_sample;
extern uint64_t fake_bytes_read_at_tsc_rate;
/* platform_native_disk(): the value it was called with (-1: never), the
 * number of calls, and fake_bytes_read at the first one */
extern int fake_native_disk;
extern unsigned fake_native_disk_calls;
extern uint64_t fake_bytes_read_at_native_disk;

/* Forget files, allocations (freed), output and results. */
void fake_platform_reset(void);
/* Serve `path` with these bytes (copied). */
void fake_platform_add_file(const char *path, const void *data, size_t size);
/* Raw entries platform_exit_firmware reports besides the allocations. */
void fake_platform_add_ram(uint64_t base, uint64_t length, uint32_t type);
/* platform_write_is_slow(): set for UEFI before ExitBootServices, which
 * platform_exit_firmware clears, as UEFI's does */
extern int fake_write_slow;
/* How much of the output was written when platform_exit_firmware ran. */
extern size_t fake_output_at_exit;
/* Everything platform_write printed, NUL-terminated. */
const char *fake_platform_output(void);

#endif
