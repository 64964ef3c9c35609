/* SPDX-License-Identifier: MIT */
/*
 * The domain runtime: what domain code includes. A domain defines
 *
 *	int dom_main(uint64_t arg, const char *boot);
 *
 * and the runtime's entry point (lib/rt/start.S, crt0.c) calls it on the
 * domain's first thread with the argument its starter passed (SYS_DOM_START)
 * and the boot string (the boot profile name for init, "" for others). A
 * domain may also define
 *
 *	int dom_init(uint64_t arg, const char *boot);
 *
 * which runs first, on the same thread: set up, export interfaces, and
 * return 0. The kernel watches it like a call: a crash in it fails the
 * domain, and one that has not returned after initwd_ms (boot option,
 * default 5000) fails with SYS_FAULT_WATCHDOG; a nonzero return fails the
 * domain through dom_panic(). When dom_main() returns, that thread exits with its return value; the domain
 * ends when its last thread has exited.
 *
 * Console output is line buffered: printf() and puts() collect characters
 * in one buffer shared by the domain's threads and write each complete
 * line with SYS_CONSOLE_WRITE (the kernel adds the domain's name). Lines
 * longer than RT_LINE_MAX are written in pieces. rt_flush() writes a
 * partial line; thread exit and dom_panic() do so too.
 *
 * malloc() and friends are private to the domain (lib/rt/malloc.c); memory
 * is counted against the manifest's quota. Memory and string functions
 * come from lib/base/string.h, formatting from lib/base/fmt.h.
 */
#pragma once

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/compiler.h"
#include "base/fmt.h"
#include "base/string.h"

#define RT_LINE_MAX 256u /* console line buffer, bytes */

struct rt_heap_stats;

/* Defined by each domain: its main thread's body. */
int dom_main(uint64_t arg, const char *boot);
/* Optional: the domain's init, run before dom_main(). */
int dom_init(uint64_t arg, const char *boot) __attribute__((weak));

/* --- Console ---------------------------------------------------------- */

/* C printf() (lib/base/fmt.h conversions). Returns characters formatted. */
int printf(const char *fmt, ...) __printf(1, 2);
int vprintf(const char *fmt, va_list ap) __printf(1, 0);
/* Prints @s and a newline. Returns 0. */
int puts(const char *s);
/* Writes out a partial line, if any. */
void rt_flush(void);

#define snprintf fmt_snprintf
#define vsnprintf fmt_vsnprintf

/*
 * Fails this domain on purpose: flushes the console, then hands the
 * formatted message (truncated to RT_LINE_MAX) to the kernel, which ends
 * the domain with SYS_FAULT_PANIC. Use for broken invariants, never for
 * errors a caller could handle.
 */
__noreturn void dom_panic(const char *fmt, ...) __printf(1, 2);

/* --- Threads and time ------------------------------------------------- */

/*
 * Starts a thread running fn(@arg) on its own stack; when fn returns, the
 * thread exits with its return value. Stores the thread id in @tid.
 * Returns 0, -ENOMEM, or a SYS_THREAD_CREATE error. Past the manifest's
 * thread or memory quota the kernel fails the whole domain
 * (SYS_FAULT_QUOTA) instead of returning.
 */
int __must_check thread_spawn(int (*fn)(void *arg), void *arg, uint64_t *tid);
/* Waits for thread @tid to end and stores its exit code in @code. */
int __must_check thread_join(uint64_t tid, int *code);
/* Ends the calling thread with @code, after flushing the console. */
__noreturn void thread_exit(int code);
void thread_yield(void);
/* Sleeps at least @ms milliseconds. */
void sleep_ms(uint64_t ms);
/* Nanoseconds since boot. */
uint64_t now_ns(void);

/* --- Memory ----------------------------------------------------------- */

/*
 * C malloc(): 16-byte aligned; NULL for absurd sizes. Pages come from
 * SYS_MEM_MAP: past the manifest's memory quota the kernel fails the
 * domain (SYS_FAULT_QUOTA) rather than let malloc() return NULL.
 */
void *malloc(size_t size);
void *calloc(size_t n, size_t size);
/* C realloc(); realloc(p, 0) frees p and returns NULL. */
void *realloc(void *p, size_t size);
/* C free(); a pointer malloc() did not return panics the domain. */
void free(void *p);
/* Usable bytes at @p, 0 if it is not a live allocation. */
size_t malloc_usable_size(const void *p);
/* The heap's counters (lib/rt/heap.h), e.g. for leak checks. */
void malloc_stats(struct rt_heap_stats *st);
