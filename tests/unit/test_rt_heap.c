// SPDX-License-Identifier: MIT
/*
 * Host tests for the domain allocator core, lib/rt/heap.c, over a fake
 * page source built on aligned_alloc(). The source fills new pages with
 * garbage (SYS_MEM_MAP zeroes, but the heap must not rely on it), records
 * every run it hands out, checks each unmap against those records, can be
 * told to refuse, and can keep unmapped runs readable (quarantine) so that
 * frees of stale pointers can be tested without faulting. Covered: every
 * size from 1 to 5000, slab and large geometry, pages going back, the one
 * kept empty slab, rejected double, interior, foreign, unaligned and
 * forged-header frees, page source failure, absurd sizes, calloc, every
 * realloc path, and a seeded random stress run with per-object patterns.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "abi/errno.h"
#include "rt/heap.h"
#include "unit.h"

#define PROV_MAX_RUNS 4096
#define GARBAGE 0xa5

struct run {
	uint8_t *p;
	size_t n;
	bool live;
};

/* Page source state; reset at the start of every test. */
static struct {
	struct run r[PROV_MAX_RUNS];
	size_t nruns;
	size_t live_pages;
	size_t errors;	 /* unmaps of unknown runs or with a wrong size */
	bool fail;	 /* refuse every map() */
	bool quarantine; /* keep unmapped runs allocated until reset */
} prov;

static void *prov_map(void *ctx, size_t npages)
{
	uint8_t *p;

	if (prov.fail || prov.nruns == PROV_MAX_RUNS) {
		return NULL;
	}
	p = aligned_alloc(RT_HEAP_PAGE, npages * RT_HEAP_PAGE);
	if (!p) {
		return NULL;
	}
	memset(p, GARBAGE, npages * RT_HEAP_PAGE);
	prov.r[prov.nruns++] = (struct run){.p = p, .n = npages, .live = true};
	prov.live_pages += npages;
	return p;
}

static void prov_unmap(void *ctx, void *pages, size_t npages)
{
	for (size_t i = 0; i < prov.nruns; i++) {
		struct run *r = &prov.r[i];

		if (r->p != pages || !r->live) {
			continue;
		}
		if (r->n != npages) {
			prov.errors++;
		}
		r->live = false;
		prov.live_pages -= r->n;
		if (!prov.quarantine) {
			free(r->p);
			/* Drop the record so the table does not fill up. */
			*r = prov.r[--prov.nruns];
		}
		return;
	}
	prov.errors++;
}

static const struct rt_page_ops prov_ops = {
	.map = prov_map,
	.unmap = prov_unmap,
};

static void prov_reset(void)
{
	for (size_t i = 0; i < prov.nruns; i++) {
		free(prov.r[i].p);
	}
	memset(&prov, 0, sizeof(prov));
}

static void heap_setup(struct rt_heap *h)
{
	prov_reset();
	rt_heap_init(h, &prov_ops, NULL);
}

/* Usable size the design promises for a request of @size bytes. */
static size_t expected_usable(size_t size)
{
	size_t c = 1u << RT_HEAP_MIN_SHIFT;

	if (size > RT_HEAP_SMALL_MAX) {
		size_t pages = (size + RT_HEAP_LARGE_HDR + RT_HEAP_PAGE - 1) /
			       RT_HEAP_PAGE;

		return pages * RT_HEAP_PAGE - RT_HEAP_LARGE_HDR;
	}
	while (c < size) {
		c <<= 1;
	}
	return c;
}

static size_t objs_per_slab(size_t cls_size)
{
	return (RT_HEAP_PAGE - RT_HEAP_SLAB_HDR) / cls_size;
}

UNIT_TEST(every_size_is_aligned_usable_and_returned)
{
	struct rt_heap h;
	struct rt_heap_stats st;

	heap_setup(&h);
	for (size_t size = 1; size <= 5000; size++) {
		uint8_t *p = rt_heap_alloc(&h, size);
		size_t usable;

		UNIT_ASSERT(p != NULL);
		UNIT_EQ((uintptr_t)p % RT_HEAP_ALIGN, 0);
		usable = rt_heap_usable_size(&h, p);
		UNIT_EQ(usable, expected_usable(size));
		/* The whole usable area is ours (ASan checks the bounds). */
		memset(p, 0x5a, usable);
		rt_heap_stats(&h, &st);
		UNIT_EQ(st.allocs, 1);
		UNIT_EQ(st.bytes, usable);
		UNIT_EQ(rt_heap_free(&h, p), 0);
	}
	rt_heap_stats(&h, &st);
	UNIT_EQ(st.allocs, 0);
	UNIT_EQ(st.bytes, 0);
	/* At most the one kept empty slab per class remains. */
	UNIT_ASSERT(st.pages <= RT_HEAP_NCLASSES);
	UNIT_EQ(st.pages, prov.live_pages);
	UNIT_EQ(prov.errors, 0);
	prov_reset();
}

UNIT_TEST(zero_size_gives_distinct_pointers)
{
	struct rt_heap h;
	void *a;
	void *b;

	heap_setup(&h);
	a = rt_heap_alloc(&h, 0);
	b = rt_heap_alloc(&h, 0);
	UNIT_ASSERT(a != NULL && b != NULL);
	UNIT_ASSERT(a != b);
	UNIT_EQ(rt_heap_usable_size(&h, a), 16);
	UNIT_EQ(rt_heap_free(&h, a), 0);
	UNIT_EQ(rt_heap_free(&h, b), 0);
	prov_reset();
}

UNIT_TEST(slab_holds_exactly_its_object_count)
{
	struct rt_heap h;
	struct rt_heap_stats st;
	size_t n = objs_per_slab(64);
	uint8_t *objs[64];
	uint8_t *extra;

	UNIT_ASSERT(n <= 64);
	heap_setup(&h);
	for (size_t i = 0; i < n; i++) {
		objs[i] = rt_heap_alloc(&h, 64);
		UNIT_ASSERT(objs[i] != NULL);
		memset(objs[i], (int)i, 64);
	}
	rt_heap_stats(&h, &st);
	UNIT_EQ(st.maps, 1);
	UNIT_EQ(st.slabs, 1);
	/* All in one page, none overlapping: each kept its fill byte. */
	for (size_t i = 0; i < n; i++) {
		UNIT_EQ((uintptr_t)objs[i] / RT_HEAP_PAGE,
			(uintptr_t)objs[0] / RT_HEAP_PAGE);
		for (size_t j = 0; j < 64; j++) {
			UNIT_EQ(objs[i][j], (uint8_t)i);
		}
	}
	extra = rt_heap_alloc(&h, 64);
	UNIT_ASSERT(extra != NULL);
	rt_heap_stats(&h, &st);
	UNIT_EQ(st.maps, 2);
	UNIT_ASSERT((uintptr_t)extra / RT_HEAP_PAGE !=
		    (uintptr_t)objs[0] / RT_HEAP_PAGE);
	for (size_t i = 0; i < n; i++) {
		UNIT_EQ(rt_heap_free(&h, objs[i]), 0);
	}
	UNIT_EQ(rt_heap_free(&h, extra), 0);
	/* Two empty slabs: one kept, one returned. */
	rt_heap_stats(&h, &st);
	UNIT_EQ(st.slabs, 1);
	UNIT_EQ(st.unmaps, 1);
	UNIT_EQ(prov.live_pages, 1);
	UNIT_EQ(prov.errors, 0);
	prov_reset();
}

UNIT_TEST(kept_empty_slab_is_reused_without_mapping)
{
	struct rt_heap h;
	struct rt_heap_stats st;
	void *p;

	heap_setup(&h);
	for (int i = 0; i < 100; i++) {
		p = rt_heap_alloc(&h, 200);
		UNIT_ASSERT(p != NULL);
		UNIT_EQ(rt_heap_free(&h, p), 0);
	}
	rt_heap_stats(&h, &st);
	UNIT_EQ(st.maps, 1);
	UNIT_EQ(st.unmaps, 0);
	UNIT_EQ(st.pages, 1);
	prov_reset();
}

UNIT_TEST(partly_used_slab_is_filled_before_the_empty_one)
{
	struct rt_heap h;
	struct rt_heap_stats st;
	size_t n = objs_per_slab(512);
	void *a[16];
	void *b[16];
	void *p;

	UNIT_ASSERT(n <= 16);
	heap_setup(&h);
	/* Two full slabs. */
	for (size_t i = 0; i < n; i++) {
		a[i] = rt_heap_alloc(&h, 512);
		UNIT_ASSERT(a[i] != NULL);
	}
	for (size_t i = 0; i < n; i++) {
		b[i] = rt_heap_alloc(&h, 512);
		UNIT_ASSERT(b[i] != NULL);
	}
	/* Empty slab A completely (kept), free one object of slab B. */
	for (size_t i = 0; i < n; i++) {
		UNIT_EQ(rt_heap_free(&h, a[i]), 0);
	}
	UNIT_EQ(rt_heap_free(&h, b[0]), 0);
	/* The next object reuses B's hole, not the empty slab. */
	p = rt_heap_alloc(&h, 512);
	UNIT_ASSERT(p == b[0]);
	rt_heap_stats(&h, &st);
	UNIT_EQ(st.slabs, 2);
	UNIT_EQ(st.maps, 2);
	for (size_t i = 0; i < n; i++) {
		UNIT_EQ(rt_heap_free(&h, b[i]), 0);
	}
	rt_heap_stats(&h, &st);
	UNIT_EQ(st.slabs, 1);
	UNIT_EQ(st.allocs, 0);
	prov_reset();
}

UNIT_TEST(large_allocation_maps_its_own_pages_and_returns_them)
{
	struct rt_heap h;
	struct rt_heap_stats st;
	uint8_t *p;

	heap_setup(&h);
	p = rt_heap_alloc(&h, 10000);
	UNIT_ASSERT(p != NULL);
	UNIT_EQ((uintptr_t)p % RT_HEAP_PAGE, RT_HEAP_LARGE_HDR);
	/* 10000 + 32 header bytes need three pages. */
	UNIT_EQ(prov.live_pages, 3);
	UNIT_EQ(rt_heap_usable_size(&h, p), 3 * RT_HEAP_PAGE - 32);
	memset(p, 1, rt_heap_usable_size(&h, p));
	UNIT_EQ(rt_heap_free(&h, p), 0);
	UNIT_EQ(prov.live_pages, 0);
	rt_heap_stats(&h, &st);
	UNIT_EQ(st.pages, 0);
	UNIT_EQ(st.bytes, 0);
	UNIT_EQ(st.unmaps, 1);
	UNIT_EQ(prov.errors, 0);
	/* The smallest large request still gets one page. */
	p = rt_heap_alloc(&h, RT_HEAP_SMALL_MAX + 1);
	UNIT_ASSERT(p != NULL);
	UNIT_EQ(prov.live_pages, 1);
	UNIT_EQ(rt_heap_free(&h, p), 0);
	prov_reset();
}

UNIT_TEST(double_free_is_refused_and_changes_nothing)
{
	struct rt_heap h;
	struct rt_heap_stats before;
	struct rt_heap_stats after;
	void *keep;
	void *p;
	void *big;

	heap_setup(&h);
	prov.quarantine = true;
	keep = rt_heap_alloc(&h, 32); /* keeps the slab mapped */
	p = rt_heap_alloc(&h, 32);
	big = rt_heap_alloc(&h, 8000);
	UNIT_ASSERT(keep && p && big);
	UNIT_EQ(rt_heap_free(&h, p), 0);
	UNIT_EQ(rt_heap_free(&h, big), 0);
	rt_heap_stats(&h, &before);
	UNIT_EQ(rt_heap_free(&h, p), -EINVAL);
	/* big's pages were unmapped; quarantine keeps them readable. */
	UNIT_EQ(rt_heap_free(&h, big), -EINVAL);
	rt_heap_stats(&h, &after);
	UNIT_ASSERT(memcmp(&before, &after, sizeof(before)) == 0);
	UNIT_EQ(rt_heap_usable_size(&h, p), 0);
	UNIT_EQ(rt_heap_free(&h, keep), 0);
	UNIT_EQ(prov.errors, 0);
	prov_reset();
}

UNIT_TEST(interior_unaligned_and_header_pointers_are_refused)
{
	struct rt_heap h;
	struct rt_heap_stats before;
	struct rt_heap_stats after;
	uint8_t *small;
	uint8_t *big;
	uint8_t *page;

	heap_setup(&h);
	small = rt_heap_alloc(&h, 64);
	big = rt_heap_alloc(&h, 3 * RT_HEAP_PAGE);
	UNIT_ASSERT(small && big);
	memset(big, 0, 3 * RT_HEAP_PAGE);
	rt_heap_stats(&h, &before);
	page = (uint8_t *)((uintptr_t)small & ~(uintptr_t)(RT_HEAP_PAGE - 1));
	UNIT_EQ(rt_heap_free(&h, small + 16), -EINVAL); /* inside object */
	UNIT_EQ(rt_heap_free(&h, small + 1), -EINVAL);	/* unaligned */
	UNIT_EQ(rt_heap_free(&h, small + 64), -EINVAL); /* free neighbour */
	UNIT_EQ(rt_heap_free(&h, page), -EINVAL);	/* the header */
	UNIT_EQ(rt_heap_free(&h, page + 16), -EINVAL);	/* in the header */
	UNIT_EQ(rt_heap_free(&h, big + 16), -EINVAL);
	UNIT_EQ(rt_heap_free(&h, big - RT_HEAP_LARGE_HDR), -EINVAL);
	/* A later page of the large run holds user data, no header. */
	UNIT_EQ(rt_heap_free(&h, big - RT_HEAP_LARGE_HDR + RT_HEAP_PAGE +
					 RT_HEAP_SLAB_HDR),
		-EINVAL);
	rt_heap_stats(&h, &after);
	UNIT_ASSERT(memcmp(&before, &after, sizeof(before)) == 0);
	UNIT_EQ(rt_heap_free(&h, small), 0);
	UNIT_EQ(rt_heap_free(&h, big), 0);
	prov_reset();
}

UNIT_TEST(forged_header_in_user_data_is_refused)
{
	struct rt_heap h;
	uint8_t *big;
	uint8_t *victim;
	uint8_t *fake;

	heap_setup(&h);
	big = rt_heap_alloc(&h, 3 * RT_HEAP_PAGE);
	victim = rt_heap_alloc(&h, 16);
	UNIT_ASSERT(big && victim);
	/*
	 * Copy a genuine slab header onto the second page of the large run:
	 * right magic, but the check word ties it to the other page.
	 */
	fake = big - RT_HEAP_LARGE_HDR + RT_HEAP_PAGE;
	memcpy(fake,
	       (uint8_t *)((uintptr_t)victim & ~(uintptr_t)(RT_HEAP_PAGE - 1)),
	       RT_HEAP_SLAB_HDR);
	UNIT_EQ(rt_heap_free(&h, fake + RT_HEAP_SLAB_HDR), -EINVAL);
	UNIT_EQ(rt_heap_usable_size(&h, fake + RT_HEAP_SLAB_HDR), 0);
	UNIT_EQ(rt_heap_free(&h, victim), 0);
	UNIT_EQ(rt_heap_free(&h, big), 0);
	prov_reset();
}

UNIT_TEST(pointer_from_another_heap_is_refused)
{
	struct rt_heap h1;
	struct rt_heap h2;
	void *p;
	void *q;

	heap_setup(&h1);
	rt_heap_init(&h2, &prov_ops, NULL);
	p = rt_heap_alloc(&h1, 48);
	q = rt_heap_alloc(&h1, 9000);
	UNIT_ASSERT(p && q);
	UNIT_EQ(rt_heap_free(&h2, p), -EINVAL);
	UNIT_EQ(rt_heap_free(&h2, q), -EINVAL);
	UNIT_EQ(rt_heap_free(&h1, p), 0);
	UNIT_EQ(rt_heap_free(&h1, q), 0);
	prov_reset();
}

UNIT_TEST(free_of_null_is_a_no_op)
{
	struct rt_heap h;
	struct rt_heap_stats st;

	heap_setup(&h);
	UNIT_EQ(rt_heap_free(&h, NULL), 0);
	rt_heap_stats(&h, &st);
	UNIT_EQ(st.maps, 0);
	prov_reset();
}

UNIT_TEST(page_source_failure_gives_null_and_no_change)
{
	struct rt_heap h;
	struct rt_heap_stats st;
	void *p;

	heap_setup(&h);
	prov.fail = true;
	UNIT_ASSERT(rt_heap_alloc(&h, 8) == NULL);
	UNIT_ASSERT(rt_heap_alloc(&h, 100000) == NULL);
	UNIT_ASSERT(rt_heap_calloc(&h, 10, 10) == NULL);
	rt_heap_stats(&h, &st);
	UNIT_EQ(st.allocs, 0);
	UNIT_EQ(st.pages, 0);
	UNIT_EQ(st.bytes, 0);
	/* The heap works again once pages come back. */
	prov.fail = false;
	p = rt_heap_alloc(&h, 8);
	UNIT_ASSERT(p != NULL);
	UNIT_EQ(rt_heap_free(&h, p), 0);
	prov_reset();
}

UNIT_TEST(absurd_sizes_fail_without_asking_for_pages)
{
	struct rt_heap h;
	struct rt_heap_stats st;

	heap_setup(&h);
	UNIT_ASSERT(rt_heap_alloc(&h, SIZE_MAX) == NULL);
	UNIT_ASSERT(rt_heap_alloc(&h, SIZE_MAX - RT_HEAP_LARGE_HDR + 1) ==
		    NULL);
	UNIT_ASSERT(rt_heap_alloc(&h, RT_HEAP_MAX_ALLOC + 1) == NULL);
	UNIT_ASSERT(rt_heap_calloc(&h, SIZE_MAX / 2, 3) == NULL);
	UNIT_ASSERT(rt_heap_calloc(&h, (size_t)1 << 32, (size_t)1 << 32) ==
		    NULL);
	rt_heap_stats(&h, &st);
	UNIT_EQ(st.maps, 0);
	prov_reset();
}

UNIT_TEST(calloc_zeroes_reused_memory)
{
	struct rt_heap h;
	uint8_t *p;
	uint8_t *q;

	heap_setup(&h);
	p = rt_heap_alloc(&h, 64);
	UNIT_ASSERT(p != NULL);
	memset(p, 0xff, 64);
	UNIT_EQ(rt_heap_free(&h, p), 0);
	q = rt_heap_calloc(&h, 4, 16);
	UNIT_ASSERT(q == p); /* the slot just freed */
	for (int i = 0; i < 64; i++) {
		UNIT_EQ(q[i], 0);
	}
	UNIT_EQ(rt_heap_free(&h, q), 0);
	/* Fresh pages are garbage-filled by the fake source. */
	q = rt_heap_calloc(&h, 3, 5000);
	UNIT_ASSERT(q != NULL);
	for (int i = 0; i < 15000; i++) {
		UNIT_EQ(q[i], 0);
	}
	UNIT_EQ(rt_heap_free(&h, q), 0);
	prov_reset();
}

UNIT_TEST(realloc_keeps_contents_across_every_move)
{
	struct rt_heap h;
	struct rt_heap_stats st;
	uint8_t *p = NULL;
	void *q;

	heap_setup(&h);
	/* NULL allocates. */
	UNIT_EQ(rt_heap_realloc(&h, NULL, 20, &q), 0);
	p = q;
	UNIT_ASSERT(p != NULL);
	for (int i = 0; i < 20; i++) {
		p[i] = (uint8_t)i;
	}
	/* Same class (17..32): stays put. */
	UNIT_EQ(rt_heap_realloc(&h, p, 30, &q), 0);
	UNIT_ASSERT(q == p);
	/* Small to bigger small, then to large, then back. */
	UNIT_EQ(rt_heap_realloc(&h, p, 500, &q), 0);
	UNIT_ASSERT(q != p);
	p = q;
	UNIT_EQ(rt_heap_realloc(&h, p, 50000, &q), 0);
	p = q;
	UNIT_EQ((uintptr_t)p % RT_HEAP_PAGE, RT_HEAP_LARGE_HDR);
	/* Same page count: stays put. */
	UNIT_EQ(rt_heap_realloc(&h, p, 49500, &q), 0);
	UNIT_ASSERT(q == p);
	UNIT_EQ(rt_heap_realloc(&h, p, 10, &q), 0);
	UNIT_ASSERT(q != p);
	p = q;
	for (int i = 0; i < 10; i++) {
		UNIT_EQ(p[i], i);
	}
	UNIT_EQ(rt_heap_usable_size(&h, p), 16);
	/* Size 0 frees. */
	UNIT_EQ(rt_heap_realloc(&h, p, 0, &q), 0);
	UNIT_ASSERT(q == NULL);
	rt_heap_stats(&h, &st);
	UNIT_EQ(st.allocs, 0);
	UNIT_EQ(st.bytes, 0);
	UNIT_EQ(prov.errors, 0);
	prov_reset();
}

UNIT_TEST(realloc_failure_keeps_the_old_block)
{
	struct rt_heap h;
	uint8_t *p;
	uint8_t *big;
	void *q = (void *)1;

	heap_setup(&h);
	p = rt_heap_alloc(&h, 100);
	big = rt_heap_alloc(&h, 20000);
	UNIT_ASSERT(p && big);
	memset(p, 7, 100);
	prov.fail = true;
	/* Growing needs pages: -ENOMEM, p untouched, q not written. */
	UNIT_EQ(rt_heap_realloc(&h, p, 5000, &q), -ENOMEM);
	UNIT_ASSERT(q == (void *)1);
	for (int i = 0; i < 100; i++) {
		UNIT_EQ(p[i], 7);
	}
	/* Shrinking that cannot move stays in place. */
	UNIT_EQ(rt_heap_realloc(&h, big, 3000, &q), 0);
	UNIT_ASSERT(q == big);
	prov.fail = false;
	UNIT_EQ(rt_heap_free(&h, p), 0);
	UNIT_EQ(rt_heap_free(&h, big), 0);
	prov_reset();
}

UNIT_TEST(realloc_of_a_bad_pointer_is_refused)
{
	struct rt_heap h;
	uint8_t *p;
	void *q = (void *)1;

	heap_setup(&h);
	p = rt_heap_alloc(&h, 64);
	UNIT_ASSERT(p != NULL);
	UNIT_EQ(rt_heap_realloc(&h, p + 16, 128, &q), -EINVAL);
	UNIT_EQ(rt_heap_realloc(&h, p + 16, 0, &q), -EINVAL);
	UNIT_ASSERT(q == (void *)1);
	UNIT_EQ(rt_heap_free(&h, p), 0);
	prov_reset();
}

/* xorshift64*: deterministic, seedable. */
static uint64_t rng_next(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dull;
}

static size_t random_size(uint64_t *s)
{
	uint64_t r = rng_next(s);

	switch (r % 8) {
	case 0:
		return (size_t)(r >> 8) % 20000 + 1; /* large */
	case 1:
		return (size_t)(r >> 8) % 4096;
	default:
		return (size_t)(r >> 8) % 300;
	}
}

static void fill_pattern(uint8_t *p, size_t n, uint64_t tag)
{
	for (size_t i = 0; i < n; i++) {
		p[i] = (uint8_t)(tag * 131 + i);
	}
}

static bool pattern_ok(const uint8_t *p, size_t n, uint64_t tag)
{
	for (size_t i = 0; i < n; i++) {
		if (p[i] != (uint8_t)(tag * 131 + i)) {
			return false;
		}
	}
	return true;
}

UNIT_TEST(random_stress_keeps_every_object_intact)
{
	enum { SLOTS = 400, OPS = 30000 };
	static uint8_t *ptr[SLOTS];
	static size_t len[SLOTS];
	static uint64_t tag[SLOTS];
	struct rt_heap h;
	struct rt_heap_stats st;
	uint64_t seed = 0x12345678abcdefull;

	heap_setup(&h);
	memset(ptr, 0, sizeof(ptr));
	for (uint64_t op = 0; op < OPS; op++) {
		size_t i = rng_next(&seed) % SLOTS;

		if (ptr[i] && !pattern_ok(ptr[i], len[i], tag[i])) {
			UNIT_ASSERT(!"object corrupted");
		}
		if (!ptr[i]) {
			len[i] = random_size(&seed);
			ptr[i] = rt_heap_alloc(&h, len[i]);
			UNIT_ASSERT(ptr[i] != NULL);
		} else if (rng_next(&seed) % 3 == 0) {
			void *q;
			size_t n = random_size(&seed);

			UNIT_EQ(rt_heap_realloc(&h, ptr[i], n, &q), 0);
			if (n == 0) {
				UNIT_ASSERT(q == NULL);
				ptr[i] = NULL;
				continue;
			}
			ptr[i] = q;
			len[i] = n;
		} else {
			UNIT_EQ(rt_heap_free(&h, ptr[i]), 0);
			ptr[i] = NULL;
			continue;
		}
		tag[i] = op;
		UNIT_ASSERT(rt_heap_usable_size(&h, ptr[i]) >= len[i]);
		fill_pattern(ptr[i], len[i], tag[i]);
	}
	for (size_t i = 0; i < SLOTS; i++) {
		if (ptr[i]) {
			UNIT_ASSERT(pattern_ok(ptr[i], len[i], tag[i]));
			UNIT_EQ(rt_heap_free(&h, ptr[i]), 0);
		}
	}
	rt_heap_stats(&h, &st);
	UNIT_EQ(st.allocs, 0);
	UNIT_EQ(st.bytes, 0);
	UNIT_ASSERT(st.pages <= RT_HEAP_NCLASSES * RT_HEAP_KEEP_EMPTY);
	UNIT_EQ(st.pages, prov.live_pages);
	UNIT_EQ(st.pages, st.slabs); /* no large run is left */
	UNIT_EQ(prov.errors, 0);
	prov_reset();
}
