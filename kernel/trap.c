// SPDX-License-Identifier: MIT
/* Ring-3 exception handling before domains exist (see trap.h). */
#include "trap.h"

#include "arch/x86_64/idt.h"
#include "console.h"
#include "panic.h"

void trap_user_exception(struct trap_frame *tf)
{
	kprintf("ring-3 exception %s with no domain support\n",
		trap_name((unsigned int)tf->vector));
	trap_print_frame(tf);
	panic("unexpected ring-3 exception");
}
