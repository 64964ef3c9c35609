// SPDX-License-Identifier: MIT
/*
 * Storage of the rref ownership table (see rref_table.h): an
 * open-addressing hash of object metadata keyed by address, a next-fit
 * bitmap allocator for the shared heap's virtual pages, and a sorted
 * registry of nested-slot layouts (lib/abi/rref_types.h). The crossing
 * rules that use them are in rref_cross.c.
 */
#include "rref/rref_table.h"
#include "rref/rref_internal.h"

#include "abi/errno.h"

#define MIN_SHIFT 6 /* 64 slots */
#define MAX_GUARD_PAGES 16u

/*
 * Load limits in tenths: rehash when live + tombstones would pass 7/10,
 * size the new array for 4/10, shrink below 1/10.
 */
#define LOAD_MAX 7
#define LOAD_NEW 4
#define LOAD_MIN 1

#define BITS 64

/* ops->free, never with NULL (kfree() need not accept it). */
static void free_mem(const struct rref_table *t, void *p)
{
	if (p) {
		t->ops->free(p);
	}
}

static uint64_t range_end(const struct rref_table *t)
{
	return t->va_base + (t->va_pages << RREF_PAGE_SHIFT);
}

/* Only page-aligned addresses inside the range can be keys. */
static bool addr_plausible(const struct rref_table *t, uint64_t addr)
{
	return IS_ALIGNED(addr, RREF_PAGE_SIZE) && addr >= t->va_base &&
	       addr < range_end(t);
}

static uint64_t hash_index(uint64_t addr, uint32_t shift)
{
	uint64_t h = (addr >> RREF_PAGE_SHIFT) * 0x9e3779b97f4a7c15ull;

	return h >> (64 - shift);
}

struct rref_meta *rref_tab_slot(const struct rref_table *t, uint64_t addr)
{
	uint64_t mask = rref_tab_cap(t) - 1;
	uint64_t i;

	if (!addr_plausible(t, addr)) {
		return NULL;
	}
	i = hash_index(addr, t->shift);
	for (uint64_t probes = 0; probes <= mask; probes++) {
		struct rref_meta *m = &t->slots[i];

		if (m->addr == addr) {
			return m;
		}
		if (m->addr == RREF_SLOT_EMPTY) {
			return NULL;
		}
		i = (i + 1) & mask;
	}
	return NULL;
}

/* Place @m in the first free or deleted slot of its chain. */
static void place(struct rref_meta *slots, uint32_t shift, uint64_t *used,
		  const struct rref_meta *m)
{
	uint64_t mask = (1ull << shift) - 1;
	uint64_t i = hash_index(m->addr, shift);

	while (slots[i].addr != RREF_SLOT_EMPTY &&
	       slots[i].addr != RREF_SLOT_TOMB) {
		i = (i + 1) & mask;
	}
	if (slots[i].addr == RREF_SLOT_EMPTY) {
		(*used)++;
	}
	slots[i] = *m;
}

/* Smallest shift whose table holds @n entries at the LOAD_NEW load. */
static uint32_t shift_for(uint64_t n)
{
	uint32_t shift = MIN_SHIFT;

	while (n * 10 > (1ull << shift) * LOAD_NEW) {
		shift++;
	}
	return shift;
}

/* Move every live entry into a new array of 1 << @shift slots. */
static int rehash(struct rref_table *t, uint32_t shift)
{
	uint64_t ncap = 1ull << shift;
	struct rref_meta *ns;
	uint64_t used = 0;

	if (shift >= 58) {
		return -ENOMEM;
	}
	ns = t->ops->alloc(ncap * sizeof(*ns));
	if (!ns) {
		return -ENOMEM;
	}
	__builtin_memset(ns, 0, ncap * sizeof(*ns));
	for (uint64_t i = 0; i < rref_tab_cap(t); i++) {
		if (t->slots[i].addr > RREF_SLOT_TOMB) {
			place(ns, shift, &used, &t->slots[i]);
		}
	}
	t->ops->free(t->slots);
	t->slots = ns;
	t->shift = shift;
	t->used = used;
	return 0;
}

/* Make room for one more entry. Returns 0 or -ENOMEM (table unchanged). */
static int reserve_one(struct rref_table *t)
{
	if ((t->used + 1) * 10 <= rref_tab_cap(t) * LOAD_MAX) {
		return 0;
	}
	return rehash(t, MAX(shift_for(t->live + 1), t->shift));
}

/* Shrink a mostly empty table; failure to allocate just keeps it. */
void rref_tab_shrink(struct rref_table *t)
{
	if (t->shift > MIN_SHIFT && t->live * 10 < rref_tab_cap(t) * LOAD_MIN) {
		(void)rehash(t, shift_for(t->live));
	}
}

/*
 * Delete the entry in slot @m. A deleted slot becomes empty rather than a
 * tombstone when the next slot is empty (no chain runs through it), and so
 * do the tombstones just before it.
 */
static void remove_slot(struct rref_table *t, struct rref_meta *m)
{
	uint64_t mask = rref_tab_cap(t) - 1;
	uint64_t i = (uint64_t)(m - t->slots);

	__builtin_memset(m, 0, sizeof(*m));
	t->live--;
	if (t->slots[(i + 1) & mask].addr != RREF_SLOT_EMPTY) {
		m->addr = RREF_SLOT_TOMB;
		return;
	}
	t->used--;
	for (i = (i - 1) & mask; t->slots[i].addr == RREF_SLOT_TOMB;
	     i = (i - 1) & mask) {
		t->slots[i].addr = RREF_SLOT_EMPTY;
		t->used--;
	}
}

static bool va_test(const struct rref_table *t, uint64_t p)
{
	return (t->va_bitmap[p / BITS] >> (p % BITS)) & 1;
}

static void va_mark(struct rref_table *t, uint64_t first, uint64_t n, bool set)
{
	for (uint64_t p = first; p < first + n; p++) {
		uint64_t bit = 1ull << (p % BITS);

		if (set) {
			t->va_bitmap[p / BITS] |= bit;
		} else {
			t->va_bitmap[p / BITS] &= ~bit;
		}
	}
	if (set) {
		t->va_used += n;
	} else {
		t->va_used -= n;
	}
}

/* First run of @n clear bits in [from, to); whole words are skipped fast. */
static bool va_find(const struct rref_table *t, uint64_t from, uint64_t to,
		    uint64_t n, uint64_t *out)
{
	uint64_t run = 0;
	uint64_t start = 0;
	uint64_t p = from;

	while (p < to) {
		uint64_t w = t->va_bitmap[p / BITS];

		if (p % BITS == 0 && w == ~0ull) {
			run = 0;
			p += BITS;
			continue;
		}
		if (p % BITS == 0 && w == 0 && p + BITS <= to) {
			if (run == 0) {
				start = p;
			}
			run += BITS;
			p += BITS;
		} else if ((w >> (p % BITS)) & 1) {
			run = 0;
			p++;
			continue;
		} else {
			if (run == 0) {
				start = p;
			}
			run++;
			p++;
		}
		if (run >= n) {
			*out = start;
			return true;
		}
	}
	return false;
}

static int va_alloc(struct rref_table *t, uint64_t n, uint64_t *page)
{
	if (n > t->va_pages - t->va_used) {
		return -ENOMEM;
	}
	if (!va_find(t, t->va_hint, t->va_pages, n, page) &&
	    !va_find(t, 0, t->va_pages, n, page)) {
		return -ENOMEM;
	}
	va_mark(t, *page, n, true);
	t->va_hint = *page + n;
	if (t->va_hint >= t->va_pages) {
		t->va_hint = 0;
	}
	return 0;
}

/* Remove a live object: its pages and guards go back to the VA pool. */
void rref_tab_remove(struct rref_table *t, struct rref_meta *m)
{
	uint64_t first = (m->addr - t->va_base) >> RREF_PAGE_SHIFT;

	va_mark(t, first, (uint64_t)m->npages + t->guard_pages, false);
	t->pages -= m->npages;
	if (m->flags & RREF_F_ORPHAN) {
		t->orphans--;
	}
	remove_slot(t, m);
}

int rref_tab_init(struct rref_table *t, const struct rref_tab_ops *ops,
		  void *ctx, const struct rref_tab_config *cfg)
{
	uint64_t words;

	__builtin_memset(t, 0, sizeof(*t));
	if (!ops || !ops->alloc || !ops->free || !ops->read_u64 ||
	    !ops->write_u64) {
		return -EINVAL;
	}
	if (!IS_ALIGNED(cfg->va_base, RREF_PAGE_SIZE) ||
	    !IS_ALIGNED(cfg->va_size, RREF_PAGE_SIZE) || cfg->va_size == 0 ||
	    cfg->va_base < SHEAP_BASE || cfg->va_base >= SHEAP_END ||
	    cfg->va_size > SHEAP_END - cfg->va_base ||
	    cfg->guard_pages > MAX_GUARD_PAGES) {
		return -EINVAL;
	}
	t->ops = ops;
	t->ctx = ctx;
	t->va_base = cfg->va_base;
	t->va_pages = cfg->va_size >> RREF_PAGE_SHIFT;
	t->guard_pages = cfg->guard_pages;

	words = DIV_ROUND_UP(t->va_pages, BITS);
	t->va_bitmap = ops->alloc(words * sizeof(uint64_t));
	if (!t->va_bitmap) {
		return -ENOMEM;
	}
	__builtin_memset(t->va_bitmap, 0, words * sizeof(uint64_t));
	/* Bits past the range stay set, so whole-word scans never use them. */
	if (t->va_pages % BITS) {
		t->va_bitmap[words - 1] = ~0ull << (t->va_pages % BITS);
	}

	t->shift = MIN_SHIFT;
	t->slots = ops->alloc(rref_tab_cap(t) * sizeof(struct rref_meta));
	if (!t->slots) {
		ops->free(t->va_bitmap);
		t->va_bitmap = NULL;
		return -ENOMEM;
	}
	__builtin_memset(t->slots, 0,
			 rref_tab_cap(t) * sizeof(struct rref_meta));
	return 0;
}

void rref_tab_destroy(struct rref_table *t)
{
	if (t->ops) {
		free_mem(t, t->slots);
		free_mem(t, t->va_bitmap);
		free_mem(t, t->types);
	}
	__builtin_memset(t, 0, sizeof(*t));
}

const struct rref_type_ent *rref_tab_type(const struct rref_table *t,
					  uint64_t id)
{
	uint32_t lo = 0;
	uint32_t hi = t->ntypes;

	if (id == 0) {
		return NULL;
	}
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (t->types[mid].id == id) {
			return &t->types[mid];
		}
		if (t->types[mid].id < id) {
			lo = mid + 1;
		} else {
			hi = mid;
		}
	}
	return NULL;
}

static int type_desc_valid(const struct rref_type_desc *d)
{
	uint64_t total = 0;

	if (d->id == 0 || d->size == 0 || d->size > RREF_TYPE_MAX_SIZE ||
	    d->kind > RREF_TYPE_DEQUE || d->nslots > RREF_TYPE_MAX_SLOTS) {
		return -EINVAL;
	}
	for (uint32_t r = 0; r < d->nslots; r++) {
		const struct rref_slot_run *run = &d->slots[r];
		uint64_t end;

		if (run->count == 0 || run->reserved != 0 ||
		    !IS_ALIGNED(run->offset, 8)) {
			return -EINVAL;
		}
		if (run->count > 1 &&
		    (run->stride < 8 || !IS_ALIGNED(run->stride, 8))) {
			return -EINVAL;
		}
		end = run->offset + (uint64_t)(run->count - 1) * run->stride +
		      8;
		if (end > d->size) {
			return -EINVAL;
		}
		total += run->count;
	}
	if (total > RREF_TAB_MAX_TYPE_SLOTS) {
		return -EINVAL;
	}
	return 0;
}

int rref_tab_register_type(struct rref_table *t, const struct rref_type_desc *d)
{
	const struct rref_type_ent *old;
	struct rref_type_ent e;
	uint32_t pos;
	int err;

	err = type_desc_valid(d);
	if (err) {
		return err;
	}
	__builtin_memset(&e, 0, sizeof(e));
	e.id = d->id;
	e.size = d->size;
	e.nruns = d->nslots;
	__builtin_memcpy(e.runs, d->slots, d->nslots * sizeof(e.runs[0]));

	old = rref_tab_type(t, d->id);
	if (old) {
		return __builtin_memcmp(old, &e, sizeof(e)) ? -EEXIST : 0;
	}
	if (t->ntypes == RREF_TAB_MAX_TYPES) {
		return -ENOSPC;
	}
	if (t->ntypes == t->types_cap) {
		uint32_t ncap = t->types_cap ? t->types_cap * 2 : 8;
		struct rref_type_ent *nt;

		nt = t->ops->alloc(ncap * sizeof(*nt));
		if (!nt) {
			return -ENOMEM;
		}
		if (t->ntypes) {
			__builtin_memcpy(nt, t->types, t->ntypes * sizeof(*nt));
		}
		free_mem(t, t->types);
		t->types = nt;
		t->types_cap = ncap;
	}
	for (pos = t->ntypes; pos > 0 && t->types[pos - 1].id > e.id; pos--) {
		t->types[pos] = t->types[pos - 1];
	}
	t->types[pos] = e;
	t->ntypes++;
	return 0;
}

int rref_tab_alloc(struct rref_table *t, uint64_t owner, uint64_t type_id,
		   uint64_t size, uint64_t *addr)
{
	const struct rref_type_ent *te = rref_tab_type(t, type_id);
	struct rref_meta m;
	uint64_t npages;
	uint64_t page;
	int err;

	if (owner == RREF_OWNER_NONE || size == 0 || size > RREF_SIZE_MAX) {
		return -EINVAL;
	}
	if (te && size < te->size) {
		return -EINVAL;
	}
	npages = DIV_ROUND_UP(size, RREF_PAGE_SIZE);
	err = reserve_one(t);
	if (err) {
		return err;
	}
	err = va_alloc(t, npages + t->guard_pages, &page);
	if (err) {
		return err;
	}
	__builtin_memset(&m, 0, sizeof(m));
	m.addr = t->va_base + (page << RREF_PAGE_SHIFT);
	m.size = size;
	m.type_id = type_id;
	m.owner = owner;
	m.npages = (uint32_t)npages;
	/*
	 * A registered layout never changes, so a type known to have no
	 * slots stays so; an unregistered id may still gain some.
	 */
	if (type_id == 0 || (te && te->nruns == 0)) {
		m.flags |= RREF_F_FLAT;
	}
	place(t->slots, t->shift, &t->used, &m);
	t->live++;
	t->pages += npages;
	*addr = m.addr;
	return 0;
}

int rref_tab_free(struct rref_table *t, uint64_t owner, uint64_t addr,
		  struct rref_meta *gone)
{
	struct rref_meta *m = rref_tab_slot(t, addr);

	if (!m) {
		return -EINVAL;
	}
	if (m->owner != owner || owner == RREF_OWNER_NONE) {
		return -EPERM;
	}
	if (m->borrows) {
		return -EBUSY;
	}
	if (gone) {
		*gone = *m;
	}
	rref_tab_remove(t, m);
	rref_tab_shrink(t);
	return 0;
}

const struct rref_meta *rref_tab_find(const struct rref_table *t, uint64_t addr)
{
	return rref_tab_slot(t, addr);
}

bool rref_tab_is_owned(const struct rref_table *t, uint64_t addr,
		       uint64_t owner)
{
	const struct rref_meta *m = rref_tab_slot(t, addr);

	return m && owner != RREF_OWNER_NONE && m->owner == owner;
}

void rref_tab_stats(const struct rref_table *t, struct rref_tab_stats *st)
{
	__builtin_memset(st, 0, sizeof(*st));
	st->live = t->live;
	st->pages = t->pages;
	st->orphans = t->orphans;
	st->va_pages = t->va_pages;
	st->va_used = t->va_used;
	st->capacity = rref_tab_cap(t);
	st->tombstones = t->used - t->live;
	st->types = t->ntypes;
	for (uint64_t i = 0; i < rref_tab_cap(t); i++) {
		if (t->slots[i].addr > RREF_SLOT_TOMB && t->slots[i].borrows) {
			st->lent++;
		}
	}
}

void rref_tab_owner_stats(const struct rref_table *t, uint64_t owner,
			  struct rref_owner_stats *st)
{
	__builtin_memset(st, 0, sizeof(*st));
	for (uint64_t i = 0; i < rref_tab_cap(t); i++) {
		const struct rref_meta *m = &t->slots[i];

		if (m->addr <= RREF_SLOT_TOMB || m->owner != owner) {
			continue;
		}
		st->rrefs++;
		st->pages += m->npages;
		st->bytes += m->size;
		if (m->borrows) {
			st->lent++;
		}
	}
}

void rref_tab_for_each(const struct rref_table *t,
		       void (*cb)(void *ctx, const struct rref_meta *m),
		       void *ctx)
{
	for (uint64_t i = 0; i < rref_tab_cap(t); i++) {
		if (t->slots[i].addr > RREF_SLOT_TOMB) {
			cb(ctx, &t->slots[i]);
		}
	}
}

static int bad(const char **why, const char *reason)
{
	if (why) {
		*why = reason;
	}
	return -EINVAL;
}

/* One entry's own fields, and that a lookup from its hash reaches it. */
static int check_entry(const struct rref_table *t, const struct rref_meta *m,
		       const char **why)
{
	uint64_t first;

	if (!addr_plausible(t, m->addr)) {
		return bad(why, "entry address outside the range");
	}
	if (rref_tab_slot(t, m->addr) != m) {
		return bad(why, "entry not reachable from its hash");
	}
	if (m->npages == 0 || m->size == 0 ||
	    DIV_ROUND_UP(m->size, RREF_PAGE_SIZE) != m->npages) {
		return bad(why, "entry size and pages disagree");
	}
	first = (m->addr - t->va_base) >> RREF_PAGE_SHIFT;
	if (first + m->npages + t->guard_pages > t->va_pages) {
		return bad(why, "entry runs past the range");
	}
	for (uint64_t p = first; p < first + m->npages + t->guard_pages; p++) {
		if (!va_test(t, p)) {
			return bad(why, "entry pages not reserved");
		}
	}
	if ((m->borrows == 0) != (m->borrower == RREF_OWNER_NONE)) {
		return bad(why, "borrower and borrow count disagree");
	}
	if (m->borrows && m->borrower == m->owner) {
		return bad(why, "entry lent to its owner");
	}
	if ((m->owner == RREF_OWNER_NONE) != !!(m->flags & RREF_F_ORPHAN)) {
		return bad(why, "orphan flag and owner disagree");
	}
	if ((m->flags & RREF_F_ORPHAN) && m->borrows == 0) {
		return bad(why, "orphan that nobody borrows");
	}
	if (m->flags & RREF_F_MARK) {
		return bad(why, "entry marked outside a crossing");
	}
	if ((m->flags & RREF_F_FLAT) && m->type_id != 0) {
		const struct rref_type_ent *te = rref_tab_type(t, m->type_id);

		if (!te || te->nruns != 0) {
			return bad(why, "flat entry of a type with slots");
		}
	}
	return 0;
}

int rref_tab_check(const struct rref_table *t, const char **why)
{
	uint64_t live = 0;
	uint64_t used = 0;
	uint64_t pages = 0;
	uint64_t orphans = 0;
	uint64_t reserved = 0;
	uint64_t va_bits = 0;
	int err;

	for (uint64_t i = 0; i < rref_tab_cap(t); i++) {
		const struct rref_meta *m = &t->slots[i];

		if (m->addr == RREF_SLOT_EMPTY) {
			continue;
		}
		used++;
		if (m->addr == RREF_SLOT_TOMB) {
			continue;
		}
		err = check_entry(t, m, why);
		if (err) {
			return err;
		}
		live++;
		pages += m->npages;
		reserved += (uint64_t)m->npages + t->guard_pages;
		if (m->flags & RREF_F_ORPHAN) {
			orphans++;
		}
	}
	if (live != t->live || used != t->used || pages != t->pages ||
	    orphans != t->orphans) {
		return bad(why, "counters disagree with the slots");
	}
	if (used == rref_tab_cap(t)) {
		return bad(why, "no empty slot left");
	}
	for (uint64_t p = 0; p < t->va_pages; p++) {
		va_bits += va_test(t, p);
	}
	/* Equal counts plus every entry's pages set: no overlap, no leak. */
	if (va_bits != t->va_used || va_bits != reserved) {
		return bad(why, "reserved pages disagree with the entries");
	}
	for (uint32_t i = 1; i < t->ntypes; i++) {
		if (t->types[i - 1].id >= t->types[i].id) {
			return bad(why, "type registry not sorted");
		}
	}
	return 0;
}
