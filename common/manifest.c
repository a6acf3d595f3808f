/* common/manifest.c - parse, query and build the hash manifest (layout in
 * manifest.h).
 *
 * The parser trusts nothing but the signature that covers the section: a
 * manifest is read only after its every length and path has been checked,
 * and no read goes past the caller's buffer (tests/fuzz/fuzz_manifest.c).
 * Fields are little-endian and every twinboot target is x86, so the header
 * is copied into its struct as is.
 */
#include "manifest.h"
#include "config.h"
#include "lib.h"

_Static_assert(MANIFEST_PATH_MAX == CONFIG_PATH_MAX, "a manifest holds every path a config can");

/* The first n bytes of p as lower-case hex, NUL-terminated (out: 2n+1). */
static void hex(char *out, const void *p, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	const uint8_t *b = p;
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[b[i] >> 4];
		out[2 * i + 1] = digits[b[i] & 15];
	}
	out[2 * n] = 0;
}

static int all_zero(const void *p, size_t n)
{
	const uint8_t *b = p;
	for (size_t i = 0; i < n; i++)
		if (b[i])
			return 0;
	return 1;
}

int manifest_is_blank(const void *buf, size_t len)
{
	return all_zero(buf, len < 8 ? len : 8);
}

static int check_header(const struct manifest_header *h, size_t len, struct error *err)
{
	char magic[17];
	if (memcmp(h->magic, MANIFEST_MAGIC, 8) != 0) {
		hex(magic, h->magic, 8);
		return error_set(err, "manifest: bad magic %s, expected \"%s\"", magic,
		                 MANIFEST_MAGIC);
	}
	if (h->version != MANIFEST_VERSION)
		return error_set(err, "manifest: unsupported version %u (this loader reads %u)",
		                 h->version, MANIFEST_VERSION);
	if (h->header_size != sizeof(struct manifest_header) ||
	    h->entry_size != sizeof(struct manifest_entry))
		return error_set(err, "manifest: header size %u, entry size %u, expected %u and %u",
		                 h->header_size, h->entry_size,
		                 (unsigned)sizeof(struct manifest_header),
		                 (unsigned)sizeof(struct manifest_entry));
	if (h->total_size != MANIFEST_SIZE)
		return error_set(err, "manifest: total size %u, expected %u", h->total_size,
		                 MANIFEST_SIZE);
	if (len < MANIFEST_SIZE)
		return error_set(err, "manifest: %zu bytes, shorter than its total size %u", len,
		                 MANIFEST_SIZE);
	if (h->reserved != 0)
		return error_set(err, "manifest: reserved field 0x%x, expected 0", h->reserved);
	if (h->entry_count > MANIFEST_ENTRIES_MAX)
		return error_set(err, "manifest: %u entries, more than the %u it holds",
		                 h->entry_count, MANIFEST_ENTRIES_MAX);
	return 0;
}

/* Entry i of e[] in use: an absolute path, terminated and zero-padded
 * within its field, not listed before. */
static int check_entry(const struct manifest_entry *e, uint32_t i, struct error *err)
{
	const char *path = e[i].path;
	size_t n = strnlen(path, MANIFEST_PATH_MAX);
	if (n == MANIFEST_PATH_MAX)
		return error_set(err, "manifest: entry %u: path not terminated within %u bytes", i,
		                 MANIFEST_PATH_MAX);
	if (path[0] != '/')
		return error_set(err, "manifest: entry %u: path '%s' is not absolute", i, path);
	if (!all_zero(path + n, MANIFEST_PATH_MAX - n))
		return error_set(err, "manifest: entry %u: %s: nonzero bytes after the path", i,
		                 path);
	for (uint32_t j = 0; j < i; j++)
		if (strcmp(e[j].path, path) == 0)
			return error_set(err, "manifest: entries %u and %u: %s listed twice", j, i,
			                 path);
	return 0;
}

int manifest_parse(const void *buf, size_t len, struct manifest_view *out, struct error *err)
{
	struct manifest_header h;
	if (len < sizeof(h))
		return error_set(err, "manifest: %zu bytes, shorter than its %u-byte header", len,
		                 (unsigned)sizeof(h));
	memcpy(&h, buf, sizeof(h));
	if (check_header(&h, len, err) != 0)
		return -1;
	/* From here on len >= MANIFEST_SIZE, so all 66 entries are in buf. */
	const struct manifest_entry *e =
	    (const struct manifest_entry *)((const uint8_t *)buf + sizeof(h));
	for (uint32_t i = 0; i < h.entry_count; i++)
		if (check_entry(e, i, err) != 0)
			return -1;
	for (uint32_t i = h.entry_count; i < MANIFEST_ENTRIES_MAX; i++)
		if (!all_zero(&e[i], sizeof(e[i])))
			return error_set(err, "manifest: unused entry %u is not zero", i);
	out->entries = e;
	out->count = h.entry_count;
	return 0;
}

const uint8_t *manifest_find(const struct manifest_view *view, const char *path)
{
	for (uint32_t i = 0; i < view->count; i++)
		if (strcmp(view->entries[i].path, path) == 0)
			return view->entries[i].sha256;
	return NULL;
}

int manifest_verify(const struct manifest_view *view, const char *path, const void *data,
                    size_t size, struct error *err)
{
	const uint8_t *want = manifest_find(view, path);
	if (!want)
		return error_set(err, "manifest: %s: not in the manifest", path);
	uint8_t got[SHA256_DIGEST_SIZE];
	sha256(data, size, got);
	if (memcmp(got, want, SHA256_DIGEST_SIZE) != 0) {
		/* Four bytes of each are enough to tell a stale image from a
		 * damaged one by eye; the message stays within ERROR_MAX. */
		char w[9], g[9];
		hex(w, want, 4);
		hex(g, got, 4);
		return error_set(err, "manifest: %s: SHA-256 mismatch (expected %s, got %s)", path,
		                 w, g);
	}
	return 0;
}

int manifest_build(void *buf, size_t size, const struct manifest_file *files, unsigned count,
                   struct error *err)
{
	if (size < MANIFEST_SIZE)
		return error_set(err, "manifest: buffer of %zu bytes, need %u", size,
		                 MANIFEST_SIZE);
	if (count > MANIFEST_ENTRIES_MAX)
		return error_set(err, "manifest: %u files, more than the %u it holds", count,
		                 MANIFEST_ENTRIES_MAX);
	memset(buf, 0, MANIFEST_SIZE);
	struct manifest_header h = {
	    .version = MANIFEST_VERSION,
	    .header_size = sizeof(struct manifest_header),
	    .entry_size = sizeof(struct manifest_entry),
	    .entry_count = count,
	    .total_size = MANIFEST_SIZE,
	};
	memcpy(h.magic, MANIFEST_MAGIC, sizeof(h.magic));
	struct manifest_entry *e = (struct manifest_entry *)((uint8_t *)buf + sizeof(h));
	for (unsigned i = 0; i < count; i++) {
		const char *path = files[i].path;
		size_t n = strlen(path);
		if (path[0] != '/')
			return error_set(err, "manifest: path '%s' is not absolute", path);
		if (n >= MANIFEST_PATH_MAX)
			return error_set(err, "manifest: path of %zu bytes, longer than %u: %.60s",
			                 n, MANIFEST_PATH_MAX - 1, path);
		memcpy(e[i].path, path, n);
		/* Reuse the parser's check so build never writes what parse refuses. */
		if (check_entry(e, i, err) != 0)
			return -1;
		sha256(files[i].data, files[i].size, e[i].sha256);
	}
	memcpy(buf, &h, sizeof(h));
	return 0;
}
