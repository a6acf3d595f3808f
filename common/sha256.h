/* common/sha256.h - SHA-256 (FIPS 180-4 6.2), streaming and one-shot.
 *
 * The manifest (manifest.h) pins the kernel, the modules and the config by
 * this hash; mkimage computes it on the host and both loaders recompute it
 * on what they read. 32-bit friendly: no 128-bit or 64-bit multiply or
 * divide, so the BIOS stage 2 links it without libgcc.
 */
#ifndef TWINBOOT_SHA256_H
#define TWINBOOT_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define SHA256_DIGEST_SIZE 32
#define SHA256_BLOCK_SIZE 64

struct sha256_ctx {
	uint32_t state[8];                /* H0..H7 of FIPS 180-4 6.2.2 */
	uint64_t length;                  /* bytes hashed so far */
	uint8_t block[SHA256_BLOCK_SIZE]; /* a partial block not yet compressed */
	uint32_t used;                    /* bytes in block[] */
};

void sha256_init(struct sha256_ctx *ctx);
void sha256_update(struct sha256_ctx *ctx, const void *data, size_t len);
/* Pad, write the digest to out and wipe ctx (init it again to reuse it). */
void sha256_final(struct sha256_ctx *ctx, uint8_t out[SHA256_DIGEST_SIZE]);

/* The digest of len bytes at data. */
void sha256(const void *data, size_t len, uint8_t out[SHA256_DIGEST_SIZE]);

#endif
