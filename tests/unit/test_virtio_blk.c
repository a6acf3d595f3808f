/* tests/unit/test_virtio_blk.c - common/virtio_blk.c: the register blocks
 * of a virtio-blk PCI function found from its configuration space as QEMU
 * lays it out under SeaBIOS, every refusal that must keep the loader on
 * INT 13h (the device is not touched then), the device checks before the
 * takeover, the queue layout of VIRTIO 1.1 2.6, the read request and its
 * status; and the EDD device path SeaBIOS gives a virtio-blk boot drive. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "ide_dma.h"
#include "virtio_blk.h"

/* QEMU 7.2's virtio-blk-pci (transitional, 1af4:1001) at 00:03.0 with the
 * BARs SeaBIOS 1.16 assigns (query-pci: BAR0 I/O 0xc000, BAR1 0xfebf1000,
 * BAR4 64-bit prefetchable 0xfe000000) and the capabilities of
 * hw/virtio/virtio-pci.c: MSI-X at 0x98, then vendor capabilities for PCI
 * config access (0x84), notify (0x70: BAR4 + 0x3000, multiplier 4), device
 * (0x60: + 0x2000), ISR (0x50: + 0x1000) and common (0x40: + 0). */
static void qemu_config(uint8_t cfg[256])
{
	static const uint8_t header[0x40] = {
	    0xf4, 0x1a, 0x01, 0x10, 0x07, 0x01, 0x10, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00,
	    0x00, 0x00, 0x00, 0x01, 0xc0, 0x00, 0x00, 0x00, 0x10, 0xbf, 0xfe, 0x00, 0x00,
	    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0c, 0x00, 0x00, 0xfe, 0x00, 0x00, 0x00,
	    0x00, 0x00, 0x00, 0x00, 0x00, 0xf4, 0x1a, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00,
	    0x98, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0b, 0x01, 0x00, 0x00,
	};
	/* id, next, len, type, bar, pad[3], offset, length (, multiplier) */
	static const uint8_t caps[] = {/* 0x40 common */ 0x09,
	                               0x00,
	                               0x10,
	                               0x01,
	                               0x04,
	                               0,
	                               0,
	                               0,
	                               0x00,
	                               0x00,
	                               0x00,
	                               0x00,
	                               0x00,
	                               0x10,
	                               0x00,
	                               0x00,
	                               /* 0x50 ISR */ 0x09,
	                               0x40,
	                               0x10,
	                               0x03,
	                               0x04,
	                               0,
	                               0,
	                               0,
	                               0x00,
	                               0x10,
	                               0x00,
	                               0x00,
	                               0x00,
	                               0x10,
	                               0x00,
	                               0x00,
	                               /* 0x60 device */ 0x09,
	                               0x50,
	                               0x10,
	                               0x04,
	                               0x04,
	                               0,
	                               0,
	                               0,
	                               0x00,
	                               0x20,
	                               0x00,
	                               0x00,
	                               0x00,
	                               0x10,
	                               0x00,
	                               0x00,
	                               /* 0x70 notify */ 0x09,
	                               0x60,
	                               0x14,
	                               0x02,
	                               0x04,
	                               0,
	                               0,
	                               0,
	                               0x00,
	                               0x30,
	                               0x00,
	                               0x00,
	                               0x00,
	                               0x10,
	                               0x00,
	                               0x00,
	                               0x04,
	                               0x00,
	                               0x00,
	                               0x00,
	                               /* 0x84 PCI config access */ 0x09,
	                               0x70,
	                               0x14,
	                               0x05,
	                               0x00,
	                               0,
	                               0,
	                               0,
	                               0,
	                               0,
	                               0,
	                               0,
	                               0,
	                               0,
	                               0,
	                               0,
	                               0,
	                               0,
	                               0,
	                               0,
	                               /* 0x98 MSI-X */ 0x11,
	                               0x84,
	                               0x01,
	                               0x00,
	                               0x01,
	                               0x00,
	                               0x00,
	                               0x00,
	                               0x01,
	                               0x08,
	                               0x00,
	                               0x00};
	memset(cfg, 0, 256);
	memcpy(cfg, header, sizeof(header));
	memcpy(cfg + 0x40, caps, sizeof(caps));
}

static void expect_refusal(const uint8_t *cfg, const char *why)
{
	struct virtio_pci_regs regs;
	struct error err = {{0}};
	assert_int_equal(virtio_pci_find_regs(cfg, &regs, &err), -1);
	if (!strstr(err.msg, why))
		fail_msg("message \"%s\" does not say \"%s\"", err.msg, why);
}

static void test_qemu_layout(void **state)
{
	(void)state;
	uint8_t cfg[256];
	struct virtio_pci_regs regs = {0};
	struct error err = {{0}};
	qemu_config(cfg);
	assert_int_equal(virtio_pci_find_regs(cfg, &regs, &err), 0);
	assert_int_equal(regs.common, 0xfe000000u);
	assert_int_equal(regs.device, 0xfe002000u);
	assert_int_equal(regs.notify, 0xfe003000u);
	assert_int_equal(regs.notify_multiplier, 4);
	assert_int_equal(regs.notify_length, 0x1000);
	uint32_t at = 0;
	assert_int_equal(virtio_notify_address(&regs, 0, &at, &err), 0);
	assert_int_equal(at, 0xfe003000u);
	assert_int_equal(virtio_notify_address(&regs, 1023, &at, &err), 0);
	assert_int_equal(at, 0xfe003ffcu);
	/* 1024 x 4 is past the 4 KiB notify area. */
	assert_int_equal(virtio_notify_address(&regs, 1024, &at, &err), -1);
	assert_non_null(strstr(err.msg, "past the 4096-byte area"));

	/* The modern-only device ID takes the same path. */
	cfg[2] = 0x42;
	assert_int_equal(virtio_pci_find_regs(cfg, &regs, &err), 0);
}

static void test_first_capability_of_a_type_wins(void **state)
{
	(void)state;
	uint8_t cfg[256];
	struct virtio_pci_regs regs = {0};
	struct error err = {{0}};
	qemu_config(cfg);
	/* A second common capability, later in the list (at 0xb0, after
	 * the common one at 0x40), in BAR 1: ignored. */
	static const uint8_t extra[] = {0x09, 0x00, 0x10, 0x01, 0x01, 0,    0, 0,
	                                0,    0,    0,    0,    0x00, 0x10, 0, 0};
	memcpy(cfg + 0xb0, extra, sizeof(extra));
	cfg[0x41] = 0xb0;
	assert_int_equal(virtio_pci_find_regs(cfg, &regs, &err), 0);
	assert_int_equal(regs.common, 0xfe000000u);
}

static void test_refusals(void **state)
{
	(void)state;
	uint8_t cfg[256];

	qemu_config(cfg);
	cfg[2] = 0x04; /* 1af4:1004, virtio-scsi */
	expect_refusal(cfg, "1af4:1004, not virtio-blk");

	qemu_config(cfg);
	cfg[0] = 0x86, cfg[1] = 0x80; /* Intel */
	expect_refusal(cfg, "8086:1001, not virtio-blk");

	qemu_config(cfg);
	cfg[4] &= (uint8_t)~2;
	expect_refusal(cfg, "memory decoding is off");

	qemu_config(cfg);
	cfg[6] = 0; /* no capability list: legacy virtio only */
	expect_refusal(cfg, "legacy-only");

	qemu_config(cfg);
	cfg[0x71] = 0x50; /* notify's next skips the device capability */
	expect_refusal(cfg, "no device capability");

	qemu_config(cfg);
	cfg[0x85] = 0x60; /* the list skips notify */
	expect_refusal(cfg, "no notify capability");

	/* SeaBIOS put the 64-bit BAR above 4 GiB. */
	qemu_config(cfg);
	cfg[0x24] = 1;
	expect_refusal(cfg, "notify capability is in BAR 4 at 0x1fe003000, above 4 GiB");

	/* Just below 4 GiB, but the notify area runs past it. */
	qemu_config(cfg);
	cfg[0x20] = 0x0c, cfg[0x21] = 0xd0, cfg[0x22] = 0xff, cfg[0x23] = 0xff;
	expect_refusal(cfg, "notify capability is in BAR 4 at 0x100000000, above 4 GiB");

	qemu_config(cfg);
	memset(cfg + 0x20, 0, 8);
	expect_refusal(cfg, "BAR 4 of the notify capability is unassigned");

	qemu_config(cfg);
	cfg[0x44] = 0; /* common in BAR 0, the legacy I/O ports */
	expect_refusal(cfg, "common capability is in I/O BAR 0");

	qemu_config(cfg);
	cfg[0x4d] = 0, cfg[0x4c] = 0x30; /* 48 bytes of common registers */
	expect_refusal(cfg, "common capability is 48 bytes, under 56");

	qemu_config(cfg);
	cfg[0x72] = 0x10; /* a notify capability without its multiplier */
	expect_refusal(cfg, "notify capability is 16 bytes");

	qemu_config(cfg);
	cfg[0x34] = 0x10; /* into the header */
	expect_refusal(cfg, "capability pointer 0x10 is out of range");

	qemu_config(cfg);
	cfg[0x99] = 0xf8; /* a capability running off the end */
	expect_refusal(cfg, "capability pointer 0xf8 is out of range");

	/* A list that loops back on itself ends: here it never gets past
	 * the MSI-X and PCI-access capabilities. */
	qemu_config(cfg);
	cfg[0x85] = 0x98;
	expect_refusal(cfg, "no common capability");
}

static void test_device_checks(void **state)
{
	(void)state;
	struct error err = {{0}};
	assert_int_equal(virtio_blk_check_device(1, 67617, 67617, &err), 0);
	assert_int_equal(virtio_blk_check_device(3, 67617, 0, &err), 0);
	assert_int_equal(virtio_blk_check_device(0, 67617, 67617, &err), -1);
	assert_non_null(strstr(err.msg, "VIRTIO_F_VERSION_1"));
	/* Another disk than the BIOS's boot drive. */
	assert_int_equal(virtio_blk_check_device(1, 0x8000, 67617, &err), -1);
	assert_string_equal(err.msg,
	                    "virtio: the device has 0x8000 sectors, the BIOS's boot drive 0x10821");
}

static void test_queue_size_and_layout(void **state)
{
	(void)state;
	assert_int_equal(virtq_pick_size(256, 8), 8);
	assert_int_equal(virtq_pick_size(8, 8), 8);
	assert_int_equal(virtq_pick_size(6, 8), 4);
	assert_int_equal(virtq_pick_size(3, 8), 2);
	assert_int_equal(virtq_pick_size(0, 8), 0);
	assert_int_equal(virtq_pick_size(32768, 65535), 32768);
	assert_int_equal(virtq_pick_size(65535, 65535), 32768);

	/* VIRTIO 1.1 2.6: descriptors 16 x size; the driver ring 6 + 2 x
	 * size; the device ring, 4-aligned, 6 + 8 x size. */
	struct virtq_layout l;
	virtq_layout(8, &l);
	assert_int_equal(l.avail, 128);
	assert_int_equal(l.used, 152); /* 128 + 22 = 150, aligned up */
	assert_int_equal(l.bytes, 222);
	virtq_layout(4, &l);
	assert_int_equal(l.avail, 64);
	assert_int_equal(l.used, 80); /* 64 + 14 = 78 */
	assert_int_equal(l.bytes, 118);
	virtq_layout(256, &l);
	assert_int_equal(l.avail, 4096);
	assert_int_equal(l.used, 4616);
	assert_int_equal(l.bytes, 6670);
}

static void test_read_request(void **state)
{
	(void)state;
	struct virtq_desc d[3];
	assert_int_equal(sizeof(struct virtio_blk_req), 16);
	virtio_blk_read_chain(d, 0x9000, 0x124000, 8192u * 512u, 0x9010);
	assert_int_equal(d[0].addr, 0x9000);
	assert_int_equal(d[0].len, 16);
	assert_int_equal(d[0].flags, VIRTQ_DESC_F_NEXT); /* the device reads it */
	assert_int_equal(d[0].next, 1);
	assert_int_equal(d[1].addr, 0x124000);
	assert_int_equal(d[1].len, 4u << 20);
	assert_int_equal(d[1].flags, VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE);
	assert_int_equal(d[1].next, 2);
	assert_int_equal(d[2].addr, 0x9010);
	assert_int_equal(d[2].len, 1);
	assert_int_equal(d[2].flags, VIRTQ_DESC_F_WRITE); /* the end of the chain */
}

static void test_status(void **state)
{
	(void)state;
	struct error err = {{0}};
	assert_int_equal(virtio_blk_status(0, 0x800, 8, &err), 0);
	assert_int_equal(virtio_blk_status(1, 0x800, 8, &err), -1);
	assert_string_equal(err.msg, "disk: virtio-blk read of 8 sectors at LBA 0x800 failed: "
	                             "status 0x01 (I/O error)");
	assert_int_equal(virtio_blk_status(2, 0x800, 8, &err), -1);
	assert_non_null(strstr(err.msg, "status 0x02 (unsupported)"));
	assert_int_equal(virtio_blk_status(0xff, 0x123456789ull, 8192, &err), -1);
	assert_non_null(strstr(err.msg, "8192 sectors at LBA 0x123456789"));
	assert_non_null(strstr(err.msg, "0xff (not written by the device)"));
}

/* AH=48h from SeaBIOS 1.16 for a virtio-blk boot drive at 00:03.0: host
 * bus "PCI", interface "SCSI" (its name for virtio), checksum at 0x41. */
static void seabios_virtio_params(uint8_t p[EDD_PARAMS_SIZE])
{
	memset(p, 0, EDD_PARAMS_SIZE);
	p[0] = 0x42;
	p[0x1e] = 0xdd, p[0x1f] = 0xbe, p[0x20] = 0x24;
	memcpy(p + 0x24, "PCI SCSI    ", 12);
	p[0x30] = 0, p[0x31] = 3, p[0x32] = 0;
	uint8_t sum = 0;
	for (size_t i = 0x1e; i < 0x41; i++)
		sum = (uint8_t)(sum + p[i]);
	p[0x41] = (uint8_t)-sum;
}

static void test_edd_names_the_virtio_function(void **state)
{
	(void)state;
	uint8_t p[EDD_PARAMS_SIZE];
	struct pci_location pci = {0};
	struct error err = {{0}};
	seabios_virtio_params(p);
	assert_int_equal(edd_pci_function(p, "SCSI", &pci, &err), 0);
	assert_int_equal(pci.bus, 0);
	assert_int_equal(pci.dev, 3);
	assert_int_equal(pci.fn, 0);
	/* The IDE path's question about the same drive. */
	assert_int_equal(edd_pci_function(p, "ATA ", &pci, &err), -1);
	assert_string_equal(err.msg, "edd: interface is SCSI, not ATA");
	p[0x30] = 1; /* checksum now wrong */
	assert_int_equal(edd_pci_function(p, "SCSI", &pci, &err), -1);
	assert_non_null(strstr(err.msg, "checksum"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_qemu_layout),
	    cmocka_unit_test(test_first_capability_of_a_type_wins),
	    cmocka_unit_test(test_refusals),
	    cmocka_unit_test(test_device_checks),
	    cmocka_unit_test(test_queue_size_and_layout),
	    cmocka_unit_test(test_read_request),
	    cmocka_unit_test(test_status),
	    cmocka_unit_test(test_edd_names_the_virtio_function),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
