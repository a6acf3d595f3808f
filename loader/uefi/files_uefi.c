/* loader/uefi/files_uefi.c - files from the volume BOOTX64.EFI came from.
 *
 * LoadedImage -> DeviceHandle -> SimpleFileSystem -> OpenVolume (UEFI
 * 2.10 9.1, 13.4). Each file is read with one Read() into pages of the
 * type common/ asks for, so the final memory map tells kernel, modules
 * and loader data apart. Once disk_uefi.c reads the partition with our
 * own driver, files come from common/fat.c over it instead.
 *
 * A big kernel is not read by its blocks (a block list, as LILO read
 * its kernel), though mkimage knows where it put them: checking first
 * that the file still lies there (a copy onto the stick may have moved
 * it) took back most of what one BlockIo call saved, and a second way to
 * read the kernel must never load stale blocks (measured in
 * docs/BENCHMARKS.md, *OVMF's FAT driver*).
 */
#include <efi.h>

#include "config.h"
#include "fat.h"
#include "lib.h"
#include "platform.h"
#include "uefi.h"

static EFI_FILE_HANDLE root;
EFI_HANDLE uefi_boot_device;

int uefi_open_volume(struct error *err)
{
	EFI_GUID loaded_image_guid = LOADED_IMAGE_PROTOCOL;
	EFI_GUID fs_guid = SIMPLE_FILE_SYSTEM_PROTOCOL;
	EFI_LOADED_IMAGE *loaded;
	EFI_SIMPLE_FILE_SYSTEM_PROTOCOL *fs;
	EFI_STATUS s = uefi_bs->HandleProtocol(uefi_image, &loaded_image_guid, (void **)&loaded);
	if (EFI_ERROR(s))
		return error_set(err, "uefi: LoadedImage protocol: %s", uefi_status_text(s));
	uefi_boot_device = loaded->DeviceHandle;
	s = uefi_bs->HandleProtocol(uefi_boot_device, &fs_guid, (void **)&fs);
	if (EFI_ERROR(s))
		return error_set(err, "uefi: the boot device has no file system: %s",
		                 uefi_status_text(s));
	s = fs->OpenVolume(fs, &root);
	if (EFI_ERROR(s))
		return error_set(err, "uefi: OpenVolume failed: %s", uefi_status_text(s));
	return 0;
}

/* "/boot/kernel.elf" -> L"\\boot\\kernel.elf" */
static int to_efi_path(const char *path, CHAR16 *out, size_t max)
{
	size_t i;
	for (i = 0; path[i]; i++) {
		if (i + 1 >= max)
			return -1;
		out[i] = path[i] == '/' ? L'\\' : (CHAR16)(unsigned char)path[i];
	}
	out[i] = 0;
	return 0;
}

/* The file read last stays open: common/boot.c reads each file in two
 * calls in a row (a kernel's head, then the rest), and every Open walks
 * the path through the firmware's FAT driver (about 0.2 ms under QEMU).
 * Its size is asked of the firmware (GetInfo, another 0.1 ms) only when
 * no read has run into the end of the file yet: a read that does tells
 * it (a small config or kernel is read whole in one call). Any failure
 * closes it. */
static EFI_FILE_HANDLE last_file;
static char last_path[256];
static uint64_t last_size, last_position;
static int last_size_known;

/* Files done with are left open, not closed: a Close costs the firmware
 * about 0.1 ms under QEMU, and ExitBootServices ends every handle. Only a
 * boot going back to the firmware closes them (uefi_close_files). */
static EFI_FILE_HANDLE done_files[CONFIG_MODULES_MAX + 2];
static unsigned done_count;

static void forget_file(void)
{
	if (last_file)
		last_file->Close(last_file);
	last_file = NULL;
	last_path[0] = 0;
}

/* The file read last is done with: kept open while there is room. */
static void put_file_aside(void)
{
	if (last_file && done_count < ARRAY_SIZE(done_files)) {
		done_files[done_count++] = last_file;
		last_file = NULL;
	}
	forget_file();
}

void uefi_close_files(void)
{
	forget_file();
	while (done_count) {
		EFI_FILE_HANDLE file = done_files[--done_count];
		file->Close(file);
	}
}

static int open_file(const char *path, struct error *err)
{
	CHAR16 name[256];
	if (last_file && !strcmp(path, last_path))
		return 0;
	put_file_aside();
	if (strlen(path) >= sizeof(last_path) || to_efi_path(path, name, ARRAY_SIZE(name)))
		return error_set(err, "uefi: %s: path too long", path);
	EFI_STATUS s = root->Open(root, &last_file, name, EFI_FILE_MODE_READ, 0);
	if (EFI_ERROR(s)) {
		last_file = NULL;
		return error_set(err, "uefi: %s: Open failed: %s", path, uefi_status_text(s));
	}
	last_size_known = 0;
	last_position = 0;
	str_copy(last_path, path, sizeof(last_path));
	return 0;
}

/* The open file's size, and that it is a file, from GetInfo. */
static int stat_file(const char *path, struct error *err)
{
	EFI_GUID info_guid = EFI_FILE_INFO_ID;
	/* EFI_FILE_INFO ends in the file name: room for a long one. */
	UINT64 info_buf[(sizeof(EFI_FILE_INFO) + 512) / 8];
	UINTN info_size = sizeof(info_buf);
	EFI_STATUS s = last_file->GetInfo(last_file, &info_guid, &info_size, info_buf);
	if (EFI_ERROR(s)) {
		forget_file();
		return error_set(err, "uefi: %s: GetInfo failed: %s", path, uefi_status_text(s));
	}
	EFI_FILE_INFO *info = (EFI_FILE_INFO *)info_buf;
	if (info->Attribute & EFI_FILE_DIRECTORY) {
		forget_file();
		return error_set(err, "uefi: %s is a directory", path);
	}
	last_size = info->FileSize;
	last_size_known = 1;
	return 0;
}

/* Read on a directory returns one EFI_FILE_INFO (UEFI 2.10 13.5, Read()), whose
 * first field, its Size, is the count read: no config or ELF file starts
 * with its own length as a 64-bit number. Such bytes are checked with
 * GetInfo, which names the directory. */
static int may_be_directory(const void *bytes, uint64_t count)
{
	UINT64 first;
	if (count < SIZE_OF_EFI_FILE_INFO)
		return 0;
	memcpy(&first, bytes, sizeof(first));
	return first == count;
}

static int read_failed(const char *path, uint64_t done, uint64_t bytes, EFI_STATUS s,
                       struct error *err)
{
	forget_file();
	return error_set(err, "uefi: %s: Read failed after %llu of %llu bytes: %s", path,
	                 (unsigned long long)done, (unsigned long long)bytes,
	                 s == EFI_END_OF_FILE ? "end of file" : uefi_status_text(s));
}

/* Through the firmware's file system, 16 KiB. edk2's FAT driver reads
 * through a cache of 64 KiB blocks, and the kernel's first cluster follows
 * this loader's last (tools/mkimage/fatfs.c), so its first bytes share a
 * block the firmware cached when it loaded us, as far as the block goes:
 * 40 KiB in mkimage's 4 KiB clusters, 48 KiB in its 16 KiB ones. A first
 * read that stays inside costs no disk request; the 60 KiB one reached
 * into the next block for a big kernel's headers, a request of its own
 * (0.23 ms on virtio-blk under QEMU, 0.55 ms on USB) for bytes the read of
 * the rest, one big request, would have brought along. A kernel's headers
 * fit in 16 KiB with room; a kernel of more takes a second read, from the
 * cache as far as it reaches. Through our own IDE driver (disk_uefi.c),
 * with no cache, the BIOS loader's 60 KiB. */
uint32_t platform_kernel_head_bytes(void)
{
	return uefi_disk_volume(0) ? KERNEL_HEAD_MAX : 16u << 10;
}

int platform_read_file(const char *path, uint64_t offset, void *dest, uint64_t len, uint64_t *size,
                       struct error *err)
{
	struct fat_volume *volume = uefi_disk_volume(len);
	if (volume)
		return fat_read_file(volume, path, offset, dest, len, size, err);
	if (open_file(path, err) || (!len && !last_size_known && stat_file(path, err)))
		return -1;
	EFI_FILE_HANDLE file = last_file;
	uint64_t left = !last_size_known ? len : offset < last_size ? last_size - offset : 0;
	uint64_t bytes = len < left ? len : left;
	if (!bytes) {
		*size = last_size;
		return 0;
	}
	/* Reads in a row (a kernel's head, then the rest) go on from where
	 * the last one stopped. */
	EFI_STATUS s = offset == last_position ? EFI_SUCCESS : file->SetPosition(file, offset);
	if (EFI_ERROR(s)) {
		forget_file();
		return error_set(err, "uefi: %s: SetPosition(%llu) failed: %s", path,
		                 (unsigned long long)offset, uefi_status_text(s));
	}
	/* One Read for all of it. A file's read stops short only at its end
	 * (UEFI 2.10 13.5, Read()), which tells a size not known yet; short of a
	 * known size, read on (some firmwares return less of a big read). */
	uint64_t done = 0;
	while (done < bytes) {
		UINTN chunk = bytes - done;
		s = file->Read(file, &chunk, (uint8_t *)dest + done);
		if (EFI_ERROR(s) || chunk > bytes - done)
			return read_failed(path, done, bytes,
			                   EFI_ERROR(s) ? s : EFI_BAD_BUFFER_SIZE, err);
		done += chunk;
		if (!chunk || !last_size_known)
			break;
	}
	/* Short: the read ran into the end, which is the size, unless the
	 * bytes may be a directory's; GetInfo then tells, and its size stands. */
	if (done < bytes && !last_size_known) {
		if (may_be_directory(dest, done)) {
			if (stat_file(path, err))
				return -1;
		} else {
			last_size = offset + done;
			last_size_known = 1;
		}
	}
	if (done < bytes && offset + done < last_size)
		return read_failed(path, done, bytes, EFI_END_OF_FILE, err);
	last_position = offset + done;
	/* A read that filled the buffer leaves the size to ask. */
	if (!last_size_known && stat_file(path, err))
		return -1;
	*size = last_size;
	return 0;
}
