// SPDX-License-Identifier: MIT
/*
 * Ring-3 exceptions: every one fails the domain of the thread that took
 * it (see dom.h). A ring-3 exception in a thread without a domain cannot
 * happen and is a kernel bug.
 */
#include "trap.h"

#include "arch/x86_64/cpu.h"
#include "arch/x86_64/idt.h"
#include "base/fmt.h"
#include "console.h"
#include "dom.h"
#include "panic.h"
#include "thread.h"

void trap_user_exception(struct trap_frame *tf)
{
	struct thread *t = thread_current();
	unsigned int v = (unsigned int)tf->vector;
	uint64_t addr = v == VEC_PF ? read_cr2() : tf->rip;
	char what[96];

	if (!t->dom) {
		trap_print_frame(tf);
		panic("ring-3 exception %s in kernel thread %s", trap_name(v),
		      t->name);
	}
	if (v == VEC_PF) {
		fmt_snprintf(what, sizeof(what), "%s at address %#lx",
			     trap_name(v), addr);
	} else {
		fmt_snprintf(what, sizeof(what), "%s", trap_name(v));
	}
	/* Interrupts back on: teardown takes locks and may sleep. */
	sti();
	dom_fail_current(SYS_FAULT_EXCEPTION, v, addr, tf, what);
}
