/* SPDX-License-Identifier: MIT */
/*
 * SHA-512 message digest, freestanding (no libc), shared by the kernel's
 * domain signature verifier and the host signing tool. Implements FIPS
 * 180-4 (https://doi.org/10.6028/NIST.FIPS.180-4, August 2015), section
 * 6.4. Messages are limited to 2^64 - 1 bytes, far above any image size.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#define SHA512_DIGEST_SIZE 64
#define SHA512_BLOCK_SIZE 128

/*
 * Streaming state. Initialise with sha512_init(), feed with
 * sha512_update(), finish with sha512_final(); the fields are private.
 */
struct sha512_ctx {
	uint64_t h[8];			/* Intermediate hash value H(i) */
	uint64_t nbytes;		/* Total message bytes hashed so far */
	uint8_t buf[SHA512_BLOCK_SIZE]; /* Partial block */
	size_t buflen;			/* Bytes used in buf */
};

/* Starts a new digest in @ctx. */
void sha512_init(struct sha512_ctx *ctx);
/* Appends @len bytes at @data (which may be NULL when @len is 0). */
void sha512_update(struct sha512_ctx *ctx, const void *data, size_t len);
/* Writes the digest to @out; @ctx must be reinitialised to be reused. */
void sha512_final(struct sha512_ctx *ctx, uint8_t out[SHA512_DIGEST_SIZE]);
/* One-shot digest of @len bytes at @data. */
void sha512(const void *data, size_t len, uint8_t out[SHA512_DIGEST_SIZE]);
