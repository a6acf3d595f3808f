/* common/mmio.h - device registers and DMA memory by physical address,
 * for the loaders' native drivers (loader/bios/virtio_disk.c,
 * common/ahci_disk.c): an address below 4 GiB is the pointer itself
 * (stage 2 runs unpaged in 32-bit mode; UEFI maps memory 1:1). */
#ifndef TWINBOOT_MMIO_H
#define TWINBOOT_MMIO_H

#include <stdint.h>

static inline volatile uint8_t *reg8(uint32_t at)
{
	return (volatile uint8_t *)(uintptr_t)at;
}

static inline volatile uint16_t *reg16(uint32_t at)
{
	return (volatile uint16_t *)(uintptr_t)at;
}

static inline volatile uint32_t *reg32(uint32_t at)
{
	return (volatile uint32_t *)(uintptr_t)at;
}

/* The device reads memory we write, and writes memory we read: keep gcc
 * from moving memory accesses across this point (x86 keeps stores in
 * order, so no fence is needed). */
static inline void barrier(void)
{
	__asm__ volatile("" ::: "memory");
}

#endif
