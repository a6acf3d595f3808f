/* tools/mkimage/sign.c - mkimage --sign: pin the kernel, the config and
 * the modules by SHA-256 in BOOTX64.EFI's manifest section, then sign that
 * copy with sbsign (docs/SECURE-BOOT.md).
 *
 * The paths in the manifest are the config's own strings (the loader
 * verifies by the path it reads, and the match is exact), so the config
 * mkimage writes is parsed again with the loaders' parser. The input EFI
 * file is never changed: the patched and the signed copy are temporary
 * files beside the output, removed by sign_cleanup().
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <unistd.h>

#include "config.h"
#include "manifest.h"
#include "mkimage.h"

/* The patched (unsigned) copy and the signed one; empty when unused.
 * Plain arrays so the signal handler in image.c may unlink them. */
static char unsigned_path[4200], signed_path[4200];

void sign_cleanup(void)
{
	if (unsigned_path[0])
		unlink(unsigned_path);
	if (signed_path[0])
		unlink(signed_path);
}

/* A temporary file beside `output` (so it lands on the same disk, and
 * nowhere the user did not choose), its name in path. */
static int temp_beside(const char *output, const char *tag, char *path, size_t size)
{
	snprintf(path, size, "%s.%s-XXXXXX", output, tag);
	int fd = mkstemp(path);
	if (fd < 0) {
		fprintf(stderr, "mkimage: cannot create %s: %s\n", path, strerror(errno));
		path[0] = 0;
	}
	return fd;
}

/* Hash the files the loader will read, as the written config names them,
 * into a whole manifest. Modules are read here; they are small. */
static int build_manifest(const struct options *opt, const struct inputs *in, uint8_t *out)
{
	static struct config cfg;
	static struct manifest_file files[2 + CONFIG_MODULES_MAX];
	static struct blob mods[CONFIG_MODULES_MAX];
	struct error err = {{0}};
	unsigned n = 0, loaded = 0;
	int bad = 0;
	if (config_parse(in->config, in->config_len, &cfg, &err)) {
		fprintf(stderr, "mkimage: --sign: the config: %s\n", err.msg);
		return -1;
	}
	files[n++] = (struct manifest_file){cfg.kernel, in->kernel.data, in->kernel.size};
	files[n++] = (struct manifest_file){CONFIG_PATH, in->config, in->config_len};
	for (unsigned i = 0; i < cfg.module_count && !bad; i++) {
		/* inputs.c checked that each names a --module, by FAT's rules. */
		unsigned m = 0;
		while (m < opt->module_count &&
		       strcasecmp(cfg.modules[i] + 6, opt->modules[m].name))
			m++;
		bad = m == opt->module_count || blob_read(opt->modules[m].path, &mods[loaded]);
		if (!bad) {
			files[n++] = (struct manifest_file){cfg.modules[i], mods[loaded].data,
			                                    mods[loaded].size};
			loaded++;
		}
	}
	if (!bad && manifest_build(out, MANIFEST_SIZE, files, n, &err)) {
		fprintf(stderr, "mkimage: --sign: %s\n", err.msg);
		bad = 1;
	}
	for (unsigned i = 0; i < loaded; i++)
		free(mods[i].data);
	return bad ? -1 : 0;
}

/* Run sbsign; on failure one line with the first thing it said.
 *
 * sbsign's signature carries the time of signing (OpenSSL adds a PKCS#9
 * signingTime attribute), so two runs a second apart differ in some 250
 * bytes. Run under libfaketime (Debian's faketime) with the clock frozen
 * at SOURCE_DATE_EPOCH, a signed image is as reproducible as the rest.
 * Firmware does not judge the signing time (EDK2 verifies Authenticode
 * without time checks). Without faketime, sign now and say so. */
static int sbsign(const struct options *opt)
{
	int err[2];
	char said[200] = "";
	if (pipe(err))
		return -1;
	pid_t pid = fork();
	if (pid == 0) {
		int user_stderr = dup(2);
		dup2(err[1], 1);
		dup2(err[1], 2);
		close(err[0]);
		close(err[1]);
		setenv("FAKETIME_FMT", "%s", 1); /* the time as seconds since 1970 */
		execlp("faketime", "faketime", "-f", inputs_epoch(), "sbsign", "--key",
		       opt->sign_key, "--cert", opt->sign_cert, "--output", signed_path,
		       unsigned_path, (char *)NULL);
		dprintf(user_stderr,
		        "mkimage: warning: no faketime (Debian: faketime), so the signature "
		        "carries the time of signing and the image is not reproducible\n");
		execlp("sbsign", "sbsign", "--key", opt->sign_key, "--cert", opt->sign_cert,
		       "--output", signed_path, unsigned_path, (char *)NULL);
		fprintf(stderr, "cannot run it (install sbsigntool)\n");
		_exit(127);
	}
	close(err[1]);
	FILE *f = fdopen(err[0], "r");
	/* sbsign warns about the COFF symbol table after the sections
	 * ("data remaining ... gaps between PE/COFF sections?"): not an error. */
	char line[200];
	while (f && fgets(line, sizeof(line), f))
		if (!said[0] && strncmp(line, "warning:", 8) &&
		    strncmp(line, "Signing Unsigned", 16))
			snprintf(said, sizeof(said), "%.*s", (int)strcspn(line, "\n"), line);
	if (f)
		fclose(f);
	int status;
	if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status)) {
		fprintf(stderr, "mkimage: sbsign %s failed: %s\n", opt->efi,
		        said[0] ? said : "no message");
		return -1;
	}
	return 0;
}

int sign_loader(const struct options *opt, struct inputs *in, const char **efi_path)
{
	struct blob efi;
	size_t at, room;
	if (blob_read(opt->efi, &efi))
		return -1;
	if (pe_find_section(&efi, MANIFEST_SECTION, &at, &room) || room < MANIFEST_SIZE ||
	    !manifest_is_blank(efi.data + at, room)) {
		fprintf(stderr,
		        "mkimage: --sign: %s has no blank %s section of %u bytes: "
		        "is it twinboot's BOOTX64.EFI?\n",
		        opt->efi, MANIFEST_SECTION, MANIFEST_SIZE);
		free(efi.data);
		return -1;
	}
	int bad = build_manifest(opt, in, efi.data + at);
	if (!bad) {
		_Static_assert(MANIFEST_SIZE <= sizeof(in->manifest), "room for the manifest");
		memset(in->manifest, 0, sizeof(in->manifest));
		memcpy(in->manifest, efi.data + at, MANIFEST_SIZE);
		in->has_manifest = 1;
	}
	int fd = bad ? -1 : temp_beside(opt->output, "efi", unsigned_path, sizeof(unsigned_path));
	bad |= fd < 0 || write(fd, efi.data, efi.size) != (ssize_t)efi.size;
	if (fd >= 0 && (close(fd) || bad)) {
		fprintf(stderr, "mkimage: writing %s failed: %s\n", unsigned_path, strerror(errno));
		bad = 1;
	}
	free(efi.data);
	if (!bad) {
		fd = temp_beside(opt->output, "signed", signed_path, sizeof(signed_path));
		bad = fd < 0 || close(fd) || sbsign(opt);
	}
	struct blob out = {0};
	if (!bad)
		bad = blob_read(signed_path, &out);
	if (bad) {
		sign_cleanup();
		return -1;
	}
	in->efi_size = out.size;
	free(out.data);
	*efi_path = signed_path;
	return 0;
}
