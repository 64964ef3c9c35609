// SPDX-License-Identifier: MIT
/*
 * Tests for lib/crypto/sigtrailer.c: the trailer layout, sigtrailer_parse()
 * on unsigned, truncated, extended and inconsistent files, and
 * sig_verify_image() with good, foreign-key and tampered images. Images
 * are signed here with OpenSSL, as tools/domsign does.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "abi/errno.h"
#include "crypto/sigtrailer.h"
#include "unit.h"

#define IMG_LEN 300

/* A signed test image: IMG_LEN bytes then the trailer. */
struct image {
	uint8_t bytes[IMG_LEN + SIGTRAILER_SIZE + 16];
	size_t size;
};

/* A key pair from a fixed seed byte, with its trusted-key entry. */
static void make_key(uint8_t seed_byte, EVP_PKEY **pkey, struct sig_key *key)
{
	uint8_t seed[32];
	size_t len = sizeof(key->pub);

	memset(seed, seed_byte, sizeof(seed));
	*pkey = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, seed, 32);
	if (!*pkey || EVP_PKEY_get_raw_public_key(*pkey, key->pub, &len) != 1) {
		abort();
	}
	sig_key_id(key->pub, key->id);
	key->name = "test";
}

static void ed25519_sign(EVP_PKEY *pkey, const uint8_t *msg, size_t len,
			 uint8_t sig[64])
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	size_t siglen = 64;

	if (!md || EVP_DigestSignInit(md, NULL, NULL, NULL, pkey) != 1 ||
	    EVP_DigestSign(md, sig, &siglen, msg, len) != 1) {
		abort();
	}
	EVP_MD_CTX_free(md);
}

/* Builds an ELF-looking image of IMG_LEN bytes signed by @pkey. */
static void make_image(struct image *img, EVP_PKEY *pkey,
		       const struct sig_key *key)
{
	struct sigtrailer t;

	memset(img, 0, sizeof(*img));
	memcpy(img->bytes, "\177ELF", 4);
	for (int i = 4; i < IMG_LEN; i++) {
		img->bytes[i] = (uint8_t)(i * 7 + 3);
	}
	memset(&t, 0, sizeof(t));
	memcpy(t.magic, SIGTRAILER_MAGIC, SIGTRAILER_MAGIC_SIZE);
	t.algorithm = SIGTRAILER_ALG_ED25519;
	t.version = SIGTRAILER_VERSION;
	memcpy(t.key_id, key->id, sizeof(t.key_id));
	t.signed_len = IMG_LEN;
	ed25519_sign(pkey, img->bytes, IMG_LEN, t.signature);
	sigtrailer_encode(&t, img->bytes + IMG_LEN);
	img->size = IMG_LEN + SIGTRAILER_SIZE;
}

/* Shared fixture: two keys and an image signed by the first. */
static EVP_PKEY *pkey_a;
static EVP_PKEY *pkey_b;
static struct sig_key key_a;
static struct sig_key key_b;

static void setup(struct image *img)
{
	if (!pkey_a) {
		make_key(0xa1, &pkey_a, &key_a);
		make_key(0xb2, &pkey_b, &key_b);
	}
	make_image(img, pkey_a, &key_a);
}

static int verify_with(const struct image *img, const struct sig_key *keys,
		       size_t nkeys)
{
	size_t len = 12345;
	int err = sig_verify_image(img->bytes, img->size, keys, nkeys, &len);

	/* The output is written on success only. */
	if (err != 0 && len != 12345) {
		return -1000;
	}
	if (err == 0 && len != img->size - SIGTRAILER_SIZE) {
		return -1001;
	}
	return err;
}

UNIT_TEST(sigtrailer_layout_is_little_endian_and_fixed)
{
	/* Bytes 8..31: algorithm, version, key id, signed_len. */
	static const uint8_t header[24] = {
		0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,
		0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17,
		0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x20,
	};
	struct sigtrailer t, back;
	uint8_t raw[SIGTRAILER_SIZE];

	memset(&t, 0, sizeof(t));
	memcpy(t.magic, SIGTRAILER_MAGIC, SIGTRAILER_MAGIC_SIZE);
	t.algorithm = 0x04030201;
	t.version = 0x08070605;
	for (int i = 0; i < 8; i++) {
		t.key_id[i] = (uint8_t)(0x10 + i);
	}
	t.signed_len = 0x2019181716151413ULL;
	for (int i = 0; i < 64; i++) {
		t.signature[i] = (uint8_t)(0x40 + i);
	}
	sigtrailer_encode(&t, raw);
	UNIT_ASSERT(memcmp(raw, "CRDNSIG1", 8) == 0);
	UNIT_ASSERT(memcmp(raw + 8, header, sizeof(header)) == 0);
	UNIT_EQ(raw[32], 0x40);
	UNIT_EQ(raw[95], 0x7f);
	sigtrailer_decode(raw, &back);
	UNIT_ASSERT(memcmp(&back, &t, sizeof(t)) == 0);
}

UNIT_TEST(sigtrailer_good_image_verifies)
{
	struct image img;
	struct sigtrailer t;
	size_t len = 0;

	setup(&img);
	UNIT_EQ(sigtrailer_parse(img.bytes, img.size, &t, &len), 0);
	UNIT_EQ(len, IMG_LEN);
	UNIT_EQ(t.signed_len, IMG_LEN);
	UNIT_EQ(t.algorithm, SIGTRAILER_ALG_ED25519);
	UNIT_ASSERT(memcmp(t.key_id, key_a.id, 8) == 0);
	UNIT_EQ(verify_with(&img, &key_a, 1), 0);
}

UNIT_TEST(sigtrailer_key_id_is_sha512_prefix)
{
	/* RFC 8032 TEST 1 public key; SHA-512 computed independently. */
	static const uint8_t pub[32] = {
		0xd7, 0x5a, 0x98, 0x01, 0x82, 0xb1, 0x0a, 0xb7,
		0xd5, 0x4b, 0xfe, 0xd3, 0xc9, 0x64, 0x07, 0x3a,
		0x0e, 0xe1, 0x72, 0xf3, 0xda, 0xa6, 0x23, 0x25,
		0xaf, 0x02, 0x1a, 0x68, 0xf7, 0x07, 0x51, 0x1a,
	};
	uint8_t want[64];
	unsigned int n;
	uint8_t id[8];

	UNIT_ASSERT(EVP_Digest(pub, 32, want, &n, EVP_sha512(), NULL));
	sig_key_id(pub, id);
	UNIT_ASSERT(memcmp(id, want, 8) == 0);
}

UNIT_TEST(sigtrailer_unsigned_image_is_enoexec)
{
	struct image img;
	struct sigtrailer t;
	size_t len;

	setup(&img);
	/* The bare ELF bytes, and smaller files down to empty. */
	UNIT_EQ(sigtrailer_parse(img.bytes, IMG_LEN, &t, &len), -ENOEXEC);
	UNIT_EQ(sigtrailer_parse(img.bytes, SIGTRAILER_SIZE - 1, &t, &len),
		-ENOEXEC);
	UNIT_EQ(sigtrailer_parse(img.bytes, 1, &t, &len), -ENOEXEC);
	UNIT_EQ(sigtrailer_parse(NULL, 0, &t, &len), -ENOEXEC);
	img.size = IMG_LEN;
	UNIT_EQ(verify_with(&img, &key_a, 1), -ENOEXEC);
}

UNIT_TEST(sigtrailer_truncated_or_extended_file_is_rejected)
{
	struct image img;
	struct sigtrailer t;
	size_t len;

	setup(&img);
	/* Cut at the end or extended: the trailer is no longer last. */
	for (size_t cut = 1; cut <= SIGTRAILER_SIZE; cut++) {
		UNIT_EQ(sigtrailer_parse(img.bytes, img.size - cut, &t, &len),
			-ENOEXEC);
	}
	for (size_t extra = 1; extra <= 16; extra++) {
		UNIT_EQ(sigtrailer_parse(img.bytes, img.size + extra, &t, &len),
			-ENOEXEC);
	}
	/* Cut at the start: the trailer no longer matches the length. */
	for (size_t cut = 1; cut <= IMG_LEN; cut++) {
		UNIT_EQ(sigtrailer_parse(img.bytes + cut, img.size - cut, &t,
					 &len),
			-EINVAL);
	}
}

/* Rewrites one field of the trailer in place. */
static void patch_trailer(struct image *img, void (*patch)(struct sigtrailer *))
{
	struct sigtrailer t;
	uint8_t *raw = img->bytes + img->size - SIGTRAILER_SIZE;

	sigtrailer_decode(raw, &t);
	patch(&t);
	sigtrailer_encode(&t, raw);
}

static void len_plus_one(struct sigtrailer *t)
{
	t->signed_len++;
}

static void len_minus_one(struct sigtrailer *t)
{
	t->signed_len--;
}

static void len_zero(struct sigtrailer *t)
{
	t->signed_len = 0;
}

static void len_huge(struct sigtrailer *t)
{
	t->signed_len = ~0ULL;
}

static void len_high_bits(struct sigtrailer *t)
{
	t->signed_len |= 1ULL << 32;
}

static void alg_two(struct sigtrailer *t)
{
	t->algorithm = 2;
}

static void alg_zero(struct sigtrailer *t)
{
	t->algorithm = 0;
}

static void version_two(struct sigtrailer *t)
{
	t->version = 2;
}

static void version_zero(struct sigtrailer *t)
{
	t->version = 0;
}

UNIT_TEST(sigtrailer_inconsistent_fields_are_einval)
{
	static void (*const patches[])(struct sigtrailer *) = {
		len_plus_one, len_minus_one, len_zero,
		len_huge,     len_high_bits, alg_two,
		alg_zero,     version_two,   version_zero,
	};
	struct image img;
	struct sigtrailer t;
	size_t len = 777;

	for (size_t i = 0; i < ARRAY_SIZE(patches); i++) {
		setup(&img);
		patch_trailer(&img, patches[i]);
		UNIT_EQ(sigtrailer_parse(img.bytes, img.size, &t, &len),
			-EINVAL);
		UNIT_EQ(len, 777);
		UNIT_EQ(verify_with(&img, &key_a, 1), -EINVAL);
	}
}

UNIT_TEST(sigtrailer_trailer_alone_is_einval)
{
	struct image img;
	struct sigtrailer t;
	size_t len;

	setup(&img);
	/* A 96-byte file that is only a trailer signing 0 bytes. */
	patch_trailer(&img, len_zero);
	UNIT_EQ(sigtrailer_parse(img.bytes + IMG_LEN, SIGTRAILER_SIZE, &t,
				 &len),
		-EINVAL);
}

UNIT_TEST(sigtrailer_unknown_key_is_eacces)
{
	struct image img;
	struct sig_key bad;

	setup(&img);
	UNIT_EQ(verify_with(&img, &key_b, 1), -EACCES);
	UNIT_EQ(verify_with(&img, NULL, 0), -EACCES);
	/* A table entry whose id does not match its key is not trusted. */
	bad = key_b;
	memcpy(bad.id, key_a.id, sizeof(bad.id));
	UNIT_EQ(verify_with(&img, &bad, 1), -EACCES);
}

UNIT_TEST(sigtrailer_right_key_is_found_in_table)
{
	struct sig_key table[3];
	struct image img;

	setup(&img);
	table[0] = key_b;
	table[1] = key_a;
	table[2] = key_b;
	UNIT_EQ(verify_with(&img, table, 3), 0);
	/* An inconsistent entry with the same id does not hide the key. */
	table[0] = key_b;
	memcpy(table[0].id, key_a.id, sizeof(table[0].id));
	UNIT_EQ(verify_with(&img, table, 3), 0);
}

UNIT_TEST(sigtrailer_image_signed_by_other_key_is_rejected)
{
	struct image img;
	struct sigtrailer t;

	/* Signed by B but claiming A's key id. */
	setup(&img);
	make_image(&img, pkey_b, &key_a);
	UNIT_EQ(verify_with(&img, &key_a, 1), -EKEYREJECTED);
	sigtrailer_decode(img.bytes + IMG_LEN, &t);
	UNIT_ASSERT(memcmp(t.key_id, key_a.id, 8) == 0);
}

/*
 * Every single-bit change anywhere in the file is caught: in the image or
 * the signature as a bad signature, in the trailer header as a format or
 * key error.
 */
UNIT_TEST(sigtrailer_any_flipped_bit_is_rejected)
{
	const size_t sig_off = IMG_LEN + 32;
	struct image img;

	setup(&img);
	for (size_t bit = 0; bit < 8 * img.size; bit++) {
		size_t byte = bit / 8;
		int err;

		img.bytes[byte] ^= (uint8_t)(1u << (bit % 8));
		err = verify_with(&img, &key_a, 1);
		img.bytes[byte] ^= (uint8_t)(1u << (bit % 8));

		if (byte < IMG_LEN || byte >= sig_off) {
			UNIT_EQ(err, -EKEYREJECTED);
		} else if (byte < IMG_LEN + 8) {
			UNIT_EQ(err, -ENOEXEC); /* magic */
		} else if (byte < IMG_LEN + 16) {
			UNIT_EQ(err, -EINVAL); /* alg, version */
		} else if (byte < IMG_LEN + 24) {
			UNIT_EQ(err, -EACCES); /* key id */
		} else {
			UNIT_EQ(err, -EINVAL); /* signed_len */
		}
	}
	UNIT_EQ(verify_with(&img, &key_a, 1), 0);
}

/* An attacker's own valid signature does not make an image trusted. */
UNIT_TEST(sigtrailer_untrusted_signer_is_eacces)
{
	struct image img;

	setup(&img);
	make_image(&img, pkey_b, &key_b);
	UNIT_EQ(verify_with(&img, &key_b, 1), 0);
	UNIT_EQ(verify_with(&img, &key_a, 1), -EACCES);
}
