/* SPDX-License-Identifier: MIT */
/*
 * Cross-domain calls: the register-level contract between idlc-generated
 * proxies, the kernel's call gate and idlc-generated dispatch stubs. Part
 * of the kernel<->domain ABI.
 *
 * A call is SYS_CALL with:
 *   rdi  the call word (below)
 *   rsi, rdx, r10, r8  up to IPC_WORDS argument words
 * and returns:
 *   rax  the transport status: 0, or -EBADF (bad handle), -EINVAL (an
 *        argument breaks the ownership rules; nothing changed),
 *        -EDOMDEAD (the callee failed and will not come back: its
 *        manifest says never restart, or it was given up on),
 *        -ERESTARTED (the callee failed during the call and is being
 *        restarted, or was restarted since this handle's last call: the
 *        call did not complete, or did not happen at all; the handle now
 *        names the new instance, which has none of the configuration the
 *        caller gave the old one). Only the kernel writes rax, so no
 *        domain can forge a transport error.
 * With rax 0:
 *   rdi, rsi, rdx, r10  up to IPC_WORDS result words;
 *   r8   the callee's application status (int32_t, sign-extended).
 * With any other rax:
 *   rdi  the call word again, so that a proxy need not keep it across
 *        the SYSCALL for its recovery path;
 *   rsi, rdx, r10, r8  the argument words as passed if the call never
 *        entered the callee, else 0.
 *
 * Restarts: a handle names a service, not one instance of it. While a
 * failed callee is being restarted, SYS_CALL waits for the new instance
 * to finish its init (or to be given up on: then -EDOMDEAD). The runtime
 * (lib/rt/ipc.c) handles -ERESTARTED for generated proxies: it replays the
 * handle's recorded @config calls into the new instance, then retries an
 * @idempotent call, and returns -ERESTARTED for any other.
 *
 * Each argument and result word has a kind (IPC_KIND_*), 3 bits each, so
 * the kernel knows which words are rrefs to move or lend and which are
 * interface handles to grant; the caller's proxy and the callee's
 * registered interface must agree on every kind, or the call fails with
 * -EINVAL before anything moves.
 *
 * SYS_IFACE_EXPORT registers a dispatch function and a context, an entry
 * trampoline (ret_tramp) and, optionally, an entry per method (struct
 * ipc_entry: pc, ctx, arg). A call of a method with an entry of its own
 * enters at its pc, any other at the trampoline, by SYSRET, with
 *   rdi  the entry's ctx, or the export's context at the trampoline
 *   rsi, rdx, r10, r8  the argument words, as the caller passed them
 *        (rref words unchanged, handle words rewritten to the callee's)
 *   r9   the entry's arg, or the dispatch function at the trampoline
 *   rax  the method ordinal
 *   rcx  the entry's address, r11 the entry rflags (as SYSRET leaves
 *        them); rsp as at a C function's entry (rsp + 8 16-byte
 *        aligned), near the top of a stack of its own for this thread
 * and rbx, rbp, r12-r15 zero: nothing of the caller's but its arguments.
 * Method entries: a C function f(ctx, w0, w1, w2, w3, arg) can be one as
 * it stands when the method has at most 2 argument words (rcx, its 4th
 * argument, is not word 2); otherwise a stub moves r10 to rcx first
 * (idlc's <iface>_entry_<method>). Generated entries take the server's
 * instance as ctx and its op for the method as arg, so that they call
 * the op with no lookup. The trampoline (lib/rt/ipc.c,
 * rt_ipc_ret_tramp) lays the words out as in[], calls dispatch(rdi,
 * ordinal, in, out). Either ends the call with SYS_CALL_RETURN
 * (rt_ipc_return()):
 *   rdi, rsi, rdx, r10  the result words
 *   r8   the application status (int32_t)
 * which the caller receives in the same registers, with rax 0. Result
 * words past the method's nres are whatever the callee left there on the
 * parked-frame path (below) and 0 otherwise: proxies read only nres.
 *
 * What a call keeps of the caller: rbx, rbp, rsp, r12-r15 and rip come
 * back as they were, whatever the callee did; rcx and r11 as SYSRET
 * leaves them (rip, and rflags 0x202: arithmetic flags, DF and AC are
 * not kept), r9 is 0. The same holds when the call fails.
 *
 * Parked frames (kernel/call_fast.c): once a call whose words are all
 * scalars has completed, the thread's next call with the same call word
 * from the same domain is made by the kernel's entry code alone, with no
 * lock and no lookup, unless the domain's handle table changed
 * meanwhile. Nothing of the above differs, except the result words past
 * nres.
 *
 * The kernel checks every call against the descriptor the callee
 * exported (lib/abi/ipc_desc.h): an unknown ordinal, or kinds or an
 * idempotent bit that differ from the method's, fail with -EINVAL before
 * anything happens. Result words past the method's nres arrive as 0.
 *
 * Moves: a move word is not the caller's after the call, whatever the
 * transport status, except -EBADF, -EINVAL, -EAGAIN and -ENOMEM (nothing
 * happened). If the callee fails during the call, the moved rrefs are
 * dropped with it; if it was dead or restarting before the call got in,
 * the kernel drops them at once. Borrowed rrefs are always the caller's
 * again when SYS_CALL returns.
 *
 * Handle words: the caller passes the index of one of its handles; the
 * callee receives the index of a new handle of its own to the same
 * interface (a grant), and the same for handles in results.
 * IPC_NO_HANDLE passes through as "no handle". Handle results are granted
 * only when the app status is 0 (otherwise they arrive as IPC_NO_HANDLE),
 * and one the caller has no room for arrives as IPC_NO_HANDLE too.
 */
#pragma once

#include <stdint.h>

#define IPC_WORDS 4u

/*
 * SYS_IFACE_EXPORT: where a call of one method enters the callee, and the
 * two words it gets in rdi and r9 (above). pc 0: at the trampoline.
 */
struct ipc_entry {
	uint64_t pc;
	uint64_t ctx;
	uint64_t arg;
};

enum ipc_kind {
	IPC_KIND_SCALAR = 0,
	IPC_KIND_RREF_MOVE = 1,	    /* ownership passes to the receiver */
	IPC_KIND_RREF_BORROW = 2,   /* read-only for the call, then back */
	IPC_KIND_RREF_MOVE_OPT = 3, /* move, or 0 for none */
	IPC_KIND_RREF_BORROW_OPT = 4,
	IPC_KIND_HANDLE = 5, /* an interface handle, granted */
};

/* A handle word that names no handle. */
#define IPC_NO_HANDLE 0xffffull

/* Call word layout. */
#define IPC_CW_HANDLE_SHIFT 0	       /* 16 bits: interface handle */
#define IPC_CW_ORDINAL_SHIFT 16	       /* 16 bits: method ordinal */
#define IPC_CW_ARGK_SHIFT 32	       /* 12 bits: 4 argument kinds */
#define IPC_CW_RESK_SHIFT 44	       /* 12 bits: 4 result kinds */
#define IPC_CW_IDEMPOTENT (1ull << 56) /* @idempotent: may be retried */
#define IPC_CW_CONFIG (1ull << 57)     /* @config: replayed after restart */

/* ipc_call_word() flags, as the IDL marks the method. */
#define IPC_CALL_IDEMPOTENT 1u
#define IPC_CALL_CONFIG 2u

static inline uint64_t ipc_call_word(uint16_t handle, uint16_t ordinal,
				     uint16_t arg_kinds, uint16_t res_kinds,
				     unsigned int flags)
{
	return ((uint64_t)handle << IPC_CW_HANDLE_SHIFT) |
	       ((uint64_t)ordinal << IPC_CW_ORDINAL_SHIFT) |
	       ((uint64_t)(arg_kinds & 0xfff) << IPC_CW_ARGK_SHIFT) |
	       ((uint64_t)(res_kinds & 0xfff) << IPC_CW_RESK_SHIFT) |
	       ((flags & IPC_CALL_IDEMPOTENT) ? IPC_CW_IDEMPOTENT : 0) |
	       ((flags & IPC_CALL_CONFIG) ? IPC_CW_CONFIG : 0);
}

/* Kind of word @i packed in @kinds (3 bits per word). */
static inline unsigned int ipc_kind_at(uint16_t kinds, unsigned int i)
{
	return (kinds >> (3 * i)) & 7u;
}
