/* SPDX-License-Identifier: MIT */
/*
 * The domain runtime's cross-domain call and rref primitives, as used by
 * the code idlc generates into build/gen/ (idl/README.md, "Generated
 * code"). Declarations only: the runtime implements them on top of the
 * kernel's SYS_IFACE_EXPORT, SYS_IFACE_CONNECT, SYS_CALL and shared heap
 * (lib/abi/ipc.h, lib/abi/syscall.h). Host tests either provide their own
 * fakes or link lib/rt/ipc.c with a fake kernel (rt_ipc_host_syscall()).
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "abi/ipc.h"
#include "abi/ipc_desc.h"
#include "abi/rref_types.h"

/* rt_ipc_call() recovery: recorded (handle, ordinal) pairs per domain. */
#define RT_IPC_CONFIG_MAX 32u
/* rt_ipc_call() recovery: restarts one call rides out before -ERESTARTED. */
#define RT_IPC_RESTART_ROUNDS 8u

/*
 * The entry trampoline to register with SYS_IFACE_EXPORT (lib/abi/ipc.h):
 * the kernel enters a call here; it calls the registered dispatch function
 * and passes out[] and the returned application status to SYS_CALL_RETURN.
 */
void rt_ipc_ret_tramp(void);

/*
 * Performs one cross-domain call (SYS_CALL): @call_word as built by
 * ipc_call_word(), @in the IPC_WORDS argument words (unused ones zero).
 * Returns the transport status: 0 when the callee ran and returned, with
 * its IPC_WORDS result words in @out and its application status (r8) in
 * *@app_status; otherwise -EBADF, -EINVAL, -EDOMDEAD or -ERESTARTED as
 * lib/abi/ipc.h defines them, and @out and *@app_status are unspecified.
 *
 * Ownership: rref words of kind IPC_KIND_RREF_MOVE(_OPT) pass to the
 * callee when the kernel accepts the call, and are not the caller's any
 * more whatever the outcome: if the callee was dead or restarting before
 * the call got in (-EDOMDEAD, -ERESTARTED), the kernel dropped them. Only
 * on -EBADF, -EINVAL, -EAGAIN (call depth) and -ENOMEM did nothing move.
 * Borrowed rrefs are the caller's again when this returns. Result rrefs
 * are owned by the caller when this returns 0.
 *
 * Recovery from callee restarts (idl/README.md, section 6):
 *  - Recording. A call whose word has IPC_CW_CONFIG and that returns 0
 *    with application status 0 is recorded: its call word and @in, one
 *    record per (handle, ordinal), the latest call overwriting the
 *    record in place, records kept in the order each pair was first
 *    recorded. The table holds RT_IPC_CONFIG_MAX pairs per domain; past
 *    that, new pairs are not recorded and one warning line is printed.
 *  - Replay. When a call returns -ERESTARTED, every record of its handle
 *    is sent again, in order, to the new instance; their results and
 *    application statuses are discarded. A replay that returns
 *    -ERESTARTED starts the replay over; any other transport error
 *    (-EDOMDEAD: the service was given up on) is returned at once.
 *  - Retry. After a complete replay, a call with IPC_CW_IDEMPOTENT is sent
 *    again and its outcome returned as if it were the first attempt (a
 *    retried @config call that succeeds is recorded); if it returns
 *    -ERESTARTED the replay and retry run again. Any other call returns
 *    -ERESTARTED: it did not complete, and the new instance has the
 *    recorded configuration.
 *  - Bound. After RT_IPC_RESTART_ROUNDS restarts within one call, it
 *    returns -ERESTARTED.
 * The fast path (transport status 0) is inline: a test of IPC_CW_CONFIG
 * (a constant in generated proxies; a @config call goes out of line to
 * rt_ipc_call_config()), one SYSCALL and one test of the status;
 * everything else is in rt_ipc_call_slow(). The record lock is never held
 * across a SYS_CALL, so concurrent calls on one handle may interleave with
 * a replay: a call from another thread can reach the new instance before
 * its configuration has been replayed, and two threads that both see the
 * restart both replay.
 */

/*
 * The rest of rt_ipc_call() after its SYS_CALL returned transport status
 * @rc with @out and *@app_status set: records a @config call that
 * succeeded, recovers from -ERESTARTED. Returns what rt_ipc_call() does.
 * @in is read only for a call word with IPC_CW_CONFIG or
 * IPC_CW_IDEMPOTENT (recorded or retried); the inline rt_ipc_call()
 * passes zeros for any other.
 */
int rt_ipc_call_slow(uint64_t call_word, const uint64_t in[IPC_WORDS],
		     uint64_t out[IPC_WORDS], int32_t *app_status, int rc);

#ifdef CORDON_HOST
int rt_ipc_call(uint64_t call_word, const uint64_t in[IPC_WORDS],
		uint64_t out[IPC_WORDS], int32_t *app_status);
#else
/*
 * One SYS_CALL (lib/abi/ipc.h): the callee's results in @out and
 * *@app_status, the transport status returned. rbx, rbp, rsp and r12-r15
 * come back as they were; rcx, r9 and r11 do not.
 */
static inline __attribute__((always_inline)) int
rt_ipc_syscall(uint64_t call_word, const uint64_t in[IPC_WORDS],
	       uint64_t out[IPC_WORDS], int32_t *app_status)
{
	register uint64_t r10 __asm__("r10") = in[2];
	register uint64_t r8 __asm__("r8") = in[3];
	uint64_t rdi = call_word;
	uint64_t rsi = in[0];
	uint64_t rdx = in[1];
	int64_t rax = 17; /* SYS_CALL (lib/abi/syscall.h) */

	__asm__ volatile("syscall"
			 : "+a"(rax), "+D"(rdi), "+S"(rsi), "+d"(rdx),
			   "+r"(r10), "+r"(r8)
			 :
			 : "rcx", "r9", "r11", "memory");
	out[0] = rdi;
	out[1] = rsi;
	out[2] = rdx;
	out[3] = r10;
	*app_status = (int32_t)r8;
	return (int)rax;
}

/*
 * rt_ipc_call() of a call word with IPC_CW_CONFIG: the SYS_CALL, then
 * rt_ipc_call_slow(). Out of line; configuration calls are few.
 */
int rt_ipc_call_config(uint64_t call_word, const uint64_t in[IPC_WORDS],
		       uint64_t out[IPC_WORDS], int32_t *app_status);

static inline __attribute__((always_inline)) int
rt_ipc_call(uint64_t call_word, const uint64_t in[IPC_WORDS],
	    uint64_t out[IPC_WORDS], int32_t *app_status)
{
	uint64_t r[IPC_WORDS];
	int32_t app;
	int rc;

	if (call_word & IPC_CW_CONFIG) {
		return rt_ipc_call_config(call_word, in, out, app_status);
	}
	rc = rt_ipc_syscall(call_word, in, r, &app);
	if (__builtin_expect(rc != 0, 0)) {
		/*
		 * r[0] (rdi) is the call word again (lib/abi/ipc.h), so
		 * nothing of the call but what a retry needs stays alive
		 * across the SYSCALL: the arguments of an @idempotent call.
		 * A generated proxy's flags are constants; a hand-made call
		 * word's are read back from rdi.
		 */
		const uint64_t flags =
			__builtin_constant_p(call_word & IPC_CW_IDEMPOTENT)
				? call_word
				: r[0];
		const bool keep = flags & IPC_CW_IDEMPOTENT;
		uint64_t c_in[IPC_WORDS] = {keep ? in[0] : 0, keep ? in[1] : 0,
					    keep ? in[2] : 0, keep ? in[3] : 0};
		uint64_t c_out[IPC_WORDS] = {0};
		int32_t c_app = 0;

		rc = rt_ipc_call_slow(r[0], c_in, c_out, &c_app, rc);
		for (unsigned int i = 0; i < IPC_WORDS; i++) {
			r[i] = c_out[i];
		}
		app = c_app;
	}
	for (unsigned int i = 0; i < IPC_WORDS; i++) {
		out[i] = r[i];
	}
	*app_status = app;
	return rc;
}
#endif /* CORDON_HOST */

#ifdef CORDON_HOST
/*
 * Host builds only. The kernel's SYS_CALL, which a host test defines (a
 * fake kernel, tests/unit/test_rt_recovery.c): rt_ipc_call() reaches the
 * callee only through it, with the same arguments and result as a
 * SYS_CALL.
 */
int rt_ipc_host_syscall(uint64_t call_word, const uint64_t in[IPC_WORDS],
			uint64_t out[IPC_WORDS], int32_t *app_status);
/* Host builds only: forgets every recorded @config call. */
void rt_ipc_host_forget(void);
#endif /* CORDON_HOST */

/*
 * Exports the interface @desc (SYS_IFACE_EXPORT): a call of method i
 * (desc->methods[i]) enters at @entries[i].pc if @entries is not NULL and
 * that is not 0, else @dispatch(@ctx, ordinal, in, out) runs through the
 * runtime's return trampoline, which hands out[] and the returned
 * application status to SYS_CALL_RETURN. A method entry is entered as
 * pc(entries[i].ctx, w0, w1, <rcx>, w3, entries[i].arg) would be called
 * in C, with argument word 2 in r10 (lib/abi/ipc.h), and must end the
 * call with rt_ipc_return(). Registers the @ntypes shared-heap types of @types with
 * the kernel first. Returns 0 or a negative errno. Generated code wraps
 * it as <iface>_export().
 */
int rt_ipc_export(const struct ipc_iface_desc *desc,
		  const struct rref_type_info *types, uint32_t ntypes,
		  int32_t (*dispatch)(void *ctx, uint32_t ordinal,
				      const uint64_t in[IPC_WORDS],
				      uint64_t out[IPC_WORDS]),
		  void *ctx, const struct ipc_entry *entries);

#ifndef CORDON_HOST
/*
 * Ends the current call from a method entry (SYS_CALL_RETURN): the
 * caller gets @status as its application status and @r0..@r3 as its
 * result words. Never returns.
 */
static inline __attribute__((always_inline, noreturn)) void
rt_ipc_return(int32_t status, uint64_t r0, uint64_t r1, uint64_t r2,
	      uint64_t r3)
{
	register uint64_t r10 __asm__("r10") = r3;
	register int64_t r8 __asm__("r8") = status;

	__asm__ volatile("syscall\n\tud2"
			 :
			 : "a"((uint64_t)18), /* SYS_CALL_RETURN */
			   "D"(r0), "S"(r1), "d"(r2), "r"(r10), "r"(r8)
			 : "memory");
	__builtin_unreachable();
}
#endif /* !CORDON_HOST */

/*
 * Connects to the domain exporting @desc's interface with @desc's
 * fingerprint (SYS_IFACE_CONNECT) and stores the handle in *@handle.
 * Returns 0 or a negative errno (-ENOENT: nobody exports it, -EBADMSG:
 * fingerprint mismatch). Generated code wraps it as <iface>_connect().
 */
int rt_ipc_connect(const struct ipc_iface_desc *desc, uint16_t *handle);

/*
 * Allocates a zeroed shared-heap object of @type, owned by the calling
 * domain. Returns NULL when the heap or the domain's quota is exhausted.
 * Generated code wraps it as <iface>_<type>_alloc().
 */
void *rt_rref_alloc(const struct rref_type_info *type);

/*
 * Drops @obj, an rref of @type that the calling domain owns: first its
 * nested rrefs (@type->drop_nested), then the object itself. Consumes
 * @obj. NULL is ignored. Dropping an object the domain does not own is a
 * protocol violation (the runtime fails the domain). Nested chains may be
 * long (lists through optional rrefs): the objects still to drop wait in
 * a queue, on the stack up to RT_RREF_DROPQ_LOCAL and in the private heap
 * past that, so the stack does not grow with the length of a chain.
 */
void rt_rref_drop(const struct rref_type_info *type, void *obj);

/*
 * From a drop_nested hook (lib/abi/rref_types.h): @obj, an rref of @type,
 * is to be dropped after the object being dropped now. NULL is ignored.
 * If the queue cannot grow (no memory), @obj is dropped at once.
 */
void rt_rref_drop_later(struct rt_rref_dropq *q,
			const struct rref_type_info *type, void *obj);
