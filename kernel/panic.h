/* SPDX-License-Identifier: MIT */
/*
 * Kernel panics and assertions (STYLE.md section 7). panic() is for boot
 * failures and corrupt kernel state only; never for anything a domain, a
 * device or an image can cause. What happens after a panic is chosen on the
 * command line: panic=halt (default for `make run`), reboot, or exit (leave
 * QEMU with a failure status, for automated runs).
 */
#pragma once

#include <stdbool.h>

#include "base/compiler.h"

__noreturn void panic(const char *fmt, ...) __printf(1, 2);

/* Always-on invariant check; violation would corrupt memory or isolation. */
#define VERIFY(expr)                                                         \
	do {                                                                 \
		if (unlikely(!(expr))) {                                     \
			panic("VERIFY(%s) failed at %s:%d", #expr, __FILE__, \
			      __LINE__);                                     \
		}                                                            \
	} while (0)

/* Debug-build invariant check, without side effects. */
#ifdef NDEBUG
#define ASSERT(expr) ((void)0)
#else
#define ASSERT(expr) VERIFY(expr)
#endif

#define NOT_REACHED() panic("NOT_REACHED at %s:%d", __FILE__, __LINE__)

/* For boot code only: an error that cannot be propagated yet. */
#define MUST(expr)                                                        \
	do {                                                              \
		int must_err_ = (expr);                                   \
		if (must_err_ < 0) {                                      \
			panic("MUST(%s) = %d at %s:%d", #expr, must_err_, \
			      __FILE__, __LINE__);                        \
		}                                                         \
	} while (0)

/* QEMU isa-debug-exit codes; QEMU exits with (code << 1) | 1. */
#define QEMU_EXIT_SUCCESS 0x10
#define QEMU_EXIT_FAILURE 0x11
#define QEMU_EXIT_PANIC 0x12

/* Leave QEMU through isa-debug-exit; halts if there is no such device. */
__noreturn void machine_exit(int code);
__noreturn void machine_reboot(void);
/* True once any CPU has panicked. */
bool panic_in_progress(void);
