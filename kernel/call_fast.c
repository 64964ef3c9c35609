// SPDX-License-Identifier: MIT
/*
 * Parked frames: the state behind syscall.asm's call and return path.
 *
 * A thread whose call with only scalar words completes on the general
 * path (call.c) keeps that call's frame, stack and reference to the callee
 * as its parked frame (t->fast, on callee->parked), with what the call
 * word resolved to: the method's entry (pc, ctx and arg: call_entry()), the
 * method's ordinal, and the caller's handles_ver at the time. syscall.asm
 * then makes a SYS_CALL whose word is the frame's, from a domain whose
 * handles_ver is the frame's, without a lock, a lookup or an allocation,
 * and the SYS_CALL_RETURN that ends it. Why that is what call.c would do:
 *
 *  - Same target. handles_ver values come from one counter for all
 *    domains, never 0 and never reused (call_handles_changed()), and
 *    change with every change to a handle table. A match therefore means
 *    the thread is in the domain the frame was filled for, and that the
 *    handle the word names is the one resolved then. The service behind
 *    it has the same instance for as long as that instance's fast_off is
 *    0, which includes DOM_RUNNING (dom.h); exports and descriptors never
 *    change, and the frame's reference keeps the callee's struct alive.
 *  - Blocking. A domain's fast_off gets its bits under its lock, where
 *    call_fast_block() also clears fast_hver in every frame parked on
 *    it; call_fast_park() parks a frame only under that lock and only
 *    while fast_off is 0 (svc_attach() sets a bit before the domain
 *    runs, when nothing can be parked on it). So a frame that can match is one
 *    parked on a domain whose fast_off is 0, or was until the blocking
 *    that is now under way; syscall.asm reads fast_hver only, and never
 *    fast_off.
 *  - Scalar words only. The call word carries the kinds, all zero, so
 *    there is nothing to move, lend or grant, and the descriptor check the
 *    general path made with this word holds again.
 *  - Teardown. The fast path claims f (sets bit 0 of f->inside) with a
 *    locked instruction and only then reads f->fast_hver; set_dying()
 *    clears fast_hver, a full barrier follows (call_fast_block()), and
 *    kick_threads() then reads every parked frame's inside. So either
 *    the call sees the frame blocked and declines, putting inside back,
 *    or the kick sees it inside and sends the thread an IPI: at its next
 *    kernel entry it is unwound to the caller (call_unwind_current()) as
 *    from any frame. The reaper waits until no parked frame is inside
 *    (call_parked_inside()); a return clears inside only after CR3 holds
 *    the caller's tables.
 *  - Use by one call at a time. inside is also the frame's lock: a call
 *    that finds it set (the thread is already in a call through it,
 *    further up its call stack) declines without touching it.
 *  - Faults, injections, restarts. A domain with a pending fault
 *    injection, or whose first served call ends a restart (svc_served()),
 *    has fast_off set and its frames blocked, so its calls and returns
 *    take the general path, where those hooks are. A blocked frame stays
 *    the thread's until a general-path call parks another. A thread in
 *    a callee through a parked frame is unwound like any other: the
 *    frame is its innermost, and call.c tells it by t->fast.
 *  - The watchdog. The bits of inside above bit 0 count the calls that
 *    have left the frame, so every call through it has an inside value
 *    of its own; a call is as old as the time since the watchdog first
 *    saw its value (call_parked_age_ns()), so a hang is caught at most
 *    one scan late.
 *  - What the kernel keeps of the caller: rip, rsp, rbx, rbp and
 *    r12-r15, as the general path does; rflags comes back as USER_RFLAGS
 *    and r9 as 0 on both paths (lib/abi/ipc.h).
 *  - Call depth. Parked frames are not counted in t->call_depth; a
 *    thread has one, so its stack of calls is at most CALL_DEPTH_MAX + 1.
 *
 * A thread has one parked frame: a completed general-path call that can
 * be parked replaces it, unless it is in use. A frame whose callee died is
 * taken off callee->parked by teardown (call_unpark_all()) and dropped by
 * its thread at its next general-path call or at exit.
 */
#include "call.h"

#include "abi/ipc.h"
#include "abi/ipc_desc.h"
#include "arch/x86_64/paging.h"
#include "dom.h"
#include "heap.h"
#include "panic.h"
#include "thread.h"
#include "time.h"

/*
 * Shared by every thread without a parked frame. Its call word is one no
 * proxy makes (reserved bits set), so that syscall.asm does not claim it
 * for ordinary calls; a call that does claims it for a moment, sees
 * fast_hver match no domain and puts it back.
 */
struct call_frame call_fast_none = {.cw = UINT64_MAX, .fast_hver = UINT64_MAX};

void call_fast_prepare(struct call_frame *f, const struct dom *caller,
		       const struct dom_export *exp, uint64_t hver)
{
	struct ipc_entry e;

	f->fast_hver = 0; /* not eligible */
	if (f->has_rr || (f->cw & CALL_CW_KINDS_MASK) || f->callee == caller ||
	    hver == 0) {
		return;
	}
	f->fast_hver = hver;
	e = call_entry(exp, f->method);
	f->entry = e.pc;
	f->ctx = e.ctx;
	f->arg = e.arg;
	f->ordinal = f->method->ordinal;
	f->stack_top = call_stack_top(f);
}

bool call_fast_park(struct thread *t, struct call_frame *f)
{
	struct dom *callee = f->callee;
	bool parked = false;

	if (!f->fast_hver || (READ_ONCE(t->fast->inside) & CALL_INSIDE)) {
		return false;
	}
	call_fast_disarm(t);
	spin_lock(&callee->lock);
	/* call_fast_block() sets fast_off under the lock. */
	if (callee->state == DOM_RUNNING && READ_ONCE(callee->fast_off) == 0) {
		list_unlink(&f->visit_link);
		callee->nvisitors--;
		f->inside = 0;
		f->wd_tsc = 0; /* the watchdog starts afresh */
		f->parked = true;
		list_push_back(&callee->parked, &f->park_link);
		parked = true;
	}
	spin_unlock(&callee->lock);
	if (parked) {
		t->fast = f;
	}
	return parked;
}

void call_fast_disarm(struct thread *t)
{
	struct call_frame *f = t->fast;
	struct dom *callee;

	if (f == &call_fast_none) {
		return;
	}
	VERIFY(!(READ_ONCE(f->inside) & CALL_INSIDE));
	t->fast = &call_fast_none;
	callee = f->callee;
	spin_lock(&callee->lock);
	if (f->parked) {
		list_unlink(&f->park_link);
		f->parked = false;
	}
	/*
	 * The stack serves the thread's next general-path call into the
	 * same callee, so that a thread alternating between two call words
	 * does not map a new stack each time.
	 */
	call_stack_done(t, callee, f->stack,
			!t->stack_dom || t->stack_dom == callee);
	spin_unlock(&callee->lock);
	f->stack = NULL;
	f->fast_hver = 0;
	dom_put(callee);
	call_frame_release(t, f);
}

void call_fast_forget_dead(struct thread *t)
{
	struct call_frame *f = t->fast;

	if (f != &call_fast_none && !(READ_ONCE(f->inside) & CALL_INSIDE) &&
	    (READ_ONCE(f->callee->fast_off) & DOM_FAST_OFF_DEAD)) {
		call_fast_disarm(t);
	}
}

void call_unpark_all(struct dom *d)
{
	spin_lock(&d->lock);
	while (!list_empty(&d->parked)) {
		struct call_frame *f = list_first_entry(
			&d->parked, struct call_frame, park_link);

		/*
		 * inside may be set for a moment by a call that will see
		 * the domain dead and put it back (syscall.asm).
		 */
		list_unlink(&f->park_link);
		f->parked = false;
	}
	spin_unlock(&d->lock);
}

void call_fast_block(struct dom *d, uint32_t why)
{
	struct list_head *pos;

	ASSERT(spin_is_held(&d->lock));
	__atomic_fetch_or(&d->fast_off, why, __ATOMIC_SEQ_CST);
	list_for_each(pos, &d->parked)
	{
		WRITE_ONCE(list_entry(pos, struct call_frame, park_link)
				   ->fast_hver,
			   0);
	}
	/*
	 * Before anything the caller reads next (kick_threads() reads
	 * inside): a call claims a frame before it reads fast_hver.
	 */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

bool call_parked_inside(struct dom *d)
{
	struct list_head *pos;

	ASSERT(spin_is_held(&d->lock));
	list_for_each(pos, &d->parked)
	{
		struct call_frame *f =
			list_entry(pos, struct call_frame, park_link);

		if (READ_ONCE(f->inside) & CALL_INSIDE) {
			return true;
		}
	}
	return false;
}

uint64_t call_parked_age_ns(struct call_frame *f, uint64_t now_tsc)
{
	uint64_t seq = READ_ONCE(f->inside);

	if (!(seq & CALL_INSIDE)) {
		return 0;
	}
	if (seq != f->wd_seq || f->wd_tsc == 0) {
		f->wd_seq = seq;
		f->wd_tsc = now_tsc;
		return 0;
	}
	return call_tsc_age_ns(f->wd_tsc, now_tsc);
}
