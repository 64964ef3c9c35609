// SPDX-License-Identifier: MIT
/*
 * Host tests for the storage side of the rref ownership table
 * (lib/rref/rref_table.c): setup, allocation, guard pages and exhaustion,
 * frees, forged and stale addresses, the type registry, hash growth and
 * tombstone churn, allocation failures, statistics and the consistency
 * checker itself. Crossing rules: test_rref_calls.c and
 * test_rref_nested.c; randomised model run: test_rref_model.c.
 */
#include <stdlib.h>
#include <string.h>

#include "abi/errno.h"
#include "rref_fixture.h"
#include "rref_short.h"
#include "unit.h"

UNIT_TEST(init_rejects_ranges_outside_the_shared_heap)
{
	struct rref_tab_config cfg = {SHEAP_BASE, 1ull << 20, 1};
	struct rref_tab_ops no_read = rfx_ops;
	struct rref_table t;

	no_read.read_u64 = NULL;
	rfx_mem_live = 0;
	UNIT_EQ(rref_tab_init(&t, &no_read, NULL, &cfg), -EINVAL);
	cfg.va_base = SHEAP_BASE - RREF_PAGE_SIZE;
	UNIT_EQ(rref_tab_init(&t, &rfx_ops, NULL, &cfg), -EINVAL);
	cfg.va_base = SHEAP_BASE + 8;
	UNIT_EQ(rref_tab_init(&t, &rfx_ops, NULL, &cfg), -EINVAL);
	cfg.va_base = SHEAP_END - RREF_PAGE_SIZE;
	cfg.va_size = 2 * RREF_PAGE_SIZE;
	UNIT_EQ(rref_tab_init(&t, &rfx_ops, NULL, &cfg), -EINVAL);
	cfg.va_base = SHEAP_BASE;
	cfg.va_size = 0;
	UNIT_EQ(rref_tab_init(&t, &rfx_ops, NULL, &cfg), -EINVAL);
	cfg.va_size = RREF_PAGE_SIZE + 1;
	UNIT_EQ(rref_tab_init(&t, &rfx_ops, NULL, &cfg), -EINVAL);
	cfg.va_size = SHEAP_SIZE;
	cfg.guard_pages = 17;
	UNIT_EQ(rref_tab_init(&t, &rfx_ops, NULL, &cfg), -EINVAL);
	UNIT_EQ(rfx_mem_live, 0);
	/* The whole shared heap is a valid (if large) range. */
	cfg.va_size = 1ull << 32;
	cfg.guard_pages = 0;
	UNIT_EQ(rref_tab_init(&t, &rfx_ops, NULL, &cfg), 0);
	rref_tab_destroy(&t);
	UNIT_EQ(rfx_mem_live, 0);
}

UNIT_TEST(init_failure_frees_what_it_took)
{
	struct rfx f;

	rfx_mem_live = 0;
	rfx_mem_fail_after = 0;
	UNIT_EQ(rfx_init(&f, 64, 1), -ENOMEM);
	rfx_mem_fail_after = 1;
	UNIT_EQ(rfx_init(&f, 64, 1), -ENOMEM);
	rfx_mem_fail_after = -1;
	UNIT_EQ(rfx_mem_live, 0);
	rref_tab_destroy(&f.t);
	UNIT_EQ(rfx_mem_live, 0);
}

UNIT_TEST(alloc_returns_page_aligned_objects_apart_by_guard_pages)
{
	uint64_t a;
	uint64_t b;
	uint64_t c;

	UNIT_EQ(rfx_setup(), 0);
	a = rfx_new(D_A, 0, 1);
	b = rfx_new(D_A, 0, 3 * RREF_PAGE_SIZE);
	c = rfx_new(D_B, 0, RREF_PAGE_SIZE + 1);
	UNIT_ASSERT(a && b && c);
	UNIT_ASSERT(a >= SHEAP_BASE && c < SHEAP_BASE + RFX_VA_PAGES * 4096ull);
	UNIT_EQ(a % RREF_PAGE_SIZE, 0);
	UNIT_EQ(b, a + 2 * RREF_PAGE_SIZE); /* one page, one guard */
	UNIT_EQ(c, b + 4 * RREF_PAGE_SIZE);
	UNIT_EQ(rfx_meta(a)->npages, 1);
	UNIT_EQ(rfx_meta(b)->npages, 3);
	UNIT_EQ(rfx_meta(c)->npages, 2);
	UNIT_EQ(rfx_meta(c)->size, RREF_PAGE_SIZE + 1);
	UNIT_EQ(rfx_meta(c)->owner, D_B);
	UNIT_EQ(rfx_meta(c)->borrows, 0);
	UNIT_ASSERT(rfx_meta(a + RREF_PAGE_SIZE) == NULL); /* guard page */
	RFX_CONSISTENT();
	UNIT_EQ(rfx_finish(), 0);
}

UNIT_TEST(alloc_rejects_bad_owner_size_and_type_size)
{
	uint64_t a = 0;

	UNIT_EQ(rfx_setup(), 0);
	UNIT_EQ(rref_tab_alloc(&F.t, RREF_OWNER_NONE, 0, 8, &a), -EINVAL);
	UNIT_EQ(rref_tab_alloc(&F.t, D_A, 0, 0, &a), -EINVAL);
	UNIT_EQ(rref_tab_alloc(&F.t, D_A, 0, RREF_SIZE_MAX + 1, &a), -EINVAL);
	/* An RFX_T_DEQ8 is 80 bytes: smaller objects could not hold it. */
	UNIT_EQ(rref_tab_alloc(&F.t, D_A, RFX_T_DEQ8, 79, &a), -EINVAL);
	UNIT_EQ(a, 0);
	UNIT_EQ(F.t.live, 0);
	/* Unregistered types are plain bytes. */
	UNIT_ASSERT(rfx_new(D_A, 0x12345, 8) != 0);
	UNIT_ASSERT(rfx_new(D_A, RFX_T_DEQ8, 80) != 0);
	RFX_CONSISTENT();
	UNIT_EQ(rfx_finish(), 0);
}

UNIT_TEST(alloc_exhausts_the_range_and_reuses_freed_pages)
{
	uint64_t a[4];
	uint64_t x = 0;

	if (F.t.ops) {
		rfx_fini(&F);
	}
	rfx_mem_live = 0;
	UNIT_EQ(rfx_init(&F, 8, 1), 0);
	for (int i = 0; i < 4; i++) {
		a[i] = rfx_new(D_A, 0, 100);
		UNIT_ASSERT(a[i] != 0);
	}
	UNIT_EQ(rfx_alloc(&F, D_A, 0, 100, &x), -ENOMEM);
	UNIT_EQ(F.t.live, 4);
	UNIT_EQ(rfx_free(&F, D_A, a[0]), 0);
	UNIT_EQ(rfx_free(&F, D_A, a[2]), 0);
	/* Four free pages, but no run of three (two pages plus a guard). */
	UNIT_EQ(rfx_alloc(&F, D_A, 0, 2 * RREF_PAGE_SIZE, &x), -ENOMEM);
	x = rfx_new(D_B, 0, 1);
	UNIT_ASSERT(x == a[0] || x == a[2]);
	UNIT_EQ(rfx_meta(x)->owner, D_B);
	RFX_CONSISTENT();
	UNIT_EQ(rfx_finish(), 0);
}

UNIT_TEST(free_only_by_the_owner_and_only_when_not_lent)
{
	struct rref_cross_plan p;
	struct rref_cross_plan r;
	struct rref_meta gone;
	uint64_t x;

	UNIT_EQ(rfx_setup(), 0);
	x = rfx_new(D_A, RFX_T_LEAF, 32);
	UNIT_ASSERT(x);
	UNIT_EQ(rfx_free(&F, D_B, x), -EPERM);
	UNIT_EQ(rfx_free(&F, RREF_OWNER_NONE, x), -EPERM);
	UNIT_EQ(rfx_free(&F, D_A, x + 8), -EINVAL);
	UNIT_EQ(rfx_cross(D_A, D_B, x, 0, 0, 0, rfx_kinds(BR, S, S, S), &p), 0);
	UNIT_EQ(rfx_free(&F, D_A, x), -EBUSY);
	UNIT_EQ(rfx_free(&F, D_B, x), -EPERM);
	UNIT_EQ(rfx_ret(D_B, D_A, 0, 0, 0, &p, &r), 0);
	UNIT_EQ(rref_tab_free(&F.t, D_A, x, &gone), 0);
	UNIT_EQ(gone.addr, x);
	UNIT_EQ(gone.npages, 1);
	UNIT_EQ(gone.type_id, RFX_T_LEAF);
	UNIT_EQ(gone.owner, D_A);
	UNIT_ASSERT(rfx_meta(x) == NULL);
	UNIT_EQ(rref_tab_free(&F.t, D_A, x, NULL), -EINVAL); /* double free */
	/* The fixture still has memory for x; release it by hand. */
	F.objs[0] = F.objs[--F.nobjs];
	RFX_CONSISTENT();
	UNIT_EQ(rfx_finish(), 0);
}

UNIT_TEST(forged_freed_and_interior_addresses_are_never_found)
{
	uint64_t x;
	uint64_t y;
	uint64_t dead;

	UNIT_EQ(rfx_setup(), 0);
	x = rfx_new(D_A, 0, 3 * RREF_PAGE_SIZE);
	dead = rfx_new(D_A, 0, 8);
	y = rfx_new(D_A, 0, 8);
	UNIT_ASSERT(x && dead && y);
	UNIT_EQ(rfx_free(&F, D_A, dead), 0);
	UNIT_ASSERT(rfx_meta(x) != NULL);
	UNIT_ASSERT(rfx_meta(dead) == NULL);
	UNIT_ASSERT(rfx_meta(x + 8) == NULL);
	UNIT_ASSERT(rfx_meta(x + RREF_PAGE_SIZE) == NULL);
	UNIT_ASSERT(rfx_meta(x + 3 * RREF_PAGE_SIZE) == NULL); /* guard */
	UNIT_ASSERT(rfx_meta(x - 1) == NULL);
	UNIT_ASSERT(rfx_meta(0) == NULL);
	UNIT_ASSERT(rfx_meta(1) == NULL); /* the tombstone key */
	UNIT_ASSERT(rfx_meta(SHEAP_BASE - RREF_PAGE_SIZE) == NULL);
	UNIT_ASSERT(rfx_meta(SHEAP_BASE + 1000 * RREF_PAGE_SIZE) == NULL);
	UNIT_ASSERT(rfx_meta(SHEAP_END) == NULL);
	UNIT_ASSERT(rfx_meta(~0ull & ~(RREF_PAGE_SIZE - 1)) == NULL);
	UNIT_ASSERT(!rref_tab_is_owned(&F.t, dead, D_A));
	UNIT_ASSERT(rref_tab_is_owned(&F.t, y, D_A));
	UNIT_ASSERT(!rref_tab_is_owned(&F.t, y, D_B));
	RFX_CONSISTENT();
	UNIT_EQ(rfx_finish(), 0);
}

UNIT_TEST(register_type_validates_descriptions)
{
	struct rref_type_desc d;
	struct rref_type_desc ok;

	UNIT_EQ(rfx_setup(), 0);
	memset(&ok, 0, sizeof(ok));
	ok.id = 0x77;
	ok.size = 64;
	ok.align = 8;
	ok.kind = RREF_TYPE_ARRAY;
	ok.nslots = 1;
	ok.slots[0] = (struct rref_slot_run){0, 8, 8, 0, RFX_T_LEAF};

	d = ok;
	d.id = 0;
	UNIT_EQ(rref_tab_register_type(&F.t, &d), -EINVAL);
	d = ok;
	d.size = 0;
	UNIT_EQ(rref_tab_register_type(&F.t, &d), -EINVAL);
	d = ok;
	d.size = RREF_TYPE_MAX_SIZE + 1;
	UNIT_EQ(rref_tab_register_type(&F.t, &d), -EINVAL);
	d = ok;
	d.nslots = RREF_TYPE_MAX_SLOTS + 1;
	UNIT_EQ(rref_tab_register_type(&F.t, &d), -EINVAL);
	d = ok;
	d.kind = 3;
	UNIT_EQ(rref_tab_register_type(&F.t, &d), -EINVAL);
	d = ok;
	d.slots[0].count = 0;
	UNIT_EQ(rref_tab_register_type(&F.t, &d), -EINVAL);
	d = ok;
	d.slots[0].offset = 4;
	UNIT_EQ(rref_tab_register_type(&F.t, &d), -EINVAL);
	d = ok;
	d.slots[0].stride = 4;
	UNIT_EQ(rref_tab_register_type(&F.t, &d), -EINVAL);
	d = ok;
	d.slots[0].count = 9; /* past the 64-byte object */
	UNIT_EQ(rref_tab_register_type(&F.t, &d), -EINVAL);
	d = ok;
	d.slots[0].reserved = 1;
	UNIT_EQ(rref_tab_register_type(&F.t, &d), -EINVAL);
	d = ok;
	d.size = (RREF_TAB_MAX_TYPE_SLOTS + 1) * 8;
	d.slots[0].count = RREF_TAB_MAX_TYPE_SLOTS + 1;
	UNIT_EQ(rref_tab_register_type(&F.t, &d), -EINVAL);
	UNIT_EQ(F.t.ntypes, 5);

	UNIT_EQ(rref_tab_register_type(&F.t, &ok), 0);
	UNIT_EQ(rref_tab_register_type(&F.t, &ok), 0); /* same again */
	d = ok;
	memcpy(d.name, "another_name", 13); /* names are not compared */
	UNIT_EQ(rref_tab_register_type(&F.t, &d), 0);
	d.slots[0].count = 7;
	UNIT_EQ(rref_tab_register_type(&F.t, &d), -EEXIST);
	UNIT_EQ(F.t.ntypes, 6);
	RFX_CONSISTENT();
	UNIT_EQ(rfx_finish(), 0);
}

UNIT_TEST(register_type_keeps_many_types_sorted)
{
	struct rref_type_desc d;
	const char *why = NULL;

	UNIT_EQ(rfx_setup(), 0);
	memset(&d, 0, sizeof(d));
	d.size = 16;
	d.align = 8;
	d.nslots = 1;
	d.slots[0] = (struct rref_slot_run){8, 0, 1, 0, 0};
	for (uint64_t i = 0; i < 500; i++) {
		d.id = (i * 7919) % 1000 + 0x10000; /* scrambled order */
		UNIT_EQ(rref_tab_register_type(&F.t, &d), 0);
	}
	UNIT_EQ(F.t.ntypes, 505);
	UNIT_EQ(rref_tab_check(&F.t, &why), 0);
	/* A registered id constrains allocations. */
	d.id = (3 * 7919) % 1000 + 0x10000;
	UNIT_EQ(rfx_new(D_A, d.id, 8), 0);
	UNIT_ASSERT(rfx_new(D_A, d.id, 16) != 0);
	UNIT_EQ(rfx_finish(), 0);
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

UNIT_TEST(hash_growth_keeps_every_entry)
{
	const size_t n = 100000;
	struct rref_tab_stats st;
	uint64_t *a = malloc(n * sizeof(*a));
	const char *why = NULL;
	struct rfx f;

	UNIT_ASSERT(a);
	rfx_mem_live = 0;
	UNIT_EQ(rfx_init(&f, 1u << 18, 1), 0);
	for (size_t i = 0; i < n; i++) {
		UNIT_EQ(rref_tab_alloc(&f.t, 1 + i % 7, 0, 8, &a[i]), 0);
	}
	rref_tab_stats(&f.t, &st);
	UNIT_EQ(st.live, n);
	UNIT_ASSERT(st.capacity >= n * 10 / 7);
	UNIT_EQ(rref_tab_check(&f.t, &why), 0);
	for (size_t i = 0; i < n; i++) {
		const struct rref_meta *m = rref_tab_find(&f.t, a[i]);

		UNIT_ASSERT(m && m->owner == 1 + i % 7);
	}
	/* Free the odd ones, then everything; the table shrinks back. */
	for (size_t i = 1; i < n; i += 2) {
		UNIT_EQ(rref_tab_free(&f.t, 1 + i % 7, a[i], NULL), 0);
	}
	for (size_t i = 0; i < n; i++) {
		UNIT_EQ(rref_tab_find(&f.t, a[i]) != NULL, i % 2 == 0);
	}
	UNIT_EQ(rref_tab_check(&f.t, &why), 0);
	for (size_t i = 0; i < n; i += 2) {
		UNIT_EQ(rref_tab_free(&f.t, 1 + i % 7, a[i], NULL), 0);
	}
	rref_tab_stats(&f.t, &st);
	UNIT_EQ(st.live, 0);
	UNIT_EQ(st.va_used, 0);
	UNIT_ASSERT(st.capacity <= 128);
	rref_tab_destroy(&f.t);
	free(a);
	UNIT_EQ(rfx_mem_live, 0);
}

UNIT_TEST(tombstone_churn_of_a_million_frees_loses_nothing)
{
	const size_t live = 1000;
	struct rref_tab_stats st;
	uint64_t *a = malloc(live * sizeof(*a));
	const char *why = NULL;
	struct rfx f;
	size_t max_cap = 0;

	UNIT_ASSERT(a);
	rfx_mem_live = 0;
	UNIT_EQ(rfx_init(&f, 1u << 14, 1), 0);
	for (size_t i = 0; i < live; i++) {
		UNIT_EQ(rref_tab_alloc(&f.t, 1, 0, 8, &a[i]), 0);
	}
	for (long k = 0; k < 1000000; k++) {
		size_t i = rng() % live;
		uint64_t old = a[i];

		UNIT_EQ(rref_tab_free(&f.t, 1, old, NULL), 0);
		UNIT_ASSERT(rref_tab_find(&f.t, old) == NULL);
		UNIT_EQ(rref_tab_alloc(&f.t, 1, 0, 8, &a[i]), 0);
		max_cap = MAX(max_cap, (size_t)1 << f.t.shift);
		if (k % 100000 == 0) {
			UNIT_EQ(rref_tab_check(&f.t, &why), 0);
			for (size_t j = 0; j < live; j++) {
				UNIT_ASSERT(rref_tab_find(&f.t, a[j]));
			}
		}
	}
	UNIT_EQ(rref_tab_check(&f.t, &why), 0);
	rref_tab_stats(&f.t, &st);
	UNIT_EQ(st.live, live);
	UNIT_EQ(st.va_used, 2 * live);
	/* Tombstones are purged, not accumulated into growth. */
	UNIT_ASSERT(max_cap <= 4096);
	for (size_t j = 0; j < live; j++) {
		UNIT_ASSERT(rref_tab_find(&f.t, a[j]));
	}
	rref_tab_destroy(&f.t);
	free(a);
	UNIT_EQ(rfx_mem_live, 0);
}

UNIT_TEST(allocation_failures_change_nothing_and_nothing_leaks)
{
	struct rref_type_desc d;
	struct rfx_snap s0;
	struct rfx_snap s1;
	struct rref_tab_stats st;
	uint64_t x = 0;
	int n = 0;

	UNIT_EQ(rfx_setup(), 0);
	/* Fill up to the point where the next insert must grow the table. */
	for (;;) {
		rref_tab_stats(&F.t, &st);
		if ((st.live + st.tombstones + 1) * 10 > st.capacity * 7) {
			break;
		}
		UNIT_ASSERT(rfx_new(D_A, 0, 8) != 0);
		n++;
	}
	UNIT_ASSERT(n > 10);
	rfx_snap_take(&F, &s0);
	rfx_mem_fail_after = 0;
	UNIT_EQ(rfx_alloc(&F, D_A, 0, 8, &x), -ENOMEM);
	rfx_mem_fail_after = -1;
	rfx_snap_take(&F, &s1);
	UNIT_ASSERT(rfx_snap_equal(&s0, &s1));
	rfx_snap_free(&s0);
	rfx_snap_free(&s1);
	UNIT_ASSERT(rfx_new(D_A, 0, 8) != 0);

	/* The type registry grows from 8 entries: fail that growth. */
	memset(&d, 0, sizeof(d));
	d.size = 8;
	for (uint64_t id = 100; F.t.ntypes < F.t.types_cap; id++) {
		d.id = id;
		UNIT_EQ(rref_tab_register_type(&F.t, &d), 0);
	}
	d.id = 5000;
	rfx_mem_fail_after = 0;
	UNIT_EQ(rref_tab_register_type(&F.t, &d), -ENOMEM);
	rfx_mem_fail_after = -1;
	UNIT_EQ(rref_tab_register_type(&F.t, &d), 0);
	RFX_CONSISTENT();
	UNIT_ASSERT(rfx_mem_live > 0);
	UNIT_EQ(rfx_finish(), 0);
}

UNIT_TEST(stats_count_objects_pages_loans_and_owners)
{
	struct rref_cross_plan p;
	struct rref_tab_stats st;
	struct rref_owner_stats os;
	uint64_t x;
	uint64_t y;

	UNIT_EQ(rfx_setup(), 0);
	x = rfx_new(D_A, 0, 3 * RREF_PAGE_SIZE);
	y = rfx_new(D_B, 0, 1);
	UNIT_ASSERT(x && y);
	UNIT_EQ(rfx_cross(D_A, D_B, x, 0, 0, 0, rfx_kinds(BR, S, S, S), &p), 0);
	rref_tab_stats(&F.t, &st);
	UNIT_EQ(st.live, 2);
	UNIT_EQ(st.pages, 4);
	UNIT_EQ(st.va_used, 6);
	UNIT_EQ(st.va_pages, RFX_VA_PAGES);
	UNIT_EQ(st.lent, 1);
	UNIT_EQ(st.orphans, 0);
	UNIT_EQ(st.types, 5);
	rref_tab_owner_stats(&F.t, D_A, &os);
	UNIT_EQ(os.rrefs, 1);
	UNIT_EQ(os.pages, 3);
	UNIT_EQ(os.bytes, 3 * RREF_PAGE_SIZE);
	UNIT_EQ(os.lent, 1);
	rref_tab_owner_stats(&F.t, D_B, &os);
	UNIT_EQ(os.rrefs, 1);
	UNIT_EQ(os.lent, 0);
	RFX_CONSISTENT(&p);
	UNIT_EQ(rfx_finish(), 0);
}

UNIT_TEST(checker_notices_a_corrupted_table)
{
	const char *why = NULL;
	struct rref_meta *m;
	uint64_t x;

	/* The invariant checker itself must be able to fail. */
	UNIT_EQ(rfx_setup(), 0);
	x = rfx_new(D_A, 0, 8);
	UNIT_ASSERT(x);
	m = (struct rref_meta *)rref_tab_find(&F.t, x);
	m->borrows = 1;
	UNIT_EQ(rref_tab_check(&F.t, &why), -EINVAL);
	UNIT_STREQ(why, "borrower and borrow count disagree");
	m->borrower = D_B;
	UNIT_EQ(rref_tab_check(&F.t, &why), 0);
	UNIT_STREQ(rfx_consistent(&F, NULL, 0),
		   "borrow count differs from outstanding loans");
	m->borrows = 0;
	m->borrower = 0;
	F.t.va_bitmap[0] ^= 2; /* x's guard page */
	UNIT_EQ(rref_tab_check(&F.t, &why), -EINVAL);
	F.t.va_bitmap[0] ^= 2;
	m->npages = 2;
	UNIT_EQ(rref_tab_check(&F.t, &why), -EINVAL);
	m->npages = 1;
	F.t.live++;
	UNIT_EQ(rref_tab_check(&F.t, &why), -EINVAL);
	F.t.live--;
	UNIT_EQ(rref_tab_check(&F.t, &why), 0);
	UNIT_EQ(rfx_finish(), 0);
}
