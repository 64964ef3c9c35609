// SPDX-License-Identifier: MIT
/*
 * Host tests for the frame allocator core in kernel/pmm.c: initial state,
 * add/reserve accounting, exhaustion and leak checks, contiguous aligned
 * runs, fragmentation, rejected frees, bitmap sizes that are not a
 * multiple of 64, and a seeded random stress run against a reference
 * model. Bitmaps are malloc'd at their exact size so that ASan reports
 * any access past the last word.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "abi/errno.h"
#include "pmm.h"
#include "unit.h"

/* Frame states in the reference model. */
enum model_state {
	M_NOT_RAM = 0,
	M_FREE,
	M_USED,
};

struct model {
	uint8_t *state;
	size_t nframes;
	size_t total;
	size_t free;
};

struct fixture {
	struct pmm pmm;
	uint64_t *bitmap;
	size_t words;
	struct model m;
};

/*
 * Test memory stays reachable from here until released, so a test that
 * fails half-way (and returns early) does not also produce a LeakSanitizer
 * report at exit.
 */
static void *tracked[32];

static void *test_alloc(size_t size)
{
	void *p = calloc(1, size ? size : 1);

	for (size_t i = 0; i < ARRAY_SIZE(tracked); i++) {
		if (!tracked[i]) {
			tracked[i] = p;
			return p;
		}
	}
	abort();
}

static void test_free(void *p)
{
	for (size_t i = 0; i < ARRAY_SIZE(tracked); i++) {
		if (tracked[i] == p) {
			tracked[i] = NULL;
		}
	}
	free(p);
}

static uint64_t rng_state;

static void rng_seed(uint64_t s)
{
	rng_state = s;
}

/* SplitMix64: small, deterministic, good enough for test input. */
static uint64_t rng_next(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static size_t rng_below(size_t n)
{
	return (size_t)(rng_next() % n);
}

/*
 * Sets up an allocator over @nframes frames with an exactly sized bitmap
 * that starts out as garbage, so init must set every word.
 */
static void fx_init(struct fixture *fx, size_t nframes)
{
	fx->words = (nframes + 63) / 64;
	fx->bitmap = test_alloc(fx->words * 8);
	memset(fx->bitmap, 0x5a, fx->words * 8);
	pmm_core_init(&fx->pmm, fx->bitmap, nframes);
	fx->m.state = test_alloc(nframes);
	fx->m.nframes = nframes;
	fx->m.total = 0;
	fx->m.free = 0;
}

static void fx_fini(struct fixture *fx)
{
	test_free(fx->bitmap);
	test_free(fx->m.state);
}

/* Mirror of pmm_core_add()/pmm_core_reserve() in the model. */
static void model_add(struct model *m, size_t pfn, size_t n)
{
	for (size_t i = 0; i < n && pfn + i < m->nframes; i++) {
		if (m->state[pfn + i] == M_NOT_RAM) {
			m->state[pfn + i] = M_FREE;
			m->total++;
			m->free++;
		}
	}
}

static void model_reserve(struct model *m, size_t pfn, size_t n)
{
	for (size_t i = 0; i < n && pfn + i < m->nframes; i++) {
		if (m->state[pfn + i] == M_FREE) {
			m->state[pfn + i] = M_NOT_RAM;
			m->total--;
			m->free--;
		}
	}
}

static void fx_add(struct fixture *fx, size_t pfn, size_t n)
{
	pmm_core_add(&fx->pmm, pfn, n);
	model_add(&fx->m, pfn, n);
}

static void fx_reserve(struct fixture *fx, size_t pfn, size_t n)
{
	pmm_core_reserve(&fx->pmm, pfn, n);
	model_reserve(&fx->m, pfn, n);
}

/* True when the model has @n free frames starting at a multiple of @align. */
static bool model_has_run(const struct model *m, size_t n, size_t align)
{
	for (size_t s = 0; s + n <= m->nframes; s += align) {
		size_t i = 0;

		while (i < n && m->state[s + i] == M_FREE) {
			i++;
		}
		if (i == n) {
			return true;
		}
	}
	return false;
}

/* Counters reported by the allocator match the model. */
static bool stats_match(struct fixture *fx)
{
	struct pmm_stats st;

	memset(&st, 0xee, sizeof(st));
	pmm_core_stats(&fx->pmm, &st);
	return st.total_pages == fx->m.total && st.free_pages == fx->m.free &&
	       st.used_pages == fx->m.total - fx->m.free;
}

/* Every frame's free/used state matches the model. */
static bool frames_match(struct fixture *fx)
{
	for (size_t f = 0; f < fx->m.nframes; f++) {
		bool want = fx->m.state[f] == M_FREE;

		if (pmm_core_is_free(&fx->pmm, f) != want) {
			return false;
		}
	}
	return true;
}

/*
 * Allocates through the core and checks the result against the model:
 * aligned, inside the bitmap, and every frame free before the call.
 * Returns the pmm_core_alloc() result; -1000 flags an inconsistency.
 */
static int fx_alloc(struct fixture *fx, size_t n, size_t align, pfn_t *out)
{
	pfn_t pfn = (pfn_t)-7;
	int err = pmm_core_alloc(&fx->pmm, n, align, &pfn);

	if (err) {
		return pfn == (pfn_t)-7 ? err : -1000;
	}
	if (pfn % align != 0 || pfn >= fx->m.nframes ||
	    n > fx->m.nframes - pfn) {
		return -1000;
	}
	for (size_t i = 0; i < n; i++) {
		if (fx->m.state[pfn + i] != M_FREE) {
			return -1000;
		}
		fx->m.state[pfn + i] = M_USED;
	}
	fx->m.free -= n;
	*out = pfn;
	return 0;
}

static void model_free(struct model *m, pfn_t pfn, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		m->state[pfn + i] = M_FREE;
	}
	m->free += n;
}

UNIT_TEST(pmm_init_marks_every_frame_used)
{
	struct fixture fx;
	pfn_t pfn = 0;
	bool all_set = true;

	fx_init(&fx, 1000);
	for (size_t w = 0; w < fx.words; w++) {
		all_set = all_set && fx.bitmap[w] == ~0ull;
	}
	UNIT_ASSERT(all_set);
	UNIT_ASSERT(stats_match(&fx));
	UNIT_ASSERT(frames_match(&fx));
	UNIT_EQ(pmm_core_alloc(&fx.pmm, 1, 1, &pfn), -ENOMEM);
	UNIT_EQ(pmm_core_alloc(&fx.pmm, 4, 4, &pfn), -ENOMEM);
	UNIT_ASSERT(!pmm_core_is_free(&fx.pmm, 1000));
	fx_fini(&fx);
}

UNIT_TEST(pmm_add_counts_frames_once_and_clips_to_bitmap)
{
	struct fixture fx;
	struct pmm_stats st;

	fx_init(&fx, 1000);
	fx_add(&fx, 10, 20);
	pmm_core_stats(&fx.pmm, &st);
	UNIT_EQ(st.total_pages, 20);
	UNIT_EQ(st.free_pages, 20);
	UNIT_EQ(st.used_pages, 0);
	/* Overlaps [10, 30) by five frames. */
	fx_add(&fx, 25, 10);
	pmm_core_stats(&fx.pmm, &st);
	UNIT_EQ(st.total_pages, 25);
	/* Fully inside what is already there. */
	fx_add(&fx, 12, 3);
	pmm_core_stats(&fx.pmm, &st);
	UNIT_EQ(st.total_pages, 25);
	/* Runs past the end: only [990, 1000) counts. */
	fx_add(&fx, 990, 100);
	pmm_core_stats(&fx.pmm, &st);
	UNIT_EQ(st.total_pages, 35);
	/* Entirely past the end. */
	fx_add(&fx, 1000, 5);
	fx_add(&fx, 5000, 10);
	fx_add(&fx, 50, 0);
	UNIT_ASSERT(stats_match(&fx));
	UNIT_ASSERT(frames_match(&fx));
	UNIT_ASSERT(pmm_core_is_free(&fx.pmm, 10));
	UNIT_ASSERT(pmm_core_is_free(&fx.pmm, 34));
	UNIT_ASSERT(!pmm_core_is_free(&fx.pmm, 35));
	UNIT_ASSERT(!pmm_core_is_free(&fx.pmm, 9));
	UNIT_ASSERT(pmm_core_is_free(&fx.pmm, 999));
	fx_fini(&fx);
}

UNIT_TEST(pmm_add_with_huge_count_clips_instead_of_wrapping)
{
	struct fixture fx;
	struct pmm_stats st;

	fx_init(&fx, 300);
	/* pfn + n overflows; the range still means "to the end". */
	pmm_core_add(&fx.pmm, 100, SIZE_MAX);
	pmm_core_stats(&fx.pmm, &st);
	UNIT_EQ(st.total_pages, 200);
	UNIT_EQ(st.free_pages, 200);
	pmm_core_reserve(&fx.pmm, 250, SIZE_MAX - 10);
	pmm_core_stats(&fx.pmm, &st);
	UNIT_EQ(st.total_pages, 150);
	UNIT_ASSERT(pmm_core_is_free(&fx.pmm, 249));
	UNIT_ASSERT(!pmm_core_is_free(&fx.pmm, 250));
	UNIT_ASSERT(!pmm_core_is_free(&fx.pmm, 299));
	/* A start beyond the bitmap is ignored, whatever the count. */
	pmm_core_add(&fx.pmm, (pfn_t)-2, 5);
	pmm_core_reserve(&fx.pmm, (pfn_t)-2, 5);
	pmm_core_stats(&fx.pmm, &st);
	UNIT_EQ(st.total_pages, 150);
	UNIT_ASSERT(!pmm_core_is_free(&fx.pmm, 0));
	UNIT_ASSERT(!pmm_core_is_free(&fx.pmm, 2));
	fx_fini(&fx);
}

UNIT_TEST(pmm_reserve_takes_frames_out_once)
{
	struct fixture fx;
	struct pmm_stats st;
	pfn_t pfn;

	fx_init(&fx, 300);
	fx_add(&fx, 0, 100);
	fx_reserve(&fx, 10, 10);
	pmm_core_stats(&fx.pmm, &st);
	UNIT_EQ(st.total_pages, 90);
	UNIT_EQ(st.free_pages, 90);
	/* Overlaps the first reserve by five frames. */
	fx_reserve(&fx, 15, 15);
	pmm_core_stats(&fx.pmm, &st);
	UNIT_EQ(st.total_pages, 80);
	UNIT_EQ(st.free_pages, 80);
	/* Not RAM at all: nothing changes. */
	fx_reserve(&fx, 200, 50);
	/* Partly RAM, partly past the end of RAM and of the bitmap. */
	fx_reserve(&fx, 95, 1000);
	pmm_core_stats(&fx.pmm, &st);
	UNIT_EQ(st.total_pages, 75);
	UNIT_EQ(st.used_pages, 0);
	UNIT_ASSERT(stats_match(&fx));
	UNIT_ASSERT(frames_match(&fx));
	/* Reserved frames are never handed out. */
	for (size_t i = 0; i < 75; i++) {
		UNIT_EQ(fx_alloc(&fx, 1, 1, &pfn), 0);
		UNIT_ASSERT(pfn < 10 || (pfn >= 30 && pfn < 95));
	}
	UNIT_EQ(fx_alloc(&fx, 1, 1, &pfn), -ENOMEM);
	UNIT_ASSERT(stats_match(&fx));
	fx_fini(&fx);
}

UNIT_TEST(pmm_alloc_every_frame_then_enomem_then_free_all)
{
	struct fixture fx;
	const size_t nframes = 777;
	pfn_t *got = test_alloc(nframes * sizeof(*got));
	uint8_t *seen = test_alloc(nframes);
	size_t count = 0;
	pfn_t pfn;

	fx_init(&fx, nframes);
	fx_add(&fx, 0, 100);
	fx_add(&fx, 130, 300);
	fx_add(&fx, 500, 277);
	fx_reserve(&fx, 0, 3);
	UNIT_ASSERT(stats_match(&fx));
	for (;;) {
		int err = fx_alloc(&fx, 1, 1, &pfn);

		if (err == -ENOMEM) {
			break;
		}
		UNIT_EQ(err, 0);
		UNIT_ASSERT(!seen[pfn]);
		seen[pfn] = 1;
		got[count++] = pfn;
		UNIT_ASSERT(stats_match(&fx));
	}
	UNIT_EQ(count, 97 + 300 + 277);
	UNIT_EQ(fx.m.free, 0);
	UNIT_EQ(fx_alloc(&fx, 1, 1, &pfn), -ENOMEM);
	UNIT_EQ(fx_alloc(&fx, 2, 1, &pfn), -ENOMEM);
	UNIT_ASSERT(frames_match(&fx));

	/* Free in a shuffled order. */
	rng_seed(7);
	for (size_t i = count; i > 1; i--) {
		size_t j = rng_below(i);
		pfn_t t = got[i - 1];

		got[i - 1] = got[j];
		got[j] = t;
	}
	for (size_t i = 0; i < count; i++) {
		UNIT_EQ(pmm_core_free(&fx.pmm, got[i], 1), 0);
		model_free(&fx.m, got[i], 1);
		UNIT_ASSERT(stats_match(&fx));
	}
	UNIT_EQ(fx.m.free, fx.m.total);
	UNIT_ASSERT(frames_match(&fx));

	/* No leak: exactly as many frames can be taken again. */
	memset(seen, 0, nframes);
	for (size_t i = 0; i < count; i++) {
		UNIT_EQ(fx_alloc(&fx, 1, 1, &pfn), 0);
		UNIT_ASSERT(!seen[pfn]);
		seen[pfn] = 1;
	}
	UNIT_EQ(fx_alloc(&fx, 1, 1, &pfn), -ENOMEM);
	test_free(got);
	test_free(seen);
	fx_fini(&fx);
}

UNIT_TEST(pmm_contiguous_runs_are_aligned_free_and_disjoint)
{
	static const size_t sizes[] = {1, 2, 3, 5, 8, 13, 16, 31, 64, 65, 100};
	static const size_t aligns[] = {1, 2, 4, 8, 16, 64, 128};
	struct fixture fx;
	pfn_t pfn;
	size_t runs = 0;

	fx_init(&fx, 8000);
	fx_add(&fx, 3, 7990);
	fx_reserve(&fx, 1000, 17);
	fx_reserve(&fx, 4097, 1);
	/* fx_alloc() checks alignment, range and that each frame was free. */
	for (size_t k = 0; k < 4; k++) {
		for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
			for (size_t j = 0; j < ARRAY_SIZE(aligns); j++) {
				int err = fx_alloc(&fx, sizes[i], aligns[j],
						   &pfn);

				if (err == -ENOMEM) {
					UNIT_ASSERT(!model_has_run(
						&fx.m, sizes[i], aligns[j]));
					continue;
				}
				UNIT_EQ(err, 0);
				runs++;
				UNIT_ASSERT(stats_match(&fx));
			}
		}
	}
	UNIT_ASSERT(runs > 100);
	UNIT_ASSERT(frames_match(&fx));
	fx_fini(&fx);
}

UNIT_TEST(pmm_run_lands_in_the_only_hole_that_fits)
{
	struct fixture fx;
	pfn_t pfn;
	pfn_t all;

	fx_init(&fx, 512);
	fx_add(&fx, 0, 512);
	UNIT_EQ(fx_alloc(&fx, 512, 1, &all), 0);
	UNIT_EQ(all, 0);
	/* Holes of 5, 7 and 12 frames. */
	UNIT_EQ(pmm_core_free(&fx.pmm, 3, 5), 0);
	model_free(&fx.m, 3, 5);
	UNIT_EQ(pmm_core_free(&fx.pmm, 65, 7), 0);
	model_free(&fx.m, 65, 7);
	UNIT_EQ(pmm_core_free(&fx.pmm, 203, 12), 0);
	model_free(&fx.m, 203, 12);
	UNIT_ASSERT(stats_match(&fx));

	/* Only the 12-frame hole takes 10 frames. */
	UNIT_EQ(fx_alloc(&fx, 10, 1, &pfn), 0);
	UNIT_EQ(pfn, 203);
	/* Now nothing has room for 8; 14 free frames remain in pieces. */
	UNIT_EQ(fx.m.free, 14);
	UNIT_EQ(fx_alloc(&fx, 8, 1, &pfn), -ENOMEM);
	UNIT_EQ(fx_alloc(&fx, 6, 1, &pfn), 0);
	UNIT_EQ(pfn, 65);
	UNIT_ASSERT(stats_match(&fx));
	UNIT_ASSERT(frames_match(&fx));
	fx_fini(&fx);

	/* Alignment decides: only one hole holds an 8-aligned run of 4. */
	fx_init(&fx, 512);
	fx_add(&fx, 0, 512);
	UNIT_EQ(fx_alloc(&fx, 512, 1, &all), 0);
	UNIT_EQ(pmm_core_free(&fx.pmm, 3, 5), 0); /* 3..7 */
	model_free(&fx.m, 3, 5);
	UNIT_EQ(pmm_core_free(&fx.pmm, 65, 7), 0); /* 65..71 */
	model_free(&fx.m, 65, 7);
	UNIT_EQ(pmm_core_free(&fx.pmm, 203, 12), 0); /* 203..214 */
	model_free(&fx.m, 203, 12);
	UNIT_EQ(fx_alloc(&fx, 4, 8, &pfn), 0);
	UNIT_EQ(pfn, 208);
	UNIT_EQ(fx_alloc(&fx, 4, 8, &pfn), -ENOMEM);
	/* 4-aligned runs of 4 are left at 4, 68 and 204, nowhere else. */
	for (int i = 0; i < 3; i++) {
		UNIT_EQ(fx_alloc(&fx, 4, 4, &pfn), 0);
		UNIT_ASSERT(pfn == 4 || pfn == 68 || pfn == 204);
	}
	UNIT_EQ(fx_alloc(&fx, 4, 4, &pfn), -ENOMEM);
	UNIT_ASSERT(stats_match(&fx));
	UNIT_ASSERT(frames_match(&fx));
	fx_fini(&fx);
}

UNIT_TEST(pmm_run_right_after_a_full_word_is_found)
{
	struct fixture fx;
	pfn_t all;
	pfn_t pfn;

	fx_init(&fx, 256);
	fx_add(&fx, 0, 256);
	UNIT_EQ(fx_alloc(&fx, 256, 1, &all), 0);
	/* Words 0 and 1 stay full; the only hole starts at a word edge. */
	UNIT_EQ(pmm_core_free(&fx.pmm, 128, 10), 0);
	model_free(&fx.m, 128, 10);
	UNIT_EQ(fx_alloc(&fx, 10, 1, &pfn), 0);
	UNIT_EQ(pfn, 128);
	/* A whole free word after a full one, taken as one aligned run. */
	UNIT_EQ(pmm_core_free(&fx.pmm, 192, 64), 0);
	model_free(&fx.m, 192, 64);
	UNIT_EQ(fx_alloc(&fx, 64, 64, &pfn), 0);
	UNIT_EQ(pfn, 192);
	/* And single frames at a word edge. */
	UNIT_EQ(pmm_core_free(&fx.pmm, 64, 1), 0);
	model_free(&fx.m, 64, 1);
	UNIT_EQ(fx_alloc(&fx, 1, 2, &pfn), 0);
	UNIT_EQ(pfn, 64);
	UNIT_ASSERT(stats_match(&fx));
	UNIT_ASSERT(frames_match(&fx));
	fx_fini(&fx);
}

UNIT_TEST(pmm_double_free_is_rejected_and_changes_nothing)
{
	struct fixture fx;
	pfn_t a;
	pfn_t b;

	fx_init(&fx, 200);
	fx_add(&fx, 0, 200);
	UNIT_EQ(fx_alloc(&fx, 4, 1, &a), 0);
	UNIT_EQ(fx_alloc(&fx, 4, 1, &b), 0);
	UNIT_EQ(pmm_core_free(&fx.pmm, a, 4), 0);
	model_free(&fx.m, a, 4);
	UNIT_ASSERT(stats_match(&fx));
	UNIT_EQ(pmm_core_free(&fx.pmm, a, 4), -EINVAL);
	UNIT_EQ(pmm_core_free(&fx.pmm, a + 3, 1), -EINVAL);
	/* Half used, half free: the used half must stay used. */
	UNIT_EQ(pmm_core_free(&fx.pmm, b - 2, 4), -EINVAL);
	UNIT_EQ(pmm_core_free(&fx.pmm, b + 2, 4), -EINVAL);
	UNIT_ASSERT(stats_match(&fx));
	UNIT_ASSERT(frames_match(&fx));
	/* The single-frame case. */
	UNIT_EQ(pmm_core_free(&fx.pmm, b, 1), 0);
	model_free(&fx.m, b, 1);
	UNIT_EQ(pmm_core_free(&fx.pmm, b, 1), -EINVAL);
	UNIT_ASSERT(stats_match(&fx));
	UNIT_ASSERT(frames_match(&fx));
	fx_fini(&fx);
}

UNIT_TEST(pmm_free_out_of_range_is_rejected)
{
	struct fixture fx;
	pfn_t pfn;

	fx_init(&fx, 130);
	fx_add(&fx, 0, 130);
	UNIT_EQ(fx_alloc(&fx, 130, 1, &pfn), 0);
	UNIT_EQ(pmm_core_free(&fx.pmm, 130, 1), -EINVAL);
	UNIT_EQ(pmm_core_free(&fx.pmm, 129, 2), -EINVAL);
	UNIT_EQ(pmm_core_free(&fx.pmm, 0, 131), -EINVAL);
	UNIT_EQ(pmm_core_free(&fx.pmm, 1, SIZE_MAX), -EINVAL);
	UNIT_EQ(pmm_core_free(&fx.pmm, (pfn_t)-2, 4), -EINVAL);
	UNIT_EQ(pmm_core_free(&fx.pmm, (pfn_t)1 << 40, 1), -EINVAL);
	UNIT_ASSERT(stats_match(&fx));
	UNIT_ASSERT(frames_match(&fx));
	/* The last frame itself is in range. */
	UNIT_EQ(pmm_core_free(&fx.pmm, 129, 1), 0);
	model_free(&fx.m, 129, 1);
	UNIT_ASSERT(stats_match(&fx));
	fx_fini(&fx);
}

UNIT_TEST(pmm_alloc_rejects_zero_count_and_bad_alignment)
{
	static const size_t bad_aligns[] = {0, 3, 5, 6, 12, 100, (size_t)-1};
	struct fixture fx;
	pfn_t pfn = 12345;

	fx_init(&fx, 256);
	fx_add(&fx, 0, 256);
	UNIT_EQ(pmm_core_alloc(&fx.pmm, 0, 1, &pfn), -EINVAL);
	UNIT_EQ(pmm_core_alloc(&fx.pmm, 0, 8, &pfn), -EINVAL);
	for (size_t i = 0; i < ARRAY_SIZE(bad_aligns); i++) {
		UNIT_EQ(pmm_core_alloc(&fx.pmm, 1, bad_aligns[i], &pfn),
			-EINVAL);
		UNIT_EQ(pmm_core_alloc(&fx.pmm, 4, bad_aligns[i], &pfn),
			-EINVAL);
	}
	UNIT_EQ(pmm_core_alloc(&fx.pmm, 257, 1, &pfn), -ENOMEM);
	UNIT_EQ(pmm_core_alloc(&fx.pmm, SIZE_MAX, 1, &pfn), -ENOMEM);
	UNIT_EQ(pfn, 12345);
	UNIT_ASSERT(stats_match(&fx));
	UNIT_ASSERT(frames_match(&fx));

	/* A huge alignment only fits frame 0, once. */
	UNIT_EQ(fx_alloc(&fx, 1, (size_t)1 << 62, &pfn), 0);
	UNIT_EQ(pfn, 0);
	UNIT_EQ(fx_alloc(&fx, 1, (size_t)1 << 62, &pfn), -ENOMEM);
	UNIT_EQ(fx_alloc(&fx, 2, (size_t)1 << 63, &pfn), -ENOMEM);
	UNIT_EQ(fx_alloc(&fx, 2, 256, &pfn), -ENOMEM);
	UNIT_EQ(fx_alloc(&fx, 2, 128, &pfn), 0);
	UNIT_EQ(pfn, 128);
	UNIT_ASSERT(stats_match(&fx));
	fx_fini(&fx);
}

UNIT_TEST(pmm_bitmap_sizes_not_multiple_of_64)
{
	static const size_t sizes[] = {1,   2,	 63,  64,  65,
				       127, 129, 191, 200, 1001};

	for (size_t k = 0; k < ARRAY_SIZE(sizes); k++) {
		size_t n = sizes[k];
		struct fixture fx;
		size_t count = 0;
		pfn_t pfn;

		fx_init(&fx, n);
		fx_add(&fx, 0, n + 64);
		UNIT_EQ(fx.m.total, n);
		UNIT_ASSERT(stats_match(&fx));
		/* The whole bitmap as one run, and not one frame more. */
		UNIT_EQ(fx_alloc(&fx, n + 1, 1, &pfn), -ENOMEM);
		UNIT_EQ(fx_alloc(&fx, n, 1, &pfn), 0);
		UNIT_EQ(pfn, 0);
		UNIT_EQ(pmm_core_free(&fx.pmm, 0, n), 0);
		model_free(&fx.m, 0, n);
		/* Frames one by one; none past the end. */
		while (fx_alloc(&fx, 1, 1, &pfn) == 0) {
			UNIT_ASSERT(pfn < n);
			count++;
		}
		UNIT_EQ(count, n);
		UNIT_ASSERT(stats_match(&fx));
		UNIT_ASSERT(!pmm_core_is_free(&fx.pmm, n));
		UNIT_EQ(pmm_core_free(&fx.pmm, n - 1, 1), 0);
		model_free(&fx.m, n - 1, 1);
		UNIT_EQ(pmm_core_free(&fx.pmm, n - 1, 2), -EINVAL);
		UNIT_EQ(fx_alloc(&fx, 1, 1, &pfn), 0);
		UNIT_EQ(pfn, n - 1);
		UNIT_ASSERT(frames_match(&fx));
		fx_fini(&fx);
	}
}

struct live_run {
	pfn_t pfn;
	size_t n;
};

UNIT_TEST(pmm_random_stress_matches_reference_model)
{
	const size_t nframes = 3001;
	const size_t max_live = 4096;
	struct live_run *live = test_alloc(max_live * sizeof(*live));
	size_t nlive = 0;
	size_t allocs = 0;
	size_t fails = 0;
	struct fixture fx;

	rng_seed(0xc0d0c0d0ull);
	fx_init(&fx, nframes);
	/* A memory map with holes. */
	for (size_t s = 0; s < nframes;) {
		size_t len = 1 + rng_below(300);

		if (rng_below(4) != 0) {
			fx_add(&fx, s, len);
		}
		s += len + rng_below(40);
	}
	fx_reserve(&fx, 0, 5);
	fx_reserve(&fx, 1500, 33);
	UNIT_ASSERT(stats_match(&fx));

	for (int op = 0; op < 60000; op++) {
		unsigned int what = (unsigned int)rng_below(100);
		pfn_t pfn;

		if (what < 55 && nlive < max_live) {
			size_t n = 1;
			size_t align = 1;
			int err;

			if (rng_below(3) == 0) {
				n = 1 + rng_below(24);
				align = (size_t)1 << rng_below(6);
			}
			err = fx_alloc(&fx, n, align, &pfn);
			if (err == -ENOMEM) {
				UNIT_ASSERT(!model_has_run(&fx.m, n, align));
				fails++;
			} else {
				UNIT_EQ(err, 0);
				live[nlive].pfn = pfn;
				live[nlive].n = n;
				nlive++;
				allocs++;
			}
		} else if (what < 95 && nlive > 0) {
			size_t i = rng_below(nlive);

			UNIT_EQ(pmm_core_free(&fx.pmm, live[i].pfn, live[i].n),
				0);
			model_free(&fx.m, live[i].pfn, live[i].n);
			live[i] = live[--nlive];
		} else {
			/*
			 * A double free: the run starts at a free RAM frame.
			 * (The bitmap cannot tell allocated frames from
			 * frames that are not RAM, so those are not tried.)
			 */
			size_t f = rng_below(nframes);
			size_t n = 1 + rng_below(8);

			if (fx.m.state[f] != M_FREE || n > nframes - f) {
				continue;
			}
			UNIT_EQ(pmm_core_free(&fx.pmm, f, n), -EINVAL);
		}
		UNIT_ASSERT(stats_match(&fx));
		if (op % 2000 == 0) {
			UNIT_ASSERT(frames_match(&fx));
		}
	}
	UNIT_ASSERT(allocs > 10000);
	UNIT_ASSERT(fails > 100);
	UNIT_ASSERT(frames_match(&fx));
	while (nlive > 0) {
		nlive--;
		UNIT_EQ(pmm_core_free(&fx.pmm, live[nlive].pfn, live[nlive].n),
			0);
		model_free(&fx.m, live[nlive].pfn, live[nlive].n);
	}
	UNIT_ASSERT(stats_match(&fx));
	UNIT_EQ(fx.m.free, fx.m.total);
	UNIT_ASSERT(frames_match(&fx));
	test_free(live);
	fx_fini(&fx);
}
