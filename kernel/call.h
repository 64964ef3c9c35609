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

#include "arch/x86_64/idt.h"
#include "base/list.h"

struct dom;
struct thread;
struct dom_mapping;
struct ipc_iface_desc;
struct ipc_method_desc;
struct call_rrefs;

/*
 * The caller's ring-3 state a call must give back: the registers the call
 * does not define (lib/abi/ipc.h) and where to resume. rcx and r11 come
 * back as rip and rflags (as SYSCALL left them), cs and ss are the user
 * segments, and rax, rdi, rsi, rdx, r10 and r8 carry the results.
 */
struct call_regs {
	uint64_t rip, rsp, rflags;
	uint64_t rbx, rbp, r9, r12, r13, r14, r15;
};

struct call_frame {
	struct call_frame *prev; /* the caller's own call, if any */
	struct thread *thread;
	struct dom *caller;
	struct dom *callee;	     /* holds a reference */
	struct list_head visit_link; /* in callee->visitors */
	struct dom_mapping *stack;   /* in the callee */
	uint64_t start_tsc; /* TSC when the call entered (call_frame_age_ns) */
	const struct ipc_method_desc *method; /* in the callee's descriptor */
	bool has_rr;		/* rref words either way: plans in use */
	struct call_rrefs *rr;	/* plans; kept with a cached frame */
	struct call_regs saved; /* the caller at its SYS_CALL */
};

#define CALL_DEPTH_MAX 16

long call_sys_export(struct dom *d, uint64_t udesc, uint64_t dispatch,
		     uint64_t ctx, uint64_t ret_tramp);
long call_sys_connect(struct dom *d, uint64_t name, uint64_t len, uint64_t fp);
long call_sys_call(struct dom *d, struct trap_frame *tf);
long call_sys_return(struct dom *d, struct trap_frame *tf);
/*
 * The fast path of SYS_CALL and SYS_CALL_RETURN (call.c, "Fast path"),
 * called by syscall_entry with interrupts off. call_fast_call() returns 0
 * when done (@tf then holds the callee's registers that are not zero) or
 * 1 to decline; call_fast_return() returns the caller's registers to
 * resume (@tf then holds the results) or NULL to decline. A decline has
 * changed nothing.
 */
long call_fast_call(struct trap_frame *tf);
const struct call_regs *call_fast_return(struct trap_frame *tf);
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
/* Drop every handle @d holds (teardown). */
void call_release_handles(struct dom *d);
/*
 * How long @f has been in its callee at TSC @now_tsc, in ns (0 if it
 * started after @now_tsc). For the watchdog, under the callee's lock.
 */
uint64_t call_frame_age_ns(const struct call_frame *f, uint64_t now_tsc);
