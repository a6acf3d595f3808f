/* common/device_path.h - UEFI device paths as bytes (UEFI 2.10 10.2,
 * 10.3): nodes of a type, a subtype and a 16-bit length that counts the
 * node's 4-byte header; instances of a multi-instance path end in node
 * 7F 01, the whole path in 7F FF. The UEFI loader reads them from firmware
 * variables, which are only as sound as the firmware that wrote them, so
 * every length is checked. */
#ifndef TWINBOOT_DEVICE_PATH_H
#define TWINBOOT_DEVICE_PATH_H

#include <stddef.h>

/* 1 when a node of the path (any instance) is a UART (messaging type 3,
 * subtype 14, 10.3.4.11): a console on a serial port. 0 otherwise, and
 * for a path that runs past `size` or has a node shorter than its header
 * (the nodes before it still count). */
int device_path_has_uart(const void *path, size_t size);

#endif
