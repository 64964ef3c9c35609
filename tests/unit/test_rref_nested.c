// SPDX-License-Identifier: MIT
/*
 * Host tests for nested rrefs and domain death in the rref ownership
 * table (lib/rref/rref_cross.c): containers moving and lending their
 * contents, refused contents (foreign, lent, repeated, mistyped, cyclic,
 * too deep, too many), failing slot reads, dropping a dead domain's
 * objects through cyclic containers, orphans of owners that died while
 * lending, and the order of unwinding and dropping.
 */
#include <stdlib.h>
#include <string.h>

#include "abi/errno.h"
#include "rref_fixture.h"
#include "rref_short.h"
#include "unit.h"

UNIT_TEST(container_moves_with_its_contents)
{
	struct rref_cross_plan p;
	struct rref_cross_plan r;
	uint64_t deq;
	uint64_t l[3];

	UNIT_EQ(rfx_setup(), 0);
	deq = rfx_new(D_A, RFX_T_DEQ8, 80);
	UNIT_ASSERT(deq);
	for (int i = 0; i < 3; i++) {
		l[i] = rfx_new(D_A, RFX_T_LEAF, 32);
		UNIT_ASSERT(l[i]);
		rfx_set(&F, deq, 2 + 3 + i, l[i]); /* ring slots 3..5 */
	}
	rfx_set(&F, deq, 0, 3); /* head and tail are not slots */
	rfx_set(&F, deq, 1, 6);
	UNIT_EQ(rfx_cross(D_A, D_B, 0, deq, 0, 0, rfx_kinds(S, MV, S, S), &p),
		0);
	UNIT_EQ(p.n, 4);
	UNIT_EQ(rfx_meta(deq)->owner, D_B);
	for (int i = 0; i < 3; i++) {
		UNIT_EQ(rfx_meta(l[i])->owner, D_B);
		UNIT_EQ(rfx_ent(&p, l[i])->depth, 1);
		UNIT_EQ(rfx_ent(&p, l[i])->word, 1);
		UNIT_EQ(rfx_ent(&p, l[i])->action,
			RREF_ACT_UNMAP_CALLER | RREF_ACT_MAP_RW_CALLEE);
	}
	/* The callee empties one slot and returns the deque. */
	rfx_set(&F, deq, 2 + 4, 0);
	UNIT_EQ(rfx_ret(D_B, D_A, deq, 0, rfx_kinds(MV, S, S, S), &p, &r), 0);
	UNIT_EQ(r.n, 3);
	UNIT_EQ(rfx_meta(deq)->owner, D_A);
	UNIT_EQ(rfx_meta(l[0])->owner, D_A);
	UNIT_EQ(rfx_meta(l[1])->owner, D_B); /* no longer inside */
	UNIT_EQ(rfx_meta(l[2])->owner, D_A);
	RFX_CONSISTENT(&p, &r);
	UNIT_EQ(rfx_finish(), 0);
}

UNIT_TEST(container_borrow_lends_its_contents)
{
	struct rref_cross_plan p;
	struct rref_cross_plan q;
	struct rref_cross_plan r;
	uint64_t arr;
	uint64_t l0;
	uint64_t l2;

	UNIT_EQ(rfx_setup(), 0);
	arr = rfx_new(D_A, RFX_T_ARR4, 32);
	l0 = rfx_new(D_A, RFX_T_LEAF, 32);
	l2 = rfx_new(D_A, RFX_T_LEAF, 32);
	UNIT_ASSERT(arr && l0 && l2);
	rfx_set(&F, arr, 0, l0);
	rfx_set(&F, arr, 2, l2);
	UNIT_EQ(rfx_cross(D_A, D_B, arr, 0, 0, 0, rfx_kinds(BR, S, S, S), &p),
		0);
	UNIT_EQ(p.n, 3);
	UNIT_EQ(rfx_meta(l0)->borrows, 1);
	UNIT_EQ(rfx_meta(l2)->borrower, D_B);
	UNIT_EQ(rfx_ent(&p, l2)->action, RREF_ACT_MAP_RO_CALLEE);
	UNIT_EQ(rfx_cross(D_A, D_C, l0, 0, 0, 0, rfx_kinds(MV, S, S, S), &q),
		-EINVAL);
	/* The owner rewrites a slot during the call: the loans stay exact. */
	rfx_set(&F, arr, 2, 0);
	UNIT_EQ(rfx_ret(D_B, D_A, 0, 0, 0, &p, &r), 0);
	UNIT_EQ(r.n, 3);
	UNIT_EQ(rfx_meta(l0)->borrows, 0);
	UNIT_EQ(rfx_meta(l2)->borrows, 0);
	RFX_CONSISTENT(&p, &q);
	UNIT_EQ(rfx_finish(), 0);
}

UNIT_TEST(container_with_foreign_lent_or_repeated_content_is_refused)
{
	struct rref_cross_plan p;
	struct rref_cross_plan q;
	struct rfx_snap s0;
	struct rfx_snap s1;
	uint64_t arr;
	uint64_t arr2;
	uint64_t mine;
	uint64_t foreign;
	uint64_t lent;

	UNIT_EQ(rfx_setup(), 0);
	arr = rfx_new(D_A, RFX_T_ARR4, 32);
	arr2 = rfx_new(D_A, RFX_T_ARR4, 32);
	mine = rfx_new(D_A, RFX_T_LEAF, 32);
	foreign = rfx_new(D_C, RFX_T_LEAF, 32);
	lent = rfx_new(D_A, RFX_T_LEAF, 32);
	UNIT_ASSERT(arr && arr2 && mine && foreign && lent);
	UNIT_EQ(rfx_cross(D_A, D_C, lent, 0, 0, 0, rfx_kinds(BR, S, S, S), &q),
		0);
	rfx_snap_take(&F, &s0);

	rfx_set(&F, arr, 0, mine);
	rfx_set(&F, arr, 1, foreign);
	UNIT_EQ(rfx_cross(D_A, D_B, 0, 0, arr, 0, rfx_kinds(S, S, MV, S), &p),
		-EINVAL);
	UNIT_EQ(p.bad_word, 2);
	UNIT_STREQ(p.why, "rref not owned by the sender");
	rfx_set(&F, arr, 1, lent);
	UNIT_EQ(rfx_cross(D_A, D_B, arr, 0, 0, 0, rfx_kinds(MV, S, S, S), &p),
		-EINVAL);
	UNIT_STREQ(p.why, "rref is lent out");
	/* Lending a container whose content is lent to someone else. */
	UNIT_EQ(rfx_cross(D_A, D_B, arr, 0, 0, 0, rfx_kinds(BR, S, S, S), &p),
		-EINVAL);
	UNIT_STREQ(p.why, "rref is lent to another domain");
	/* The same leaf in two containers, or also as its own word. */
	rfx_set(&F, arr, 1, 0);
	rfx_set(&F, arr2, 3, mine);
	UNIT_EQ(rfx_cross(D_A, D_B, arr, arr2, 0, 0, rfx_kinds(MV, MV, S, S),
			  &p),
		-EINVAL);
	UNIT_EQ(p.bad_word, 1);
	UNIT_STREQ(p.why, "rref passed twice");
	UNIT_EQ(rfx_cross(D_A, D_B, mine, arr, 0, 0, rfx_kinds(BR, MV, S, S),
			  &p),
		-EINVAL);
	/* A slot naming a freed, forged or interior address. */
	rfx_set(&F, arr2, 3, mine + 8);
	UNIT_EQ(rfx_cross(D_A, D_B, arr2, 0, 0, 0, rfx_kinds(MV, S, S, S), &p),
		-EINVAL);
	UNIT_STREQ(p.why, "not a live rref");
	rfx_set(&F, arr2, 3, 0);

	rfx_snap_take(&F, &s1);
	UNIT_ASSERT(rfx_snap_equal(&s0, &s1));
	rfx_snap_free(&s0);
	rfx_snap_free(&s1);
	/* With the foreign and lent slots cleared it moves. */
	UNIT_EQ(rfx_cross(D_A, D_B, arr, arr2, 0, 0, rfx_kinds(MV, MV, S, S),
			  &p),
		0);
	UNIT_EQ(rfx_meta(mine)->owner, D_B);
	RFX_CONSISTENT(&p, &q);
	UNIT_EQ(rfx_finish(), 0);
}

UNIT_TEST(container_slots_are_type_checked)
{
	struct rref_cross_plan p;
	uint64_t arr;
	uint64_t node;
	uint64_t other;

	UNIT_EQ(rfx_setup(), 0);
	arr = rfx_new(D_A, RFX_T_ARR4, 32);
	node = rfx_new(D_A, RFX_T_NODE, 64);
	other = rfx_new(D_A, 0, 8);
	UNIT_ASSERT(arr && node && other);
	rfx_set(&F, arr, 0, node); /* RFX_T_ARR4 holds RFX_T_LEAF only */
	UNIT_EQ(rfx_cross(D_A, D_B, arr, 0, 0, 0, rfx_kinds(MV, S, S, S), &p),
		-EINVAL);
	UNIT_STREQ(p.why, "rref of the wrong type");
	rfx_set(&F, arr, 0, 0);
	rfx_set(&F, node, 3, other); /* the untyped slot takes anything */
	UNIT_EQ(rfx_cross(D_A, D_B, node, 0, 0, 0, rfx_kinds(MV, S, S, S), &p),
		0);
	UNIT_EQ(rfx_meta(other)->owner, D_B);
	RFX_CONSISTENT(&p);
	UNIT_EQ(rfx_finish(), 0);
}

UNIT_TEST(container_cycles_and_self_references_are_refused)
{
	struct rref_cross_plan p;
	uint64_t n1;
	uint64_t n2;

	UNIT_EQ(rfx_setup(), 0);
	n1 = rfx_new(D_A, RFX_T_NODE, 64);
	n2 = rfx_new(D_A, RFX_T_NODE, 64);
	UNIT_ASSERT(n1 && n2);
	rfx_set(&F, n1, 1, n1);
	UNIT_EQ(rfx_cross(D_A, D_B, n1, 0, 0, 0, rfx_kinds(MV, S, S, S), &p),
		-EINVAL);
	UNIT_STREQ(p.why, "rref passed twice");
	rfx_set(&F, n1, 1, n2);
	rfx_set(&F, n2, 1, n1);
	UNIT_EQ(rfx_cross(D_A, D_B, n1, 0, 0, 0, rfx_kinds(BR, S, S, S), &p),
		-EINVAL);
	UNIT_EQ(rfx_meta(n1)->owner, D_A);
	UNIT_EQ(rfx_meta(n2)->borrows, 0);
	RFX_CONSISTENT(&p);
	UNIT_EQ(rfx_finish(), 0);
}

UNIT_TEST(nesting_deeper_than_the_limit_is_refused)
{
	struct rref_cross_plan p;
	uint64_t n[RREF_NEST_MAX + 2];

	UNIT_EQ(rfx_setup(), 0);
	for (unsigned int i = 0; i < ARRAY_SIZE(n); i++) {
		n[i] = rfx_new(D_A, RFX_T_NODE, 64);
		UNIT_ASSERT(n[i]);
		if (i) {
			rfx_set(&F, n[i - 1], 1, n[i]);
		}
	}
	UNIT_EQ(rfx_cross(D_A, D_B, n[0], 0, 0, 0, rfx_kinds(MV, S, S, S), &p),
		-EINVAL);
	UNIT_STREQ(p.why, "rrefs nested too deep");
	/* RREF_NEST_MAX levels below the word are fine. */
	rfx_set(&F, n[RREF_NEST_MAX], 1, 0);
	UNIT_EQ(rfx_cross(D_A, D_B, n[0], 0, 0, 0, rfx_kinds(MV, S, S, S), &p),
		0);
	UNIT_EQ(p.n, RREF_NEST_MAX + 1);
	UNIT_EQ(rfx_ent(&p, n[RREF_NEST_MAX])->depth, RREF_NEST_MAX);
	UNIT_EQ(rfx_meta(n[RREF_NEST_MAX + 1])->owner, D_A);
	RFX_CONSISTENT(&p);
	UNIT_EQ(rfx_finish(), 0);
}

UNIT_TEST(plan_overflow_is_refused)
{
	struct rref_cross_plan p;
	uint64_t big;
	uint64_t x;

	UNIT_EQ(rfx_setup(), 0);
	big = rfx_new(D_A, RFX_T_BIG, RREF_PLAN_MAX * 8);
	UNIT_ASSERT(big);
	for (unsigned int i = 0; i < RREF_PLAN_MAX - 1; i++) {
		x = rfx_new(D_A, RFX_T_LEAF, 32);
		UNIT_ASSERT(x);
		rfx_set(&F, big, i, x);
	}
	x = rfx_new(D_A, RFX_T_LEAF, 32);
	UNIT_ASSERT(x);
	UNIT_EQ(rfx_cross(D_A, D_B, big, x, 0, 0, rfx_kinds(MV, MV, S, S), &p),
		-EINVAL);
	UNIT_STREQ(p.why, "too many rrefs in one crossing");
	UNIT_EQ(p.bad_word, 1);
	rfx_set(&F, big, RREF_PLAN_MAX - 1, x);
	UNIT_EQ(rfx_cross(D_A, D_B, big, 0, 0, 0, rfx_kinds(MV, S, S, S), &p),
		-EINVAL);
	rfx_set(&F, big, RREF_PLAN_MAX - 1, 0);
	UNIT_EQ(rfx_cross(D_A, D_B, big, 0, 0, 0, rfx_kinds(BR, S, S, S), &p),
		0);
	UNIT_EQ(p.n, RREF_PLAN_MAX);
	RFX_CONSISTENT(&p);
	UNIT_EQ(rfx_finish(), 0);
}

UNIT_TEST(a_failing_slot_read_refuses_the_call)
{
	struct rref_cross_plan p;
	struct rfx_snap s0;
	struct rfx_snap s1;
	uint64_t arr;
	uint64_t leaf;

	UNIT_EQ(rfx_setup(), 0);
	arr = rfx_new(D_A, RFX_T_ARR4, 32);
	leaf = rfx_new(D_A, RFX_T_LEAF, 32);
	UNIT_ASSERT(arr && leaf);
	rfx_set(&F, arr, 0, leaf);
	rfx_snap_take(&F, &s0);
	F.read_err = -EIO;
	UNIT_EQ(rfx_cross(D_A, D_B, arr, 0, 0, 0, rfx_kinds(MV, S, S, S), &p),
		-EIO);
	F.read_err = 0;
	UNIT_EQ(p.state, RREF_PLAN_EMPTY);
	rfx_snap_take(&F, &s1);
	UNIT_ASSERT(rfx_snap_equal(&s0, &s1));
	rfx_snap_free(&s0);
	rfx_snap_free(&s1);
	RFX_CONSISTENT(&p);
	UNIT_EQ(rfx_finish(), 0);
}

UNIT_TEST(drop_owner_removes_everything_the_domain_owns)
{
	struct rref_owner_stats os;
	uint64_t a[10];
	uint64_t b[3];

	UNIT_EQ(rfx_setup(), 0);
	for (int i = 0; i < 10; i++) {
		a[i] = rfx_new(D_A, 0, (uint64_t)(i + 1) * 1000);
		UNIT_ASSERT(a[i]);
	}
	for (int i = 0; i < 3; i++) {
		b[i] = rfx_new(D_B, 0, 8);
		UNIT_ASSERT(b[i]);
	}
	rref_tab_owner_stats(&F.t, D_A, &os);
	UNIT_EQ(os.rrefs, 10);
	UNIT_EQ(os.bytes, 55000);
	UNIT_EQ(rfx_drop(&F, D_A), 10);
	UNIT_EQ(F.ndropped, 10);
	for (int i = 0; i < 10; i++) {
		UNIT_ASSERT(rfx_meta(a[i]) == NULL);
		UNIT_ASSERT(rfx_was_dropped(&F, a[i]));
	}
	rref_tab_owner_stats(&F.t, D_A, &os);
	UNIT_EQ(os.rrefs, 0);
	rref_tab_owner_stats(&F.t, D_B, &os);
	UNIT_EQ(os.rrefs, 3);
	UNIT_EQ(os.pages, 3);
	UNIT_EQ(rfx_drop(&F, D_A), 0);
	UNIT_EQ(rfx_drop(&F, RREF_OWNER_NONE), 0);
	RFX_CONSISTENT();
	UNIT_EQ(rfx_finish(), 0);
}

UNIT_TEST(drop_owner_follows_nested_rrefs_through_cycles)
{
	uint64_t n[3];
	uint64_t arr;
	uint64_t leaf[4];
	uint64_t stray;
	uint64_t foreign;
	long pa;

	UNIT_EQ(rfx_setup(), 0);
	for (int i = 0; i < 3; i++) {
		n[i] = rfx_new(D_A, RFX_T_NODE, 64);
		UNIT_ASSERT(n[i]);
	}
	foreign = rfx_new(D_B, RFX_T_LEAF, 32);
	stray = rfx_new(D_A, RFX_T_LEAF, 32);
	arr = rfx_new(D_A, RFX_T_ARR4, 32);
	UNIT_ASSERT(foreign && stray && arr);
	for (int i = 0; i < 4; i++) {
		leaf[i] = rfx_new(D_A, RFX_T_LEAF, 32);
		UNIT_ASSERT(leaf[i]);
		rfx_set(&F, arr, (unsigned int)i, leaf[i]);
	}
	/* n0 -> n1 -> n2 -> n0, n0 points at itself, n1 at B's leaf. */
	rfx_set(&F, n[0], 1, n[1]);
	rfx_set(&F, n[1], 1, n[2]);
	rfx_set(&F, n[2], 1, n[0]);
	rfx_set(&F, n[0], 3, n[0]);
	rfx_set(&F, n[1], 3, foreign);
	rfx_set(&F, n[2], 3, SHEAP_BASE + 4000 * RREF_PAGE_SIZE); /* forged */

	UNIT_EQ(rfx_drop(&F, D_A), 9);
	UNIT_EQ(F.ndropped, 9);
	for (int i = 0; i < 3; i++) {
		UNIT_ASSERT(rfx_was_dropped(&F, n[i]));
	}
	UNIT_ASSERT(rfx_was_dropped(&F, stray));
	UNIT_ASSERT(!rfx_was_dropped(&F, foreign));
	UNIT_EQ(rfx_meta(foreign)->owner, D_B);
	/* Contents the sweep had not reached follow their container. */
	pa = rfx_drop_pos(&F, arr);
	UNIT_ASSERT(pa >= 0);
	for (int i = 0; i < 4; i++) {
		long pl = rfx_drop_pos(&F, leaf[i]);

		UNIT_ASSERT(pl >= 0);
		UNIT_ASSERT(pl < pa || pl <= pa + 4);
	}
	/* Every slot was read before its container's memory was freed. */
	UNIT_ASSERT(!F.bad_read);
	UNIT_ASSERT(F.reads > 0);
	RFX_CONSISTENT();
	UNIT_EQ(rfx_finish(), 0);
}

UNIT_TEST(owner_death_while_lent_leaves_an_orphan_freed_at_return)
{
	struct rref_cross_plan p;
	struct rref_cross_plan q;
	struct rref_cross_plan r;
	struct rref_tab_stats st;
	uint64_t x;
	uint64_t y;

	UNIT_EQ(rfx_setup(), 0);
	x = rfx_new(D_A, 0, 2 * RREF_PAGE_SIZE);
	y = rfx_new(D_A, 0, 8);
	UNIT_ASSERT(x && y);
	UNIT_EQ(rfx_cross(D_A, D_B, x, 0, 0, 0, rfx_kinds(BR, S, S, S), &p), 0);
	UNIT_EQ(rfx_cross(D_A, D_B, x, 0, 0, 0, rfx_kinds(BR, S, S, S), &q), 0);
	UNIT_EQ(rfx_drop(&F, D_A), 1); /* y now; x is still read by B */
	UNIT_ASSERT(rfx_meta(y) == NULL);
	UNIT_EQ(rfx_meta(x)->owner, RREF_OWNER_NONE);
	UNIT_ASSERT(rfx_meta(x)->flags & RREF_F_ORPHAN);
	rref_tab_stats(&F.t, &st);
	UNIT_EQ(st.orphans, 1);
	UNIT_EQ(st.lent, 1);
	RFX_CONSISTENT(&p, &q);
	/* Nobody can pass or free an orphan. */
	UNIT_EQ(rfx_free(&F, D_A, x), -EPERM);
	UNIT_EQ(rfx_free(&F, D_B, x), -EPERM);
	UNIT_EQ(rfx_cross(D_B, D_C, x, 0, 0, 0, rfx_kinds(BR, S, S, S), &r),
		-EINVAL);
	UNIT_EQ(rfx_drop(&F, D_B), 0);
	UNIT_ASSERT(rfx_meta(x) != NULL);
	/* First return: still lent. Second: unmapped and freed. */
	UNIT_EQ(rfx_ret(D_B, D_A, 0, 0, 0, &q, &r), 0);
	UNIT_EQ(r.n, 0);
	UNIT_ASSERT(rfx_meta(x) != NULL);
	UNIT_EQ(rfx_ret(D_B, D_A, 0, 0, 0, &p, &r), 0);
	UNIT_EQ(r.n, 1);
	UNIT_EQ(r.ent[0].addr, x);
	UNIT_EQ(r.ent[0].npages, 2);
	UNIT_EQ(r.ent[0].action, RREF_ACT_UNMAP_CALLEE | RREF_ACT_FREE);
	UNIT_ASSERT(rfx_meta(x) == NULL);
	rref_tab_stats(&F.t, &st);
	UNIT_EQ(st.orphans, 0);
	UNIT_EQ(st.live, 0);
	UNIT_EQ(st.va_used, 0);
	RFX_CONSISTENT(&p, &q);
	UNIT_EQ(rfx_finish(), 0);
}

UNIT_TEST(orphan_is_freed_by_the_unwind_of_a_dead_borrower)
{
	struct rref_cross_plan p;
	struct rref_cross_plan u;
	uint64_t arr;
	uint64_t leaf;

	/* A lends a container to B; both die. */
	UNIT_EQ(rfx_setup(), 0);
	arr = rfx_new(D_A, RFX_T_ARR4, 32);
	leaf = rfx_new(D_A, RFX_T_LEAF, 32);
	UNIT_ASSERT(arr && leaf);
	rfx_set(&F, arr, 1, leaf);
	UNIT_EQ(rfx_cross(D_A, D_B, arr, 0, 0, 0, rfx_kinds(BR, S, S, S), &p),
		0);
	UNIT_EQ(rfx_drop(&F, D_A), 0);
	UNIT_EQ(F.t.orphans, 2);
	UNIT_EQ(rfx_drop(&F, D_B), 0);
	UNIT_EQ(rfx_unwind(D_B, D_A, &p, &u), 0);
	UNIT_EQ(u.n, 2);
	UNIT_EQ(u.ent[0].action, RREF_ACT_UNMAP_CALLEE | RREF_ACT_FREE);
	UNIT_EQ(u.ent[1].action, RREF_ACT_UNMAP_CALLEE | RREF_ACT_FREE);
	UNIT_EQ(F.t.live, 0);
	UNIT_EQ(F.t.orphans, 0);
	RFX_CONSISTENT(&p);
	UNIT_EQ(rfx_finish(), 0);
}

UNIT_TEST(dying_callee_returns_loans_in_either_order_of_cleanup)
{
	for (int order = 0; order < 2; order++) {
		struct rref_cross_plan p1;
		struct rref_cross_plan p2;
		struct rref_cross_plan u;
		uint64_t lent;
		uint64_t moved;
		uint64_t own;

		/* Two threads of A are inside B when B dies. */
		UNIT_EQ(rfx_setup(), 0);
		lent = rfx_new(D_A, 0, 8);
		moved = rfx_new(D_A, 0, 8);
		own = rfx_new(D_B, 0, 8);
		UNIT_ASSERT(lent && moved && own);
		UNIT_EQ(rfx_cross(D_A, D_B, lent, moved, 0, 0,
				  rfx_kinds(BR, MV, S, S), &p1),
			0);
		UNIT_EQ(rfx_cross(D_A, D_B, lent, 0, 0, 0,
				  rfx_kinds(BR, S, S, S), &p2),
			0);
		if (order == 0) {
			UNIT_EQ(rfx_drop(&F, D_B), 2);
		}
		UNIT_EQ(rfx_unwind(D_B, D_A, &p2, &u), 0);
		UNIT_EQ(u.n, 0);
		UNIT_EQ(rfx_unwind(D_B, D_A, &p1, &u), 0);
		UNIT_EQ(u.n, 1);
		if (order == 1) {
			UNIT_EQ(rfx_drop(&F, D_B), 2);
		}
		UNIT_ASSERT(rfx_meta(moved) == NULL && rfx_meta(own) == NULL);
		UNIT_EQ(rfx_meta(lent)->borrows, 0);
		UNIT_EQ(rfx_meta(lent)->owner, D_A);
		RFX_CONSISTENT(&p1, &p2);
		UNIT_EQ(rfx_finish(), 0);
	}
}

UNIT_TEST(results_to_a_dead_caller_are_dropped_after_the_return)
{
	struct rref_cross_plan p;
	struct rref_cross_plan r;
	uint64_t lent;
	uint64_t res;

	UNIT_EQ(rfx_setup(), 0);
	lent = rfx_new(D_A, 0, 8);
	UNIT_ASSERT(lent);
	UNIT_EQ(rfx_cross(D_A, D_B, lent, 0, 0, 0, rfx_kinds(BR, S, S, S), &p),
		0);
	UNIT_EQ(rfx_drop(&F, D_A), 0); /* A dies while its thread is in B */
	res = rfx_new(D_B, 0, 8);
	UNIT_ASSERT(res);
	UNIT_EQ(rfx_ret(D_B, D_A, res, 0, rfx_kinds(MV, S, S, S), &p, &r), 0);
	UNIT_ASSERT(rfx_meta(lent) == NULL);
	UNIT_EQ(rfx_meta(res)->owner, D_A);
	UNIT_EQ(rfx_drop(&F, D_A), 1);
	UNIT_EQ(F.t.live, 0);
	RFX_CONSISTENT(&p);
	UNIT_EQ(rfx_finish(), 0);
}
