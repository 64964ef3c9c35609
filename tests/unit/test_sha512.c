// SPDX-License-Identifier: MIT
/*
 * Tests for lib/crypto/sha512.c: the FIPS 180-4 example messages (NIST
 * "Examples with Intermediate Values", SHA-512) and a differential run
 * against OpenSSL's SHA-512 over every length 0..300 and random lengths up
 * to 5000 with the input split into random update() calls.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "crypto/sha512.h"
#include "unit.h"

/* Decodes 128 hex digits into a digest. */
static void hex_digest(const char *hex, uint8_t out[SHA512_DIGEST_SIZE])
{
	for (int i = 0; i < SHA512_DIGEST_SIZE; i++) {
		unsigned int byte;

		sscanf(hex + 2 * i, "%2x", &byte);
		out[i] = (uint8_t)byte;
	}
}

static bool digest_is(const void *msg, size_t len, const char *hex)
{
	uint8_t want[SHA512_DIGEST_SIZE];
	uint8_t got[SHA512_DIGEST_SIZE];

	hex_digest(hex, want);
	sha512(msg, len, got);
	return memcmp(got, want, sizeof(got)) == 0;
}

UNIT_TEST(sha512_fips_abc)
{
	UNIT_ASSERT(digest_is("abc", 3,
			      "ddaf35a193617abacc417349ae204131"
			      "12e6fa4e89a97ea20a9eeee64b55d39a"
			      "2192992a274fc1a836ba3c23a3feebbd"
			      "454d4423643ce80e2a9ac94fa54ca49f"));
}

UNIT_TEST(sha512_empty_message)
{
	UNIT_ASSERT(digest_is("", 0,
			      "cf83e1357eefb8bdf1542850d66d8007"
			      "d620e4050b5715dc83f4a921d36ce9ce"
			      "47d0d13c5d85f2b0ff8318d2877eec2f"
			      "63b931bd47417a81a538327af927da3e"));
	/* A NULL pointer is allowed with length 0. */
	UNIT_ASSERT(digest_is(NULL, 0,
			      "cf83e1357eefb8bdf1542850d66d8007"
			      "d620e4050b5715dc83f4a921d36ce9ce"
			      "47d0d13c5d85f2b0ff8318d2877eec2f"
			      "63b931bd47417a81a538327af927da3e"));
}

UNIT_TEST(sha512_fips_448_bit_message)
{
	const char *m = "abcdbcdecdefdefgefghfghighijhijkijkljk"
			"lmklmnlmnomnopnopq";

	UNIT_ASSERT(digest_is(m, strlen(m),
			      "204a8fc6dda82f0a0ced7beb8e08a416"
			      "57c16ef468b228a8279be331a703c335"
			      "96fd15c13b1b07f9aa1d3bea57789ca0"
			      "31ad85c7a71dd70354ec631238ca3445"));
}

/* 112 bytes: the padding no longer fits the first block. */
UNIT_TEST(sha512_fips_896_bit_message)
{
	const char *m = "abcdefghbcdefghicdefghijdefghijk"
			"efghijklfghijklmghijklmnhijklmno"
			"ijklmnopjklmnopqklmnopqrlmnopqrs"
			"mnopqrstnopqrstu";

	UNIT_EQ(strlen(m), 112);
	UNIT_ASSERT(digest_is(m, strlen(m),
			      "8e959b75dae313da8cf4f72814fc143f"
			      "8f7779c6eb9f7fa17299aeadb6889018"
			      "501d289e4900f7e4331b99dec4b5433a"
			      "c7d329eeb6dd26545e96e55b874be909"));
}

UNIT_TEST(sha512_fips_million_a)
{
	const char *want_hex = "e718483d0ce769644e2e42c7bc15b463"
			       "8e1f98b13b2044285632a803afa973eb"
			       "de0ff244877ea60a4cb0432ce577c31b"
			       "eb009c5c2c49aa2e4eadb217ad8cc09b";
	uint8_t want[SHA512_DIGEST_SIZE];
	uint8_t got[SHA512_DIGEST_SIZE];
	struct sha512_ctx ctx;
	uint8_t chunk[1000];
	char *big;

	hex_digest(want_hex, want);

	/* As 1000 updates of 1000 bytes... */
	memset(chunk, 'a', sizeof(chunk));
	sha512_init(&ctx);
	for (int i = 0; i < 1000; i++) {
		sha512_update(&ctx, chunk, sizeof(chunk));
	}
	sha512_final(&ctx, got);
	UNIT_ASSERT(memcmp(got, want, sizeof(got)) == 0);

	/* ...and in one call. */
	big = malloc(1000000);
	UNIT_ASSERT(big != NULL);
	memset(big, 'a', 1000000);
	sha512(big, 1000000, got);
	free(big);
	UNIT_ASSERT(memcmp(got, want, sizeof(got)) == 0);
}

UNIT_TEST(sha512_one_bit_change_changes_digest)
{
	uint8_t a[SHA512_DIGEST_SIZE];
	uint8_t b[SHA512_DIGEST_SIZE];

	sha512("abc", 3, a);
	sha512("abb", 3, b);
	UNIT_ASSERT(memcmp(a, b, sizeof(a)) != 0);
}

static void openssl_sha512(const uint8_t *msg, size_t len,
			   uint8_t out[SHA512_DIGEST_SIZE])
{
	unsigned int outlen = 0;

	if (!EVP_Digest(msg, len, out, &outlen, EVP_sha512(), NULL) ||
	    outlen != SHA512_DIGEST_SIZE) {
		memset(out, 0, SHA512_DIGEST_SIZE);
	}
}

/* splitmix64: a small deterministic generator for test inputs. */
static uint64_t rng_state;

static uint64_t rng_next(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

#define DIFF_MAX_LEN 5000

/* Hashes @msg through sha512_update() calls of random sizes. */
static void sha512_split(const uint8_t *msg, size_t len,
			 uint8_t out[SHA512_DIGEST_SIZE])
{
	struct sha512_ctx ctx;
	size_t off = 0;

	sha512_init(&ctx);
	while (off < len) {
		/* Mostly short pieces, sometimes whole blocks or more. */
		size_t n = rng_next() % 4 ? rng_next() % 130 : rng_next() % 700;

		if (n > len - off) {
			n = len - off;
		}
		sha512_update(&ctx, msg + off, n);
		off += n;
	}
	sha512_update(&ctx, msg, 0);
	sha512_final(&ctx, out);
}

UNIT_TEST(sha512_matches_openssl_all_lengths_0_to_300)
{
	static uint8_t msg[300];
	uint8_t want[SHA512_DIGEST_SIZE];
	uint8_t got[SHA512_DIGEST_SIZE];

	rng_state = 1;
	for (size_t i = 0; i < sizeof(msg); i++) {
		msg[i] = (uint8_t)rng_next();
	}
	for (size_t len = 0; len <= sizeof(msg); len++) {
		openssl_sha512(msg, len, want);
		sha512(msg, len, got);
		UNIT_ASSERT(memcmp(got, want, sizeof(got)) == 0);
		sha512_split(msg, len, got);
		UNIT_ASSERT(memcmp(got, want, sizeof(got)) == 0);
	}
}

UNIT_TEST(sha512_matches_openssl_random_lengths_and_splits)
{
	static uint8_t msg[DIFF_MAX_LEN];
	uint8_t want[SHA512_DIGEST_SIZE];
	uint8_t got[SHA512_DIGEST_SIZE];
	const uint64_t seed = 0x5348413531322121ULL;

	rng_state = seed;
	printf("# sha512 differential seed 0x%016llx, 2000 messages\n",
	       (unsigned long long)seed);
	for (int iter = 0; iter < 2000; iter++) {
		size_t len = rng_next() % (DIFF_MAX_LEN + 1);

		for (size_t i = 0; i < len; i++) {
			msg[i] = (uint8_t)rng_next();
		}
		openssl_sha512(msg, len, want);
		sha512(msg, len, got);
		if (memcmp(got, want, sizeof(got)) != 0) {
			unit_fail(__FILE__, __LINE__,
				  "one-shot mismatch, iteration %d, len %zu",
				  iter, len);
			return;
		}
		sha512_split(msg, len, got);
		if (memcmp(got, want, sizeof(got)) != 0) {
			unit_fail(__FILE__, __LINE__,
				  "split mismatch, iteration %d, len %zu", iter,
				  len);
			return;
		}
	}
}
