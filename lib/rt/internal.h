/* SPDX-License-Identifier: MIT */
/*
 * Private to the domain runtime (lib/rt): the assembly entry points of
 * start.S and the C functions they call. Domain code includes rt/rt.h.
 */
#pragma once

#include <stdint.h>

#include "base/compiler.h"

/*
 * The image's ELF entry point. The kernel enters it on the domain's first
 * thread with rdi = arg, rsi = boot string, rsp 16-byte aligned minus 8
 * (as just after a call); it clears rbp (ending frame-pointer backtraces),
 * realigns the stack and calls rt_main().
 */
void rt_start(uint64_t arg, const char *boot);

/*
 * Entry point handed to SYS_THREAD_CREATE by thread_spawn(): rdi = the
 * start record; like rt_start it clears rbp and aligns the stack, then
 * calls rt_thread_main().
 */
void rt_thread_entry(uint64_t arg);

/* C side of rt_start: runs constructors, dom_main(), then exits. */
__noreturn void rt_main(uint64_t arg, const char *boot);

/* C side of rt_thread_entry: runs the spawned function, then exits. */
__noreturn void rt_thread_main(uint64_t arg);

/*
 * Writes out the console's partial line for dom_panic(), giving up after
 * a bounded wait if another thread holds the console (it may have died
 * holding it). Never blocks forever.
 */
void rt_flush_for_panic(void);
