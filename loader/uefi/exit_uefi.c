/* loader/uefi/exit_uefi.c - the firmware's memory map and the way out of
 * boot services (UEFI 2.10 7.2 GetMemoryMap(), 7.4 ExitBootServices()).
 *
 * ExitBootServices() takes the key of the latest map, and any allocation
 * changes the key. So the descriptor buffer is made big enough first, with
 * slack for descriptors added meanwhile (a static one does on most
 * machines), and the final GetMemoryMap -> ExitBootServices pair
 * allocates nothing. After a failed ExitBootServices the firmware may
 * have shut down part of boot services (7.4), so a retry only calls
 * GetMemoryMap into the same buffer.
 */
#include <efi.h>

#include "lib.h"
#include "log.h"
#include "memmap.h"
#include "platform.h"
#include "uefi.h"

/* Room for the maps of most machines (OVMF's: about 5 KiB; 300
 * descriptors of 48 bytes: 14 KiB) without an allocation, which would cost
 * a firmware call and change the map. A bigger map moves to loader data. */
static uint8_t map_static[24u << 10];
static uint8_t *map_buf; /* map_static until map_fetch grows it (no
                          * initialiser: that would need a relocation) */
static UINTN map_cap;

/* The current map into map_buf, without allocating. Returns the status;
 * on success *count descriptors of *desc_size bytes each; when the buffer
 * is too small, *size_needed says how big the map is. */
static EFI_STATUS map_read(UINTN *count, UINTN *key, UINTN *desc_size, UINTN *size_needed)
{
	if (!map_buf) {
		map_buf = map_static;
		map_cap = sizeof(map_static);
	}
	UINTN size = map_cap;
	UINT32 version;
	EFI_STATUS s = uefi_bs->GetMemoryMap(&size, (EFI_MEMORY_DESCRIPTOR *)map_buf, key,
	                                     desc_size, &version);
	*count = EFI_ERROR(s) ? 0 : size / *desc_size;
	*size_needed = size;
	return s;
}

/* The current map into map_buf, leaving room for `slack` more
 * descriptors (events may add some before ExitBootServices takes it).
 * When it doesn't fit, a bigger buffer is allocated and the map read
 * again: the allocation itself changed it. */
static int map_fetch(UINTN slack, UINTN *count, UINTN *key, UINTN *desc_size, struct error *err)
{
	for (int attempt = 0; attempt < 4; attempt++) {
		UINTN size;
		EFI_STATUS s = map_read(count, key, desc_size, &size);
		if (EFI_ERROR(s) && s != EFI_BUFFER_TOO_SMALL)
			return error_set(err, "uefi: GetMemoryMap failed: %s", uefi_status_text(s));
		/* The new buffer splits a free range: up to two more descriptors. */
		UINTN need = size + (slack + 2) * *desc_size;
		if (!EFI_ERROR(s) && need <= map_cap)
			return 0;
		UINTN pages = (need + PAGE_SIZE - 1) / PAGE_SIZE;
		uint64_t addr = platform_alloc_pages(pages, TB_MEM_LOADER, 0);
		if (!addr)
			return error_set(err, "uefi: no memory for a %llu-byte memory map",
			                 (unsigned long long)need);
		map_buf = phys_ptr(addr);
		map_cap = pages * PAGE_SIZE;
	}
	return error_set(err, "uefi: the memory map kept growing past its buffer");
}

static EFI_MEMORY_DESCRIPTOR *map_entry(UINTN i, UINTN desc_size)
{
	/* desc_size, not sizeof: the firmware may append fields (7.2). */
	return (EFI_MEMORY_DESCRIPTOR *)(map_buf + i * desc_size);
}

/* Asked by the ELF check and the page tables. Allocations only change
 * the types of ranges, never the top, so the first answer stands (and
 * each GetMemoryMap costs about 0.1 ms under QEMU). */
uint64_t platform_memory_top(void)
{
	static uint64_t top;
	struct error err = {{0}};
	UINTN count, key, desc_size;
	if (top)
		return top;
	if (map_fetch(0, &count, &key, &desc_size, &err))
		log_fatal_error(&err);
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
	UINTN count = 0, key, desc_size, size;
	EFI_STATUS s;
	int attempt;

	if (uefi_handoff_prepare(err) || map_fetch(32, &count, &key, &desc_size, err))
		return -1;
	/* From the first ExitBootServices call on, ConOut and Exit() may be
	 * gone (7.4): messages go to COM1 and a failure halts. */
	uefi_boot_services_exited = 1;
	for (attempt = 1; attempt <= 8; attempt++) {
		s = attempt == 1 ? EFI_SUCCESS : map_read(&count, &key, &desc_size, &size);
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
