/* loader/bios/virtio_disk.h - read the boot drive through its virtio-blk
 * PCI function when SeaBIOS's AH=48h names one (common/virtio_blk.h says
 * why). Unlike the IDE path there is no going back: taking the device
 * over resets it, and SeaBIOS, whose queue 0 that was, can no longer read
 * the disk. So virtio_blk_open makes every check it can without touching
 * the device, and the caller treats any later error as the end of the
 * boot.
 *
 * The kernel is handed the device as we leave it: our queue 0 enabled,
 * DRIVER_OK set, its rings in the loader's memory. A kernel driver must
 * reset it before use, as any OS driver does (VIRTIO 1.1, 3.1.1).
 */
#ifndef TWINBOOT_VIRTIO_DISK_H
#define TWINBOOT_VIRTIO_DISK_H

#include <stdint.h>

#include "error.h"
#include "ide_dma.h"
#include "virtio_blk.h"

struct virtio_blk {
	struct pci_location pci;
	struct virtio_pci_regs regs;
	uint32_t notify;     /* where queue 0's notifications go */
	uint16_t queue_size; /* after virtio_blk_take_over */
	uint16_t submitted;  /* requests made: the driver ring's index */
};

/* Is the boot drive, per AH=48h's result `params` and its sector count
 * (`sectors`, 0 if unknown), a virtio-blk function we can drive? Reads its
 * configuration, changes nothing. Returns 0, or -1 with err saying why
 * not; INT 13h still works then. */
int virtio_blk_open(struct virtio_blk *v, const uint8_t params[EDD_PARAMS_SIZE], uint64_t sectors,
                    struct error *err);

/* Reset the device and set up queue 0 as ours. From here INT 13h cannot
 * read this disk. Returns 0, or -1 with err. */
int virtio_blk_take_over(struct virtio_blk *v, struct error *err);

/* Read `count` sectors at `lba` into buf (below 4 GiB, any alignment).
 * Returns 0, or -1 with err naming the LBA, count and status. */
int virtio_blk_read(struct virtio_blk *v, uint64_t lba, uint32_t count, void *buf,
                    struct error *err);

#endif
