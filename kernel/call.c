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
 * Locking: callee->lock protects its visitors list and its stack mappings;
 * the thread's call stack (t->calls) is touched only by the thread itself.
 */
#include "call.h"

#include "abi/errno.h"
#include "abi/ipc.h"
#include "abi/ipc_desc.h"
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

/* Marks a frame that must leave through iretq (rcx carries an argument). */
#define IPC_ENTRY_VECTOR 0x101

#define CALL_STACK_PAGES 4 /* 16 KiB per call */

/* The two ownership plans of a call that carries rrefs (~4 KiB). */
struct call_rrefs {
	struct rref_cross_plan call;	/* what the call applied */
	struct rref_cross_plan scratch; /* the return's or unwind's work */
};

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

/* Move the current thread into @to (domain and page table). */
static void thread_enter(struct thread *t, struct dom *to)
{
	irq_push_off();
	t->dom = to;
	t->as = to->as;
	aspace_switch(to->as);
	irq_pop_off();
}

static unsigned int depth(const struct call_frame *f)
{
	unsigned int n = 0;

	for (; f; f = f->prev) {
		n++;
	}
	return n;
}

static void leave_callee(struct call_frame *f, bool keep);

long call_sys_call(struct dom *d, struct trap_frame *tf)
{
	struct thread *t = thread_current();
	uint64_t cw = tf->rdi;
	unsigned int handle = (cw >> IPC_CW_HANDLE_SHIFT) & 0xffff;
	unsigned int ordinal = (cw >> IPC_CW_ORDINAL_SHIFT) & 0xffff;
	uint16_t kinds = (uint16_t)((cw >> IPC_CW_ARGK_SHIFT) & 0xfff);
	uint16_t rkinds = (uint16_t)((cw >> IPC_CW_RESK_SHIFT) & 0xfff);
	bool idem = (cw & IPC_CW_IDEMPOTENT) != 0;
	bool cfg = (cw & IPC_CW_CONFIG) != 0;
	bool has_rr = kinds_have_rrefs(kinds) || kinds_have_rrefs(rkinds);
	uint64_t in[IPC_WORDS] = {tf->rsi, tf->rdx, tf->r10, tf->r8};
	const struct ipc_method_desc *m;
	struct dom_export exp;
	struct call_frame *f;
	struct dom *callee;
	struct svc *svc;
	uint64_t name_id = 0;
	uint32_t gen = 0;
	unsigned int i;
	uint64_t granted = 0;
	vaddr_t top;
	uint64_t *frame_words;
	int err;

	if (handle >= DOM_MAX_HANDLES) {
		return -EBADF;
	}
	if (depth(t->calls) >= CALL_DEPTH_MAX) {
		return -EAGAIN;
	}
	spin_lock(&d->lock);
	svc = d->handles[handle].svc;
	if (svc) {
		svc_get(svc);
		gen = d->handles[handle].gen;
		name_id = d->handles[handle].name_id;
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
		}
		spin_unlock(&d->lock);
	}
	svc_put(svc);
	if (err) {
		return err;
	}
	for (i = 0; i < DOM_MAX_EXPORTS; i++) {
		if (READ_ONCE(callee->exports[i].used) &&
		    callee->exports[i].name_id == name_id) {
			exp = callee->exports[i];
			break;
		}
	}
	if (i == DOM_MAX_EXPORTS) {
		/* The new instance does not serve it (yet): no call. */
		dom_put(callee);
		return -EDOMDEAD;
	}
	/*
	 * The call must be one the callee's interface has, with the same
	 * word kinds on both sides, or nothing happens.
	 */
	m = call_find_method(exp.desc, ordinal);
	if (!m || m->arg_kinds != kinds || m->res_kinds != rkinds ||
	    ((m->flags & IPC_METHOD_IDEMPOTENT) != 0) != idem ||
	    ((m->flags & IPC_METHOD_CONFIG) != 0) != cfg) {
		dom_put(callee);
		return -EINVAL;
	}
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
	if (f->rr) {
		rref_plan_init(&f->rr->call);
	}
	f->prev = NULL;
	f->stack = NULL;
	f->thread = t;
	f->caller = d;
	f->callee = callee;
	f->method = m;
	f->has_rr = has_rr;
	f->saved = *tf;
	f->start_ns = time_ns();

	spin_lock(&callee->lock);
	if (callee->state != DOM_RUNNING) {
		spin_unlock(&callee->lock);
		err = -EDOMDEAD;
		goto out_free;
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
	if (kinds_have_handles(kinds)) {
		err = call_grant_handles(d, callee, in, kinds, m->arg_types,
					 &granted);
		if (err) {
			leave_callee(f, true);
			goto out_free;
		}
	}
	if (has_rr) {
		err = sheap_cross(d, callee, in, kinds, m->arg_types,
				  &f->rr->call);
		if (err) {
			call_revoke_handles(callee, granted);
			leave_callee(f, true);
			goto out_free;
		}
	}

	/*
	 * Callee stack, top down: out[4], in[4], then the return address
	 * (ret_tramp) where rsp points, as after a call instruction.
	 */
	top = f->stack->va + CALL_STACK_PAGES * PAGE_SIZE;
	frame_words =
		(uint64_t *)((char *)phys_to_virt(
				     f->stack->frames[CALL_STACK_PAGES - 1]) +
			     PAGE_SIZE) -
		2 * IPC_WORDS;
	memcpy(frame_words + IPC_WORDS, in, sizeof(in)); /* in[] above out[] */
	memset(frame_words, 0, IPC_WORDS * sizeof(uint64_t));
	frame_words[-1] = 0;
	frame_words[-2] = 0;
	frame_words[-3] = exp.ret_tramp; /* rsp = 8 mod 16, as at a call */

	f->prev = t->calls;
	t->calls = f;
	thread_enter(t, callee);

	memset(tf, 0, sizeof(*tf));
	tf->rip = exp.dispatch;
	tf->rsp = top - 2 * IPC_WORDS * 8 - 24;
	tf->rdi = exp.ctx;
	tf->rsi = ordinal;
	tf->rdx = top - IPC_WORDS * 8;	   /* in[] */
	tf->rcx = top - 2 * IPC_WORDS * 8; /* out[] */
	tf->cs = GDT_UCODE;
	tf->ss = GDT_UDATA;
	tf->rflags = USER_RFLAGS;
	tf->vector = IPC_ENTRY_VECTOR;
	return 0;

out_free:
	call_frame_release(t, f);
	dom_put(callee);
	return err;
}

/*
 * Forget @t's cached call stack. Under the domain's lock: while it is
 * RUNNING the stack is ours to free; once it is dying, teardown frees it
 * with the rest of its mappings.
 */
void call_drop_stack_cache(struct thread *t)
{
	struct dom *d = t->stack_dom;

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

/*
 * Take @f off its callee. A completed call keeps its stack for the
 * thread's next call into the same callee (@keep); an unwound one frees it.
 */
static void leave_callee(struct call_frame *f, bool keep)
{
	struct dom *callee = f->callee;
	struct thread *t = f->thread;

	if (keep && t->stack_dom != callee) {
		call_drop_stack_cache(t);
	}
	spin_lock(&callee->lock);
	list_unlink(&f->visit_link);
	callee->nvisitors--;
	if (keep && callee->state == DOM_RUNNING && !t->stack_cache) {
		if (!t->stack_dom) {
			dom_get(callee);
			t->stack_dom = callee;
		}
		t->stack_cache = f->stack;
	} else if (callee->state == DOM_RUNNING) {
		dom_free_call_stack(callee, f->stack);
	}
	spin_unlock(&callee->lock);
}

long call_sys_return(struct dom *d, struct trap_frame *tf)
{
	struct thread *t = thread_current();
	struct call_frame *f = t->calls;
	int32_t app = (int32_t)tf->rdi;
	uint64_t out[IPC_WORDS];
	const uint64_t *words;
	uint64_t granted = 0;
	uint16_t rkinds;
	int err;

	if (!f || f->callee != d) {
		dom_fail_current(SYS_FAULT_BAD_SYSCALL, SYS_CALL_RETURN,
				 tf->rip, tf, "SYS_CALL_RETURN outside a call");
	}
	words = (const uint64_t
			 *)((char *)phys_to_virt(
				    f->stack->frames[CALL_STACK_PAGES - 1]) +
			    PAGE_SIZE) -
		2 * IPC_WORDS;
	memcpy(out, words, sizeof(out));
	rkinds = f->method->res_kinds;
	faultinj_results(d, out, rkinds);
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
	if (kinds_have_handles(rkinds) && app != 0) {
		/* A failed method grants nothing. */
		for (unsigned int w = 0; w < IPC_WORDS; w++) {
			if (ipc_kind_at(rkinds, w) == IPC_KIND_HANDLE) {
				out[w] = IPC_NO_HANDLE;
			}
		}
	} else if (kinds_have_handles(rkinds)) {
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
	svc_served(d);
	leave_callee(f, true);
	t->calls = f->prev;
	thread_enter(t, f->caller);
	*tf = f->saved;
	tf->rdi = out[0];
	tf->rsi = out[1];
	tf->rdx = out[2];
	tf->r10 = out[3];
	tf->r8 = (uint64_t)(int64_t)app;
	dom_put(f->callee);
	call_frame_release(t, f);
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
	struct thread *t = thread_current();
	struct call_frame *f = t->calls;
	struct trap_frame tf;

	VERIFY(f != NULL && f->callee == t->dom);
	abandon_frame(f);
	t->calls = f->prev;
	thread_enter(t, f->caller);
	tf = f->saved;
	tf.rax = (uint64_t)(int64_t)svc_unwind_status(f->callee);
	tf.rdi = 0;
	tf.rsi = 0;
	tf.rdx = 0;
	tf.r10 = 0;
	tf.r8 = 0;
	dom_put(f->callee);
	call_frame_release(t, f);
	/* The caller may be dying too: then it leaves or unwinds further. */
	dom_check_alive();
	user_enter_frame(&tf);
}

void call_abandon_frames(struct thread *t)
{
	while (t->calls) {
		struct call_frame *f = t->calls;

		abandon_frame(f);
		t->calls = f->prev;
		dom_put(f->callee);
		call_frame_free(f);
	}
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
