/* tests/unit/test_ahci.c - common/ahci.c: which PCI functions and ports
 * the BIOS loader's AHCI path takes, and every refusal that must keep it
 * on INT 13h; the READ DMA EXT command it builds (register FIS, header,
 * descriptors split at 4 MiB); and what a finished command's registers
 * say. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "ahci.h"

/* QEMU 7.2's ich9-ahci ("-device ahci", 8086:2922) at 00:03.0 under
 * SeaBIOS: BAR4 I/O 0xc000, BAR5 (ABAR) 32-bit memory 0xfebf1000, with
 * I/O, memory decoding and bus mastering on. */
static void qemu_config(uint32_t cfg[16])
{
	memset(cfg, 0, 16 * sizeof(cfg[0]));
	cfg[0] = 0x29228086;
	cfg[1] = 0x00100007;
	cfg[2] = 0x01060102; /* class 01, subclass 06, prog-if 01, revision 02 */
	cfg[8] = 0x0000c001;
	cfg[9] = 0xfebf1000;
}

static void takes_qemus_controller(void **state)
{
	(void)state;
	uint32_t cfg[16], abar = 0;
	struct error err = {{0}};
	qemu_config(cfg);
	assert_int_equal(ahci_pci_abar(cfg, &abar, &err), 0);
	assert_int_equal(abar, 0xfebf1000);
}

static void expect_no_controller(const uint32_t cfg[16], const char *part)
{
	uint32_t abar;
	struct error err = {{0}};
	assert_int_equal(ahci_pci_abar(cfg, &abar, &err), -1);
	assert_non_null(strstr(err.msg, part));
}

static void refuses_other_functions(void **state)
{
	(void)state;
	uint32_t cfg[16];
	qemu_config(cfg);
	cfg[2] = 0x01018002; /* bus-master IDE */
	expect_no_controller(cfg, "class 010180");
	qemu_config(cfg);
	cfg[2] = 0x01060002; /* SATA, vendor-specific interface */
	expect_no_controller(cfg, "class 010600");
	qemu_config(cfg);
	cfg[1] = 0x00100005; /* memory decoding off */
	expect_no_controller(cfg, "command 0x0005");
	qemu_config(cfg);
	cfg[1] = 0x00100003; /* bus mastering off: the firmware reads by PIO */
	expect_no_controller(cfg, "command 0x0003");
	qemu_config(cfg);
	cfg[9] = 0xfebf1004; /* a 64-bit BAR: its high half is not ours to read */
	expect_no_controller(cfg, "ABAR 0xfebf1004");
	qemu_config(cfg);
	cfg[9] = 0x0000c041; /* I/O space */
	expect_no_controller(cfg, "ABAR 0xc041");
	qemu_config(cfg);
	cfg[9] = 0; /* never assigned */
	expect_no_controller(cfg, "ABAR 0x0");
}

/* A disk port as SeaBIOS leaves it: link up and active, ATA signature,
 * started with FIS receive on, polled, idle (DRDY | DSC). */
static struct ahci_port_state running_disk(void)
{
	return (struct ahci_port_state){.clb = 0x0efe6400,
	                                .clbu = 0,
	                                .fb = 0x0efe6800,
	                                .fbu = 0,
	                                .cmd = AHCI_CMD_ST | AHCI_CMD_FRE | AHCI_CMD_CR |
	                                       (1u << 14) /* FR */,
	                                .ie = 0,
	                                .tfd = 0x50,
	                                .sig = AHCI_SIG_ATA,
	                                .ssts = 0x113};
}

/* The same port as edk2 leaves it between commands: both engines off
 * (SUD | POD), the command list and FIS area still set. */
static struct ahci_port_state stopped_disk(void)
{
	struct ahci_port_state p = running_disk();
	p.cmd = 0x6;
	return p;
}

static void expect_refused(struct ahci_port_state p, const char *part)
{
	struct error err = {{0}};
	assert_int_equal(ahci_port_usable(3, &p, &err), -1);
	assert_non_null(strstr(err.msg, "port 3"));
	assert_non_null(strstr(err.msg, part));
}

static void takes_a_running_disk_port_only(void **state)
{
	(void)state;
	struct error err = {{0}};
	struct ahci_port_state p = running_disk();
	assert_int_equal(ahci_port_usable(0, &p, &err), 0);
	p = stopped_disk();
	assert_int_equal(ahci_port_usable(0, &p, &err), 0);

	p = running_disk();
	p.ssts = 0x000; /* nothing attached */
	expect_refused(p, "SStatus 0x0");
	p = running_disk();
	p.ssts = 0x613; /* link in slumber */
	expect_refused(p, "SStatus 0x613");
	p = running_disk();
	p.sig = 0xeb140101; /* ATAPI: a CD drive */
	expect_refused(p, "signature 0xeb140101");
	/* Half started or half stopped: in no state we know. */
	p = running_disk();
	p.cmd &= ~AHCI_CMD_ST;
	expect_refused(p, "PxCMD 0xc010");
	p = running_disk();
	p.cmd &= ~AHCI_CMD_CR;
	expect_refused(p, "PxCMD 0x4011");
	p = stopped_disk();
	p.cmd |= AHCI_CMD_FRE | AHCI_CMD_FR;
	expect_refused(p, "PxCMD 0x4016");
	p = stopped_disk();
	p.fb = 0; /* nowhere for received FISes to go */
	expect_refused(p, "PxFB 0x0");
	p = stopped_disk();
	p.fbu = 2;
	expect_refused(p, "PxFB 0x20efe6800");
	p = running_disk();
	p.clbu = 1; /* command list above 4 GiB */
	expect_refused(p, "PxCLB 0x10efe6400");
	p = running_disk();
	p.ie = 1; /* the firmware takes its interrupts */
	expect_refused(p, "PxIE 0x1");
	p = running_disk();
	p.tfd = 0xd0; /* busy */
	expect_refused(p, "PxTFD 0xd0");
	p = running_disk();
	p.tfd = 0x58; /* DRQ: a transfer under way */
	expect_refused(p, "PxTFD 0x58");
}

static void builds_a_small_read(void **state)
{
	(void)state;
	struct ahci_cmd_header h;
	struct ahci_cmd_table t;
	memset(&h, 0xaa, sizeof(h));
	memset(&t, 0xaa, sizeof(t));
	uint32_t n = ahci_build_read(&h, &t, 0x20080, 0x0000123456789abcull, 2, 0x7000);
	assert_int_equal(n, 2);
	/* Header: 5-dword FIS, a read (W clear), one descriptor; the byte
	 * count the HBA writes back starts at 0. */
	assert_int_equal(h.flags, 5u | 1u << 16);
	assert_int_equal(h.prdbc, 0);
	assert_int_equal(h.ctba, 0x20080);
	assert_int_equal(h.ctbau, 0);
	/* Register FIS, host to device, C bit, READ DMA EXT, LBA mode. */
	static const uint8_t fis[16] = {0x27, 0x80, 0x25, 0x00, 0xbc, 0x9a, 0x78, 0x40,
	                                0x56, 0x34, 0x12, 0x00, 0x02, 0x00, 0x00, 0x00};
	assert_memory_equal(t.cfis, fis, sizeof(fis));
	for (size_t i = sizeof(fis); i < sizeof(t.cfis); i++)
		assert_int_equal(t.cfis[i], 0);
	assert_int_equal(t.prdt[0].dba, 0x7000);
	assert_int_equal(t.prdt[0].dbau, 0);
	assert_int_equal(t.prdt[0].dbc, 1023); /* bytes - 1, no interrupt */
	assert_int_equal(t.prdt[1].dbc, 0);
}

static void splits_a_big_read_at_4_mib(void **state)
{
	(void)state;
	struct ahci_cmd_header h;
	struct ahci_cmd_table t;
	/* 10 MiB + 1 sector from an odd-sector address: 4 + 4 + 2 MiB + 512. */
	uint32_t sectors = (10u << 11) + 1;
	uint32_t n = ahci_build_read(&h, &t, 0x20000, 0x800, sectors, 0x100200);
	assert_int_equal(n, sectors);
	assert_int_equal(h.flags >> 16, 3);
	assert_int_equal(t.prdt[0].dba, 0x100200);
	assert_int_equal(t.prdt[0].dbc, (4u << 20) - 1);
	assert_int_equal(t.prdt[1].dba, 0x100200 + (4u << 20));
	assert_int_equal(t.prdt[1].dbc, (4u << 20) - 1);
	assert_int_equal(t.prdt[2].dba, 0x100200 + (8u << 20));
	assert_int_equal(t.prdt[2].dbc, (2u << 20) + 512 - 1);
	assert_int_equal(t.prdt[3].dbc, 0);
	assert_int_equal(t.cfis[12], sectors & 0xff);
	assert_int_equal(t.cfis[13], sectors >> 8);
}

static void caps_a_command_at_16_mib(void **state)
{
	(void)state;
	struct ahci_cmd_header h;
	struct ahci_cmd_table t;
	uint32_t n = ahci_build_read(&h, &t, 0x20000, 0, 0x20000 /* 64 MiB */, 0x1000000);
	assert_int_equal(n, AHCI_MAX_SECTORS);
	assert_int_equal(AHCI_MAX_SECTORS, 32768);
	assert_int_equal(h.flags >> 16, AHCI_PRDS);
	/* 32768 in the 16-bit count: 0x8000, not the 0 that means 65536. */
	assert_int_equal(t.cfis[12], 0x00);
	assert_int_equal(t.cfis[13], 0x80);
	for (unsigned i = 0; i < AHCI_PRDS; i++) {
		assert_int_equal(t.prdt[i].dba, 0x1000000 + i * (4u << 20));
		assert_int_equal(t.prdt[i].dbc, (4u << 20) - 1);
	}
}

static void judges_a_finished_command(void **state)
{
	(void)state;
	struct error err = {{0}};
	/* D2H register FIS received, status DRDY | DSC. */
	assert_int_equal(ahci_command_result(0x800, 8, 0x1, 0x50, 0, &err), 0);

	assert_int_equal(ahci_command_result(0x800, 8, AHCI_IS_TFES | 1, 0x0451, 0, &err), -1);
	assert_string_equal(err.msg, "ahci: read of 8 sectors at LBA 0x800 failed: status 0x51, "
	                             "error 0x04, PxIS 0x40000001");
	/* ERR in the status without TFES (a firmware that masks it). */
	assert_int_equal(ahci_command_result(0x800, 8, 0x1, 0x4041, 0, &err), -1);
	assert_non_null(strstr(err.msg, "failed: status 0x41, error 0x40"));
	assert_int_equal(ahci_command_result(0x1000, 1, 0, 0x80, 1, &err), -1);
	assert_string_equal(err.msg, "ahci: read of 1 sectors at LBA 0x1000 timed out: status "
	                             "0x80, error 0x00, PxIS 0x0");
	/* PxCI cleared but the disk still busy or asking for data. */
	assert_int_equal(ahci_command_result(0, 1, 0x1, 0xd0, 0, &err), -1);
	assert_int_equal(ahci_command_result(0, 1, 0x1, 0x58, 0, &err), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(takes_qemus_controller),
	    cmocka_unit_test(refuses_other_functions),
	    cmocka_unit_test(takes_a_running_disk_port_only),
	    cmocka_unit_test(builds_a_small_read),
	    cmocka_unit_test(splits_a_big_read_at_4_mib),
	    cmocka_unit_test(caps_a_command_at_16_mib),
	    cmocka_unit_test(judges_a_finished_command),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
