// SPDX-License-Identifier: MIT
/*
 * Host tests for lib/base/string.c. The project's functions are built here
 * as cordon_memcpy, cordon_strlen, ... (see lib/base/string.h) and are
 * checked against byte-at-a-time reference loops and libc, over every
 * length 0..64 and every alignment 0..7, with guard bytes around each
 * destination.
 */
#include <stdlib.h>
#include <string.h>

#include "abi/errno.h"
#include "base/string.h"
#include "unit.h"

#define GUARD 0xa5
#define MAXLEN 64

static int sign(int v)
{
	return (v > 0) - (v < 0);
}

/* Deterministic, non-repeating filler so that misplaced bytes show. */
static void fill_pattern(unsigned char *p, size_t n, unsigned int seed)
{
	for (size_t i = 0; i < n; i++) {
		p[i] = (unsigned char)(seed * 131 + i * 7 + (i >> 3) + 1);
	}
}

UNIT_TEST(memcpy_every_length_and_alignment_matches_reference)
{
	unsigned char src[MAXLEN + 16];
	unsigned char dst[MAXLEN + 32];
	unsigned char ref[MAXLEN + 32];

	for (size_t so = 0; so < 8; so++) {
		for (size_t dof = 0; dof < 8; dof++) {
			for (size_t n = 0; n <= MAXLEN; n++) {
				fill_pattern(src, sizeof(src), (unsigned)n);
				memset(dst, GUARD, sizeof(dst));
				memset(ref, GUARD, sizeof(ref));
				for (size_t i = 0; i < n; i++) {
					ref[8 + dof + i] = src[so + i];
				}
				UNIT_ASSERT(cordon_memcpy(dst + 8 + dof,
							  src + so,
							  n) == dst + 8 + dof);
				UNIT_ASSERT(memcmp(dst, ref, sizeof(dst)) == 0);
			}
		}
	}
}

UNIT_TEST(memset_every_length_and_alignment_matches_reference)
{
	static const int values[] = {0, 1, 0x5a, 0x80, 0xff, -1, 0x1ab};
	unsigned char dst[MAXLEN + 32];
	unsigned char ref[MAXLEN + 32];

	for (size_t v = 0; v < sizeof(values) / sizeof(values[0]); v++) {
		for (size_t off = 0; off < 8; off++) {
			for (size_t n = 0; n <= MAXLEN; n++) {
				fill_pattern(dst, sizeof(dst), (unsigned)n);
				memcpy(ref, dst, sizeof(dst));
				for (size_t i = 0; i < n; i++) {
					ref[8 + off + i] =
						(unsigned char)values[v];
				}
				UNIT_ASSERT(cordon_memset(dst + 8 + off,
							  values[v],
							  n) == dst + 8 + off);
				UNIT_ASSERT(memcmp(dst, ref, sizeof(dst)) == 0);
			}
		}
	}
}

/*
 * Every source/destination offset pair within a 40-byte window, so the
 * ranges overlap in both directions by every amount, plus disjoint ones.
 */
UNIT_TEST(memmove_overlapping_both_directions_matches_reference)
{
	unsigned char buf[MAXLEN + 48];
	unsigned char ref[MAXLEN + 48];
	unsigned char tmp[MAXLEN];

	for (size_t so = 0; so < 40; so++) {
		for (size_t dof = 0; dof < 40; dof++) {
			for (size_t n = 0; n <= MAXLEN; n++) {
				fill_pattern(buf, sizeof(buf),
					     (unsigned)(so + dof));
				memcpy(ref, buf, sizeof(buf));
				memcpy(tmp, ref + so, n);
				memcpy(ref + dof, tmp, n);
				UNIT_ASSERT(cordon_memmove(buf + dof, buf + so,
							   n) == buf + dof);
				UNIT_ASSERT(memcmp(buf, ref, sizeof(buf)) == 0);
			}
		}
	}
}

UNIT_TEST(memmove_disjoint_and_same_pointer)
{
	unsigned char a[100];
	unsigned char b[100];
	unsigned char ref[100];

	fill_pattern(a, sizeof(a), 3);
	memset(b, 0, sizeof(b));
	UNIT_ASSERT(cordon_memmove(b, a, sizeof(a)) == b);
	UNIT_ASSERT(memcmp(a, b, sizeof(a)) == 0);
	memcpy(ref, a, sizeof(a));
	UNIT_ASSERT(cordon_memmove(a, a, sizeof(a)) == a);
	UNIT_ASSERT(memcmp(a, ref, sizeof(a)) == 0);
	/* A length of 0 touches nothing, even through bogus pointers. */
	UNIT_ASSERT(cordon_memmove(NULL, NULL, 0) == NULL);
}

UNIT_TEST(memcmp_sign_and_position_of_first_difference)
{
	unsigned char a[MAXLEN + 8];
	unsigned char b[MAXLEN + 8];

	for (size_t n = 0; n <= MAXLEN; n++) {
		fill_pattern(a, sizeof(a), 9);
		memcpy(b, a, sizeof(a));
		UNIT_EQ(cordon_memcmp(a + 1, b + 1, n), 0);
		for (size_t i = 0; i < n; i++) {
			b[1 + i] = (unsigned char)(a[1 + i] + 1);
			UNIT_EQ(sign(cordon_memcmp(a + 1, b + 1, n)),
				sign(memcmp(a + 1, b + 1, n)));
			UNIT_ASSERT(cordon_memcmp(a + 1, b + 1, n) != 0);
			/* Bytes past n never matter. */
			UNIT_EQ(cordon_memcmp(a + 1, b + 1, i), 0);
			b[1 + i] = a[1 + i];
		}
	}
	/* Bytes compare as unsigned char: 0x80 > 0x01. */
	a[0] = 0x80;
	b[0] = 0x01;
	UNIT_ASSERT(cordon_memcmp(a, b, 1) > 0);
	UNIT_ASSERT(cordon_memcmp(b, a, 1) < 0);
}

UNIT_TEST(strlen_and_strnlen_every_length_and_alignment)
{
	char buf[MAXLEN + 16];

	for (size_t off = 0; off < 8; off++) {
		for (size_t n = 0; n <= MAXLEN; n++) {
			memset(buf, 'x', sizeof(buf));
			buf[off + n] = '\0';
			UNIT_EQ(cordon_strlen(buf + off), n);
			UNIT_EQ(cordon_strnlen(buf + off, n), n);
			UNIT_EQ(cordon_strnlen(buf + off, n + 1), n);
			UNIT_EQ(cordon_strnlen(buf + off, SIZE_MAX), n);
			if (n > 0) {
				UNIT_EQ(cordon_strnlen(buf + off, n - 1),
					n - 1);
			}
		}
	}
}

/* ASan turns any read past maxlen of this exact-size block into a crash. */
UNIT_TEST(strnlen_reads_no_more_than_maxlen)
{
	char *p = malloc(5);

	UNIT_ASSERT(p != NULL);
	memcpy(p, "abcde", 5);
	UNIT_EQ(cordon_strnlen(p, 5), 5);
	UNIT_EQ(cordon_strnlen(p, 3), 3);
	UNIT_EQ(cordon_strnlen(p, 0), 0);
	free(p);
}

UNIT_TEST(strcmp_orders_like_libc)
{
	static const char *const words[] = {
		"",	"a",	"ab",	"abc",	 "abd",	    "b",    "B",
		"\x7f", "\x80", "\xff", "a\xff", "abc\x80", "zzzz",
	};
	const size_t n = sizeof(words) / sizeof(words[0]);

	for (size_t i = 0; i < n; i++) {
		for (size_t j = 0; j < n; j++) {
			UNIT_EQ(sign(cordon_strcmp(words[i], words[j])),
				sign(strcmp(words[i], words[j])));
			for (size_t k = 0; k < 6; k++) {
				UNIT_EQ(sign(cordon_strncmp(words[i], words[j],
							    k)),
					sign(strncmp(words[i], words[j], k)));
			}
		}
	}
	UNIT_ASSERT(cordon_strcmp("\x80", "\x01") > 0);
}

UNIT_TEST(strncmp_stops_at_nul_and_at_n)
{
	char a[8] = {'a', 'b', '\0', 'x', 'y', 'z', 'q', 'r'};
	char b[8] = {'a', 'b', '\0', 'X', 'Y', 'Z', 'Q', 'R'};

	/* Bytes after the terminator are not compared. */
	UNIT_EQ(cordon_strncmp(a, b, 8), 0);
	UNIT_EQ(cordon_strncmp("abcd", "abce", 3), 0);
	UNIT_ASSERT(cordon_strncmp("abcd", "abce", 4) < 0);
	UNIT_EQ(cordon_strncmp("x", "y", 0), 0);
	UNIT_ASSERT(cordon_strncmp("ab", "abc", 5) < 0);
	UNIT_ASSERT(cordon_strncmp("abc", "ab", 5) > 0);
}

UNIT_TEST(strchr_and_strrchr_find_first_and_last)
{
	const char *s = "hello, world\xe9!";

	UNIT_ASSERT(cordon_strchr(s, 'o') == s + 4);
	UNIT_ASSERT(cordon_strrchr(s, 'o') == s + 8);
	UNIT_ASSERT(cordon_strchr(s, 'h') == s);
	UNIT_ASSERT(cordon_strrchr(s, 'h') == s);
	UNIT_ASSERT(cordon_strchr(s, 'z') == NULL);
	UNIT_ASSERT(cordon_strrchr(s, 'z') == NULL);
	/* The terminator is found; c is converted to char. */
	UNIT_ASSERT(cordon_strchr(s, '\0') == s + strlen(s));
	UNIT_ASSERT(cordon_strrchr(s, '\0') == s + strlen(s));
	UNIT_ASSERT(cordon_strchr(s, 0xe9) == s + 12);
	UNIT_ASSERT(cordon_strchr(s, (char)0xe9) == s + 12);
	UNIT_ASSERT(cordon_strrchr(s, 0x100 + '!') == s + 13);
	UNIT_ASSERT(cordon_strchr("", 'a') == NULL);
	UNIT_ASSERT(cordon_strrchr("", 'a') == NULL);
}

UNIT_TEST(strlcpy_copies_truncates_and_terminates)
{
	char buf[8];

	memset(buf, 'Z', sizeof(buf));
	UNIT_EQ(strlcpy(buf, "abc", sizeof(buf)), 3);
	UNIT_STREQ(buf, "abc");
	UNIT_EQ(buf[4], 'Z');

	UNIT_EQ(strlcpy(buf, "1234567", sizeof(buf)), 7);
	UNIT_STREQ(buf, "1234567");

	UNIT_EQ(strlcpy(buf, "123456789abc", sizeof(buf)), 12);
	UNIT_STREQ(buf, "1234567");

	UNIT_EQ(strlcpy(buf, "xyz", 1), 3);
	UNIT_STREQ(buf, "");
	UNIT_EQ(buf[1], '2');

	/* Size 0 writes nothing at all. */
	memset(buf, 'Z', sizeof(buf));
	UNIT_EQ(strlcpy(buf, "xyz", 0), 3);
	UNIT_EQ(buf[0], 'Z');

	UNIT_EQ(strlcpy(buf, "", sizeof(buf)), 0);
	UNIT_STREQ(buf, "");
}

UNIT_TEST(strlcat_appends_truncates_and_reports_full_length)
{
	char buf[8];

	strcpy(buf, "ab");
	UNIT_EQ(strlcat(buf, "cd", sizeof(buf)), 4);
	UNIT_STREQ(buf, "abcd");

	UNIT_EQ(strlcat(buf, "efghij", sizeof(buf)), 10);
	UNIT_STREQ(buf, "abcdefg");

	/* Already full: nothing fits, the length still adds up. */
	UNIT_EQ(strlcat(buf, "xy", sizeof(buf)), 9);
	UNIT_STREQ(buf, "abcdefg");

	/* No NUL within size: dst is left alone, size + strlen(src). */
	memset(buf, 'Q', sizeof(buf));
	UNIT_EQ(strlcat(buf, "abc", 4), 7);
	UNIT_EQ(buf[3], 'Q');
	UNIT_EQ(buf[4], 'Q');
	UNIT_EQ(strlcat(buf, "abc", 0), 3);

	strcpy(buf, "");
	UNIT_EQ(strlcat(buf, "", sizeof(buf)), 0);
	UNIT_STREQ(buf, "");
	UNIT_EQ(strlcat(buf, "1234567", sizeof(buf)), 7);
	UNIT_STREQ(buf, "1234567");
}

struct u64_case {
	const char *s;
	int base;
	int err;
	uint64_t value;
};

UNIT_TEST(str_to_u64_accepts_valid_numbers_and_rejects_the_rest)
{
	static const struct u64_case cases[] = {
		{"0", 0, 0, 0},
		{"7", 0, 0, 7},
		{"42", 10, 0, 42},
		{"18446744073709551615", 0, 0, UINT64_MAX},
		{"18446744073709551615", 10, 0, UINT64_MAX},
		{"18446744073709551616", 0, -ERANGE, 0},
		{"18446744073709551620", 10, -ERANGE, 0},
		{"99999999999999999999999", 0, -ERANGE, 0},
		{"0xffffffffffffffff", 0, 0, UINT64_MAX},
		{"0XFFFFFFFFFFFFFFFF", 16, 0, UINT64_MAX},
		{"0x10000000000000000", 0, -ERANGE, 0},
		{"ffffffffffffffff", 16, 0, UINT64_MAX},
		{"0x1F", 0, 0, 31},
		{"0x1f", 16, 0, 31},
		{"1f", 16, 0, 31},
		{"0x", 0, -EINVAL, 0},
		{"0x", 16, -EINVAL, 0},
		{"0X", 0, -EINVAL, 0},
		{"", 0, -EINVAL, 0},
		{"", 10, -EINVAL, 0},
		{"12a", 0, -EINVAL, 0},
		{"12a", 10, -EINVAL, 0},
		{"a12", 10, -EINVAL, 0},
		{" 12", 0, -EINVAL, 0},
		{"12 ", 0, -EINVAL, 0},
		{"-1", 0, -EINVAL, 0},
		{"+1", 0, -EINVAL, 0},
		{"1_000", 0, -EINVAL, 0},
		{"0755", 0, 0, 0755},
		{"00", 0, 0, 0},
		{"08", 0, -EINVAL, 0},
		{"0755", 10, 0, 755},
		{"01777777777777777777777", 0, 0, UINT64_MAX},
		{"02000000000000000000000", 0, -ERANGE, 0},
		{"0x10", 10, -EINVAL, 0},
		{"101", 2, 0, 5},
		{"102", 2, -EINVAL, 0},
		{"zz", 36, 0, 36 * 36 - 1},
		{"ZZ", 36, 0, 36 * 36 - 1},
		{"3w5e11264sgsf", 36, 0, UINT64_MAX},
		{"3w5e11264sgsg", 36, -ERANGE, 0},
		{"1", 1, -EINVAL, 0},
		{"1", 37, -EINVAL, 0},
		{"1", -2, -EINVAL, 0},
		/* A bad digit wins over an overflow. */
		{"99999999999999999999999x", 0, -EINVAL, 0},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct u64_case *c = &cases[i];
		uint64_t v = 0x1234;
		int err = str_to_u64(c->s, strlen(c->s), c->base, &v);

		if (err != c->err) {
			unit_fail(__FILE__, __LINE__,
				  "\"%s\" base %d: err %d, expected %d", c->s,
				  c->base, err, c->err);
			return;
		}
		/* The output is written on success only. */
		UNIT_EQ(v, c->err == 0 ? c->value : 0x1234);
	}
}

UNIT_TEST(str_to_u64_parses_exactly_len_bytes)
{
	char *p = malloc(3);
	uint64_t v = 0;

	UNIT_ASSERT(p != NULL);
	memcpy(p, "123", 3); /* No NUL: ASan catches reads past len. */
	UNIT_EQ(str_to_u64(p, 3, 0, &v), 0);
	UNIT_EQ(v, 123);
	UNIT_EQ(str_to_u64(p, 2, 0, &v), 0);
	UNIT_EQ(v, 12);
	UNIT_EQ(str_to_u64(p, 0, 0, &v), -EINVAL);
	free(p);

	/* An embedded NUL is a bad digit, not an end. */
	UNIT_EQ(str_to_u64("12\0"
			   "3",
			   4, 0, &v),
		-EINVAL);
	UNIT_EQ(str_to_u64(NULL, 0, 0, &v), -EINVAL);
}

UNIT_TEST(str_to_u64_size_applies_binary_suffixes)
{
	static const struct u64_case cases[] = {
		{"0", 0, 0, 0},
		{"4096", 0, 0, 4096},
		{"1K", 0, 0, 1024},
		{"1k", 0, 0, 1024},
		{"512M", 0, 0, 512ull << 20},
		{"2g", 0, 0, 2ull << 30},
		{"3T", 0, 0, 3ull << 40},
		{"0x10M", 0, 0, 16ull << 20},
		{"010K", 0, 0, 8ull << 10},
		{"16777215T", 0, 0, 16777215ull << 40},
		{"16777216T", 0, -ERANGE, 0},
		{"17179869183G", 0, 0, 17179869183ull << 30},
		{"17179869184G", 0, -ERANGE, 0},
		{"18014398509481983K", 0, 0, 18014398509481983ull << 10},
		{"18014398509481984K", 0, -ERANGE, 0},
		{"18446744073709551615", 0, 0, UINT64_MAX},
		{"18446744073709551616", 0, -ERANGE, 0},
		{"K", 0, -EINVAL, 0},
		{"", 0, -EINVAL, 0},
		{"1KB", 0, -EINVAL, 0},
		{"1KK", 0, -EINVAL, 0},
		{"1 K", 0, -EINVAL, 0},
		{"1P", 0, -EINVAL, 0},
		{"1.5G", 0, -EINVAL, 0},
		{"-1M", 0, -EINVAL, 0},
		{"0xK", 0, -EINVAL, 0},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct u64_case *c = &cases[i];
		uint64_t v = 0x1234;
		int err = str_to_u64_size(c->s, strlen(c->s), &v);

		if (err != c->err) {
			unit_fail(__FILE__, __LINE__,
				  "\"%s\": err %d, expected %d", c->s, err,
				  c->err);
			return;
		}
		UNIT_EQ(v, c->err == 0 ? c->value : 0x1234);
	}
}
