// SPDX-License-Identifier: MIT
/*
 * Randomised test of the rref ownership table (lib/rref/rref_table.c)
 * against a reference model: 10,000 seeded sequences of allocations,
 * frees, container writes, calls, returns, unwinds and domain deaths over
 * four domains. The model is written independently (a recursive walk over
 * its own object list, where the table walks breadth first over plan
 * entries); after every step the results, the plans and every object are
 * compared with it, and the table's invariants are checked (rref_fixture.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "abi/errno.h"
#include "rref_fixture.h"
#include "unit.h"

#define SEQS 10000
#define STEPS 60
#define NDOM 4
#define MAX_LIVE 24
#define MAX_CALLS 6
#define MAX_FREED 16
#define VA_PAGES 512

struct mobj {
	uint64_t addr;
	uint64_t type;
	uint64_t size;
	uint64_t owner;
	uint64_t borrower;
	uint32_t borrows;
	bool orphan;
};

struct call {
	struct rref_cross_plan plan;
	uint64_t caller;
	uint64_t callee;
	uint64_t loans[MAX_LIVE]; /* the model's record of what it lent */
	int nloans;
};

/* What the walk found: object and entry kind. */
struct seen {
	uint64_t addr[RREF_PLAN_MAX];
	int kind[RREF_PLAN_MAX];
	int n;
};

static struct rfx F;
static struct mobj objs[MAX_LIVE];
static int nobjs;
static struct call calls[MAX_CALLS];
static int ncalls;
static uint64_t freed[MAX_FREED];
static int nfreed;
static uint64_t rng_state;

static struct {
	long cross_ok, cross_bad, ret_ok, ret_bad, unwinds, frees_ok;
	long frees_bad, drops, dropped, nested, orphans, orphan_frees;
} stats;

static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static unsigned int pick(unsigned int n)
{
	return (unsigned int)(rng() % n);
}

static uint64_t dom(void)
{
	return 1 + pick(NDOM);
}

static struct mobj *mfind(uint64_t addr)
{
	for (int i = 0; i < nobjs; i++) {
		if (objs[i].addr == addr) {
			return &objs[i];
		}
	}
	return NULL;
}

static void mremove(struct mobj *o)
{
	if (nfreed < MAX_FREED) {
		freed[nfreed++] = o->addr;
	} else {
		freed[pick(MAX_FREED)] = o->addr;
	}
	*o = objs[--nobjs];
}

/* Nested slots of the test types: word index and expected type. */
static int slots_of(uint64_t type, unsigned int *idx, uint64_t *want)
{
	int n = 0;

	if (type == RFX_T_ARR4) {
		for (unsigned int i = 0; i < 4; i++) {
			idx[n] = i;
			want[n++] = RFX_T_LEAF;
		}
	} else if (type == RFX_T_NODE) {
		idx[n] = 1;
		want[n++] = RFX_T_NODE;
		idx[n] = 3;
		want[n++] = 0;
	} else if (type == RFX_T_DEQ8) {
		for (unsigned int i = 0; i < 8; i++) {
			idx[n] = 2 + i;
			want[n++] = RFX_T_LEAF;
		}
	}
	return n;
}

/* The model's rules for one object and, recursively, its contents. */
static bool walk(uint64_t from, uint64_t to, uint64_t addr, int kind,
		 unsigned int depth, uint64_t want, struct seen *s)
{
	struct mobj *o = mfind(addr);
	unsigned int idx[8];
	uint64_t wt[8];
	int n;

	if (!o || (want && o->type != want) || o->owner != from) {
		return false;
	}
	if (kind != RREF_ENT_BORROW && o->borrows) {
		return false;
	}
	if (kind == RREF_ENT_BORROW && o->borrows && o->borrower != to) {
		return false;
	}
	for (int i = 0; i < s->n; i++) {
		if (s->addr[i] == addr) {
			return false;
		}
	}
	if (s->n == RREF_PLAN_MAX) {
		return false;
	}
	s->addr[s->n] = addr;
	s->kind[s->n] = kind;
	s->n++;
	n = slots_of(o->type, idx, wt);
	for (int i = 0; i < n; i++) {
		uint64_t v = rfx_obj(&F, addr)->w[idx[i]];

		if (v == 0) {
			continue;
		}
		if (depth >= RREF_NEST_MAX) {
			return false;
		}
		if (!walk(from, to, v, kind, depth + 1, wt[i], s)) {
			return false;
		}
	}
	return true;
}

/*
 * Expected outcome of a crossing's words: -1 if valid (with @s filled),
 * else the index of the refused word.
 */
static int expect_words(uint64_t from, uint64_t to, const uint64_t *w,
			const unsigned int *k, bool results, struct seen *s)
{
	s->n = 0;
	for (int i = 0; i < (int)IPC_WORDS; i++) {
		int kind;

		switch (k[i]) {
		case IPC_KIND_SCALAR:
		case IPC_KIND_HANDLE:
			continue;
		case IPC_KIND_RREF_MOVE_OPT:
		case IPC_KIND_RREF_BORROW_OPT:
			if (w[i] == 0) {
				continue;
			}
			break;
		default:
			break;
		}
		if (k[i] == IPC_KIND_RREF_MOVE ||
		    k[i] == IPC_KIND_RREF_MOVE_OPT) {
			kind = results ? RREF_ENT_RESULT : RREF_ENT_MOVE;
		} else if (!results && (k[i] == IPC_KIND_RREF_BORROW ||
					k[i] == IPC_KIND_RREF_BORROW_OPT)) {
			kind = RREF_ENT_BORROW;
		} else {
			return i;
		}
		if (!walk(from, to, w[i], kind, 0, 0, s)) {
			return i;
		}
	}
	return -1;
}

/* An object of @owner (of @type unless 0) chosen at random, or 0. */
static uint64_t owned_by(uint64_t owner, uint64_t type)
{
	int cand[MAX_LIVE];
	int nc = 0;

	for (int i = 0; i < nobjs; i++) {
		if (objs[i].owner == owner && (!type || objs[i].type == type)) {
			cand[nc++] = i;
		}
	}
	return nc ? objs[cand[pick((unsigned int)nc)]].addr : 0;
}

/* A word value: mostly rrefs of @owner, some foreign, stale or forged. */
static uint64_t some_value(uint64_t owner)
{
	unsigned int r = pick(100);

	if (r < 65) {
		return owned_by(owner, 0);
	}
	if (r < 77 && nobjs) {
		return objs[pick((unsigned int)nobjs)].addr;
	}
	if (r < 85) {
		return 0;
	}
	if (r < 90 && nfreed) {
		return freed[pick((unsigned int)nfreed)];
	}
	if (r < 95 && nobjs) {
		return objs[pick((unsigned int)nobjs)].addr + 8 * (1 + pick(8));
	}
	return SHEAP_BASE + (uint64_t)pick(VA_PAGES + 4) * RREF_PAGE_SIZE;
}

/* One of @owner's containers, else any value. */
static uint64_t some_container(uint64_t owner)
{
	static const uint64_t types[] = {RFX_T_ARR4, RFX_T_NODE, RFX_T_DEQ8};
	uint64_t a = owned_by(owner, types[pick(ARRAY_SIZE(types))]);

	return a ? a : some_value(owner);
}

static bool seen_has(const struct seen *s, uint64_t addr, int kind)
{
	for (int i = 0; i < s->n; i++) {
		if (s->addr[i] == addr && s->kind[i] == kind) {
			return true;
		}
	}
	return false;
}

static struct rref_cross_plan *plans[MAX_CALLS];

/* Compare table and model; NULL or a reason. */
static const char *compare(void)
{
	const char *why;

	for (int i = 0; i < ncalls; i++) {
		plans[i] = &calls[i].plan;
	}
	why = rfx_consistent(&F, plans, (size_t)ncalls);
	if (why) {
		return why;
	}
	if (F.t.live != (uint64_t)nobjs) {
		return "table and model hold different numbers of objects";
	}
	for (int i = 0; i < nobjs; i++) {
		const struct mobj *o = &objs[i];
		const struct rref_meta *m = rref_tab_find(&F.t, o->addr);

		if (!m) {
			return "model object missing from the table";
		}
		if (m->owner != o->owner || m->borrows != o->borrows ||
		    m->borrower != o->borrower || m->type_id != o->type ||
		    m->size != o->size ||
		    !!(m->flags & RREF_F_ORPHAN) != o->orphan) {
			return "object differs from the model";
		}
	}
	for (int i = 0; i < nfreed; i++) {
		if (!mfind(freed[i]) && rref_tab_find(&F.t, freed[i])) {
			return "freed address still found";
		}
	}
	return NULL;
}

static const char *step_alloc(void)
{
	static const uint64_t types[] = {0,	     RFX_T_LEAF, RFX_T_ARR4,
					 RFX_T_NODE, RFX_T_DEQ8, RFX_T_LEAF,
					 RFX_T_LEAF, RFX_T_LEAF};
	static const uint64_t sizes[] = {0, 32, 32, 64, 80, 4096, 32, 32};
	unsigned int t = pick(ARRAY_SIZE(types));
	uint64_t size = sizes[t] ? sizes[t] : 1 + pick(3 * 4096);
	uint64_t owner = dom();
	struct mobj *o;
	uint64_t a;

	if (nobjs == MAX_LIVE) {
		return NULL;
	}
	if (rfx_alloc(&F, owner, types[t], size, &a) != 0) {
		return "alloc failed";
	}
	o = &objs[nobjs++];
	memset(o, 0, sizeof(*o));
	o->addr = a;
	o->type = types[t];
	o->size = size;
	o->owner = owner;
	return NULL;
}

static const char *step_free(void)
{
	uint64_t a = some_value(dom());
	struct mobj *o = mfind(a);
	uint64_t who = o && pick(4) ? o->owner : dom();
	int want;
	int err;

	if (!o) {
		want = -EINVAL;
	} else if (o->owner != who || o->orphan) {
		want = -EPERM;
	} else if (o->borrows) {
		want = -EBUSY;
	} else {
		want = 0;
	}
	err = rfx_free(&F, who, a);
	if (err != want) {
		return "free result differs from the model";
	}
	if (err == 0) {
		stats.frees_ok++;
		mremove(o);
	} else {
		stats.frees_bad++;
	}
	return NULL;
}

/* The owner of a container writes one of its words. */
static const char *step_write(void)
{
	struct mobj *o;
	unsigned int idx[8];
	uint64_t wt[8];
	unsigned int r;
	uint64_t v;
	int n;
	int i;

	if (!nobjs) {
		return NULL;
	}
	/* Mostly containers: try a few picks. */
	o = &objs[pick((unsigned int)nobjs)];
	for (int tries = 0; tries < 4 && !slots_of(o->type, idx, wt); tries++) {
		o = &objs[pick((unsigned int)nobjs)];
	}
	n = slots_of(o->type, idx, wt);
	if (!n || o->orphan) {
		return NULL;
	}
	if (o->type == RFX_T_DEQ8 && pick(4) == 0) {
		rfx_set(&F, o->addr, pick(2), rng()); /* head or tail */
		return NULL;
	}
	/* Fill or clear a few slots, as a domain batching requests would. */
	for (int j = 1 + (int)pick((unsigned int)n); j > 0; j--) {
		i = (int)pick((unsigned int)n);
		r = pick(100);
		if (r < 80) {
			v = owned_by(o->owner, wt[i] ? wt[i] : RFX_T_LEAF);
			if (v == o->addr && pick(10)) {
				v = 0;
			}
			for (int k = 0; k < n && v && pick(10); k++) {
				if (rfx_obj(&F, o->addr)->w[idx[k]] == v) {
					v = 0;
				}
			}
		} else if (r < 94) {
			v = 0;
		} else {
			v = some_value(o->owner);
		}
		rfx_set(&F, o->addr, idx[i], v);
	}
	return NULL;
}

static const char *step_cross(void)
{
	static const unsigned int kinds[] = {
		IPC_KIND_SCALAR,	IPC_KIND_SCALAR,
		IPC_KIND_SCALAR,	IPC_KIND_HANDLE,
		IPC_KIND_RREF_MOVE,	IPC_KIND_RREF_MOVE,
		IPC_KIND_RREF_BORROW,	IPC_KIND_RREF_BORROW,
		IPC_KIND_RREF_MOVE_OPT, IPC_KIND_RREF_BORROW_OPT,
	};
	struct call *c = &calls[ncalls];
	uint64_t caller = dom();
	uint64_t callee =
		pick(20) ? 1 + (caller + pick(NDOM - 1)) % NDOM : caller;
	uint64_t w[IPC_WORDS];
	unsigned int k[IPC_WORDS];
	uint16_t packed = 0;
	unsigned int nrref;
	struct seen s;
	int bad;
	int err;

	if (ncalls == MAX_CALLS) {
		return NULL;
	}
	/* Mostly one or two rref words, so that containers get through. */
	nrref = 1 + (pick(10) >= 5) + (pick(10) >= 8) + (pick(10) >= 9);
	for (int i = 0; i < (int)IPC_WORDS; i++) {
		if (pick((unsigned int)(IPC_WORDS - i)) < nrref) {
			k[i] = kinds[4 + pick(ARRAY_SIZE(kinds) - 4)];
			nrref--;
		} else {
			k[i] = kinds[pick(4)];
		}
		if (pick(200) == 0) {
			k[i] = 6 + pick(2);
		}
		w[i] = pick(3) ? some_value(caller) : some_container(caller);
		/* Repeats are tested, but should not drown everything else. */
		for (int j = 0; j < i && w[i] && pick(10); j++) {
			if (w[j] == w[i]) {
				w[i] = 0;
			}
		}
		packed |= (uint16_t)(k[i] << (3 * i));
	}
	bad = caller == callee ? -1
			       : expect_words(caller, callee, w, k, false, &s);
	err = rref_tab_cross(&F.t, caller, callee, w, packed, NULL, &c->plan);
	if (caller == callee || bad >= 0) {
		stats.cross_bad++;
		if (err != -EINVAL || c->plan.bad_word != bad ||
		    c->plan.state != RREF_PLAN_EMPTY || !c->plan.why) {
			return "cross should have been refused";
		}
		return NULL;
	}
	if (err != 0 || c->plan.state != RREF_PLAN_APPLIED ||
	    c->plan.n != (uint32_t)s.n) {
		return "cross should have succeeded";
	}
	stats.cross_ok++;
	c->caller = caller;
	c->callee = callee;
	c->nloans = 0;
	for (uint32_t i = 0; i < c->plan.n; i++) {
		const struct rref_plan_ent *e = &c->plan.ent[i];
		struct mobj *o = mfind(e->addr);
		uint8_t act;

		if (!seen_has(&s, e->addr, e->kind) || !o) {
			return "plan lists an object the model did not pass";
		}
		stats.nested += e->depth > 0;
		if (e->kind == RREF_ENT_MOVE) {
			act = RREF_ACT_UNMAP_CALLER | RREF_ACT_MAP_RW_CALLEE;
			o->owner = callee;
		} else {
			act = o->borrows ? 0 : RREF_ACT_MAP_RO_CALLEE;
			o->borrower = callee;
			o->borrows++;
			c->loans[c->nloans++] = e->addr;
		}
		if (e->action != act) {
			return "cross plan has the wrong action";
		}
	}
	ncalls++;
	return NULL;
}

/* End the loans of @c in the model; count those the plan @p must list. */
static const char *release(struct call *c, const struct rref_cross_plan *p,
			   uint32_t first)
{
	uint32_t listed = first;

	for (int i = 0; i < c->nloans; i++) {
		struct mobj *o = mfind(c->loans[i]);
		const struct rref_plan_ent *e = NULL;

		if (!o || o->borrows == 0) {
			return "model lost a loan";
		}
		if (--o->borrows) {
			continue;
		}
		for (uint32_t j = first; j < p->n; j++) {
			if (p->ent[j].addr == o->addr) {
				e = &p->ent[j];
			}
		}
		if (!e || e->kind != RREF_ENT_RELEASE) {
			return "released loan missing from the plan";
		}
		listed++;
		o->borrower = RREF_OWNER_NONE;
		if (o->orphan) {
			stats.orphan_frees++;
			if (e->action !=
			    (RREF_ACT_UNMAP_CALLEE | RREF_ACT_FREE)) {
				return "orphan not freed at its last loan";
			}
			mremove(o);
		} else if (e->action != RREF_ACT_UNMAP_CALLEE) {
			return "release has the wrong action";
		}
	}
	if (listed != p->n) {
		return "plan releases more than the model";
	}
	return NULL;
}

static void forget_call(int i)
{
	calls[i] = calls[--ncalls];
}

static const char *step_ret(void)
{
	static const unsigned int kinds[] = {
		IPC_KIND_SCALAR,    IPC_KIND_SCALAR,
		IPC_KIND_SCALAR,    IPC_KIND_HANDLE,
		IPC_KIND_RREF_MOVE, IPC_KIND_RREF_MOVE_OPT,
		IPC_KIND_RREF_MOVE, IPC_KIND_RREF_MOVE_OPT,
		IPC_KIND_RREF_MOVE, IPC_KIND_RREF_BORROW,
	};
	struct rref_cross_plan rp;
	uint64_t w[IPC_WORDS];
	unsigned int k[IPC_WORDS];
	uint16_t packed = 0;
	struct seen s;
	struct call *c;
	const char *why;
	uint64_t callee;
	int ci;
	int bad;
	int err;

	if (!ncalls) {
		return NULL;
	}
	ci = (int)pick((unsigned int)ncalls);
	c = &calls[ci];
	callee = pick(20) ? c->callee : c->callee % NDOM + 1;
	for (int i = 0; i < (int)IPC_WORDS; i++) {
		k[i] = pick(2) ? kinds[pick(ARRAY_SIZE(kinds))] : 0;
		w[i] = some_value(c->callee);
		packed |= (uint16_t)(k[i] << (3 * i));
	}
	bad = callee != c->callee
		      ? -1
		      : expect_words(callee, c->caller, w, k, true, &s);
	err = rref_tab_ret(&F.t, callee, c->caller, w, packed, NULL, &c->plan,
			   &rp);
	if (callee != c->callee || bad >= 0) {
		stats.ret_bad++;
		if (err != -EINVAL || rp.bad_word != bad ||
		    c->plan.state != RREF_PLAN_APPLIED) {
			return "return should have been refused";
		}
		return NULL;
	}
	if (err != 0 || c->plan.state != RREF_PLAN_RETIRED ||
	    rp.n < (uint32_t)s.n) {
		return "return should have succeeded";
	}
	stats.ret_ok++;
	for (int i = 0; i < s.n; i++) {
		const struct rref_plan_ent *e = &rp.ent[i];

		if (e->addr != s.addr[i] && !seen_has(&s, e->addr, e->kind)) {
			return "return plan lists an unexpected result";
		}
		if (e->kind != RREF_ENT_RESULT ||
		    e->action !=
			    (RREF_ACT_UNMAP_CALLEE | RREF_ACT_MAP_RW_CALLER)) {
			return "result entry is wrong";
		}
		mfind(e->addr)->owner = c->caller;
	}
	rfx_apply(&F, &rp);
	why = release(c, &rp, (uint32_t)s.n);
	if (why) {
		return why;
	}
	forget_call(ci);
	return NULL;
}

static const char *unwind_call(int ci)
{
	struct call *c = &calls[ci];
	struct rref_cross_plan up;
	const char *why;

	if (rref_tab_unwind(&F.t, c->callee, c->caller, &c->plan, &up) != 0 ||
	    c->plan.state != RREF_PLAN_RETIRED) {
		return "unwind failed";
	}
	rfx_apply(&F, &up);
	why = release(c, &up, 0);
	if (why) {
		return why;
	}
	stats.unwinds++;
	/* Again: a no-op on a retired plan. */
	if (rref_tab_unwind(&F.t, c->callee, c->caller, &c->plan, &up) != 0 ||
	    up.n != 0) {
		return "second unwind was not a no-op";
	}
	forget_call(ci);
	return NULL;
}

static const char *step_unwind(void)
{
	if (!ncalls) {
		return NULL;
	}
	return unwind_call((int)pick((unsigned int)ncalls));
}

/* Domain @d dies: its frames as callee unwind, its objects drop. */
static const char *step_die(void)
{
	uint64_t d = dom();
	bool unwind_first = pick(2);
	size_t want = 0;
	size_t got;
	const char *why;

	if (unwind_first) {
		for (int i = ncalls - 1; i >= 0; i--) {
			if (calls[i].callee == d) {
				why = unwind_call(i);
				if (why) {
					return why;
				}
			}
		}
	}
	for (int i = nobjs - 1; i >= 0; i--) {
		struct mobj *o = &objs[i];

		if (o->owner != d) {
			continue;
		}
		if (o->borrows) {
			o->owner = RREF_OWNER_NONE;
			o->orphan = true;
			stats.orphans++;
		} else {
			want++;
			mremove(o);
		}
	}
	got = rfx_drop(&F, d);
	stats.drops++;
	stats.dropped += (long)got;
	if (got != want) {
		return "drop count differs from the model";
	}
	if (!unwind_first) {
		for (int i = ncalls - 1; i >= 0; i--) {
			if (calls[i].callee == d) {
				why = unwind_call(i);
				if (why) {
					return why;
				}
			}
		}
	}
	return NULL;
}

static const char *run_sequence(uint64_t seed)
{
	const char *why;

	rng_state = seed * 0x9e3779b97f4a7c15ull + 1;
	nobjs = 0;
	ncalls = 0;
	nfreed = 0;
	if (rfx_init(&F, VA_PAGES, 1) != 0) {
		return "init failed";
	}
	rfx_register_types(&F);
	for (int step = 0; step < STEPS; step++) {
		unsigned int r = pick(100);

		if (r < 24) {
			why = step_alloc();
		} else if (r < 30) {
			why = step_free();
		} else if (r < 50) {
			why = step_write();
		} else if (r < 75) {
			why = step_cross();
		} else if (r < 91) {
			why = step_ret();
		} else if (r < 97) {
			why = step_unwind();
		} else {
			why = step_die();
		}
		if (!why) {
			why = compare();
		}
		if (why) {
			return why;
		}
	}
	/* Wind down: every call unwinds, every domain dies. */
	while (ncalls) {
		why = unwind_call(ncalls - 1);
		if (why) {
			return why;
		}
	}
	for (uint64_t d = 1; d <= NDOM; d++) {
		rfx_drop(&F, d);
	}
	if (F.t.live != 0 || F.t.va_used != 0) {
		return "objects left after every domain died";
	}
	return NULL;
}

UNIT_TEST(random_sequences_match_the_reference_model)
{
	long failures = 0;

	rfx_mem_live = 0;
	for (uint64_t seed = 1; seed <= SEQS; seed++) {
		const char *why = run_sequence(seed);

		if (why) {
			if (failures++ < 5) {
				printf("# seed %llu: %s\n",
				       (unsigned long long)seed, why);
			}
		}
		rfx_fini(&F);
		if (rfx_mem_live != 0) {
			printf("# seed %llu: table memory leaked\n",
			       (unsigned long long)seed);
			failures++;
			rfx_mem_live = 0;
		}
	}
	printf("# cross %ld ok %ld refused, ret %ld ok %ld refused, "
	       "%ld unwinds, frees %ld ok %ld refused, %ld deaths dropped %ld, "
	       "%ld nested entries, %ld orphans, %ld orphan frees\n",
	       stats.cross_ok, stats.cross_bad, stats.ret_ok, stats.ret_bad,
	       stats.unwinds, stats.frees_ok, stats.frees_bad, stats.drops,
	       stats.dropped, stats.nested, stats.orphans, stats.orphan_frees);
	UNIT_EQ(failures, 0);
	/* The run must exercise both sides of every rule. */
	UNIT_ASSERT(stats.cross_ok > SEQS && stats.cross_bad > SEQS);
	UNIT_ASSERT(stats.ret_ok > SEQS / 2 && stats.ret_bad > SEQS / 2);
	UNIT_ASSERT(stats.nested > SEQS / 10);
	UNIT_ASSERT(stats.orphans > 100 && stats.orphan_frees > 100);
	UNIT_ASSERT(stats.frees_ok > SEQS && stats.dropped > SEQS);
}
