// SPDX-License-Identifier: MIT
/*
 * Verify-only Ed25519, freestanding: RFC 8032 (https://www.rfc-editor.org/
 * rfc/rfc8032), section 5.1 (parameters 5.1, field and point arithmetic
 * 5.1.4, decoding 5.1.3, verification 5.1.7). Used by the kernel to check
 * domain image signatures. Runs in variable time; all inputs are public.
 *
 * Verification is cofactorless and deliberately stricter than RFC 8032
 * requires; a signature is accepted only if all of these hold:
 *  1. S < L (RFC 8032 5.1.7 step 1).
 *  2. A and R decode per RFC 8032 5.1.3: y < p, x^2 has a square root,
 *     and x = 0 does not come with the sign bit set.
 *  3. Neither A nor R has small order (order 1, 2, 4 or 8), checked as
 *     [8]P != identity. RFC 8032 does not require this.
 *  4. A lies in the prime-order subgroup, checked as [L]A == identity.
 *     RFC 8032 does not require this either. With 5, it forces R into that
 *     subgroup too, so no torsion component survives anywhere.
 *  5. [S]B == R + [k]A with k = SHA-512(R || A || M) mod L, checked as
 *     point equality of [S]B + [k](-A) and the decoded R in projective
 *     coordinates (RFC 8032 5.1.7 step 3 allows this form instead of the
 *     one multiplied by the cofactor 8). Since R was decoded canonically,
 *     point equality is the same as comparing encodings.
 * Signatures from any RFC 8032 signer with an honestly generated key pass
 * all five. tests/unit/test_ed25519_diff.c checks the verdicts against
 * OpenSSL and the constants and helpers below against big-integer math.
 */
#include "crypto/ed25519.h"

#include <stdbool.h>

#include "abi/errno.h"
#include "crypto/sha512.h"

/*
 * Field elements: integers modulo p = 2^255 - 19, in radix 2^51 with five
 * unsigned limbs, f = v[0] + v[1] 2^51 + v[2] 2^102 + v[3] 2^153 +
 * v[4] 2^204. The representation is redundant; every function below
 * accepts and returns "loose" elements whose limbs are all below 2^52.
 * fe_tobytes() gives the unique canonical value in [0, p).
 */
struct fe {
	uint64_t v[5];
};

#define FE_MASK51 ((UINT64_C(1) << 51) - 1)

/* d = -121665/121666 mod p, the curve constant (RFC 8032 5.1). */
static const struct fe fe_d = {{0x34dca135978a3ULL, 0x1a8283b156ebdULL,
				0x5e7a26001c029ULL, 0x739c663a03cbbULL,
				0x52036cee2b6ffULL}};

/* 2d mod p, used by point addition. */
static const struct fe fe_d2 = {{0x69b9426b2f159ULL, 0x35050762add7aULL,
				 0x3cf44c0038052ULL, 0x6738cc7407977ULL,
				 0x2406d9dc56dffULL}};

/* sqrt(-1) = 2^((p-1)/4) mod p (RFC 8032 5.1.3 step 3). */
static const struct fe fe_sqrtm1 = {{0x61b274a0ea0b0ULL, 0x0d5a5fc8f189dULL,
				     0x7ef5e9cbd0c60ULL, 0x78595a6804c9eULL,
				     0x2b8324804fc1dULL}};

static void fe_zero(struct fe *h)
{
	for (int i = 0; i < 5; i++) {
		h->v[i] = 0;
	}
}

static void fe_one(struct fe *h)
{
	fe_zero(h);
	h->v[0] = 1;
}

/*
 * Carries every limb into the next one and folds the carry out of the top
 * limb back into limb 0 times 19, since 2^255 = 19 (mod p). Accepts limbs
 * up to 2^63; returns limbs below 2^52 (limb 1 may exceed 2^51 a little).
 */
static inline void fe_carry(struct fe *h)
{
	uint64_t h0 = h->v[0];
	uint64_t h1 = h->v[1];
	uint64_t h2 = h->v[2];
	uint64_t h3 = h->v[3];
	uint64_t h4 = h->v[4];

	h1 += h0 >> 51;
	h0 &= FE_MASK51;
	h2 += h1 >> 51;
	h1 &= FE_MASK51;
	h3 += h2 >> 51;
	h2 &= FE_MASK51;
	h4 += h3 >> 51;
	h3 &= FE_MASK51;
	h0 += 19 * (h4 >> 51);
	h4 &= FE_MASK51;
	h1 += h0 >> 51;
	h0 &= FE_MASK51;

	h->v[0] = h0;
	h->v[1] = h1;
	h->v[2] = h2;
	h->v[3] = h3;
	h->v[4] = h4;
}

/* h = f + g. */
static inline void fe_add(struct fe *h, const struct fe *f, const struct fe *g)
{
	for (int i = 0; i < 5; i++) {
		h->v[i] = f->v[i] + g->v[i];
	}
	fe_carry(h);
}

/*
 * h = f - g, computed as f + 4p - g so that no limb goes negative: the
 * limbs of 4p are 2^53 - 76 and 2^53 - 4, both above any loose limb of g.
 */
static inline void fe_sub(struct fe *h, const struct fe *f, const struct fe *g)
{
	h->v[0] = f->v[0] + ((UINT64_C(1) << 53) - 76) - g->v[0];
	for (int i = 1; i < 5; i++) {
		h->v[i] = f->v[i] + ((UINT64_C(1) << 53) - 4) - g->v[i];
	}
	fe_carry(h);
}

/* h = -f. */
static void fe_neg(struct fe *h, const struct fe *f)
{
	struct fe zero;

	fe_zero(&zero);
	fe_sub(h, &zero, f);
}

/*
 * Carries a 128-bit column vector into a loose field element: the same
 * chain as fe_carry(), folding the carry out of column 4 back into column 0
 * times 19. Columns below 2^115 leave every carry below 2^64 and column 0
 * plus 19 times the top carry below 2^71.
 */
static inline void fe_carry128(struct fe *h, unsigned __int128 t0,
			       unsigned __int128 t1, unsigned __int128 t2,
			       unsigned __int128 t3, unsigned __int128 t4)
{
	uint64_t r0;
	uint64_t r1;
	uint64_t r2;
	uint64_t r3;
	uint64_t r4;

	t1 += (uint64_t)(t0 >> 51);
	r0 = (uint64_t)t0 & FE_MASK51;
	t2 += (uint64_t)(t1 >> 51);
	r1 = (uint64_t)t1 & FE_MASK51;
	t3 += (uint64_t)(t2 >> 51);
	r2 = (uint64_t)t2 & FE_MASK51;
	t4 += (uint64_t)(t3 >> 51);
	r3 = (uint64_t)t3 & FE_MASK51;
	t0 = (unsigned __int128)r0 + (unsigned __int128)19 * (t4 >> 51);
	r4 = (uint64_t)t4 & FE_MASK51;
	r1 += (uint64_t)(t0 >> 51);
	r0 = (uint64_t)t0 & FE_MASK51;

	h->v[0] = r0;
	h->v[1] = r1;
	h->v[2] = r2;
	h->v[3] = r3;
	h->v[4] = r4;
}

#define MUL128(a, b) ((unsigned __int128)(a) * (b))

/*
 * h = f * g. Schoolbook product of the limbs; a term f[i] g[j] with
 * i + j >= 5 carries weight 2^(51 (i + j)) = 2^255 2^(51 (i + j - 5)),
 * so it is folded into column i + j - 5 multiplied by 19. With loose
 * inputs (limbs below 2^52) each column is a sum of five products below
 * 2^52 * 19 * 2^52 < 2^109, so it stays below 2^112: no 128-bit overflow.
 */
static void fe_mul(struct fe *h, const struct fe *f, const struct fe *g)
{
	const uint64_t f0 = f->v[0];
	const uint64_t f1 = f->v[1];
	const uint64_t f2 = f->v[2];
	const uint64_t f3 = f->v[3];
	const uint64_t f4 = f->v[4];
	const uint64_t g0 = g->v[0];
	const uint64_t g1 = g->v[1];
	const uint64_t g2 = g->v[2];
	const uint64_t g3 = g->v[3];
	const uint64_t g4 = g->v[4];
	const uint64_t g1_19 = 19 * g1;
	const uint64_t g2_19 = 19 * g2;
	const uint64_t g3_19 = 19 * g3;
	const uint64_t g4_19 = 19 * g4;

	fe_carry128(h,
		    MUL128(f0, g0) + MUL128(f1, g4_19) + MUL128(f2, g3_19) +
			    MUL128(f3, g2_19) + MUL128(f4, g1_19),
		    MUL128(f0, g1) + MUL128(f1, g0) + MUL128(f2, g4_19) +
			    MUL128(f3, g3_19) + MUL128(f4, g2_19),
		    MUL128(f0, g2) + MUL128(f1, g1) + MUL128(f2, g0) +
			    MUL128(f3, g4_19) + MUL128(f4, g3_19),
		    MUL128(f0, g3) + MUL128(f1, g2) + MUL128(f2, g1) +
			    MUL128(f3, g0) + MUL128(f4, g4_19),
		    MUL128(f0, g4) + MUL128(f1, g3) + MUL128(f2, g2) +
			    MUL128(f3, g1) + MUL128(f4, g0));
}

/*
 * h = f^2: fe_mul(h, f, f) with the symmetric products f[i] f[j] = f[j]
 * f[i] computed once and doubled. Same bounds as fe_mul().
 */
static void fe_sq(struct fe *h, const struct fe *f)
{
	const uint64_t f0 = f->v[0];
	const uint64_t f1 = f->v[1];
	const uint64_t f2 = f->v[2];
	const uint64_t f3 = f->v[3];
	const uint64_t f4 = f->v[4];
	const uint64_t f0_2 = 2 * f0;
	const uint64_t f1_2 = 2 * f1;
	const uint64_t f1_38 = 38 * f1;
	const uint64_t f2_38 = 38 * f2;
	const uint64_t f3_38 = 38 * f3;
	const uint64_t f3_19 = 19 * f3;
	const uint64_t f4_19 = 19 * f4;

	fe_carry128(h, MUL128(f0, f0) + MUL128(f1_38, f4) + MUL128(f2_38, f3),
		    MUL128(f0_2, f1) + MUL128(f2_38, f4) + MUL128(f3_19, f3),
		    MUL128(f0_2, f2) + MUL128(f1, f1) + MUL128(f3_38, f4),
		    MUL128(f0_2, f3) + MUL128(f1_2, f2) + MUL128(f4_19, f4),
		    MUL128(f0_2, f4) + MUL128(f1_2, f3) + MUL128(f2, f2));
}

/* h = f^(2^n), n >= 1. */
static void fe_sqn(struct fe *h, const struct fe *f, int n)
{
	fe_sq(h, f);
	for (int i = 1; i < n; i++) {
		fe_sq(h, h);
	}
}

/*
 * h = z^((p-5)/8) = z^(2^252 - 3), the exponentiation in the square root
 * of RFC 8032 5.1.3 step 2. Let e(n) = z^(2^n - 1); then
 * e(a + b) = e(a)^(2^b) e(b), which builds e(250) in 11 multiplications,
 * and 2^252 - 3 = 4 (2^250 - 1) + 1 gives h = e(250)^4 z.
 */
static void fe_pow22523(struct fe *h, const struct fe *z)
{
	struct fe e1, e2, e4, e5, e10, e20, e40, e50, e100, e200, e250, t;

	e1 = *z;
	fe_sq(&t, &e1);	      /* z^2 */
	fe_mul(&e2, &t, &e1); /* e(2) = e(1)^2 e(1) */
	fe_sqn(&t, &e2, 2);
	fe_mul(&e4, &t, &e2); /* e(4) = e(2)^(2^2) e(2) */
	fe_sq(&t, &e4);
	fe_mul(&e5, &t, &e1); /* e(5) = e(4)^2 e(1) */
	fe_sqn(&t, &e5, 5);
	fe_mul(&e10, &t, &e5); /* e(10) = e(5)^(2^5) e(5) */
	fe_sqn(&t, &e10, 10);
	fe_mul(&e20, &t, &e10); /* e(20) */
	fe_sqn(&t, &e20, 20);
	fe_mul(&e40, &t, &e20); /* e(40) */
	fe_sqn(&t, &e40, 10);
	fe_mul(&e50, &t, &e10); /* e(50) = e(40)^(2^10) e(10) */
	fe_sqn(&t, &e50, 50);
	fe_mul(&e100, &t, &e50); /* e(100) */
	fe_sqn(&t, &e100, 100);
	fe_mul(&e200, &t, &e100); /* e(200) */
	fe_sqn(&t, &e200, 50);
	fe_mul(&e250, &t, &e50); /* e(250) = e(200)^(2^50) e(50) */
	fe_sqn(&t, &e250, 2);
	fe_mul(h, &t, &e1); /* e(250)^4 z */
}

/*
 * 256-bit unsigned integers as four little-endian 64-bit words, for the
 * scalars modulo L and for the range check y < p.
 */
static void u256_load(uint64_t r[4], const uint8_t s[32])
{
	for (int i = 0; i < 4; i++) {
		r[i] = 0;
		for (int j = 7; j >= 0; j--) {
			r[i] = (r[i] << 8) | s[8 * i + j];
		}
	}
}

/* Returns a < b. */
static bool u256_lt(const uint64_t a[4], const uint64_t b[4])
{
	for (int i = 3; i >= 0; i--) {
		if (a[i] != b[i]) {
			return a[i] < b[i];
		}
	}
	return false;
}

/* a -= b; the caller guarantees a >= b. */
static void u256_sub(uint64_t a[4], const uint64_t b[4])
{
	uint64_t borrow = 0;

	for (int i = 0; i < 4; i++) {
		uint64_t bi = b[i] + borrow;

		/* bi wraps to 0 only if b[i] = 2^64 - 1 and borrow = 1. */
		borrow = (bi < borrow) | (a[i] < bi);
		a[i] -= bi;
	}
}

/*
 * Unpacks 32 little-endian bytes into a field element, ignoring bit 255
 * (the sign bit of a point encoding). The result is below 2^255 but not
 * necessarily below p; callers that must reject y >= p check the bytes
 * themselves (see u256_lt()).
 */
static void fe_frombytes(struct fe *h, const uint8_t s[32])
{
	uint64_t w[4];

	u256_load(w, s);
	/* Limb k holds bits [51k, 51k + 51). */
	h->v[0] = w[0] & FE_MASK51;
	h->v[1] = ((w[0] >> 51) | (w[1] << 13)) & FE_MASK51;
	h->v[2] = ((w[1] >> 38) | (w[2] << 26)) & FE_MASK51;
	h->v[3] = ((w[2] >> 25) | (w[3] << 39)) & FE_MASK51;
	h->v[4] = (w[3] >> 12) & FE_MASK51;
}

/*
 * Packs the canonical value of f, in [0, p), as 32 little-endian bytes.
 * Two carry passes bring every limb below 2^51, so the value is below
 * 2^255 < 2p. Then f >= p exactly when f + 19 >= 2^255, which the carry
 * q out of the top of f + 19 tells; subtracting q p means adding 19 q and
 * dropping bit 255.
 */
static void fe_tobytes(uint8_t s[32], const struct fe *f)
{
	struct fe h = *f;
	uint64_t q;
	uint64_t w[4];

	fe_carry(&h);
	fe_carry(&h);

	q = (h.v[0] + 19) >> 51;
	for (int i = 1; i < 5; i++) {
		q = (h.v[i] + q) >> 51;
	}

	h.v[0] += 19 * q;
	for (int i = 0; i < 4; i++) {
		h.v[i + 1] += h.v[i] >> 51;
		h.v[i] &= FE_MASK51;
	}
	h.v[4] &= FE_MASK51;

	w[0] = h.v[0] | (h.v[1] << 51);
	w[1] = (h.v[1] >> 13) | (h.v[2] << 38);
	w[2] = (h.v[2] >> 26) | (h.v[3] << 25);
	w[3] = (h.v[3] >> 39) | (h.v[4] << 12);
	for (int i = 0; i < 4; i++) {
		for (int j = 0; j < 8; j++) {
			s[8 * i + j] = (uint8_t)(w[i] >> (8 * j));
		}
	}
}

static bool fe_is_zero(const struct fe *f)
{
	uint8_t s[32];
	uint8_t acc = 0;

	fe_tobytes(s, f);
	for (int i = 0; i < 32; i++) {
		acc |= s[i];
	}
	return acc == 0;
}

static bool fe_equal(const struct fe *f, const struct fe *g)
{
	struct fe t;

	fe_sub(&t, f, g);
	return fe_is_zero(&t);
}

/* The "sign" of x in RFC 8032 5.1.2: the low bit of its canonical value. */
static bool fe_is_odd(const struct fe *f)
{
	uint8_t s[32];

	fe_tobytes(s, f);
	return s[0] & 1;
}

/* p = 2^255 - 19. */
static const uint64_t u256_p[4] = {
	0xffffffffffffffedULL,
	0xffffffffffffffffULL,
	0xffffffffffffffffULL,
	0x7fffffffffffffffULL,
};

/* L = 2^252 + 27742317777372353535851937790883648493, the group order. */
static const uint64_t sc_l[4] = {
	0x5812631a5cf5d3edULL,
	0x14def9dea2f79cd6ULL,
	0x0000000000000000ULL,
	0x1000000000000000ULL,
};

/* Returns true if the 32-byte little-endian scalar s is below L. */
static bool sc_is_canonical(const uint8_t s[32])
{
	uint64_t v[4];

	u256_load(v, s);
	return u256_lt(v, sc_l);
}

/*
 * r = h mod L for a 512-bit little-endian h (a SHA-512 digest), by binary
 * long division: walk the bits of h from the top, keeping r < L, with
 * r <- 2r + bit and one conditional subtraction of L per bit. As r < L <
 * 2^253, 2r + 1 fits in 256 bits. Slow but obviously right; it runs once
 * per verification.
 */
static void sc_reduce512(uint64_t r[4], const uint8_t h[64])
{
	for (int i = 0; i < 4; i++) {
		r[i] = 0;
	}
	for (int bit = 511; bit >= 0; bit--) {
		r[3] = (r[3] << 1) | (r[2] >> 63);
		r[2] = (r[2] << 1) | (r[1] >> 63);
		r[1] = (r[1] << 1) | (r[0] >> 63);
		r[0] = (r[0] << 1) | ((h[bit / 8] >> (bit % 8)) & 1);
		if (!u256_lt(r, sc_l)) {
			u256_sub(r, sc_l);
		}
	}
}

/* Width-5 NAF: digits of a scalar below 2^256. */
#define SC_WNAF_WIDTH 5
#define SC_WNAF_LEN 257
#define SC_WNAF_RADIX (1 << SC_WNAF_WIDTH) /* 32 */

/*
 * Width-5 non-adjacent form of s: digits naf[i] in {0, +-1, +-3, ...,
 * +-15} with s = sum naf[i] 2^i and at most one nonzero digit in any
 * five consecutive positions. At each odd step the digit is the signed
 * residue d = s mods 32 in [-15, 15]; s - d is then divisible by 32, so
 * the next four digits are zero. Then s is halved. A 256-bit input yields
 * at most 257 digits; s has a spare word because adding |d| for a negative
 * digit can carry past bit 255.
 */
static void sc_wnaf(int8_t naf[SC_WNAF_LEN], const uint64_t s[4])
{
	uint64_t k[5] = {s[0], s[1], s[2], s[3], 0};

	for (int i = 0; i < SC_WNAF_LEN; i++) {
		int d = 0;

		if (k[0] & 1) {
			d = (int)(k[0] & (SC_WNAF_RADIX - 1));
			if (d >= SC_WNAF_RADIX / 2) {
				d -= SC_WNAF_RADIX;
			}
			if (d > 0) {
				/* k[0] ends in the bits of d: no borrow. */
				k[0] -= (uint64_t)d;
			} else {
				uint64_t add = (uint64_t)-d;

				for (int j = 0; j < 5 && add; j++) {
					k[j] += add;
					add = k[j] < add;
				}
			}
		}
		naf[i] = (int8_t)d;
		for (int j = 0; j < 4; j++) {
			k[j] = (k[j] >> 1) | (k[j + 1] << 63);
		}
		k[4] >>= 1;
	}
}

/*
 * Points on the twisted Edwards curve -x^2 + y^2 = 1 + d x^2 y^2 in
 * extended homogeneous coordinates (RFC 8032 5.1.4): x = X/Z, y = Y/Z,
 * x y = T/Z, Z != 0.
 */
struct ge {
	struct fe x;
	struct fe y;
	struct fe z;
	struct fe t;
};

/* The base point B = (x, 4/5) with x even (RFC 8032 5.1). */
static const struct ge ge_base = {
	.x = {{0x62d608f25d51aULL, 0x412a4b4f6592aULL, 0x75b7171a4b31dULL,
	       0x1ff60527118feULL, 0x216936d3cd6e5ULL}},
	.y = {{0x6666666666658ULL, 0x4ccccccccccccULL, 0x1999999999999ULL,
	       0x3333333333333ULL, 0x6666666666666ULL}},
	.z = {{1, 0, 0, 0, 0}},
	.t = {{0x68ab3a5b7dda3ULL, 0x00eea2a5eadbbULL, 0x2af8df483c27eULL,
	       0x332b375274732ULL, 0x67875f0fd78b7ULL}},
};

/* The neutral element (0, 1). */
static void ge_identity(struct ge *p)
{
	fe_zero(&p->x);
	fe_one(&p->y);
	fe_one(&p->z);
	fe_zero(&p->t);
}

/*
 * r = p + q with the addition formulas of RFC 8032 5.1.4. They are
 * complete on this curve (a = -1 is a square, d is not), so p = q and the
 * identity need no special case. r may alias p or q.
 */
static void ge_add(struct ge *r, const struct ge *p, const struct ge *q)
{
	struct fe a, b, c, d, e, f, g, h, t1, t2;

	fe_sub(&t1, &p->y, &p->x);
	fe_sub(&t2, &q->y, &q->x);
	fe_mul(&a, &t1, &t2); /* A = (Y1 - X1) (Y2 - X2) */
	fe_add(&t1, &p->y, &p->x);
	fe_add(&t2, &q->y, &q->x);
	fe_mul(&b, &t1, &t2); /* B = (Y1 + X1) (Y2 + X2) */
	fe_mul(&t1, &p->t, &q->t);
	fe_mul(&c, &t1, &fe_d2); /* C = T1 2d T2 */
	fe_mul(&t1, &p->z, &q->z);
	fe_add(&d, &t1, &t1);  /* D = Z1 2 Z2 */
	fe_sub(&e, &b, &a);    /* E = B - A */
	fe_sub(&f, &d, &c);    /* F = D - C */
	fe_add(&g, &d, &c);    /* G = D + C */
	fe_add(&h, &b, &a);    /* H = B + A */
	fe_mul(&r->x, &e, &f); /* X3 = E F */
	fe_mul(&r->y, &g, &h); /* Y3 = G H */
	fe_mul(&r->t, &e, &h); /* T3 = E H */
	fe_mul(&r->z, &f, &g); /* Z3 = F G */
}

/* r = 2p with the doubling formulas of RFC 8032 5.1.4; r may alias p. */
static void ge_double(struct ge *r, const struct ge *p)
{
	struct fe a, b, c, e, f, g, h, t;

	fe_sq(&a, &p->x); /* A = X1^2 */
	fe_sq(&b, &p->y); /* B = Y1^2 */
	fe_sq(&t, &p->z);
	fe_add(&c, &t, &t); /* C = 2 Z1^2 */
	fe_add(&h, &a, &b); /* H = A + B */
	fe_add(&t, &p->x, &p->y);
	fe_sq(&t, &t);
	fe_sub(&e, &h, &t);    /* E = H - (X1 + Y1)^2 */
	fe_sub(&g, &a, &b);    /* G = A - B */
	fe_add(&f, &c, &g);    /* F = C + G */
	fe_mul(&r->x, &e, &f); /* X3 = E F */
	fe_mul(&r->y, &g, &h); /* Y3 = G H */
	fe_mul(&r->t, &e, &h); /* T3 = E H */
	fe_mul(&r->z, &f, &g); /* Z3 = F G */
}

/* r = -p = (-x, y); r may alias p. */
static void ge_neg(struct ge *r, const struct ge *p)
{
	fe_neg(&r->x, &p->x);
	r->y = p->y;
	r->z = p->z;
	fe_neg(&r->t, &p->t);
}

/* Projective equality: X1 Z2 = X2 Z1 and Y1 Z2 = Y2 Z1. */
static bool ge_equal(const struct ge *p, const struct ge *q)
{
	struct fe l, r;

	fe_mul(&l, &p->x, &q->z);
	fe_mul(&r, &q->x, &p->z);
	if (!fe_equal(&l, &r)) {
		return false;
	}
	fe_mul(&l, &p->y, &q->z);
	fe_mul(&r, &q->y, &p->z);
	return fe_equal(&l, &r);
}

/* The identity is x = 0, y = 1, that is X = 0 and Y = Z. */
static bool ge_is_identity(const struct ge *p)
{
	return fe_is_zero(&p->x) && fe_equal(&p->y, &p->z);
}

/*
 * Decodes a 32-byte point encoding (RFC 8032 5.1.3) into p. Returns false
 * for anything that is not the canonical encoding of a curve point:
 * y >= p (step 1), x^2 = (y^2 - 1) / (d y^2 + 1) without a square root
 * (step 3), and x = 0 with the sign bit set (step 4).
 */
static bool ge_decode(struct ge *p, const uint8_t s[32])
{
	uint64_t y_int[4];
	bool x_0 = s[31] >> 7;
	struct fe y, u, v, v3, v7, x, vx2, t;

	/* Step 1: y is bits 0..254 and must be below p; bit 255 is x_0. */
	u256_load(y_int, s);
	y_int[3] &= ~(UINT64_C(1) << 63);
	if (!u256_lt(y_int, u256_p)) {
		return false;
	}
	fe_frombytes(&y, s);

	/*
	 * Step 2: u = y^2 - 1, v = d y^2 + 1 (never 0: -1/d is not a
	 * square), candidate root x = u v^3 (u v^7)^((p-5)/8).
	 */
	fe_sq(&t, &y);
	fe_one(&u);
	fe_mul(&v, &t, &fe_d);
	fe_add(&v, &v, &u);
	fe_sub(&u, &t, &u);
	fe_sq(&t, &v);
	fe_mul(&v3, &t, &v); /* v^3 */
	fe_sq(&t, &v3);
	fe_mul(&v7, &t, &v); /* v^7 */
	fe_mul(&t, &u, &v7);
	fe_pow22523(&t, &t); /* (u v^7)^((p-5)/8) */
	fe_mul(&x, &u, &v3);
	fe_mul(&x, &x, &t);

	/*
	 * Step 3: if v x^2 = u, x is a root; if v x^2 = -u, x sqrt(-1) is;
	 * otherwise u/v is not a square and there is no point with this y.
	 */
	fe_sq(&t, &x);
	fe_mul(&vx2, &v, &t);
	if (!fe_equal(&vx2, &u)) {
		fe_neg(&t, &u);
		if (!fe_equal(&vx2, &t)) {
			return false;
		}
		fe_mul(&x, &x, &fe_sqrtm1);
	}

	/* Step 4: pick the root whose low bit is x_0; -0 does not exist. */
	if (x_0 && fe_is_zero(&x)) {
		return false;
	}
	if (fe_is_odd(&x) != x_0) {
		fe_neg(&x, &x);
	}

	p->x = x;
	p->y = y;
	fe_one(&p->z);
	fe_mul(&p->t, &x, &y);
	return true;
}

/* Odd multiples P, 3P, ..., 15P for the width-5 NAF digits. */
#define GE_WNAF_TABLE (SC_WNAF_RADIX / 4)

static void ge_wnaf_table(struct ge tab[GE_WNAF_TABLE], const struct ge *p)
{
	struct ge p2;

	ge_double(&p2, p);
	tab[0] = *p;
	for (int i = 1; i < GE_WNAF_TABLE; i++) {
		ge_add(&tab[i], &tab[i - 1], &p2);
	}
}

/* r += digit * P for an odd NAF digit, from P's table of odd multiples. */
static void ge_add_digit(struct ge *r, const struct ge tab[GE_WNAF_TABLE],
			 int digit)
{
	struct ge neg;

	if (digit > 0) {
		ge_add(r, r, &tab[digit / 2]);
	} else if (digit < 0) {
		ge_neg(&neg, &tab[-digit / 2]);
		ge_add(r, r, &neg);
	}
}

/*
 * r = [a]P + [b]Q for 256-bit scalars a and b, by interleaving their
 * width-5 NAFs (Straus-Shamir): one shared chain of doublings, one
 * addition per nonzero digit. Variable time.
 */
static void ge_double_scalarmult(struct ge *r, const uint64_t a[4],
				 const struct ge *p, const uint64_t b[4],
				 const struct ge *q)
{
	int8_t naf_a[SC_WNAF_LEN];
	int8_t naf_b[SC_WNAF_LEN];
	struct ge tab_p[GE_WNAF_TABLE];
	struct ge tab_q[GE_WNAF_TABLE];
	int top;

	sc_wnaf(naf_a, a);
	sc_wnaf(naf_b, b);
	ge_wnaf_table(tab_p, p);
	ge_wnaf_table(tab_q, q);

	top = SC_WNAF_LEN - 1;
	while (top >= 0 && naf_a[top] == 0 && naf_b[top] == 0) {
		top--;
	}

	ge_identity(r);
	for (int i = top; i >= 0; i--) {
		ge_double(r, r);
		ge_add_digit(r, tab_p, naf_a[i]);
		ge_add_digit(r, tab_q, naf_b[i]);
	}
}

/* Returns true if [8]p is the identity, i.e. p has order 1, 2, 4 or 8. */
static bool ge_has_small_order(const struct ge *p)
{
	struct ge t;

	ge_double(&t, p);
	ge_double(&t, &t);
	ge_double(&t, &t);
	return ge_is_identity(&t);
}

/* Returns true if [L]p is the identity, i.e. p is in the subgroup <B>. */
static bool ge_in_prime_subgroup(const struct ge *p)
{
	static const uint64_t zero[4];
	struct ge t;

	ge_double_scalarmult(&t, sc_l, p, zero, &ge_base);
	return ge_is_identity(&t);
}

int ed25519_verify(const uint8_t sig[ED25519_SIGNATURE_SIZE],
		   const uint8_t *msg, size_t len,
		   const uint8_t pub[ED25519_PUBLIC_KEY_SIZE])
{
	const uint8_t *r_enc = sig;
	const uint8_t *s_enc = sig + 32;
	uint8_t digest[SHA512_DIGEST_SIZE];
	struct sha512_ctx ctx;
	uint64_t s[4];
	uint64_t k[4];
	struct ge a, r, neg_a, check;

	/* Step 1: S must be canonical, 0 <= S < L. */
	if (!sc_is_canonical(s_enc)) {
		return -EKEYREJECTED;
	}
	u256_load(s, s_enc);

	/* Step 1: A and R must be valid point encodings. */
	if (!ge_decode(&a, pub) || !ge_decode(&r, r_enc)) {
		return -EKEYREJECTED;
	}

	/* Beyond RFC 8032: no small-order A or R, no torsion in A. */
	if (ge_has_small_order(&a) || ge_has_small_order(&r) ||
	    !ge_in_prime_subgroup(&a)) {
		return -EKEYREJECTED;
	}

	/*
	 * Step 2: k = SHA-512(dom2(F, C) || R || A || PH(M)) mod L; for
	 * Ed25519 dom2 is empty and PH is the identity.
	 */
	sha512_init(&ctx);
	sha512_update(&ctx, r_enc, 32);
	sha512_update(&ctx, pub, 32);
	sha512_update(&ctx, msg, len);
	sha512_final(&ctx, digest);
	sc_reduce512(k, digest);

	/* Step 3, cofactorless: [S]B + [k](-A) must equal R. */
	ge_neg(&neg_a, &a);
	ge_double_scalarmult(&check, s, &ge_base, k, &neg_a);
	if (!ge_equal(&check, &r)) {
		return -EKEYREJECTED;
	}
	return 0;
}
