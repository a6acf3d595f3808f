/* common/virtio_blk.h - the pure parts of the BIOS loader's native
 * virtio-blk path (loader/bios/virtio_disk.c): whether a PCI function is a
 * modern virtio block device whose registers stage 2 can reach, read from
 * a copy of its configuration space; the split virtqueue's layout; the
 * three-descriptor read request; the status byte. No port or MMIO access
 * here, so the host tests them.
 *
 * Why a native path at all: SeaBIOS reads a virtio disk through a 64 KiB
 * bounce buffer below 1 MiB, one INT 13h call at a time; the device itself
 * can write megabytes straight to where the kernel goes in one request.
 *
 * Why everything that decides is here: taking the device over means a
 * reset, after which SeaBIOS (whose queue 0 it is) can no longer read the
 * disk, so there is no going back to INT 13h. The checks must all be made
 * before, and be right. Reference: VIRTIO 1.1, sections 2.6 (split
 * virtqueues), 4.1.4 (virtio over PCI) and 5.2 (block device).
 */
#ifndef TWINBOOT_VIRTIO_BLK_H
#define TWINBOOT_VIRTIO_BLK_H

#include <stdint.h>

#include "error.h"

#define VIRTIO_PCI_VENDOR 0x1af4u
#define VIRTIO_PCI_BLK_TRANSITIONAL 0x1001u
#define VIRTIO_PCI_BLK_MODERN 0x1042u

/* Where the three register blocks we use are, as physical addresses
 * below 4 GiB (stage 2 runs unpaged in 32-bit mode). */
struct virtio_pci_regs {
	uint32_t common;            /* struct virtio_pci_common_cfg */
	uint32_t notify;            /* queue notifications, from here */
	uint32_t notify_multiplier; /* times a queue's queue_notify_off */
	uint32_t notify_length;     /* bytes from `notify` */
	uint32_t device;            /* struct virtio_blk_config */
};

/* From the function's 256-byte configuration space (as read, little-endian):
 * check that it is virtio-blk (0x1af4: 0x1001 or 0x1042) with memory
 * decoding on, find its common, notify and device configuration
 * capabilities (4.1.4) and resolve them to addresses in memory BARs below
 * 4 GiB, each long enough for what we access. Returns 0, or -1 with err
 * saying why not ("virtio: notify capability is in BAR 4 at 0x100000000,
 * above 4 GiB"). */
int virtio_pci_find_regs(const uint8_t cfg[256], struct virtio_pci_regs *regs, struct error *err);

/* Where to write queue notifications for the queue whose
 * queue_notify_off is `queue_notify_off` (4.1.4.4): 0, or -1 with err when
 * that is past the notify area. */
int virtio_notify_address(const struct virtio_pci_regs *regs, uint16_t queue_notify_off,
                          uint32_t *address, struct error *err);

/* Common configuration offsets (4.1.4.3), the registers we use. */
#define VIRTIO_COMMON_DFSELECT 0x00
#define VIRTIO_COMMON_DF 0x04
#define VIRTIO_COMMON_GFSELECT 0x08
#define VIRTIO_COMMON_GF 0x0c
#define VIRTIO_COMMON_STATUS 0x14
#define VIRTIO_COMMON_Q_SELECT 0x16
#define VIRTIO_COMMON_Q_SIZE 0x18
#define VIRTIO_COMMON_Q_ENABLE 0x1c
#define VIRTIO_COMMON_Q_NOFF 0x1e
#define VIRTIO_COMMON_Q_DESCLO 0x20
#define VIRTIO_COMMON_Q_DESCHI 0x24
#define VIRTIO_COMMON_Q_AVAILLO 0x28
#define VIRTIO_COMMON_Q_AVAILHI 0x2c
#define VIRTIO_COMMON_Q_USEDLO 0x30
#define VIRTIO_COMMON_Q_USEDHI 0x34
#define VIRTIO_COMMON_SIZE 0x38

/* Device status bits (2.1). */
#define VIRTIO_STATUS_ACKNOWLEDGE 1u
#define VIRTIO_STATUS_DRIVER 2u
#define VIRTIO_STATUS_DRIVER_OK 4u
#define VIRTIO_STATUS_FEATURES_OK 8u

/* VIRTIO_F_VERSION_1, feature bit 32: bit 0 of the second feature word.
 * The only feature we accept: reads need none of the block ones. */
#define VIRTIO_F_VERSION_1_HI 1u

/* virtio_blk_config.capacity, in 512-byte sectors (5.2.4). */
#define VIRTIO_BLK_CAPACITY 0x00

/* Decide, from what the device says before we touch it, whether to take
 * it over: it must offer VERSION_1 (device features 32..63 in
 * `features_hi`) and hold as many sectors as the BIOS says the boot drive
 * has (`bios_sectors`, 0 when AH=48h gave none: then the first sectors'
 * comparison is the only check). Returns 0, or -1 with err. */
int virtio_blk_check_device(uint32_t features_hi, uint64_t capacity, uint64_t bios_sectors,
                            struct error *err);

/* A split virtqueue's descriptor (2.6.5). */
struct virtq_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};
_Static_assert(sizeof(struct virtq_desc) == 16, "VIRTIO 2.6.5: 16-byte descriptors");
#define VIRTQ_DESC_F_NEXT 1u
#define VIRTQ_DESC_F_WRITE 2u
#define VIRTQ_AVAIL_F_NO_INTERRUPT 1u

/* The three parts of a queue of `size` entries laid out in one block, as
 * byte offsets from the descriptor table (which needs 16-byte alignment):
 * the driver (available) ring, 2-aligned, and the device (used) ring,
 * 4-aligned (2.6). */
struct virtq_layout {
	uint32_t avail, used, bytes;
};

/* The queue size to use: the largest power of two (split queues need
 * one) at most both the device's maximum and `want`. 0 when the device's
 * maximum is 0 (no such queue) or `want` is. */
uint16_t virtq_pick_size(uint16_t device_max, uint16_t want);
void virtq_layout(uint16_t size, struct virtq_layout *layout);

/* The request header of 5.2.6; VIRTIO_BLK_T_IN reads. */
struct virtio_blk_req {
	uint32_t type;
	uint32_t reserved;
	uint64_t sector;
};
#define VIRTIO_BLK_T_IN 0u
#define VIRTIO_BLK_S_OK 0u

/* The most one request reads: 4 MiB in one data descriptor, which QEMU
 * maps in one piece (no SEG_MAX or SIZE_MAX negotiated, so the device
 * takes any length; 64 MiB is 16 requests). */
#define VIRTIO_BLK_MAX_SECTORS 8192u

/* A read as descriptors 0, 1, 2: the header (device-readable) at
 * `header`, `bytes` of data to `data` and the status byte at `status`
 * (both device-writable), chained. */
void virtio_blk_read_chain(struct virtq_desc desc[3], uint32_t header, uint32_t data,
                           uint32_t bytes, uint32_t status);

/* The request's outcome: 0 for VIRTIO_BLK_S_OK, else -1 with err naming
 * the LBA, count and status ("disk: virtio-blk read of 8 sectors at LBA
 * 0x800 failed: status 0x01 (I/O error)"). */
int virtio_blk_status(uint8_t status, uint64_t lba, uint32_t count, struct error *err);

#endif
