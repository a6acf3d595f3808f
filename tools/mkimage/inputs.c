/* tools/mkimage/inputs.c - read and vet every input before anything is
 * written, and hash them all into the seed the GUIDs and FAT serial come
 * from.
 *
 * The kernel goes through common/elf.c and the config through
 * common/config.c, the loaders' own code, so an image mkimage accepts does
 * not fail at boot on something mkimage could have seen. Every problem is
 * one line on stderr naming the file and the value.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "config.h"
#include "elf.h"
#include "mkimage.h"
#include "sha256.h"

/* FAT dates start in 1980 (Microsoft's FAT spec, "Date Format"); an older
 * SOURCE_DATE_EPOCH (the Makefile's 0 outside git) would wrap in mtools. */
#define FAT_EPOCH 315532800ull

static FILE *open_regular(const char *path)
{
	FILE *f = fopen(path, "rb");
	struct stat st;
	if (!f) {
		fprintf(stderr, "mkimage: %s: %s\n", path, strerror(errno));
		return NULL;
	}
	if (fstat(fileno(f), &st) || !S_ISREG(st.st_mode)) {
		fprintf(stderr, "mkimage: %s: not a regular file\n", path);
		fclose(f);
		return NULL;
	}
	return f;
}

int blob_read(const char *path, struct blob *out)
{
	FILE *f = open_regular(path);
	if (!f)
		return -1;
	struct stat st;
	fstat(fileno(f), &st);
	out->size = (size_t)st.st_size;
	out->data = malloc(out->size ? out->size : 1);
	if (!out->data || fread(out->data, 1, out->size, f) != out->size) {
		fprintf(stderr, "mkimage: %s: read failed\n", path);
		free(out->data);
		out->data = NULL;
		fclose(f);
		return -1;
	}
	fclose(f);
	return 0;
}

/* Each input enters the hash as tag, length, bytes, so no two different
 * sets of inputs can hash the same stream. */
static void hash_field(struct sha256_ctx *h, const char *tag, const void *data, uint64_t len)
{
	uint8_t n[8];
	for (unsigned i = 0; i < 8; i++)
		n[i] = (uint8_t)(len >> (8 * i));
	sha256_update(h, tag, strlen(tag) + 1);
	sha256_update(h, n, sizeof(n));
	sha256_update(h, data, (size_t)len);
}

/* Hash a file that need not fit in memory (a module, BOOTX64.EFI). */
static int hash_file(struct sha256_ctx *h, const char *tag, const char *path, uint64_t *size)
{
	static uint8_t buf[1 << 16];
	struct sha256_ctx body;
	uint8_t digest[32];
	FILE *f = open_regular(path);
	if (!f)
		return -1;
	sha256_init(&body);
	*size = 0;
	for (size_t n; (n = fread(buf, 1, sizeof(buf), f)) > 0; *size += n)
		sha256_update(&body, buf, n);
	int bad = ferror(f);
	fclose(f);
	if (bad) {
		fprintf(stderr, "mkimage: %s: read failed\n", path);
		return -1;
	}
	sha256_final(&body, digest);
	hash_field(h, tag, digest, sizeof(digest));
	return 0;
}

const char *inputs_epoch(void)
{
	static char text[24];
	const char *env = getenv("SOURCE_DATE_EPOCH");
	char *end;
	errno = 0;
	unsigned long long t = env && *env ? strtoull(env, &end, 10) : 0;
	if (!env || !*env || errno || *end || t < FAT_EPOCH)
		t = FAT_EPOCH;
	snprintf(text, sizeof(text), "%llu", t);
	return text;
}

/* The config mkimage writes when --config is absent. */
static size_t make_config(const struct options *opt, char *text, size_t size)
{
	size_t n = (size_t)snprintf(text, size,
	                            "# written by twinboot mkimage\n"
	                            "kernel=/boot/kernel.elf\n");
	if (opt->cmdline)
		n += (size_t)snprintf(text + n, size - n, "cmdline=%s\n", opt->cmdline);
	for (unsigned i = 0; i < opt->module_count && n < size; i++)
		n +=
		    (size_t)snprintf(text + n, size - n, "module=/boot/%s\n", opt->modules[i].name);
	return n < size ? n : size - 1;
}

/* Parse the config as the loaders will, and check that it names only
 * files mkimage puts on the ESP. FAT names are case-insensitive. */
static int vet_config(const struct options *opt, const char *name, const char *text, size_t len)
{
	static struct config cfg;
	struct error err = {{0}};
	if (config_parse(text, len, &cfg, &err)) {
		fprintf(stderr, "mkimage: %s: %s\n", name, err.msg);
		return -1;
	}
	if (strcasecmp(cfg.kernel, "/boot/kernel.elf")) {
		fprintf(stderr,
		        "mkimage: %s: kernel=%s, but mkimage puts the kernel at /boot/kernel.elf\n",
		        name, cfg.kernel);
		return -1;
	}
	for (unsigned i = 0; i < cfg.module_count; i++) {
		unsigned m = 0;
		while (m < opt->module_count &&
		       (strncasecmp(cfg.modules[i], "/boot/", 6) ||
		        strcasecmp(cfg.modules[i] + 6, opt->modules[m].name)))
			m++;
		if (m == opt->module_count) {
			fprintf(stderr, "mkimage: %s: module=%s is not among the --module files\n",
			        name, cfg.modules[i]);
			return -1;
		}
	}
	return 0;
}

static int read_config(const struct options *opt, struct inputs *in)
{
	if (!opt->config) {
		in->config_len = make_config(opt, in->config, sizeof(in->config));
		return vet_config(opt, "the generated config", in->config, in->config_len);
	}
	struct blob cfg;
	if (blob_read(opt->config, &cfg))
		return -1;
	if (cfg.size > sizeof(in->config)) {
		fprintf(stderr,
		        "mkimage: %s is %zu bytes; the loaders take a config of at most %u\n",
		        opt->config, cfg.size, CONFIG_FILE_MAX);
		free(cfg.data);
		return -1;
	}
	memcpy(in->config, cfg.data, cfg.size);
	in->config_len = cfg.size;
	free(cfg.data);
	return vet_config(opt, opt->config, in->config, in->config_len);
}

int inputs_read(const struct options *opt, struct inputs *in)
{
	struct elf_plan plan;
	struct error err = {{0}};
	struct sha256_ctx h;
	if (blob_read(opt->kernel, &in->kernel) || blob_read(opt->mbr_code, &in->stage1) ||
	    blob_read(opt->stage2, &in->stage2))
		return -1;
	if (elf_check(in->kernel.data, in->kernel.size, 0, &plan, &err)) {
		fprintf(stderr, "mkimage: %s will not boot: %s\n", opt->kernel, err.msg);
		return -1;
	}
	if (in->stage2.size == 0 || in->stage2.size > STAGE2_MAX) {
		fprintf(stderr, "mkimage: %s is %zu bytes; stage 2 must be 1 to %u\n", opt->stage2,
		        in->stage2.size, STAGE2_MAX);
		return -1;
	}
	if (read_config(opt, in))
		return -1;

	const char *epoch = inputs_epoch();
	sha256_init(&h);
	hash_field(&h, "epoch", epoch, strlen(epoch));
	hash_field(&h, "mbr", opt->hybrid ? "hybrid" : "protective", opt->hybrid ? 6 : 10);
	hash_field(&h, "kernel", in->kernel.data, in->kernel.size);
	hash_field(&h, "stage1", in->stage1.data, in->stage1.size);
	hash_field(&h, "stage2", in->stage2.data, in->stage2.size);
	hash_field(&h, "config", in->config, in->config_len);
	if (hash_file(&h, "efi", opt->efi, &in->efi_size))
		return -1;
	for (unsigned i = 0; i < opt->module_count; i++) {
		hash_field(&h, "name", opt->modules[i].name, strlen(opt->modules[i].name));
		if (hash_file(&h, "module", opt->modules[i].path, &in->module_size[i]))
			return -1;
	}
	sha256_final(&h, in->seed);
	return 0;
}
