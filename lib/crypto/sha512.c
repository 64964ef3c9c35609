// SPDX-License-Identifier: MIT
/*
 * SHA-512 (FIPS 180-4, https://doi.org/10.6028/NIST.FIPS.180-4, August
 * 2015): padding per section 5.1.2, initial hash value per section 5.3.5,
 * functions and constants per sections 4.1.3 and 4.2.3, computation per
 * section 6.4.2. Freestanding; the kernel uses it to verify domain images.
 */
#include "crypto/sha512.h"

/*
 * K[t]: the first 64 bits of the fractional parts of the cube roots of the
 * first 80 prime numbers (FIPS 180-4 section 4.2.3).
 */
static const uint64_t sha512_k[80] = {
	0x428a2f98d728ae22ULL, 0x7137449123ef65cdULL, 0xb5c0fbcfec4d3b2fULL,
	0xe9b5dba58189dbbcULL, 0x3956c25bf348b538ULL, 0x59f111f1b605d019ULL,
	0x923f82a4af194f9bULL, 0xab1c5ed5da6d8118ULL, 0xd807aa98a3030242ULL,
	0x12835b0145706fbeULL, 0x243185be4ee4b28cULL, 0x550c7dc3d5ffb4e2ULL,
	0x72be5d74f27b896fULL, 0x80deb1fe3b1696b1ULL, 0x9bdc06a725c71235ULL,
	0xc19bf174cf692694ULL, 0xe49b69c19ef14ad2ULL, 0xefbe4786384f25e3ULL,
	0x0fc19dc68b8cd5b5ULL, 0x240ca1cc77ac9c65ULL, 0x2de92c6f592b0275ULL,
	0x4a7484aa6ea6e483ULL, 0x5cb0a9dcbd41fbd4ULL, 0x76f988da831153b5ULL,
	0x983e5152ee66dfabULL, 0xa831c66d2db43210ULL, 0xb00327c898fb213fULL,
	0xbf597fc7beef0ee4ULL, 0xc6e00bf33da88fc2ULL, 0xd5a79147930aa725ULL,
	0x06ca6351e003826fULL, 0x142929670a0e6e70ULL, 0x27b70a8546d22ffcULL,
	0x2e1b21385c26c926ULL, 0x4d2c6dfc5ac42aedULL, 0x53380d139d95b3dfULL,
	0x650a73548baf63deULL, 0x766a0abb3c77b2a8ULL, 0x81c2c92e47edaee6ULL,
	0x92722c851482353bULL, 0xa2bfe8a14cf10364ULL, 0xa81a664bbc423001ULL,
	0xc24b8b70d0f89791ULL, 0xc76c51a30654be30ULL, 0xd192e819d6ef5218ULL,
	0xd69906245565a910ULL, 0xf40e35855771202aULL, 0x106aa07032bbd1b8ULL,
	0x19a4c116b8d2d0c8ULL, 0x1e376c085141ab53ULL, 0x2748774cdf8eeb99ULL,
	0x34b0bcb5e19b48a8ULL, 0x391c0cb3c5c95a63ULL, 0x4ed8aa4ae3418acbULL,
	0x5b9cca4f7763e373ULL, 0x682e6ff3d6b2b8a3ULL, 0x748f82ee5defb2fcULL,
	0x78a5636f43172f60ULL, 0x84c87814a1f0ab72ULL, 0x8cc702081a6439ecULL,
	0x90befffa23631e28ULL, 0xa4506cebde82bde9ULL, 0xbef9a3f7b2c67915ULL,
	0xc67178f2e372532bULL, 0xca273eceea26619cULL, 0xd186b8c721c0c207ULL,
	0xeada7dd6cde0eb1eULL, 0xf57d4f7fee6ed178ULL, 0x06f067aa72176fbaULL,
	0x0a637dc5a2c898a6ULL, 0x113f9804bef90daeULL, 0x1b710b35131c471bULL,
	0x28db77f523047d84ULL, 0x32caab7b40c72493ULL, 0x3c9ebe0a15c9bebcULL,
	0x431d67c49c100d4cULL, 0x4cc5d4becb3e42b6ULL, 0x597f299cfc657e2aULL,
	0x5fcb6fab3ad6faecULL, 0x6c44198c4a475817ULL,
};

/*
 * H(0): the first 64 bits of the fractional parts of the square roots of
 * the first 8 prime numbers (FIPS 180-4 section 5.3.5).
 */
static const uint64_t sha512_h0[8] = {
	0x6a09e667f3bcc908ULL, 0xbb67ae8584caa73bULL, 0x3c6ef372fe94f82bULL,
	0xa54ff53a5f1d36f1ULL, 0x510e527fade682d1ULL, 0x9b05688c2b3e6c1fULL,
	0x1f83d9abfb41bd6bULL, 0x5be0cd19137e2179ULL,
};

static inline uint64_t rotr(uint64_t x, unsigned int n)
{
	return (x >> n) | (x << (64 - n));
}

/* The six logical functions of FIPS 180-4 section 4.1.3. */
static inline uint64_t ch(uint64_t x, uint64_t y, uint64_t z)
{
	return (x & y) ^ (~x & z);
}

static inline uint64_t maj(uint64_t x, uint64_t y, uint64_t z)
{
	return (x & y) ^ (x & z) ^ (y & z);
}

static inline uint64_t big_sigma0(uint64_t x)
{
	return rotr(x, 28) ^ rotr(x, 34) ^ rotr(x, 39);
}

static inline uint64_t big_sigma1(uint64_t x)
{
	return rotr(x, 14) ^ rotr(x, 18) ^ rotr(x, 41);
}

static inline uint64_t small_sigma0(uint64_t x)
{
	return rotr(x, 1) ^ rotr(x, 8) ^ (x >> 7);
}

static inline uint64_t small_sigma1(uint64_t x)
{
	return rotr(x, 19) ^ rotr(x, 61) ^ (x >> 6);
}

static uint64_t load_be64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++) {
		v = (v << 8) | p[i];
	}
	return v;
}

static void store_be64(uint8_t *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--) {
		p[i] = (uint8_t)v;
		v >>= 8;
	}
}

/* Processes one 1024-bit block M(i) (FIPS 180-4 section 6.4.2, steps 1-4). */
static void sha512_block(uint64_t h[8], const uint8_t block[SHA512_BLOCK_SIZE])
{
	uint64_t w[80];
	uint64_t a, b, c, d, e, f, g, hh;

	/* Step 1: prepare the message schedule W[t]. */
	for (int t = 0; t < 16; t++) {
		w[t] = load_be64(block + 8 * t);
	}
	for (int t = 16; t < 80; t++) {
		w[t] = small_sigma1(w[t - 2]) + w[t - 7] +
		       small_sigma0(w[t - 15]) + w[t - 16];
	}

	/* Step 2: initialise the working variables with H(i-1). */
	a = h[0];
	b = h[1];
	c = h[2];
	d = h[3];
	e = h[4];
	f = h[5];
	g = h[6];
	hh = h[7];

	/* Step 3: the 80 rounds. */
	for (int t = 0; t < 80; t++) {
		uint64_t t1 =
			hh + big_sigma1(e) + ch(e, f, g) + sha512_k[t] + w[t];
		uint64_t t2 = big_sigma0(a) + maj(a, b, c);

		hh = g;
		g = f;
		f = e;
		e = d + t1;
		d = c;
		c = b;
		b = a;
		a = t1 + t2;
	}

	/* Step 4: H(i) = H(i-1) + working variables. */
	h[0] += a;
	h[1] += b;
	h[2] += c;
	h[3] += d;
	h[4] += e;
	h[5] += f;
	h[6] += g;
	h[7] += hh;
}

void sha512_init(struct sha512_ctx *ctx)
{
	for (int i = 0; i < 8; i++) {
		ctx->h[i] = sha512_h0[i];
	}
	ctx->nbytes = 0;
	ctx->buflen = 0;
}

void sha512_update(struct sha512_ctx *ctx, const void *data, size_t len)
{
	const uint8_t *p = data;

	if (len == 0) {
		return;
	}
	ctx->nbytes += len;

	/* Top up a partial block first. */
	if (ctx->buflen > 0) {
		size_t n = SHA512_BLOCK_SIZE - ctx->buflen;

		if (n > len) {
			n = len;
		}
		__builtin_memcpy(ctx->buf + ctx->buflen, p, n);
		ctx->buflen += n;
		p += n;
		len -= n;
		if (ctx->buflen < SHA512_BLOCK_SIZE) {
			return;
		}
		sha512_block(ctx->h, ctx->buf);
		ctx->buflen = 0;
	}

	/* Whole blocks straight from the caller's buffer. */
	while (len >= SHA512_BLOCK_SIZE) {
		sha512_block(ctx->h, p);
		p += SHA512_BLOCK_SIZE;
		len -= SHA512_BLOCK_SIZE;
	}

	/* Keep the tail for the next call. */
	if (len > 0) {
		__builtin_memcpy(ctx->buf, p, len);
		ctx->buflen = len;
	}
}

/*
 * Padding (FIPS 180-4 section 5.1.2): a 1 bit, zero bits up to 896 mod
 * 1024, then the message length in bits as a 128-bit big-endian integer.
 * The byte count is 64-bit, so the length's top 61 bits are always zero
 * except for the 3 bits shifted out of nbytes.
 */
void sha512_final(struct sha512_ctx *ctx, uint8_t out[SHA512_DIGEST_SIZE])
{
	uint64_t bits_hi = ctx->nbytes >> 61;
	uint64_t bits_lo = ctx->nbytes << 3;

	ctx->buf[ctx->buflen++] = 0x80;
	if (ctx->buflen > SHA512_BLOCK_SIZE - 16) {
		__builtin_memset(ctx->buf + ctx->buflen, 0,
				 SHA512_BLOCK_SIZE - ctx->buflen);
		sha512_block(ctx->h, ctx->buf);
		ctx->buflen = 0;
	}
	__builtin_memset(ctx->buf + ctx->buflen, 0,
			 SHA512_BLOCK_SIZE - 16 - ctx->buflen);
	store_be64(ctx->buf + SHA512_BLOCK_SIZE - 16, bits_hi);
	store_be64(ctx->buf + SHA512_BLOCK_SIZE - 8, bits_lo);
	sha512_block(ctx->h, ctx->buf);

	for (int i = 0; i < 8; i++) {
		store_be64(out + 8 * i, ctx->h[i]);
	}
}

void sha512(const void *data, size_t len, uint8_t out[SHA512_DIGEST_SIZE])
{
	struct sha512_ctx ctx;

	sha512_init(&ctx);
	sha512_update(&ctx, data, len);
	sha512_final(&ctx, out);
}
