/* loader/uefi/gop.c - the screen: a GOP linear framebuffer (UEFI 2.10
 * 12.9). The firmware's mode is kept unless video=WxH asks for another;
 * its pixels are as wide as their masks say (common/pixel_format.c), not
 * always 32 bits. A mode with no framebuffer (BltOnly) or masks the boot
 * info can't describe, or no GOP at all, leaves the kernel a serial
 * console. Graphics never fails the boot. */
#include <efi.h>

#include "log.h"
#include "pixel_format.h"
#include "platform.h"
#include "uefi.h"

static uint32_t distance(uint32_t w, uint32_t h, uint32_t want_w, uint32_t want_h)
{
	uint32_t dw = w > want_w ? w - want_w : want_w - w;
	uint32_t dh = h > want_h ? h - want_h : want_h - h;
	return dw + dh;
}

/* The pixel layout of a mode into c (bpp and channels): GOP's two fixed
 * formats are the 32-bit cases of PixelBitMask's masks. -1 with err when
 * the mode has no framebuffer (BltOnly) or one the boot info can't
 * describe: the kernel could not draw into it. */
static int mode_format(const EFI_GRAPHICS_OUTPUT_MODE_INFORMATION *info, struct tb_console *c,
                       struct error *err)
{
	uint32_t r = 0xff, g = 0xff00, b = 0xff0000, reserved = 0xff000000;
	switch (info->PixelFormat) {
	case PixelRedGreenBlueReserved8BitPerColor:
		break;
	case PixelBlueGreenRedReserved8BitPerColor:
		r = 0xff0000, b = 0xff;
		break;
	case PixelBitMask: /* any width: 16-bit 5:6:5 modes exist */
		r = info->PixelInformation.RedMask;
		g = info->PixelInformation.GreenMask;
		b = info->PixelInformation.BlueMask;
		reserved = info->PixelInformation.ReservedMask;
		break;
	default:
		return error_set(err, "the mode has no framebuffer (BltOnly)");
	}
	return pixel_format_from_masks(c, r, g, b, reserved, err);
}

static void choose_mode(EFI_GRAPHICS_OUTPUT_PROTOCOL *gop, uint32_t width, uint32_t height,
                        int verbose)
{
	UINT32 best = gop->Mode->Mode, best_distance = UINT32_MAX;
	for (UINT32 m = 0; m < gop->Mode->MaxMode; m++) {
		EFI_GRAPHICS_OUTPUT_MODE_INFORMATION *info;
		UINTN size;
		if (EFI_ERROR(gop->QueryMode(gop, m, &size, &info)))
			continue;
		struct tb_console scratch;
		int usable = !mode_format(info, &scratch, NULL);
		uint32_t w = info->HorizontalResolution, h = info->VerticalResolution;
		if (verbose)
			log_info("gop: mode %u: %ux%u%s%s", (unsigned)m, (unsigned)w, (unsigned)h,
			         usable ? "" : " (no usable framebuffer)",
			         m == gop->Mode->Mode ? " (current)" : "");
		/* QueryMode hands us pool memory (UEFI 2.10 12.9). */
		uefi_bs->FreePool(info);
		uint32_t d = distance(w, h, width, height);
		if (usable && d < best_distance) {
			best_distance = d;
			best = m;
		}
	}
	if (best == gop->Mode->Mode)
		return;
	EFI_STATUS s = gop->SetMode(gop, best);
	if (EFI_ERROR(s))
		log_info("gop: SetMode(%u) for video=%ux%u failed: %s; keeping the current mode",
		         (unsigned)best, (unsigned)width, (unsigned)height, uefi_status_text(s));
}

void platform_set_video(uint32_t width, uint32_t height, int verbose, struct tb_console *console)
{
	EFI_GUID gop_guid = EFI_GRAPHICS_OUTPUT_PROTOCOL_GUID;
	EFI_GRAPHICS_OUTPUT_PROTOCOL *gop;
	console->type = TB_CONSOLE_NONE;
	if (EFI_ERROR(uefi_bs->LocateProtocol(&gop_guid, NULL, (void **)&gop)) || !gop->Mode) {
		log_verbose("gop: no graphics output: the kernel gets serial only");
		return;
	}
	if (width && height)
		choose_mode(gop, width, height, verbose);

	EFI_GRAPHICS_OUTPUT_MODE_INFORMATION *info = gop->Mode->Info;
	struct error err = {{0}};
	if (mode_format(info, console, &err)) {
		log_info("gop: %s; the kernel gets serial only", err.msg);
		*console = (struct tb_console){.type = TB_CONSOLE_NONE};
		return;
	}
	console->type = TB_CONSOLE_FRAMEBUFFER;
	console->address = gop->Mode->FrameBufferBase;
	console->width = info->HorizontalResolution;
	console->height = info->VerticalResolution;
	console->pitch = info->PixelsPerScanLine * (console->bpp / 8u);
	log_verbose("gop: %ux%ux%u framebuffer at 0x%llx", (unsigned)console->width,
	            (unsigned)console->height, (unsigned)console->bpp,
	            (unsigned long long)console->address);
}
