/* SPDX-License-Identifier: MIT */
/*
 * The rref ownership table: who owns each shared-heap object, who has it
 * on loan, and the rules of every crossing (ARCHITECTURE.md, "Shared heap
 * and rrefs" and "Failure, unwinding, recovery"; the word kinds are those
 * of lib/abi/ipc.h, nested rref slots those of lib/abi/rref_types.h).
 *
 * Pure logic: no page tables, no locks, no kernel calls. The kernel keeps
 * one table, calls it while holding its own lock, and then carries out the
 * page-table changes a plan lists. Every operation validates everything
 * first and either succeeds completely or changes nothing.
 *
 * Objects are runs of whole pages inside a configured part of the shared
 * heap, followed by guard pages that are never handed out (VA only). Each
 * object is owned by exactly one domain (an id, never 0) and may be lent
 * read-only to one other domain at a time, any number of times over
 * (nested or concurrent calls), which the borrow count records.
 *
 * The call protocol, per call frame (the plan lives in the frame):
 *
 *   rref_tab_cross()   EMPTY   -> APPLIED   moves applied, borrows counted
 *   rref_tab_ret()     APPLIED -> RETIRED   results moved, borrows released
 *   rref_tab_unwind()  APPLIED -> RETIRED   borrows released, moves kept
 *                      EMPTY or RETIRED: unwind is a no-op
 *
 * Atomicity invariant: for every object X, X.borrows equals the number of
 * plans in state APPLIED that list X as a borrow, and all of them were
 * lent to X.borrower. Each transition above changes the table and the
 * plan's state inside one call, under the caller's lock, so an unwind (at
 * any point of a call, on any CPU) sees either all of a call's ownership
 * changes or none, and releases each borrow exactly once. Moves are never
 * undone, so an unwind has nothing else to restore.
 *
 * Locking: none inside. The caller serialises every call on one table
 * (the kernel's rref lock); ops->alloc/free and ops->read_u64 are called
 * with that lock held.
 *
 * What the kernel does around each call, with the rref lock held from the
 * table call until its page tables match the plan:
 *   alloc   map zeroed frames read/write in the owner (on failure to get
 *           frames, rref_tab_free() the address again);
 *   free    unmap from the owner, shoot down its TLBs, free the frames;
 *   cross   the plan lives in the call frame, reachable by the unwinder
 *           before the callee can run; per entry: UNMAP_CALLER (copy the
 *           frame numbers first), MAP_RW_CALLEE, MAP_RO_CALLEE; the
 *           caller's TLB shootdown completes before the callee is entered;
 *   ret     per entry: UNMAP_CALLEE, MAP_RW_CALLER, FREE (after the
 *           unmap); the callee's shootdown completes before the caller
 *           resumes; on -EINVAL, fault the callee, then unwind the frame;
 *   unwind  as ret; UNMAP_CALLEE may be skipped if the callee's address
 *           space is being destroyed, FREE may not;
 *   death   unwind every frame in which the domain is the callee, and
 *           rref_tab_drop_owner() (either order). Frames of shared-heap
 *           objects are freed only through drop callbacks and FREE
 *           actions, never by tearing down a domain's page tables: an
 *           orphan stays mapped in its borrower. Results returned to a
 *           dead caller are dropped by another rref_tab_drop_owner().
 * Entries with action 0 need nothing (a loan to a domain that already has
 * the object mapped). An owner keeps its read/write mapping while it
 * lends, so a borrower must treat the contents as untrusted.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "abi/ipc.h"
#include "abi/layout.h"
#include "abi/rref_types.h"
#include "base/compiler.h"

#define RREF_PAGE_SIZE LAYOUT_PAGE_SIZE
#define RREF_PAGE_SHIFT 12
BUILD_ASSERT((1ull << RREF_PAGE_SHIFT) == RREF_PAGE_SIZE);

/* Owner id of nobody: domain ids start at 1. */
#define RREF_OWNER_NONE 0ull

/* Largest object, in bytes. */
#define RREF_SIZE_MAX (1ull << 30)
/* Entries in one plan: the words of a call plus their nested rrefs. */
#define RREF_PLAN_MAX 128u
/* Nesting levels below an argument word (a container of containers...). */
#define RREF_NEST_MAX 4u
/* Registered types, and nested slots per type (sum of the runs' counts). */
#define RREF_TAB_MAX_TYPES 4096u
#define RREF_TAB_MAX_TYPE_SLOTS 4096u

/* rref_meta.flags */
#define RREF_F_ORPHAN (1u << 0) /* owner died while lent out */
/* Never nests rrefs: plain bytes, or a registered type without slots. */
#define RREF_F_FLAT (1u << 1)
/* Listed in the plan being built (only inside one table call). */
#define RREF_F_MARK (1u << 2)

/*
 * What the kernel knows about one object. Written only through this
 * table; no domain can write it.
 */
struct rref_meta {
	uint64_t addr;	   /* first page, the rref's value */
	uint64_t size;	   /* bytes asked for, <= npages * RREF_PAGE_SIZE */
	uint64_t type_id;  /* rref_type_desc.id, or 0 for plain bytes */
	uint64_t owner;	   /* domain id; RREF_OWNER_NONE for an orphan */
	uint64_t borrower; /* domain it is lent to while borrows > 0 */
	uint32_t npages;   /* mapped pages, guard pages excluded */
	uint32_t borrows;  /* outstanding loans to borrower */
	uint32_t flags;	   /* RREF_F_* */
	uint32_t reserved;
};
BUILD_ASSERT(sizeof(struct rref_meta) == 56);

/* rref_plan_ent.action: page-table work for the kernel, as a mask. */
#define RREF_ACT_UNMAP_CALLER (1u << 0)	 /* remove from the caller */
#define RREF_ACT_MAP_RW_CALLEE (1u << 1) /* map read/write in the callee */
#define RREF_ACT_MAP_RO_CALLEE (1u << 2) /* map read-only in the callee */
#define RREF_ACT_UNMAP_CALLEE (1u << 3)	 /* remove from the callee */
#define RREF_ACT_MAP_RW_CALLER (1u << 4) /* map read/write in the caller */
#define RREF_ACT_FREE (1u << 5) /* gone from the table: free its frames */

/* rref_plan_ent.kind */
enum rref_ent_kind {
	RREF_ENT_MOVE = 1,    /* argument moved caller -> callee */
	RREF_ENT_BORROW = 2,  /* argument lent to the callee */
	RREF_ENT_RESULT = 3,  /* result moved callee -> caller */
	RREF_ENT_RELEASE = 4, /* loan ended (return or unwind) */
};

/* rref_cross_plan.state */
enum rref_plan_state {
	RREF_PLAN_EMPTY = 0,   /* nothing applied; zeroed memory is EMPTY */
	RREF_PLAN_APPLIED = 1, /* a call's changes are in the table */
	RREF_PLAN_RETIRED = 2, /* returned or unwound; nothing outstanding */
};

/* One object touched by a crossing. */
struct rref_plan_ent {
	uint64_t addr;
	uint32_t npages;
	uint8_t action; /* RREF_ACT_* mask; 0 = nothing to do */
	uint8_t kind;	/* enum rref_ent_kind */
	uint8_t word;	/* the argument or result word it came from */
	uint8_t depth;	/* 0 = the word itself, n = nested n levels down */
	/* Nested (depth > 0): the slot it was read from (rref_plan_seal()) */
	uint32_t slot;	/* byte offset in the parent */
	uint8_t parent; /* the parent's entry */
	uint8_t seal;	/* moved, with slots: rref_plan_seal() writes them */
	uint8_t pad[2];
};
BUILD_ASSERT(sizeof(struct rref_plan_ent) == 24);
BUILD_ASSERT(RREF_PLAN_MAX <= 256); /* parent fits in a byte */

/*
 * The record of one crossing and the page-table work it needs. "caller"
 * and "callee" always name the two sides of the original call, also in
 * the plans of rref_tab_ret() and rref_tab_unwind().
 */
struct rref_cross_plan {
	uint64_t caller;
	uint64_t callee;
	const char *why; /* static reason of a refusal, else NULL */
	uint32_t n;	 /* entries used */
	uint8_t state;	 /* enum rref_plan_state */
	int8_t bad_word; /* word refused, or -1 */
	uint8_t seal;	 /* moves objects with slots: rref_plan_seal() */
	uint8_t reserved;
	struct rref_plan_ent ent[RREF_PLAN_MAX];
};

/*
 * Environment of a table. alloc/free back the table's own memory (need
 * not zero). read_u64 reads 8 bytes at shared-heap address @addr inside a
 * live object (the table cannot dereference objects), write_u64 writes
 * them; both return 0 or a negative errno.
 */
struct rref_tab_ops {
	void *(*alloc)(size_t size);
	void (*free)(void *p);
	int (*read_u64)(void *ctx, uint64_t addr, uint64_t *val);
	/* The same, writing (rref_plan_seal() only). */
	int (*write_u64)(void *ctx, uint64_t addr, uint64_t val);
};

struct rref_tab_config {
	uint64_t va_base;     /* page aligned, inside the shared heap */
	uint64_t va_size;     /* bytes, page multiple */
	uint32_t guard_pages; /* unused VA after each object, 0..16 */
};

struct rref_type_ent; /* private to rref_table.c */

struct rref_table {
	/* Immutable after rref_tab_init(): */
	const struct rref_tab_ops *ops;
	void *ctx; /* for ops->read_u64 */
	uint64_t va_base;
	uint64_t va_pages;
	uint32_t guard_pages;
	/* Protected by the caller's lock: */
	struct rref_meta *slots; /* open addressing, linear probing */
	uint32_t shift;		 /* capacity is 1 << shift */
	uint64_t used;		 /* live + tombstone slots */
	uint64_t live;
	uint64_t pages; /* of live objects, guards excluded */
	uint64_t orphans;
	uint64_t *va_bitmap; /* bit set = page reserved (object or guard) */
	uint64_t va_used;
	uint64_t va_hint;	     /* next-fit start */
	struct rref_type_ent *types; /* sorted by id */
	uint32_t ntypes;
	uint32_t types_cap;
};

struct rref_tab_stats {
	uint64_t live;	     /* objects, orphans included */
	uint64_t pages;	     /* their pages, guards excluded */
	uint64_t orphans;    /* owner dead, still lent */
	uint64_t lent;	     /* objects with borrows > 0 */
	uint64_t va_pages;   /* size of the managed range */
	uint64_t va_used;    /* pages reserved, guards included */
	uint64_t capacity;   /* hash slots */
	uint64_t tombstones; /* deleted slots not yet reused */
	uint64_t types;	     /* registered types */
};

struct rref_owner_stats {
	uint64_t rrefs;
	uint64_t pages;
	uint64_t bytes; /* sizes asked for */
	uint64_t lent;	/* of those, lent out now */
};

/*
 * Set up @t over [cfg->va_base, + cfg->va_size), which must lie in the
 * shared heap. Returns 0, -EINVAL (bad range or ops) or -ENOMEM.
 */
int __must_check rref_tab_init(struct rref_table *t,
			       const struct rref_tab_ops *ops, void *ctx,
			       const struct rref_tab_config *cfg);
/* Free the table's own memory; objects still in it are forgotten. */
void rref_tab_destroy(struct rref_table *t);

/*
 * Learn where objects of type @d->id keep nested rrefs (a copy is kept).
 * Registering the same description again is fine. Returns 0, -EINVAL
 * (malformed), -EEXIST (same id, different layout), -ENOSPC or -ENOMEM.
 */
int __must_check rref_tab_register_type(struct rref_table *t,
					const struct rref_type_desc *d);

/*
 * A new object of @size bytes and type @type_id (0 = plain bytes) owned
 * by @owner: returns owned; *addr is page aligned. The kernel then maps
 * zeroed frames read/write in @owner. Returns 0, -EINVAL (owner 0, size
 * 0 or too big, smaller than the registered type) or -ENOMEM.
 */
int __must_check rref_tab_alloc(struct rref_table *t, uint64_t owner,
				uint64_t type_id, uint64_t size,
				uint64_t *addr);
/*
 * Consumes @addr: remove an object @owner owns and nobody borrows; its
 * metadata is copied to *gone (if not NULL) so the kernel can unmap and
 * free its frames. Nested rrefs are not followed: the domain runtime
 * drops them first. Returns 0, -EINVAL (no object at @addr), -EPERM (not
 * @owner's) or -EBUSY (lent out).
 */
int __must_check rref_tab_free(struct rref_table *t, uint64_t owner,
			       uint64_t addr, struct rref_meta *gone);

/*
 * The object that starts at @addr, or NULL: interior, freed and forged
 * addresses are never found. Valid until the table next changes.
 */
const struct rref_meta *rref_tab_find(const struct rref_table *t,
				      uint64_t addr);
bool rref_tab_is_owned(const struct rref_table *t, uint64_t addr,
		       uint64_t owner);

/*
 * A call from @caller to @callee with argument @words of @kinds
 * (IPC_KIND_* per word, lib/abi/ipc.h). @types is NULL or the expected
 * type id per word (0 = any), from the callee's interface descriptor.
 *
 * Every move or borrow word (optional ones may be 0) must name a live
 * object the caller owns, of the expected type, that appears only once in
 * the whole call, nested rrefs included; a move must not be lent out, a
 * borrow may only be lent to @callee already. Containers (registered
 * types with slots) carry their nonzero slots along, with the same rules,
 * up to RREF_NEST_MAX levels and RREF_PLAN_MAX objects.
 *
 * On success moves belong to @callee (Consumes them from the caller),
 * borrows are counted (Borrows until return), and @plan is APPLIED and
 * lists every object touched. Returns 0; -EINVAL with nothing changed,
 * plan->bad_word and plan->why set and plan EMPTY; or the error of
 * ops->read_u64.
 */
int __must_check rref_tab_cross(struct rref_table *t, uint64_t caller,
				uint64_t callee,
				const uint64_t words[IPC_WORDS], uint16_t kinds,
				const uint64_t *types,
				struct rref_cross_plan *plan);
/*
 * The return of the call @call_plan records: result @words of @kinds
 * (moves only) must be live objects @callee owns, not lent out, each
 * once, nested included; they become @caller's (Returns owned). Every
 * borrow of the call is released. @call_plan becomes RETIRED (it is not
 * const: its state is what makes a later unwind a no-op); @ret_plan lists
 * results first, then the loans that ended. Returns 0, or -EINVAL with
 * nothing changed (the callee broke the protocol, or @call_plan is not
 * this APPLIED call).
 */
int __must_check rref_tab_ret(struct rref_table *t, uint64_t callee,
			      uint64_t caller, const uint64_t words[IPC_WORDS],
			      uint16_t kinds, const uint64_t *types,
			      struct rref_cross_plan *call_plan,
			      struct rref_cross_plan *ret_plan);
/*
 * @callee failed during the call @call_plan records: its borrows go back
 * to @caller intact, its moves stay with @callee (they are dropped with
 * it). A no-op for an EMPTY or RETIRED plan, so it is safe at every point
 * of a call and twice. Returns 0, or -EINVAL with nothing changed if the
 * plan names another call or disagrees with the table.
 */
int __must_check rref_tab_unwind(struct rref_table *t, uint64_t callee,
				 uint64_t caller,
				 struct rref_cross_plan *call_plan,
				 struct rref_cross_plan *plan);

/*
 * @owner died: remove every object it owns, calling @cb for each just
 * after its removal (the kernel unmaps and frees the frames). Objects
 * nested in a dropped container follow right after it, if @owner owns
 * them (slots are read before the container goes; cycles and foreign
 * slots are harmless). Objects @owner has lent out become orphans and are
 * freed by the return or unwind that ends their last loan. Loans @owner
 * holds as a callee end through rref_tab_unwind() of its frames. @cb
 * must not call into the table. Returns the number of objects removed.
 */
size_t rref_tab_drop_owner(struct rref_table *t, uint64_t owner,
			   void (*cb)(void *ctx, const struct rref_meta *m),
			   void *ctx);

void rref_tab_stats(const struct rref_table *t, struct rref_tab_stats *st);
void rref_tab_owner_stats(const struct rref_table *t, uint64_t owner,
			  struct rref_owner_stats *st);
/* Call @cb for every object; @cb must not change the table. */
void rref_tab_for_each(const struct rref_table *t,
		       void (*cb)(void *ctx, const struct rref_meta *m),
		       void *ctx);
/*
 * Check the table's internal consistency (hash chains, counters, VA
 * bitmap, loan fields). Returns 0, or -EINVAL with a static reason.
 */
int rref_tab_check(const struct rref_table *t, const char **why);

/* An EMPTY plan (as kzalloc'd memory is). */
void rref_plan_init(struct rref_cross_plan *p);

/*
 * Seal the objects @p moves (a call's moves, a return's results): write
 * every nested slot of each of them that has slots as the plan read it,
 * its child's address or 0, through ops->write_u64. Call it after the
 * sender has lost its access to them (its mappings gone, on every CPU)
 * and before the receiver gets it: a sender that rewrote a slot between
 * the plan's read and then, from another thread, cannot hand the receiver
 * an rref that did not move with the container. Borrowed objects stay
 * the sender's to write and are left alone. Cheap when nothing moved has
 * slots (plan->seal 0).
 */
void rref_plan_seal(const struct rref_table *t,
		    const struct rref_cross_plan *p);
