/* SPDX-License-Identifier: MIT */
/*
 * Ring 3 support: per-CPU SYSCALL setup, entering ring 3, and copying
 * to and from domain memory under SMAP with faults caught.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "base/compiler.h"

/* Vector number that marks a struct trap_frame built by syscall_entry. */
#define SYSCALL_VECTOR 0x100
/* RFLAGS for a fresh ring-3 thread: IF set, everything else clear. */
#define USER_RFLAGS 0x202ull

struct trap_frame;

/* Program STAR/LSTAR/SFMASK and EFER.SCE on this CPU. */
void user_init_cpu(void);
/* Enter ring 3 at @rip with stack @rsp and the first two arguments. */
__noreturn void user_enter(uint64_t rip, uint64_t rsp, uint64_t rdi,
			   uint64_t rsi);
__noreturn void user_enter_frame(struct trap_frame *tf);

/*
 * Copy between kernel memory and ring-3 addresses [lo, hi) of the calling
 * domain. Returns 0, or -EFAULT if any byte is outside [lo, hi) or not
 * mapped with the needed access.
 */
int copy_from_user(void *dst, uint64_t src, size_t n, uint64_t lo, uint64_t hi);
int copy_to_user(uint64_t dst, const void *src, size_t n, uint64_t lo,
		 uint64_t hi);
