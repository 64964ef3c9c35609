// SPDX-License-Identifier: MIT
/*
 * The crossing rules of the rref ownership table (see rref_table.h): calls
 * (lib/abi/ipc.h word kinds), returns, unwinds and domain death, with
 * nested rrefs found through the type registry (lib/abi/rref_types.h).
 * Each entry point validates into a plan first and applies it only when
 * nothing can fail any more. Storage lives in rref_table.c.
 */
#include "rref/rref_table.h"
#include "rref/rref_internal.h"

#include "abi/errno.h"

void rref_plan_init(struct rref_cross_plan *p)
{
	p->caller = RREF_OWNER_NONE;
	p->callee = RREF_OWNER_NONE;
	p->why = NULL;
	p->n = 0;
	p->state = RREF_PLAN_EMPTY;
	p->bad_word = -1;
	p->seal = 0;
	p->reserved = 0;
}

static void plan_start(struct rref_cross_plan *p, uint64_t caller,
		       uint64_t callee, enum rref_plan_state state)
{
	rref_plan_init(p);
	p->caller = caller;
	p->callee = callee;
	p->state = state;
}

static int refuse(struct rref_cross_plan *p, int word, const char *why, int err)
{
	p->n = 0;
	p->state = RREF_PLAN_EMPTY;
	p->seal = 0;
	p->bad_word = (int8_t)word;
	p->why = why;
	return err;
}

/*
 * The objects of a plan being built, by entry index, so that checking and
 * applying look each one up once. Valid while the caller's lock is held:
 * a crossing inserts nothing, so no live entry moves.
 */
struct plan_objs {
	struct rref_meta *m[RREF_PLAN_MAX];
};

/*
 * Clear the marks add_one() set on the first @n objects of @po (every
 * crossing clears them before it returns, so the table never keeps one).
 */
static void unmark(struct plan_objs *po, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		po->m[i]->flags &= ~RREF_F_MARK;
	}
}

/*
 * The rules for one object sent by @from: @kind MOVE or RESULT (ownership
 * passes) or BORROW (lent to @to). Appends it to @p if it is acceptable,
 * and marks it, which is how a second occurrence is found.
 */
static int add_one(struct rref_table *t, struct rref_cross_plan *p,
		   struct plan_objs *po, uint64_t from, uint64_t to,
		   uint64_t addr, uint8_t kind, uint8_t word, uint8_t depth,
		   uint64_t want_type, uint32_t parent, uint32_t slot)
{
	struct rref_meta *m = rref_tab_slot(t, addr);

	if (!m) {
		p->why = "not a live rref";
		return -EINVAL;
	}
	if (want_type && m->type_id != want_type) {
		p->why = "rref of the wrong type";
		return -EINVAL;
	}
	if (m->owner != from) {
		p->why = "rref not owned by the sender";
		return -EINVAL;
	}
	if (kind != RREF_ENT_BORROW && m->borrows) {
		p->why = "rref is lent out";
		return -EINVAL;
	}
	if (kind == RREF_ENT_BORROW && m->borrows && m->borrower != to) {
		p->why = "rref is lent to another domain";
		return -EINVAL;
	}
	if (kind == RREF_ENT_BORROW && m->borrows == UINT32_MAX) {
		p->why = "rref lent too many times";
		return -EINVAL;
	}
	if (m->flags & RREF_F_MARK) {
		p->why = "rref passed twice";
		return -EINVAL;
	}
	if (p->n == RREF_PLAN_MAX) {
		p->why = "too many rrefs in one crossing";
		return -EINVAL;
	}
	m->flags |= RREF_F_MARK;
	po->m[p->n] = m;
	p->ent[p->n].addr = addr;
	p->ent[p->n].npages = m->npages;
	p->ent[p->n].action = 0;
	p->ent[p->n].kind = kind;
	p->ent[p->n].word = word;
	p->ent[p->n].depth = depth;
	p->ent[p->n].slot = slot;
	p->ent[p->n].parent = (uint8_t)parent;
	p->ent[p->n].seal = 0;
	p->n++;
	return 0;
}

/*
 * One argument or result word and everything nested in it, breadth first.
 * The plan's entries double as the work queue; duplicates (and so cycles)
 * are refused by add_one().
 */
static int add_tree(struct rref_table *t, struct rref_cross_plan *p,
		    struct plan_objs *po, uint64_t from, uint64_t to,
		    uint64_t addr, uint8_t kind, uint8_t word,
		    uint64_t want_type)
{
	uint32_t idx = p->n;
	int err;

	err = add_one(t, p, po, from, to, addr, kind, word, 0, want_type, 0, 0);
	if (err) {
		return err;
	}
	for (; idx < p->n; idx++) {
		struct rref_plan_ent e = p->ent[idx];
		const struct rref_meta *m = po->m[idx];
		const struct rref_type_ent *te;

		if (m->flags & RREF_F_FLAT) {
			continue;
		}
		te = rref_tab_type(t, m->type_id);
		if (!te) {
			continue;
		}
		if (e.kind != RREF_ENT_BORROW) {
			p->seal = 1;
			p->ent[idx].seal = 1;
		}
		for (uint32_t r = 0; r < te->nruns; r++) {
			const struct rref_slot_run *run = &te->runs[r];

			for (uint32_t k = 0; k < run->count; k++) {
				uint64_t off =
					run->offset + (uint64_t)k * run->stride;
				uint64_t v;

				if (off + 8 > m->size) {
					break;
				}
				err = t->ops->read_u64(t->ctx, e.addr + off,
						       &v);
				if (err) {
					p->why = "cannot read a nested slot";
					return err < 0 ? err : -EFAULT;
				}
				if (v == 0) {
					continue;
				}
				if (e.depth >= RREF_NEST_MAX) {
					p->why = "rrefs nested too deep";
					return -EINVAL;
				}
				err = add_one(t, p, po, from, to, v, e.kind,
					      word, e.depth + 1, run->type_id,
					      idx, (uint32_t)off);
				if (err) {
					return err;
				}
			}
		}
	}
	return 0;
}

/*
 * Map a word kind to an entry kind for a call (@results false) or a
 * return. Returns 1 for an rref word, 0 for a word to skip, -1 for a kind
 * not allowed here.
 */
static int word_kind(unsigned int k, uint64_t w, bool results, uint8_t *ek)
{
	switch (k) {
	case IPC_KIND_SCALAR:
	case IPC_KIND_HANDLE:
		return 0;
	case IPC_KIND_RREF_MOVE:
	case IPC_KIND_RREF_MOVE_OPT:
		if (k == IPC_KIND_RREF_MOVE_OPT && w == 0) {
			return 0;
		}
		*ek = results ? RREF_ENT_RESULT : RREF_ENT_MOVE;
		return 1;
	case IPC_KIND_RREF_BORROW:
	case IPC_KIND_RREF_BORROW_OPT:
		if (results) {
			return -1;
		}
		if (k == IPC_KIND_RREF_BORROW_OPT && w == 0) {
			return 0;
		}
		*ek = RREF_ENT_BORROW;
		return 1;
	default:
		return -1;
	}
}

/*
 * Validate all words of a crossing from @from into @p, and @po. On success
 * the plan's objects are marked (the caller clears the marks); on failure
 * nothing is.
 */
static int add_words(struct rref_table *t, struct rref_cross_plan *p,
		     struct plan_objs *po, uint64_t from, uint64_t to,
		     const uint64_t words[IPC_WORDS], uint16_t kinds,
		     const uint64_t *types, bool results)
{
	if (kinds >> (3 * IPC_WORDS)) {
		return refuse(p, -1, "bad kinds", -EINVAL);
	}
	for (unsigned int i = 0; i < IPC_WORDS; i++) {
		uint8_t ek = 0;
		int r = word_kind(ipc_kind_at(kinds, i), words[i], results,
				  &ek);
		int err;

		if (r < 0) {
			unmark(po, p->n);
			return refuse(p, (int)i, "kind not allowed here",
				      -EINVAL);
		}
		if (r == 0) {
			continue;
		}
		err = add_tree(t, p, po, from, to, words[i], ek, (uint8_t)i,
			       types ? types[i] : 0);
		if (err) {
			unmark(po, p->n);
			return refuse(p, (int)i, p->why, err);
		}
	}
	return 0;
}

int rref_tab_cross(struct rref_table *t, uint64_t caller, uint64_t callee,
		   const uint64_t words[IPC_WORDS], uint16_t kinds,
		   const uint64_t *types, struct rref_cross_plan *plan)
{
	struct plan_objs po;
	int err;

	plan_start(plan, caller, callee, RREF_PLAN_EMPTY);
	if (caller == RREF_OWNER_NONE || callee == RREF_OWNER_NONE ||
	    caller == callee) {
		return refuse(plan, -1, "bad caller or callee", -EINVAL);
	}
	err = add_words(t, plan, &po, caller, callee, words, kinds, types,
			false);
	if (err) {
		return err;
	}

	/* Everything is valid; nothing below can fail. */
	for (uint32_t i = 0; i < plan->n; i++) {
		struct rref_plan_ent *e = &plan->ent[i];
		struct rref_meta *m = po.m[i];

		m->flags &= ~RREF_F_MARK;
		if (e->kind == RREF_ENT_MOVE) {
			m->owner = callee;
			e->action =
				RREF_ACT_UNMAP_CALLER | RREF_ACT_MAP_RW_CALLEE;
		} else {
			if (m->borrows == 0) {
				m->borrower = callee;
				e->action = RREF_ACT_MAP_RO_CALLEE;
			}
			m->borrows++;
		}
	}
	plan->state = RREF_PLAN_APPLIED;
	return 0;
}

/*
 * Check that @cp is the APPLIED call @caller -> @callee and that each of
 * its loans is in the table; count the loans that end now (last loan).
 */
static int check_loans(const struct rref_table *t,
		       const struct rref_cross_plan *cp, uint64_t caller,
		       uint64_t callee, uint32_t *ending)
{
	*ending = 0;
	if (cp->state != RREF_PLAN_APPLIED || cp->caller != caller ||
	    cp->callee != callee || cp->n > RREF_PLAN_MAX) {
		return -EINVAL;
	}
	for (uint32_t i = 0; i < cp->n; i++) {
		const struct rref_plan_ent *e = &cp->ent[i];
		const struct rref_meta *m;

		if (e->kind != RREF_ENT_BORROW) {
			continue;
		}
		m = rref_tab_slot(t, e->addr);
		if (!m || m->borrows == 0 || m->borrower != callee) {
			return -EINVAL;
		}
		if (m->borrows == 1) {
			(*ending)++;
		}
	}
	return 0;
}

/* End every loan of @cp, appending page-table work to @out. */
static void end_loans(struct rref_table *t, struct rref_cross_plan *cp,
		      struct rref_cross_plan *out)
{
	for (uint32_t i = 0; i < cp->n; i++) {
		const struct rref_plan_ent *e = &cp->ent[i];
		struct rref_meta *m;
		struct rref_plan_ent *o;

		if (e->kind != RREF_ENT_BORROW) {
			continue;
		}
		m = rref_tab_slot(t, e->addr);
		if (--m->borrows) {
			continue;
		}
		o = &out->ent[out->n++];
		*o = *e;
		o->kind = RREF_ENT_RELEASE;
		o->action = RREF_ACT_UNMAP_CALLEE;
		m->borrower = RREF_OWNER_NONE;
		if (m->flags & RREF_F_ORPHAN) {
			o->action |= RREF_ACT_FREE;
			rref_tab_remove(t, m);
		}
	}
	cp->state = RREF_PLAN_RETIRED;
}

int rref_tab_ret(struct rref_table *t, uint64_t callee, uint64_t caller,
		 const uint64_t words[IPC_WORDS], uint16_t kinds,
		 const uint64_t *types, struct rref_cross_plan *call_plan,
		 struct rref_cross_plan *ret_plan)
{
	struct plan_objs po;
	uint32_t ending;
	uint32_t nres;
	int err;

	plan_start(ret_plan, caller, callee, RREF_PLAN_EMPTY);
	if (check_loans(t, call_plan, caller, callee, &ending)) {
		return refuse(ret_plan, -1, "not the plan of this call",
			      -EINVAL);
	}
	err = add_words(t, ret_plan, &po, callee, caller, words, kinds, types,
			true);
	if (err) {
		return err;
	}
	if (ret_plan->n + ending > RREF_PLAN_MAX) {
		unmark(&po, ret_plan->n);
		return refuse(ret_plan, -1, "too many rrefs in one crossing",
			      -EINVAL);
	}

	/* Everything is valid; nothing below can fail. */
	nres = ret_plan->n;
	for (uint32_t i = 0; i < nres; i++) {
		struct rref_plan_ent *e = &ret_plan->ent[i];

		po.m[i]->flags &= ~RREF_F_MARK;
		po.m[i]->owner = caller;
		e->action = RREF_ACT_UNMAP_CALLEE | RREF_ACT_MAP_RW_CALLER;
	}
	end_loans(t, call_plan, ret_plan);
	ret_plan->state = RREF_PLAN_RETIRED;
	return 0;
}

int rref_tab_unwind(struct rref_table *t, uint64_t callee, uint64_t caller,
		    struct rref_cross_plan *call_plan,
		    struct rref_cross_plan *plan)
{
	uint32_t ending;

	plan_start(plan, caller, callee, RREF_PLAN_RETIRED);
	if (call_plan->state != RREF_PLAN_APPLIED) {
		return 0;
	}
	if (check_loans(t, call_plan, caller, callee, &ending)) {
		return refuse(plan, -1, "not the plan of this call", -EINVAL);
	}
	end_loans(t, call_plan, plan);
	plan->state = RREF_PLAN_RETIRED;
	return 0;
}

/*
 * Children are in the plan in the order add_tree() read their slots: a
 * parent's after those of every parent before it, and in slot order.
 */
void rref_plan_seal(const struct rref_table *t, const struct rref_cross_plan *p)
{
	uint32_t c = 0; /* the next nested entry */

	if (!p->seal) {
		return;
	}
	for (uint32_t i = 0; i < p->n; i++) {
		const struct rref_plan_ent *e = &p->ent[i];
		const struct rref_meta *m = NULL;
		const struct rref_type_ent *te = NULL;

		while (c < p->n && p->ent[c].depth == 0) {
			c++;
		}
		if (e->seal) {
			m = rref_tab_slot(t, e->addr);
		}
		if (m) {
			te = rref_tab_type(t, m->type_id);
		}
		for (uint32_t r = 0; te && r < te->nruns; r++) {
			const struct rref_slot_run *run = &te->runs[r];

			for (uint32_t k = 0; k < run->count; k++) {
				uint64_t off =
					run->offset + (uint64_t)k * run->stride;
				uint64_t v = 0;

				if (off + 8 > m->size) {
					break;
				}
				if (c < p->n && p->ent[c].depth > 0 &&
				    p->ent[c].kind == e->kind &&
				    p->ent[c].parent == i &&
				    p->ent[c].slot == off) {
					v = p->ent[c++].addr;
				}
				t->ops->write_u64(t->ctx, e->addr + off, v);
			}
		}
		/* A borrowed parent's children, which stay as they are. */
		while (c < p->n && p->ent[c].depth > 0 &&
		       p->ent[c].kind == e->kind && p->ent[c].parent == i) {
			c++;
		}
	}
}

/* Depth-first work list of one container; overflow is left to the sweep. */
#define DROP_STACK 64

static void push_nested(const struct rref_table *t, const struct rref_meta *m,
			uint64_t *stack, uint32_t *top)
{
	const struct rref_type_ent *te;

	if (m->flags & RREF_F_FLAT) {
		return;
	}
	te = rref_tab_type(t, m->type_id);
	if (!te) {
		return;
	}
	for (uint32_t r = 0; r < te->nruns; r++) {
		const struct rref_slot_run *run = &te->runs[r];

		for (uint32_t k = 0; k < run->count; k++) {
			uint64_t off = run->offset + (uint64_t)k * run->stride;
			uint64_t v;

			if (off + 8 > m->size || *top == DROP_STACK) {
				return;
			}
			if (t->ops->read_u64(t->ctx, m->addr + off, &v) == 0 &&
			    v != 0) {
				stack[(*top)++] = v;
			}
		}
	}
}

size_t rref_tab_drop_owner(struct rref_table *t, uint64_t owner,
			   void (*cb)(void *ctx, const struct rref_meta *m),
			   void *ctx)
{
	uint64_t stack[DROP_STACK];
	size_t dropped = 0;

	if (owner == RREF_OWNER_NONE) {
		return 0;
	}
	/*
	 * Removal never moves live entries (it leaves tombstones or empties
	 * slots), so the sweep may continue past slots emptied under it.
	 */
	for (uint64_t i = 0; i < rref_tab_cap(t); i++) {
		uint32_t top = 0;

		if (t->slots[i].addr <= RREF_SLOT_TOMB ||
		    t->slots[i].owner != owner) {
			continue;
		}
		stack[top++] = t->slots[i].addr;
		while (top > 0) {
			struct rref_meta *m = rref_tab_slot(t, stack[--top]);
			struct rref_meta copy;

			/* Foreign, forged, or already dropped (a cycle). */
			if (!m || m->owner != owner) {
				continue;
			}
			push_nested(t, m, stack, &top);
			if (m->borrows) {
				m->owner = RREF_OWNER_NONE;
				m->flags |= RREF_F_ORPHAN;
				t->orphans++;
				continue;
			}
			copy = *m;
			rref_tab_remove(t, m);
			dropped++;
			if (cb) {
				cb(ctx, &copy);
			}
		}
	}
	rref_tab_shrink(t);
	return dropped;
}
