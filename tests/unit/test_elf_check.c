// SPDX-License-Identifier: MIT
/*
 * Host tests of the domain image validator (kernel/elf_check.c) on real
 * images: the sample domain built by tests/elf/build.mk must pass with the
 * expected plan, and be loadable by a simulated loader; every malformed
 * variant from tests/elf/mkcorpus.py (committed and regenerated) must be
 * rejected with the expected error and reason; truncation, bit-flip and
 * random-mutation sweeps must never crash, and whatever passes must keep
 * every promise of the plan (tests/elf/plan_check.h). Paths are relative
 * to the repository root, where the tests run.
 */
#include "unit.h"

#include <stdlib.h>
#include <string.h>

#include "abi/errno.h"
#include "abi/layout.h"
#include "elf_check.h"
#include "plan_check.h"

#ifndef ELF_SAMPLE_PATH
#define ELF_SAMPLE_PATH "build/elf/sample_dom.elf"
#endif
#ifndef ELF_CORPUS_DIR
#define ELF_CORPUS_DIR "tests/elf/corpus"
#endif
#ifndef ELF_GEN_CORPUS_DIR
#define ELF_GEN_CORPUS_DIR "build/elf/corpus"
#endif

/* The limits mkcorpus.py's expectations assume. */
static const struct elf_limits test_limits = {
	.max_phnum = 64,
	.max_image_pages = 4096,
	.max_relocs = 4096,
};

struct blob {
	uint8_t *data;
	size_t size;
};

/* Read a whole file into a buffer of exactly its size, so ASan sees OOB. */
static bool load_file(const char *path, struct blob *b)
{
	FILE *f = fopen(path, "rb");
	long sz;

	b->data = NULL;
	b->size = 0;
	if (!f) {
		return false;
	}
	if (fseek(f, 0, SEEK_END) != 0 || (sz = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0) {
		fclose(f);
		return false;
	}
	b->data = malloc(sz > 0 ? (size_t)sz : 1);
	b->size = (size_t)sz;
	if (!b->data || fread(b->data, 1, b->size, f) != b->size) {
		fclose(f);
		free(b->data);
		b->data = NULL;
		return false;
	}
	fclose(f);
	return true;
}

static int errno_from_name(const char *name)
{
	if (strcmp(name, "OK") == 0) {
		return 0;
	}
	for (int e = 1; e < 256; e++) {
		if (strcmp(errno_name(e), name) == 0) {
			return -e;
		}
	}
	return 1; /* never returned by elf_check(), so it fails */
}

static bool is_known_error(int err)
{
	return err == -ENOEXEC || err == -EPERM || err == -E2BIG ||
	       err == -EINVAL;
}

/*
 * Run elf_check() on one input and check the contract that holds for any
 * input: a known error with a nonempty reason, or success with NULL reason
 * and a plan that keeps its promises. Returns the error; reports failures.
 */
static int check_any(const uint8_t *img, size_t size, const char *what)
{
	static struct elf_plan plan;
	const char *why = "unset";
	const char *bad;
	int err;

	err = elf_check(img, size, &test_limits, &plan, &why);
	if (err == 0) {
		if (why != NULL) {
			unit_fail(__FILE__, __LINE__, "%s: success with why",
				  what);
		}
		bad = plan_violation(img, size, &test_limits, &plan);
		if (bad) {
			unit_fail(__FILE__, __LINE__,
				  "%s: accepted plan breaks: %s", what, bad);
		}
	} else if (!is_known_error(err) || !why || why[0] == '\0') {
		unit_fail(__FILE__, __LINE__, "%s: error %d with reason \"%s\"",
			  what, err, why ? why : "(null)");
	}
	return err;
}

UNIT_TEST(sample_image_passes_with_expected_plan)
{
	static struct elf_plan plan;
	const struct manifest *m = &plan.manifest;
	struct blob b;
	const char *why = "unset";
	int nexec = 0;
	int nwrite = 0;
	int nronly = 0;

	UNIT_ASSERT(load_file(ELF_SAMPLE_PATH, &b));
	UNIT_EQ(elf_check(b.data, b.size, &test_limits, &plan, &why), 0);
	UNIT_ASSERT(why == NULL);
	UNIT_ASSERT(!plan_violation(b.data, b.size, &test_limits, &plan));

	/* domain.ld: rodata (with headers and note), text, relro + data. */
	UNIT_EQ(plan.nsegs, 3);
	for (uint32_t i = 0; i < plan.nsegs; i++) {
		uint32_t prot = plan.segs[i].prot;

		nexec += prot == (ELF_PROT_R | ELF_PROT_X);
		nwrite += prot == (ELF_PROT_R | ELF_PROT_W);
		nronly += prot == ELF_PROT_R;
	}
	UNIT_EQ(nexec, 1);
	UNIT_EQ(nwrite, 1);
	UNIT_EQ(nronly, 1);
	UNIT_EQ(plan.segs[0].vaddr, 0);
	UNIT_EQ(plan.segs[0].prot, ELF_PROT_R);
	UNIT_EQ(plan.segs[1].prot, ELF_PROT_R | ELF_PROT_X);
	UNIT_EQ(plan.segs[2].prot, ELF_PROT_R | ELF_PROT_W);
	UNIT_EQ(plan.entry, plan.segs[1].vaddr); /* _start comes first */
	UNIT_EQ(plan.image_end % LAYOUT_PAGE_SIZE, 0);
	UNIT_ASSERT(plan.image_end > plan.segs[2].vaddr);

	/* Four pointers in RELRO, three in .data (one to code). */
	UNIT_EQ(plan.rela_count, 7);
	UNIT_ASSERT(plan.relro_start < plan.relro_end);
	UNIT_EQ(plan.relro_start, ALIGN_DOWN(plan.segs[2].vaddr, 4096));

	UNIT_STREQ(m->name, "sample");
	UNIT_EQ(m->version, 3);
	UNIT_EQ(m->flags, MANIFEST_F_INIT);
	UNIT_EQ(m->mem_pages, 256);
	UNIT_EQ(m->threads, 4);
	UNIT_EQ(m->restart, MANIFEST_RESTART_BACKOFF);
	UNIT_EQ(m->max_restarts, 5);
	UNIT_EQ(m->restart_window_ms, 10000);
	UNIT_EQ(m->restart_backoff_ms, 100);
	UNIT_EQ(m->nexports, 1);
	UNIT_STREQ(m->exports[0].name, "hello");
	UNIT_ASSERT(m->exports[0].fingerprint == 0x1122334455667788ull);
	UNIT_EQ(m->nimports, 2);
	UNIT_STREQ(m->imports[1].name, "blk");
	UNIT_EQ(m->ndevices, 1);
	UNIT_ASSERT(
		manifest_grants_device(m, 0x1af4, 0x1041, MANIFEST_DEV_MMIO));
	free(b.data);
}

/*
 * Load the sample as the kernel will: copy segments to a region, zero the
 * rest, apply relocations with the region's address as base. The RELRO
 * pointers of sample_greetings[] must then point at their strings.
 */
UNIT_TEST(sample_loads_and_relocates_like_the_kernel_will)
{
	static struct elf_plan plan;
	static const char *const words[] = {"hello", "world", "from", "sample"};
	struct blob b;
	const char *why;
	uint8_t *region;
	uint64_t base;
	int found[4] = {0};
	int in_relro = 0;

	UNIT_ASSERT(load_file(ELF_SAMPLE_PATH, &b));
	UNIT_EQ(elf_check(b.data, b.size, &test_limits, &plan, &why), 0);
	region = calloc(1, plan.image_end);
	UNIT_ASSERT(region != NULL);
	base = (uint64_t)(uintptr_t)region;
	for (uint32_t i = 0; i < plan.nsegs; i++) {
		const struct elf_segment *s = &plan.segs[i];

		memcpy(region + s->vaddr, b.data + s->offset, s->filesz);
	}
	for (uint64_t i = 0; i < plan.rela_count; i++) {
		uint64_t va;
		uint64_t addend;
		uint64_t val;

		elf_plan_reloc(b.data, &plan, i, &va, &addend);
		val = base + addend;
		memcpy(region + va, &val, sizeof(val));
		in_relro += va >= plan.relro_start && va < plan.relro_end;
	}
	for (uint64_t i = 0; i < plan.rela_count; i++) {
		uint64_t va;
		uint64_t addend;
		const char *str;

		elf_plan_reloc(b.data, &plan, i, &va, &addend);
		memcpy(&str, region + va, sizeof(str));
		for (int w = 0; w < 4; w++) {
			if ((uint64_t)(uintptr_t)str >= base &&
			    (uint64_t)(uintptr_t)str < base + plan.image_end &&
			    strcmp(str, words[w]) == 0) {
				found[w]++;
			}
		}
	}
	for (int w = 0; w < 4; w++) {
		UNIT_EQ(found[w], 1);
	}
	UNIT_EQ(in_relro, 4);
	free(region);
	free(b.data);
}

/* Check every file listed in @dir/EXPECTED; returns how many were checked. */
static int check_corpus(const char *dir)
{
	char path[512];
	char line[512];
	FILE *ex;
	int n = 0;

	snprintf(path, sizeof(path), "%s/EXPECTED", dir);
	ex = fopen(path, "r");
	if (!ex) {
		unit_fail(__FILE__, __LINE__, "cannot open %s", path);
		return 0;
	}
	while (fgets(line, sizeof(line), ex)) {
		static struct elf_plan plan;
		char name[256];
		char ename[32];
		const char *why = NULL;
		char *want;
		struct blob b;
		int pos = 0;
		int err;

		if (line[0] == '#' || line[0] == '\n') {
			continue;
		}
		if (sscanf(line, "%255s %31s %n", name, ename, &pos) != 2) {
			unit_fail(__FILE__, __LINE__, "bad line: %s", line);
			continue;
		}
		want = line + pos;
		want[strcspn(want, "\n")] = '\0';
		snprintf(path, sizeof(path), "%s/%s", dir, name);
		if (!load_file(path, &b)) {
			unit_fail(__FILE__, __LINE__, "cannot read %s", path);
			continue;
		}
		err = elf_check(b.data, b.size, &test_limits, &plan, &why);
		if (err != errno_from_name(ename)) {
			unit_fail(__FILE__, __LINE__,
				  "%s: got %s (%s), expected %s", path,
				  err ? errno_name(err) : "OK", why ? why : "",
				  ename);
		} else if (err != 0 && (!why || !strstr(why, want))) {
			unit_fail(__FILE__, __LINE__,
				  "%s: reason \"%s\" lacks \"%s\"", path,
				  why ? why : "(null)", want);
		}
		check_any(b.data, b.size, path);
		free(b.data);
		n++;
	}
	fclose(ex);
	return n;
}

UNIT_TEST(committed_corpus_is_rejected_as_expected)
{
	UNIT_ASSERT(check_corpus(ELF_CORPUS_DIR) >= 30);
}

UNIT_TEST(regenerated_corpus_is_rejected_as_expected)
{
	UNIT_ASSERT(check_corpus(ELF_GEN_CORPUS_DIR) >= 100);
}

/* Every prefix shorter than the last byte a segment needs is rejected. */
UNIT_TEST(truncations_fail_until_all_segment_bytes_are_present)
{
	static struct elf_plan plan;
	struct blob b;
	const char *why;
	uint64_t needed = 0;

	UNIT_ASSERT(load_file(ELF_SAMPLE_PATH, &b));
	UNIT_EQ(elf_check(b.data, b.size, &test_limits, &plan, &why), 0);
	for (uint32_t i = 0; i < plan.nsegs; i++) {
		needed = MAX(needed, plan.segs[i].offset + plan.segs[i].filesz);
	}
	UNIT_ASSERT(needed <= b.size);
	for (size_t len = 0; len <= b.size && unit_ok(); len++) {
		/* Exactly len bytes, so ASan sees any overread. */
		uint8_t *t = malloc(len ? len : 1);
		int err;

		UNIT_ASSERT(t != NULL);
		memcpy(t, b.data, len);
		err = check_any(t, len, "truncation");
		if (len < needed && err == 0) {
			unit_fail(__FILE__, __LINE__,
				  "accepted truncation to %zu bytes", len);
		}
		if (len >= needed && err != 0) {
			unit_fail(__FILE__, __LINE__,
				  "rejected %zu bytes (needed %lu)", len,
				  (unsigned long)needed);
		}
		free(t);
	}
	free(b.data);
}

UNIT_TEST(every_single_bit_flip_is_handled)
{
	struct blob b;
	int accepted = 0;
	int rejected = 0;

	UNIT_ASSERT(load_file(ELF_SAMPLE_PATH, &b));
	for (size_t i = 0; i < b.size && unit_ok(); i++) {
		for (int bit = 0; bit < 8; bit++) {
			b.data[i] ^= (uint8_t)(1u << bit);
			if (check_any(b.data, b.size, "bit flip") == 0) {
				accepted++;
			} else {
				rejected++;
			}
			b.data[i] ^= (uint8_t)(1u << bit);
		}
	}
	/* Flips in code, strings and section headers are harmless. */
	UNIT_ASSERT(accepted > 0);
	UNIT_ASSERT(rejected > 0);
	free(b.data);
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

/* Random overwrites, biased to headers and to interesting values. */
UNIT_TEST(random_mutations_are_handled)
{
	static const uint64_t magic[] = {
		0x0000000000000000ull, 0x0000000000000001ull,
		0x0000000000000007ull, 0x0000000000000008ull,
		0x00000000000000ffull, 0x0000000000001000ull,
		0x0000000000000fffull, 0x000000007fffffffull,
		0x00000000ffffffffull, 0x0000000010000000ull,
		0x8000000000000000ull, 0xffffffffffffffffull,
		0xfffffffffffff000ull};
	struct blob b;
	uint8_t *m;

	UNIT_ASSERT(load_file(ELF_SAMPLE_PATH, &b));
	m = malloc(b.size);
	UNIT_ASSERT(m != NULL);
	for (int iter = 0; iter < 20000 && unit_ok(); iter++) {
		int nmut = 1 + (int)(rng() % 4);

		memcpy(m, b.data, b.size);
		for (int k = 0; k < nmut; k++) {
			size_t span = rng() % 2 ? 0x400 : b.size;
			size_t off = (size_t)(rng() % MIN(span, b.size - 8));
			uint64_t v = rng();
			int width = 1 << (rng() % 4);

			if (rng() % 2) {
				v = magic[rng() % ARRAY_SIZE(magic)];
			}

			off &= ~(size_t)(width - 1);
			memcpy(m + off, &v, (size_t)width);
		}
		check_any(m, b.size, "random mutation");
	}
	free(m);
	free(b.data);
}

UNIT_TEST(limits_turn_into_e2big)
{
	static struct elf_plan plan;
	struct elf_limits lim = test_limits;
	struct blob b;
	const char *why;
	uint64_t pages;
	uint64_t relocs;

	UNIT_ASSERT(load_file(ELF_SAMPLE_PATH, &b));
	UNIT_EQ(elf_check(b.data, b.size, &lim, &plan, &why), 0);
	pages = plan.image_pages;
	relocs = plan.rela_count;

	lim.max_image_pages = pages;
	UNIT_EQ(elf_check(b.data, b.size, &lim, &plan, &why), 0);
	lim.max_image_pages = pages - 1;
	UNIT_EQ(elf_check(b.data, b.size, &lim, &plan, &why), -E2BIG);
	UNIT_ASSERT(strstr(why, "pages") != NULL);

	lim = test_limits;
	lim.max_relocs = relocs;
	UNIT_EQ(elf_check(b.data, b.size, &lim, &plan, &why), 0);
	lim.max_relocs = relocs - 1;
	UNIT_EQ(elf_check(b.data, b.size, &lim, &plan, &why), -E2BIG);
	UNIT_ASSERT(strstr(why, "relocations") != NULL);

	lim = test_limits;
	lim.max_phnum = 1;
	UNIT_EQ(elf_check(b.data, b.size, &lim, &plan, &why), -E2BIG);
	UNIT_ASSERT(strstr(why, "program headers") != NULL);
	free(b.data);
}

UNIT_TEST(image_at_odd_address_passes)
{
	static struct elf_plan plan;
	struct blob b;
	const char *why;
	uint8_t *odd;

	UNIT_ASSERT(load_file(ELF_SAMPLE_PATH, &b));
	odd = malloc(b.size + 3);
	UNIT_ASSERT(odd != NULL);
	memcpy(odd + 3, b.data, b.size);
	UNIT_EQ(elf_check(odd + 3, b.size, &test_limits, &plan, &why), 0);
	UNIT_STREQ(plan.manifest.name, "sample");
	free(odd);
	free(b.data);
}

UNIT_TEST(formatted_reason_is_nul_terminated)
{
	static struct elf_plan plan;
	struct blob b;
	const char *why;

	UNIT_ASSERT(load_file(ELF_SAMPLE_PATH, &b));
	memset(plan.why_buf, 'x', sizeof(plan.why_buf));
	UNIT_EQ(elf_check(b.data, 10, &test_limits, &plan, &why), -ENOEXEC);
	UNIT_ASSERT(strlen(why) < ELF_WHY_LEN);
	UNIT_STREQ(why, "image is smaller than an ELF header");
	free(b.data);
}
