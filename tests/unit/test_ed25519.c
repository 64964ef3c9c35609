// SPDX-License-Identifier: MIT
/*
 * Tests for lib/crypto/ed25519.c through its public entry point: every
 * Ed25519 test vector of RFC 8032 section 7.1 (TEST 1, 2, 3, 1024 and
 * SHA(abc)) must verify, and every single-bit change to a signature,
 * message or key must not. Then the inputs a strict verifier must refuse:
 * non-canonical S, non-canonical or off-curve point encodings, x = 0 with
 * the sign bit set, and small-order keys and R values, including forged
 * signatures that satisfy the cofactorless equation for a small-order key.
 */
#include <stdlib.h>
#include <string.h>

#include "abi/errno.h"
#include "crypto/ed25519.h"
#include "unit.h"

struct rfc_vector {
	const char *name;
	const char *pub; /* 32 bytes, hex */
	const char *msg; /* hex */
	const char *sig; /* 64 bytes, hex */
};

/* TEST 1024: a 1023-byte message. */
static const char rfc8032_test1024_msg[] = "08b8b2b733424243760fe426a4b54908"
					   "632110a66c2f6591eabd3345e3e4eb98"
					   "fa6e264bf09efe12ee50f8f54e9f77b1"
					   "e355f6c50544e23fb1433ddf73be84d8"
					   "79de7c0046dc4996d9e773f4bc9efe57"
					   "38829adb26c81b37c93a1b270b20329d"
					   "658675fc6ea534e0810a4432826bf58c"
					   "941efb65d57a338bbd2e26640f89ffbc"
					   "1a858efcb8550ee3a5e1998bd177e93a"
					   "7363c344fe6b199ee5d02e82d522c4fe"
					   "ba15452f80288a821a579116ec6dad2b"
					   "3b310da903401aa62100ab5d1a36553e"
					   "06203b33890cc9b832f79ef80560ccb9"
					   "a39ce767967ed628c6ad573cb116dbef"
					   "efd75499da96bd68a8a97b928a8bbc10"
					   "3b6621fcde2beca1231d206be6cd9ec7"
					   "aff6f6c94fcd7204ed3455c68c83f4a4"
					   "1da4af2b74ef5c53f1d8ac70bdcb7ed1"
					   "85ce81bd84359d44254d95629e9855a9"
					   "4a7c1958d1f8ada5d0532ed8a5aa3fb2"
					   "d17ba70eb6248e594e1a2297acbbb39d"
					   "502f1a8c6eb6f1ce22b3de1a1f40cc24"
					   "554119a831a9aad6079cad88425de6bd"
					   "e1a9187ebb6092cf67bf2b13fd65f270"
					   "88d78b7e883c8759d2c4f5c65adb7553"
					   "878ad575f9fad878e80a0c9ba63bcbcc"
					   "2732e69485bbc9c90bfbd62481d9089b"
					   "eccf80cfe2df16a2cf65bd92dd597b07"
					   "07e0917af48bbb75fed413d238f5555a"
					   "7a569d80c3414a8d0859dc65a46128ba"
					   "b27af87a71314f318c782b23ebfe808b"
					   "82b0ce26401d2e22f04d83d1255dc51a"
					   "ddd3b75a2b1ae0784504df543af8969b"
					   "e3ea7082ff7fc9888c144da2af58429e"
					   "c96031dbcad3dad9af0dcbaaaf268cb8"
					   "fcffead94f3c7ca495e056a9b47acdb7"
					   "51fb73e666c6c655ade8297297d07ad1"
					   "ba5e43f1bca32301651339e22904cc8c"
					   "42f58c30c04aafdb038dda0847dd988d"
					   "cda6f3bfd15c4b4c4525004aa06eeff8"
					   "ca61783aacec57fb3d1f92b0fe2fd1a8"
					   "5f6724517b65e614ad6808d6f6ee34df"
					   "f7310fdc82aebfd904b01e1dc54b2927"
					   "094b2db68d6f903b68401adebf5a7e08"
					   "d78ff4ef5d63653a65040cf9bfd4aca7"
					   "984a74d37145986780fc0b16ac451649"
					   "de6188a7dbdf191f64b5fc5e2ab47b57"
					   "f7f7276cd419c17a3ca8e1b939ae49e4"
					   "88acba6b965610b5480109c8b17b80e1"
					   "b7b750dfc7598d5d5011fd2dcc5600a3"
					   "2ef5b52a1ecc820e308aa342721aac09"
					   "43bf6686b64b2579376504ccc493d97e"
					   "6aed3fb0f9cd71a43dd497f01f17c0e2"
					   "cb3797aa2a2f256656168e6c496afc5f"
					   "b93246f6b1116398a346f1a641f3b041"
					   "e989f7914f90cc2c7fff357876e506b5"
					   "0d334ba77c225bc307ba537152f3f161"
					   "0e4eafe595f6d9d90d11faa933a15ef1"
					   "369546868a7f3a45a96768d40fd9d034"
					   "12c091c6315cf4fde7cb68606937380d"
					   "b2eaaa707b4c4185c32eddcdd306705e"
					   "4dc1ffc872eeee475a64dfac86aba41c"
					   "0618983f8741c5ef68d3a101e8a3b8ca"
					   "c60c905c15fc910840b94c00a0b9d0";

static const struct rfc_vector rfc8032_vectors[] = {
	{
		.name = "TEST 1",
		.pub = "d75a980182b10ab7d54bfed3c964073a"
		       "0ee172f3daa62325af021a68f707511a",
		.msg = "",
		.sig = "e5564300c360ac729086e2cc806e828a"
		       "84877f1eb8e5d974d873e06522490155"
		       "5fb8821590a33bacc61e39701cf9b46b"
		       "d25bf5f0595bbe24655141438e7a100b",
	},
	{
		.name = "TEST 2",
		.pub = "3d4017c3e843895a92b70aa74d1b7ebc"
		       "9c982ccf2ec4968cc0cd55f12af4660c",
		.msg = "72",
		.sig = "92a009a9f0d4cab8720e820b5f642540"
		       "a2b27b5416503f8fb3762223ebdb69da"
		       "085ac1e43e15996e458f3613d0f11d8c"
		       "387b2eaeb4302aeeb00d291612bb0c00",
	},
	{
		.name = "TEST 3",
		.pub = "fc51cd8e6218a1a38da47ed00230f058"
		       "0816ed13ba3303ac5deb911548908025",
		.msg = "af82",
		.sig = "6291d657deec24024827e69c3abe01a3"
		       "0ce548a284743a445e3680d7db5ac3ac"
		       "18ff9b538d16f290ae67f760984dc659"
		       "4a7c15e9716ed28dc027beceea1ec40a",
	},
	{
		.name = "TEST 1024",
		.pub = "278117fc144c72340f67d0f2316e8386"
		       "ceffbf2b2428c9c51fef7c597f1d426e",
		.msg = rfc8032_test1024_msg,
		.sig = "0aab4c900501b3e24d7cdf4663326a3a"
		       "87df5e4843b2cbdb67cbf6e460fec350"
		       "aa5371b1508f9f4528ecea23c436d94b"
		       "5e8fcd4f681e30a6ac00a9704a188a03",
	},
	{
		.name = "TEST SHA(abc)",
		.pub = "ec172b93ad5e563bf4932c70e1245034"
		       "c35467ef2efd4d64ebf819683467e2bf",
		.msg = "ddaf35a193617abacc417349ae204131"
		       "12e6fa4e89a97ea20a9eeee64b55d39a"
		       "2192992a274fc1a836ba3c23a3feebbd"
		       "454d4423643ce80e2a9ac94fa54ca49f",
		.sig = "dc2a4459e7369633a52b1bf277839a00"
		       "201009a3efbf3ecb69bea2186c26b589"
		       "09351fc9ac90b3ecfdfbc7c66431e030"
		       "3dca179c138ac17ad9bef1177331a704",
	},
};

/*
 * Encodings of the eight points of order dividing 8 (the torsion
 * subgroup), derived from the curve equation: (0, 1) of order 1; (0, -1)
 * of order 2; (+-sqrt(-1), 0) of order 4; and the four points of order 8,
 * where doubling gives y = 0, so y^2 = -x^2 and d x^4 - 2 x^2 - 1 = 0.
 * Each was checked to satisfy [8]P = O with an independent big-integer
 * implementation of the curve.
 */
static const char *const small_order_points[] = {
	"0100000000000000000000000000000000000000000000000000000000000000",
	"ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
	"0000000000000000000000000000000000000000000000000000000000000000",
	"0000000000000000000000000000000000000000000000000000000000000080",
	"26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85",
	"26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
	"c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa",
	"c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
};

/*
 * Encodings that are not canonical encodings of a point: y >= p (with and
 * without the sign bit), x = 0 with the sign bit set, and y = 2, for
 * which (y^2 - 1) / (d y^2 + 1) has no square root.
 */
static const char *const invalid_points[] = {
	/* y = p, an alias of y = 0 */
	"edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
	"edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
	/* y = p + 1, an alias of the identity */
	"eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
	"eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
	/* y = p + 18 and y = 2^255 - 1, the largest values */
	"ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
	"ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
	/* x = 0 with sign bit 1: y = 1 and y = -1 */
	"0100000000000000000000000000000000000000000000000000000000000080",
	"ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
	/* y = 2 is not on the curve */
	"0200000000000000000000000000000000000000000000000000000000000000",
};

/* The base point B, encoded: y = 4/5, x even. */
static const char base_point_hex[] =
	"5866666666666666666666666666666666666666666666666666666666666666";

/* L, the order of B, little-endian. */
static const char group_order_hex[] =
	"edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010";

/* Decodes a hex string into @out (at most @max bytes); returns its size. */
static size_t unhex(const char *hex, uint8_t *out, size_t max)
{
	size_t n = strlen(hex) / 2;

	if (n > max) {
		abort();
	}
	for (size_t i = 0; i < n; i++) {
		unsigned int byte;

		if (sscanf(hex + 2 * i, "%2x", &byte) != 1) {
			abort();
		}
		out[i] = (uint8_t)byte;
	}
	return n;
}

struct decoded {
	uint8_t pub[32];
	uint8_t sig[64];
	uint8_t msg[1024];
	size_t len;
};

static void decode_vector(const struct rfc_vector *v, struct decoded *d)
{
	unhex(v->pub, d->pub, sizeof(d->pub));
	unhex(v->sig, d->sig, sizeof(d->sig));
	d->len = unhex(v->msg, d->msg, sizeof(d->msg));
}

static int verify(const struct decoded *d)
{
	return ed25519_verify(d->sig, d->msg, d->len, d->pub);
}

/* a += b for 32-byte little-endian integers; returns the carry out. */
static int add256(uint8_t a[32], const uint8_t b[32])
{
	unsigned int carry = 0;

	for (int i = 0; i < 32; i++) {
		carry += a[i] + b[i];
		a[i] = (uint8_t)carry;
		carry >>= 8;
	}
	return (int)carry;
}

UNIT_TEST(ed25519_rfc8032_vectors_verify)
{
	struct decoded d;

	UNIT_EQ(ARRAY_SIZE(rfc8032_vectors), 5);
	for (size_t i = 0; i < ARRAY_SIZE(rfc8032_vectors); i++) {
		decode_vector(&rfc8032_vectors[i], &d);
		if (verify(&d) != 0) {
			unit_fail(__FILE__, __LINE__, "%s rejected",
				  rfc8032_vectors[i].name);
			return;
		}
	}
	/* The 1023-byte message really is 1023 bytes. */
	decode_vector(&rfc8032_vectors[3], &d);
	UNIT_EQ(d.len, 1023);
}

UNIT_TEST(ed25519_empty_message_may_be_null)
{
	struct decoded d;

	decode_vector(&rfc8032_vectors[0], &d);
	UNIT_EQ(d.len, 0);
	UNIT_EQ(ed25519_verify(d.sig, NULL, 0, d.pub), 0);
}

UNIT_TEST(ed25519_every_signature_bit_flip_is_rejected)
{
	struct decoded d;

	for (size_t i = 0; i < ARRAY_SIZE(rfc8032_vectors); i++) {
		decode_vector(&rfc8032_vectors[i], &d);
		for (int bit = 0; bit < 512; bit++) {
			d.sig[bit / 8] ^= (uint8_t)(1u << (bit % 8));
			if (verify(&d) != -EKEYREJECTED) {
				unit_fail(__FILE__, __LINE__,
					  "%s: sig bit %d flipped, accepted",
					  rfc8032_vectors[i].name, bit);
				return;
			}
			d.sig[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		}
		UNIT_EQ(verify(&d), 0);
	}
}

UNIT_TEST(ed25519_every_public_key_bit_flip_is_rejected)
{
	struct decoded d;

	for (size_t i = 0; i < ARRAY_SIZE(rfc8032_vectors); i++) {
		decode_vector(&rfc8032_vectors[i], &d);
		for (int bit = 0; bit < 256; bit++) {
			d.pub[bit / 8] ^= (uint8_t)(1u << (bit % 8));
			if (verify(&d) != -EKEYREJECTED) {
				unit_fail(__FILE__, __LINE__,
					  "%s: key bit %d flipped, accepted",
					  rfc8032_vectors[i].name, bit);
				return;
			}
			d.pub[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		}
		UNIT_EQ(verify(&d), 0);
	}
}

UNIT_TEST(ed25519_every_message_bit_flip_is_rejected)
{
	struct decoded d;

	for (size_t i = 0; i < ARRAY_SIZE(rfc8032_vectors); i++) {
		decode_vector(&rfc8032_vectors[i], &d);
		for (size_t bit = 0; bit < 8 * d.len; bit++) {
			d.msg[bit / 8] ^= (uint8_t)(1u << (bit % 8));
			if (verify(&d) != -EKEYREJECTED) {
				unit_fail(__FILE__, __LINE__,
					  "%s: msg bit %zu flipped, accepted",
					  rfc8032_vectors[i].name, bit);
				return;
			}
			d.msg[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		}
		UNIT_EQ(verify(&d), 0);
	}
}

UNIT_TEST(ed25519_message_length_change_is_rejected)
{
	struct decoded d;

	for (size_t i = 0; i < ARRAY_SIZE(rfc8032_vectors); i++) {
		decode_vector(&rfc8032_vectors[i], &d);
		/* One byte more (a zero byte, then a copy of byte 0). */
		d.msg[d.len] = 0;
		UNIT_EQ(ed25519_verify(d.sig, d.msg, d.len + 1, d.pub),
			-EKEYREJECTED);
		if (d.len > 0) {
			UNIT_EQ(ed25519_verify(d.sig, d.msg, d.len - 1, d.pub),
				-EKEYREJECTED);
		}
	}
}

/* S + L is congruent to S but not canonical (RFC 8032 5.1.7 step 1). */
UNIT_TEST(ed25519_noncanonical_s_plus_l_is_rejected)
{
	uint8_t l[32];
	struct decoded d;

	unhex(group_order_hex, l, sizeof(l));
	for (size_t i = 0; i < ARRAY_SIZE(rfc8032_vectors); i++) {
		decode_vector(&rfc8032_vectors[i], &d);
		UNIT_EQ(add256(d.sig + 32, l), 0);
		UNIT_EQ(verify(&d), -EKEYREJECTED);
	}
}

UNIT_TEST(ed25519_s_at_or_above_l_is_rejected)
{
	struct decoded d;

	decode_vector(&rfc8032_vectors[1], &d);
	unhex(group_order_hex, d.sig + 32, 32);
	UNIT_EQ(verify(&d), -EKEYREJECTED);
	memset(d.sig + 32, 0xff, 32);
	UNIT_EQ(verify(&d), -EKEYREJECTED);
	/* 2^253, the smallest S with a bit above L's top bit. */
	memset(d.sig + 32, 0, 32);
	d.sig[63] = 0x20;
	UNIT_EQ(verify(&d), -EKEYREJECTED);
}

/*
 * With A = O (the identity), [S]B = R + [k]A holds for R = B, S = 1 and
 * any message, so without the small-order check anyone could "sign" for
 * this key. For the other torsion points T, R = B, S = 1 satisfies the
 * equation whenever [k]T = O, which happens for a fraction of messages.
 */
UNIT_TEST(ed25519_small_order_public_keys_are_rejected)
{
	uint8_t pub[32];
	uint8_t sig[64];
	struct decoded d;
	char msg[32];

	unhex(base_point_hex, sig, 32);
	memset(sig + 32, 0, 32);
	sig[32] = 1;

	for (size_t i = 0; i < ARRAY_SIZE(small_order_points); i++) {
		unhex(small_order_points[i], pub, sizeof(pub));
		for (int m = 0; m < 32; m++) {
			snprintf(msg, sizeof(msg), "forged %d", m);
			UNIT_EQ(ed25519_verify(sig, (const uint8_t *)msg,
					       strlen(msg), pub),
				-EKEYREJECTED);
		}
		/* Nor with the RFC signatures. */
		for (size_t v = 0; v < ARRAY_SIZE(rfc8032_vectors); v++) {
			decode_vector(&rfc8032_vectors[v], &d);
			memcpy(d.pub, pub, sizeof(pub));
			UNIT_EQ(verify(&d), -EKEYREJECTED);
		}
	}
}

/* With A = O, R = O and S = 0 satisfy the equation too. */
UNIT_TEST(ed25519_identity_key_with_zero_signature_is_rejected)
{
	uint8_t pub[32];
	uint8_t sig[64];

	unhex(small_order_points[0], pub, sizeof(pub));
	memset(sig, 0, sizeof(sig));
	unhex(small_order_points[0], sig, 32);
	UNIT_EQ(ed25519_verify(sig, (const uint8_t *)"x", 1, pub),
		-EKEYREJECTED);
	UNIT_EQ(ed25519_verify(sig, NULL, 0, pub), -EKEYREJECTED);
}

UNIT_TEST(ed25519_small_order_r_is_rejected)
{
	struct decoded d;

	for (size_t v = 0; v < ARRAY_SIZE(rfc8032_vectors); v++) {
		for (size_t i = 0; i < ARRAY_SIZE(small_order_points); i++) {
			decode_vector(&rfc8032_vectors[v], &d);
			unhex(small_order_points[i], d.sig, 32);
			UNIT_EQ(verify(&d), -EKEYREJECTED);
			memset(d.sig + 32, 0, 32);
			UNIT_EQ(verify(&d), -EKEYREJECTED);
		}
	}
}

UNIT_TEST(ed25519_invalid_public_key_encodings_are_rejected)
{
	uint8_t sig[64];
	struct decoded d;

	/* With the forgery that works for the identity key... */
	unhex(base_point_hex, sig, 32);
	memset(sig + 32, 0, 32);
	sig[32] = 1;
	for (size_t i = 0; i < ARRAY_SIZE(invalid_points); i++) {
		uint8_t pub[32];

		unhex(invalid_points[i], pub, sizeof(pub));
		UNIT_EQ(ed25519_verify(sig, (const uint8_t *)"m", 1, pub),
			-EKEYREJECTED);
		/* ...and with every RFC signature. */
		for (size_t v = 0; v < ARRAY_SIZE(rfc8032_vectors); v++) {
			decode_vector(&rfc8032_vectors[v], &d);
			memcpy(d.pub, pub, sizeof(pub));
			UNIT_EQ(verify(&d), -EKEYREJECTED);
		}
	}
}

UNIT_TEST(ed25519_invalid_r_encodings_are_rejected)
{
	struct decoded d;

	for (size_t v = 0; v < ARRAY_SIZE(rfc8032_vectors); v++) {
		for (size_t i = 0; i < ARRAY_SIZE(invalid_points); i++) {
			decode_vector(&rfc8032_vectors[v], &d);
			unhex(invalid_points[i], d.sig, 32);
			UNIT_EQ(verify(&d), -EKEYREJECTED);
		}
	}
}

/*
 * The key's x sign bit selects between A and -A; a signature for A must
 * not verify under -A.
 */
UNIT_TEST(ed25519_negated_public_key_is_rejected)
{
	struct decoded d;

	for (size_t v = 0; v < ARRAY_SIZE(rfc8032_vectors); v++) {
		decode_vector(&rfc8032_vectors[v], &d);
		d.pub[31] ^= 0x80;
		UNIT_EQ(verify(&d), -EKEYREJECTED);
	}
}
