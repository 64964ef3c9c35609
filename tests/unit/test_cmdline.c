// SPDX-License-Identifier: MIT
/*
 * Host tests for kernel/cmdline.c: every option type, bounds, defaults kept
 * on bad values, overrides, quoting, unknown names, the GRUB path word,
 * the length limit, value echo, the usage message, registration through
 * the linker section, and a sweep of 100k random lines checked for
 * invariants under ASan and UBSan.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "abi/errno.h"
#include "cmdline.h"
#include "unit.h"

static bool verbose;
static bool quiet;
static uint64_t cpus;
static uint64_t seed;
static uint64_t mem;
static char label[8];
static unsigned int profile;

static const char *const profiles[] = {"rv6", "test", "bench", NULL};

static const struct cmdline_opt opts[] = {
	{.name = "verbose",
	 .type = CMDLINE_BOOL,
	 .value = &verbose,
	 .help = "Log more."},
	{.name = "quiet", .type = CMDLINE_BOOL, .value = &quiet},
	{.name = "cpus",
	 .type = CMDLINE_UINT,
	 .value = &cpus,
	 .min = 1,
	 .max = 64,
	 .help = "Number of CPUs to start."},
	{.name = "seed", .type = CMDLINE_UINT, .value = &seed},
	{.name = "mem",
	 .type = CMDLINE_SIZE,
	 .value = &mem,
	 .min = 1ull << 20,
	 .max = 1ull << 40,
	 .help = "Memory limit."},
	{.name = "label",
	 .type = CMDLINE_STR,
	 .value = label,
	 .str_size = sizeof(label),
	 .help = "A name for this boot."},
	{.name = "profile",
	 .type = CMDLINE_ENUM,
	 .value = &profile,
	 .choices = profiles,
	 .help = "Which domains init starts."},
};

/* Puts every variable back to its default. */
static void reset(void)
{
	verbose = false;
	quiet = true;
	cpus = 4;
	seed = 99;
	mem = 256ull << 20;
	strcpy(label, "dflt");
	profile = 0;
}

#define MAX_EVENTS 16

/* What the report callback saw, in order. */
struct record {
	const char *line;
	int n;
	struct {
		enum cmdline_event ev;
		const struct cmdline_opt *opt;
		char text[64];
	} ev[MAX_EVENTS];
};

static void record_event(void *ctx, enum cmdline_event ev,
			 const struct cmdline_opt *opt, const char *word,
			 size_t wordlen)
{
	struct record *r = ctx;
	size_t n = wordlen < 63 ? wordlen : 63;

	if (r->n < MAX_EVENTS) {
		r->ev[r->n].ev = ev;
		r->ev[r->n].opt = opt;
		memcpy(r->ev[r->n].text, word, n);
		r->ev[r->n].text[n] = '\0';
	}
	r->n++;
}

/* Resets the variables, parses line and records the events in *r. */
static int parse(const char *line, struct record *r)
{
	reset();
	memset(r, 0, sizeof(*r));
	r->line = line;
	return cmdline_parse(line, opts, ARRAY_SIZE(opts), record_event, r);
}

/* Parses line and expects one event ev for the single word in it. */
#define EXPECT_ONE(line, event)                                           \
	do {                                                              \
		struct record r_;                                         \
		UNIT_EQ(parse(line, &r_), (event) == CMDLINE_OK ? 0 : 1); \
		UNIT_EQ(r_.n, 1);                                         \
		UNIT_EQ(r_.ev[0].ev, event);                              \
	} while (0)

UNIT_TEST(empty_blank_and_null_lines_report_nothing)
{
	struct record r;

	UNIT_EQ(parse("", &r), 0);
	UNIT_EQ(r.n, 0);
	UNIT_EQ(parse(" \t  \t", &r), 0);
	UNIT_EQ(r.n, 0);
	UNIT_EQ(parse(NULL, &r), 0);
	UNIT_EQ(r.n, 0);
	UNIT_EQ(cmdline_parse("cpus=3", NULL, 0, NULL, NULL), 1);
	UNIT_EQ(cpus, 4);
}

UNIT_TEST(every_type_is_parsed_and_stored)
{
	struct record r;

	UNIT_EQ(parse("verbose quiet=off cpus=12 seed=0x10 mem=512M "
		      "label=abc profile=bench",
		      &r),
		0);
	UNIT_EQ(r.n, 7);
	for (int i = 0; i < 7; i++) {
		UNIT_EQ(r.ev[i].ev, CMDLINE_OK);
		UNIT_ASSERT(r.ev[i].opt == &opts[i]);
	}
	UNIT_EQ(verbose, true);
	UNIT_EQ(quiet, false);
	UNIT_EQ(cpus, 12);
	UNIT_EQ(seed, 16);
	UNIT_EQ(mem, 512ull << 20);
	UNIT_STREQ(label, "abc");
	UNIT_EQ(profile, 2);
}

UNIT_TEST(bool_accepts_each_spelling_and_rejects_others)
{
	static const char *const yes[] = {"verbose",	  "verbose=1",
					  "verbose=yes",  "verbose=on",
					  "verbose=true", "verbose=\"on\""};
	static const char *const no[] = {"quiet=0", "quiet=no", "quiet=off",
					 "quiet=false"};
	static const char *const bad[] = {"verbose=",	  "verbose=2",
					  "verbose=ON",	  "verbose=maybe",
					  "verbose=yess", "verbose=\"\""};

	for (size_t i = 0; i < ARRAY_SIZE(yes); i++) {
		EXPECT_ONE(yes[i], CMDLINE_OK);
		UNIT_EQ(verbose, true);
	}
	for (size_t i = 0; i < ARRAY_SIZE(no); i++) {
		EXPECT_ONE(no[i], CMDLINE_OK);
		UNIT_EQ(quiet, false);
	}
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		EXPECT_ONE(bad[i], CMDLINE_MALFORMED);
		UNIT_EQ(verbose, false);
	}
}

UNIT_TEST(uint_bounds_and_bad_numbers_keep_the_default)
{
	static const char *const bad[] = {
		"cpus=0",
		"cpus=65",
		"cpus=abc",
		"cpus=",
		"cpus",
		"cpus=-1",
		"cpus=4x",
		"cpus=0x",
		"cpus= 4",
		"cpus=1K",
		"cpus=99999999999999999999999",
	};

	EXPECT_ONE("cpus=1", CMDLINE_OK);
	UNIT_EQ(cpus, 1);
	EXPECT_ONE("cpus=64", CMDLINE_OK);
	UNIT_EQ(cpus, 64);
	EXPECT_ONE("cpus=0x40", CMDLINE_OK);
	UNIT_EQ(cpus, 64);
	EXPECT_ONE("cpus=010", CMDLINE_OK);
	UNIT_EQ(cpus, 8);
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		struct record r;

		/* "cpus= 4" is two words: a malformed one and "4". */
		UNIT_ASSERT(parse(bad[i], &r) >= 1);
		UNIT_EQ(r.ev[0].ev, CMDLINE_MALFORMED);
		UNIT_EQ(cpus, 4);
	}
	/* min == max == 0: the full range. */
	EXPECT_ONE("seed=18446744073709551615", CMDLINE_OK);
	UNIT_EQ(seed, UINT64_MAX);
	EXPECT_ONE("seed=0", CMDLINE_OK);
	UNIT_EQ(seed, 0);
	EXPECT_ONE("seed=18446744073709551616", CMDLINE_MALFORMED);
	UNIT_EQ(seed, 99);
}

UNIT_TEST(size_suffixes_and_bounds)
{
	EXPECT_ONE("mem=1G", CMDLINE_OK);
	UNIT_EQ(mem, 1ull << 30);
	EXPECT_ONE("mem=1048576", CMDLINE_OK);
	UNIT_EQ(mem, 1ull << 20);
	EXPECT_ONE("mem=1T", CMDLINE_OK);
	UNIT_EQ(mem, 1ull << 40);
	EXPECT_ONE("mem=0x200000", CMDLINE_OK);
	UNIT_EQ(mem, 2ull << 20);
	EXPECT_ONE("mem=1023K", CMDLINE_MALFORMED);
	UNIT_EQ(mem, 256ull << 20);
	EXPECT_ONE("mem=1025G", CMDLINE_MALFORMED);
	EXPECT_ONE("mem=2T", CMDLINE_MALFORMED);
	EXPECT_ONE("mem=1X", CMDLINE_MALFORMED);
	EXPECT_ONE("mem=16777216T", CMDLINE_MALFORMED);
	EXPECT_ONE("mem", CMDLINE_MALFORMED);
	UNIT_EQ(mem, 256ull << 20);
}

UNIT_TEST(strings_quotes_and_length_limit)
{
	EXPECT_ONE("label=\"a b\"", CMDLINE_OK);
	UNIT_STREQ(label, "a b");
	EXPECT_ONE("\"label=a b\"", CMDLINE_OK);
	UNIT_STREQ(label, "a b");
	EXPECT_ONE("label=a\"b c\"d", CMDLINE_OK);
	UNIT_STREQ(label, "ab cd");
	EXPECT_ONE("label=\"x\ty\"", CMDLINE_OK);
	UNIT_STREQ(label, "x\ty");
	/* Seven characters and the NUL fill the buffer exactly. */
	EXPECT_ONE("label=1234567", CMDLINE_OK);
	UNIT_STREQ(label, "1234567");
	EXPECT_ONE("label=12345678", CMDLINE_MALFORMED);
	UNIT_STREQ(label, "dflt");
	EXPECT_ONE("label=\"123456\"\"7\"", CMDLINE_OK);
	UNIT_STREQ(label, "1234567");
	EXPECT_ONE("label=", CMDLINE_OK);
	UNIT_STREQ(label, "");
	EXPECT_ONE("label=\"\"", CMDLINE_OK);
	UNIT_STREQ(label, "");
	EXPECT_ONE("label=a=b", CMDLINE_OK);
	UNIT_STREQ(label, "a=b");
	EXPECT_ONE("label", CMDLINE_MALFORMED);
	UNIT_STREQ(label, "dflt");
}

UNIT_TEST(enum_matches_choices_exactly)
{
	EXPECT_ONE("profile=test", CMDLINE_OK);
	UNIT_EQ(profile, 1);
	EXPECT_ONE("profile=bench", CMDLINE_OK);
	UNIT_EQ(profile, 2);
	EXPECT_ONE("profile=rv6", CMDLINE_OK);
	UNIT_EQ(profile, 0);
	EXPECT_ONE("profile=\"test\"", CMDLINE_OK);
	UNIT_EQ(profile, 1);
	EXPECT_ONE("profile=TEST", CMDLINE_MALFORMED);
	EXPECT_ONE("profile=tes", CMDLINE_MALFORMED);
	EXPECT_ONE("profile=tests", CMDLINE_MALFORMED);
	EXPECT_ONE("profile=", CMDLINE_MALFORMED);
	EXPECT_ONE("profile", CMDLINE_MALFORMED);
	UNIT_EQ(profile, 0);
}

UNIT_TEST(later_words_override_earlier_ones)
{
	struct record r;

	UNIT_EQ(parse("cpus=2 cpus=8", &r), 0);
	UNIT_EQ(cpus, 8);
	/* A bad later value leaves the earlier good one in place. */
	UNIT_EQ(parse("cpus=2 cpus=999", &r), 1);
	UNIT_EQ(cpus, 2);
	UNIT_EQ(parse("verbose verbose=off", &r), 0);
	UNIT_EQ(verbose, false);
	UNIT_EQ(parse("label=one label=\"t w o\"", &r), 0);
	UNIT_STREQ(label, "t w o");
}

UNIT_TEST(unknown_names_are_reported_and_ignored)
{
	struct record r;

	UNIT_EQ(parse("foo=1 verbos Verbose verbose2=1 =3 cpu=5 x", &r), 7);
	UNIT_EQ(r.n, 7);
	for (int i = 0; i < 7; i++) {
		UNIT_EQ(r.ev[i].ev, CMDLINE_UNKNOWN);
		UNIT_ASSERT(r.ev[i].opt == NULL);
	}
	UNIT_STREQ(r.ev[0].text, "foo=1");
	UNIT_STREQ(r.ev[4].text, "=3");
	UNIT_EQ(verbose, false);
	UNIT_EQ(cpus, 4);
}

UNIT_TEST(grub_image_path_first_word_is_skipped)
{
	struct record r;

	UNIT_EQ(parse("/boot/kernel.elf verbose", &r), 0);
	UNIT_EQ(r.n, 1);
	UNIT_STREQ(r.ev[0].text, "verbose");
	UNIT_EQ(parse("  \t/boot/kernel.elf", &r), 0);
	UNIT_EQ(r.n, 0);
	/* Only the first word: later ones are unknown options. */
	UNIT_EQ(parse("verbose /boot/x", &r), 1);
	UNIT_EQ(r.ev[1].ev, CMDLINE_UNKNOWN);
	UNIT_STREQ(r.ev[1].text, "/boot/x");
	UNIT_EQ(parse("/a /b", &r), 1);
	UNIT_STREQ(r.ev[0].text, "/b");
}

UNIT_TEST(unterminated_quote_is_malformed_and_swallows_the_rest)
{
	struct record r;

	UNIT_EQ(parse("cpus=3 label=\"abc cpus=5 verbose", &r), 1);
	UNIT_EQ(r.n, 2);
	UNIT_EQ(r.ev[1].ev, CMDLINE_MALFORMED);
	UNIT_ASSERT(r.ev[1].opt == &opts[5]);
	UNIT_STREQ(r.ev[1].text, "label=\"abc cpus=5 verbose");
	UNIT_EQ(cpus, 3);
	UNIT_EQ(verbose, false);
	UNIT_STREQ(label, "dflt");
	/* An unknown name with an open quote is malformed too. */
	UNIT_EQ(parse("x=\"", &r), 1);
	UNIT_EQ(r.ev[0].ev, CMDLINE_MALFORMED);
	UNIT_ASSERT(r.ev[0].opt == NULL);
}

UNIT_TEST(events_arrive_in_order_with_the_raw_word)
{
	struct record r;
	const char *line = "a=1  cpus=3\tlabel=\"x y\" cpus=0\n\rverbose";

	UNIT_EQ(parse(line, &r), 2);
	UNIT_EQ(r.n, 5);
	UNIT_EQ(r.ev[0].ev, CMDLINE_UNKNOWN);
	UNIT_STREQ(r.ev[0].text, "a=1");
	UNIT_EQ(r.ev[1].ev, CMDLINE_OK);
	UNIT_STREQ(r.ev[1].text, "cpus=3");
	UNIT_ASSERT(r.ev[1].opt == &opts[2]);
	UNIT_EQ(r.ev[2].ev, CMDLINE_OK);
	UNIT_STREQ(r.ev[2].text, "label=\"x y\"");
	UNIT_ASSERT(r.ev[2].opt == &opts[5]);
	UNIT_EQ(r.ev[3].ev, CMDLINE_MALFORMED);
	UNIT_STREQ(r.ev[3].text, "cpus=0");
	UNIT_ASSERT(r.ev[3].opt == &opts[2]);
	UNIT_EQ(r.ev[4].ev, CMDLINE_OK);
	UNIT_STREQ(r.ev[4].text, "verbose");
	UNIT_EQ(cpus, 3);
	UNIT_STREQ(label, "x y");
}

/* Fills n bytes with "cpus=5 " repeated, the last one cut by n. */
static void fill_words(char *p, size_t n)
{
	static const char word[] = "cpus=5 ";

	for (size_t i = 0; i < n; i++) {
		p[i] = word[i % (sizeof(word) - 1)];
	}
}

UNIT_TEST(line_at_the_limit_is_parsed_whole)
{
	char *line = malloc(CMDLINE_MAX_LEN + 1);
	struct record r;

	UNIT_ASSERT(line != NULL);
	memset(line, ' ', CMDLINE_MAX_LEN);
	for (size_t i = 0; i + 16 <= CMDLINE_MAX_LEN; i += 8) {
		memcpy(line + i, "cpus=5", 6);
	}
	/* The last word ends on the last byte allowed. */
	memcpy(line + CMDLINE_MAX_LEN - 6, "cpus=9", 6);
	line[CMDLINE_MAX_LEN] = '\0';
	UNIT_EQ(parse(line, &r), 0);
	free(line);
	UNIT_EQ(r.n, CMDLINE_MAX_LEN / 8);
	UNIT_EQ(cpus, 9);
}

UNIT_TEST(overlong_line_stops_before_the_limit_and_says_so)
{
	/* No NUL anywhere: ASan catches any read past the limit + 1. */
	char *line = malloc(CMDLINE_MAX_LEN + 1);
	struct record r;

	UNIT_ASSERT(line != NULL);
	memset(line, ' ', CMDLINE_MAX_LEN + 1);
	memcpy(line, "cpus=7", 6);
	memcpy(line + CMDLINE_MAX_LEN - 20, "cpus=5", 6);
	/* This word runs into the limit: "cpus=" could be "cpus=1234". */
	memcpy(line + CMDLINE_MAX_LEN - 4, "cpus=", 5);
	UNIT_EQ(parse(line, &r), 1);
	UNIT_EQ(r.n, 3);
	UNIT_EQ(r.ev[0].ev, CMDLINE_OK);
	UNIT_EQ(r.ev[1].ev, CMDLINE_OK);
	UNIT_EQ(r.ev[2].ev, CMDLINE_TOO_LONG);
	UNIT_ASSERT(r.ev[2].opt == NULL);
	UNIT_STREQ(r.ev[2].text, "cpus");
	UNIT_EQ(cpus, 5);
	free(line);
}

/* Checks the TOO_LONG event's text and placement through a callback. */
struct too_long_check {
	const char *line;
	int too_long;
	const char *word;
	size_t wordlen;
};

static void too_long_event(void *ctx, enum cmdline_event ev,
			   const struct cmdline_opt *opt, const char *word,
			   size_t wordlen)
{
	struct too_long_check *c = ctx;

	if (ev == CMDLINE_TOO_LONG) {
		c->too_long++;
		c->word = word;
		c->wordlen = wordlen;
	}
}

UNIT_TEST(too_long_event_covers_the_cut_word)
{
	char *line = malloc(CMDLINE_MAX_LEN + 100);
	struct too_long_check c = {.too_long = 0};

	UNIT_ASSERT(line != NULL);
	memset(line, ' ', CMDLINE_MAX_LEN + 99);
	line[CMDLINE_MAX_LEN + 99] = '\0';
	/* "cpus=3" at the start; "label=abcdef" straddles the limit. */
	memcpy(line, "cpus=3", 6);
	memcpy(line + CMDLINE_MAX_LEN - 8, "label=abcdef", 12);
	reset();
	UNIT_EQ(cmdline_parse(line, opts, ARRAY_SIZE(opts), too_long_event, &c),
		1);
	UNIT_EQ(c.too_long, 1);
	UNIT_ASSERT(c.word == line + CMDLINE_MAX_LEN - 8);
	UNIT_EQ(c.wordlen, 8);
	UNIT_EQ(cpus, 3);
	UNIT_STREQ(label, "dflt");

	/* The limit falls on a space: the whole last word is parsed. */
	memset(line, ' ', CMDLINE_MAX_LEN + 99);
	memcpy(line + CMDLINE_MAX_LEN - 6, "cpus=8", 6);
	c.too_long = 0;
	reset();
	UNIT_EQ(cmdline_parse(line, opts, ARRAY_SIZE(opts), too_long_event, &c),
		1);
	UNIT_EQ(c.too_long, 1);
	UNIT_EQ(c.wordlen, 0);
	UNIT_EQ(cpus, 8);

	/* A single word longer than the limit. */
	memset(line, 'x', CMDLINE_MAX_LEN + 99);
	c.too_long = 0;
	UNIT_EQ(cmdline_parse(line, opts, ARRAY_SIZE(opts), too_long_event, &c),
		1);
	UNIT_ASSERT(c.word == line);
	UNIT_EQ(c.wordlen, CMDLINE_MAX_LEN);
	free(line);
}

UNIT_TEST(megabyte_line_is_bounded)
{
	size_t n = 1 << 20;
	char *line = malloc(n + 1);
	struct record r;

	UNIT_ASSERT(line != NULL);
	fill_words(line, n);
	line[n] = '\0';
	UNIT_EQ(parse(line, &r), 1);
	UNIT_EQ(cpus, 5);
	free(line);
}

/* The random sweep's callback: checks each event against the line. */
struct sweep {
	const char *line;
	size_t len;
	int events;
	int problems;
	bool bad;
};

static void sweep_event(void *ctx, enum cmdline_event ev,
			const struct cmdline_opt *opt, const char *word,
			size_t wordlen)
{
	struct sweep *s = ctx;
	size_t limit = s->len < CMDLINE_MAX_LEN ? s->len : CMDLINE_MAX_LEN;

	s->events++;
	if (ev != CMDLINE_OK) {
		s->problems++;
	}
	if (word < s->line || word > s->line + limit ||
	    wordlen > limit - (size_t)(word - s->line)) {
		s->bad = true;
	}
	if (ev == CMDLINE_OK && (opt == NULL || wordlen == 0)) {
		s->bad = true;
	}
	if (ev == CMDLINE_UNKNOWN && opt != NULL) {
		s->bad = true;
	}
	if (ev > CMDLINE_TOO_LONG) {
		s->bad = true;
	}
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rng(void)
{
	/* xorshift64*: deterministic, so a failure reproduces. */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

/* One random line: structure-heavy text, raw bytes, or a mix. */
static void random_line(char *p, size_t n)
{
	static const char *const pieces[] = {
		"verbose", "quiet",	  "cpus",
		"seed",	   "mem",	  "label",
		"profile", "=",		  "=",
		" ",	   " ",		  "\t",
		"\"",	   "\"",	  "0x",
		"1",	   "64",	  "K",
		"G",	   "T",		  "rv6",
		"bench",   "on",	  "off",
		"/",	   "99999999999", "18446744073709551615",
		"-",	   "\n",
	};
	int mode = (int)(rng() % 3);
	size_t i = 0;

	while (i < n) {
		if (mode == 0 || (mode == 2 && rng() % 2)) {
			const char *s = pieces[rng() % ARRAY_SIZE(pieces)];

			while (*s != '\0' && i < n) {
				p[i++] = *s++;
			}
		} else {
			p[i++] = (char)(1 + rng() % 255);
		}
	}
	p[n] = '\0';
}

UNIT_TEST(random_lines_never_crash_and_keep_invariants)
{
	for (int iter = 0; iter < 100000; iter++) {
		/* Mostly short lines; one in 64 crosses the length limit. */
		size_t n = rng() % 64 == 0 ? CMDLINE_MAX_LEN - 20 + rng() % 40
					   : rng() % 200;
		char *line = malloc(n + 1);
		struct sweep s = {.line = line, .len = n};
		int ret;

		UNIT_ASSERT(line != NULL);
		random_line(line, n);
		reset();
		ret = cmdline_parse(line, opts, ARRAY_SIZE(opts), sweep_event,
				    &s);
		if (s.bad || ret != s.problems || ret < 0) {
			unit_fail(__FILE__, __LINE__,
				  "iteration %d: bad event or count", iter);
			free(line);
			return;
		}
		/* Whatever was stored is in range and terminated. */
		UNIT_ASSERT(cpus >= 1 && cpus <= 64);
		UNIT_ASSERT(mem >= (1ull << 20) && mem <= (1ull << 40));
		UNIT_ASSERT(memchr(label, '\0', sizeof(label)) != NULL);
		UNIT_ASSERT(profile < 3);
		/* Same line, same answer. */
		UNIT_EQ(cmdline_parse(line, opts, ARRAY_SIZE(opts), NULL, NULL),
			ret);
		free(line);
	}
}

UNIT_TEST(format_value_echoes_each_type)
{
	char buf[32];

	reset();
	UNIT_EQ(cmdline_format_value(&opts[0], buf, sizeof(buf)), 0);
	UNIT_STREQ(buf, "off");
	UNIT_EQ(cmdline_format_value(&opts[1], buf, sizeof(buf)), 0);
	UNIT_STREQ(buf, "on");
	UNIT_EQ(cmdline_format_value(&opts[2], buf, sizeof(buf)), 0);
	UNIT_STREQ(buf, "4");
	seed = UINT64_MAX;
	UNIT_EQ(cmdline_format_value(&opts[3], buf, sizeof(buf)), 0);
	UNIT_STREQ(buf, "18446744073709551615");
	UNIT_EQ(cmdline_format_value(&opts[4], buf, sizeof(buf)), 0);
	UNIT_STREQ(buf, "256M");
	UNIT_EQ(cmdline_format_value(&opts[5], buf, sizeof(buf)), 0);
	UNIT_STREQ(buf, "dflt");
	profile = 2;
	UNIT_EQ(cmdline_format_value(&opts[6], buf, sizeof(buf)), 0);
	UNIT_STREQ(buf, "bench");
}

UNIT_TEST(format_value_sizes_quotes_and_errors)
{
	static const struct {
		uint64_t v;
		const char *text;
	} sizes[] = {
		{0, "0"},
		{1, "1"},
		{1024, "1K"},
		{1536, "1536"},
		{3ull << 20, "3M"},
		{1536ull << 20, "1536M"},
		{3ull << 30, "3G"},
		{5ull << 40, "5T"},
		{1ull << 63, "8388608T"},
		{UINT64_MAX, "18446744073709551615"},
	};
	char buf[32];

	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
		mem = sizes[i].v;
		UNIT_EQ(cmdline_format_value(&opts[4], buf, sizeof(buf)), 0);
		UNIT_STREQ(buf, sizes[i].text);
	}
	strcpy(label, "a b");
	UNIT_EQ(cmdline_format_value(&opts[5], buf, sizeof(buf)), 0);
	UNIT_STREQ(buf, "\"a b\"");
	label[0] = '\0';
	UNIT_EQ(cmdline_format_value(&opts[5], buf, sizeof(buf)), 0);
	UNIT_STREQ(buf, "\"\"");
	/* Truncated output is still terminated. */
	strcpy(label, "abcdefg");
	UNIT_EQ(cmdline_format_value(&opts[5], buf, 4), -ENOSPC);
	UNIT_STREQ(buf, "abc");
	UNIT_EQ(cmdline_format_value(&opts[5], buf, 0), -ENOSPC);
	profile = 3;
	UNIT_EQ(cmdline_format_value(&opts[6], buf, sizeof(buf)), -EINVAL);
	UNIT_STREQ(buf, "?");
	UNIT_EQ(cmdline_format_value(NULL, buf, sizeof(buf)), -EINVAL);
	UNIT_STREQ(buf, "");
}

UNIT_TEST(format_value_round_trips_through_parse)
{
	static const uint64_t sizes[] = {1ull << 20, 3ull << 29, 12345678,
					 1ull << 40, (1ull << 20) + 1};
	char line[64];
	char buf[32];

	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
		uint64_t want = sizes[i];

		mem = want;
		UNIT_EQ(cmdline_format_value(&opts[4], buf, sizeof(buf)), 0);
		snprintf(line, sizeof(line), "mem=%s", buf);
		UNIT_EQ(cmdline_parse(line, opts, ARRAY_SIZE(opts), NULL, NULL),
			0);
		UNIT_EQ(mem, want);
	}
	strcpy(label, "x y");
	UNIT_EQ(cmdline_format_value(&opts[5], buf, sizeof(buf)), 0);
	snprintf(line, sizeof(line), "label=%s", buf);
	strcpy(label, "zzz");
	UNIT_EQ(cmdline_parse(line, opts, ARRAY_SIZE(opts), NULL, NULL), 0);
	UNIT_STREQ(label, "x y");
}

/* Collects help output into one string. */
struct text {
	char buf[2048];
	size_t len;
};

static void text_out(void *ctx, const char *s)
{
	struct text *t = ctx;
	size_t n = strlen(s);

	if (t->len + n < sizeof(t->buf)) {
		memcpy(t->buf + t->len, s, n + 1);
		t->len += n;
	}
}

UNIT_TEST(help_lists_syntax_ranges_values_and_text)
{
	struct text t = {.len = 0};

	reset();
	cmdline_help(opts, ARRAY_SIZE(opts), text_out, &t);
	UNIT_STREQ(t.buf, "  verbose[=on|off] (now off)\n"
			  "      Log more.\n"
			  "  quiet[=on|off] (now on)\n"
			  "  cpus=<number> in [1, 64] (now 4)\n"
			  "      Number of CPUs to start.\n"
			  "  seed=<number> (now 99)\n"
			  "  mem=<size>[K|M|G|T] in [1M, 1T] (now 256M)\n"
			  "      Memory limit.\n"
			  "  label=<string> of at most 7 bytes (now dflt)\n"
			  "      A name for this boot.\n"
			  "  profile=rv6|test|bench (now rv6)\n"
			  "      Which domains init starts.\n");
}

/* Options registered through the linker section, as kernel code does. */
static uint64_t reg_level = 1;
static bool reg_trace;

CMDLINE_OPTION(reg_opt_level, .name = "loglevel", .type = CMDLINE_UINT,
	       .value = &reg_level, .min = 0, .max = 7,
	       .help = "Console log level.");
CMDLINE_OPTION(reg_opt_trace, .name = "trace", .type = CMDLINE_BOOL,
	       .value = &reg_trace, .help = "Trace calls.");

UNIT_TEST(registered_options_are_collected_from_the_section)
{
	size_t n;
	const struct cmdline_opt *reg = cmdline_registered_opts(&n);
	bool seen_level = false;
	bool seen_trace = false;

	/* Exactly two: no sanitizer padding between section entries. */
	UNIT_EQ(n, 2);
	for (size_t i = 0; i < n; i++) {
		if (strcmp(reg[i].name, "loglevel") == 0) {
			seen_level = true;
		}
		if (strcmp(reg[i].name, "trace") == 0) {
			seen_trace = true;
		}
	}
	UNIT_ASSERT(seen_level && seen_trace);
	UNIT_EQ(cmdline_parse("/boot/k loglevel=5 trace cpus=2", reg, n, NULL,
			      NULL),
		1);
	UNIT_EQ(reg_level, 5);
	UNIT_EQ(reg_trace, true);
	UNIT_EQ(cmdline_parse("loglevel=8", reg, n, NULL, NULL), 1);
	UNIT_EQ(reg_level, 5);
}
