// SPDX-License-Identifier: MIT
/*
 * Host tests for the crossing rules of the rref ownership table
 * (lib/rref/rref_cross.c): moves, borrows, optional and unknown kinds,
 * forged, stale and repeated arguments, per-word types, returns, and
 * unwinds at every point of a call, nested chains included. Each refused
 * crossing is checked to change nothing.
 */
#include <stdlib.h>
#include <string.h>

#include "abi/errno.h"
#include "rref_fixture.h"
#include "rref_short.h"
#include "unit.h"

UNIT_TEST(move_clears_the_callers_ownership)
{
	struct rref_cross_plan p;
	struct rref_cross_plan q;
	uint64_t x;

	UNIT_EQ(rfx_setup(), 0);
	x = rfx_new(D_A, 0, 2 * RREF_PAGE_SIZE);
	UNIT_ASSERT(x);
	UNIT_EQ(rfx_cross(D_A, D_B, 7, x, 0, 0, rfx_kinds(S, MV, S, S), &p), 0);
	UNIT_EQ(p.state, RREF_PLAN_APPLIED);
	UNIT_EQ(p.caller, D_A);
	UNIT_EQ(p.callee, D_B);
	UNIT_EQ(p.n, 1);
	UNIT_EQ(p.ent[0].addr, x);
	UNIT_EQ(p.ent[0].npages, 2);
	UNIT_EQ(p.ent[0].kind, RREF_ENT_MOVE);
	UNIT_EQ(p.ent[0].word, 1);
	UNIT_EQ(p.ent[0].depth, 0);
	UNIT_EQ(p.ent[0].action,
		RREF_ACT_UNMAP_CALLER | RREF_ACT_MAP_RW_CALLEE);
	UNIT_ASSERT(!rref_tab_is_owned(&F.t, x, D_A));
	UNIT_ASSERT(rref_tab_is_owned(&F.t, x, D_B));
	UNIT_EQ(rfx_free(&F, D_A, x), -EPERM);
	/* The old owner cannot pass it on any more; the new one can. */
	UNIT_EQ(rfx_cross(D_A, D_C, x, 0, 0, 0, rfx_kinds(MV, S, S, S), &q),
		-EINVAL);
	UNIT_STREQ(q.why, "rref not owned by the sender");
	UNIT_EQ(q.bad_word, 0);
	UNIT_EQ(q.state, RREF_PLAN_EMPTY);
	UNIT_EQ(rfx_cross(D_B, D_C, x, 0, 0, 0, rfx_kinds(MV, S, S, S), &q), 0);
	UNIT_EQ(rfx_meta(x)->owner, D_C);
	RFX_CONSISTENT(&p, &q);
	UNIT_EQ(rfx_finish(), 0);
}

UNIT_TEST(borrow_keeps_the_owner_and_maps_read_only_once)
{
	struct rref_cross_plan p1;
	struct rref_cross_plan p2;
	struct rref_cross_plan r;
	uint64_t x;

	UNIT_EQ(rfx_setup(), 0);
	x = rfx_new(D_A, 0, 8);
	UNIT_ASSERT(x);
	UNIT_EQ(rfx_cross(D_A, D_B, x, 0, 0, 0, rfx_kinds(BR, S, S, S), &p1),
		0);
	UNIT_EQ(p1.ent[0].kind, RREF_ENT_BORROW);
	UNIT_EQ(p1.ent[0].action, RREF_ACT_MAP_RO_CALLEE);
	UNIT_EQ(rfx_meta(x)->owner, D_A);
	UNIT_EQ(rfx_meta(x)->borrows, 1);
	UNIT_EQ(rfx_meta(x)->borrower, D_B);
	/* Lent again to the same domain (a nested call): already mapped. */
	UNIT_EQ(rfx_cross(D_A, D_B, 0, x, 0, 0, rfx_kinds(S, BR, S, S), &p2),
		0);
	UNIT_EQ(p2.n, 1);
	UNIT_EQ(p2.ent[0].action, 0);
	UNIT_EQ(rfx_meta(x)->borrows, 2);
	RFX_CONSISTENT(&p1, &p2);
	/* The inner return must not unmap what the outer call still uses. */
	UNIT_EQ(rfx_ret(D_B, D_A, 0, 0, 0, &p2, &r), 0);
	UNIT_EQ(r.n, 0);
	UNIT_EQ(rfx_meta(x)->borrows, 1);
	RFX_CONSISTENT(&p1, &p2);
	UNIT_EQ(rfx_ret(D_B, D_A, 0, 0, 0, &p1, &r), 0);
	UNIT_EQ(r.n, 1);
	UNIT_EQ(r.ent[0].addr, x);
	UNIT_EQ(r.ent[0].kind, RREF_ENT_RELEASE);
	UNIT_EQ(r.ent[0].action, RREF_ACT_UNMAP_CALLEE);
	UNIT_EQ(rfx_meta(x)->borrows, 0);
	UNIT_EQ(rfx_meta(x)->borrower, RREF_OWNER_NONE);
	RFX_CONSISTENT(&p1, &p2);
	UNIT_EQ(rfx_finish(), 0);
}

UNIT_TEST(double_move_in_one_call_is_refused_and_changes_nothing)
{
	struct rref_cross_plan p;
	struct rfx_snap s0;
	struct rfx_snap s1;
	uint64_t x;
	uint64_t y;

	UNIT_EQ(rfx_setup(), 0);
	x = rfx_new(D_A, 0, 8);
	y = rfx_new(D_A, 0, 8);
	UNIT_ASSERT(x && y);
	rfx_snap_take(&F, &s0);
	UNIT_EQ(rfx_cross(D_A, D_B, y, x, 5, x, rfx_kinds(MV, MV, S, MV), &p),
		-EINVAL);
	rfx_snap_take(&F, &s1);
	UNIT_ASSERT(rfx_snap_equal(&s0, &s1));
	rfx_snap_free(&s0);
	rfx_snap_free(&s1);
	UNIT_EQ(p.bad_word, 3);
	UNIT_STREQ(p.why, "rref passed twice");
	UNIT_EQ(p.state, RREF_PLAN_EMPTY);
	UNIT_EQ(p.n, 0);
	UNIT_EQ(rfx_meta(x)->owner, D_A);
	UNIT_EQ(rfx_meta(y)->owner, D_A);
	RFX_CONSISTENT(&p);
	UNIT_EQ(rfx_finish(), 0);
}

UNIT_TEST(same_rref_as_move_and_borrow_is_refused)
{
	struct rref_cross_plan p;
	struct rfx_snap s0;
	struct rfx_snap s1;
	uint64_t x;

	UNIT_EQ(rfx_setup(), 0);
	x = rfx_new(D_A, 0, 8);
	UNIT_ASSERT(x);
	rfx_snap_take(&F, &s0);
	UNIT_EQ(rfx_cross(D_A, D_B, x, x, 0, 0, rfx_kinds(BR, MV, S, S), &p),
		-EINVAL);
	UNIT_EQ(p.bad_word, 1);
	UNIT_EQ(rfx_cross(D_A, D_B, x, x, 0, 0, rfx_kinds(MV, BR, S, S), &p),
		-EINVAL);
	UNIT_EQ(p.bad_word, 1);
	UNIT_EQ(rfx_cross(D_A, D_B, x, 0, x, 0, rfx_kinds(BR, S, BRO, S), &p),
		-EINVAL);
	UNIT_EQ(p.bad_word, 2);
	rfx_snap_take(&F, &s1);
	UNIT_ASSERT(rfx_snap_equal(&s0, &s1));
	rfx_snap_free(&s0);
	rfx_snap_free(&s1);
	RFX_CONSISTENT(&p);
	UNIT_EQ(rfx_finish(), 0);
}

UNIT_TEST(forged_freed_and_interior_arguments_are_refused)
{
	const uint64_t forged = SHEAP_BASE + 777 * RREF_PAGE_SIZE;
	struct rref_cross_plan p;
	struct rfx_snap s0;
	struct rfx_snap s1;
	uint64_t x;
	uint64_t dead;

	UNIT_EQ(rfx_setup(), 0);
	x = rfx_new(D_A, 0, 2 * RREF_PAGE_SIZE);
	dead = rfx_new(D_A, 0, 8);
	UNIT_ASSERT(x && dead);
	UNIT_EQ(rfx_free(&F, D_A, dead), 0);
	rfx_snap_take(&F, &s0);
	const uint64_t bad[] = {forged,
				dead,
				x + 8,
				x + RREF_PAGE_SIZE,
				x + 2 * RREF_PAGE_SIZE,
				1,
				0x1000,
				0};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		UNIT_EQ(rfx_cross(D_A, D_B, x, 0, 0, bad[i],
				  rfx_kinds(MV, S, S, MV), &p),
			-EINVAL);
		UNIT_EQ(p.bad_word, 3);
		UNIT_STREQ(p.why, "not a live rref");
		UNIT_EQ(rfx_cross(D_A, D_B, x, 0, 0, bad[i],
				  rfx_kinds(BR, S, S, BR), &p),
			-EINVAL);
		UNIT_EQ(p.bad_word, 3);
	}
	rfx_snap_take(&F, &s1);
	UNIT_ASSERT(rfx_snap_equal(&s0, &s1));
	rfx_snap_free(&s0);
	rfx_snap_free(&s1);
	UNIT_EQ(rfx_meta(x)->owner, D_A);
	UNIT_EQ(rfx_meta(x)->borrows, 0);
	RFX_CONSISTENT(&p);
	UNIT_EQ(rfx_finish(), 0);
}

UNIT_TEST(all_words_are_validated_before_any_change)
{
	struct rref_cross_plan p;
	struct rfx_snap s0;
	struct rfx_snap s1;
	uint64_t m;
	uint64_t b;
	uint64_t foreign;

	UNIT_EQ(rfx_setup(), 0);
	m = rfx_new(D_A, 0, 8);
	b = rfx_new(D_A, 0, 8);
	foreign = rfx_new(D_C, 0, 8);
	UNIT_ASSERT(m && b && foreign);
	rfx_snap_take(&F, &s0);
	UNIT_EQ(rfx_cross(D_A, D_B, m, b, 9, foreign, rfx_kinds(MV, BR, S, BR),
			  &p),
		-EINVAL);
	UNIT_EQ(p.bad_word, 3);
	rfx_snap_take(&F, &s1);
	UNIT_ASSERT(rfx_snap_equal(&s0, &s1));
	rfx_snap_free(&s0);
	rfx_snap_free(&s1);
	RFX_CONSISTENT(&p);
	UNIT_EQ(rfx_finish(), 0);
}

UNIT_TEST(borrowed_out_rref_cannot_be_moved_freed_or_lent_elsewhere)
{
	struct rref_cross_plan p;
	struct rref_cross_plan q;
	uint64_t x;

	UNIT_EQ(rfx_setup(), 0);
	x = rfx_new(D_A, 0, 8);
	UNIT_ASSERT(x);
	UNIT_EQ(rfx_cross(D_A, D_B, x, 0, 0, 0, rfx_kinds(BR, S, S, S), &p), 0);
	UNIT_EQ(rfx_cross(D_A, D_C, x, 0, 0, 0, rfx_kinds(MV, S, S, S), &q),
		-EINVAL);
	UNIT_STREQ(q.why, "rref is lent out");
	UNIT_EQ(rfx_cross(D_A, D_B, x, 0, 0, 0, rfx_kinds(MV, S, S, S), &q),
		-EINVAL);
	UNIT_EQ(rfx_cross(D_A, D_C, x, 0, 0, 0, rfx_kinds(BR, S, S, S), &q),
		-EINVAL);
	UNIT_STREQ(q.why, "rref is lent to another domain");
	UNIT_EQ(rfx_free(&F, D_A, x), -EBUSY);
	/* The borrower owns nothing: it can neither pass nor free it. */
	UNIT_EQ(rfx_cross(D_B, D_C, x, 0, 0, 0, rfx_kinds(BR, S, S, S), &q),
		-EINVAL);
	UNIT_EQ(rfx_free(&F, D_B, x), -EPERM);
	UNIT_EQ(rfx_meta(x)->borrows, 1);
	RFX_CONSISTENT(&p, &q);
	UNIT_EQ(rfx_finish(), 0);
}

UNIT_TEST(optional_kinds_take_zero_and_required_kinds_do_not)
{
	struct rref_cross_plan p;

	UNIT_EQ(rfx_setup(), 0);
	UNIT_EQ(rfx_cross(D_A, D_B, 0, 0, 0, 0, rfx_kinds(MVO, BRO, S, H), &p),
		0);
	UNIT_EQ(p.n, 0);
	UNIT_EQ(p.state, RREF_PLAN_APPLIED);
	UNIT_EQ(rfx_cross(D_A, D_B, 0, 0, 0, 0, rfx_kinds(MVO, MV, S, S), &p),
		-EINVAL);
	UNIT_EQ(p.bad_word, 1);
	UNIT_EQ(rfx_cross(D_A, D_B, 0, 0, 0, 0, rfx_kinds(S, S, BR, S), &p),
		-EINVAL);
	UNIT_EQ(p.bad_word, 2);
	RFX_CONSISTENT(&p);
	UNIT_EQ(rfx_finish(), 0);
}

UNIT_TEST(scalar_and_handle_words_are_ignored_even_with_rref_values)
{
	struct rref_cross_plan p;
	uint64_t x;

	UNIT_EQ(rfx_setup(), 0);
	x = rfx_new(D_A, 0, 8);
	UNIT_ASSERT(x);
	UNIT_EQ(rfx_cross(D_A, D_B, x, x, x, x, rfx_kinds(S, H, S, H), &p), 0);
	UNIT_EQ(p.n, 0);
	UNIT_EQ(rfx_meta(x)->owner, D_A);
	UNIT_EQ(rfx_meta(x)->borrows, 0);
	RFX_CONSISTENT(&p);
	UNIT_EQ(rfx_finish(), 0);
}

UNIT_TEST(unknown_kinds_and_bad_domains_are_refused)
{
	struct rref_cross_plan p;
	uint64_t x;

	UNIT_EQ(rfx_setup(), 0);
	x = rfx_new(D_A, 0, 8);
	UNIT_ASSERT(x);
	UNIT_EQ(rfx_cross(D_A, D_B, 0, x, 0, 0, rfx_kinds(S, 6, S, S), &p),
		-EINVAL);
	UNIT_EQ(p.bad_word, 1);
	UNIT_EQ(rfx_cross(D_A, D_B, 0, 0, 0, x, rfx_kinds(S, S, S, 7), &p),
		-EINVAL);
	UNIT_EQ(p.bad_word, 3);
	UNIT_EQ(rfx_cross(D_A, D_B, 0, 0, 0, 0, 1u << 12, &p), -EINVAL);
	UNIT_EQ(p.bad_word, -1);
	UNIT_EQ(rfx_cross(D_A, D_A, x, 0, 0, 0, rfx_kinds(MV, S, S, S), &p),
		-EINVAL);
	UNIT_EQ(rfx_cross(RREF_OWNER_NONE, D_B, 0, 0, 0, 0, 0, &p), -EINVAL);
	UNIT_EQ(rfx_cross(D_A, RREF_OWNER_NONE, 0, 0, 0, 0, 0, &p), -EINVAL);
	UNIT_EQ(rfx_meta(x)->owner, D_A);
	RFX_CONSISTENT(&p);
	UNIT_EQ(rfx_finish(), 0);
}

UNIT_TEST(argument_types_are_checked_per_word)
{
	const uint64_t types[IPC_WORDS] = {RFX_T_LEAF, 0, RFX_T_ARR4, 0};
	uint64_t w[IPC_WORDS];
	struct rref_cross_plan p;
	uint64_t leaf;
	uint64_t arr;

	UNIT_EQ(rfx_setup(), 0);
	leaf = rfx_new(D_A, RFX_T_LEAF, 32);
	arr = rfx_new(D_A, RFX_T_ARR4, 32);
	UNIT_ASSERT(leaf && arr);
	w[0] = arr;
	w[1] = 0;
	w[2] = leaf;
	w[3] = 0;
	UNIT_EQ(rref_tab_cross(&F.t, D_A, D_B, w, rfx_kinds(MV, S, MV, S),
			       types, &p),
		-EINVAL);
	UNIT_STREQ(p.why, "rref of the wrong type");
	UNIT_EQ(p.bad_word, 0);
	w[0] = leaf;
	w[2] = arr;
	UNIT_EQ(rref_tab_cross(&F.t, D_A, D_B, w, rfx_kinds(MV, S, MV, S),
			       types, &p),
		0);
	UNIT_EQ(rfx_meta(leaf)->owner, D_B);
	UNIT_EQ(rfx_meta(arr)->owner, D_B);
	RFX_CONSISTENT(&p);
	UNIT_EQ(rfx_finish(), 0);
}

UNIT_TEST(returned_rrefs_become_the_callers)
{
	struct rref_cross_plan p;
	struct rref_cross_plan r;
	uint64_t in;
	uint64_t lent;
	uint64_t made;

	UNIT_EQ(rfx_setup(), 0);
	in = rfx_new(D_A, 0, 8);
	lent = rfx_new(D_A, 0, 8);
	UNIT_ASSERT(in && lent);
	UNIT_EQ(rfx_cross(D_A, D_B, in, lent, 0, 0, rfx_kinds(MV, BR, S, S),
			  &p),
		0);
	made = rfx_new(D_B, 0, 8); /* the callee allocates a result */
	UNIT_ASSERT(made);
	UNIT_EQ(rfx_ret(D_B, D_A, made, in, rfx_kinds(MV, MVO, S, S), &p, &r),
		0);
	UNIT_EQ(p.state, RREF_PLAN_RETIRED);
	UNIT_EQ(r.state, RREF_PLAN_RETIRED);
	UNIT_EQ(r.n, 3);
	UNIT_EQ(rfx_ent(&r, made)->kind, RREF_ENT_RESULT);
	UNIT_EQ(rfx_ent(&r, made)->action,
		RREF_ACT_UNMAP_CALLEE | RREF_ACT_MAP_RW_CALLER);
	UNIT_EQ(rfx_ent(&r, in)->word, 1);
	UNIT_EQ(rfx_ent(&r, lent)->kind, RREF_ENT_RELEASE);
	UNIT_EQ(rfx_ent(&r, lent)->action, RREF_ACT_UNMAP_CALLEE);
	UNIT_EQ(rfx_meta(made)->owner, D_A);
	UNIT_EQ(rfx_meta(in)->owner, D_A);
	UNIT_EQ(rfx_meta(lent)->borrows, 0);
	RFX_CONSISTENT(&p, &r);
	/* A plan returns once. */
	UNIT_EQ(rfx_ret(D_B, D_A, 0, 0, 0, &p, &r), -EINVAL);
	UNIT_EQ(rfx_finish(), 0);
}

UNIT_TEST(invalid_results_are_refused_and_change_nothing)
{
	struct rref_cross_plan p;
	struct rref_cross_plan r;
	struct rref_cross_plan u;
	struct rref_cross_plan q;
	struct rfx_snap s0;
	struct rfx_snap s1;
	uint64_t lent;
	uint64_t mine;
	uint64_t b_own;
	uint64_t b_lent;

	UNIT_EQ(rfx_setup(), 0);
	lent = rfx_new(D_A, 0, 8);
	mine = rfx_new(D_A, 0, 8);
	b_own = rfx_new(D_B, 0, 8);
	b_lent = rfx_new(D_B, 0, 8);
	UNIT_ASSERT(lent && mine && b_own && b_lent);
	UNIT_EQ(rfx_cross(D_A, D_B, lent, 0, 0, 0, rfx_kinds(BR, S, S, S), &p),
		0);
	UNIT_EQ(rfx_cross(D_B, D_C, b_lent, 0, 0, 0, rfx_kinds(BR, S, S, S),
			  &q),
		0);
	rfx_snap_take(&F, &s0);
	/* The caller's own rref, the lent argument, a lent-out rref, ... */
	UNIT_EQ(rfx_ret(D_B, D_A, b_own, mine, rfx_kinds(MV, MV, S, S), &p, &r),
		-EINVAL);
	UNIT_EQ(r.bad_word, 1);
	UNIT_EQ(rfx_ret(D_B, D_A, lent, 0, rfx_kinds(MV, S, S, S), &p, &r),
		-EINVAL);
	UNIT_EQ(rfx_ret(D_B, D_A, b_lent, 0, rfx_kinds(MV, S, S, S), &p, &r),
		-EINVAL);
	UNIT_STREQ(r.why, "rref is lent out");
	/* ... a result twice, a borrowed result, a forged one. */
	UNIT_EQ(rfx_ret(D_B, D_A, b_own, b_own, rfx_kinds(MV, MV, S, S), &p,
			&r),
		-EINVAL);
	UNIT_EQ(rfx_ret(D_B, D_A, b_own, 0, rfx_kinds(BR, S, S, S), &p, &r),
		-EINVAL);
	UNIT_STREQ(r.why, "kind not allowed here");
	UNIT_EQ(rfx_ret(D_B, D_A, b_own + 8, 0, rfx_kinds(MV, S, S, S), &p, &r),
		-EINVAL);
	/* The wrong call: other callee, other caller. */
	UNIT_EQ(rfx_ret(D_C, D_A, 0, 0, 0, &p, &r), -EINVAL);
	UNIT_EQ(rfx_ret(D_B, D_C, 0, 0, 0, &p, &r), -EINVAL);
	rfx_snap_take(&F, &s1);
	UNIT_ASSERT(rfx_snap_equal(&s0, &s1));
	rfx_snap_free(&s0);
	rfx_snap_free(&s1);
	UNIT_EQ(p.state, RREF_PLAN_APPLIED);
	RFX_CONSISTENT(&p, &q);
	/* The kernel faults the callee: the unwind still has its plan. */
	UNIT_EQ(rfx_unwind(D_B, D_A, &p, &u), 0);
	UNIT_EQ(rfx_meta(lent)->borrows, 0);
	UNIT_EQ(u.n, 1);
	RFX_CONSISTENT(&p, &q);
	UNIT_EQ(rfx_finish(), 0);
}

enum point { BEFORE_CROSS, REFUSED_CROSS, AFTER_CROSS, AFTER_RET };

/*
 * One call A -> B with a move, a borrow and a container move, in which B
 * fails at @pt. Checks the table after the unwind and after B is dropped.
 */
static void unwind_at(enum point pt)
{
	struct rref_cross_plan p;
	struct rref_cross_plan r;
	struct rref_cross_plan u;
	uint64_t mv;
	uint64_t lent;
	uint64_t arr;
	uint64_t leaf;
	uint64_t res = 0;

	UNIT_EQ(rfx_setup(), 0);
	mv = rfx_new(D_A, 0, 8);
	lent = rfx_new(D_A, RFX_T_ARR4, 32);
	arr = rfx_new(D_A, RFX_T_ARR4, 32);
	leaf = rfx_new(D_A, RFX_T_LEAF, 32);
	UNIT_ASSERT(mv && lent && arr && leaf);
	rfx_set(&F, arr, 3, leaf);
	memset(&p, 0, sizeof(p)); /* a kzalloc'd call frame */
	if (pt == REFUSED_CROSS) {
		UNIT_EQ(rfx_cross(D_A, D_B, mv, lent, arr, mv,
				  rfx_kinds(MV, BR, MV, MV), &p),
			-EINVAL);
	}
	if (pt >= AFTER_CROSS) {
		UNIT_EQ(rfx_cross(D_A, D_B, mv, lent, arr, 0,
				  rfx_kinds(MV, BR, MV, S), &p),
			0);
		UNIT_EQ(rfx_meta(lent)->borrows, 1);
		RFX_CONSISTENT(&p);
	}
	if (pt == AFTER_RET) {
		res = rfx_new(D_B, 0, 8);
		UNIT_ASSERT(res);
		UNIT_EQ(rfx_ret(D_B, D_A, res, mv, rfx_kinds(MV, MV, S, S), &p,
				&r),
			0);
	}
	UNIT_EQ(rfx_unwind(D_B, D_A, &p, &u), 0);
	UNIT_EQ(u.state, RREF_PLAN_RETIRED);
	UNIT_EQ(u.n, pt == AFTER_CROSS ? 1 : 0);
	if (pt == AFTER_CROSS) {
		UNIT_EQ(u.ent[0].addr, lent);
		UNIT_EQ(u.ent[0].action, RREF_ACT_UNMAP_CALLEE);
	}
	/* Unwinding again (a second fault report) is harmless. */
	UNIT_EQ(rfx_unwind(D_B, D_A, &p, &u), 0);
	UNIT_EQ(u.n, 0);
	UNIT_EQ(rfx_meta(lent)->borrows, 0);
	UNIT_EQ(rfx_meta(lent)->owner, D_A);
	RFX_CONSISTENT(&p);

	/* B is dropped: only what it owns goes. */
	rfx_drop(&F, D_B);
	RFX_CONSISTENT(&p);
	UNIT_ASSERT(rfx_meta(lent) != NULL);
	if (pt == AFTER_CROSS) {
		UNIT_ASSERT(rfx_meta(mv) == NULL && rfx_meta(arr) == NULL &&
			    rfx_meta(leaf) == NULL);
		UNIT_EQ(F.ndropped, 3);
	} else {
		UNIT_EQ(rfx_meta(mv)->owner, D_A);
		UNIT_EQ(F.ndropped, pt == AFTER_RET ? 2 : 0);
	}
	if (pt == AFTER_RET) {
		UNIT_EQ(rfx_meta(res)->owner, D_A);
	}
	UNIT_EQ(rfx_finish(), 0);
}

UNIT_TEST(unwind_before_the_cross_changes_nothing)
{
	unwind_at(BEFORE_CROSS);
}

UNIT_TEST(unwind_after_a_refused_cross_changes_nothing)
{
	unwind_at(REFUSED_CROSS);
}

UNIT_TEST(unwind_mid_call_releases_borrows_and_keeps_moves_with_callee)
{
	unwind_at(AFTER_CROSS);
}

UNIT_TEST(unwind_after_the_return_changes_nothing)
{
	unwind_at(AFTER_RET);
}

UNIT_TEST(unwind_refuses_a_plan_of_another_call)
{
	struct rref_cross_plan p;
	struct rref_cross_plan u;
	uint64_t x;

	UNIT_EQ(rfx_setup(), 0);
	x = rfx_new(D_A, 0, 8);
	UNIT_ASSERT(x);
	UNIT_EQ(rfx_cross(D_A, D_B, x, 0, 0, 0, rfx_kinds(BR, S, S, S), &p), 0);
	UNIT_EQ(rfx_unwind(D_C, D_A, &p, &u), -EINVAL);
	UNIT_EQ(rfx_unwind(D_B, D_C, &p, &u), -EINVAL);
	UNIT_EQ(rfx_meta(x)->borrows, 1);
	UNIT_EQ(p.state, RREF_PLAN_APPLIED);
	RFX_CONSISTENT(&p);
	UNIT_EQ(rfx_unwind(D_B, D_A, &p, &u), 0);
	RFX_CONSISTENT(&p);
	UNIT_EQ(rfx_finish(), 0);
}

UNIT_TEST(nested_chain_unwinds_only_the_failed_call)
{
	struct rref_cross_plan ab;
	struct rref_cross_plan bc;
	struct rref_cross_plan u;
	struct rref_cross_plan r;
	uint64_t a_buf;
	uint64_t b_buf;

	/* A -> B lends a_buf; B -> C moves b_buf and lends nothing of A's. */
	UNIT_EQ(rfx_setup(), 0);
	a_buf = rfx_new(D_A, 0, 8);
	b_buf = rfx_new(D_B, 0, 8);
	UNIT_ASSERT(a_buf && b_buf);
	UNIT_EQ(rfx_cross(D_A, D_B, a_buf, 0, 0, 0, rfx_kinds(BR, S, S, S),
			  &ab),
		0);
	UNIT_EQ(rfx_cross(D_B, D_C, b_buf, a_buf, 0, 0, rfx_kinds(MV, BR, S, S),
			  &bc),
		-EINVAL); /* B cannot lend what it only borrows */
	UNIT_EQ(rfx_cross(D_B, D_C, b_buf, 0, 0, 0, rfx_kinds(MV, S, S, S),
			  &bc),
		0);
	/* C fails: B sees the error, A's loan to B is untouched. */
	UNIT_EQ(rfx_unwind(D_C, D_B, &bc, &u), 0);
	rfx_drop(&F, D_C);
	UNIT_ASSERT(rfx_meta(b_buf) == NULL);
	UNIT_EQ(rfx_meta(a_buf)->borrows, 1);
	RFX_CONSISTENT(&ab, &bc);
	UNIT_EQ(rfx_ret(D_B, D_A, 0, 0, 0, &ab, &r), 0);
	UNIT_EQ(rfx_meta(a_buf)->borrows, 0);
	RFX_CONSISTENT(&ab, &bc);
	UNIT_EQ(rfx_finish(), 0);
}
