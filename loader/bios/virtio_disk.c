/* loader/bios/virtio_disk.c - a polled virtio 1.0 block driver over PCI,
 * one request in flight, for stage 2 (virtio_disk.h). The decisions and
 * data structures are in common/virtio_blk.c; this file does the register
 * and ring accesses. References: VIRTIO 1.1, 3.1.1 (device
 * initialisation), 2.6.13 (supplying buffers), 4.1.4 (PCI registers).
 *
 * Stage 2 runs unpaged with interrupts off: the registers are reached at
 * their physical addresses, the device is asked not to interrupt, and
 * completion is polled against a TSC deadline.
 */
#include <stdint.h>

#include "cpu.h"
#include "disk.h"
#include "lib.h"
#include "mmio.h"
#include "pci.h"
#include "virtio_disk.h"

/* Eight entries: a read takes three descriptors, and a small queue keeps
 * the rings in 256 bytes. */
#define QUEUE_WANT 8u
static uint8_t queue[256] __attribute__((aligned(16)));
static struct virtio_blk_req header;
static volatile uint8_t status;

int virtio_blk_open(struct virtio_blk *v, const uint8_t params[EDD_PARAMS_SIZE], uint64_t sectors,
                    struct error *err)
{
	/* SeaBIOS names a virtio-blk drive's interface "SCSI", on PCI. */
	if (edd_pci_function(params, "SCSI", &v->pci, err))
		return -1;
	uint32_t cfg[64];
	for (unsigned i = 0; i < 64; i++)
		cfg[i] = pci_read32(&v->pci, (uint8_t)(4 * i));
	if (virtio_pci_find_regs((const uint8_t *)cfg, &v->regs, err))
		return -1;
	uint32_t common = v->regs.common;
	/* Reading these changes nothing SeaBIOS relies on: it selects the
	 * feature word and queue it wants each time it sets up. */
	*reg32(common + VIRTIO_COMMON_DFSELECT) = 1;
	uint32_t features_hi = *reg32(common + VIRTIO_COMMON_DF);
	uint64_t capacity = *reg32(v->regs.device + VIRTIO_BLK_CAPACITY) |
	                    (uint64_t)*reg32(v->regs.device + VIRTIO_BLK_CAPACITY + 4) << 32;
	if (virtio_blk_check_device(features_hi, capacity, sectors, err))
		return -1;
	*reg16(common + VIRTIO_COMMON_Q_SELECT) = 0;
	return virtio_notify_address(&v->regs, *reg16(common + VIRTIO_COMMON_Q_NOFF), &v->notify,
	                             err);
}

static void set_status(uint32_t common, uint8_t bits)
{
	*reg8(common + VIRTIO_COMMON_STATUS) = bits;
}

int virtio_blk_take_over(struct virtio_blk *v, struct error *err)
{
	uint32_t common = v->regs.common;
	/* The device may take a while to reset: 0 reads back once done. */
	set_status(common, 0);
	uint64_t deadline = rdtsc() + DEVICE_TIMEOUT_TICKS;
	while (*reg8(common + VIRTIO_COMMON_STATUS))
		if (rdtsc() > deadline)
			return error_set(err, "virtio: the device does not reset");
	/* Bus mastering: SeaBIOS turns it on, but nothing else would. */
	uint16_t command = (uint16_t)pci_read32(&v->pci, PCI_COMMAND);
	if (!(command & PCI_COMMAND_MASTER))
		pci_write16(&v->pci, PCI_COMMAND, command | PCI_COMMAND_MASTER);
	uint8_t st = VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER;
	set_status(common, st);
	*reg32(common + VIRTIO_COMMON_GFSELECT) = 0;
	*reg32(common + VIRTIO_COMMON_GF) = 0;
	*reg32(common + VIRTIO_COMMON_GFSELECT) = 1;
	*reg32(common + VIRTIO_COMMON_GF) = VIRTIO_F_VERSION_1_HI;
	st |= VIRTIO_STATUS_FEATURES_OK;
	set_status(common, st);
	if (!(*reg8(common + VIRTIO_COMMON_STATUS) & VIRTIO_STATUS_FEATURES_OK))
		return error_set(err, "virtio: the device refuses VIRTIO_F_VERSION_1 alone");

	*reg16(common + VIRTIO_COMMON_Q_SELECT) = 0;
	uint16_t size = virtq_pick_size(*reg16(common + VIRTIO_COMMON_Q_SIZE), QUEUE_WANT);
	struct virtq_layout l;
	virtq_layout(size, &l);
	if (size < 4 || l.bytes > sizeof(queue))
		return error_set(err, "virtio: queue 0 has %u entries", size);
	*reg16(common + VIRTIO_COMMON_Q_SIZE) = size;
	memset(queue, 0, sizeof(queue));
	/* Polled: no interrupt wanted when a request is done. */
	*(volatile uint16_t *)(queue + l.avail) = VIRTQ_AVAIL_F_NO_INTERRUPT;
	uint32_t base = (uint32_t)(uintptr_t)queue;
	*reg32(common + VIRTIO_COMMON_Q_DESCLO) = base;
	*reg32(common + VIRTIO_COMMON_Q_DESCHI) = 0;
	*reg32(common + VIRTIO_COMMON_Q_AVAILLO) = base + l.avail;
	*reg32(common + VIRTIO_COMMON_Q_AVAILHI) = 0;
	*reg32(common + VIRTIO_COMMON_Q_USEDLO) = base + l.used;
	*reg32(common + VIRTIO_COMMON_Q_USEDHI) = 0;
	*reg16(common + VIRTIO_COMMON_Q_ENABLE) = 1;
	set_status(common, st | VIRTIO_STATUS_DRIVER_OK);
	v->queue_size = size;
	v->submitted = 0;
	return 0;
}

/* One request of `count` sectors (at most VIRTIO_BLK_MAX_SECTORS). */
static int read_request(struct virtio_blk *v, uint64_t lba, uint32_t count, uint32_t to,
                        struct error *err)
{
	struct virtq_layout l;
	virtq_layout(v->queue_size, &l);
	volatile uint16_t *avail = (volatile uint16_t *)(queue + l.avail);
	volatile uint16_t *used_idx = (volatile uint16_t *)(queue + l.used + 2);

	header = (struct virtio_blk_req){VIRTIO_BLK_T_IN, 0, lba};
	status = 0xff; /* any value the device would not leave on success */
	virtio_blk_read_chain((struct virtq_desc *)queue, (uint32_t)(uintptr_t)&header, to,
	                      count * DISK_SECTOR_SIZE, (uint32_t)(uintptr_t)&status);
	/* The chain's head (descriptor 0) in the next ring slot, then the
	 * index that publishes it (2.6.13). */
	avail[2 + v->submitted % v->queue_size] = 0;
	barrier();
	v->submitted++;
	avail[1] = v->submitted;
	barrier();
	*reg16(v->notify) = 0; /* queue 0 */

	uint64_t deadline = rdtsc() + DEVICE_TIMEOUT_TICKS;
	while (*used_idx != v->submitted)
		if (rdtsc() > deadline)
			return error_set(err,
			                 "disk: virtio-blk read of %u sectors at LBA 0x%llx timed "
			                 "out (status 0x%02x)",
			                 (unsigned)count, (unsigned long long)lba,
			                 *reg8(v->regs.common + VIRTIO_COMMON_STATUS));
	barrier();
	return virtio_blk_status(status, lba, count, err);
}

int virtio_blk_read(struct virtio_blk *v, uint64_t lba, uint32_t count, void *buf,
                    struct error *err)
{
	uint32_t to = (uint32_t)(uintptr_t)buf;
	while (count) {
		uint32_t n = count < VIRTIO_BLK_MAX_SECTORS ? count : VIRTIO_BLK_MAX_SECTORS;
		if (read_request(v, lba, n, to, err))
			return -1;
		to += n * DISK_SECTOR_SIZE;
		lba += n;
		count -= n;
	}
	return 0;
}
