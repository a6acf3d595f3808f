/* tests/bench/rawread_efi.c - the UEFI floor and raw read speed: an EFI
 * application that reads `bench_bytes` from the start of the partition it
 * was loaded from (the ESP: the same bytes the loader reads) with one
 * BlockIo ReadBlocks (UEFI 2.10 13.9), writes one line on COM1 and ends
 * QEMU through isa-debug-exit. With 0 bytes it is the firmware floor.
 * bench.py patches bench_bytes in the .efi, found after its marker.
 */
#include <efi.h>

static inline void outb(UINT16 port, UINT8 v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static void puts_com1(const char *s)
{
	for (; *s; s++)
		outb(0x3f8, (UINT8)*s);
}

/* "TBBENCHN" then the byte count, little-endian. */
volatile struct {
	char marker[8];
	UINT64 bytes;
} bench_bytes = {{'T', 'B', 'B', 'E', 'N', 'C', 'H', 'N'}, 0};

EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *st);

EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	EFI_GUID loaded_guid = LOADED_IMAGE_PROTOCOL;
	EFI_GUID blockio_guid = BLOCK_IO_PROTOCOL;
	EFI_BOOT_SERVICES *bs = st->BootServices;
	EFI_LOADED_IMAGE *loaded;
	EFI_BLOCK_IO *bio;
	UINT64 bytes = bench_bytes.bytes;
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
			                                  (bytes + 4095) / 4096, &buf)) &&
			     !EFI_ERROR(
			         bio->ReadBlocks(bio, bio->Media->MediaId, 0, bytes, (void *)buf));
		}
	}
	puts_com1(ok ? "bench: raw read done\n" : "bench: raw read failed\n");
	outb(0xf4, ok ? 0x10 : 0x11);
	for (;;)
		__asm__ volatile("cli; hlt");
}
