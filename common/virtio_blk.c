/* common/virtio_blk.c - virtio-blk over PCI, the decisions and the data
 * structures (virtio_blk.h). References: VIRTIO 1.1, 4.1.4 (the vendor
 * capabilities that place the register blocks in BARs), 2.6 (split
 * virtqueues), 5.2.6 (block requests); PCI 3.0, 6.2 (the configuration
 * header and capability list) and 6.2.5 (BARs).
 */
#include <stddef.h>
#include <stdint.h>

#include "virtio_blk.h"
#include "lib.h"
#include "pci.h"

/* PCI configuration header offsets. */
#define PCI_VENDOR 0x00
#define PCI_DEVICE 0x02
#define PCI_STATUS 0x06
#define PCI_BAR0 0x10
#define PCI_CAP_PTR 0x34
#define PCI_STATUS_CAP_LIST 0x0010u
#define PCI_CAP_VENDOR 0x09
/* 192 bytes after the header hold at most 48 capabilities: a bound on a
 * list that loops. */
#define PCI_MAX_CAPS 48

/* struct virtio_pci_cap (4.1.4) offsets, and the notify capability's
 * multiplier after it. */
#define CAP_LEN 2
#define CAP_TYPE 3
#define CAP_BAR 4
#define CAP_OFFSET 8
#define CAP_LENGTH 12
#define CAP_NOTIFY_MULTIPLIER 16
#define CAP_SIZE 16
#define CAP_NOTIFY_SIZE 20
#define VIRTIO_CAP_COMMON 1
#define VIRTIO_CAP_NOTIFY 2
#define VIRTIO_CAP_DEVICE 4

static const char *const cap_names[] = {"", "common", "notify", "", "device"};

/* The physical address of `len` bytes at `offset` in BAR `bar`, which
 * must be an assigned memory BAR that puts them below 4 GiB. */
static int region(const uint8_t *cfg, unsigned type, unsigned bar, uint32_t offset, uint32_t len,
                  uint32_t need, uint32_t *address, struct error *err)
{
	const char *name = cap_names[type];
	uint32_t v = le32(cfg + PCI_BAR0 + 4 * bar);
	if (len < need)
		return error_set(err, "virtio: %s capability is %u bytes, under %u", name,
		                 (unsigned)len, (unsigned)need);
	if (v & 1)
		return error_set(err, "virtio: %s capability is in I/O BAR %u", name, bar);
	uint64_t base = v & ~0xfu;
	if (((v >> 1) & 3) == 2) { /* 64-bit: the next BAR holds the high half */
		if (bar == 5)
			return error_set(err, "virtio: 64-bit BAR 5");
		base |= (uint64_t)le32(cfg + PCI_BAR0 + 4 * (bar + 1)) << 32;
	}
	if (!base)
		return error_set(err, "virtio: BAR %u of the %s capability is unassigned", bar,
		                 name);
	uint64_t at = base + offset;
	if (at + len > 0x100000000ull)
		return error_set(err, "virtio: %s capability is in BAR %u at 0x%llx, above 4 GiB",
		                 name, bar, (unsigned long long)at);
	*address = (uint32_t)at;
	return 0;
}

int virtio_pci_find_regs(const uint8_t cfg[256], struct virtio_pci_regs *regs, struct error *err)
{
	uint16_t vendor = le16(cfg + PCI_VENDOR), device = le16(cfg + PCI_DEVICE);
	if (vendor != VIRTIO_PCI_VENDOR ||
	    (device != VIRTIO_PCI_BLK_TRANSITIONAL && device != VIRTIO_PCI_BLK_MODERN))
		return error_set(err, "virtio: PCI function is %04x:%04x, not virtio-blk", vendor,
		                 device);
	if (!(le16(cfg + PCI_COMMAND) & PCI_COMMAND_MEMORY))
		return error_set(err, "virtio: memory decoding is off");
	if (!(le16(cfg + PCI_STATUS) & PCI_STATUS_CAP_LIST))
		return error_set(err, "virtio: no capability list (a legacy-only device)");

	/* The first capability of each type: the device lists them in the
	 * order it prefers (4.1.4). `found` has bit `type` set once seen. */
	unsigned found = 0;
	unsigned at = cfg[PCI_CAP_PTR] & 0xfcu;
	for (int n = 0; at && n < PCI_MAX_CAPS; n++, at = cfg[at + 1] & 0xfcu) {
		if (at < 0x40 || at > 256 - CAP_NOTIFY_SIZE)
			return error_set(err, "virtio: capability pointer 0x%02x is out of range",
			                 at);
		const uint8_t *cap = cfg + at;
		unsigned type = cap[CAP_TYPE], bar = cap[CAP_BAR];
		if (cap[0] != PCI_CAP_VENDOR || cap[CAP_LEN] < CAP_SIZE || bar > 5 ||
		    (type != VIRTIO_CAP_COMMON && type != VIRTIO_CAP_NOTIFY &&
		     type != VIRTIO_CAP_DEVICE) ||
		    (found & 1u << type))
			continue;
		uint32_t *address = type == VIRTIO_CAP_COMMON   ? &regs->common
		                    : type == VIRTIO_CAP_NOTIFY ? &regs->notify
		                                                : &regs->device;
		uint32_t need = type == VIRTIO_CAP_COMMON   ? VIRTIO_COMMON_SIZE
		                : type == VIRTIO_CAP_NOTIFY ? 2
		                                            : 8;
		if (type == VIRTIO_CAP_NOTIFY) {
			if (cap[CAP_LEN] < CAP_NOTIFY_SIZE)
				return error_set(err, "virtio: notify capability is %u bytes",
				                 cap[CAP_LEN]);
			regs->notify_multiplier = le32(cap + CAP_NOTIFY_MULTIPLIER);
			regs->notify_length = le32(cap + CAP_LENGTH);
		}
		if (region(cfg, type, bar, le32(cap + CAP_OFFSET), le32(cap + CAP_LENGTH), need,
		           address, err))
			return -1;
		found |= 1u << type;
	}
	for (unsigned type = VIRTIO_CAP_COMMON; type <= VIRTIO_CAP_DEVICE; type++)
		if (type != 3 && !(found & 1u << type))
			return error_set(err, "virtio: no %s capability (a legacy-only device)",
			                 cap_names[type]);
	return 0;
}

int virtio_notify_address(const struct virtio_pci_regs *regs, uint16_t queue_notify_off,
                          uint32_t *address, struct error *err)
{
	uint64_t at = (uint64_t)queue_notify_off * regs->notify_multiplier;
	if (at + 2 > regs->notify_length)
		return error_set(err,
		                 "virtio: queue notify offset %u x %u is past the %u-byte area",
		                 queue_notify_off, (unsigned)regs->notify_multiplier,
		                 (unsigned)regs->notify_length);
	*address = regs->notify + (uint32_t)at;
	return 0;
}

int virtio_blk_check_device(uint32_t features_hi, uint64_t capacity, uint64_t bios_sectors,
                            struct error *err)
{
	if (!(features_hi & VIRTIO_F_VERSION_1_HI))
		return error_set(err, "virtio: the device does not offer VIRTIO_F_VERSION_1");
	if (bios_sectors && capacity != bios_sectors)
		return error_set(err,
		                 "virtio: the device has 0x%llx sectors, the BIOS's boot drive "
		                 "0x%llx",
		                 (unsigned long long)capacity, (unsigned long long)bios_sectors);
	return 0;
}

uint16_t virtq_pick_size(uint16_t device_max, uint16_t want)
{
	uint16_t limit = device_max < want ? device_max : want;
	uint16_t size = 1;
	if (!limit)
		return 0;
	while ((uint32_t)size * 2 <= limit)
		size = (uint16_t)(size * 2);
	return size;
}

void virtq_layout(uint16_t size, struct virtq_layout *layout)
{
	/* Descriptors, 16 bytes each; the driver ring: flags, idx, `size`
	 * entries and used_event, 2 bytes each; the device ring: flags,
	 * idx, `size` 8-byte elements and avail_event. */
	layout->avail = 16u * size;
	layout->used = (layout->avail + 6u + 2u * size + 3u) & ~3u;
	layout->bytes = layout->used + 6u + 8u * size;
}

void virtio_blk_read_chain(struct virtq_desc desc[3], uint32_t header, uint32_t data,
                           uint32_t bytes, uint32_t status)
{
	desc[0] = (struct virtq_desc){header, sizeof(struct virtio_blk_req), VIRTQ_DESC_F_NEXT, 1};
	desc[1] = (struct virtq_desc){data, bytes, VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, 2};
	desc[2] = (struct virtq_desc){status, 1, VIRTQ_DESC_F_WRITE, 0};
}

int virtio_blk_status(uint8_t status, uint64_t lba, uint32_t count, struct error *err)
{
	static const char *const names[] = {"", "I/O error", "unsupported"};
	if (status == VIRTIO_BLK_S_OK)
		return 0;
	return error_set(err,
	                 "disk: virtio-blk read of %u sectors at LBA 0x%llx failed: status "
	                 "0x%02x (%s)",
	                 (unsigned)count, (unsigned long long)lba, status,
	                 status < 3 ? names[status] : "not written by the device");
}
