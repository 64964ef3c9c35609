/* SPDX-License-Identifier: MIT */
/*
 * Test fixture for the rref ownership table (lib/rref/rref_table.c): a
 * table over a small shared-heap range, a counting allocator with failure
 * injection, simulated object memory behind ops->read_u64 (so containers
 * can hold nested rrefs), a few registered container types, and a checker
 * of the table's invariants against the plans a test keeps outstanding.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rref/rref_table.h"
#include "unit.h"

#define RFX_WORDS 160	   /* simulated bytes per object: RFX_WORDS * 8 */
#define RFX_VA_PAGES 4096u /* range of the rfx_setup() table */

/* Test types (ids are arbitrary nonzero values). */
#define RFX_T_LEAF 0x1eafull /* 32 bytes, no slots */
#define RFX_T_ARR4 0xa4ull   /* 4 slots of RFX_T_LEAF at 0, 8, 16, 24 */
#define RFX_T_NODE 0x40deull /* slot of RFX_T_NODE at 8, untyped slot at 24 */
#define RFX_T_DEQ8 0xde8ull  /* head, tail, then 8 slots of RFX_T_LEAF */
#define RFX_T_BIG 0xb16ull   /* RREF_PLAN_MAX slots of RFX_T_LEAF, any size */

struct rfx_obj {
	uint64_t addr;
	uint64_t w[RFX_WORDS];
};

struct rfx {
	struct rref_table t;
	struct rfx_obj *objs; /* memory of live objects */
	size_t nobjs;
	size_t cap;
	/* Set when the table read or wrote memory that is not a live object. */
	bool bad_read;
	int read_err; /* nonzero: every read fails with it */
	uint64_t reads;
	uint64_t writes; /* by rref_plan_seal() */
	/* Objects removed through drop callbacks, in order. */
	uint64_t *dropped;
	size_t ndropped;
	size_t dropped_cap;
};

/* Live allocations of the counting allocator, and failure injection. */
extern long rfx_mem_live;
extern long rfx_mem_fail_after; /* -1: never; n: the (n+1)th alloc fails */
extern const struct rref_tab_ops rfx_ops;

/* Returns 0 or the rref_tab_init() error. */
int rfx_init(struct rfx *f, uint64_t va_pages, uint32_t guard_pages);
void rfx_fini(struct rfx *f);
/* Register the RFX_T_* types; aborts on failure. */
void rfx_register_types(struct rfx *f);

/* rref_tab_alloc() plus zeroed simulated memory. */
int rfx_alloc(struct rfx *f, uint64_t owner, uint64_t type, uint64_t size,
	      uint64_t *addr);
/* rref_tab_free() plus release of the memory. */
int rfx_free(struct rfx *f, uint64_t owner, uint64_t addr);
struct rfx_obj *rfx_obj(struct rfx *f, uint64_t addr);
/* Write 8-byte word @idx of object @addr (the owner writing its memory). */
void rfx_set(struct rfx *f, uint64_t addr, unsigned int idx, uint64_t v);
/* rref_tab_drop_owner() with a callback that logs and frees memory. */
size_t rfx_drop(struct rfx *f, uint64_t owner);
/* Release memory of the objects a ret/unwind plan freed. */
void rfx_apply(struct rfx *f, const struct rref_cross_plan *p);
bool rfx_was_dropped(const struct rfx *f, uint64_t addr);
/* Position of @addr in the drop log, or -1. */
long rfx_drop_pos(const struct rfx *f, uint64_t addr);

/*
 * Check every invariant: rref_tab_check(), each object's borrow count
 * equals the loans in the APPLIED plans among @plans (all to its
 * borrower), every loan in those plans is in the table, and simulated
 * memory exists exactly for the live objects. Returns NULL or a reason.
 */
const char *rfx_consistent(struct rfx *f, struct rref_cross_plan *const *plans,
			   size_t nplans);

/* A copy of the whole table, for "nothing changed" checks. */
struct rfx_snap {
	struct rref_meta *m;
	size_t n;
	struct rref_tab_stats st;
};
void rfx_snap_take(struct rfx *f, struct rfx_snap *s);
bool rfx_snap_equal(const struct rfx_snap *a, const struct rfx_snap *b);
void rfx_snap_free(struct rfx_snap *s);

/* Argument kinds packed for a call, word 0 first. */
static inline uint16_t rfx_kinds(unsigned int k0, unsigned int k1,
				 unsigned int k2, unsigned int k3)
{
	return (uint16_t)(k0 | k1 << 3 | k2 << 6 | k3 << 9);
}

/*
 * Helpers on one shared fixture, rfx_cur. rfx_setup() makes a fresh table
 * of RFX_VA_PAGES with one guard page and the test types (freeing the
 * previous test's table, so a test that failed half-way leaks nothing);
 * rfx_finish() frees it and returns the table's live allocations (0 = no
 * leak).
 */
extern struct rfx rfx_cur;
int rfx_setup(void);
long rfx_finish(void);
/* A new object in rfx_cur, or 0. */
uint64_t rfx_new(uint64_t owner, uint64_t type, uint64_t size);
const struct rref_meta *rfx_meta(uint64_t addr);
/* rref_tab_cross() with words w0..w3 and no expected types. */
int rfx_cross(uint64_t from, uint64_t to, uint64_t w0, uint64_t w1, uint64_t w2,
	      uint64_t w3, uint16_t kinds, struct rref_cross_plan *p);
/* rref_tab_ret() with results w0, w1; frees what the plan frees. */
int rfx_ret(uint64_t callee, uint64_t caller, uint64_t w0, uint64_t w1,
	    uint16_t kinds, struct rref_cross_plan *cp,
	    struct rref_cross_plan *rp);
/* rref_tab_unwind(); frees what the plan frees. */
int rfx_unwind(uint64_t callee, uint64_t caller, struct rref_cross_plan *cp,
	       struct rref_cross_plan *up);
/* The entry for @addr in @p, or NULL. */
const struct rref_plan_ent *rfx_ent(const struct rref_cross_plan *p,
				    uint64_t addr);

/* Fail the current test unless rfx_cur is consistent with these plans. */
#define RFX_CONSISTENT(...)                                                    \
	do {                                                                   \
		struct rref_cross_plan *rfx_plans_[] = {NULL, __VA_ARGS__};    \
		const char *rfx_why_ = rfx_consistent(                         \
			&rfx_cur, rfx_plans_ + 1, ARRAY_SIZE(rfx_plans_) - 1); \
		UNIT_STREQ(rfx_why_, NULL);                                    \
	} while (0)
