// SPDX-License-Identifier: MIT
/*
 * Host tests for rref_plan_seal() (lib/rref/rref_cross.c): after a
 * crossing has taken moved containers from their sender, every nested
 * slot of each is written back as the plan read it. What they model: the
 * sender's other thread rewriting a slot between the kernel's read and
 * the sender's loss of access. Covered: a moved container (slots changed,
 * emptied and filled), borrowed containers in the same call left alone,
 * two levels of nesting across two words, results of a return with
 * ending loans in the same plan, and plans with nothing to seal.
 */
#include <stdlib.h>
#include <string.h>

#include "abi/errno.h"
#include "rref_fixture.h"
#include "rref_short.h"
#include "unit.h"

/* Word @idx of object @addr in the simulated memory. */
static uint64_t word(uint64_t addr, unsigned int idx)
{
	return rfx_obj(&F, addr)->w[idx];
}

UNIT_TEST(moved_container_slots_are_written_back_as_the_plan_read_them)
{
	struct rref_cross_plan p;
	struct rref_cross_plan u;
	uint64_t arr;
	uint64_t lent;
	uint64_t l0;
	uint64_t l2;
	uint64_t b1;
	uint64_t x;

	UNIT_EQ(rfx_setup(), 0);
	arr = rfx_new(D_A, RFX_T_ARR4, 32);
	lent = rfx_new(D_A, RFX_T_ARR4, 32);
	l0 = rfx_new(D_A, RFX_T_LEAF, 32);
	l2 = rfx_new(D_A, RFX_T_LEAF, 32);
	b1 = rfx_new(D_A, RFX_T_LEAF, 32);
	x = rfx_new(D_A, RFX_T_LEAF, 32); /* the sender keeps it */
	UNIT_ASSERT(arr && lent && l0 && l2 && b1 && x);
	rfx_set(&F, arr, 0, l0);
	rfx_set(&F, arr, 2, l2);
	rfx_set(&F, lent, 1, b1);
	UNIT_EQ(rfx_cross(D_A, D_B, lent, arr, 0, 0, rfx_kinds(BR, MV, S, S),
			  &p),
		0);
	UNIT_EQ(p.n, 5);
	UNIT_EQ(p.seal, 1);
	/* The sender's other thread, before its access is gone. */
	rfx_set(&F, arr, 0, x);
	rfx_set(&F, arr, 1, x);
	rfx_set(&F, arr, 2, 0);
	rfx_set(&F, lent, 1, x);
	F.writes = 0;
	rref_plan_seal(&F.t, &p);
	UNIT_EQ(word(arr, 0), l0);
	UNIT_EQ(word(arr, 1), 0);
	UNIT_EQ(word(arr, 2), l2);
	UNIT_EQ(word(arr, 3), 0);
	UNIT_EQ(F.writes, 4); /* every slot of arr, none of lent's */
	UNIT_EQ(word(lent, 1), x);
	UNIT_ASSERT(!F.bad_read);
	RFX_CONSISTENT(&p);
	UNIT_EQ(rfx_unwind(D_B, D_A, &p, &u), 0);
	UNIT_EQ(rfx_finish(), 0);
}

UNIT_TEST(seal_follows_two_levels_across_two_words)
{
	struct rref_cross_plan p;
	struct rref_cross_plan u;
	uint64_t n1;
	uint64_t n2;
	uint64_t m1;
	uint64_t leaf;
	uint64_t x;

	UNIT_EQ(rfx_setup(), 0);
	/* n1 -> n2 (slot at 8), leaf (untyped slot at 24); m1 empty. */
	n1 = rfx_new(D_A, RFX_T_NODE, 64);
	n2 = rfx_new(D_A, RFX_T_NODE, 64);
	m1 = rfx_new(D_A, RFX_T_NODE, 64);
	leaf = rfx_new(D_A, RFX_T_LEAF, 32);
	x = rfx_new(D_A, RFX_T_NODE, 64);
	UNIT_ASSERT(n1 && n2 && m1 && leaf && x);
	rfx_set(&F, n1, 1, n2);
	rfx_set(&F, n1, 3, leaf);
	UNIT_EQ(rfx_cross(D_A, D_B, n1, 0, m1, 0, rfx_kinds(MV, S, MV, S), &p),
		0);
	UNIT_EQ(p.n, 4);
	UNIT_EQ(rfx_ent(&p, n2)->parent, 0);
	UNIT_EQ(rfx_ent(&p, n2)->slot, 8);
	UNIT_EQ(rfx_ent(&p, leaf)->slot, 24);
	rfx_set(&F, n1, 3, 0);
	rfx_set(&F, n2, 1, x);
	rfx_set(&F, m1, 1, x);
	rfx_set(&F, m1, 3, n2);
	rref_plan_seal(&F.t, &p);
	UNIT_EQ(word(n1, 1), n2);
	UNIT_EQ(word(n1, 3), leaf);
	UNIT_EQ(word(n2, 1), 0);
	UNIT_EQ(word(n2, 3), 0);
	UNIT_EQ(word(m1, 1), 0);
	UNIT_EQ(word(m1, 3), 0);
	UNIT_ASSERT(!F.bad_read);
	RFX_CONSISTENT(&p);
	UNIT_EQ(rfx_unwind(D_B, D_A, &p, &u), 0);
	UNIT_EQ(rfx_finish(), 0);
}

UNIT_TEST(results_are_sealed_and_ending_loans_are_not)
{
	struct rref_cross_plan p;
	struct rref_cross_plan r;
	uint64_t lent;
	uint64_t l0;
	uint64_t res;
	uint64_t r0;
	uint64_t x;

	UNIT_EQ(rfx_setup(), 0);
	/* Lent: a container with a leaf in slot 0, as the result has. */
	lent = rfx_new(D_A, RFX_T_ARR4, 32);
	l0 = rfx_new(D_A, RFX_T_LEAF, 32);
	res = rfx_new(D_B, RFX_T_ARR4, 32);
	r0 = rfx_new(D_B, RFX_T_LEAF, 32);
	x = rfx_new(D_B, RFX_T_LEAF, 32);
	UNIT_ASSERT(lent && l0 && res && r0 && x);
	rfx_set(&F, lent, 0, l0);
	rfx_set(&F, res, 1, r0);
	UNIT_EQ(rfx_cross(D_A, D_B, lent, 0, 0, 0, rfx_kinds(BR, S, S, S), &p),
		0);
	UNIT_EQ(p.seal, 0); /* nothing moved */
	UNIT_EQ(rfx_ret(D_B, D_A, res, 0, rfx_kinds(MV, S, S, S), &p, &r), 0);
	/* The result and its leaf, then the two loans that ended. */
	UNIT_EQ(r.n, 4);
	UNIT_EQ(r.seal, 1);
	rfx_set(&F, res, 0, x);
	rfx_set(&F, res, 1, 0);
	F.writes = 0;
	rref_plan_seal(&F.t, &r);
	UNIT_EQ(word(res, 0), 0);
	UNIT_EQ(word(res, 1), r0);
	UNIT_EQ(F.writes, 4);
	UNIT_EQ(word(lent, 0), l0);
	UNIT_ASSERT(!F.bad_read);
	RFX_CONSISTENT(&p, &r);
	UNIT_EQ(rfx_finish(), 0);
}

UNIT_TEST(plans_without_moved_containers_write_nothing)
{
	struct rref_cross_plan p;
	struct rref_cross_plan r;
	uint64_t leaf;
	uint64_t arr;

	UNIT_EQ(rfx_setup(), 0);
	leaf = rfx_new(D_A, RFX_T_LEAF, 32);
	arr = rfx_new(D_A, RFX_T_ARR4, 32);
	UNIT_ASSERT(leaf && arr);
	UNIT_EQ(rfx_cross(D_A, D_B, leaf, arr, 0, 0, rfx_kinds(MV, BR, S, S),
			  &p),
		0);
	UNIT_EQ(p.seal, 0);
	F.writes = 0;
	rref_plan_seal(&F.t, &p);
	UNIT_EQ(F.writes, 0);
	UNIT_EQ(rfx_ret(D_B, D_A, 0, 0, rfx_kinds(S, S, S, S), &p, &r), 0);
	rref_plan_seal(&F.t, &r);
	UNIT_EQ(F.writes, 0);
	RFX_CONSISTENT(&p, &r);
	UNIT_EQ(rfx_finish(), 0);
}
