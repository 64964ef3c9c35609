/* SPDX-License-Identifier: MIT */
/*
 * Cross-domain calls with migrating threads (ARCHITECTURE.md, "Threads and
 * cross-domain calls"). A call continues on the caller's thread inside the
 * callee, on a stack in the callee's region; the thread keeps a stack of
 * call frames, each holding the caller's saved ring-3 state, so that the
 * kernel can resume the caller at its proxy with a transport error if the
 * callee fails. Register contract: lib/abi/ipc.h.
 *
 * Every call is checked against the descriptor the callee exported
 * (lib/abi/ipc_desc.h): method, word kinds, idempotence. rref words move or
 * lend shared-heap objects (sheap.c); handle words grant capabilities.
 */
#pragma once

#include <stdint.h>
#include <stdbool.h>

#include "abi/ipc.h"
#include "arch/x86_64/idt.h"
#include "base/list.h"

struct dom;
struct thread;
struct dom_mapping;
struct ipc_iface_desc;
struct ipc_method_desc;
struct dom_export;
struct call_rrefs;

/*
 * The caller's ring-3 state a call must give back: the registers the call
 * does not define (lib/abi/ipc.h) and where to resume. rcx, r9 and r11 are
 * not kept (rflags comes back as USER_RFLAGS), cs and ss are the user
 * segments, and rax, rdi, rsi, rdx, r10 and r8 carry the results.
 * call_fast.asm saves and loads the same fields.
 */
struct call_regs {
	uint64_t rip, rsp;
	uint64_t rbx, rbp, r12, r13, r14, r15;
};

/*
 * A call in progress, or a thread's parked frame (below).
 *
 * Parked frames: after a call whose words are all scalars completes on
 * the general path, the thread keeps its frame, stack included, parked
 * on the callee (t->fast, callee->parked) with what the call resolved to.
 * The next call with the same call word from the same domain, while that
 * domain's handle table is unchanged, is then made entirely in
 * syscall.asm: no lock, no lookup, no allocation. The fields from cw on
 * are read there (kernel/arch/x86_64/asm_offsets.c gives it their
 * offsets). The rules that make it safe are in call_fast.c, "Parked
 * frames".
 */
struct call_frame {
	struct call_frame *prev; /* the caller's own call, if any */
	struct thread *thread;
	struct dom *caller;
	struct dom *callee;	     /* holds a reference */
	struct list_head visit_link; /* in callee->visitors (not parked) */
	struct dom_mapping *stack;   /* in the callee */
	uint64_t start_tsc; /* TSC when the call entered (call_tsc_age_ns) */
	const struct ipc_method_desc *method; /* in the callee's descriptor */
	bool has_rr;		/* rref words either way: plans in use */
	bool parked;		/* on callee->parked (under callee->lock) */
	struct call_rrefs *rr;	/* plans; kept with a cached frame */
	struct call_regs saved; /* the caller at its SYS_CALL */

	uint64_t cw; /* the call word it was made with (a parked one answers) */
	/*
	 * A parked frame (t->fast); written by its thread only, but for
	 * fast_hver, which call_fast_block() also clears:
	 */
	uint64_t fast_hver; /* caller->handles_ver it was resolved under */
	uint64_t entry;	    /* call_entry() of the method: pc, */
	uint64_t ctx;	    /* rdi, */
	uint64_t arg;	    /* r9 */
	uint64_t stack_top; /* of stack, in the callee */
	uint32_t ordinal;   /* the method's */
	/*
	 * Atomic. Bit 0 (CALL_INSIDE): a call is in the callee through the
	 * frame; the bits above count the calls that have left it, so
	 * that each call in progress has a value of its own (the
	 * watchdog's clock).
	 */
	uint64_t inside;
	uint64_t wd_seq; /* inside when the watchdog last saw it change */
	uint64_t wd_tsc; /* and the TSC then; both under callee->lock */
	struct list_head park_link; /* in callee->parked */
};

/*
 * What t->fast points to when the thread has no parked frame: a frame
 * whose fast_hver no domain ever has, so syscall.asm never takes it.
 */
extern struct call_frame call_fast_none;

#define CALL_INSIDE 1ull /* call_frame.inside */

#define CALL_DEPTH_MAX 16  /* general-path frames; a parked one adds 1 */
#define CALL_STACK_PAGES 4 /* 16 KiB per call */
/* The argument and result kinds of a call word (24 bits; 0: all scalar). */
#define CALL_CW_KINDS_MASK (0xffffffull << IPC_CW_ARGK_SHIFT)

/* The top of @f's stack in the callee, where the callee starts. */
uint64_t call_stack_top(const struct call_frame *f);

long call_sys_export(struct dom *d, uint64_t udesc, uint64_t dispatch,
		     uint64_t ctx, uint64_t ret_tramp, uint64_t uentries);

/*
 * Where a call of method @m (one of @exp's) enters the callee, and its rdi
 * and r9 there: the method's own entry if the export gave one, else the
 * trampoline with the export's context and dispatch function.
 */
struct ipc_entry call_entry(const struct dom_export *exp,
			    const struct ipc_method_desc *m);
long call_sys_connect(struct dom *d, uint64_t name, uint64_t len, uint64_t fp);
long call_sys_call(struct dom *d, struct trap_frame *tf);
long call_sys_return(struct dom *d, struct trap_frame *tf);
/*
 * Calls and returns through a parked frame are made in syscall.asm
 * (call_fast.c, "Parked frames"); what it declines reaches call_sys_call() and
 * call_sys_return() unchanged.
 */
/*
 * The current thread is inside a dying callee: resume its caller at the
 * proxy with -EDOMDEAD. Never returns.
 */
__attribute__((noreturn)) void call_unwind_current(void);
/*
 * Start the call watchdog: a callee that keeps a call longer than
 * callwd_ms (boot option, default 2000) fails with SYS_FAULT_WATCHDOG,
 * and its callers get -EDOMDEAD.
 */
void call_watchdog_init(void);
/* The method @ordinal of @desc, or NULL. */
const struct ipc_method_desc *
call_find_method(const struct ipc_iface_desc *desc, unsigned int ordinal);
/*
 * Grant the handle words of @kinds in @words (handles of @from, of the
 * interfaces @types names) to @to, rewriting each word to @to's new
 * handle; *@granted gets the mask of new handles. All or nothing:
 * -EBADF (not a handle of @from), -EINVAL (wrong interface), -ENOSPC.
 */
int call_grant_handles(struct dom *from, struct dom *to, uint64_t words[],
		       uint16_t kinds, const uint64_t types[],
		       uint64_t *granted);
/*
 * @d's handle table has changed: give it a new handles_ver, so that no
 * thread's call cache (thread.h) matches it any more. Caller holds
 * d->lock.
 */
void call_handles_changed(struct dom *d);
/* Take back the handles in @mask from @d. */
void call_revoke_handles(struct dom *d, uint64_t mask);
/* @t exits: end every call it is in, without returning to anyone. */
void call_abandon_frames(struct thread *t);
/* Free @t's spare call frame. */
void call_frame_cache_free(struct thread *t);
/* Keep @f as @t's spare call frame, or free it. */
void call_frame_release(struct thread *t, struct call_frame *f);
/* Forget the thread's cached call stack (thread exit). */
void call_drop_stack_cache(struct thread *t);
/*
 * @stack, of a call of @t into @callee, is done with: keep it as @t's
 * stack cache (@keep, and the cache free; stack_dom must then be @callee
 * or NULL) or free it; left to teardown if @callee is dying. Caller holds
 * callee->lock.
 */
void call_stack_done(struct thread *t, struct dom *callee,
		     struct dom_mapping *stack, bool keep);
/*
 * Parked frames (call_fast.c). call_fast_prepare() fills @f's fast
 * fields when the call it is making may later be made through it;
 * call_fast_park() parks @f, a completed call's frame, instead of
 * freeing it (false: not eligible, @f untouched); call_fast_disarm()
 * unparks and frees @t's parked frame, which must not be inside a call;
 * call_fast_forget_dead() does that if its callee is dying.
 */
struct dom_export;
void call_fast_prepare(struct call_frame *f, const struct dom *caller,
		       const struct dom_export *exp, uint64_t hver);
bool call_fast_park(struct thread *t, struct call_frame *f);
/*
 * Sets @why (DOM_FAST_OFF_*) in d->fast_off, which keeps new frames from
 * being parked on @d, and blocks the frames parked on it already: they
 * stay parked, but syscall.asm declines them, so calls into @d and
 * returns from it take the general path from now on. The caller holds
 * d->lock.
 */
void call_fast_block(struct dom *d, uint32_t why);
void call_fast_disarm(struct thread *t);
void call_fast_forget_dead(struct thread *t);
/*
 * @d is being torn down (no threads, no visitors): take every parked
 * frame off it. Their threads drop them at their next call.
 */
void call_unpark_all(struct dom *d);
/* Is a thread inside @d through a parked frame? Caller holds d->lock. */
bool call_parked_inside(struct dom *d);
/* Drop every handle @d holds (teardown). */
void call_release_handles(struct dom *d);
/*
 * ns from TSC @start_tsc to @now_tsc (0 if not after): how long a call
 * that entered at @start_tsc (call_frame.start_tsc) has been in its
 * callee. For the watchdog.
 */
uint64_t call_tsc_age_ns(uint64_t start_tsc, uint64_t now_tsc);
/*
 * The same for a parked frame with a call inside, as the watchdog sees it
 * scan after scan: since it last saw a new call start. Under d->lock.
 */
uint64_t call_parked_age_ns(struct call_frame *f, uint64_t now_tsc);
