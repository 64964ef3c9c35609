// SPDX-License-Identifier: MIT
/*
 * Differential and white-box tests for lib/crypto/ed25519.c. The file
 * includes ed25519.c itself to reach its static helpers, and checks them
 * against OpenSSL's big-number arithmetic: field operations on edge and
 * random (also non-reduced) inputs, scalar reduction and NAF recoding,
 * point decoding and scalar multiplication. It then forges signatures that
 * satisfy the cofactorless equation with a small-order R or a mixed-order
 * key, which only the extra checks reject, and finally runs the verifier
 * against OpenSSL's Ed25519 on random keys, messages and mutations.
 *
 * ED25519_DIFF_SEED and ED25519_DIFF_ITERS (environment) override the
 * seed and the iteration count of the differential run.
 */
#include "crypto/ed25519.c"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include <openssl/bn.h>
#include <openssl/evp.h>

#include "unit.h"

#define DIFF_DEFAULT_SEED 0x43524f4e45443235ULL
#define DIFF_DEFAULT_ITERS 10000
#define DIFF_MAX_MSG 300

/* splitmix64, so that every run with the same seed is identical. */
static uint64_t rng_state;

static uint64_t rng_next(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static void rng_bytes(uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		p[i] = (uint8_t)rng_next();
	}
}

static uint64_t env_u64(const char *name, uint64_t def)
{
	const char *s = getenv(name);

	return s && *s ? strtoull(s, NULL, 0) : def;
}

/* Big-number references. */

static BN_CTX *bn_ctx;
static BIGNUM *bn_p;
static BIGNUM *bn_l;

static void bn_setup(void)
{
	if (bn_ctx) {
		return;
	}
	bn_ctx = BN_CTX_new();
	bn_p = BN_new();
	bn_l = BN_new();
	BN_set_bit(bn_p, 255);
	BN_sub_word(bn_p, 19);
	/* L = 2^252 + 27742317777372353535851937790883648493 */
	BN_dec2bn(&bn_l, "27742317777372353535851937790883648493");
	BN_set_bit(bn_l, 252);
}

/* The integer a loose element stands for: sum v[i] 2^(51 i), not reduced. */
static BIGNUM *fe_raw_bn(const struct fe *f)
{
	BIGNUM *r = BN_new();
	BIGNUM *t = BN_new();

	BN_zero(r);
	for (int i = 4; i >= 0; i--) {
		BN_lshift(r, r, 51);
		BN_set_word(t, f->v[i]);
		BN_add(r, r, t);
	}
	BN_free(t);
	return r;
}

/* The canonical value of f as computed by fe_tobytes(). */
static BIGNUM *fe_bn(const struct fe *f)
{
	uint8_t s[32];

	fe_tobytes(s, f);
	return BN_lebin2bn(s, 32, NULL);
}

/* True if fe_tobytes(f) equals want mod p. */
static bool fe_is_bn(const struct fe *f, const BIGNUM *want)
{
	BIGNUM *w = BN_new();
	BIGNUM *got = fe_bn(f);
	bool ok;

	BN_nnmod(w, want, bn_p, bn_ctx);
	ok = BN_cmp(got, w) == 0 && BN_cmp(got, bn_p) < 0;
	BN_free(w);
	BN_free(got);
	return ok;
}

/* A random loose element: every limb uniform below 2^52. */
static void fe_random_loose(struct fe *f)
{
	for (int i = 0; i < 5; i++) {
		f->v[i] = rng_next() & ((UINT64_C(1) << 52) - 1);
	}
}

/*
 * Edge elements: zero, small values, p - 1, p, p + 1, p + 18, 2^255 - 1,
 * 2p - 1 and limbs at the loose maximum 2^52 - 1.
 */
#define FE_EDGE_COUNT 12

static void fe_edge(struct fe *f, int which)
{
	static const uint64_t m51 = (UINT64_C(1) << 51) - 1;
	static const uint64_t m52 = (UINT64_C(1) << 52) - 1;

	fe_zero(f);
	switch (which) {
	case 0:
		break;
	case 1:
		f->v[0] = 1;
		break;
	case 2: /* p - 1 */
	case 3: /* p */
	case 4: /* p + 1 */
	case 5: /* p + 18 = 2^255 - 1 */
		f->v[0] = m51 - 18 + (uint64_t)(which - 3);
		for (int i = 1; i < 5; i++) {
			f->v[i] = m51;
		}
		if (which == 5) {
			f->v[0] = m51;
		}
		break;
	case 6: /* 2p - 1 as 2 (p limbs) - 1: all limbs loose */
		f->v[0] = 2 * (m51 - 18) - 1;
		for (int i = 1; i < 5; i++) {
			f->v[i] = 2 * m51;
		}
		break;
	case 7: /* every limb at the loose maximum */
		for (int i = 0; i < 5; i++) {
			f->v[i] = m52;
		}
		break;
	case 8: /* 2^51 in limb 0 only */
		f->v[0] = UINT64_C(1) << 51;
		break;
	case 9: /* limb 4 at the loose maximum, carry into 2^255 */
		f->v[4] = m52;
		break;
	case 10: /* -1 spread as p - 1 in limbs plus a loose top */
		f->v[0] = m51 - 19;
		f->v[1] = m52;
		f->v[2] = m51;
		f->v[3] = m52;
		f->v[4] = m51;
		break;
	default: /* 19: the value 2^255 reduces to */
		f->v[0] = 19;
		break;
	}
}

UNIT_TEST(fe_tobytes_gives_canonical_value)
{
	struct fe f;

	bn_setup();
	rng_state = 1;
	for (int i = 0; i < FE_EDGE_COUNT + 5000; i++) {
		BIGNUM *raw;

		if (i < FE_EDGE_COUNT) {
			fe_edge(&f, i);
		} else {
			fe_random_loose(&f);
		}
		raw = fe_raw_bn(&f);
		if (!fe_is_bn(&f, raw)) {
			unit_fail(__FILE__, __LINE__, "case %d wrong", i);
			BN_free(raw);
			return;
		}
		BN_free(raw);
	}
}

UNIT_TEST(fe_frombytes_ignores_bit_255)
{
	uint8_t s[32];
	struct fe f;

	bn_setup();
	rng_state = 2;
	for (int i = 0; i < 2000; i++) {
		BIGNUM *want;

		rng_bytes(s, sizeof(s));
		if (i < 256) {
			/* Values just below 2^255, including y >= p. */
			memset(s, 0xff, sizeof(s));
			s[0] = (uint8_t)i;
		}
		fe_frombytes(&f, s);
		s[31] &= 0x7f;
		want = BN_lebin2bn(s, 32, NULL);
		UNIT_ASSERT(fe_is_bn(&f, want));
		BN_free(want);
	}
}

/* Runs op on random and edge pairs and compares with BN. */
UNIT_TEST(fe_arithmetic_matches_bignum)
{
	struct fe f, g, h;

	bn_setup();
	rng_state = 3;
	for (int i = 0; i < 20000; i++) {
		BIGNUM *a, *b, *want = BN_new();

		if (i < FE_EDGE_COUNT * FE_EDGE_COUNT) {
			fe_edge(&f, i / FE_EDGE_COUNT);
			fe_edge(&g, i % FE_EDGE_COUNT);
		} else {
			fe_random_loose(&f);
			fe_random_loose(&g);
		}
		a = fe_raw_bn(&f);
		b = fe_raw_bn(&g);

		fe_mul(&h, &f, &g);
		BN_mod_mul(want, a, b, bn_p, bn_ctx);
		UNIT_ASSERT(fe_is_bn(&h, want));
		fe_sq(&h, &f);
		BN_mod_sqr(want, a, bn_p, bn_ctx);
		UNIT_ASSERT(fe_is_bn(&h, want));
		fe_add(&h, &f, &g);
		BN_mod_add(want, a, b, bn_p, bn_ctx);
		UNIT_ASSERT(fe_is_bn(&h, want));
		fe_sub(&h, &f, &g);
		BN_mod_sub(want, a, b, bn_p, bn_ctx);
		UNIT_ASSERT(fe_is_bn(&h, want));
		fe_neg(&h, &f);
		BN_mod_sub(want, bn_p, a, bn_p, bn_ctx);
		UNIT_ASSERT(fe_is_bn(&h, want));
		/* Aliased output. */
		h = f;
		fe_mul(&h, &h, &h);
		BN_mod_sqr(want, a, bn_p, bn_ctx);
		UNIT_ASSERT(fe_is_bn(&h, want));

		if (i % 20 == 0) {
			BIGNUM *e = BN_new();

			/* (p - 5) / 8 */
			BN_sub(e, bn_p, BN_value_one());
			BN_sub_word(e, 4);
			BN_rshift(e, e, 3);
			fe_pow22523(&h, &f);
			BN_mod_exp(want, a, e, bn_p, bn_ctx);
			UNIT_ASSERT(fe_is_bn(&h, want));
			BN_free(e);
		}

		/* Predicates agree with the canonical value. */
		BN_nnmod(want, a, bn_p, bn_ctx);
		UNIT_EQ(fe_is_zero(&f), BN_is_zero(want));
		UNIT_EQ(fe_is_odd(&f), BN_is_odd(want));
		BN_free(a);
		BN_free(b);
		BN_free(want);
	}
}

UNIT_TEST(fe_equal_handles_non_reduced_forms)
{
	struct fe p_form, zero, one, p1_form;

	fe_edge(&p_form, 3);  /* p, which is 0 */
	fe_edge(&p1_form, 4); /* p + 1, which is 1 */
	fe_zero(&zero);
	fe_one(&one);
	UNIT_ASSERT(fe_is_zero(&p_form));
	UNIT_ASSERT(fe_equal(&p_form, &zero));
	UNIT_ASSERT(fe_equal(&p1_form, &one));
	UNIT_ASSERT(!fe_equal(&p1_form, &zero));
	UNIT_ASSERT(fe_is_odd(&p1_form));
}

UNIT_TEST(curve_constants_are_right)
{
	struct fe t, u;
	uint8_t s[32];
	BIGNUM *b;

	bn_setup();
	/* d * 121666 = -121665 */
	fe_zero(&t);
	t.v[0] = 121666;
	fe_mul(&u, &fe_d, &t);
	b = BN_new();
	BN_set_word(b, 121665);
	BN_sub(b, bn_p, b);
	UNIT_ASSERT(fe_is_bn(&u, b));
	/* 2d = d + d */
	fe_add(&t, &fe_d, &fe_d);
	UNIT_ASSERT(fe_equal(&t, &fe_d2));
	/* sqrt(-1)^2 = -1 */
	fe_sq(&t, &fe_sqrtm1);
	BN_sub(b, bn_p, BN_value_one());
	UNIT_ASSERT(fe_is_bn(&t, b));
	BN_free(b);
	/* B: y = 4/5, x even, T = x y, on the curve. */
	fe_zero(&t);
	t.v[0] = 5;
	fe_mul(&u, &ge_base.y, &t);
	fe_zero(&t);
	t.v[0] = 4;
	UNIT_ASSERT(fe_equal(&u, &t));
	UNIT_ASSERT(!fe_is_odd(&ge_base.x));
	fe_mul(&t, &ge_base.x, &ge_base.y);
	UNIT_ASSERT(fe_equal(&t, &ge_base.t));
	{
		struct fe x2, y2, lhs, rhs, one;

		fe_sq(&x2, &ge_base.x);
		fe_sq(&y2, &ge_base.y);
		fe_sub(&lhs, &y2, &x2); /* -x^2 + y^2 */
		fe_mul(&rhs, &x2, &y2);
		fe_mul(&rhs, &rhs, &fe_d);
		fe_one(&one);
		fe_add(&rhs, &rhs, &one); /* 1 + d x^2 y^2 */
		UNIT_ASSERT(fe_equal(&lhs, &rhs));
	}
	/* The encoding of B is 0x58 followed by 0x66 bytes. */
	fe_tobytes(s, &ge_base.y);
	UNIT_EQ(s[0], 0x58);
	for (int i = 1; i < 32; i++) {
		UNIT_EQ(s[i], 0x66);
	}
	/* B has order L. */
	UNIT_ASSERT(ge_in_prime_subgroup(&ge_base));
	UNIT_ASSERT(!ge_has_small_order(&ge_base));
	UNIT_ASSERT(!ge_is_identity(&ge_base));
}

/* Scalars. */

static BIGNUM *u256_bn(const uint64_t v[4])
{
	uint8_t s[32];

	for (int i = 0; i < 32; i++) {
		s[i] = (uint8_t)(v[i / 8] >> (8 * (i % 8)));
	}
	return BN_lebin2bn(s, 32, NULL);
}

UNIT_TEST(sc_reduce512_matches_bignum)
{
	uint8_t h[64];
	uint64_t r[4];

	bn_setup();
	rng_state = 4;
	for (int i = 0; i < 3000; i++) {
		BIGNUM *in, *want = BN_new(), *got;

		rng_bytes(h, sizeof(h));
		if (i == 0) {
			memset(h, 0, sizeof(h));
		} else if (i == 1) {
			memset(h, 0xff, sizeof(h));
		} else if (i < 40) {
			/* Small multiples of L plus -1, 0, +1. */
			BIGNUM *t = BN_new();

			BN_mul_word(BN_copy(t, bn_l), (BN_ULONG)(i / 3));
			if (i % 3 == 0) {
				BN_sub_word(t, 1);
			} else if (i % 3 == 2) {
				BN_add_word(t, 1);
			}
			BN_bn2lebinpad(t, h, 64);
			BN_free(t);
		}
		in = BN_lebin2bn(h, 64, NULL);
		BN_nnmod(want, in, bn_l, bn_ctx);
		sc_reduce512(r, h);
		got = u256_bn(r);
		UNIT_ASSERT(BN_cmp(got, want) == 0);
		BN_free(in);
		BN_free(want);
		BN_free(got);
	}
}

UNIT_TEST(sc_is_canonical_is_s_below_l)
{
	uint8_t s[32];
	BIGNUM *t = BN_new();

	bn_setup();
	for (int delta = -3; delta <= 3; delta++) {
		BN_copy(t, bn_l);
		if (delta < 0) {
			BN_sub_word(t, (BN_ULONG)-delta);
		} else {
			BN_add_word(t, (BN_ULONG)delta);
		}
		BN_bn2lebinpad(t, s, 32);
		UNIT_EQ(sc_is_canonical(s), delta < 0);
	}
	memset(s, 0, sizeof(s));
	UNIT_ASSERT(sc_is_canonical(s));
	memset(s, 0xff, sizeof(s));
	UNIT_ASSERT(!sc_is_canonical(s));
	BN_free(t);
}

UNIT_TEST(sc_wnaf_recodes_exactly)
{
	int8_t naf[SC_WNAF_LEN];
	uint64_t s[4];

	bn_setup();
	rng_state = 5;
	for (int i = 0; i < 3000; i++) {
		BIGNUM *sum = BN_new(), *want, *t = BN_new();
		int last = SC_WNAF_LEN + SC_WNAF_WIDTH;

		for (int j = 0; j < 4; j++) {
			s[j] = rng_next();
		}
		if (i == 0) {
			memset(s, 0, sizeof(s));
		} else if (i == 1) {
			memset(s, 0xff, sizeof(s));
		} else if (i == 2) {
			memcpy(s, sc_l, sizeof(s));
		}
		sc_wnaf(naf, s);
		BN_zero(sum);
		for (int j = SC_WNAF_LEN - 1; j >= 0; j--) {
			BN_lshift1(sum, sum);
			BN_set_word(t, (BN_ULONG)abs(naf[j]));
			if (naf[j] >= 0) {
				BN_add(sum, sum, t);
			} else {
				BN_sub(sum, sum, t);
			}
			if (naf[j] != 0) {
				/* Odd, |d| <= 15, 4 zeros between nonzeros. */
				UNIT_ASSERT(naf[j] % 2 != 0);
				UNIT_ASSERT(abs(naf[j]) <= 15);
				UNIT_ASSERT(last - j >= SC_WNAF_WIDTH);
				last = j;
			}
		}
		want = u256_bn(s);
		UNIT_ASSERT(BN_cmp(sum, want) == 0);
		BN_free(sum);
		BN_free(want);
		BN_free(t);
	}
}

/* Points. */

/* Encodes p (RFC 8032 5.1.2) using BN for the inversion of Z. */
static void ge_encode_bn(uint8_t out[32], const struct ge *p)
{
	BIGNUM *z = fe_bn(&p->z);
	BIGNUM *x = fe_bn(&p->x);
	BIGNUM *y = fe_bn(&p->y);
	BIGNUM *zi = BN_mod_inverse(NULL, z, bn_p, bn_ctx);

	BN_mod_mul(x, x, zi, bn_p, bn_ctx);
	BN_mod_mul(y, y, zi, bn_p, bn_ctx);
	BN_bn2lebinpad(y, out, 32);
	if (BN_is_odd(x)) {
		out[31] |= 0x80;
	}
	BN_free(z);
	BN_free(x);
	BN_free(y);
	BN_free(zi);
}

/* Reference scalar multiplication: plain double-and-add with ge_add(). */
static void ge_scalarmult_ref(struct ge *r, const uint64_t s[4],
			      const struct ge *p)
{
	ge_identity(r);
	for (int bit = 255; bit >= 0; bit--) {
		ge_add(r, r, r);
		if ((s[bit / 64] >> (bit % 64)) & 1) {
			ge_add(r, r, p);
		}
	}
}

static void sc_random(uint64_t s[4])
{
	for (int j = 0; j < 4; j++) {
		s[j] = rng_next();
	}
	s[3] &= (UINT64_C(1) << 60) - 1; /* below 2^252 < L */
}

UNIT_TEST(ge_double_scalarmult_matches_double_and_add)
{
	static const uint64_t zero[4];
	struct ge a, b, want_a, want_b, want, got;
	uint64_t s[4], k[4];

	bn_setup();
	rng_state = 6;
	/* A second point: [random]B. */
	sc_random(s);
	ge_scalarmult_ref(&a, s, &ge_base);
	for (int i = 0; i < 40; i++) {
		sc_random(s);
		sc_random(k);
		if (i == 0) {
			memcpy(s, sc_l, sizeof(s));
		} else if (i == 1) {
			memset(k, 0, sizeof(k));
		}
		ge_scalarmult_ref(&want_a, s, &ge_base);
		ge_scalarmult_ref(&want_b, k, &a);
		ge_add(&want, &want_a, &want_b);
		ge_double_scalarmult(&got, s, &ge_base, k, &a);
		UNIT_ASSERT(ge_equal(&got, &want));
		ge_double_scalarmult(&got, s, &ge_base, zero, &a);
		UNIT_ASSERT(ge_equal(&got, &want_a));
	}
	/* ge_double() agrees with ge_add(p, p). */
	ge_add(&want, &a, &a);
	ge_double(&got, &a);
	UNIT_ASSERT(ge_equal(&got, &want));
	/* [L]B = O, [L - 1]B = -B. */
	memcpy(k, sc_l, sizeof(k));
	k[0] -= 1;
	ge_double_scalarmult(&got, k, &ge_base, zero, &a);
	ge_neg(&b, &ge_base);
	UNIT_ASSERT(ge_equal(&got, &b));
}

UNIT_TEST(ge_decode_roundtrips_random_points)
{
	uint8_t enc[32], enc2[32];
	struct ge p, q;
	uint64_t s[4];

	bn_setup();
	rng_state = 7;
	for (int i = 0; i < 200; i++) {
		sc_random(s);
		ge_double_scalarmult(&p, s, &ge_base, s, &ge_base);
		ge_encode_bn(enc, &p);
		UNIT_ASSERT(ge_decode(&q, enc));
		UNIT_ASSERT(ge_equal(&p, &q));
		ge_encode_bn(enc2, &q);
		UNIT_ASSERT(memcmp(enc, enc2, 32) == 0);
		/* The other sign bit decodes to -P. */
		enc[31] ^= 0x80;
		UNIT_ASSERT(ge_decode(&q, enc));
		ge_neg(&p, &p);
		UNIT_ASSERT(ge_equal(&p, &q));
		UNIT_ASSERT(ge_in_prime_subgroup(&q));
	}
}

/*
 * Decoding agrees with a BN model of RFC 8032 5.1.3 on random encodings:
 * it succeeds exactly when y < p, (y^2 - 1) / (d y^2 + 1) is a square, and
 * not x = 0 with the sign bit set.
 */
UNIT_TEST(ge_decode_matches_bignum_model)
{
	uint8_t enc[32];
	struct ge p;
	BIGNUM *d = fe_bn(&fe_d);
	BIGNUM *e = BN_new();
	int nvalid = 0;

	bn_setup();
	BN_rshift1(e, bn_p); /* (p - 1) / 2, Euler's criterion */
	rng_state = 8;
	for (int i = 0; i < 3000; i++) {
		BIGNUM *y, *u = BN_new(), *v = BN_new(), *x2 = BN_new();
		bool sign, want;

		rng_bytes(enc, sizeof(enc));
		if (i % 10 == 0) {
			/* Force y into [p, 2^255) now and then. */
			memset(enc + 1, 0xff, 30);
			enc[31] |= 0x7f;
			enc[0] |= 0xe0;
		} else if (i % 10 == 1) {
			/* Tiny y, where x = 0 and sign questions arise. */
			memset(enc + 1, 0, 30);
			enc[31] &= 0x80;
			enc[0] &= 0x03;
		}
		sign = enc[31] >> 7;
		enc[31] &= 0x7f;
		y = BN_lebin2bn(enc, 32, NULL);
		if (sign) {
			enc[31] |= 0x80;
		}
		if (BN_cmp(y, bn_p) >= 0) {
			want = false;
		} else {
			BN_mod_sqr(u, y, bn_p, bn_ctx);
			BN_mod_mul(v, u, d, bn_p, bn_ctx);
			BN_add_word(v, 1);
			BN_sub_word(u, 1);
			BN_nnmod(u, u, bn_p, bn_ctx);
			BN_mod_inverse(v, v, bn_p, bn_ctx);
			BN_mod_mul(x2, u, v, bn_p, bn_ctx);
			if (BN_is_zero(x2)) {
				want = !sign;
			} else {
				BN_mod_exp(u, x2, e, bn_p, bn_ctx);
				want = BN_is_one(u);
			}
		}
		UNIT_EQ(ge_decode(&p, enc), want);
		nvalid += want;
		BN_free(y);
		BN_free(u);
		BN_free(v);
		BN_free(x2);
	}
	/* Both outcomes were exercised. */
	UNIT_ASSERT(nvalid > 500 && nvalid < 2500);
	BN_free(d);
	BN_free(e);
}

static const char *const torsion_hex[] = {
	"0100000000000000000000000000000000000000000000000000000000000000",
	"ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
	"0000000000000000000000000000000000000000000000000000000000000000",
	"0000000000000000000000000000000000000000000000000000000000000080",
	"26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85",
	"26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
	"c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa",
	"c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
};

static void unhex32(const char *hex, uint8_t out[32])
{
	for (int i = 0; i < 32; i++) {
		unsigned int byte;

		sscanf(hex + 2 * i, "%2x", &byte);
		out[i] = (uint8_t)byte;
	}
}

UNIT_TEST(ge_torsion_points_decode_and_have_small_order)
{
	uint8_t enc[32], enc2[32];
	struct ge p;
	int orders[9] = {0};

	bn_setup();
	for (size_t i = 0; i < ARRAY_SIZE(torsion_hex); i++) {
		struct ge t;
		int order = 1;

		unhex32(torsion_hex[i], enc);
		UNIT_ASSERT(ge_decode(&p, enc));
		ge_encode_bn(enc2, &p);
		UNIT_ASSERT(memcmp(enc, enc2, 32) == 0);
		UNIT_ASSERT(ge_has_small_order(&p));
		UNIT_ASSERT(!ge_in_prime_subgroup(&p) || ge_is_identity(&p));
		t = p;
		while (!ge_is_identity(&t) && order <= 8) {
			ge_add(&t, &t, &p);
			order++;
		}
		UNIT_ASSERT(order == 1 || order == 2 || order == 4 ||
			    order == 8);
		orders[order]++;
	}
	/* One point of order 1, one of order 2, two of 4, four of 8. */
	UNIT_EQ(orders[1], 1);
	UNIT_EQ(orders[2], 1);
	UNIT_EQ(orders[4], 2);
	UNIT_EQ(orders[8], 4);
}

/* Forgeries only the extra checks catch. */

/* Ed25519 key pair from a 32-byte seed (RFC 8032 5.1.5), via our code. */
struct test_key {
	uint8_t seed[32];
	uint8_t pub[32];
	BIGNUM *a;	 /* Secret scalar */
	struct ge point; /* A = [a]B */
};

static void test_key_make(struct test_key *k)
{
	uint8_t h[64];
	uint64_t a[4];

	sha512(k->seed, 32, h);
	h[0] &= 248;
	h[31] &= 127;
	h[31] |= 64;
	u256_load(a, h);
	k->a = BN_lebin2bn(h, 32, NULL);
	ge_scalarmult_ref(&k->point, a, &ge_base);
	ge_encode_bn(k->pub, &k->point);
}

/* k = SHA-512(R || A || M) mod L as a BIGNUM. */
static BIGNUM *challenge(const uint8_t r[32], const uint8_t pub[32],
			 const uint8_t *msg, size_t len)
{
	struct sha512_ctx ctx;
	uint8_t h[64];
	BIGNUM *k;

	sha512_init(&ctx);
	sha512_update(&ctx, r, 32);
	sha512_update(&ctx, pub, 32);
	sha512_update(&ctx, msg, len);
	sha512_final(&ctx, h);
	k = BN_lebin2bn(h, 64, NULL);
	BN_nnmod(k, k, bn_l, bn_ctx);
	return k;
}

/* The bare cofactorless equation [S]B = R + [k]A, without other checks. */
static bool equation_holds(const uint8_t sig[64], const uint8_t *msg,
			   size_t len, const uint8_t pub[32])
{
	struct ge a, r, neg_a, check;
	uint64_t s[4], k[4];
	uint8_t h[64];
	struct sha512_ctx ctx;

	if (!ge_decode(&a, pub) || !ge_decode(&r, sig)) {
		return false;
	}
	u256_load(s, sig + 32);
	sha512_init(&ctx);
	sha512_update(&ctx, sig, 32);
	sha512_update(&ctx, pub, 32);
	sha512_update(&ctx, msg, len);
	sha512_final(&ctx, h);
	sc_reduce512(k, h);
	ge_neg(&neg_a, &a);
	ge_double_scalarmult(&check, s, &ge_base, k, &neg_a);
	return ge_equal(&check, &r);
}

static bool openssl_verify(const uint8_t sig[64], const uint8_t *msg,
			   size_t len, const uint8_t pub[32]);

/*
 * R = O (order 1) and S = k a: then [S]B = [k a]B = [k]A = R + [k]A.
 * A key owner can make such "signatures" that carry no commitment R;
 * the small-order R check rejects them.
 */
UNIT_TEST(forged_identity_r_is_rejected)
{
	struct test_key key;
	uint8_t sig[64];
	const uint8_t msg[] = "identity R";
	BIGNUM *k, *s = BN_new();

	bn_setup();
	memset(key.seed, 0x11, sizeof(key.seed));
	test_key_make(&key);
	memset(sig, 0, sizeof(sig));
	sig[0] = 1; /* encoding of (0, 1) */
	k = challenge(sig, key.pub, msg, sizeof(msg));
	BN_mod_mul(s, k, key.a, bn_l, bn_ctx);
	BN_bn2lebinpad(s, sig + 32, 32);
	UNIT_ASSERT(equation_holds(sig, msg, sizeof(msg), key.pub));
	UNIT_EQ(ed25519_verify(sig, msg, sizeof(msg), key.pub), -EKEYREJECTED);
	printf("# identity R: OpenSSL %s\n",
	       openssl_verify(sig, msg, sizeof(msg), key.pub) ? "accepts"
							      : "rejects");
	BN_free(k);
	BN_free(s);
	BN_free(key.a);
}

/*
 * Mixed-order key A' = A + T with T of order 8. For a message whose k is
 * a multiple of 8, [k]T = O, so an ordinary signature under a verifies
 * under A' with the cofactorless equation. RFC 8032 accepts it; the
 * prime-order-subgroup check on A rejects it.
 */
UNIT_TEST(forged_mixed_order_key_is_rejected)
{
	struct test_key key;
	struct ge t8, mixed, rpt;
	uint8_t pub[32], sig[64], msg[32];
	uint64_t r[4];
	BIGNUM *k = NULL, *s = BN_new(), *rb;
	int tries = 0;

	bn_setup();
	memset(key.seed, 0x22, sizeof(key.seed));
	test_key_make(&key);
	unhex32(torsion_hex[4], pub);
	UNIT_ASSERT(ge_decode(&t8, pub));
	ge_add(&mixed, &key.point, &t8);
	ge_encode_bn(pub, &mixed);
	UNIT_ASSERT(!ge_has_small_order(&mixed));
	UNIT_ASSERT(!ge_in_prime_subgroup(&mixed));

	rng_state = 9;
	sc_random(r);
	ge_scalarmult_ref(&rpt, r, &ge_base);
	ge_encode_bn(sig, &rpt);
	/* Grind messages until 8 divides k. */
	do {
		BN_free(k);
		snprintf((char *)msg, sizeof(msg), "mixed %d", tries++);
		k = challenge(sig, pub, msg, strlen((char *)msg));
	} while (BN_mod_word(k, 8) != 0 && tries < 1000);
	UNIT_ASSERT(tries < 1000);
	rb = u256_bn(r);
	BN_mod_mul(s, k, key.a, bn_l, bn_ctx);
	BN_mod_add(s, s, rb, bn_l, bn_ctx);
	BN_bn2lebinpad(s, sig + 32, 32);

	UNIT_ASSERT(equation_holds(sig, msg, strlen((char *)msg), pub));
	UNIT_EQ(ed25519_verify(sig, msg, strlen((char *)msg), pub),
		-EKEYREJECTED);
	printf("# mixed-order key: OpenSSL %s\n",
	       openssl_verify(sig, msg, strlen((char *)msg), pub) ? "accepts"
								  : "rejects");
	/* Control: the same construction under the real key verifies. */
	BN_free(k);
	k = challenge(sig, key.pub, msg, strlen((char *)msg));
	BN_mod_mul(s, k, key.a, bn_l, bn_ctx);
	BN_mod_add(s, s, rb, bn_l, bn_ctx);
	BN_bn2lebinpad(s, sig + 32, 32);
	UNIT_EQ(ed25519_verify(sig, msg, strlen((char *)msg), key.pub), 0);
	BN_free(k);
	BN_free(s);
	BN_free(rb);
	BN_free(key.a);
}

/* Differential run against OpenSSL. */

static bool openssl_verify(const uint8_t sig[64], const uint8_t *msg,
			   size_t len, const uint8_t pub[32])
{
	EVP_PKEY *pkey;
	EVP_MD_CTX *md;
	bool ok = false;

	pkey = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, pub, 32);
	if (!pkey) {
		return false;
	}
	md = EVP_MD_CTX_new();
	if (md && EVP_DigestVerifyInit(md, NULL, NULL, NULL, pkey) == 1) {
		ok = EVP_DigestVerify(md, sig, 64, msg, len) == 1;
	}
	EVP_MD_CTX_free(md);
	EVP_PKEY_free(pkey);
	return ok;
}

/* Signs with OpenSSL; the key comes from a seed so runs are repeatable. */
static bool openssl_keygen_sign(const uint8_t seed[32], const uint8_t *msg,
				size_t len, uint8_t pub[32], uint8_t sig[64])
{
	EVP_PKEY *pkey;
	EVP_MD_CTX *md = NULL;
	size_t publen = 32;
	size_t siglen = 64;
	bool ok = false;

	pkey = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, seed, 32);
	if (!pkey) {
		return false;
	}
	if (EVP_PKEY_get_raw_public_key(pkey, pub, &publen) != 1 ||
	    publen != 32) {
		goto out;
	}
	md = EVP_MD_CTX_new();
	if (!md || EVP_DigestSignInit(md, NULL, NULL, NULL, pkey) != 1) {
		goto out;
	}
	ok = EVP_DigestSign(md, sig, &siglen, msg, len) == 1 && siglen == 64;
out:
	EVP_MD_CTX_free(md);
	EVP_PKEY_free(pkey);
	return ok;
}

enum mutation {
	MUT_SIG_BIT,	  /* one bit of R or S */
	MUT_SIG_BYTE,	  /* one byte of R or S set at random */
	MUT_SIG_BITS,	  /* 2 to 4 bits anywhere in the signature */
	MUT_SIG_R_RANDOM, /* R replaced by random bytes */
	MUT_MSG_BIT,
	MUT_MSG_BYTE,
	MUT_MSG_LENGTH, /* a byte appended or removed */
	MUT_KEY_BIT,
	MUT_KEY_BYTE,
	MUT_KEY_RANDOM, /* a random 32-byte string */
	MUT_COUNT,
};

struct diff_case {
	uint8_t pub[32];
	uint8_t sig[64];
	uint8_t msg[DIFF_MAX_MSG + 1];
	size_t len;
};

static void flip_bit(uint8_t *p, size_t nbits)
{
	size_t bit = rng_next() % nbits;

	p[bit / 8] ^= (uint8_t)(1u << (bit % 8));
}

static void mutate(struct diff_case *c, enum mutation m)
{
	switch (m) {
	case MUT_SIG_BIT:
		flip_bit(c->sig, 512);
		break;
	case MUT_SIG_BYTE:
		c->sig[rng_next() % 64] = (uint8_t)rng_next();
		break;
	case MUT_SIG_BITS:
		for (int n = 2 + (int)(rng_next() % 3); n > 0; n--) {
			flip_bit(c->sig, 512);
		}
		break;
	case MUT_SIG_R_RANDOM:
		rng_bytes(c->sig, 32);
		break;
	case MUT_MSG_BIT:
		if (c->len > 0) {
			flip_bit(c->msg, 8 * c->len);
		} else {
			c->msg[c->len++] = (uint8_t)rng_next();
		}
		break;
	case MUT_MSG_BYTE:
		if (c->len > 0) {
			c->msg[rng_next() % c->len] = (uint8_t)rng_next();
		} else {
			c->msg[c->len++] = (uint8_t)rng_next();
		}
		break;
	case MUT_MSG_LENGTH:
		if (c->len > 0 && rng_next() % 2) {
			c->len--;
		} else {
			c->msg[c->len++] = (uint8_t)rng_next();
		}
		break;
	case MUT_KEY_BIT:
		flip_bit(c->pub, 256);
		break;
	case MUT_KEY_BYTE:
		c->pub[rng_next() % 32] = (uint8_t)rng_next();
		break;
	default:
		rng_bytes(c->pub, 32);
		break;
	}
}

static bool same_case(const struct diff_case *a, const struct diff_case *b)
{
	return a->len == b->len && memcmp(a->msg, b->msg, a->len) == 0 &&
	       memcmp(a->sig, b->sig, sizeof(a->sig)) == 0 &&
	       memcmp(a->pub, b->pub, sizeof(a->pub)) == 0;
}

UNIT_TEST(ed25519_agrees_with_openssl_on_random_inputs)
{
	const uint64_t seed = env_u64("ED25519_DIFF_SEED", DIFF_DEFAULT_SEED);
	const uint64_t iters =
		env_u64("ED25519_DIFF_ITERS", DIFF_DEFAULT_ITERS);
	unsigned long mutated_accepted = 0;
	unsigned long checks = 0;
	struct timeval t0, t1;
	double secs;

	rng_state = seed;
	printf("# ed25519 differential: seed 0x%016llx, %llu iterations\n",
	       (unsigned long long)seed, (unsigned long long)iters);
	gettimeofday(&t0, NULL);
	for (uint64_t it = 0; it < iters; it++) {
		struct diff_case good, bad;
		uint8_t key_seed[32];
		enum mutation m;
		bool ours, theirs;

		rng_bytes(key_seed, sizeof(key_seed));
		good.len = rng_next() % (DIFF_MAX_MSG + 1);
		rng_bytes(good.msg, good.len);
		if (!openssl_keygen_sign(key_seed, good.msg, good.len, good.pub,
					 good.sig)) {
			unit_fail(__FILE__, __LINE__, "OpenSSL signing failed");
			return;
		}

		/*
		 * Every honest signature verifies. (OpenSSL's own verdict on
		 * it is sampled only: it made the signature.)
		 */
		if (ed25519_verify(good.sig, good.msg, good.len, good.pub) !=
			    0 ||
		    (it % 16 == 0 &&
		     !openssl_verify(good.sig, good.msg, good.len, good.pub))) {
			unit_fail(__FILE__, __LINE__,
				  "iteration %llu: valid signature rejected",
				  (unsigned long long)it);
			return;
		}
		checks++;

		/*
		 * One mutation; a byte rewritten to its old value is made a
		 * real change. Verdicts must agree, and both must reject.
		 */
		bad = good;
		m = (enum mutation)(rng_next() % MUT_COUNT);
		mutate(&bad, m);
		if (same_case(&bad, &good)) {
			flip_bit(bad.sig, 512);
		}
		ours = ed25519_verify(bad.sig, bad.msg, bad.len, bad.pub) == 0;
		theirs = openssl_verify(bad.sig, bad.msg, bad.len, bad.pub);
		checks++;
		if (ours != theirs) {
			unit_fail(__FILE__, __LINE__,
				  "iteration %llu, mutation %d: ours %d, "
				  "OpenSSL %d",
				  (unsigned long long)it, (int)m, ours, theirs);
			return;
		}
		mutated_accepted += ours;
	}
	UNIT_EQ(mutated_accepted, 0);
	gettimeofday(&t1, NULL);
	secs = (double)(t1.tv_sec - t0.tv_sec) +
	       (double)(t1.tv_usec - t0.tv_usec) / 1e6;
	printf("# ed25519 differential: %lu verdicts agree, %.2f s\n", checks,
	       secs);
}
