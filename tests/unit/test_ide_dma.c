/* tests/unit/test_ide_dma.c - common/ide_dma.c: the boot drive's IDE
 * location from AH=48h results as SeaBIOS returns them (bytes read off a
 * QEMU boot), what must make it refuse, and the PRD tables it builds,
 * checked against SFF-8038i's rules for every start and length shape. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "ide_dma.h"

/* AH=48h from SeaBIOS 1.16 on QEMU's pc machine, boot disk the primary
 * master, and its DPTE (QEMU 7.2, printed by a probe build of stage 2). */
static const uint8_t seabios_params[EDD_PARAMS_SIZE] = {
    0x1e, 0x00, 0x02, 0x00, 0x43, 0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x3f, 0x00,
    0x00, 0x00, 0x21, 0x08, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0xc0, 0xf4,
    0x80, 0xd9, 0xdd, 0xbe, 0x24, 0x00, 0x00, 0x00, 'P',  'C',  'I',  ' ',  'A',  'T',
    'A',  ' ',  ' ',  ' ',  ' ',  ' ',  0x00, 0x01, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xcd,
};
static const uint8_t seabios_dpte[EDD_DPTE_SIZE] = {
    0xf0, 0x01, 0xf6, 0x03, 0xe0, 0xcb, 0x0f, 0x01, 0x00, 0x00, 0x18, 0x00, 0x00, 0x00, 0x11, 0x32,
};

/* Set one byte and fix the checksum that covers it, so only the field
 * under test is wrong. */
static void patch(uint8_t *buf, size_t at, uint8_t v, size_t sum_at)
{
	buf[sum_at] = (uint8_t)(buf[sum_at] + buf[at] - v);
	buf[at] = v;
}

static void test_seabios_primary_master(void **state)
{
	(void)state;
	struct ata_location loc;
	struct error err = {{0}};
	assert_int_equal(edd_dpte_pointer(seabios_params), 0xd980f4c0u); /* d980:f4c0 */
	assert_int_equal(edd_ata_location(seabios_params, seabios_dpte, &loc, &err), 0);
	assert_int_equal(loc.pci_bus, 0);
	assert_int_equal(loc.pci_dev, 1);
	assert_int_equal(loc.pci_fn, 1);
	assert_int_equal(loc.command_base, 0x1f0);
	assert_int_equal(loc.control_port, 0x3f6);
	assert_int_equal(loc.slave, 0);
}

static void test_secondary_slave(void **state)
{
	(void)state;
	/* The same machine with the boot disk as the secondary slave:
	 * SeaBIOS changes the device path and the DPTE's ports and head. */
	uint8_t p[EDD_PARAMS_SIZE], d[EDD_DPTE_SIZE];
	memcpy(p, seabios_params, sizeof(p));
	memcpy(d, seabios_dpte, sizeof(d));
	patch(p, 0x38, 1, 0x41);
	patch(d, 0, 0x70, 15);
	patch(d, 2, 0x76, 15);
	patch(d, 4, 0xf0, 15);
	struct ata_location loc;
	struct error err = {{0}};
	assert_int_equal(edd_ata_location(p, d, &loc, &err), 0);
	assert_int_equal(loc.command_base, 0x170);
	assert_int_equal(loc.control_port, 0x376);
	assert_int_equal(loc.slave, 1);
}

static void expect_refusal(const uint8_t *p, const uint8_t *d, const char *why)
{
	struct ata_location loc;
	struct error err = {{0}};
	assert_int_equal(edd_ata_location(p, d, &loc, &err), -1);
	if (!strstr(err.msg, why))
		fail_msg("message \"%s\" does not say \"%s\"", err.msg, why);
}

static void test_refusals(void **state)
{
	(void)state;
	uint8_t p[EDD_PARAMS_SIZE], d[EDD_DPTE_SIZE];

	/* virtio-blk under SeaBIOS: "PCI" "SCSI", no DPTE. */
	memcpy(p, seabios_params, sizeof(p));
	memcpy(p + 0x28, "SCSI    ", 8);
	p[0x41] = 0;
	uint8_t sum = 0;
	for (size_t i = 0x1e; i < 0x42; i++)
		sum = (uint8_t)(sum + p[i]);
	p[0x41] = (uint8_t)-sum;
	expect_refusal(p, seabios_dpte, "interface is SCSI, not ATA");

	/* AHCI under SeaBIOS: no EDD 3.0 key at all. */
	memcpy(p, seabios_params, sizeof(p));
	p[0x1e] = p[0x1f] = 0;
	expect_refusal(p, seabios_dpte, "no EDD 3.0");

	memcpy(p, seabios_params, sizeof(p));
	p[0x30] ^= 1; /* checksum now wrong */
	expect_refusal(p, seabios_dpte, "checksum");

	memcpy(p, seabios_params, sizeof(p));
	patch(p, 0x24, 'I', 0x41); /* "ICI ": not PCI */
	expect_refusal(p, seabios_dpte, "not PCI");

	memcpy(p, seabios_params, sizeof(p));
	patch(p, 0x20, 0x30, 0x41); /* a path running past the buffer */
	expect_refusal(p, seabios_dpte, "length");

	expect_refusal(seabios_params, NULL, "no DPTE");

	memcpy(d, seabios_dpte, sizeof(d));
	d[0] ^= 0x10;
	expect_refusal(seabios_params, d, "DPTE");

	memcpy(d, seabios_dpte, sizeof(d));
	patch(d, 4, 0xf0, 15); /* DPTE says slave, device path master */
	expect_refusal(seabios_params, d, "device path says master, DPTE says slave");

	memcpy(p, seabios_params, sizeof(p));
	patch(p, 0x31, 32, 0x41); /* PCI device 32 does not exist */
	expect_refusal(p, seabios_dpte, "out of range");
}

static void test_dpte_pointer_none(void **state)
{
	(void)state;
	uint8_t p[EDD_PARAMS_SIZE];
	memcpy(p, seabios_params, sizeof(p));
	memset(p + 0x1a, 0xff, 4);
	assert_int_equal(edd_dpte_pointer(p), 0);
}

/* Every rule of SFF-8038i's table, for one build. */
static void check_table(const struct ide_prd *t, unsigned used, uint32_t address, uint32_t covered)
{
	uint32_t at = address;
	/* Empty only when not one sector fit (a 1-entry table, 2 bytes
	 * before a boundary). */
	assert_true(used > 0 || covered == 0);
	for (unsigned i = 0; i < used; i++) {
		uint32_t len = t[i].bytes ? t[i].bytes : 0x10000u;
		assert_int_equal(t[i].address, at);    /* contiguous */
		assert_int_equal(t[i].address & 1, 0); /* even */
		assert_int_equal(len & 1, 0);
		assert_true((at & 0xffff) + len <= 0x10000u); /* no 64 KiB crossing */
		assert_int_equal(t[i].flags, i + 1 == used ? IDE_PRD_LAST : 0);
		at += len;
	}
	assert_int_equal(at - address, covered);
}

static void test_prd_shapes(void **state)
{
	(void)state;
	static const uint32_t addresses[] = {0x100000, 0x100200, 0x10fe00,
	                                     0x7000,   0x1fffe,  0x12346};
	static const uint32_t sectors[] = {1, 2, 127, 128, 129, 1000, 16384, 65535};
	struct ide_prd t[130] = {{0}};
	for (size_t a = 0; a < sizeof(addresses) / sizeof(addresses[0]); a++) {
		for (size_t s = 0; s < sizeof(sectors) / sizeof(sectors[0]); s++) {
			for (unsigned max = 1; max <= 130; max += 43) {
				unsigned used = 0;
				uint32_t bytes = sectors[s] * 512u;
				uint32_t got = ide_prd_build(t, max, addresses[a], bytes, &used);
				assert_true(used <= max);
				assert_true(got <= bytes);
				assert_int_equal(got % 512, 0);
				/* A full table covers at least max-1 whole 64 KiB
				 * windows' worth, less the cut to a sector. */
				if (got < bytes && max > 1)
					assert_true(got >= (max - 1) * 0x10000u - 512);
				check_table(t, used, addresses[a], got);
			}
		}
	}
}

static void test_prd_whole_64k_and_cut(void **state)
{
	(void)state;
	struct ide_prd t[4];
	unsigned used;
	/* 128 KiB from a 64 KiB boundary: two full regions, counts 0. */
	assert_int_equal(ide_prd_build(t, 4, 0x200000, 0x20000, &used), 0x20000);
	assert_int_equal(used, 2);
	assert_int_equal(t[0].bytes, 0);
	assert_int_equal(t[1].bytes, 0);
	assert_int_equal(t[1].flags, IDE_PRD_LAST);
	/* One sector before a boundary: a one-entry table covers just it. */
	assert_int_equal(ide_prd_build(t, 1, 0x20fe00, 0x20000, &used), 0x200);
	assert_int_equal(used, 1);
	/* A 256-byte start: the region ends at the boundary, 65280 bytes,
	 * cut to 127 whole sectors. */
	assert_int_equal(ide_prd_build(t, 1, 0x200100, 0x20000, &used), 127 * 512);
	assert_int_equal(t[0].bytes, 127 * 512);
	assert_int_equal(t[0].flags, IDE_PRD_LAST);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_seabios_primary_master),
	    cmocka_unit_test(test_secondary_slave),
	    cmocka_unit_test(test_refusals),
	    cmocka_unit_test(test_dpte_pointer_none),
	    cmocka_unit_test(test_prd_shapes),
	    cmocka_unit_test(test_prd_whole_64k_and_cut),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
