/* kernel/console.c - routes text to the screen and to COM1, moves the VGA
 * hardware cursor, and implements kprintf on the shared formatter. The
 * renderers it drives (vga.c, fb.c) are pure; the port writes live here.
 * VGA CRTC registers 0Eh/0Fh (Cursor Location High/Low): IBM VGA
 * Technical Reference, "CRT Controller Registers". */
#include "console.h"

#include "color.h"
#include "fb.h"
#include "fmt.h"
#include "uart.h"
#include "vga.h"
#include "x86.h"

#define CRTC_INDEX 0x3d4
#define CRTC_DATA 0x3d5
#define CRTC_CURSOR_HIGH 0x0e
#define CRTC_CURSOR_LOW 0x0f

static enum console_kind kind = CONSOLE_SERIAL_ONLY;
static struct vga_text vga;
static struct fb_console fb;

enum console_kind console_init(const struct tb_console *con, uint64_t direct_map_offset)
{
	void *screen = (void *)(uintptr_t)(direct_map_offset + con->address);
	kind = CONSOLE_SERIAL_ONLY;
	if (con->type == TB_CONSOLE_VGA_TEXT && con->address && con->width && con->height) {
		vga_init(&vga, screen, con->width, con->height);
		kind = CONSOLE_VGA;
	} else if (con->type == TB_CONSOLE_FRAMEBUFFER && con->address) {
		struct fb_surface s = {
		    .base = screen,
		    .width = con->width,
		    .height = con->height,
		    .pitch = con->pitch,
		    .bpp = con->bpp,
		    .red_size = con->red_size,
		    .red_shift = con->red_shift,
		    .green_size = con->green_size,
		    .green_shift = con->green_shift,
		    .blue_size = con->blue_size,
		    .blue_shift = con->blue_shift,
		};
		if (fb_init(&fb, &s) == 0)
			kind = CONSOLE_FB;
	}
	return kind;
}

/* The cursor register holds the cell index row * width + col. */
static void vga_cursor_update(void)
{
	unsigned row = vga.row < vga.height ? vga.row : vga.height - 1;
	uint16_t pos = (uint16_t)(row * vga.width + vga.col);
	outb(CRTC_INDEX, CRTC_CURSOR_HIGH);
	outb(CRTC_DATA, (uint8_t)(pos >> 8));
	outb(CRTC_INDEX, CRTC_CURSOR_LOW);
	outb(CRTC_DATA, (uint8_t)pos);
}

void console_clear(void)
{
	if (kind == CONSOLE_VGA) {
		vga_clear(&vga);
		vga_cursor_update();
	} else if (kind == CONSOLE_FB) {
		fb_clear(&fb);
	}
}

void console_set_color(uint8_t fg, uint8_t bg)
{
	vga_set_color(&vga, fg, bg);
	fb_set_color(&fb, fg, bg);
}

void console_write(const char *s, size_t n)
{
	if (kind == CONSOLE_VGA) {
		vga_write(&vga, s, n);
		vga_cursor_update();
	} else if (kind == CONSOLE_FB) {
		fb_write(&fb, s, n);
	}
	uart_write(s, n);
}

static void sink(void *ctx, const char *text, size_t len)
{
	(void)ctx;
	console_write(text, len);
}

int kvprintf(const char *fmt, va_list ap)
{
	return fmt_vformat(sink, NULL, fmt, ap);
}

int kprintf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = kvprintf(fmt, ap);
	va_end(ap);
	return n;
}
