/* tests/bench/rawread_efi.c - the UEFI floor and raw read speed: an EFI
 * application that reads `bench_bytes` from block `lba` of the partition
 * it was loaded from (the ESP; there, the kernel file's first block: the
 * same bytes the loader reads) with one BlockIo ReadBlocks (UEFI 2.10
 * 13.9), writes one line on COM1 and ends
 * QEMU through isa-debug-exit. With 0 bytes it is the firmware floor.
 * With exit_boot_services set it first leaves boot services the way every
 * OS loader must (GetMemoryMap, ExitBootServices): the part of a loader's
 * time that is the firmware's own work. After its line it writes the TSC
 * ticks the read took ("bench: ticks <hex>"), which bench.py sets against
 * the bench kernel's figure for twinboot's loading. bench.py patches the
 * fields in the .efi, found after the marker.
 */
#include <efi.h>

#include "com1.h"
#include "cpu.h"

/* "TBBENCHN", the byte count, 1 to exit boot services, then the first
 * block; little-endian. */
volatile struct {
	char marker[8];
	UINT64 bytes;
	UINT64 exit_boot_services;
	UINT64 lba;
} bench_bytes = {{'T', 'B', 'B', 'E', 'N', 'C', 'H', 'N'}, 0, 0, 0};

/* UEFI 2.10 7.4: the key of the latest map; retried if an event changed it. */
static int exit_boot_services(EFI_HANDLE image, EFI_BOOT_SERVICES *bs)
{
	static UINT8 map[1 << 16];
	for (int attempt = 0; attempt < 8; attempt++) {
		UINTN size = sizeof(map), key, desc_size;
		UINT32 version;
		if (EFI_ERROR(bs->GetMemoryMap(&size, (EFI_MEMORY_DESCRIPTOR *)map, &key,
		                               &desc_size, &version)))
			return 0;
		if (!EFI_ERROR(bs->ExitBootServices(image, key)))
			return 1;
	}
	return 0;
}

EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *st);

EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	EFI_GUID loaded_guid = LOADED_IMAGE_PROTOCOL;
	EFI_GUID blockio_guid = BLOCK_IO_PROTOCOL;
	EFI_BOOT_SERVICES *bs = st->BootServices;
	EFI_LOADED_IMAGE *loaded;
	EFI_BLOCK_IO *bio;
	UINT64 bytes = bench_bytes.bytes, ticks = 0;
	int ok = 1;

	if (bytes) {
		EFI_PHYSICAL_ADDRESS buf = 0;
		UINTN block;
		ok = !EFI_ERROR(bs->HandleProtocol(image, &loaded_guid, (void **)&loaded)) &&
		     !EFI_ERROR(
		         bs->HandleProtocol(loaded->DeviceHandle, &blockio_guid, (void **)&bio));
		if (ok) {
			block = bio->Media->BlockSize;
			bytes = (bytes + block - 1) / block * block;
			ok = !EFI_ERROR(bs->AllocatePages(AllocateAnyPages, EfiLoaderData,
			                                  (bytes + 4095) / 4096, &buf));
			ticks = rdtsc();
			ok = ok && !EFI_ERROR(bio->ReadBlocks(bio, bio->Media->MediaId,
			                                      bench_bytes.lba, bytes, (void *)buf));
			ticks = rdtsc() - ticks;
		}
	}
	if (ok && bench_bytes.exit_boot_services)
		ok = exit_boot_services(image, bs);
	puts_com1(ok ? "bench: raw read done\n" : "bench: raw read failed\n");
	puts_com1("bench: ticks ");
	puthex_com1(ticks);
	puts_com1("\n");
	outb(0xf4, ok ? 0x10 : 0x11);
	for (;;)
		__asm__ volatile("cli; hlt");
}
