// SPDX-License-Identifier: MIT
/*
 * Domain lifecycle, threads and private memory (see dom.h). Teardown is
 * done by one reaper thread: when a domain starts dying it is queued, the
 * reaper waits for its threads to leave (waking any that sleep), joins
 * them, unmaps and frees every page, destroys the page table and frees the
 * slot. Nothing a domain does can stop that: its threads cannot block the
 * kernel, only themselves.
 */
#include "dom.h"

#include "abi/errno.h"
#include "arch/x86_64/apic.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/idt.h"
#include "arch/x86_64/paging.h"
#include "arch/x86_64/user.h"
#include "base/string.h"
#include "call.h"
#include "console.h"
#include "heap.h"
#include "sheap.h"
#include "svc.h"
#include "panic.h"
#include "percpu.h"
#include "pmm.h"
#include "sched.h"
#include "thread.h"
#include "time.h"

static struct spinlock dom_table_lock = SPINLOCK_INIT("dom_table");
static struct dom *dom_table[DOM_MAX]; /* by slot */
static uint64_t next_dom_id = 1;
static struct dom_stats stats;

static struct waitq reaper_wq; /* lock also guards reap_list */
static struct list_head reap_list = LIST_HEAD_INIT(reap_list);

static int reaper_main(void *arg);
static int stack_slot_alloc(struct dom *d);

const char *dom_state_name(enum dom_state s)
{
	switch (s) {
	case DOM_LOADING:
		return "loading";
	case DOM_RUNNING:
		return "running";
	case DOM_DYING:
		return "dying";
	case DOM_DEAD:
		return "dead";
	}
	return "?";
}

void dom_init(void)
{
	struct thread *t;

	waitq_init(&reaper_wq, "dom_reaper");
	MUST(thread_create(&t, "dom_reaper", reaper_main, NULL,
			   THREAD_ANY_CPU));
}

void dom_get_stats(struct dom_stats *st)
{
	spin_lock(&dom_table_lock);
	*st = stats;
	spin_unlock(&dom_table_lock);
}

void dom_count_rejected(void)
{
	spin_lock(&dom_table_lock);
	stats.rejected++;
	spin_unlock(&dom_table_lock);
}

void dom_get(struct dom *d)
{
	__atomic_fetch_add(&d->refs, 1, __ATOMIC_RELAXED);
}

void dom_put(struct dom *d)
{
	if (__atomic_sub_fetch(&d->refs, 1, __ATOMIC_ACQ_REL) != 0) {
		return;
	}
	VERIFY(d->state == DOM_DEAD || d->state == DOM_LOADING);
	for (unsigned int i = 0; i < DOM_MAX_EXPORTS; i++) {
		kfree((void *)d->exports[i].desc);
	}
	if (d->svc) {
		svc_put(d->svc);
	}
	kfree(d->plan);
	kfree(d);
	spin_lock(&dom_table_lock);
	stats.live_domains--;
	spin_unlock(&dom_table_lock);
}

struct dom *dom_lookup(uint64_t id)
{
	struct dom *found = NULL;

	spin_lock(&dom_table_lock);
	for (unsigned int i = 0; i < DOM_MAX; i++) {
		struct dom *d = dom_table[i];

		if (d && d->id == id) {
			dom_get(d);
			found = d;
			break;
		}
	}
	spin_unlock(&dom_table_lock);
	return found;
}

/* Allocate a struct dom and a free region slot. */
int dom_alloc(struct dom **out)
{
	struct dom *d = kzalloc(sizeof(*d));
	int slot = -1;

	if (!d) {
		return -ENOMEM;
	}
	spin_lock(&dom_table_lock);
	for (unsigned int i = 0; i < DOM_MAX; i++) {
		if (!dom_table[i]) {
			slot = (int)i;
			break;
		}
	}
	if (slot < 0) {
		spin_unlock(&dom_table_lock);
		kfree(d);
		return -ENOSPC;
	}
	d->id = next_dom_id++;
	d->slot = (unsigned int)slot;
	d->base = dom_region_base(d->slot);
	d->refs = 1;
	d->state = DOM_LOADING;
	dom_table[slot] = d;
	stats.live_domains++;
	stats.created++;
	spin_unlock(&dom_table_lock);
	spin_init(&d->lock, "dom");
	list_init(&d->mappings);
	list_init(&d->threads);
	list_init(&d->reap_link);
	list_init(&d->visitors);
	list_init(&d->parked);
	d->fast_off = DOM_FAST_OFF_DEAD;
	waitq_init(&d->end_wq, "dom_end");
	/* A handles_ver no other domain has (call_fast.c relies on it). */
	spin_lock(&d->lock);
	call_handles_changed(d);
	spin_unlock(&d->lock);
	*out = d;
	return 0;
}

/* Give the slot back (the struct itself goes with the last dom_put). */
static void dom_release_slot(struct dom *d)
{
	spin_lock(&dom_table_lock);
	if (dom_table[d->slot] == d) {
		dom_table[d->slot] = NULL;
	}
	spin_unlock(&dom_table_lock);
}

/* --- Memory ------------------------------------------------------------- */

/*
 * Map @npages fresh zeroed frames at @va with @prot (PROT_* plus
 * PROT_USER). The caller has checked the quota. Caller holds d->lock or
 * owns d exclusively (loading).
 */
int dom_map_pages(struct dom *d, vaddr_t va, size_t npages, unsigned int prot,
		  struct dom_mapping **out)
{
	struct dom_mapping *m;
	struct list_head *pos;
	size_t i;
	int err;

	m = kzalloc(sizeof(*m) + npages * sizeof(paddr_t));
	if (!m) {
		return -ENOMEM;
	}
	m->va = va;
	m->npages = npages;
	for (i = 0; i < npages; i++) {
		if (pmm_alloc(1, &m->frames[i])) {
			err = -ENOMEM;
			goto out_free_frames;
		}
		memset(phys_to_virt(m->frames[i]), 0, PAGE_SIZE);
		err = aspace_map(d->as, va + i * PAGE_SIZE, m->frames[i], 1,
				 prot | PROT_USER);
		if (err) {
			pmm_free(m->frames[i], 1);
			goto out_free_frames;
		}
	}
	/* Keep the list sorted by address (first-fit search below). */
	list_for_each(pos, &d->mappings)
	{
		if (list_entry(pos, struct dom_mapping, link)->va > va) {
			break;
		}
	}
	list_insert_before(pos, &m->link);
	d->pages_used += npages;
	if (out) {
		*out = m;
	}
	return 0;

out_free_frames:
	aspace_unmap(d->as, va, npages, NULL);
	while (i-- > 0) {
		pmm_free(m->frames[i], 1);
	}
	kfree(m);
	return err;
}

void dom_unmap_mapping(struct dom *d, struct dom_mapping *m)
{
	aspace_unmap(d->as, m->va, m->npages, NULL);
	for (size_t i = 0; i < m->npages && !m->borrowed; i++) {
		pmm_free(m->frames[i], 1);
	}
	d->pages_used -= m->npages;
	list_unlink(&m->link);
	kfree(m);
}

/*
 * Lowest free run of @npages in the private heap area with at least one
 * unmapped guard page on each side, so that running off the end of one
 * mapping faults instead of landing in the next; 0 if none.
 */
static vaddr_t heap_find_gap(struct dom *d, size_t npages)
{
	vaddr_t lo = d->base + DOM_HEAP_OFF + PAGE_SIZE;
	vaddr_t end = d->base + DOM_HEAP_END;
	struct list_head *pos;

	list_for_each(pos, &d->mappings)
	{
		struct dom_mapping *m =
			list_entry(pos, struct dom_mapping, link);
		vaddr_t m_end = m->va + (m->npages + 1) * PAGE_SIZE;

		if (m_end <= lo) {
			continue;
		}
		if (m->va >= lo + (npages + 1) * PAGE_SIZE) {
			break;
		}
		lo = m_end;
	}
	return lo + (npages + 1) * PAGE_SIZE <= end ? lo : 0;
}

static unsigned int sys_prot_to_prot(unsigned int p)
{
	return (p & SYS_PROT_READ ? PROT_READ : 0) |
	       (p & SYS_PROT_WRITE ? PROT_WRITE : 0) |
	       (p & SYS_PROT_EXEC ? PROT_EXEC : 0);
}

int dom_mem_map(struct dom *d, size_t npages, unsigned int prot, vaddr_t *out)
{
	vaddr_t va;
	int err;

	if (npages == 0 || npages > DOM_HEAP_END / PAGE_SIZE ||
	    (prot & ~(SYS_PROT_READ | SYS_PROT_WRITE | SYS_PROT_EXEC)) ||
	    !(prot & SYS_PROT_READ) ||
	    ((prot & SYS_PROT_WRITE) && (prot & SYS_PROT_EXEC))) {
		return -EINVAL;
	}
	spin_lock(&d->lock);
	if (d->pages_used + npages > d->mf->mem_pages) {
		spin_unlock(&d->lock);
		return -EDQUOT;
	}
	va = heap_find_gap(d, npages);
	if (!va) {
		spin_unlock(&d->lock);
		return -ENOMEM;
	}
	err = dom_map_pages(d, va, npages, sys_prot_to_prot(prot), NULL);
	spin_unlock(&d->lock);
	if (!err) {
		*out = va;
	}
	return err;
}

int dom_map_state(struct dom *d, const uint64_t *frames, size_t npages,
		  vaddr_t *out)
{
	struct dom_mapping *m;
	struct list_head *pos;
	vaddr_t va;
	size_t i;
	int err = 0;

	m = kzalloc(sizeof(*m) + npages * sizeof(paddr_t));
	if (!m) {
		return -ENOMEM;
	}
	spin_lock(&d->lock);
	if (d->state_va) {
		err = -EEXIST; /* another thread of ours was first */
	} else if (d->pages_used + npages > d->mf->mem_pages) {
		err = -EDQUOT;
	} else if (!(va = heap_find_gap(d, npages))) {
		err = -ENOMEM;
	}
	for (i = 0; !err && i < npages; i++) {
		m->frames[i] = frames[i];
		err = aspace_map(d->as, va + i * PAGE_SIZE, frames[i], 1,
				 PROT_READ | PROT_WRITE | PROT_USER);
	}
	if (err) {
		if (i > 0) {
			aspace_unmap(d->as, va, i, NULL);
		}
		spin_unlock(&d->lock);
		kfree(m);
		return err;
	}
	m->va = va;
	m->npages = npages;
	m->borrowed = true;
	list_for_each(pos, &d->mappings)
	{
		if (list_entry(pos, struct dom_mapping, link)->va > va) {
			break;
		}
	}
	list_insert_before(pos, &m->link);
	d->pages_used += npages;
	d->state_va = va;
	d->state_npages = npages;
	spin_unlock(&d->lock);
	*out = va;
	return 0;
}

int dom_mem_unmap(struct dom *d, vaddr_t va, size_t npages)
{
	struct list_head *pos;
	int err = -EINVAL;

	spin_lock(&d->lock);
	list_for_each(pos, &d->mappings)
	{
		struct dom_mapping *m =
			list_entry(pos, struct dom_mapping, link);

		/* Only whole heap mappings; never the image or a stack. */
		if (m->va == va && m->npages == npages &&
		    va >= d->base + DOM_HEAP_OFF && !m->borrowed) {
			dom_unmap_mapping(d, m);
			err = 0;
			break;
		}
	}
	spin_unlock(&d->lock);
	return err;
}

int dom_copy_in(struct dom *d, void *dst, uint64_t src, size_t n)
{
	return copy_from_user(dst, src, n, d->base, d->base + DOM_REGION_SIZE);
}

int dom_copy_out(struct dom *d, uint64_t dst, const void *src, size_t n)
{
	return copy_to_user(dst, src, n, d->base, d->base + DOM_REGION_SIZE);
}

/*
 * Map a stack of @npages for one cross-domain call into @d, in a free
 * stack slot. Caller holds d->lock. -EDQUOT over the memory quota.
 */
int dom_map_call_stack(struct dom *d, size_t npages, struct dom_mapping **out)
{
	int slot;
	vaddr_t top;
	int err;

	if (d->pages_used + npages > d->mf->mem_pages) {
		return -EDQUOT;
	}
	slot = stack_slot_alloc(d);
	if (slot < 0) {
		return -EAGAIN;
	}
	top = d->base + DOM_STACKS_OFF + (uint64_t)(slot + 1) * DOM_STACK_SLOT;
	err = dom_map_pages(d, top - npages * PAGE_SIZE, npages,
			    PROT_READ | PROT_WRITE, out);
	if (err) {
		d->stack_slots[slot / 64] &= ~(1ull << (slot % 64));
	}
	return err;
}

/* Undo dom_map_call_stack(). Caller holds d->lock. */
void dom_free_call_stack(struct dom *d, struct dom_mapping *m)
{
	unsigned int slot = (unsigned int)((m->va - d->base - DOM_STACKS_OFF) /
					   DOM_STACK_SLOT);

	dom_unmap_mapping(d, m);
	d->stack_slots[slot / 64] &= ~(1ull << (slot % 64));
}

/* --- Threads ------------------------------------------------------------ */

struct dom_start {
	uint64_t rip;
	uint64_t rsp;
	uint64_t rdi;
	uint64_t rsi;
};

static int dom_thread_main(void *arg)
{
	struct dom_start s = *(struct dom_start *)arg;
	struct thread *t = thread_current();

	kfree(arg);
	/* Wait for the creator to finish linking us (it holds the lock). */
	spin_lock(&t->home->lock);
	spin_unlock(&t->home->lock);
	dom_check_alive();
	user_enter(s.rip, s.rsp, s.rdi, s.rsi);
}

static int stack_slot_alloc(struct dom *d)
{
	for (unsigned int i = 0; i < DOM_STACK_SLOTS; i++) {
		if (!(d->stack_slots[i / 64] & (1ull << (i % 64)))) {
			d->stack_slots[i / 64] |= 1ull << (i % 64);
			return (int)i;
		}
	}
	return -1;
}

static void stack_slot_free(struct dom *d, int slot)
{
	vaddr_t top = d->base + DOM_STACKS_OFF +
		      (uint64_t)(slot + 1) * DOM_STACK_SLOT;
	struct list_head *pos;

	list_for_each(pos, &d->mappings)
	{
		struct dom_mapping *m =
			list_entry(pos, struct dom_mapping, link);

		if (m->va == top - DOM_STACK_SIZE) {
			dom_unmap_mapping(d, m);
			break;
		}
	}
	d->stack_slots[slot / 64] &= ~(1ull << (slot % 64));
}

/*
 * Create a ring-3 thread in @d starting at @rip with @rdi; @rsi_user is
 * passed in rsi. For the main thread, the loader writes the boot string
 * onto the stack itself. Returns 0 and the id, -EDQUOT when over the
 * thread or memory quota, -EAGAIN if the domain is dying, -ENOMEM.
 */
int dom_thread_create(struct dom *d, uint64_t rip, uint64_t rdi,
		      uint64_t rsi_user, uint64_t *tid)
{
	struct dom_start *s = kzalloc(sizeof(*s));
	size_t stack_pages = DOM_STACK_SIZE / PAGE_SIZE;
	struct thread *t;
	vaddr_t top;
	int slot;
	int err;

	if (!s) {
		return -ENOMEM;
	}
	spin_lock(&d->lock);
	if (d->state != DOM_RUNNING && d->state != DOM_LOADING) {
		err = -EAGAIN;
		goto out_unlock;
	}
	if (d->nthreads >= d->mf->threads ||
	    d->pages_used + stack_pages > d->mf->mem_pages) {
		err = -EDQUOT;
		goto out_unlock;
	}
	slot = stack_slot_alloc(d);
	if (slot < 0) {
		err = -EDQUOT;
		goto out_unlock;
	}
	top = d->base + DOM_STACKS_OFF + (uint64_t)(slot + 1) * DOM_STACK_SLOT;
	err = dom_map_pages(d, top - DOM_STACK_SIZE, stack_pages,
			    PROT_READ | PROT_WRITE, NULL);
	if (err) {
		d->stack_slots[slot / 64] &= ~(1ull << (slot % 64));
		goto out_unlock;
	}
	s->rip = rip;
	s->rsp = top - 8; /* as after a call: rsp + 8 is 16-byte aligned */
	s->rdi = rdi;
	s->rsi = rsi_user;
	err = thread_alloc(&t, d->mf->name, dom_thread_main, s, THREAD_ANY_CPU);
	if (err) {
		stack_slot_free(d, slot);
		goto out_unlock;
	}
	t->home = d;
	t->dom = d;
	t->stack_slot = slot;
	list_push_back(&d->threads, &t->dom_link);
	d->nthreads++;
	d->live++;
	*tid = t->id;
	thread_start(t);
	spin_unlock(&d->lock);
	return 0;

out_unlock:
	spin_unlock(&d->lock);
	kfree(s);
	return err;
}

/*
 * Wake @t so that it notices its domain is dying: one running in ring 3
 * on another CPU leaves on the IPI's interrupt.
 */
static void kick_thread(struct thread *t)
{
	if (t == thread_current()) {
		return;
	}
	sched_wake(t);
	if (t->cpu != this_cpu()) {
		apic_send_ipi(t->cpu->lapic_id, VEC_RESCHED);
	}
}

/* Wake every thread of @d, and every thread inside a call to it. */
static void kick_threads(struct dom *d)
{
	struct list_head *pos;

	spin_lock(&d->lock);
	list_for_each(pos, &d->threads)
	{
		kick_thread(list_entry(pos, struct thread, dom_link));
	}
	/* Threads of other domains inside a call to us are unwound. */
	list_for_each(pos, &d->visitors)
	{
		kick_thread(
			list_entry(pos, struct call_frame, visit_link)->thread);
	}
	/* And those inside through a parked frame (call_fast.c). */
	list_for_each(pos, &d->parked)
	{
		struct call_frame *f =
			list_entry(pos, struct call_frame, park_link);

		if (READ_ONCE(f->inside) & CALL_INSIDE) {
			kick_thread(f->thread);
		}
	}
	spin_unlock(&d->lock);
}

/* Are threads of other domains still inside @d? */
static bool has_visitors(struct dom *d)
{
	bool busy;

	spin_lock(&d->lock);
	busy = d->nvisitors > 0 || call_parked_inside(d);
	spin_unlock(&d->lock);
	return busy;
}

static void queue_for_reaper(struct dom *d)
{
	bool queue = false;

	spin_lock(&d->lock);
	if (!d->reaper_queued) {
		d->reaper_queued = true;
		queue = true;
	}
	spin_unlock(&d->lock);
	if (queue) {
		dom_get(d);
		spin_lock(&reaper_wq.lock);
		list_push_back(&reap_list, &d->reap_link);
		waitq_wake_all(&reaper_wq);
		spin_unlock(&reaper_wq.lock);
	}
}

/*
 * @d is DYING from now on (under d->lock). Its parked frames are blocked
 * before kick_threads() looks at them (call_fast.c).
 */
static void set_dying(struct dom *d)
{
	d->state = DOM_DYING;
	call_fast_block(d, DOM_FAST_OFF_DEAD);
}

uint64_t dom_test_svc_delay_ns;

/* Move @d to DYING with @end unless it is already on its way out. */
static bool begin_dying(struct dom *d, enum sys_dom_end end,
			enum sys_dom_fault fault, uint64_t detail,
			uint64_t addr)
{
	bool first = false;

	spin_lock(&d->lock);
	if (d->state == DOM_RUNNING || d->state == DOM_LOADING) {
		set_dying(d);
		d->status.end = end;
		d->status.fault = fault;
		d->status.detail = detail;
		d->status.addr = addr;
		first = true;
	}
	spin_unlock(&d->lock);
	if (first && READ_ONCE(dom_test_svc_delay_ns) &&
	    thread_current()->dom != d) {
		uint64_t t0 = time_ns();

		while (time_ns() - t0 < READ_ONCE(dom_test_svc_delay_ns)) {
			cpu_relax();
		}
	}
	if (first && d->svc) {
		svc_instance_dying(d);
	}
	return first;
}

void dom_thread_exit(int code)
{
	struct thread *t = thread_current();
	struct dom *d = t->home;
	bool ended = false;
	bool last;

	VERIFY(d != NULL);
	/* Never leave a call frame behind in another domain. */
	call_abandon_frames(t);
	call_fast_disarm(t);
	call_frame_cache_free(t);
	call_drop_stack_cache(t);
	irq_push_off();
	t->dom = d;
	aspace_switch(d->as);
	irq_pop_off();
	spin_lock(&d->lock);
	d->live--;
	last = d->live == 0;
	if (last && d->state == DOM_RUNNING) {
		set_dying(d);
		d->status.end = SYS_DOM_EXITED;
		d->status.exit_code = code;
		ended = true;
	}
	spin_unlock(&d->lock);
	if (ended && d->svc) {
		svc_instance_ended(d);
	}
	if (last) {
		queue_for_reaper(d);
	}
	thread_exit(code);
}

void dom_check_alive(void)
{
	struct thread *t = thread_current();

	if (!t->dom || READ_ONCE(t->dom->state) < DOM_DYING) {
		return;
	}
	/* Inside a dying callee: back to the caller with -EDOMDEAD. */
	if (t->calls && t->calls->callee == t->dom) {
		call_unwind_current();
	}
	dom_thread_exit(-EDOMDEAD);
}

void dom_fail_current(enum sys_dom_fault fault, uint64_t detail, uint64_t addr,
		      const struct trap_frame *tf, const char *msg)
{
	struct dom *d = thread_current()->dom;

	VERIFY(d != NULL);
	if (begin_dying(d, SYS_DOM_FAILED, fault, detail, addr)) {
		spin_lock(&dom_table_lock);
		stats.failed++;
		spin_unlock(&dom_table_lock);
		dom_report_crash(d, tf, msg);
		kick_threads(d);
		queue_for_reaper(d);
	}
	dom_check_alive();
	NOT_REACHED();
}

/*
 * Fail every domain that has kept a call longer than @limit_ns: its
 * visitors are unwound to their callers with -EDOMDEAD like after a crash.
 */
void dom_watchdog_scan(uint64_t now, uint64_t limit_ns, uint64_t init_ns)
{
	for (unsigned int i = 0; i < DOM_MAX; i++) {
		struct dom *d;
		struct list_head *pos;
		uint64_t oldest = 0;
		uint64_t now_tsc;
		bool init_hung = false;

		spin_lock(&dom_table_lock);
		d = dom_table[i];
		if (d) {
			dom_get(d);
		}
		spin_unlock(&dom_table_lock);
		if (!d) {
			continue;
		}
		spin_lock(&d->lock);
		now_tsc = rdtsc();
		list_for_each(pos, &d->visitors)
		{
			struct call_frame *f =
				list_entry(pos, struct call_frame, visit_link);
			uint64_t age = call_tsc_age_ns(f->start_tsc, now_tsc);

			if (age > oldest) {
				oldest = age;
			}
		}
		list_for_each(pos, &d->parked)
		{
			struct call_frame *f =
				list_entry(pos, struct call_frame, park_link);
			uint64_t age = call_parked_age_ns(f, now_tsc);

			if (age > oldest) {
				oldest = age;
			}
		}
		if (d->state == DOM_RUNNING && !d->ready &&
		    now - d->start_ns > init_ns) {
			init_hung = true;
			oldest = now - d->start_ns;
		}
		spin_unlock(&d->lock);
		if ((oldest > limit_ns || init_hung) &&
		    begin_dying(d, SYS_DOM_FAILED, SYS_FAULT_WATCHDOG,
				oldest / NSEC_PER_MSEC, 0)) {
			spin_lock(&dom_table_lock);
			stats.failed++;
			spin_unlock(&dom_table_lock);
			kprintf("\n*** DOMAIN FAILED: %s (id %lu, module %s): "
				"%s %lu ms (%s=%lu)\n",
				d->mf->name, d->id, d->module,
				init_hung ? "its init has not finished after"
					  : "a call into it has run for",
				(unsigned long)(oldest / NSEC_PER_MSEC),
				init_hung ? "initwd_ms" : "callwd_ms",
				(unsigned long)((init_hung ? init_ns
							   : limit_ns) /
						NSEC_PER_MSEC));
			kick_threads(d);
			queue_for_reaper(d);
		}
		dom_put(d);
	}
}

void dom_set_ready(struct dom *d)
{
	spin_lock(&d->lock);
	d->ready = true;
	spin_unlock(&d->lock);
	if (d->svc) {
		svc_instance_ready(d);
	}
}

void dom_kill(struct dom *d)
{
	if (begin_dying(d, SYS_DOM_KILLED, SYS_FAULT_NONE, 0, 0)) {
		pr_info("domain %s (id %lu) killed", d->mf->name, d->id);
		kick_threads(d);
		queue_for_reaper(d);
	}
}

int dom_thread_join(struct dom *d, uint64_t tid, int *code)
{
	struct thread *t = NULL;
	struct list_head *pos;
	bool dying = false;

	spin_lock(&d->lock);
	list_for_each(pos, &d->threads)
	{
		struct thread *c = list_entry(pos, struct thread, dom_link);

		if (c->id == tid) {
			t = c;
			break;
		}
	}
	if (!t || t == thread_current() || t->dom_joining) {
		spin_unlock(&d->lock);
		return t ? -EINVAL : -ENOENT;
	}
	t->dom_joining = true;
	spin_unlock(&d->lock);

	spin_lock(&t->join_wq.lock);
	while (!t->exiting) {
		if (READ_ONCE(d->state) != DOM_RUNNING) {
			dying = true;
			break;
		}
		/* Bounded waits: a kill may race with going to sleep. */
		waitq_wait_timeout(&t->join_wq, 100 * NSEC_PER_MSEC);
	}
	spin_unlock(&t->join_wq.lock);
	if (dying) {
		/* The reaper joins it; leave it listed. */
		return -EDOMDEAD;
	}
	spin_lock(&d->lock);
	list_unlink(&t->dom_link);
	d->nthreads--;
	stack_slot_free(d, t->stack_slot);
	spin_unlock(&d->lock);
	thread_join(t, code);
	return 0;
}

/* --- Waiting and teardown ---------------------------------------------- */

int dom_wait(struct dom *d, uint64_t timeout_ns, struct sys_dom_status *st)
{
	uint64_t deadline = timeout_ns ? time_ns() + timeout_ns : 0;
	int err = 0;

	spin_lock(&d->end_wq.lock);
	while (READ_ONCE(d->state) != DOM_DEAD) {
		uint64_t now = time_ns();

		if (deadline && now >= deadline) {
			err = -ETIMEDOUT;
			break;
		}
		waitq_wait_timeout(&d->end_wq, deadline ? deadline - now
							: 100 * NSEC_PER_MSEC);
	}
	spin_unlock(&d->end_wq.lock);
	if (!err && st) {
		spin_lock(&d->lock);
		*st = d->status;
		spin_unlock(&d->lock);
	}
	return err;
}

/*
 * Undo a load that failed before any thread ran: unmap, free the page
 * table and slot, and drop the table's reference (the caller still holds
 * its own).
 */
void dom_abort_load(struct dom *d)
{
	spin_lock(&d->lock);
	while (!list_empty(&d->mappings)) {
		dom_unmap_mapping(d,
				  list_first_entry(&d->mappings,
						   struct dom_mapping, link));
	}
	d->state = DOM_DEAD;
	spin_unlock(&d->lock);
	if (d->as) {
		VERIFY(aspace_destroy(d->as) == 0);
		d->as = NULL;
	}
	dom_release_slot(d);
	dom_put(d);
}

void dom_stop(struct dom *d, uint64_t timeout_ns)
{
	if (d) {
		dom_kill(d);
		dom_wait(d, timeout_ns, NULL);
		dom_put(d);
	}
}

bool dom_wait_freed(uint64_t live0, uint64_t timeout_ns)
{
	uint64_t deadline = time_ns() + timeout_ns;
	struct dom_stats st;

	do {
		dom_get_stats(&st);
		if (st.live_domains <= live0) {
			return true;
		}
		thread_sleep_ns(NSEC_PER_MSEC);
	} while (time_ns() < deadline);
	return false;
}

/* Free everything @d holds. All its threads have exited. */
static void dom_teardown(struct dom *d)
{
	size_t leftover;

	/* No thread is inside; parked frames go with their next call. */
	call_unpark_all(d);
	/* Join every thread (each is a zombie by now). */
	for (;;) {
		struct thread *t = NULL;

		spin_lock(&d->lock);
		if (!list_empty(&d->threads)) {
			t = list_first_entry(&d->threads, struct thread,
					     dom_link);
			list_unlink(&t->dom_link);
			d->nthreads--;
		}
		spin_unlock(&d->lock);
		if (!t) {
			break;
		}
		thread_join(t, NULL);
	}
	spin_lock(&d->lock);
	while (!list_empty(&d->mappings)) {
		dom_unmap_mapping(d,
				  list_first_entry(&d->mappings,
						   struct dom_mapping, link));
	}
	VERIFY(d->pages_used == 0);
	spin_unlock(&d->lock);
	/* No thread and no visitor is left: no loan to or from it either. */
	sheap_drop_domain(d);
	call_release_handles(d);
	leftover = aspace_destroy(d->as);
	VERIFY(leftover == 0);
	d->as = NULL;
	dom_release_slot(d);

	spin_lock(&d->end_wq.lock);
	spin_lock(&d->lock);
	d->state = DOM_DEAD;
	spin_unlock(&d->lock);
	dom_put(d); /* the table's reference; the reaper still holds one */
	waitq_wake_all(&d->end_wq);
	spin_unlock(&d->end_wq.lock);
}

static int reaper_main(void *arg)
{
	for (;;) {
		struct dom *d;

		spin_lock(&reaper_wq.lock);
		while (list_empty(&reap_list)) {
			waitq_wait(&reaper_wq);
		}
		d = list_first_entry(&reap_list, struct dom, reap_link);
		list_unlink(&d->reap_link);
		spin_unlock(&reaper_wq.lock);

		/* Wait for its threads and visitors to leave. */
		while (READ_ONCE(d->live) > 0 || has_visitors(d)) {
			kick_threads(d);
			thread_sleep_ns(2 * NSEC_PER_MSEC);
		}
		dom_teardown(d);
		if (d->svc) {
			svc_instance_freed(d);
		}
		dom_put(d); /* the reaper's reference */
	}
	return 0;
}
