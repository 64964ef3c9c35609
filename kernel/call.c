// SPDX-License-Identifier: MIT
/*
 * Cross-domain calls (see call.h and lib/abi/ipc.h).
 *
 * SYS_CALL: validate the handle and the argument kinds, map a stack for
 * this call in the callee, push a call frame with the caller's saved
 * ring-3 state, move the thread into the callee (its domain and page
 * table) and enter the callee's dispatch function. SYS_CALL_RETURN is the
 * mirror. If the callee fails while threads are inside it, each of them is
 * resumed in its caller with -EDOMDEAD in rax; only the kernel writes rax
 * on that path, so a callee cannot forge a transport error.
 *
 * Repeated calls: a thread remembers what its last call resolved to (its
 * call cache, thread.h) and its stack in that callee (stack_cache). A call
 * with the same call word from the same domain, while that domain's
 * handle table is unchanged (handles_ver), reaches the same callee, export
 * and method without the handle table's lock or the service's: see
 * call_cache_hit() for why that is the answer the full lookup would give.
 *
 * Locking: callee->lock protects its visitors list and its stack mappings;
 * the thread's call stack (t->calls, t->call_depth), its frame, stack and
 * call caches are touched only by the thread itself.
 */
#include "call.h"

#include "abi/errno.h"
#include "abi/ipc.h"
#include "abi/ipc_desc.h"
#include "abi/syscall.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/gdt.h"
#include "arch/x86_64/paging.h"
#include "arch/x86_64/user.h"
#include "base/string.h"
#include "console.h"
#include "dom.h"
#include "heap.h"
#include "panic.h"
#include "faultinj.h"
#include "sheap.h"
#include "svc.h"
#include "percpu.h"
#include "thread.h"
#include "time.h"
#include "cmdline.h"

BUILD_ASSERT(IPC_CW_RESK_SHIFT == IPC_CW_ARGK_SHIFT + 12);

/* The two ownership plans of a call that carries rrefs (~4 KiB). */
struct call_rrefs {
	struct rref_cross_plan call;	/* what the call applied */
	struct rref_cross_plan scratch; /* the return's or unwind's work */
};

/* What a call word reaches. */
struct call_target {
	struct dom *callee; /* a reference */
	const struct dom_export *exp;
	const struct ipc_method_desc *m;
	uint64_t handles_ver; /* the caller's, when the handle was read */
};

/*
 * The current thread. Threads never change CPUs, so this holds even if
 * the thread is preempted right after reading %gs.
 */
static inline struct thread *current(void)
{
	return this_cpu()->current;
}

static void call_frame_free(struct call_frame *f)
{
	if (f) {
		kfree(f->rr);
		kfree(f);
	}
}

/* Keep @f as @t's spare frame, or free it if there is one already. */
void call_frame_release(struct thread *t, struct call_frame *f)
{
	if (!t->frame_cache) {
		t->frame_cache = f;
	} else {
		call_frame_free(f);
	}
}

void call_frame_cache_free(struct thread *t)
{
	call_frame_free(t->frame_cache);
	t->frame_cache = NULL;
}

/* Any rref or handle word among @kinds? */
static bool kinds_have_rrefs(uint16_t kinds)
{
	for (unsigned int w = 0; w < IPC_WORDS; w++) {
		unsigned int k = ipc_kind_at(kinds, w);

		if (k != IPC_KIND_SCALAR && k != IPC_KIND_HANDLE) {
			return true;
		}
	}
	return false;
}

static bool kinds_have_handles(uint16_t kinds)
{
	for (unsigned int w = 0; w < IPC_WORDS; w++) {
		if (ipc_kind_at(kinds, w) == IPC_KIND_HANDLE) {
			return true;
		}
	}
	return false;
}

/*
 * Move the current thread into @to (domain and page table). Interrupts
 * are off so that a preemption sees t->dom and CR3 agree; no lock is taken
 * inside, so saving and restoring IF does what irq_push_off() would.
 */
static void thread_enter(struct thread *t, struct dom *to)
{
	uint64_t flags = irq_save();

	t->dom = to;
	aspace_switch(to->as);
	irq_restore(flags);
}

struct ipc_entry call_entry(const struct dom_export *exp,
			    const struct ipc_method_desc *m)
{
	const struct ipc_entry *e = &exp->entries[m - exp->desc->methods];

	if (e->pc) {
		return *e;
	}
	return (struct ipc_entry){exp->ret_tramp, exp->ctx, exp->dispatch};
}

uint64_t call_stack_top(const struct call_frame *f)
{
	/* As at a C function's entry (lib/abi/ipc.h). */
	return f->stack->va + CALL_STACK_PAGES * PAGE_SIZE - 8;
}

/*
 * Take @f, the thread's innermost call, off its call stack and move the
 * thread back into the caller. Only then, with CR3 holding the caller's
 * tables, is a parked frame out of the callee (call_fast.c).
 */
static void pop_frame(struct thread *t, struct call_frame *f)
{
	t->calls = f->prev;
	if (f != t->fast) {
		t->call_depth--;
	}
	thread_enter(t, f->caller);
	if (f == t->fast) {
		/* Out (bit 0), one more call done; only this thread writes. */
		__atomic_store_n(&f->inside, f->inside + 1, __ATOMIC_RELEASE);
	}
}

/* Forget what the thread's last call resolved to. */
static void call_cache_clear(struct thread *t)
{
	t->call_cache.from = NULL;
}

/*
 * Does @t's call cache answer call word @cw from @d? Then *@out gets the
 * callee (with a new reference), export and method the full lookup,
 * resolve(), gave for it. That lookup reads the handle (service, generation,
 * interface), resolves the service to its live instance and finds the
 * export and the method; a hit still gets the same answer because:
 *  - the handle is the same: d->handles_ver changes with every change to
 *    d's handle table, and values are never reused (not even by another
 *    domain at the same address);
 *  - the instance is the same for as long as it is DOM_RUNNING, which the
 *    caller checks under its lock as every call does: a service replaces
 *    its instance or moves to a new generation only after the instance
 *    has started dying (begin_dying() sets DOM_DYING first), never the
 *    other way round, and its ready flag is never cleared; when the check
 *    fails the caller forgets the cache and does the full lookup, which
 *    waits for a restart or returns -ERESTARTED or -EDOMDEAD as it would
 *    have;
 *  - exports and descriptors never change once made, and the thread's
 *    reference to stack_dom keeps them allocated: the cache is filled
 *    only with exports of stack_dom and cleared whenever stack_dom is
 *    dropped (call_drop_stack_cache()).
 */
static bool call_cache_hit(struct thread *t, struct dom *d, uint64_t cw,
			   struct call_target *out)
{
	const struct call_cache *cc = &t->call_cache;

	if (cc->from != d || cc->cw != cw ||
	    __atomic_load_n(&d->handles_ver, __ATOMIC_ACQUIRE) !=
		    cc->handles_ver) {
		return false;
	}
	out->callee = t->stack_dom;
	out->exp = cc->exp;
	out->m = cc->method;
	out->handles_ver = cc->handles_ver;
	dom_get(out->callee);
	return true;
}

/* Remember @tg for @t's next call with @cw from @d (see call_cache_hit). */
static void call_cache_fill(struct thread *t, struct dom *d, uint64_t cw,
			    const struct call_target *tg)
{
	if (tg->callee != t->stack_dom) {
		return; /* nothing of ours keeps its exports alive */
	}
	t->call_cache.from = d;
	t->call_cache.handles_ver = tg->handles_ver;
	t->call_cache.cw = cw;
	t->call_cache.exp = tg->exp;
	t->call_cache.method = tg->m;
}

/*
 * The full lookup of call word @cw from @d: the handle, the service's
 * live instance (this waits while the service restarts), its export of
 * the handle's interface and the method, checked against the call word.
 * Returns 0 with a reference to the callee in @out, or -EBADF,
 * -ERESTARTED, -EDOMDEAD or -EINVAL (lib/abi/ipc.h).
 */
static __attribute__((noinline)) int resolve(struct dom *d, uint64_t cw,
					     struct call_target *out)
{
	unsigned int handle = (cw >> IPC_CW_HANDLE_SHIFT) & 0xffff;
	unsigned int ordinal = (cw >> IPC_CW_ORDINAL_SHIFT) & 0xffff;
	uint16_t kinds = (uint16_t)((cw >> IPC_CW_ARGK_SHIFT) & 0xfff);
	uint16_t rkinds = (uint16_t)((cw >> IPC_CW_RESK_SHIFT) & 0xfff);
	bool idem = (cw & IPC_CW_IDEMPOTENT) != 0;
	bool cfg = (cw & IPC_CW_CONFIG) != 0;
	const struct ipc_method_desc *m;
	const struct dom_export *exp = NULL;
	struct dom *callee;
	struct svc *svc;
	uint64_t name_id = 0;
	uint64_t ver = 0;
	uint32_t gen = 0;
	int err;

	spin_lock(&d->lock);
	svc = d->handles[handle].svc;
	if (svc) {
		svc_get(svc);
		gen = d->handles[handle].gen;
		name_id = d->handles[handle].name_id;
		ver = d->handles_ver;
	}
	spin_unlock(&d->lock);
	if (!svc) {
		return -EBADF;
	}
	/* The live instance; this waits while the service restarts. */
	err = svc_resolve(svc, &gen, &callee);
	if (err == -ERESTARTED) {
		/* Told once: the next call reaches the new instance. */
		spin_lock(&d->lock);
		if (d->handles[handle].svc == svc) {
			d->handles[handle].gen = gen;
			call_handles_changed(d);
		}
		spin_unlock(&d->lock);
	}
	svc_put(svc);
	if (err) {
		return err;
	}
	for (unsigned int i = 0; i < DOM_MAX_EXPORTS; i++) {
		/* Fields are set before used (release); never changed. */
		if (__atomic_load_n(&callee->exports[i].used,
				    __ATOMIC_ACQUIRE) &&
		    callee->exports[i].name_id == name_id) {
			exp = &callee->exports[i];
			break;
		}
	}
	if (!exp) {
		/* The new instance does not serve it (yet): no call. */
		dom_put(callee);
		return -EDOMDEAD;
	}
	/*
	 * The call must be one the callee's interface has, with the same
	 * word kinds on both sides, or nothing happens.
	 */
	m = call_find_method(exp->desc, ordinal);
	if (!m || m->arg_kinds != kinds || m->res_kinds != rkinds ||
	    ((m->flags & IPC_METHOD_IDEMPOTENT) != 0) != idem ||
	    ((m->flags & IPC_METHOD_CONFIG) != 0) != cfg) {
		dom_put(callee);
		return -EINVAL;
	}
	out->callee = callee;
	out->exp = exp;
	out->m = m;
	out->handles_ver = ver;
	return 0;
}

/*
 * Forget @t's cached call stack, and with it the call cache (whose
 * exports stack_dom's reference kept alive). Under the domain's lock:
 * while it is RUNNING the stack is ours to free; once it is dying,
 * teardown frees it with the rest of its mappings.
 */
void call_drop_stack_cache(struct thread *t)
{
	struct dom *d = t->stack_dom;

	call_cache_clear(t);
	if (!d) {
		return;
	}
	spin_lock(&d->lock);
	if (t->stack_cache && d->state == DOM_RUNNING) {
		dom_free_call_stack(d, t->stack_cache);
	}
	spin_unlock(&d->lock);
	t->stack_cache = NULL;
	t->stack_dom = NULL;
	dom_put(d);
}

void call_stack_done(struct thread *t, struct dom *callee,
		     struct dom_mapping *stack, bool keep)
{
	if (callee->state != DOM_RUNNING) {
		return; /* teardown frees it with the rest of the mappings */
	}
	if (keep && !t->stack_cache) {
		if (!t->stack_dom) {
			dom_get(callee);
			t->stack_dom = callee;
		}
		t->stack_cache = stack;
	} else {
		dom_free_call_stack(callee, stack);
	}
}

/*
 * Take @f off its callee. A completed call keeps its stack for the
 * thread's next call into the same callee (@keep); an unwound one frees it.
 * The thread must not be in the callee's page table (any more): once @f is
 * off the visitors list, the callee may be torn down. Inlined: it is a
 * good part of every return.
 */
static inline __attribute__((always_inline)) void
leave_callee(struct call_frame *f, bool keep)
{
	struct dom *callee = f->callee;
	struct thread *t = f->thread;

	if (keep && t->stack_dom != callee) {
		call_drop_stack_cache(t);
	}
	spin_lock(&callee->lock);
	list_unlink(&f->visit_link);
	callee->nvisitors--;
	call_stack_done(t, callee, f->stack, keep);
	spin_unlock(&callee->lock);
}

/*
 * Enter @f's callee (lib/abi/ipc.h): @f on the thread's call stack, and
 * the callee's entry registers in @tf: rip, rdi and r9 from the method's
 * entry (call_entry()), rsi, rdx, r10 and r8 the argument words @in, rsp
 * the top of the call's stack;
 * rax gets the ordinal from call_sys_call()'s return value.
 * callee_regs_zero() sets the rest. The caller then moves the thread into
 * the callee (thread_enter()). cs, ss, error and vector are those
 * syscall_entry pushed.
 */
static inline __attribute__((always_inline)) void
enter_callee(struct thread *t, struct call_frame *f, struct trap_frame *tf,
	     const struct dom_export *exp, const uint64_t in[IPC_WORDS])
{
	const struct ipc_entry e = call_entry(exp, f->method);

	f->prev = t->calls;
	t->calls = f;
	t->call_depth++;
	tf->rdi = e.ctx;
	tf->rsi = in[0];
	tf->rdx = in[1];
	tf->r10 = in[2];
	tf->r8 = in[3];
	tf->r9 = e.arg;
	tf->rip = e.pc;
	tf->rflags = USER_RFLAGS;
	tf->rsp = call_stack_top(f);
}

/*
 * The rest of the callee's entry registers in @tf, after enter_callee():
 * every register is set, so nothing of the caller's reaches the callee.
 */
static inline __attribute__((always_inline)) void
callee_regs_zero(struct trap_frame *tf)
{
	tf->r15 = 0;
	tf->r14 = 0;
	tf->r13 = 0;
	tf->r12 = 0;
	tf->r11 = USER_RFLAGS; /* as SYSRET leaves it */
	tf->rbp = 0;
	tf->rcx = tf->rip; /* as SYSRET leaves it */
	tf->rbx = 0;
}

/* What a call must give back to its caller (struct call_regs). */
static inline void save_caller_regs(struct call_regs *r,
				    const struct trap_frame *tf)
{
	r->rip = tf->rip;
	r->rsp = tf->rsp;
	r->rbx = tf->rbx;
	r->rbp = tf->rbp;
	r->r12 = tf->r12;
	r->r13 = tf->r13;
	r->r14 = tf->r14;
	r->r15 = tf->r15;
}

static long call_enter(struct dom *d, struct trap_frame *tf);

long call_sys_call(struct dom *d, struct trap_frame *tf)
{
	uint64_t cw = tf->rdi;
	uint16_t kinds = (uint16_t)((cw >> IPC_CW_ARGK_SHIFT) & 0xfff);
	uint64_t in[IPC_WORDS] = {tf->rsi, tf->rdx, tf->r10, tf->r8};
	long err = call_enter(d, tf);

	/*
	 * The callee is dead or restarting and the call never reached it.
	 * A move is a move whatever the outcome (lib/abi/ipc.h): the
	 * caller's moved rrefs are dropped, so it never has to guess
	 * whether they are still its own.
	 */
	if ((err == -EDOMDEAD || err == -ERESTARTED) &&
	    sheap_sink(d, in, kinds)) {
		return -EINVAL; /* not the caller's to move: nothing changed */
	}
	return err;
}

/* SYS_CALL proper: validate, move arguments, enter the callee. */
static long call_enter(struct dom *d, struct trap_frame *tf)
{
	struct thread *t = current();
	uint64_t cw = tf->rdi;
	unsigned int handle = (cw >> IPC_CW_HANDLE_SHIFT) & 0xffff;
	uint16_t kinds = (uint16_t)((cw >> IPC_CW_ARGK_SHIFT) & 0xfff);
	uint16_t rkinds = (uint16_t)((cw >> IPC_CW_RESK_SHIFT) & 0xfff);
	bool has_rr = (cw & CALL_CW_KINDS_MASK) &&
		      (kinds_have_rrefs(kinds) || kinds_have_rrefs(rkinds));
	uint64_t in[IPC_WORDS] = {tf->rsi, tf->rdx, tf->r10, tf->r8};
	struct call_target tg;
	struct call_frame *f;
	struct dom *callee;
	uint64_t granted = 0;
	bool cached;
	int err;

	if (handle >= DOM_MAX_HANDLES) {
		return -EBADF;
	}
	call_fast_forget_dead(t);
	if (t->call_depth >= CALL_DEPTH_MAX) {
		return -EAGAIN;
	}
again:
	cached = call_cache_hit(t, d, cw, &tg);
	if (!cached) {
		err = resolve(d, cw, &tg);
		if (err) {
			return err;
		}
	}
	callee = tg.callee;
	/* A frame from this thread's last call saves a heap round trip. */
	f = t->frame_cache;
	t->frame_cache = NULL;
	if (!f) {
		f = kzalloc(sizeof(*f));
	}
	if (f && !f->rr && has_rr) {
		f->rr = kzalloc(sizeof(*f->rr));
		if (!f->rr) {
			call_frame_free(f);
			f = NULL;
		}
	}
	if (!f) {
		dom_put(callee);
		return -ENOMEM;
	}
	if (has_rr) {
		rref_plan_init(&f->rr->call);
	}
	f->stack = NULL;
	f->thread = t;
	f->caller = d;
	f->callee = callee;
	f->method = tg.m;
	f->cw = cw;
	f->has_rr = has_rr;
	save_caller_regs(&f->saved, tf);
	f->start_tsc = rdtsc();

	spin_lock(&callee->lock);
	if (callee->state != DOM_RUNNING) {
		spin_unlock(&callee->lock);
		call_frame_release(t, f);
		dom_put(callee);
		if (cached) {
			/* Not the live instance any more: look it up. */
			call_cache_clear(t);
			goto again;
		}
		return -EDOMDEAD;
	}
	/* Reuse this thread's stack from its last call into callee. */
	if (t->stack_dom == callee && t->stack_cache) {
		f->stack = t->stack_cache;
		t->stack_cache = NULL;
		err = 0;
	} else {
		err = dom_map_call_stack(callee, CALL_STACK_PAGES, &f->stack);
	}
	if (err) {
		spin_unlock(&callee->lock);
		goto out_free;
	}
	list_push_back(&callee->visitors, &f->visit_link);
	callee->nvisitors++;
	spin_unlock(&callee->lock);

	/*
	 * Handles first (they can be taken back), then rrefs (a move cannot
	 * be): if either is refused, the call fails and nothing changed.
	 */
	if (kinds && kinds_have_handles(kinds)) {
		err = call_grant_handles(d, callee, in, kinds, tg.m->arg_types,
					 &granted);
		if (err) {
			leave_callee(f, true);
			goto out_free;
		}
	}
	if (has_rr) {
		err = sheap_cross(d, callee, in, kinds, tg.m->arg_types,
				  &f->rr->call);
		if (err) {
			call_revoke_handles(callee, granted);
			leave_callee(f, true);
			goto out_free;
		}
	}
	if (!cached) {
		call_cache_fill(t, d, cw, &tg);
	}

	call_fast_prepare(f, d, tg.exp, tg.handles_ver);
	enter_callee(t, f, tf, tg.exp, in);
	callee_regs_zero(tf);
	thread_enter(t, callee);
	return tg.m->ordinal; /* rax: the callee's entry register */

out_free:
	call_frame_release(t, f);
	dom_put(callee);
	return err;
}

/*
 * Resume the caller of @f in @tf, a frame syscall_entry built: its saved
 * state, and @out as results.
 */
static inline __attribute__((always_inline)) void
resume_caller_regs(struct trap_frame *tf, const struct call_frame *f,
		   const uint64_t out[IPC_WORDS], int64_t app)
{
	tf->r15 = f->saved.r15;
	tf->r14 = f->saved.r14;
	tf->r13 = f->saved.r13;
	tf->r12 = f->saved.r12;
	tf->r11 = USER_RFLAGS; /* as SYSRET leaves it */
	tf->r10 = out[3];
	tf->r9 = 0;
	tf->r8 = (uint64_t)app;
	tf->rbp = f->saved.rbp;
	tf->rdi = out[0];
	tf->rsi = out[1];
	tf->rdx = out[2];
	tf->rcx = f->saved.rip; /* as SYSRET leaves it */
	tf->rbx = f->saved.rbx;
	tf->rip = f->saved.rip;
	tf->rflags = USER_RFLAGS;
	tf->rsp = f->saved.rsp;
}

/* The same in any frame. */
static void resume_caller(struct trap_frame *tf, const struct call_frame *f,
			  const uint64_t out[IPC_WORDS], int64_t app)
{
	resume_caller_regs(tf, f, out, app);
	tf->vector = SYSCALL_VECTOR;
	tf->error = 0;
	tf->cs = GDT_UCODE;
	tf->ss = GDT_UDATA;
}

long call_sys_return(struct dom *d, struct trap_frame *tf)
{
	struct thread *t = current();
	struct call_frame *f = t->calls;
	int32_t app = (int32_t)tf->r8;
	uint64_t out[IPC_WORDS] = {tf->rdi, tf->rsi, tf->rdx, tf->r10};
	uint64_t granted = 0;
	uint16_t rkinds;
	int err;

	if (!f || f->callee != d) {
		dom_fail_current(SYS_FAULT_BAD_SYSCALL, SYS_CALL_RETURN,
				 tf->rip, tf, "SYS_CALL_RETURN outside a call");
	}
	rkinds = f->method->res_kinds;
	if (READ_ONCE(d->inject)) {
		faultinj_results(d, out, rkinds);
	}
	/* Words past the method's results carry nothing back. */
	for (unsigned int w = f->method->nres; w < IPC_WORDS; w++) {
		out[w] = 0;
	}
	/*
	 * Results: handles the callee grants, then rrefs it gives back;
	 * the call's loans end here too. A callee that returns what it does
	 * not hold breaks the protocol and fails; its frame is then
	 * unwound like after a crash, so the caller sees -EDOMDEAD.
	 */
	if (rkinds && kinds_have_handles(rkinds) && app != 0) {
		/* A failed method grants nothing. */
		for (unsigned int w = 0; w < IPC_WORDS; w++) {
			if (ipc_kind_at(rkinds, w) == IPC_KIND_HANDLE) {
				out[w] = IPC_NO_HANDLE;
			}
		}
	} else if (rkinds && kinds_have_handles(rkinds)) {
		err = call_grant_handles(d, f->caller, out, rkinds,
					 f->method->res_types, &granted);
		if (err == -EBADF || err == -EINVAL) {
			dom_fail_current(SYS_FAULT_PROTOCOL, SYS_CALL_RETURN,
					 tf->rip, tf,
					 "returned a handle it does not hold");
		}
		if (err) {
			/* The caller's table is full: it gets no handle. */
			for (unsigned int w = 0; w < IPC_WORDS; w++) {
				if (ipc_kind_at(rkinds, w) == IPC_KIND_HANDLE) {
					out[w] = IPC_NO_HANDLE;
				}
			}
		}
	}
	if (f->has_rr) {
		err = sheap_ret(d, f->caller, out, rkinds, f->method->res_types,
				&f->rr->call, &f->rr->scratch);
		if (err) {
			call_revoke_handles(f->caller, granted);
			dom_fail_current(SYS_FAULT_PROTOCOL, SYS_CALL_RETURN,
					 tf->rip, tf,
					 f->rr->scratch.why
						 ? f->rr->scratch.why
						 : "returned rrefs it does not "
						   "own");
		}
	}
	if (READ_ONCE(d->svc->recovering)) {
		svc_served(d); /* the end of a recovery */
	}
	pop_frame(t, f);
	resume_caller(tf, f, out, app);
	if (f == t->fast) {
		return 0; /* it stays parked */
	}
	if (!call_fast_park(t, f)) {
		leave_callee(f, true);
		dom_put(f->callee);
		call_frame_release(t, f);
	}
	return 0; /* rax: the call itself went through */
}

/* End @f, which will not return normally: loans back, stack freed. */
static void abandon_frame(struct call_frame *f)
{
	if (f->has_rr) {
		sheap_unwind(f->callee, f->caller, &f->rr->call,
			     &f->rr->scratch);
	}
	leave_callee(f, false);
}

void call_unwind_current(void)
{
	static const uint64_t none[IPC_WORDS];
	struct thread *t = current();
	struct call_frame *f = t->calls;
	struct trap_frame tf;

	VERIFY(f != NULL && f->callee == t->dom);
	pop_frame(t, f);
	resume_caller(&tf, f, none, 0);
	tf.rax = (uint64_t)(int64_t)svc_unwind_status(f->callee);
	tf.rdi = f->cw; /* for the caller's recovery (lib/abi/ipc.h) */
	if (f == t->fast) {
		call_fast_disarm(t); /* its callee is dying */
	} else {
		abandon_frame(f);
		dom_put(f->callee);
		call_frame_release(t, f);
	}
	/* The caller may be dying too: then it leaves or unwinds further. */
	dom_check_alive();
	user_enter_frame(&tf);
}

void call_abandon_frames(struct thread *t)
{
	while (t->calls) {
		struct call_frame *f = t->calls;

		/* Out of the callee first (see leave_callee). */
		pop_frame(t, f);
		if (f == t->fast) {
			call_fast_disarm(t);
			continue;
		}
		abandon_frame(f);
		dom_put(f->callee);
		call_frame_free(f);
	}
}

uint64_t call_tsc_age_ns(uint64_t start_tsc, uint64_t now_tsc)
{
	uint64_t per_ms = time_tsc_hz() / 1000;
	uint64_t ticks;

	if (now_tsc <= start_tsc) {
		return 0;
	}
	ticks = now_tsc - start_tsc;
	if (per_ms == 0) {
		per_ms = 1;
	}
	return ticks / per_ms * NSEC_PER_MSEC +
	       ticks % per_ms * NSEC_PER_MSEC / per_ms;
}

/* --- Watchdog ------------------------------------------------------------ */

static uint64_t callwd_ms = 2000;
CMDLINE_OPTION(callwd_opt, .name = "callwd_ms", .type = CMDLINE_UINT,
	       .value = &callwd_ms, .min = 10, .max = 3600000,
	       .help = "fail a callee that keeps a cross-domain call longer "
		       "than this many milliseconds");

static uint64_t initwd_ms = 5000;
CMDLINE_OPTION(initwd_opt, .name = "initwd_ms", .type = CMDLINE_UINT,
	       .value = &initwd_ms, .min = 10, .max = 3600000,
	       .help = "fail a domain whose init (dom_init) has not returned "
		       "after this many milliseconds");

static int call_watchdog_main(void *arg)
{
	for (;;) {
		thread_sleep_ns(callwd_ms * NSEC_PER_MSEC / 4);
		dom_watchdog_scan(time_ns(), callwd_ms * NSEC_PER_MSEC,
				  initwd_ms * NSEC_PER_MSEC);
	}
	return 0;
}

void call_watchdog_init(void)
{
	struct thread *t;

	MUST(thread_create(&t, "call_watchdog", call_watchdog_main, NULL,
			   THREAD_ANY_CPU));
}
