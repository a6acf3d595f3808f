/* tools/mkimage/main.c - mkimage's command line.
 *
 *   mkimage -o IMAGE --kernel FILE [--cmdline TEXT] [--module FILE[=NAME]]...
 *           [--config FILE] [--size MiB] [--mbr protective|hybrid]
 *           [--mbr-code FILE] [--stage2 FILE] [--efi FILE]
 *           [--sign KEY.pem --cert CERT.pem]
 *   mkimage check FILE
 *
 * Every mistake is one line on stderr and exit status 1.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "mkimage.h"

#ifndef TWINBOOT_DATADIR
#define TWINBOOT_DATADIR "/usr/local/share/twinboot"
#endif

static const char usage[] =
    "usage: mkimage -o IMAGE --kernel FILE [options]   make a BIOS+UEFI disk image\n"
    "       mkimage check FILE                         will this kernel boot?\n"
    "\n"
    "  -o, --output IMAGE      the image to write (replaced atomically)\n"
    "  --kernel FILE           an ELF64 x86-64 kernel taking the twinboot boot info\n"
    "  --cmdline TEXT          the kernel command line\n"
    "  --module FILE[=NAME]    copy FILE to /boot/NAME and list it in the config\n"
    "                          (repeatable, up to 64; NAME defaults to FILE's name)\n"
    "  --config FILE           use FILE as /boot/twinboot.cfg instead of writing one\n"
    "  --size MiB              the whole disk's size (default: content + room)\n"
    "  --mbr hybrid|protective hybrid (default) also lists the ESP as an active FAT\n"
    "                          partition for strict BIOSes; protective is the UEFI spec's\n"
    "  --mbr-code FILE         stage 1 (default: mbr.bin in ../share/twinboot beside\n"
    "                          mkimage, else " TWINBOOT_DATADIR ")\n"
    "  --stage2 FILE           stage 2 (default: stage2.bin there)\n"
    "  --efi FILE              BOOTX64.EFI (default: BOOTX64.EFI there)\n"
    "  --sign KEY --cert CERT  pin the kernel, config and modules by SHA-256 in\n"
    "                          BOOTX64.EFI and sign it with sbsign, for Secure Boot\n"
    "                          (PEM key without passphrase; docs/SECURE-BOOT.md)\n"
    "\n"
    "SOURCE_DATE_EPOCH (default 315532800, 1980-01-01) sets the FAT timestamps and\n"
    "enters the GUIDs; the same inputs give the same bytes.\n";

static int fail(const char *fmt, const char *arg)
{
	fprintf(stderr, "mkimage: ");
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	return 1;
}

static int parse_module(struct options *opt, const char *arg)
{
	if (opt->module_count == MAX_MODULES)
		return fail("more than %s modules", "64");
	struct module_arg *m = &opt->modules[opt->module_count++];
	const char *eq = strchr(arg, '=');
	const char *name;
	if (eq) {
		static char paths[MAX_MODULES][4096];
		size_t len = (size_t)(eq - arg);
		if (len >= sizeof(paths[0]))
			return fail("--module %s: path too long", arg);
		memcpy(paths[opt->module_count - 1], arg, len);
		paths[opt->module_count - 1][len] = 0;
		m->path = paths[opt->module_count - 1];
		name = eq + 1;
	} else {
		m->path = arg;
		const char *slash = strrchr(arg, '/');
		name = slash ? slash + 1 : arg;
	}
	/* The name becomes /boot/NAME on the ESP, a module= line of the
	 * config (which trims spaces and cuts at '#') and the boot info's
	 * module name: a FAT long name without the characters FAT forbids
	 * (Microsoft FAT spec, "Long File Names"). */
	size_t len = strlen(name);
	int bad = !len || len >= sizeof(m->name) || name[0] == '.' || name[0] == ' ' ||
	          name[len - 1] == ' ' || name[len - 1] == '.' || strpbrk(name, "/\\:*?\"<>|#") ||
	          !strcasecmp(name, "kernel.elf") || !strcasecmp(name, "twinboot.cfg");
	for (size_t i = 0; i < len; i++)
		bad |= (unsigned char)name[i] < 0x20 || name[i] == 0x7f;
	if (bad)
		return fail("--module %s: NAME must be 1-63 characters, none of /\\:*?\"<>|# or "
		            "control characters, not starting with '.' or ' ', not kernel.elf or "
		            "twinboot.cfg",
		            arg);
	strcpy(m->name, name);
	for (unsigned i = 0; i + 1 < opt->module_count; i++)
		if (!strcasecmp(opt->modules[i].name, name))
			return fail("--module %s: two modules named that", name);
	return 0;
}

/* Where an installed mkimage finds the loaders: PREFIX/share/twinboot
 * beside its own PREFIX/bin, wherever PREFIX was; the compiled-in
 * directory otherwise. */
static const char *data_file(const char *name)
{
	static char paths[3][4200];
	static int next;
	char exe[4096];
	char *path = paths[next++ % 3];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = 0;
		char *slash = strrchr(exe, '/');
		if (slash) {
			*slash = 0;
			snprintf(path, sizeof(paths[0]), "%s/../share/twinboot/%s", exe, name);
			if (access(path, R_OK) == 0)
				return path;
		}
	}
	snprintf(path, sizeof(paths[0]), "%s/%s", TWINBOOT_DATADIR, name);
	return path;
}

static int parse(int argc, char **argv, struct options *opt)
{
	opt->hybrid = 1;
	opt->mbr_code = data_file("mbr.bin");
	opt->stage2 = data_file("stage2.bin");
	opt->efi = data_file("BOOTX64.EFI");
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			fputs(usage, stdout);
			exit(0);
		}
		static const char *const takes_value[] = {
		    "-o",         "--output", "--kernel", "--cmdline", "--config",
		    "--mbr-code", "--stage2", "--efi",    "--module",  "--mbr",
		    "--size",     "--sign",   "--cert"};
		unsigned k = 0;
		while (k < sizeof(takes_value) / sizeof(takes_value[0]) &&
		       strcmp(a, takes_value[k]))
			k++;
		if (k == sizeof(takes_value) / sizeof(takes_value[0]))
			return fail("unknown option %s (see mkimage --help)", a);
		if (i + 1 >= argc)
			return fail("%s needs a value (see mkimage --help)", a);
		const char *v = argv[++i];
		if (!strcmp(a, "-o") || !strcmp(a, "--output"))
			opt->output = v;
		else if (!strcmp(a, "--kernel"))
			opt->kernel = v;
		else if (!strcmp(a, "--cmdline"))
			opt->cmdline = v;
		else if (!strcmp(a, "--config"))
			opt->config = v;
		else if (!strcmp(a, "--mbr-code"))
			opt->mbr_code = v;
		else if (!strcmp(a, "--stage2"))
			opt->stage2 = v;
		else if (!strcmp(a, "--efi"))
			opt->efi = v;
		else if (!strcmp(a, "--sign"))
			opt->sign_key = v;
		else if (!strcmp(a, "--cert"))
			opt->sign_cert = v;
		else if (!strcmp(a, "--module")) {
			if (parse_module(opt, v))
				return 1;
		} else if (!strcmp(a, "--mbr")) {
			if (strcmp(v, "hybrid") && strcmp(v, "protective"))
				return fail("--mbr %s: expected hybrid or protective", v);
			opt->hybrid = !strcmp(v, "hybrid");
		} else if (!strcmp(a, "--size")) {
			char *end;
			errno = 0;
			unsigned long n = strtoul(v, &end, 10);
			if (errno || *end || !n || n > 2u * 1024 * 1024)
				return fail("--size %s: expected a size in MiB, 1 to 2097152", v);
			opt->size_mib = (unsigned)n;
		}
	}
	if (!opt->output)
		return fail("%s", "no output: give -o IMAGE (see mkimage --help)");
	if (!opt->kernel)
		return fail("%s", "no kernel: give --kernel FILE (see mkimage --help)");
	if (!opt->sign_key != !opt->sign_cert)
		return fail("%s", "--sign KEY and --cert CERT go together");
	if (opt->cmdline && opt->config)
		return fail("%s", "--cmdline and --config both given: put cmdline= in the config");
	if (opt->cmdline && (strchr(opt->cmdline, '\n') || strchr(opt->cmdline, '#') ||
	                     strlen(opt->cmdline) > 4095))
		return fail("%s", "--cmdline must be one line, without '#', at most 4095 bytes");
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "check")) {
		if (argc != 3)
			return fail("%s", "usage: mkimage check FILE");
		return check_kernel(argv[2]) ? 1 : 0;
	}
	if (argc < 2)
		return fail("%s",
		            "nothing to do: give -o IMAGE --kernel FILE (see mkimage --help)");
	static struct options opt;
	if (parse(argc, argv, &opt))
		return 1;
	return image_write(&opt) ? 1 : 0;
}
