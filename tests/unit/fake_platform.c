/* tests/unit/fake_platform.c - common/platform.h over host memory, for the
 * unit tests and fuzzers of common/ (see fake_platform.h). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "fake_platform.h"
#include "memmap.h"
#include "platform.h"

#define MAX_FILES 80
#define MAX_ALLOCS 256
#define ALLOC_LIMIT_MAX (1ull << 30) /* the largest fake_alloc_limit honoured */
#define REDZONE 4096ull              /* poisoned gap after each allocation */
#define ARENA_SIZE (ALLOC_LIMIT_MAX + MAX_ALLOCS * REDZONE)

/* Allocations come from one arena reserved once and reused by every
 * fake_platform_reset(): a fuzzer allocating tens of MiB per input would
 * otherwise spend most of its time in the host kernel faulting in fresh
 * pages. Under ASan the arena is poisoned except for live allocations,
 * with a poisoned page after each, so overruns and use after a reset are
 * still caught as with malloc. */
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FAKE_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define FAKE_ASAN 1
#endif
#ifdef FAKE_ASAN
#include <sanitizer/asan_interface.h>
#define POISON(p, n) ASAN_POISON_MEMORY_REGION(p, n)
#define UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION(p, n)
#else
#define POISON(p, n) ((void)(p), (void)(n))
#define UNPOISON(p, n) ((void)(p), (void)(n))
#endif
#define MAX_RAM 64
#define OUTPUT_MAX 65536

struct fake_file {
	char path[128];
	void *data;
	size_t size;
};

struct fake_alloc {
	void *ptr;
	uint64_t bytes;
	uint32_t type;
};

jmp_buf fake_exit;
struct fake_result fake_result;
uint64_t fake_memory_top = 1ull << 30;
uint64_t fake_alloc_limit = 1ull << 30;
struct tb_console fake_console;
uint64_t fake_rsdp;
const void *fake_manifest;
size_t fake_manifest_len;
int fake_secure_boot;

static struct fake_file files[MAX_FILES];
static unsigned file_count;
static struct fake_alloc allocs[MAX_ALLOCS];
static unsigned alloc_count;
static uint64_t alloc_bytes;
static uint8_t *arena;
static uint64_t arena_used;
static struct tb_mem_range ram[MAX_RAM];
static unsigned ram_count;
static char output[OUTPUT_MAX];
static size_t output_len;
uint64_t fake_bytes_read;
uint32_t fake_kernel_head_bytes;
uint64_t fake_bytes_read_at_tsc_sample;
uint64_t fake_bytes_read_at_tsc_rate;
int fake_native_disk;
unsigned fake_native_disk_calls;
uint64_t fake_bytes_read_at_native_disk;

void fake_platform_reset(void)
{
	for (unsigned i = 0; i < file_count; i++)
		free(files[i].data);
	if (arena_used)
		POISON(arena, arena_used);
	file_count = alloc_count = ram_count = 0;
	alloc_bytes = arena_used = 0;
	output_len = 0;
	output[0] = 0;
	fake_write_slow = 0;
	fake_output_at_exit = SIZE_MAX;
	fake_bytes_read = 0;
	fake_kernel_head_bytes = KERNEL_HEAD_MAX;
	fake_bytes_read_at_tsc_sample = UINT64_MAX;
	fake_bytes_read_at_tsc_rate = UINT64_MAX;
	fake_native_disk = -1;
	fake_native_disk_calls = 0;
	fake_bytes_read_at_native_disk = UINT64_MAX;
	memset(&fake_result, 0, sizeof(fake_result));
	memset(&fake_console, 0, sizeof(fake_console));
	fake_memory_top = 1ull << 30;
	fake_alloc_limit = 1ull << 30;
	fake_rsdp = 0;
	fake_manifest = NULL;
	fake_manifest_len = 0;
	fake_secure_boot = 0;
}

void fake_platform_add_file(const char *path, const void *data, size_t size)
{
	if (file_count == MAX_FILES)
		abort();
	struct fake_file *f = &files[file_count++];
	strncpy(f->path, path, sizeof(f->path) - 1);
	f->data = malloc(size ? size : 1);
	memcpy(f->data, data, size);
	f->size = size;
}

void fake_platform_add_ram(uint64_t base, uint64_t length, uint32_t type)
{
	if (ram_count == MAX_RAM)
		abort();
	ram[ram_count++] = (struct tb_mem_range){base, length, type, 0};
}

const char *fake_platform_output(void)
{
	return output;
}

int fake_write_slow;
size_t fake_output_at_exit;

int platform_write_is_slow(void)
{
	return fake_write_slow;
}

void platform_write(const char *text, size_t len)
{
	size_t room = sizeof(output) - 1 - output_len;
	if (len > room)
		len = room;
	memcpy(output + output_len, text, len);
	output_len += len;
	output[output_len] = 0;
}

void platform_halt(void)
{
	fake_result.halted = 1;
	longjmp(fake_exit, 1);
}

uint64_t platform_alloc_pages(uint64_t pages, uint32_t tb_type, uint64_t max_addr)
{
	(void)max_addr; /* host pointers are wherever the arena is */
	uint64_t limit = fake_alloc_limit < ALLOC_LIMIT_MAX ? fake_alloc_limit : ALLOC_LIMIT_MAX;
	if (alloc_count == MAX_ALLOCS || pages > (limit - alloc_bytes) / 4096)
		return 0;
	uint64_t bytes = pages * 4096;
	if (!arena) {
		arena = mmap(NULL, ARENA_SIZE, PROT_READ | PROT_WRITE,
		             MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		if (arena == MAP_FAILED) {
			arena = NULL;
			return 0;
		}
	}
	uint8_t *p = arena + arena_used;
	arena_used += bytes + REDZONE; /* the redzone keeps even 0 pages distinct */
	UNPOISON(p, bytes);
	POISON(p + bytes, REDZONE);
	memset(p, 0xa5, bytes); /* undefined contents: catch callers that assume zero */
	allocs[alloc_count++] = (struct fake_alloc){p, bytes, tb_type};
	alloc_bytes += bytes;
	return (uint64_t)(uintptr_t)p;
}

uint64_t platform_memory_top(void)
{
	return fake_memory_top;
}

int platform_read_file(const char *path, uint64_t offset, void *dest, uint64_t len, uint64_t *size,
                       struct error *err)
{
	for (unsigned i = 0; i < file_count; i++) {
		if (strcmp(files[i].path, path))
			continue;
		size_t left = offset < files[i].size ? files[i].size - (size_t)offset : 0;
		size_t n = len < left ? (size_t)len : left;
		*size = files[i].size;
		if (offset % 512)
			return error_set(err, "fake: %s: read from byte %llu", path,
			                 (unsigned long long)offset);
		if (n)
			memcpy(dest, (const uint8_t *)files[i].data + offset, n);
		fake_bytes_read += n;
		return 0;
	}
	return error_set(err, "fake: %s: not found", path);
}

void platform_set_video(uint32_t width, uint32_t height, int verbose, struct tb_console *console)
{
	(void)width;
	(void)height;
	(void)verbose;
	*console = fake_console;
}

void platform_find_tables(uint64_t *rsdp, uint64_t *smbios, uint64_t *efi_system_table)
{
	*rsdp = fake_rsdp;
	*smbios = 0;
	*efi_system_table = 0;
}

const void *platform_manifest(size_t *len)
{
	*len = fake_manifest_len;
	return fake_manifest;
}

int platform_secure_boot(void)
{
	return fake_secure_boot;
}

uint32_t platform_firmware(void)
{
	return TB_FIRMWARE_BIOS;
}

void platform_native_disk(int allowed, const void *config_file, uint64_t config_size)
{
	(void)config_file;
	(void)config_size;
	if (!fake_native_disk_calls++)
		fake_bytes_read_at_native_disk = fake_bytes_read;
	fake_native_disk = allowed;
}

uint32_t platform_kernel_head_bytes(void)
{
	return fake_kernel_head_bytes;
}

uint64_t platform_tsc_frequency(int wait)
{
	if (!wait && fake_bytes_read_at_tsc_sample == UINT64_MAX)
		fake_bytes_read_at_tsc_sample = fake_bytes_read;
	if (wait && fake_bytes_read_at_tsc_rate == UINT64_MAX)
		fake_bytes_read_at_tsc_rate = fake_bytes_read;
	return 1000000000ull;
}

int platform_exit_firmware(struct memmap *map, struct error *err)
{
	/* As UEFI's: output turns cheap from here on. */
	fake_output_at_exit = output_len;
	fake_write_slow = 0;
	for (unsigned i = 0; i < ram_count; i++)
		if (memmap_add(map, ram[i].base, ram[i].length, ram[i].type, err))
			return -1;
	for (unsigned i = 0; i < alloc_count; i++)
		if (memmap_add(map, (uint64_t)(uintptr_t)allocs[i].ptr, allocs[i].bytes,
		               allocs[i].type, err))
			return -1;
	return 0;
}

void platform_enter_kernel(uint64_t pml4, uint64_t entry, uint64_t stack_top, uint64_t bootinfo,
                           int nx, uint64_t idtr)
{
	fake_result.idtr = idtr;
	fake_result.entered = 1;
	fake_result.pml4 = pml4;
	fake_result.entry = entry;
	fake_result.stack_top = stack_top;
	fake_result.bootinfo = bootinfo;
	fake_result.nx = nx;
	longjmp(fake_exit, 1);
}
