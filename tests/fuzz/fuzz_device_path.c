/* tests/fuzz/fuzz_device_path.c - libFuzzer target for
 * common/device_path.c.
 *
 * The input is a ConOut variable's bytes as firmware might store them,
 * broken or not. ASan holds the reader inside them; and a UART found in
 * the first n bytes must still be found in all of them, since a node that
 * fits in a prefix fits in the whole.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "device_path.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int whole = device_path_has_uart(data, size);
	if (whole != 0 && whole != 1)
		abort();
	for (size_t n = 0; n < size; n++)
		if (device_path_has_uart(data, n) && !whole)
			abort();
	return 0;
}
