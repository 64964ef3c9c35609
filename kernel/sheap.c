// SPDX-License-Identifier: MIT
/*
 * The shared heap: lib/rref's ownership table plus the frames and page
 * tables behind it (see sheap.h, and lib/rref/rref_table.h for the rules
 * and the plan protocol this carries out).
 *
 * Locking: sheap_lock serialises every table operation together with
 * the page-table changes its plan lists, so no domain ever runs on a
 * page table that disagrees with the table (aspace_unmap_runs() finishes its
 * TLB shootdown before returning, and a plan's unmaps all come before its
 * maps and frees). Order: sheap_lock, then aspace and pmm locks; never a
 * domain's lock inside it.
 */
#include "sheap.h"

#include "abi/errno.h"
#include "abi/layout.h"
#include "abi/rref_types.h"
#include "abi/syscall.h"
#include "arch/x86_64/paging.h"
#include "base/string.h"
#include "console.h"
#include "dom.h"
#include "heap.h"
#include "panic.h"
#include "pmm.h"
#include "spinlock.h"

/*
 * The part of SHEAP_BASE.. the table hands out: 4 GiB of addresses (a
 * 128 KiB bitmap), far more than any test or benchmark keeps live.
 */
#define SHEAP_VA_SIZE (4ull << 30)
#define SHEAP_GUARD_PAGES 1
#define SHEAP_BUCKETS 1024u
#define SHEAP_ALLOC_BATCH_MAX 64u

/* The frames of one object. */
struct sheap_obj {
	struct sheap_obj *next; /* hash chain */
	uint64_t addr;
	uint32_t npages;
	paddr_t frames[];
};

static struct spinlock sheap_lock = SPINLOCK_INIT("sheap");
static struct rref_table table;
static struct sheap_obj *buckets[SHEAP_BUCKETS];
static struct sheap_stats counters;
/* What tab_read_u64() found last: a container's slots come in a row. */
static struct sheap_obj *read_hint;
/* apply()'s work lists: one plan at a time, under sheap_lock. */
static struct sheap_obj *plan_obj[RREF_PLAN_MAX];
static struct aspace_run plan_runs[2 * RREF_PLAN_MAX];

static unsigned int bucket_of(uint64_t addr)
{
	return (unsigned int)(((addr >> 12) * 0x9e3779b97f4a7c15ull) >> 54) &
	       (SHEAP_BUCKETS - 1);
}

static struct sheap_obj *obj_find(uint64_t addr)
{
	struct sheap_obj *o = buckets[bucket_of(addr)];

	while (o && o->addr != addr) {
		o = o->next;
	}
	return o;
}

static void obj_unlink(struct sheap_obj *o)
{
	struct sheap_obj **pp = &buckets[bucket_of(o->addr)];

	while (*pp != o) {
		pp = &(*pp)->next;
	}
	*pp = o->next;
}

/* Free @o's frames and @o itself. */
static void obj_destroy(struct sheap_obj *o)
{
	for (uint32_t i = 0; i < o->npages; i++) {
		pmm_free(o->frames[i], 1);
	}
	kfree(o);
}

/* Forget a live object, free it and take it off the counters. */
static void obj_free(struct sheap_obj *o)
{
	obj_unlink(o);
	if (read_hint == o) {
		read_hint = NULL;
	}
	counters.pages -= o->npages;
	counters.live--;
	obj_destroy(o);
}

/* The table's environment: kernel heap, and reads through the frames. */
static void *tab_alloc(size_t size)
{
	return kmalloc(size);
}

static void tab_free(void *p)
{
	kfree(p);
}

/*
 * The 8 bytes at @addr inside a live object, through the direct map; NULL
 * if there are none. The table asks only for slots of objects it knows,
 * so the start is at most the object's size below; look for it page by
 * page.
 */
static uint64_t *obj_word(uint64_t addr)
{
	uint64_t page = addr & ~(uint64_t)(PAGE_SIZE - 1);
	uint64_t off;
	struct sheap_obj *o = read_hint;

	if (addr & 7) {
		return NULL;
	}
	if (o && addr - o->addr < (uint64_t)o->npages * PAGE_SIZE) {
		goto found;
	}
	o = NULL;
	for (uint64_t back = 0; back < RREF_TYPE_MAX_SIZE / PAGE_SIZE + 1;
	     back++) {
		if (page < SHEAP_BASE + back * PAGE_SIZE) {
			break;
		}
		o = obj_find(page - back * PAGE_SIZE);
		if (o) {
			break;
		}
	}
	if (!o) {
		return NULL;
	}
	read_hint = o;
found:
	off = addr - o->addr;
	if (off / PAGE_SIZE >= o->npages) {
		return NULL;
	}
	return (uint64_t *)((char *)phys_to_virt(o->frames[off / PAGE_SIZE]) +
			    off % PAGE_SIZE);
}

static int tab_read_u64(void *ctx, uint64_t addr, uint64_t *val)
{
	const uint64_t *w = obj_word(addr);

	(void)ctx;
	if (!w) {
		return -EFAULT;
	}
	*val = READ_ONCE(*w);
	return 0;
}

/* rref_plan_seal(): the sender has lost the object, nobody else has it. */
static int tab_write_u64(void *ctx, uint64_t addr, uint64_t val)
{
	uint64_t *w = obj_word(addr);

	(void)ctx;
	if (!w) {
		return -EFAULT;
	}
	WRITE_ONCE(*w, val);
	return 0;
}

static const struct rref_tab_ops tab_ops = {
	.alloc = tab_alloc,
	.free = tab_free,
	.read_u64 = tab_read_u64,
	.write_u64 = tab_write_u64,
};

static const struct rref_tab_config tab_cfg = {
	.va_base = SHEAP_BASE,
	.va_size = SHEAP_VA_SIZE,
	.guard_pages = SHEAP_GUARD_PAGES,
};

void sheap_init(void)
{
	MUST(rref_tab_init(&table, &tab_ops, NULL, &tab_cfg));
}

/*
 * With no object left, start a fresh table: the type registry forgets
 * types no object has (every SYS_RREF_ALLOC registers its type again),
 * so the table's own memory does not grow with every interface ever
 * seen, and leak checks see the same heap before and after. Lock held.
 */
static void reset_if_empty(void)
{
	struct rref_table fresh;

	if (table.live != 0 || table.ntypes == 0) {
		return;
	}
	if (rref_tab_init(&fresh, &tab_ops, NULL, &tab_cfg)) {
		return; /* keep the old one; try again next time */
	}
	rref_tab_destroy(&table);
	table = fresh;
}

void sheap_get_stats(struct sheap_stats *st)
{
	spin_lock(&sheap_lock);
	*st = counters;
	st->orphans = table.orphans;
	spin_unlock(&sheap_lock);
}

/* --- Page tables --------------------------------------------------------- */

static void unmap_obj(struct dom *d, uint64_t addr, uint32_t npages)
{
	if (d && d->as) {
		aspace_unmap(d->as, addr, npages, NULL);
	}
}

/*
 * The runs of @p's objects whose action has @act, in plan_runs[]: all of
 * them in place when every entry has the same action (@uniform), else
 * copied to the end of plan_runs[] (entries beyond p->n are free).
 * Returns where they start; *count says how many. Lock held.
 */
static struct aspace_run *runs_with(const struct rref_cross_plan *p,
				    unsigned int act, bool uniform,
				    size_t *count)
{
	struct aspace_run *out = &plan_runs[p->n];
	size_t k = 0;

	if (uniform) {
		*count = p->n;
		return plan_runs;
	}
	for (uint32_t i = 0; i < p->n; i++) {
		if (p->ent[i].action & act) {
			out[k++] = plan_runs[i];
		}
	}
	*count = k;
	return out;
}

static void unmap_side(const struct rref_cross_plan *p, struct dom *d,
		       unsigned int act, bool uniform)
{
	size_t k;
	struct aspace_run *runs = runs_with(p, act, uniform, &k);

	if (k && d && d->as) {
		aspace_unmap_runs(d->as, runs, k);
	}
}

static void map_side(const struct rref_cross_plan *p, struct dom *d,
		     unsigned int act, bool uniform, bool writable)
{
	unsigned int prot = PROT_READ | PROT_USER | (writable ? PROT_WRITE : 0);
	size_t k;
	struct aspace_run *runs = runs_with(p, act, uniform, &k);
	long missing;

	if (!k || !d) {
		return;
	}
	missing = aspace_map_runs(d->as, runs, k, prot);
	if (missing) {
		/*
		 * Out of page-table pages: the domain faults when it
		 * touches the object, which fails only it.
		 */
		kprintf("sheap: cannot map %ld page(s) in %s\n", missing,
			d->mf->name);
	}
}

/*
 * Carry out @p's page-table work between @caller and @callee. No object
 * appears twice in a plan, so the work is done by kind rather than by
 * entry: every unmap first, one shootdown per address space (complete
 * before anything is mapped or freed, and before either side runs
 * again), then the maps, then the frees.
 */
static void apply(const struct rref_cross_plan *p, struct dom *caller,
		  struct dom *callee)
{
	unsigned int any = 0;
	unsigned int all = ~0u;
	bool uniform;

	/* Half of plan_runs[] is scratch for runs_with(). */
	BUILD_ASSERT(ARRAY_SIZE(plan_runs) >= 2 * RREF_PLAN_MAX);
	VERIFY(p->n <= RREF_PLAN_MAX);
	for (uint32_t i = 0; i < p->n; i++) {
		const struct rref_plan_ent *e = &p->ent[i];
		struct sheap_obj *o = obj_find(e->addr);

		VERIFY(o != NULL);
		plan_obj[i] = o;
		plan_runs[i].va = o->addr;
		plan_runs[i].n = o->npages;
		plan_runs[i].frames = o->frames;
		any |= e->action;
		all &= e->action;
		if (e->kind == RREF_ENT_MOVE) {
			caller->sheap_pages -= e->npages;
			if (callee) {
				callee->sheap_pages += e->npages;
			}
			counters.moves++;
		} else if (e->kind == RREF_ENT_RESULT) {
			callee->sheap_pages -= e->npages;
			caller->sheap_pages += e->npages;
			counters.moves++;
		}
	}
	uniform = any == all;
	if (any & RREF_ACT_UNMAP_CALLER) {
		unmap_side(p, caller, RREF_ACT_UNMAP_CALLER, uniform);
	}
	if (any & RREF_ACT_UNMAP_CALLEE) {
		unmap_side(p, callee, RREF_ACT_UNMAP_CALLEE, uniform);
	}
	/* The senders' mappings are gone on every CPU: rref_plan_seal(). */
	rref_plan_seal(&table, p);
	if (any & RREF_ACT_MAP_RW_CALLEE) {
		map_side(p, callee, RREF_ACT_MAP_RW_CALLEE, uniform, true);
	}
	if (any & RREF_ACT_MAP_RO_CALLEE) {
		map_side(p, callee, RREF_ACT_MAP_RO_CALLEE, uniform, false);
	}
	if (any & RREF_ACT_MAP_RW_CALLER) {
		map_side(p, caller, RREF_ACT_MAP_RW_CALLER, uniform, true);
	}
	if (!(any & RREF_ACT_FREE)) {
		return;
	}
	for (uint32_t i = 0; i < p->n; i++) {
		if (p->ent[i].action & RREF_ACT_FREE) {
			obj_free(plan_obj[i]);
		}
	}
}

/* --- Calls ---------------------------------------------------------------- */

int sheap_cross(struct dom *caller, struct dom *callee,
		const uint64_t words[IPC_WORDS], uint16_t kinds,
		const uint64_t types[IPC_WORDS], struct rref_cross_plan *plan)
{
	int err;

	spin_lock(&sheap_lock);
	err = rref_tab_cross(&table, caller->id, callee->id, words, kinds,
			     types, plan);
	if (!err) {
		apply(plan, caller, callee);
	}
	spin_unlock(&sheap_lock);
	return err ? -EINVAL : 0;
}

int sheap_ret(struct dom *callee, struct dom *caller,
	      const uint64_t words[IPC_WORDS], uint16_t kinds,
	      const uint64_t types[IPC_WORDS],
	      struct rref_cross_plan *call_plan,
	      struct rref_cross_plan *scratch)
{
	int err;

	spin_lock(&sheap_lock);
	err = rref_tab_ret(&table, callee->id, caller->id, words, kinds, types,
			   call_plan, scratch);
	if (!err) {
		apply(scratch, caller, callee);
	}
	spin_unlock(&sheap_lock);
	return err ? -EINVAL : 0;
}

void sheap_unwind(struct dom *callee, struct dom *caller,
		  struct rref_cross_plan *call_plan,
		  struct rref_cross_plan *scratch)
{
	int err;

	spin_lock(&sheap_lock);
	err = rref_tab_unwind(&table, callee->id, caller->id, call_plan,
			      scratch);
	if (!err) {
		apply(scratch, caller, callee);
	}
	spin_unlock(&sheap_lock);
	/* The plan came from this very table: a mismatch is a kernel bug. */
	VERIFY(err == 0);
}

/* The owner of rrefs on their way to being dropped; no domain has it. */
#define SHEAP_SINK_OWNER (~0ull)

static void drop_one(void *ctx, const struct rref_meta *m);

int sheap_sink(struct dom *caller, const uint64_t words[IPC_WORDS],
	       uint16_t kinds)
{
	struct rref_cross_plan *plan;
	uint16_t moves = 0;
	int err;

	/* Only the moved words: loans and handles stay where they are. */
	for (unsigned int w = 0; w < IPC_WORDS; w++) {
		unsigned int k = ipc_kind_at(kinds, w);

		if (k == IPC_KIND_RREF_MOVE || k == IPC_KIND_RREF_MOVE_OPT) {
			moves |= (uint16_t)(k << (3 * w));
		}
	}
	if (!moves) {
		return 0;
	}
	plan = kmalloc(sizeof(*plan));
	if (!plan) {
		return 0; /* they stay the caller's, dropped at its end */
	}
	rref_plan_init(plan);
	spin_lock(&sheap_lock);
	err = rref_tab_cross(&table, caller->id, SHEAP_SINK_OWNER, words, moves,
			     NULL, plan);
	if (!err) {
		apply(plan, caller, NULL); /* unmapped from the caller */
		(void)rref_tab_drop_owner(&table, SHEAP_SINK_OWNER, drop_one,
					  NULL);
		reset_if_empty();
	}
	spin_unlock(&sheap_lock);
	kfree(plan);
	return err ? -EINVAL : 0;
}

/* --- Teardown ------------------------------------------------------------ */

/* For each object: unmap it from @ctx, the struct dom that owns it. */
static void unmap_owned(void *ctx, const struct rref_meta *m)
{
	struct dom *d = ctx;

	if (m->owner == d->id) {
		unmap_obj(d, m->addr, m->npages);
	}
}

static void drop_one(void *ctx, const struct rref_meta *m)
{
	struct sheap_obj *o = obj_find(m->addr);

	(void)ctx;
	VERIFY(o != NULL);
	obj_free(o);
}

void sheap_drop_domain(struct dom *d)
{
	size_t n;

	spin_lock(&sheap_lock);
	/* Lent objects become orphans, but leave this address space too. */
	rref_tab_for_each(&table, unmap_owned, d);
	n = rref_tab_drop_owner(&table, d->id, drop_one, NULL);
	d->sheap_pages = 0;
	reset_if_empty();
	spin_unlock(&sheap_lock);
	if (n) {
		kprintf("sheap: dropped %zu rref%s of %s (id %lu)\n", n,
			n == 1 ? "" : "s", d->mf->name, d->id);
	}
}

/* --- System calls ---------------------------------------------------------- */

/* Undo a half-made object: unmap, free frames, forget it. */
static void alloc_undo(struct dom *d, struct sheap_obj *o, uint32_t mapped)
{
	struct rref_meta gone;

	unmap_obj(d, o->addr, mapped);
	VERIFY(rref_tab_free(&table, d->id, o->addr, &gone) == 0);
	obj_destroy(o); /* never linked nor counted */
}

/* One new object of @size bytes and @type_id owned by @d; lock held. */
static int alloc_one(struct dom *d, uint64_t type_id, uint64_t size,
		     uint64_t *addr)
{
	uint32_t npages = (uint32_t)((size + PAGE_SIZE - 1) / PAGE_SIZE);
	struct sheap_obj *o;
	uint32_t i;
	int err;

	if (d->sheap_pages + npages > d->mf->mem_pages) {
		return -EDQUOT;
	}
	o = kzalloc(sizeof(*o) + npages * sizeof(paddr_t));
	if (!o) {
		return -ENOMEM;
	}
	err = rref_tab_alloc(&table, d->id, type_id, size, &o->addr);
	if (err) {
		kfree(o);
		return err;
	}
	o->npages = npages;
	for (i = 0; i < npages; i++) {
		if (pmm_alloc(1, &o->frames[i])) {
			break;
		}
		memset(phys_to_virt(o->frames[i]), 0, PAGE_SIZE);
		if (aspace_map(d->as, o->addr + (uint64_t)i * PAGE_SIZE,
			       o->frames[i], 1,
			       PROT_READ | PROT_WRITE | PROT_USER)) {
			pmm_free(o->frames[i], 1);
			break;
		}
	}
	if (i < npages) {
		/* frames[i..] are 0; obj_destroy would free them: trim. */
		o->npages = i;
		alloc_undo(d, o, i);
		return -ENOMEM;
	}
	o->next = buckets[bucket_of(o->addr)];
	buckets[bucket_of(o->addr)] = o;
	counters.live++;
	counters.pages += npages;
	counters.allocs++;
	d->sheap_pages += npages;
	*addr = o->addr;
	return 0;
}

long sheap_sys_alloc(struct dom *d, uint64_t udesc, uint64_t size,
		     uint64_t count, uint64_t uout)
{
	static const uint64_t zeros[SHEAP_ALLOC_BATCH_MAX];
	uint64_t out[SHEAP_ALLOC_BATCH_MAX];
	struct rref_type_desc *desc = NULL;
	uint64_t type_id = 0;
	uint64_t n = 0;
	int err = 0;

	if (count == 0 || count > SHEAP_ALLOC_BATCH_MAX) {
		return -EINVAL;
	}
	/* Fault now, not after objects exist that nobody would know of. */
	if (dom_copy_out(d, uout, zeros, count * sizeof(uint64_t))) {
		return -EFAULT;
	}
	if (udesc) {
		desc = kmalloc(sizeof(*desc));
		if (!desc) {
			return -ENOMEM;
		}
		if (dom_copy_in(d, desc, udesc, sizeof(*desc))) {
			kfree(desc);
			return -EFAULT;
		}
		type_id = desc->id;
		size = desc->size;
	}
	if (size == 0 || size > RREF_TYPE_MAX_SIZE) {
		kfree(desc);
		return -EINVAL;
	}
	spin_lock(&sheap_lock);
	if (desc) {
		err = rref_tab_register_type(&table, desc);
	}
	while (!err && n < count) {
		err = alloc_one(d, type_id, size, &out[n]);
		if (!err) {
			n++;
		}
	}
	spin_unlock(&sheap_lock);
	kfree(desc);
	if (n == 0) {
		return err;
	}
	/* The buffer was writable above; the domain's own threads could
	 * unmap it since, and then only the domain loses track. */
	if (dom_copy_out(d, uout, out, n * sizeof(uint64_t))) {
		return -EFAULT;
	}
	return (long)n;
}

long sheap_sys_free(struct dom *d, uint64_t uaddrs, uint64_t count)
{
	uint64_t addrs[SHEAP_ALLOC_BATCH_MAX];
	long err = 0;

	if (count == 0 || count > SHEAP_ALLOC_BATCH_MAX) {
		return -EINVAL;
	}
	if (dom_copy_in(d, addrs, uaddrs, count * sizeof(uint64_t))) {
		return -EFAULT;
	}
	spin_lock(&sheap_lock);
	for (uint64_t i = 0; i < count && !err; i++) {
		struct rref_meta gone;
		struct sheap_obj *o;

		err = rref_tab_free(&table, d->id, addrs[i], &gone);
		if (err) {
			break;
		}
		o = obj_find(addrs[i]);
		VERIFY(o != NULL);
		unmap_obj(d, o->addr, o->npages);
		d->sheap_pages -= o->npages;
		obj_free(o);
	}
	spin_unlock(&sheap_lock);
	return err;
}

long sheap_sys_query(struct dom *d, uint64_t addr)
{
	const struct rref_meta *m;
	long r = 0;
	paddr_t pa;
	unsigned int prot;

	spin_lock(&sheap_lock);
	m = rref_tab_find(&table, addr);
	if (m) {
		r |= SYS_RREF_EXISTS;
		if (m->owner == d->id) {
			r |= SYS_RREF_OWNED;
		}
		if (m->borrows > 0) {
			r |= SYS_RREF_LENT;
		}
	}
	if (addr - SHEAP_BASE < SHEAP_SIZE &&
	    aspace_query(d->as, addr, &pa, &prot) == 0) {
		r |= SYS_RREF_MAPPED;
		if (prot & PROT_WRITE) {
			r |= SYS_RREF_WRITABLE;
		}
	}
	spin_unlock(&sheap_lock);
	return r;
}
