// SPDX-License-Identifier: MIT
/*
 * Host tests for the heap core in kernel/heap.c, run over a page provider
 * built on aligned_alloc() that records every region it hands out, checks
 * each page free against those records and can be told to fail. Covered:
 * every size from 1 to 5000, size-class rounding, pages going back to the
 * provider, rejected double, foreign and interior frees, provider failure,
 * zero and absurd sizes, and a seeded random stress run that writes a
 * per-object pattern and verifies it before each free.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "abi/errno.h"
#include "heap.h"
#include "unit.h"

/* The provider refuses bigger requests instead of asking libc for them. */
#define PROV_MAX_PAGES 1024
#define PROV_MAX_REGIONS 8192
/* Quarantined regions beyond this many are really freed, oldest first. */
#define PROV_QUARANTINE 256

enum region_state {
	R_UNUSED = 0,
	R_LIVE,
	R_QUARANTINED, /* freed by the heap, kept readable */
};

struct region {
	uint8_t *p;
	size_t n;
	enum region_state state;
	uint64_t sum; /* content hash when quarantined */
};

/* Page provider state; reset by prov_reset() at the start of every test. */
static struct {
	struct region r[PROV_MAX_REGIONS];
	size_t live_pages;
	size_t alloc_calls;
	size_t free_calls;
	size_t errors;	 /* frees of unknown regions or wrong sizes */
	bool fail;	 /* refuse every request */
	bool quarantine; /* keep freed regions readable */
	size_t fifo[PROV_QUARANTINE]; /* quarantined region indices */
	size_t fifo_head;
	size_t fifo_len;
} prov;

/* FNV-1a over a region's bytes. */
static uint64_t region_sum(const struct region *r)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (size_t i = 0; i < r->n * HEAP_PAGE_SIZE; i++) {
		h = (h ^ r->p[i]) * 0x100000001b3ull;
	}
	return h;
}

/*
 * Moves region @i to quarantine, releasing the oldest one if it is full.
 * The bytes stay as the heap left them (in the kernel a freed page keeps
 * its contents until reused); a write after the free shows up as a
 * changed hash.
 */
static void quarantine(size_t i)
{
	if (prov.fifo_len == PROV_QUARANTINE) {
		size_t old = prov.fifo[prov.fifo_head];

		if (region_sum(&prov.r[old]) != prov.r[old].sum) {
			prov.errors++;
		}
		free(prov.r[old].p);
		prov.r[old] = (struct region){0};
		prov.fifo_head = (prov.fifo_head + 1) % PROV_QUARANTINE;
		prov.fifo_len--;
	}
	prov.r[i].state = R_QUARANTINED;
	prov.r[i].sum = region_sum(&prov.r[i]);
	prov.fifo[(prov.fifo_head + prov.fifo_len) % PROV_QUARANTINE] = i;
	prov.fifo_len++;
}

static void *prov_alloc(size_t n)
{
	uint8_t *p;

	prov.alloc_calls++;
	if (prov.fail || n == 0 || n > PROV_MAX_PAGES) {
		return NULL;
	}
	for (size_t i = 0; i < PROV_MAX_REGIONS; i++) {
		if (prov.r[i].state != R_UNUSED) {
			continue;
		}
		p = aligned_alloc(HEAP_PAGE_SIZE, n * HEAP_PAGE_SIZE);
		if (!p) {
			return NULL;
		}
		/* Garbage, so the heap cannot rely on zeroed pages. */
		memset(p, 0xa5, n * HEAP_PAGE_SIZE);
		prov.r[i] = (struct region){.p = p, .n = n, .state = R_LIVE};
		prov.live_pages += n;
		return p;
	}
	return NULL;
}

static void prov_free(void *p, size_t n)
{
	prov.free_calls++;
	for (size_t i = 0; i < PROV_MAX_REGIONS; i++) {
		struct region *r = &prov.r[i];

		if (r->state != R_LIVE || r->p != p) {
			continue;
		}
		if (r->n != n) {
			prov.errors++;
			return;
		}
		prov.live_pages -= n;
		if (prov.quarantine) {
			quarantine(i);
		} else {
			free(r->p);
			*r = (struct region){0};
		}
		return;
	}
	prov.errors++;
}

static const struct heap_page_ops prov_ops = {
	.alloc = prov_alloc,
	.free = prov_free,
};

/* Releases every region still held, live or quarantined. */
static void prov_reset(void)
{
	for (size_t i = 0; i < PROV_MAX_REGIONS; i++) {
		free(prov.r[i].p);
	}
	memset(&prov, 0, sizeof(prov));
}

/* Region (live or quarantined) that contains @p, or NULL. */
static struct region *prov_find(const void *p)
{
	for (size_t i = 0; i < PROV_MAX_REGIONS; i++) {
		struct region *r = &prov.r[i];

		if (r->state != R_UNUSED && (const uint8_t *)p >= r->p &&
		    (const uint8_t *)p < r->p + r->n * HEAP_PAGE_SIZE) {
			return r;
		}
	}
	return NULL;
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

/* What heap_core_size() must report for a request of @size bytes. */
static size_t expected_usable(size_t size)
{
	size_t c = (size_t)1 << HEAP_MIN_SHIFT;
	size_t pages;

	if (size <= HEAP_SLAB_MAX) {
		while (c < size) {
			c <<= 1;
		}
		return c;
	}
	pages = (size + HEAP_HDR_SIZE + HEAP_PAGE_SIZE - 1) / HEAP_PAGE_SIZE;
	return pages * HEAP_PAGE_SIZE - HEAP_HDR_SIZE;
}

static unsigned int class_of(size_t size)
{
	unsigned int cls = 0;

	while (((size_t)1 << (HEAP_MIN_SHIFT + cls)) < size) {
		cls++;
	}
	return cls;
}

/* Objects in one slab page of class @cls. */
static size_t slab_objects(unsigned int cls)
{
	return (HEAP_PAGE_SIZE - HEAP_HDR_SIZE) >> (HEAP_MIN_SHIFT + cls);
}

static bool stats_equal(const struct heap_stats *a, const struct heap_stats *b)
{
	return memcmp(a, b, sizeof(*a)) == 0;
}

static bool heap_is_empty(struct heap *h)
{
	struct heap_stats st;
	struct heap_stats zero = {0};

	for (size_t i = 0; i < PROV_MAX_REGIONS; i++) {
		const struct region *r = &prov.r[i];

		if (r->state == R_QUARANTINED && region_sum(r) != r->sum) {
			prov.errors++;
		}
	}
	heap_core_stats(h, &st);
	return stats_equal(&st, &zero) && prov.live_pages == 0 &&
	       prov.errors == 0;
}

/* Byte @i of the pattern for object number @id. */
static uint8_t pattern(uint64_t id, size_t i)
{
	uint64_t x = id * 0x9e3779b97f4a7c15ull + i * 0x2545f4914f6cdd1dull;

	return (uint8_t)(x >> 56);
}

static void fill(uint8_t *p, size_t n, uint64_t id)
{
	for (size_t i = 0; i < n; i++) {
		p[i] = pattern(id, i);
	}
}

static bool check(const uint8_t *p, size_t n, uint64_t id)
{
	for (size_t i = 0; i < n; i++) {
		if (p[i] != pattern(id, i)) {
			return false;
		}
	}
	return true;
}

struct obj {
	uint8_t *p;
	size_t usable;
	uint64_t id;
};

static int cmp_obj_addr(const void *a, const void *b)
{
	const struct obj *x = a;
	const struct obj *y = b;

	return (x->p > y->p) - (x->p < y->p);
}

/* Object table shared by the tests; reachable, so no leak reports. */
static struct obj objs[6000];

UNIT_TEST(heap_every_size_1_to_5000_is_distinct_writable_and_big_enough)
{
	const size_t count = 5000;
	struct heap h;
	struct heap_stats st;
	size_t bytes = 0;

	prov_reset();
	heap_core_init(&h, &prov_ops);
	for (size_t size = 1; size <= count; size++) {
		struct obj *o = &objs[size - 1];

		o->p = heap_core_alloc(&h, size);
		UNIT_ASSERT(o->p != NULL);
		UNIT_EQ((uintptr_t)o->p % 16, 0);
		o->usable = heap_core_size(&h, o->p);
		UNIT_ASSERT(o->usable >= size);
		UNIT_ASSERT(prov_find(o->p) != NULL);
		UNIT_ASSERT(prov_find(o->p + o->usable - 1) == prov_find(o->p));
		o->id = size;
		fill(o->p, o->usable, o->id);
		bytes += o->usable;
	}
	heap_core_stats(&h, &st);
	UNIT_EQ(st.allocs, count);
	UNIT_EQ(st.bytes_in_use, bytes);
	UNIT_EQ(st.pages, prov.live_pages);
	/* Every pattern survived all later allocations. */
	for (size_t i = 0; i < count; i++) {
		UNIT_ASSERT(check(objs[i].p, objs[i].usable, objs[i].id));
	}
	/* Sorted by address, no object runs into the next. */
	qsort(objs, count, sizeof(objs[0]), cmp_obj_addr);
	for (size_t i = 0; i + 1 < count; i++) {
		UNIT_ASSERT(objs[i].p + objs[i].usable <= objs[i + 1].p);
	}
	for (size_t i = 0; i < count; i++) {
		UNIT_EQ(heap_core_free(&h, objs[i].p), 0);
	}
	UNIT_ASSERT(heap_is_empty(&h));
	UNIT_EQ(prov.alloc_calls, prov.free_calls);
	prov_reset();
}

UNIT_TEST(heap_sizes_round_up_to_their_class_or_pages)
{
	static const size_t sizes[] = {
		1,    2,    15,	  16,	17,   31,   32,	   33,	   63,
		64,   65,   100,  127,	128,  129,  255,   256,	   257,
		511,  512,  513,  1000, 1023, 1024, 1025,  2048,   4000,
		4031, 4032, 4033, 8000, 8128, 8129, 65536, 100000,
	};
	struct heap h;

	prov_reset();
	heap_core_init(&h, &prov_ops);
	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
		struct heap_stats before;
		struct heap_stats after;
		size_t want = expected_usable(sizes[i]);
		size_t pages_before = prov.live_pages;
		void *p;

		heap_core_stats(&h, &before);
		p = heap_core_alloc(&h, sizes[i]);
		UNIT_ASSERT(p != NULL);
		heap_core_stats(&h, &after);
		UNIT_EQ(heap_core_size(&h, p), want);
		UNIT_EQ(after.bytes_in_use - before.bytes_in_use, want);
		UNIT_EQ(after.allocs, before.allocs + 1);
		UNIT_EQ(after.pages, prov.live_pages);
		if (sizes[i] <= HEAP_SLAB_MAX) {
			unsigned int cls = class_of(sizes[i]);

			/* The heap is empty before each alloc: one new slab. */
			UNIT_EQ(after.slabs[cls], 1);
			UNIT_EQ(prov.live_pages - pages_before, 1);
		} else {
			UNIT_EQ(prov.live_pages - pages_before,
				(want + HEAP_HDR_SIZE) / HEAP_PAGE_SIZE);
		}
		UNIT_EQ(heap_core_free(&h, p), 0);
		UNIT_ASSERT(heap_is_empty(&h));
	}
	/* Spot values, independent of expected_usable(). */
	{
		void *a = heap_core_alloc(&h, 17);
		void *b = heap_core_alloc(&h, 1024);
		void *c = heap_core_alloc(&h, 1025);
		void *d = heap_core_alloc(&h, 4033);

		UNIT_EQ(heap_core_size(&h, a), 32);
		UNIT_EQ(heap_core_size(&h, b), 1024);
		UNIT_EQ(heap_core_size(&h, c), 4032);
		UNIT_EQ(heap_core_size(&h, d), 8128);
		UNIT_EQ(heap_core_free(&h, a), 0);
		UNIT_EQ(heap_core_free(&h, b), 0);
		UNIT_EQ(heap_core_free(&h, c), 0);
		UNIT_EQ(heap_core_free(&h, d), 0);
	}
	UNIT_ASSERT(heap_is_empty(&h));
	prov_reset();
}

UNIT_TEST(heap_slab_fills_its_page_before_taking_another)
{
	struct heap h;
	struct heap_stats st;

	prov_reset();
	heap_core_init(&h, &prov_ops);
	for (unsigned int cls = 0; cls < HEAP_NCLASSES; cls++) {
		size_t size = (size_t)1 << (HEAP_MIN_SHIFT + cls);
		size_t per = slab_objects(cls);
		uint8_t *first = NULL;

		for (size_t i = 0; i < per; i++) {
			uint8_t *p = heap_core_alloc(&h, size);

			UNIT_ASSERT(p != NULL);
			if (!first) {
				first = p;
			}
			/* All in the first slab's page. */
			UNIT_ASSERT(prov_find(p) == prov_find(first));
			objs[i].p = p;
		}
		heap_core_stats(&h, &st);
		UNIT_EQ(st.slabs[cls], 1);
		UNIT_EQ(st.pages, 1);
		objs[per].p = heap_core_alloc(&h, size);
		UNIT_ASSERT(objs[per].p != NULL);
		UNIT_ASSERT(prov_find(objs[per].p) != prov_find(first));
		heap_core_stats(&h, &st);
		UNIT_EQ(st.slabs[cls], 2);
		UNIT_EQ(st.pages, 2);
		for (size_t i = 0; i <= per; i++) {
			UNIT_EQ(heap_core_free(&h, objs[i].p), 0);
		}
		UNIT_ASSERT(heap_is_empty(&h));
	}
	prov_reset();
}

UNIT_TEST(heap_freeing_everything_returns_every_page)
{
	const size_t count = 3000;
	struct heap h;
	struct heap_stats st;

	prov_reset();
	rng_seed(11);
	heap_core_init(&h, &prov_ops);
	for (int round = 0; round < 3; round++) {
		for (size_t i = 0; i < count; i++) {
			size_t size = 1 + rng_below(rng_below(8) ? 1024 : 9000);

			objs[i].p = heap_core_alloc(&h, size);
			UNIT_ASSERT(objs[i].p != NULL);
		}
		heap_core_stats(&h, &st);
		UNIT_EQ(st.allocs, count);
		UNIT_EQ(st.pages, prov.live_pages);
		UNIT_ASSERT(st.pages > 0);
		/* Free in a shuffled order so slabs empty in any order. */
		for (size_t i = count; i > 1; i--) {
			size_t j = rng_below(i);
			uint8_t *t = objs[i - 1].p;

			objs[i - 1].p = objs[j].p;
			objs[j].p = t;
		}
		for (size_t i = 0; i < count; i++) {
			UNIT_EQ(heap_core_free(&h, objs[i].p), 0);
			heap_core_stats(&h, &st);
			UNIT_EQ(st.pages, prov.live_pages);
		}
		UNIT_ASSERT(heap_is_empty(&h));
	}
	UNIT_EQ(prov.alloc_calls, prov.free_calls);
	prov_reset();
}

UNIT_TEST(heap_double_free_is_rejected_and_changes_nothing)
{
	struct heap h;
	struct heap_stats before;
	struct heap_stats after;
	uint8_t *a;
	uint8_t *b;
	uint8_t *c;
	uint8_t *big;
	size_t frees;

	prov_reset();
	prov.quarantine = true;
	heap_core_init(&h, &prov_ops);

	/* Slab object, slab still alive thanks to b. */
	a = heap_core_alloc(&h, 40);
	b = heap_core_alloc(&h, 40);
	UNIT_ASSERT(a && b);
	UNIT_EQ(heap_core_free(&h, a), 0);
	heap_core_stats(&h, &before);
	UNIT_EQ(heap_core_free(&h, a), -EINVAL);
	UNIT_EQ(heap_core_size(&h, a), 0);
	heap_core_stats(&h, &after);
	UNIT_ASSERT(stats_equal(&before, &after));
	/* Had the double free gone through, a would come back twice. */
	a = heap_core_alloc(&h, 40);
	c = heap_core_alloc(&h, 40);
	UNIT_ASSERT(a && c && a != c && a != b && c != b);
	UNIT_EQ(heap_core_free(&h, a), 0);
	UNIT_EQ(heap_core_free(&h, c), 0);

	/* The last object of a slab: its page went back (quarantined). */
	frees = prov.free_calls;
	UNIT_EQ(heap_core_free(&h, b), 0);
	UNIT_EQ(prov.free_calls, frees + 1);
	heap_core_stats(&h, &before);
	UNIT_EQ(heap_core_free(&h, b), -EINVAL);
	heap_core_stats(&h, &after);
	UNIT_ASSERT(stats_equal(&before, &after));
	UNIT_EQ(prov.free_calls, frees + 1);

	/* Large object. */
	big = heap_core_alloc(&h, 10000);
	UNIT_ASSERT(big != NULL);
	UNIT_EQ(heap_core_free(&h, big), 0);
	frees = prov.free_calls;
	heap_core_stats(&h, &before);
	UNIT_EQ(heap_core_free(&h, big), -EINVAL);
	UNIT_EQ(heap_core_size(&h, big), 0);
	heap_core_stats(&h, &after);
	UNIT_ASSERT(stats_equal(&before, &after));
	UNIT_EQ(prov.free_calls, frees);
	UNIT_ASSERT(heap_is_empty(&h));
	prov_reset();
}

UNIT_TEST(heap_foreign_and_interior_pointers_are_rejected)
{
	struct heap h;
	struct heap_stats before;
	struct heap_stats after;
	uint8_t *foreign = aligned_alloc(HEAP_PAGE_SIZE, 2 * HEAP_PAGE_SIZE);
	uint8_t *small;
	uint8_t *top;
	uint8_t *big;
	uint8_t *slab;
	uint8_t *bad[16];
	size_t nbad = 0;
	size_t frees;

	prov_reset();
	/* Keep the foreign page reachable for LeakSanitizer. */
	prov.r[PROV_MAX_REGIONS - 1].p = foreign;
	memset(foreign, 0, 2 * HEAP_PAGE_SIZE);
	heap_core_init(&h, &prov_ops);
	small = heap_core_alloc(&h, 100);
	top = heap_core_alloc(&h, 1024);
	big = heap_core_alloc(&h, 3 * HEAP_PAGE_SIZE);
	UNIT_ASSERT(small && top && big);
	memset(small, 0, 100);
	memset(big, 0, 3 * HEAP_PAGE_SIZE);
	slab = (uint8_t *)((uintptr_t)small & ~(uintptr_t)(HEAP_PAGE_SIZE - 1));

	bad[nbad++] = foreign; /* page-aligned */
	bad[nbad++] = foreign + 128;
	bad[nbad++] = foreign + HEAP_PAGE_SIZE + 64;
	bad[nbad++] = small + 1;
	bad[nbad++] = small + 64;  /* inside its 128-byte slot */
	bad[nbad++] = small + 128; /* a slot never handed out */
	bad[nbad++] = slab;	   /* the slab header */
	bad[nbad++] = slab + 8;
	bad[nbad++] = big - 8; /* inside the large header */
	bad[nbad++] = big + 1;
	bad[nbad++] = big + HEAP_PAGE_SIZE; /* a later page, zeros */
	bad[nbad++] = big + 2 * HEAP_PAGE_SIZE + 64;
	/* The 1024 class has 3 slots and slack at the end of the page. */
	bad[nbad++] =
		(uint8_t *)((uintptr_t)top & ~(uintptr_t)(HEAP_PAGE_SIZE - 1)) +
		HEAP_HDR_SIZE + 3 * 1024;
	bad[nbad++] = top + 512;

	heap_core_stats(&h, &before);
	frees = prov.free_calls;
	for (size_t i = 0; i < nbad; i++) {
		UNIT_EQ(heap_core_free(&h, bad[i]), -EINVAL);
		UNIT_EQ(heap_core_size(&h, bad[i]), 0);
	}
	heap_core_stats(&h, &after);
	UNIT_ASSERT(stats_equal(&before, &after));
	UNIT_EQ(prov.free_calls, frees);
	/* A NULL free is a no-op that succeeds. */
	UNIT_EQ(heap_core_free(&h, NULL), 0);
	UNIT_EQ(heap_core_size(&h, NULL), 0);
	heap_core_stats(&h, &after);
	UNIT_ASSERT(stats_equal(&before, &after));
	/* The real objects are untouched and still free normally. */
	UNIT_EQ(heap_core_size(&h, small), 128);
	UNIT_EQ(heap_core_free(&h, small), 0);
	UNIT_EQ(heap_core_free(&h, top), 0);
	UNIT_EQ(heap_core_free(&h, big), 0);
	UNIT_ASSERT(heap_is_empty(&h));
	prov_reset();
}

UNIT_TEST(heap_provider_failure_returns_null_and_keeps_state)
{
	const size_t per = slab_objects(class_of(64));
	struct heap h;
	struct heap_stats before;
	struct heap_stats after;
	uint8_t *p;

	prov_reset();
	heap_core_init(&h, &prov_ops);
	/* One full 64-byte slab, and a 256-byte slab with room. */
	for (size_t i = 0; i < per; i++) {
		objs[i].p = heap_core_alloc(&h, 64);
		UNIT_ASSERT(objs[i].p != NULL);
	}
	objs[per].p = heap_core_alloc(&h, 256);
	UNIT_ASSERT(objs[per].p != NULL);

	prov.fail = true;
	heap_core_stats(&h, &before);
	UNIT_ASSERT(heap_core_alloc(&h, 64) == NULL);
	UNIT_ASSERT(heap_core_alloc(&h, 16) == NULL);
	UNIT_ASSERT(heap_core_alloc(&h, 2000) == NULL);
	UNIT_ASSERT(heap_core_alloc(&h, 100000) == NULL);
	heap_core_stats(&h, &after);
	UNIT_ASSERT(stats_equal(&before, &after));
	/* A class with room needs no page. */
	p = heap_core_alloc(&h, 200);
	UNIT_ASSERT(p != NULL);
	UNIT_EQ(heap_core_free(&h, p), 0);

	prov.fail = false;
	p = heap_core_alloc(&h, 64);
	UNIT_ASSERT(p != NULL);
	objs[per + 1].p = p;
	for (size_t i = 0; i < per + 2; i++) {
		UNIT_EQ(heap_core_free(&h, objs[i].p), 0);
	}
	UNIT_ASSERT(heap_is_empty(&h));
	prov_reset();
}

UNIT_TEST(heap_zero_and_absurd_sizes_return_null)
{
	static const size_t absurd[] = {
		SIZE_MAX,
		SIZE_MAX - 1,
		SIZE_MAX - HEAP_HDR_SIZE,
		SIZE_MAX - HEAP_PAGE_SIZE,
		SIZE_MAX / 2,
		((size_t)1 << 40) + 1,
		(size_t)1 << 63,
	};
	struct heap h;
	struct heap_stats zero = {0};
	struct heap_stats st;

	prov_reset();
	heap_core_init(&h, &prov_ops);
	UNIT_ASSERT(heap_core_alloc(&h, 0) == NULL);
	for (size_t i = 0; i < ARRAY_SIZE(absurd); i++) {
		UNIT_ASSERT(heap_core_alloc(&h, absurd[i]) == NULL);
	}
	/* Those never reach the provider. */
	UNIT_EQ(prov.alloc_calls, 0);
	/* Big but representable: the provider says no. */
	UNIT_ASSERT(heap_core_alloc(&h, (size_t)1 << 39) == NULL);
	UNIT_EQ(prov.alloc_calls, 1);
	heap_core_stats(&h, &st);
	UNIT_ASSERT(stats_equal(&st, &zero));
	/* Still works afterwards. */
	objs[0].p = heap_core_alloc(&h, 1);
	UNIT_ASSERT(objs[0].p != NULL);
	UNIT_EQ(heap_core_free(&h, objs[0].p), 0);
	UNIT_ASSERT(heap_is_empty(&h));
	prov_reset();
}

UNIT_TEST(heap_random_stress_with_pattern_checks)
{
	const size_t max_live = 2000;
	struct heap h;
	struct heap_stats st;
	size_t nlive = 0;
	size_t bytes = 0;
	uint64_t next_id = 1;
	size_t rejected = 0;
	/* Recently freed pointers, for double-free attempts. */
	uint8_t *freed[64] = {0};
	size_t nfreed = 0;

	prov_reset();
	prov.quarantine = true;
	rng_seed(0x5eed5eedull);
	heap_core_init(&h, &prov_ops);
	for (int op = 0; op < 60000; op++) {
		unsigned int what = (unsigned int)rng_below(100);

		if (what < 52 && nlive < max_live) {
			size_t size;
			struct obj *o = &objs[nlive];

			switch (rng_below(10)) {
			case 0:
				size = 1025 + rng_below(20000);
				break;
			case 1:
			case 2:
				size = 1 + rng_below(16);
				break;
			default:
				size = 1 + rng_below(1024);
				break;
			}
			o->p = heap_core_alloc(&h, size);
			UNIT_ASSERT(o->p != NULL);
			o->usable = heap_core_size(&h, o->p);
			UNIT_EQ(o->usable, expected_usable(size));
			o->id = next_id++;
			fill(o->p, o->usable, o->id);
			bytes += o->usable;
			nlive++;
		} else if (what < 94 && nlive > 0) {
			size_t i = rng_below(nlive);
			struct obj *o = &objs[i];

			UNIT_ASSERT(check(o->p, o->usable, o->id));
			UNIT_EQ(heap_core_free(&h, o->p), 0);
			bytes -= o->usable;
			freed[nfreed++ % ARRAY_SIZE(freed)] = o->p;
			*o = objs[--nlive];
		} else if (what < 97 && nlive > 0) {
			/* An interior pointer of a live object. */
			struct obj *o = &objs[rng_below(nlive)];
			size_t off = 1 + rng_below(o->usable - 1);

			UNIT_EQ(heap_core_free(&h, o->p + off), -EINVAL);
			rejected++;
		} else {
			/*
			 * A double free, unless the slot was handed out again
			 * (then it is live and in objs[]).
			 */
			uint8_t *p = freed[rng_below(ARRAY_SIZE(freed))];
			bool live = false;

			if (!p) {
				continue;
			}
			for (size_t i = 0; i < nlive && !live; i++) {
				live = objs[i].p == p;
			}
			/* Its page may be gone for good: do not touch it. */
			if (live || !prov_find(p)) {
				continue;
			}
			UNIT_EQ(heap_core_free(&h, p), -EINVAL);
			rejected++;
		}
		heap_core_stats(&h, &st);
		UNIT_EQ(st.allocs, nlive);
		UNIT_EQ(st.bytes_in_use, bytes);
		UNIT_EQ(st.pages, prov.live_pages);
		UNIT_EQ(prov.errors, 0);
		if (op % 5000 == 0) {
			for (size_t i = 0; i < nlive; i++) {
				UNIT_ASSERT(check(objs[i].p, objs[i].usable,
						  objs[i].id));
			}
		}
	}
	UNIT_ASSERT(rejected > 1000);
	while (nlive > 0) {
		struct obj *o = &objs[--nlive];

		UNIT_ASSERT(check(o->p, o->usable, o->id));
		UNIT_EQ(heap_core_free(&h, o->p), 0);
	}
	UNIT_ASSERT(heap_is_empty(&h));
	prov_reset();
}
