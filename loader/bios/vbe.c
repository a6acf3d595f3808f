/* loader/bios/vbe.c - a linear framebuffer through the VESA BIOS
 * Extensions (VESA "VBE Core Functions Standard" 3.0).
 *
 * 4F00h gives the controller info and its mode list, 4F01h each mode's
 * info; we keep modes with a linear framebuffer and direct colour at 32,
 * 24 or 16 bits per pixel, pick the one closest to the size asked for, and
 * set it with 4F02h and bit 14 (use the LFB). VBE 3.0 has separate pitch
 * and masks for linear modes; older versions have only the banked ones.
 */
#include <stdint.h>

#include "bios.h"
#include "lib.h"
#include "log.h"

#define VBE_OK 0x004f
#define VBE_MAX_MODES 256u
#define MODE_SUPPORTED 0x0001u /* ModeAttributes bit 0 */
#define MODE_GRAPHICS 0x0010u  /* bit 4 */
#define MODE_LFB 0x0080u       /* bit 7 */
#define MODEL_PACKED 4
#define MODEL_DIRECT 6

/* VBE 3.0 table "VbeInfoBlock" (the first fields). */
struct vbe_info {
	char signature[4];
	uint16_t version;
	uint32_t oem_string;
	uint32_t capabilities;
	uint32_t mode_list;    /* far pointer */
	uint16_t total_memory; /* 64 KiB units */
} __attribute__((packed));

/* VBE 3.0 table "ModeInfoBlock" (up to the linear fields). */
struct vbe_mode_info {
	uint16_t attributes;
	uint8_t win_a, win_b;
	uint16_t granularity, win_size, seg_a, seg_b;
	uint32_t win_func;
	uint16_t pitch, width, height;
	uint8_t char_w, char_h, planes, bpp, banks, model, bank_size, pages, reserved0;
	uint8_t red_size, red_shift, green_size, green_shift, blue_size, blue_shift;
	uint8_t rsvd_size, rsvd_shift, direct_info;
	uint32_t framebuffer;
	uint32_t reserved1;
	uint16_t reserved2;
	uint16_t lin_pitch;
	uint8_t bank_pages, lin_pages;
	uint8_t lin_red_size, lin_red_shift, lin_green_size, lin_green_shift;
	uint8_t lin_blue_size, lin_blue_shift;
} __attribute__((packed));

#define VBE_INFO ((volatile struct vbe_info *)bios_ptr(BIOS_SCRATCH))
#define VBE_MODE ((volatile struct vbe_mode_info *)bios_ptr(BIOS_SCRATCH + 0x200))

static uint16_t modes[VBE_MAX_MODES];

static uint16_t vbe_call(uint32_t ax, uint32_t bx, uint32_t cx, uint32_t buffer)
{
	struct bios_regs r = {0};
	r.eax = ax;
	r.ebx = bx;
	r.ecx = cx;
	r.es = BIOS_SEG(buffer);
	r.edi = BIOS_OFF(buffer);
	bios_int(0x10, &r);
	return (uint16_t)r.eax;
}

/* Copy the mode list out of the info block (it may point into it). */
static unsigned read_mode_list(uint16_t *version, uint32_t *vram)
{
	memset((void *)VBE_INFO, 0, 512);
	memcpy((void *)VBE_INFO->signature, "VBE2", 4); /* ask for 2.0+ fields */
	if (vbe_call(0x4f00, 0, 0, BIOS_SCRATCH) != VBE_OK ||
	    memcmp((const void *)VBE_INFO->signature, "VESA", 4))
		return 0;
	*version = VBE_INFO->version;
	*vram = (uint32_t)VBE_INFO->total_memory << 16;
	const volatile uint16_t *list = bios_ptr(BIOS_FARPTR(VBE_INFO->mode_list));
	unsigned n;
	for (n = 0; n < VBE_MAX_MODES && list[n] != 0xffff; n++)
		modes[n] = list[n];
	return n;
}

/* Describe the mode in VBE_MODE as a console; 0 if it doesn't qualify. */
static int mode_usable(uint16_t version, uint32_t vram, struct tb_console *c)
{
	const volatile struct vbe_mode_info *m = VBE_MODE;
	uint16_t need = MODE_SUPPORTED | MODE_GRAPHICS | MODE_LFB;
	if ((m->attributes & need) != need || !m->framebuffer)
		return 0;
	if (m->model != MODEL_DIRECT && m->model != MODEL_PACKED)
		return 0;
	if (m->bpp != 32 && m->bpp != 24 && m->bpp != 16)
		return 0;
	int v3 = version >= 0x300;
	*c = (struct tb_console){0};
	c->type = TB_CONSOLE_FRAMEBUFFER;
	c->address = m->framebuffer;
	c->width = m->width;
	c->height = m->height;
	c->pitch = v3 && m->lin_pitch ? m->lin_pitch : m->pitch;
	c->bpp = m->bpp;
	c->red_size = v3 ? m->lin_red_size : m->red_size;
	c->red_shift = v3 ? m->lin_red_shift : m->red_shift;
	c->green_size = v3 ? m->lin_green_size : m->green_size;
	c->green_shift = v3 ? m->lin_green_shift : m->green_shift;
	c->blue_size = v3 ? m->lin_blue_size : m->blue_size;
	c->blue_shift = v3 ? m->lin_blue_shift : m->blue_shift;
	if (!c->red_size || !c->green_size || !c->blue_size)
		return 0; /* packed 8-bit palette modes and the like */
	if (vram && (uint64_t)c->pitch * c->height > vram)
		return 0;
	return 1;
}

static uint32_t distance(const struct tb_console *c, uint32_t w, uint32_t h)
{
	uint32_t dw = c->width > w ? c->width - w : w - c->width;
	uint32_t dh = c->height > h ? c->height - h : h - c->height;
	/* Closest size first; among equals, more colours. */
	return (dw + dh) * 64 + (32 - c->bpp);
}

int vbe_set_mode(uint32_t width, uint32_t height, int verbose, struct tb_console *console)
{
	uint16_t version = 0, best_mode = 0xffff;
	uint32_t vram = 0, best_distance = 0xffffffffu;
	struct tb_console c, best = {0};
	unsigned n = read_mode_list(&version, &vram);
	if (!n) {
		log_info("vbe: no VBE 2.0+ BIOS: keeping text mode");
		return -1;
	}
	for (unsigned i = 0; i < n; i++) {
		memset((void *)VBE_MODE, 0, 256);
		if (vbe_call(0x4f01, 0, modes[i], BIOS_SCRATCH + 0x200) != VBE_OK ||
		    !mode_usable(version, vram, &c))
			continue;
		if (verbose)
			log_info("vbe: mode 0x%03x %ux%ux%u", modes[i], c.width, c.height, c.bpp);
		if (distance(&c, width, height) < best_distance) {
			best_distance = distance(&c, width, height);
			best_mode = modes[i];
			best = c;
		}
	}
	if (best_mode == 0xffff) {
		log_info("vbe: no linear framebuffer mode among %u: keeping text mode", n);
		return -1;
	}
	/* Bit 14: linear framebuffer instead of bank switching. */
	uint16_t ax = vbe_call(0x4f02, best_mode | 0x4000u, 0, BIOS_SCRATCH);
	if (ax != VBE_OK) {
		log_info("vbe: setting mode 0x%03x (%ux%u) failed, AX 0x%04x: keeping text mode",
		         best_mode, best.width, best.height, ax);
		return -1;
	}
	console_serial_only();
	log_info("vbe: mode 0x%03x %ux%ux%u, framebuffer 0x%llx, pitch %u", best_mode, best.width,
	         best.height, best.bpp, (unsigned long long)best.address, best.pitch);
	*console = best;
	return 0;
}
