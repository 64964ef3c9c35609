// SPDX-License-Identifier: MIT
/*
 * Host tests for lib/base/fmt.c. Integer, character and string conversions
 * are compared with the host libc's vsnprintf over generated tables of
 * flags, widths, precisions, length modifiers and edge values; the places
 * where fmt.h departs from C (%p, NULL %s, unsupported conversions) are
 * checked against fixed expectations; truncation is checked at every size.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "base/fmt.h"
#include "unit.h"

#define OUT_MAX 2048

/* A fmt_vformat() sink that records what it is given. */
struct sink {
	char buf[OUT_MAX];
	size_t len;
};

static void sink_emit(void *ctx, char c)
{
	struct sink *s = ctx;

	if (s->len < sizeof(s->buf)) {
		s->buf[s->len] = c;
	}
	s->len++;
}

/*
 * Formats with fmt_vsnprintf, fmt_vformat and libc's vsnprintf and checks
 * that all three agree on the text and the returned length. Reports the
 * first mismatch with the caller's line and returns false.
 */
static bool __printf(2, 3) same_as_libc(int line, const char *fmt, ...)
{
	char ours[OUT_MAX];
	char ref[OUT_MAX];
	struct sink sink = {.len = 0};
	va_list ap;
	int n_ours;
	int n_ref;
	int n_sink;

	va_start(ap, fmt);
	n_ours = fmt_vsnprintf(ours, sizeof(ours), fmt, ap);
	va_end(ap);
	va_start(ap, fmt);
	n_sink = fmt_vformat(sink_emit, &sink, fmt, ap);
	va_end(ap);
	va_start(ap, fmt);
	n_ref = vsnprintf(ref, sizeof(ref), fmt, ap);
	va_end(ap);

	if (n_ours != n_ref || strcmp(ours, ref) != 0) {
		unit_fail(__FILE__, line,
			  "format \"%s\": got \"%s\" (%d), libc \"%s\" (%d)",
			  fmt, ours, n_ours, ref, n_ref);
		return false;
	}
	if (n_sink != n_ref || sink.len != (size_t)n_ref ||
	    memcmp(sink.buf, ref, (size_t)n_ref) != 0) {
		unit_fail(__FILE__, line,
			  "format \"%s\": fmt_vformat gave %d chars, libc %d",
			  fmt, n_sink, n_ref);
		return false;
	}
	return true;
}

#define SAME(...)                                           \
	do {                                                \
		if (!same_as_libc(__LINE__, __VA_ARGS__)) { \
			return;                             \
		}                                           \
	} while (0)

/* Checks one fmt_snprintf() result against a fixed expectation. */
#define EXPECT(expected, ...)                                           \
	do {                                                            \
		char out_[OUT_MAX];                                     \
		int n_ = fmt_snprintf(out_, sizeof(out_), __VA_ARGS__); \
		UNIT_STREQ(out_, expected);                             \
		UNIT_EQ(n_, strlen(expected));                          \
	} while (0)

static const char *empty_fmt = "";
static const char *hh_fmt = "%hhd %hhu %hhx";
static const char *h_fmt = "%hd %hu %hx";

static const int64_t values[] = {
	0,
	1,
	-1,
	7,
	8,
	9,
	10,
	15,
	16,
	42,
	127,
	128,
	255,
	256,
	-128,
	-129,
	32767,
	32768,
	-32768,
	-32769,
	65535,
	65536,
	0777,
	0xdeadbeef,
	123456789,
	-123456789,
	INT32_MAX,
	INT32_MIN,
	(int64_t)UINT32_MAX,
	(int64_t)UINT32_MAX + 1,
	INT64_MAX,
	INT64_MIN,
	INT64_MIN + 1,
	(int64_t)0x8000000000000001ull,
	(int64_t)UINT64_MAX - 1,
};

/*
 * Formats raw with a %<spec> of length modifier len, passing it as the type
 * that modifier and signedness call for, after nstar '*' arguments.
 */
#define CALL_WITH(T)                                        \
	(nstar == 0   ? same_as_libc(line, fmt, (T)raw)     \
	 : nstar == 1 ? same_as_libc(line, fmt, s1, (T)raw) \
		      : same_as_libc(line, fmt, s1, s2, (T)raw))

static bool check_int(int line, const char *fmt, const char *len,
		      bool is_signed, int nstar, int s1, int s2, int64_t raw)
{
	if (strcmp(len, "l") == 0) {
		return is_signed ? CALL_WITH(long) : CALL_WITH(unsigned long);
	}
	if (strcmp(len, "ll") == 0) {
		return is_signed ? CALL_WITH(long long)
				 : CALL_WITH(unsigned long long);
	}
	if (strcmp(len, "z") == 0) {
		return is_signed ? CALL_WITH(ssize_t) : CALL_WITH(size_t);
	}
	if (strcmp(len, "t") == 0) {
		return is_signed ? CALL_WITH(ptrdiff_t) : CALL_WITH(size_t);
	}
	if (strcmp(len, "j") == 0) {
		return is_signed ? CALL_WITH(intmax_t) : CALL_WITH(uintmax_t);
	}
	/* "", "h" and "hh" take an int; printf converts it down. */
	return is_signed ? CALL_WITH(int) : CALL_WITH(unsigned int);
}

static const char *const flag_chars = "-0+ #";
static const char *const widths[] = {"", "1", "5", "22", "*", "*"};
static const int star_widths[] = {0, 0, 0, 0, 9, -9};
static const char *const precs[] = {"",	  ".",	 ".0", ".1",
				    ".5", ".25", ".*", ".*"};
static const int star_precs[] = {0, 0, 0, 0, 0, 0, 4, -3};

/* One integer format of the sweep and the '*' arguments it takes. */
struct int_format {
	char fmt[32];
	int nstar;
	int s1;
	int s2;
};

/* Builds "[%<flags><width><prec><len><conv>]" from sweep table entries. */
static void build_format(struct int_format *f, unsigned int flagset, size_t w,
			 size_t p, const char *len, char conv)
{
	char flags[8];
	size_t nf = 0;

	for (int b = 0; b < 5; b++) {
		if (flagset & (1u << b)) {
			flags[nf++] = flag_chars[b];
		}
	}
	flags[nf] = '\0';
	snprintf(f->fmt, sizeof(f->fmt), "[%%%s%s%s%s%c]", flags, widths[w],
		 precs[p], len, conv);
	f->nstar = 0;
	f->s1 = 0;
	f->s2 = 0;
	if (widths[w][0] == '*') {
		f->s1 = star_widths[w];
		f->nstar++;
	}
	if (strchr(precs[p], '*') != NULL) {
		if (f->nstar == 0) {
			f->s1 = star_precs[p];
		} else {
			f->s2 = star_precs[p];
		}
		f->nstar++;
	}
}

/*
 * Runs every value through every combination of conversion, flag subset,
 * width, precision and length modifier. Returns false on the first
 * mismatch, which same_as_libc() has reported.
 */
static bool sweep_ints(const char *const *lens, size_t nlens,
		       const unsigned int *flagsets, size_t nflagsets)
{
	static const char convs[] = "diuxXo";
	const size_t nw = ARRAY_SIZE(widths);
	const size_t np = ARRAY_SIZE(precs);
	const size_t total = (sizeof(convs) - 1) * nflagsets * nw * np * nlens;

	for (size_t i = 0; i < total; i++) {
		size_t l = i % nlens;
		size_t p = i / nlens % np;
		size_t w = i / nlens / np % nw;
		size_t f = i / nlens / np / nw % nflagsets;
		char conv = convs[i / nlens / np / nw / nflagsets];
		bool is_signed = conv == 'd' || conv == 'i';
		struct int_format fm;

		build_format(&fm, flagsets[f], w, p, lens[l], conv);
		for (size_t v = 0; v < ARRAY_SIZE(values); v++) {
			if (!check_int(__LINE__, fm.fmt, lens[l], is_signed,
				       fm.nstar, fm.s1, fm.s2, values[v])) {
				return false;
			}
		}
	}
	return true;
}

UNIT_TEST(integers_match_libc_for_every_flag_width_and_precision)
{
	static const char *const lens[] = {"ll"};
	unsigned int flagsets[32];

	for (unsigned int i = 0; i < 32; i++) {
		flagsets[i] = i;
	}
	UNIT_ASSERT(sweep_ints(lens, ARRAY_SIZE(lens), flagsets, 32));
}

UNIT_TEST(integers_match_libc_for_every_length_modifier)
{
	static const char *const lens[] = {"hh", "h", "",  "l",
					   "ll", "z", "t", "j"};
	/* None, each flag alone, and all five. */
	static const unsigned int flagsets[] = {0, 1, 2, 4, 8, 16, 31};

	UNIT_ASSERT(sweep_ints(lens, ARRAY_SIZE(lens), flagsets,
			       ARRAY_SIZE(flagsets)));
}

UNIT_TEST(integer_edge_values_match_libc)
{
	SAME("%d %d", INT32_MIN, INT32_MAX);
	SAME("%lld %lld", (long long)INT64_MIN, (long long)INT64_MAX);
	SAME("%llu %llx %llX %llo", (unsigned long long)UINT64_MAX,
	     (unsigned long long)UINT64_MAX, (unsigned long long)UINT64_MAX,
	     (unsigned long long)UINT64_MAX);
	SAME("%jd %ju", INTMAX_MIN, UINTMAX_MAX);
	SAME("%zu %zx %zd", SIZE_MAX, SIZE_MAX, (ssize_t)-1);
	SAME("%td %tu", PTRDIFF_MIN, (size_t)PTRDIFF_MAX);
	/* Through variables: int arguments for hh/h draw compiler warnings. */
	SAME(hh_fmt, 200, 0x1ff, -1);
	SAME(h_fmt, 40000, 0x1ffff, -1);
	SAME("%+.0d|% .0d|%#.0x|%#.0o|%.0u", 0, 0, 0u, 0u, 0u);
	SAME("%#x %#X %#o %#o", 0u, 255u, 0u, 8u);
	SAME("%-+25lld|%025lld|%+025lld", (long long)INT64_MIN,
	     (long long)INT64_MIN, 1ll);
	SAME("%300d|%-300x|%.300u", 1, 2u, 3u);
	SAME("%0*d|%-*d|%.*d|%*.*d", 8, -5, -8, 5, -1, 7, 10, 6, -42);
}

UNIT_TEST(strings_and_chars_match_libc)
{
	static const char *const strs[] = {"", "a", "hello",
					   "a longer string of text"};
	static const char *const sw[] = {"", "0", "1", "5", "30", "-7", "-30"};
	static const char *const sp[] = {"", ".", ".0", ".2", ".5", ".40"};

	for (size_t s = 0; s < ARRAY_SIZE(strs); s++) {
		for (size_t w = 0; w < ARRAY_SIZE(sw); w++) {
			for (size_t p = 0; p < ARRAY_SIZE(sp); p++) {
				char fmt[32];

				snprintf(fmt, sizeof(fmt), "<%%%s%ss>", sw[w],
					 sp[p]);
				UNIT_ASSERT(
					same_as_libc(__LINE__, fmt, strs[s]));
			}
			UNIT_ASSERT(same_as_libc(__LINE__, "<%*.*s>", 12, 3,
						 strs[s]));
			UNIT_ASSERT(same_as_libc(__LINE__, "<%*.*s>", -12, -1,
						 strs[s]));
		}
	}
	for (int c = 1; c < 256; c++) {
		SAME("%c|%3c|%-3c|%*c", c, c, c, -4, c);
	}
	SAME("100%% %5s%%%-5s|", "x", "y");
	SAME("plain text, no conversions");
	/* An empty format, through a variable: gcc warns on a literal "". */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-security"
	UNIT_ASSERT(same_as_libc(__LINE__, empty_fmt));
#pragma GCC diagnostic pop
}

UNIT_TEST(string_precision_never_reads_past_it)
{
	/* Exact-size heap block without a NUL: ASan catches over-reads. */
	char *p = malloc(4);

	UNIT_ASSERT(p != NULL);
	memcpy(p, "abcd", 4);
	EXPECT("abcd", "%.4s", p);
	EXPECT("ab", "%.*s", 2, p);
	EXPECT("  abcd", "%6.4s", p);
	free(p);
}

UNIT_TEST(char_nul_is_written_and_counted)
{
	char out[8];

	memset(out, 'Z', sizeof(out));
	UNIT_EQ(fmt_snprintf(out, sizeof(out), "a%cb", 0), 3);
	UNIT_ASSERT(memcmp(out, "a\0b\0", 4) == 0);
}

UNIT_TEST(pointer_prints_0x_and_16_hex_digits)
{
	EXPECT("0x0000000000000000", "%p", (void *)0);
	EXPECT("0x00000000deadbeef", "%p", (void *)(uintptr_t)0xdeadbeef);
	EXPECT("0xffffffff80000000", "%p",
	       (void *)(uintptr_t)0xffffffff80000000ull);
	EXPECT("[  0x0000000000001000]", "[%20p]", (void *)0x1000);
	EXPECT("[0x0000000000001000  ]", "[%-20p]", (void *)0x1000);
	EXPECT("0x0000000000000010|7", "%p|%d", (void *)0x10, 7);
}

UNIT_TEST(null_string_prints_null_marker)
{
	/* Volatile, so gcc cannot see (and warn about) the NULL argument. */
	const char *volatile null = NULL;

	EXPECT("(null)", "%s", null);
	EXPECT("  (null)", "%8s", null);
	EXPECT("(nu", "%.3s", null);
	EXPECT("(null)|1", "%s|%d", null, 1);
}

/*
 * These formats are deliberately ones the compiler's format checker
 * rejects: they test what fmt does with conversions it does not support.
 */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat"
#pragma GCC diagnostic ignored "-Wformat-extra-args"

UNIT_TEST(unsupported_conversions_print_literally)
{
	int n = 12345;

	EXPECT("%f", "%f", 1.5);
	EXPECT("x%5.1fy", "x%5.1fy", 2.5);
	EXPECT("%e %g %a", "%e %g %a", 1.0, 2.0, 3.0);
	EXPECT("%y|%k", "%y|%k");
	EXPECT("abc%", "abc%");
	EXPECT("abc%-5", "abc%-5");
	EXPECT("abc%lh", "abc%lh");
	/* %n consumes its pointer but never writes through it. */
	EXPECT("a%nb7", "a%nb%d", &n, 7);
	UNIT_EQ(n, 12345);
	/* Wide characters and strings are not supported either. */
	EXPECT("%lc|%ls|3", "%lc|%ls|%d", 65, L"wide", 3);
	EXPECT("%", "%-5%");
}

#pragma GCC diagnostic pop

/* snprintf truncation at every buffer size, against libc. */
UNIT_TEST(truncation_matches_libc_at_every_size)
{
	char ours[64];
	char ref[64];

	for (size_t size = 0; size <= 40; size++) {
		int n_ours;
		int n_ref;

		memset(ours, 'Z', sizeof(ours));
		memset(ref, 'Z', sizeof(ref));
		n_ours = fmt_snprintf(ours, size, "%s=%08x/%-6d|%c", "key",
				      0xbeefu, -12, '!');
		n_ref = snprintf(ref, size, "%s=%08x/%-6d|%c", "key", 0xbeefu,
				 -12, '!');
		UNIT_EQ(n_ours, n_ref);
		UNIT_EQ(n_ours, 21);
		/* Same bytes, including the untouched ones past size. */
		UNIT_ASSERT(memcmp(ours, ref, sizeof(ours)) == 0);
		if (size > 0) {
			UNIT_EQ(strlen(ours), size - 1 < 21 ? size - 1 : 21);
		}
	}
	/* Size 0 allows a NULL buffer and still returns the length. */
	UNIT_EQ(fmt_snprintf(NULL, 0, "%d%s", 12345, "abc"), 8);
}

/* Streaming output: order, count, and the context pointer. */
UNIT_TEST(vformat_streams_every_character_to_the_sink)
{
	struct sink sink = {.len = 0};
	char big[400];
	int n;

	n = fmt_format(sink_emit, &sink, "<%s:%u>", "seq", 42u);
	UNIT_EQ(n, 8);
	UNIT_EQ(sink.len, 8);
	UNIT_ASSERT(memcmp(sink.buf, "<seq:42>", 8) == 0);

	/* No fixed buffer: output longer than any internal limit. */
	memset(big, 'q', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	sink.len = 0;
	n = fmt_format(sink_emit, &sink, "%s%s", big, big);
	UNIT_EQ(n, 2 * (sizeof(big) - 1));
	UNIT_EQ(sink.len, 2 * (sizeof(big) - 1));
}
