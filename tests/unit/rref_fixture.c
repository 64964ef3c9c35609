// SPDX-License-Identifier: MIT
/*
 * The rref table test fixture (see rref_fixture.h): counting allocator,
 * simulated object memory, test types, drop log, snapshots, the invariant
 * checker and call helpers shared by the test_rref_*.c programs.
 */
#include "rref_fixture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "abi/errno.h"

long rfx_mem_live;
struct rfx rfx_cur;
long rfx_mem_fail_after = -1;

static void *mem_alloc(size_t size)
{
	void *p;

	if (rfx_mem_fail_after == 0) {
		return NULL;
	}
	if (rfx_mem_fail_after > 0) {
		rfx_mem_fail_after--;
	}
	/* Garbage on purpose: the table must not rely on zeroed memory. */
	p = malloc(size ? size : 1);
	if (!p) {
		abort();
	}
	memset(p, 0xa5, size);
	rfx_mem_live++;
	return p;
}

static void mem_free(void *p)
{
	if (!p) {
		fprintf(stderr, "rref_fixture: free(NULL)\n");
		abort();
	}
	rfx_mem_live--;
	free(p);
}

struct rfx_obj *rfx_obj(struct rfx *f, uint64_t addr)
{
	for (size_t i = 0; i < f->nobjs; i++) {
		if (f->objs[i].addr == addr) {
			return &f->objs[i];
		}
	}
	return NULL;
}

/*
 * The simulated word at @addr: only memory of objects the table says are
 * live. NULL (and bad_read set) otherwise.
 */
static uint64_t *mem_word(struct rfx *f, uint64_t addr)
{
	for (size_t i = 0; i < f->nobjs; i++) {
		struct rfx_obj *o = &f->objs[i];

		if (addr >= o->addr && addr < o->addr + RFX_WORDS * 8) {
			if (addr % 8 || !rref_tab_find(&f->t, o->addr)) {
				break;
			}
			return &o->w[(addr - o->addr) / 8];
		}
	}
	f->bad_read = true;
	return NULL;
}

/* ops->read_u64 */
static int mem_read(void *ctx, uint64_t addr, uint64_t *val)
{
	struct rfx *f = ctx;
	uint64_t *w;

	f->reads++;
	if (f->read_err) {
		return f->read_err;
	}
	w = mem_word(f, addr);
	if (!w) {
		return -EFAULT;
	}
	*val = *w;
	return 0;
}

/* ops->write_u64 */
static int mem_write(void *ctx, uint64_t addr, uint64_t val)
{
	struct rfx *f = ctx;
	uint64_t *w;

	f->writes++;
	w = mem_word(f, addr);
	if (!w) {
		return -EFAULT;
	}
	*w = val;
	return 0;
}

const struct rref_tab_ops rfx_ops = {
	.alloc = mem_alloc,
	.free = mem_free,
	.read_u64 = mem_read,
	.write_u64 = mem_write,
};

int rfx_init(struct rfx *f, uint64_t va_pages, uint32_t guard_pages)
{
	struct rref_tab_config cfg = {
		.va_base = SHEAP_BASE,
		.va_size = va_pages * RREF_PAGE_SIZE,
		.guard_pages = guard_pages,
	};

	memset(f, 0, sizeof(*f));
	return rref_tab_init(&f->t, &rfx_ops, f, &cfg);
}

void rfx_fini(struct rfx *f)
{
	rref_tab_destroy(&f->t);
	free(f->objs);
	free(f->dropped);
	memset(f, 0, sizeof(*f));
}

static void reg(struct rfx *f, uint64_t id, uint32_t size, uint32_t kind,
		const struct rref_slot_run *runs, uint32_t nruns)
{
	struct rref_type_desc d;

	memset(&d, 0, sizeof(d));
	d.id = id;
	d.size = size;
	d.align = 8;
	d.kind = kind;
	d.nslots = nruns;
	if (nruns) {
		memcpy(d.slots, runs, nruns * sizeof(runs[0]));
	}
	snprintf(d.name, sizeof(d.name), "t%llx", (unsigned long long)id);
	if (rref_tab_register_type(&f->t, &d) != 0) {
		fprintf(stderr, "rref_fixture: cannot register %llx\n",
			(unsigned long long)id);
		abort();
	}
}

void rfx_register_types(struct rfx *f)
{
	const struct rref_slot_run arr4 = {0, 8, 4, 0, RFX_T_LEAF};
	const struct rref_slot_run node[] = {
		{8, 0, 1, 0, RFX_T_NODE},
		{24, 0, 1, 0, 0},
	};
	const struct rref_slot_run deq8 = {16, 8, 8, 0, RFX_T_LEAF};
	const struct rref_slot_run big = {0, 8, RREF_PLAN_MAX, 0, RFX_T_LEAF};

	reg(f, RFX_T_LEAF, 32, RREF_TYPE_STRUCT, NULL, 0);
	reg(f, RFX_T_ARR4, 32, RREF_TYPE_ARRAY, &arr4, 1);
	reg(f, RFX_T_NODE, 64, RREF_TYPE_STRUCT, node, 2);
	reg(f, RFX_T_DEQ8, 80, RREF_TYPE_DEQUE, &deq8, 1);
	reg(f, RFX_T_BIG, RREF_PLAN_MAX * 8, RREF_TYPE_ARRAY, &big, 1);
}

int rfx_alloc(struct rfx *f, uint64_t owner, uint64_t type, uint64_t size,
	      uint64_t *addr)
{
	int err = rref_tab_alloc(&f->t, owner, type, size, addr);

	if (err) {
		return err;
	}
	if (f->nobjs == f->cap) {
		f->cap = f->cap ? f->cap * 2 : 16;
		f->objs = realloc(f->objs, f->cap * sizeof(*f->objs));
		if (!f->objs) {
			abort();
		}
	}
	memset(&f->objs[f->nobjs], 0, sizeof(f->objs[0]));
	f->objs[f->nobjs].addr = *addr;
	f->nobjs++;
	return 0;
}

static void obj_release(struct rfx *f, uint64_t addr)
{
	struct rfx_obj *o = rfx_obj(f, addr);

	if (!o) {
		fprintf(stderr, "rref_fixture: no memory at %llx\n",
			(unsigned long long)addr);
		abort();
	}
	*o = f->objs[--f->nobjs];
}

int rfx_free(struct rfx *f, uint64_t owner, uint64_t addr)
{
	struct rref_meta gone;
	int err = rref_tab_free(&f->t, owner, addr, &gone);

	if (err == 0) {
		if (gone.addr != addr) {
			abort();
		}
		obj_release(f, addr);
	}
	return err;
}

void rfx_set(struct rfx *f, uint64_t addr, unsigned int idx, uint64_t v)
{
	struct rfx_obj *o = rfx_obj(f, addr);

	if (!o || idx >= RFX_WORDS) {
		abort();
	}
	o->w[idx] = v;
}

static void drop_cb(void *ctx, const struct rref_meta *m)
{
	struct rfx *f = ctx;

	if (rref_tab_find(&f->t, m->addr)) {
		fprintf(stderr, "rref_fixture: dropped object still found\n");
		abort();
	}
	if (f->ndropped == f->dropped_cap) {
		f->dropped_cap = f->dropped_cap ? f->dropped_cap * 2 : 64;
		f->dropped = realloc(f->dropped,
				     f->dropped_cap * sizeof(*f->dropped));
		if (!f->dropped) {
			abort();
		}
	}
	f->dropped[f->ndropped++] = m->addr;
	obj_release(f, m->addr);
}

size_t rfx_drop(struct rfx *f, uint64_t owner)
{
	return rref_tab_drop_owner(&f->t, owner, drop_cb, f);
}

void rfx_apply(struct rfx *f, const struct rref_cross_plan *p)
{
	for (uint32_t i = 0; i < p->n; i++) {
		if (p->ent[i].action & RREF_ACT_FREE) {
			obj_release(f, p->ent[i].addr);
		}
	}
}

long rfx_drop_pos(const struct rfx *f, uint64_t addr)
{
	for (size_t i = 0; i < f->ndropped; i++) {
		if (f->dropped[i] == addr) {
			return (long)i;
		}
	}
	return -1;
}

bool rfx_was_dropped(const struct rfx *f, uint64_t addr)
{
	return rfx_drop_pos(f, addr) >= 0;
}

struct consist {
	struct rfx *f;
	struct rref_cross_plan *const *plans;
	size_t nplans;
	const char *why;
};

static void consist_one(void *ctx, const struct rref_meta *m)
{
	struct consist *c = ctx;
	uint64_t loans = 0;

	for (size_t i = 0; i < c->nplans; i++) {
		const struct rref_cross_plan *p = c->plans[i];

		if (p->state != RREF_PLAN_APPLIED) {
			continue;
		}
		for (uint32_t j = 0; j < p->n; j++) {
			if (p->ent[j].addr != m->addr ||
			    p->ent[j].kind != RREF_ENT_BORROW) {
				continue;
			}
			loans++;
			if (p->callee != m->borrower) {
				c->why = "loan recorded for another borrower";
			}
		}
	}
	if (loans != m->borrows && !c->why) {
		c->why = "borrow count differs from outstanding loans";
	}
	if (m->owner == RREF_OWNER_NONE && !(m->flags & RREF_F_ORPHAN) &&
	    !c->why) {
		c->why = "object without an owner";
	}
	if (!rfx_obj(c->f, m->addr) && !c->why) {
		c->why = "live object without memory (kernel lost frames)";
	}
}

const char *rfx_consistent(struct rfx *f, struct rref_cross_plan *const *plans,
			   size_t nplans)
{
	struct consist c = {f, plans, nplans, NULL};
	const char *why = NULL;
	struct rref_tab_stats st;

	if (rref_tab_check(&f->t, &why)) {
		return why;
	}
	if (f->bad_read) {
		return "table read memory of a dead object";
	}
	rref_tab_for_each(&f->t, consist_one, &c);
	if (c.why) {
		return c.why;
	}
	for (size_t i = 0; i < nplans; i++) {
		const struct rref_cross_plan *p = plans[i];

		if (p->state != RREF_PLAN_APPLIED) {
			continue;
		}
		for (uint32_t j = 0; j < p->n; j++) {
			if (p->ent[j].kind == RREF_ENT_BORROW &&
			    !rref_tab_find(&f->t, p->ent[j].addr)) {
				return "outstanding loan of a missing object";
			}
		}
	}
	rref_tab_stats(&f->t, &st);
	if (st.live != f->nobjs) {
		return "memory exists for objects the table forgot";
	}
	return NULL;
}

static void snap_one(void *ctx, const struct rref_meta *m)
{
	struct rfx_snap *s = ctx;

	s->m[s->n++] = *m;
}

static int meta_cmp(const void *a, const void *b)
{
	const struct rref_meta *x = a;
	const struct rref_meta *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

void rfx_snap_take(struct rfx *f, struct rfx_snap *s)
{
	rref_tab_stats(&f->t, &s->st);
	s->m = calloc(s->st.live + 1, sizeof(*s->m));
	if (!s->m) {
		abort();
	}
	s->n = 0;
	rref_tab_for_each(&f->t, snap_one, s);
	qsort(s->m, s->n, sizeof(*s->m), meta_cmp);
}

bool rfx_snap_equal(const struct rfx_snap *a, const struct rfx_snap *b)
{
	return a->n == b->n && memcmp(&a->st, &b->st, sizeof(a->st)) == 0 &&
	       memcmp(a->m, b->m, a->n * sizeof(*a->m)) == 0;
}

void rfx_snap_free(struct rfx_snap *s)
{
	free(s->m);
	s->m = NULL;
}

int rfx_setup(void)
{
	if (rfx_cur.t.ops) {
		rfx_fini(&rfx_cur);
	}
	rfx_mem_fail_after = -1;
	rfx_mem_live = 0;
	if (rfx_init(&rfx_cur, RFX_VA_PAGES, 1) != 0) {
		return -1;
	}
	rfx_register_types(&rfx_cur);
	return 0;
}

long rfx_finish(void)
{
	rfx_fini(&rfx_cur);
	return rfx_mem_live;
}

uint64_t rfx_new(uint64_t owner, uint64_t type, uint64_t size)
{
	uint64_t a;

	return rfx_alloc(&rfx_cur, owner, type, size, &a) ? 0 : a;
}

const struct rref_meta *rfx_meta(uint64_t a)
{
	return rref_tab_find(&rfx_cur.t, a);
}

int rfx_cross(uint64_t from, uint64_t to, uint64_t w0, uint64_t w1, uint64_t w2,
	      uint64_t w3, uint16_t kinds, struct rref_cross_plan *p)
{
	const uint64_t w[IPC_WORDS] = {w0, w1, w2, w3};

	return rref_tab_cross(&rfx_cur.t, from, to, w, kinds, NULL, p);
}

int rfx_ret(uint64_t callee, uint64_t caller, uint64_t w0, uint64_t w1,
	    uint16_t kinds, struct rref_cross_plan *cp,
	    struct rref_cross_plan *rp)
{
	const uint64_t w[IPC_WORDS] = {w0, w1, 0, 0};
	int err = rref_tab_ret(&rfx_cur.t, callee, caller, w, kinds, NULL, cp,
			       rp);

	if (err == 0) {
		rfx_apply(&rfx_cur, rp);
	}
	return err;
}

int rfx_unwind(uint64_t callee, uint64_t caller, struct rref_cross_plan *cp,
	       struct rref_cross_plan *up)
{
	int err = rref_tab_unwind(&rfx_cur.t, callee, caller, cp, up);

	if (err == 0) {
		rfx_apply(&rfx_cur, up);
	}
	return err;
}

const struct rref_plan_ent *rfx_ent(const struct rref_cross_plan *p, uint64_t a)
{
	for (uint32_t i = 0; i < p->n; i++) {
		if (p->ent[i].addr == a) {
			return &p->ent[i];
		}
	}
	return NULL;
}
