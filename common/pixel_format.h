/* common/pixel_format.h - a framebuffer's pixel layout from channel bit
 * masks, as UEFI's GOP describes a PixelBitMask mode (UEFI 2.10 12.9,
 * EFI_PIXEL_BITMASK): which bits of a pixel are red, green, blue and
 * reserved, and from those how many bits a pixel takes. Its two fixed
 * formats are the 32-bit cases of the same masks. */
#ifndef TWINBOOT_PIXEL_FORMAT_H
#define TWINBOOT_PIXEL_FORMAT_H

#include <stdint.h>

#include "bootinfo.h"
#include "error.h"

/* Set c->bpp and the size and shift of each colour channel. The pixel is
 * as wide as its highest set bit, rounded up to whole bytes (as Linux's
 * EFI stub reads it), and must come to 16, 24 or 32 bits, the widths the
 * boot info allows. Each colour mask must be one run of set bits, and no
 * two masks may share a bit. Returns 0, or -1 with err saying which rule
 * the masks break. */
int pixel_format_from_masks(struct tb_console *c, uint32_t red, uint32_t green, uint32_t blue,
                            uint32_t reserved, struct error *err);

#endif
