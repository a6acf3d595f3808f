/* tests/unit/test_device_path.c - common/device_path.c on console paths
 * as firmware stores them in its ConOut variable: OVMF's (a serial
 * terminal, then the screen, two instances), a screen alone, and broken
 * ones (a zero length, a node running past the buffer, bytes after the
 * end of the path), which must neither hang nor read out of bounds. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "device_path.h"

#define NODE(type, subtype, len) (type), (subtype), (len)&0xff, (len) >> 8
#define ACPI_PCI_ROOT NODE(0x02, 0x01, 12), 0xd0, 0x41, 0x03, 0x0a, 0, 0, 0, 0
#define PCI(dev, fn) NODE(0x01, 0x01, 6), (fn), (dev)
#define SERIAL_ISA NODE(0x02, 0x01, 12), 0xd0, 0x41, 0x01, 0x05, 0, 0, 0, 0
#define UART NODE(0x03, 0x0e, 19), 0, 0, 0, 0, 0x00, 0xc2, 0x01, 0, 0, 0, 0, 0, 8, 1, 1
#define VT100                                                                                      \
	NODE(0x03, 0x0a, 20), 0x65, 0x7a, 0xb0, 0xdf, 0xb1, 0xa1, 0xd3, 0x11, 0x9a, 0x37, 0x00,    \
	    0xa0, 0xc9, 0x69, 0x72, 0x3b
#define END_INSTANCE NODE(0x7f, 0x01, 4)
#define END NODE(0x7f, 0xff, 4)

/* A copy of exactly `size` bytes on the heap, so ASan catches a read
 * past the end. */
static int has_uart(const uint8_t *bytes, size_t size)
{
	uint8_t *copy = malloc(size ? size : 1);
	memcpy(copy, bytes, size);
	int r = device_path_has_uart(copy, size);
	free(copy);
	return r;
}

static void test_serial_console_in_any_instance(void **state)
{
	(void)state;
	/* OVMF on pc: COM1's terminal, then the VGA controller's GOP. */
	static const uint8_t ovmf[] = {ACPI_PCI_ROOT, PCI(1, 0),     SERIAL_ISA, UART, VT100,
	                               END_INSTANCE,  ACPI_PCI_ROOT, PCI(2, 0),  END};
	assert_int_equal(has_uart(ovmf, sizeof(ovmf)), 1);
	/* The screen first, the serial terminal in the second instance. */
	static const uint8_t second[] = {ACPI_PCI_ROOT, PCI(2, 0), END_INSTANCE,
	                                 ACPI_PCI_ROOT, PCI(1, 0), SERIAL_ISA,
	                                 UART,          VT100,     END};
	assert_int_equal(has_uart(second, sizeof(second)), 1);
}

static void test_screen_only(void **state)
{
	(void)state;
	static const uint8_t screen[] = {ACPI_PCI_ROOT, PCI(2, 0), END};
	assert_int_equal(has_uart(screen, sizeof(screen)), 0);
	assert_int_equal(has_uart(screen, 0), 0);
}

static void test_broken_paths(void **state)
{
	(void)state;
	/* A zero-length node would loop forever if taken at its word. */
	static const uint8_t zero[] = {ACPI_PCI_ROOT, NODE(0x01, 0x01, 0), UART, END};
	assert_int_equal(has_uart(zero, sizeof(zero)), 0);
	/* The UART node cut short by the end of the variable. */
	static const uint8_t cut[] = {ACPI_PCI_ROOT, PCI(1, 0), SERIAL_ISA, UART};
	assert_int_equal(has_uart(cut, sizeof(cut) - 1), 0);
	assert_int_equal(has_uart(cut, sizeof(cut)), 1);
	/* Bytes after the end of the path are not part of it. */
	static const uint8_t after[] = {ACPI_PCI_ROOT, PCI(2, 0), END, UART};
	assert_int_equal(has_uart(after, sizeof(after)), 0);
	/* A header cut in half. */
	static const uint8_t half[] = {ACPI_PCI_ROOT, 0x03, 0x0e};
	assert_int_equal(has_uart(half, sizeof(half)), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_serial_console_in_any_instance),
	    cmocka_unit_test(test_screen_only),
	    cmocka_unit_test(test_broken_paths),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
