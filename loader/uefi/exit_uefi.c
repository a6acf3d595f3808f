/* loader/uefi/exit_uefi.c - the firmware's memory map and the way out of
 * boot services (UEFI 2.10 7.2 GetMemoryMap(), 7.4 ExitBootServices()).
 *
 * ExitBootServices() takes the key of the latest map, and any allocation
 * changes the key. So the descriptor buffer is allocated first, with
 * slack for the descriptors that allocation itself adds, and the final
 * GetMemoryMap -> ExitBootServices pair allocates nothing. After a failed
 * ExitBootServices the firmware may have shut down part of boot services
 * (7.4), so a retry only calls GetMemoryMap into the same buffer.
 */
#include <efi.h>

#include "lib.h"
#include "log.h"
#include "memmap.h"
#include "platform.h"
#include "uefi.h"

/* Loader data, not static storage: a map can be dozens of KiB. */
static uint8_t *map_buf;
static UINTN map_cap;

/* Make map_buf big enough for the current map plus `slack` descriptors.
 * May allocate (and so change the map): call it before taking the key. */
static int map_reserve(UINTN slack, struct error *err)
{
	UINTN size = 0, key, desc_size;
	UINT32 version;
	EFI_STATUS s = uefi_bs->GetMemoryMap(&size, NULL, &key, &desc_size, &version);
	if (s != EFI_BUFFER_TOO_SMALL)
		return error_set(err, "uefi: GetMemoryMap to size the map: %s",
		                 uefi_status_text(s));
	/* The new buffer splits a free range: up to two more descriptors. */
	UINTN need = size + (slack + 2) * desc_size;
	if (need <= map_cap)
		return 0;
	UINTN pages = (need + PAGE_SIZE - 1) / PAGE_SIZE;
	uint64_t addr = platform_alloc_pages(pages, TB_MEM_LOADER, 0);
	if (!addr)
		return error_set(err, "uefi: no memory for a %llu-byte memory map",
		                 (unsigned long long)need);
	map_buf = phys_ptr(addr);
	map_cap = pages * PAGE_SIZE;
	return 0;
}

/* The current map into map_buf, without allocating. Returns the status;
 * on success *count descriptors of *desc_size bytes each. */
static EFI_STATUS map_read(UINTN *count, UINTN *key, UINTN *desc_size)
{
	UINTN size = map_cap;
	UINT32 version;
	EFI_STATUS s = uefi_bs->GetMemoryMap(&size, (EFI_MEMORY_DESCRIPTOR *)map_buf, key,
	                                     desc_size, &version);
	*count = EFI_ERROR(s) ? 0 : size / *desc_size;
	return s;
}

static EFI_MEMORY_DESCRIPTOR *map_entry(UINTN i, UINTN desc_size)
{
	/* desc_size, not sizeof: the firmware may append fields (7.2). */
	return (EFI_MEMORY_DESCRIPTOR *)(map_buf + i * desc_size);
}

uint64_t platform_memory_top(void)
{
	struct error err = {{0}};
	UINTN count, key, desc_size;
	if (map_reserve(16, &err))
		log_fatal_error(&err);
	EFI_STATUS s = map_read(&count, &key, &desc_size);
	if (EFI_ERROR(s))
		log_fatal("uefi: GetMemoryMap failed: %s", uefi_status_text(s));
	uint64_t top = 0;
	for (UINTN i = 0; i < count; i++) {
		EFI_MEMORY_DESCRIPTOR *d = map_entry(i, desc_size);
		uint32_t t = memmap_type_from_efi(d->Type);
		uint64_t end = d->PhysicalStart + d->NumberOfPages * PAGE_SIZE;
		if (t != TB_MEM_RESERVED && t != TB_MEM_BAD && end > top)
			top = end;
	}
	return top;
}

int platform_exit_firmware(struct memmap *map, struct error *err)
{
	UINTN count = 0, key, desc_size;
	EFI_STATUS s;
	int attempt;

	if (uefi_handoff_prepare(err) || map_reserve(32, err))
		return -1;
	/* From the first ExitBootServices call on, ConOut and Exit() may be
	 * gone (7.4): messages go to COM1 and a failure halts. */
	uefi_boot_services_exited = 1;
	for (attempt = 1; attempt <= 8; attempt++) {
		s = map_read(&count, &key, &desc_size);
		if (EFI_ERROR(s))
			return error_set(err,
			                 "uefi: GetMemoryMap before ExitBootServices "
			                 "(attempt %d): %s",
			                 attempt, uefi_status_text(s));
		s = uefi_bs->ExitBootServices(uefi_image, key);
		/* Invalid Parameter: the key is stale, an event changed the map. */
		if (s != EFI_INVALID_PARAMETER)
			break;
	}
	if (EFI_ERROR(s))
		return error_set(err, "uefi: ExitBootServices failed after %d attempts: %s",
		                 attempt > 8 ? 8 : attempt, uefi_status_text(s));
	/* The firmware's timer handler and IDT live in boot-services memory
	 * that is ours now: no interrupts from here to the kernel. */
	__asm__ volatile("cli");
	log_release(); /* the banner, to COM1 now that it costs nothing */
	for (UINTN i = 0; i < count; i++) {
		EFI_MEMORY_DESCRIPTOR *d = map_entry(i, desc_size);
		if (memmap_add(map, d->PhysicalStart, d->NumberOfPages * PAGE_SIZE,
		               memmap_type_from_efi(d->Type), err))
			return -1;
	}
	log_verbose("uefi: ExitBootServices done (attempt %d), %u descriptors", attempt,
	            (unsigned)count);
	return 0;
}
