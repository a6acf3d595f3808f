/* common/config.h - parse /boot/twinboot.cfg.
 *
 * One `key=value` per line; '#' starts a comment; blank lines and spaces
 * around key and value are ignored. Keys: kernel= (default
 * /boot/kernel.elf), cmdline=, module= (repeatable, a path; the boot info
 * names it by its file name), video=WIDTHxHEIGHT, serial=on|off,
 * verbose=0|1. An unknown key, a malformed line, a value too long or one
 * module too many is an error naming the line number; a file with no
 * setting at all (empty, or only comments) is an error too, since mkimage
 * always writes one and an empty file means a damaged image.
 */
#ifndef TWINBOOT_CONFIG_H
#define TWINBOOT_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

#define CONFIG_PATH "/boot/twinboot.cfg"
#define CONFIG_PATH_MAX 128
#define CONFIG_CMDLINE_MAX 4096 /* bytes including the NUL */
#define CONFIG_MODULES_MAX 64
/* The largest config file the loaders read and mkimage writes: ten
 * times what the longest settings take. It fits the buffer the loaders
 * read the kernel's head into, so the config needs no allocation. */
#define CONFIG_FILE_MAX (60u << 10)

struct config {
	char kernel[CONFIG_PATH_MAX];
	char cmdline[CONFIG_CMDLINE_MAX];
	unsigned module_count;
	char modules[CONFIG_MODULES_MAX][CONFIG_PATH_MAX];
	uint32_t video_width; /* 0: keep the firmware's mode */
	uint32_t video_height;
	int serial;  /* 1 (default): mirror output to COM1 */
	int verbose; /* 1: log each step */
	/* 1 (default, disk=native): the loaders may read the boot disk by
	 * their own drivers (BIOS: IDE bus-master DMA, virtio-blk; UEFI: IDE
	 * bus-master DMA); 0 (disk=firmware): through the firmware only. */
	int native_disk;
};

/* Parse `len` bytes of text (need not be NUL-terminated). Fills *cfg,
 * defaults first. Returns 0, or -1 with err like
 * "config: line 3: unknown key 'kernal'". */
int config_parse(const char *text, size_t len, struct config *cfg, struct error *err);

/* The file-name part of a path ("/boot/initrd" -> "initrd"). */
const char *config_basename(const char *path);

#endif
