/* loader/uefi/disk_uefi.c - the boot partition read by twinboot's own IDE
 * or AHCI driver (common/ata_dma.c, common/ahci_disk.c) instead of the
 * firmware's.
 *
 * Why: edk2's IDE driver (OVMF on QEMU's pc machine; edk2 builds on
 * controllers in IDE mode) stalls 10 ms after every DMA command and moves
 * at most 128 KiB per command, so 1 MiB costs at least 80 ms; bus-master
 * DMA of our own moves 32 MiB per command with no stall
 * (docs/BENCHMARKS.md). GRUB's `nativedisk` exists for the same reason.
 *
 * When the config allows it (disk=native, the default), platform_native_disk
 * reads the boot partition's device path (UEFI 2.10 10.3):
 *   PciRoot(..)/Pci(..)/Ata(channel, device, lun)/HD(n, GPT, .., start, size)
 * When it names an ATA disk right on a PCI IDE controller, common/fat.c
 * over the driver must read the config file exactly as common/boot.c got it
 * through the firmware (comparing against those bytes costs no firmware
 * read; reading a sector through DiskIo again would cost the 10 ms stall);
 * from then on every file is read that way, as the BIOS loader does
 * (files_uefi.c asks uefi_disk_volume()). Each command runs at
 * TPL_NOTIFY, so no firmware event drives the channel meanwhile, and leaves
 * the channel as the firmware's driver expects it. A failed command hands
 * the rest of the boot to DiskIo.
 *
 * The same for a path ending in Sata(port, 0xffff, 0) on a PCI AHCI
 * controller, with common/ahci_disk.c, which starts and stops the port
 * around its commands as edk2's driver does. edk2's AHCI driver is slow
 * only in bulk (QEMU q35, TCG: 64 MiB in 177 ms from BOOTX64.EFI's start,
 * ours 40 ms; 16 MiB 50 ms and 14 ms; a 1 MiB kernel 6.8 ms and 7.1 ms,
 * medians of 5 boots with the switch made at 256 KiB to time it), while
 * mounting over our driver costs a tiny kernel's boot 2.7 ms: so the port
 * is taken at the first read of NATIVE_MIN_BYTES or more, not at once.
 *
 * Every other device path (NVMe, virtio, USB) keeps the firmware's file
 * system driver. common/fat.c over
 * DiskIo there was tried: edk2's FAT driver walks a chain at about 0.4 us
 * a cluster under QEMU, so a 64 MiB kernel on virtio-blk came 2 ms
 * sooner, but every boot paid 1.7 ms (virtio-blk) to 2.2 ms (USB) for
 * reading the boot sector, directories and FAT again, which the firmware's
 * driver has cached since it loaded BOOTX64.EFI; on a real USB stick each
 * of those reads is a round trip of its own. Taking that way for a big
 * kernel's bulk alone, its small reads in one read-ahead request, still
 * had 64 MiB in memory 1.9 ms later than the firmware's driver did: our
 * code runs for the first time, the firmware's has run (docs/BENCHMARKS.md).
 */
#include <efi.h>

#include "ahci.h"
#include "ahci_disk.h"
#include "ata_dma.h"
#include "config.h"
#include "disk.h"
#include "fat.h"
#include "lib.h"
#include "log.h"
#include "platform.h"
#include "uefi.h"

/* Bytes of the config compared before the driver is trusted. */
#define CHECK_BYTES 1024u

/* UEFI 2.10 10.3.4.1, 10.3.4.18 and 10.3.5.1: the ATAPI and SATA
 * messaging nodes (4 + 4 and 4 + 6 bytes) and the hard-drive media node
 * (42 bytes, fields unaligned). */
#define ATA_NODE_BYTES 8u
#define SATA_NODE_BYTES 10u
#define SATA_DIRECT 0xffffu /* PortMultiplierPortNumber: no multiplier */
#define HD_NODE_BYTES 42u
#define HD_START 8u /* PartitionStart, in the disk's blocks */
#define HD_SIZE 16u /* PartitionSize */

/* Who reads the partition: the firmware's DiskIo, or one of our drivers. */
enum disk_driver { BY_FIRMWARE, BY_ATA, BY_AHCI };

struct boot_partition {
	EFI_DISK_IO *disk_io; /* the firmware's way in, relative to the partition */
	UINT32 media_id;
	uint64_t first_lba, sectors; /* where the partition is on the disk */
	enum disk_driver by;
	struct ata_dma ata;
	struct ahci_disk ahci;
	int mounted;
	struct disk disk; /* whole-disk LBAs, as common/fat.c expects */
	struct fat_volume volume;
};

static struct boot_partition part;
static uint8_t by_native[CHECK_BYTES];

/* An AHCI port is taken at the first read of this many bytes, not at
 * once: edk2's AHCI driver reads small files from its cache as fast as
 * ours would, and mounting the partition over our driver and checking the
 * config cost a tiny kernel's boot 2.7 ms (OVMF, q35, TCG); at 1 MiB the
 * two are alike, beyond it ours is the faster (64 MiB in 40 ms against
 * 177 ms). */
#define NATIVE_MIN_BYTES (1u << 20)

/* Which driver the device path calls for, and where its disk is. */
struct native_target {
	enum disk_driver by; /* BY_ATA or BY_AHCI; BY_FIRMWARE: none */
	struct ata_location ata;
	struct pci_location pci;
	unsigned port;
};

/* An AHCI port waiting for a big read, and the config's first bytes as
 * the firmware read them (their buffer is the kernel's head by then). */
static struct native_target waiting;
static uint8_t config_copy[CHECK_BYTES];
static uint64_t config_copy_size;

static int firmware_read(uint64_t lba, uint32_t count, void *buf, struct error *err)
{
	if (lba < part.first_lba || lba - part.first_lba + count > part.sectors)
		return error_set(err, "disk: LBA 0x%llx is outside the boot partition",
		                 (unsigned long long)lba);
	EFI_STATUS s = part.disk_io->ReadDisk(part.disk_io, part.media_id,
	                                      (lba - part.first_lba) * DISK_SECTOR_SIZE,
	                                      (UINTN)count * DISK_SECTOR_SIZE, buf);
	if (EFI_ERROR(s))
		return error_set(err, "disk: read of %u sectors at LBA 0x%llx failed: %s",
		                 (unsigned)count, (unsigned long long)lba, uefi_status_text(s));
	return 0;
}

/* One read by our driver, no firmware event driving the controller
 * meanwhile. */
static int native_read(uint64_t lba, uint32_t count, void *buf, struct error *err)
{
	EFI_TPL old = uefi_bs->RaiseTPL(TPL_NOTIFY);
	int failed;
	if (part.by == BY_AHCI) {
		failed = ahci_disk_read(&part.ahci, lba, count, buf, err);
	} else {
		failed = ata_dma_read(&part.ata, lba, count, buf, err);
		if (!failed) /* a failure has reset and released the channel */
			ata_dma_release(&part.ata);
	}
	uefi_bs->RestoreTPL(old);
	return failed;
}

static int disk_uefi_read(struct disk *disk, uint64_t lba, uint32_t count, void *buf,
                          struct error *err)
{
	(void)disk;
	/* Pages above 4 GiB (machines with much memory), which both
	 * drivers leave out of reach: those reads alone go through the
	 * firmware. */
	if (part.by != BY_FIRMWARE && !((uintptr_t)buf & 1) &&
	    ata_dma_reaches(buf, (uint64_t)count * DISK_SECTOR_SIZE)) {
		struct error e = {{0}};
		if (!native_read(lba, count, buf, &e))
			return 0;
		log_info("disk: %s; reading by the firmware from here on", e.msg);
		part.by = BY_FIRMWARE;
	}
	return firmware_read(lba, count, buf, err);
}

static uint64_t node_u64(const EFI_DEVICE_PATH *node, unsigned offset)
{
	uint64_t v;
	memcpy(&v, (const uint8_t *)node + offset, sizeof(v));
	return v;
}

/* Where the boot partition is: the controller's PCI function and the IDE
 * channel and device, or the AHCI port, from the device path; the extent
 * from its HD node; the firmware's DiskIo on it. Returns 0, or -1 with
 * err saying why the path is not one our drivers can take. */
static int locate(EFI_HANDLE device, struct native_target *t, struct error *err)
{
	EFI_GUID path_guid = DEVICE_PATH_PROTOCOL, pci_guid = EFI_PCI_IO_PROTOCOL_GUID,
	         disk_io_guid = DISK_IO_PROTOCOL, block_io_guid = BLOCK_IO_PROTOCOL;
	EFI_DEVICE_PATH *path, *rest;
	EFI_STATUS s = uefi_bs->HandleProtocol(device, &path_guid, (void **)&path);
	if (EFI_ERROR(s))
		return error_set(err, "the boot volume has no device path");
	const EFI_DEVICE_PATH *ata = NULL, *sata = NULL, *hd = NULL;
	for (const EFI_DEVICE_PATH *node = path; !IsDevicePathEnd(node);
	     node = NextDevicePathNode(node)) {
		unsigned len = DevicePathNodeLength(node);
		if (len < 4)
			return error_set(err, "the boot volume's device path is malformed");
		if (DevicePathType(node) == MESSAGING_DEVICE_PATH &&
		    DevicePathSubType(node) == MSG_ATAPI_DP && len >= ATA_NODE_BYTES)
			ata = node;
		else if (DevicePathType(node) == MESSAGING_DEVICE_PATH &&
		         DevicePathSubType(node) == MSG_SATA_DP && len >= SATA_NODE_BYTES)
			sata = node;
		else if (DevicePathType(node) == MEDIA_DEVICE_PATH &&
		         DevicePathSubType(node) == MEDIA_HARDDRIVE_DP && len >= HD_NODE_BYTES)
			hd = node;
	}
	const EFI_DEVICE_PATH *disk = ata ? ata : sata;
	if (!disk)
		return error_set(err,
		                 "the boot disk is on neither an IDE channel nor an AHCI port");
	if (!hd)
		return error_set(err, "the boot volume is not a partition");

	/* The controller: the deepest handle on the path with PciIo, which
	 * must be the node right before the Ata or Sata one (no bridge chip
	 * or RAID layer in between). */
	EFI_HANDLE controller;
	EFI_PCI_IO *pci_io;
	rest = path;
	if (EFI_ERROR(uefi_bs->LocateDevicePath(&pci_guid, &rest, &controller)) ||
	    (const EFI_DEVICE_PATH *)rest != disk ||
	    EFI_ERROR(uefi_bs->HandleProtocol(controller, &pci_guid, (void **)&pci_io)))
		return error_set(err, "the disk's controller is not a PCI function of its own");
	UINTN segment, bus, dev, fn;
	s = pci_io->GetLocation(pci_io, &segment, &bus, &dev, &fn);
	if (EFI_ERROR(s) || segment || bus > 0xff || dev > 31 || fn > 7)
		return error_set(err, "the disk controller's PCI address is out of reach");
	t->pci = (struct pci_location){(uint8_t)bus, (uint8_t)dev, (uint8_t)fn};

	if (sata) {
		const SATA_DEVICE_PATH *st = (const SATA_DEVICE_PATH *)sata;
		if (st->PortMultiplierPortNumber != SATA_DIRECT || st->Lun ||
		    st->HBAPortNumber >= AHCI_MAX_PORTS)
			return error_set(err, "Sata(%u,%u,%u) is no disk right on an AHCI port",
			                 st->HBAPortNumber, st->PortMultiplierPortNumber, st->Lun);
		t->by = BY_AHCI;
		t->port = st->HBAPortNumber;
	} else {
		const ATAPI_DEVICE_PATH *at = (const ATAPI_DEVICE_PATH *)ata;
		if (at->PrimarySecondary > 1 || at->SlaveMaster > 1 || at->Lun)
			return error_set(err, "Ata(%u,%u,%u) is no IDE device",
			                 at->PrimarySecondary, at->SlaveMaster, at->Lun);
		t->by = BY_ATA;
		t->ata = (struct ata_location){.pci_bus = t->pci.bus,
		                               .pci_dev = t->pci.dev,
		                               .pci_fn = t->pci.fn,
		                               .slave = at->SlaveMaster};
		if (ata_channel_ports(&t->pci, at->PrimarySecondary, &t->ata.command_base,
		                      &t->ata.control_port, err))
			return -1;
	}

	EFI_BLOCK_IO *block_io;
	if (EFI_ERROR(uefi_bs->HandleProtocol(device, &block_io_guid, (void **)&block_io)) ||
	    EFI_ERROR(uefi_bs->HandleProtocol(device, &disk_io_guid, (void **)&part.disk_io)))
		return error_set(err, "the boot volume has no BlockIo or DiskIo");
	if (block_io->Media->BlockSize != DISK_SECTOR_SIZE)
		return error_set(err, "the boot disk has %u-byte blocks, not 512",
		                 (unsigned)block_io->Media->BlockSize);
	part.media_id = block_io->Media->MediaId;
	part.first_lba = node_u64(hd, HD_START);
	part.sectors = node_u64(hd, HD_SIZE);
	if (!part.sectors)
		return error_set(err, "the boot partition is empty");
	return 0;
}

/* The driver opened and the partition mounted over it, then the config
 * file read through it and compared with the firmware's bytes: a wrong
 * channel, device or partition start, or a FAT reader that sees the
 * volume otherwise, shows here. */
static int open_and_check(const struct native_target *t, const uint8_t *config_file,
                          uint64_t config_size, struct error *err)
{
	EFI_TPL old = uefi_bs->RaiseTPL(TPL_NOTIFY);
	int failed = t->by == BY_AHCI ? ahci_disk_open(&part.ahci, &t->pci, t->port, err)
	                              : ata_dma_open(&part.ata, &t->ata, err);
	uefi_bs->RestoreTPL(old);
	if (failed)
		return -1;
	part.by = t->by;
	/* common/fat.c sees the disk whole, the partition at its place. */
	part.disk.sectors = part.first_lba + part.sectors;
	uint64_t size_native;
	if (fat_mount(&part.volume, &part.disk, part.first_lba, part.sectors, err) ||
	    fat_read_file(&part.volume, CONFIG_PATH, 0, by_native, CHECK_BYTES, &size_native, err))
		return -1;
	if (part.by == BY_FIRMWARE) /* a command failed and DiskIo read instead */
		return error_set(err, "disk: our driver failed while checking");
	if (size_native != config_size ||
	    memcmp(by_native, config_file, size_native < CHECK_BYTES ? size_native : CHECK_BYTES))
		return error_set(err, "disk: %s reads differently by our driver and the firmware's",
		                 CONFIG_PATH);
	return 0;
}

/* Open the driver, check it and say so; on failure the firmware reads on,
 * and says why when verbose. */
static void take_over(const struct native_target *t, const void *config_file, uint64_t config_size)
{
	struct error err = {{0}};
	if (open_and_check(t, config_file, config_size, &err)) {
		part.by = BY_FIRMWARE;
		log_verbose("disk: reading by the firmware (%s)", err.msg);
		return;
	}
	char where[80];
	if (part.by == BY_AHCI)
		ahci_disk_describe(&part.ahci, where, sizeof(where));
	else
		ata_dma_describe(&part.ata, where, sizeof(where));
	log_verbose("disk: reading by %s (%s)", part.by == BY_AHCI ? "AHCI" : "bus-master DMA",
	            where);
	part.mounted = 1;
}

void platform_native_disk(int allowed, const void *config_file, uint64_t config_size)
{
	struct error err = {{0}};
	/* Why the firmware keeps reading matters only to a verbose boot: not
	 * formatted otherwise, which under QEMU costs 0.1 ms on every boot
	 * from a disk that is neither IDE nor AHCI. */
	struct error *why = log_verbose_enabled ? &err : NULL;
	struct native_target target;
	part.disk = (struct disk){.read = disk_uefi_read, .ctx = &part};
	part.by = BY_FIRMWARE;
	if (!allowed)
		error_set(why, "disk=firmware in the config");
	else if (!locate(uefi_boot_device, &target, why)) {
		if (target.by == BY_ATA) {
			take_over(&target, config_file, config_size);
			return;
		}
		waiting = target;
		config_copy_size = config_size;
		memcpy(config_copy, config_file,
		       config_size < CHECK_BYTES ? config_size : CHECK_BYTES);
		log_verbose(
		    "disk: reading by the firmware, by AHCI from the first read of 1 MiB on");
		return;
	}
	log_verbose("disk: reading by the firmware (%s)", err.msg);
}

struct fat_volume *uefi_disk_volume(uint64_t bytes)
{
	if (!part.mounted && waiting.by != BY_FIRMWARE && bytes >= NATIVE_MIN_BYTES) {
		struct native_target t = waiting;
		waiting.by = BY_FIRMWARE; /* one try */
		take_over(&t, config_copy, config_copy_size);
	}
	return part.mounted ? &part.volume : NULL;
}
