// SPDX-License-Identifier: MIT
/*
 * Offsets of C structures for assembly. Compiled to assembly only (never
 * linked): each OFFSET() leaves a "->NAME value" line in the output, which
 * the build turns into $(B)/gen/asm_offsets.inc (%define NAME value) for
 * NASM; see kernel/arch/x86_64/build.mk. syscall.asm's fast call path
 * (kernel/call_fast.c, "Parked frames") is its user.
 */
#include <stddef.h>

#include "abi/syscall.h"
#include "arch/x86_64/paging.h"
#include "arch/x86_64/user.h"
#include "call.h"
#include "dom.h"
#include "percpu.h"
#include "thread.h"

#define DEFINE(sym, val) \
	__asm__ volatile("\n.ascii \"->" #sym " %c0\"" : : "i"(val))
#define OFFSET(sym, type, member) DEFINE(sym, offsetof(struct type, member))

void asm_offsets(void);
void asm_offsets(void)
{
	OFFSET(CPU_CURRENT, cpu, current);
	OFFSET(CPU_ID, cpu, id);
	OFFSET(CPU_ARCH_ASPACE, cpu, arch_aspace);
	OFFSET(CPU_TLB_FLUSHES, cpu, stats.tlb_flushes);
	OFFSET(CPU_FAST_CROSSINGS, cpu, stats.fast_crossings);

	OFFSET(T_DOM, thread, dom);
	OFFSET(T_CALLS, thread, calls);
	OFFSET(T_FAST, thread, fast);

	OFFSET(D_AS, dom, as);
	OFFSET(D_HANDLES_VER, dom, handles_ver);
	OFFSET(D_FAST_OFF, dom, fast_off);

	OFFSET(AS_STALE, aspace, stale_cpus);
	OFFSET(AS_CR3_KEEP, aspace, cr3_keep);
	OFFSET(AS_CR3_FLUSH, aspace, cr3_flush);

	OFFSET(F_PREV, call_frame, prev);
	OFFSET(F_CALLER, call_frame, caller);
	OFFSET(F_CALLEE, call_frame, callee);
	OFFSET(F_RIP, call_frame, saved.rip);
	OFFSET(F_RSP, call_frame, saved.rsp);
	OFFSET(F_RBX, call_frame, saved.rbx);
	OFFSET(F_RBP, call_frame, saved.rbp);
	OFFSET(F_R12, call_frame, saved.r12);
	OFFSET(F_R13, call_frame, saved.r13);
	OFFSET(F_R14, call_frame, saved.r14);
	OFFSET(F_R15, call_frame, saved.r15);
	OFFSET(F_CW, call_frame, cw);
	OFFSET(F_FAST_HVER, call_frame, fast_hver);
	OFFSET(F_ENTRY, call_frame, entry);
	OFFSET(F_CTX, call_frame, ctx);
	OFFSET(F_ARG, call_frame, arg);
	OFFSET(F_STACK_TOP, call_frame, stack_top);
	OFFSET(F_ORDINAL, call_frame, ordinal);
	OFFSET(F_INSIDE, call_frame, inside);

	DEFINE(SYS_CALL_NR, SYS_CALL);
	DEFINE(SYS_CALL_RETURN_NR, SYS_CALL_RETURN);
	DEFINE(USER_RFLAGS_VALUE, USER_RFLAGS);
}
