// SPDX-License-Identifier: MIT
/*
 * Threads and time for domain code: thread_spawn() runs a C function on a
 * new kernel thread through rt_thread_entry (lib/rt/start.S), because a
 * thread started by SYS_THREAD_CREATE must end with SYS_THREAD_EXIT and
 * may not simply return.
 */
#include "abi/errno.h"
#include "rt/internal.h"
#include "rt/rt.h"
#include "rt/syscall.h"

#define NS_PER_MS 1000000ull

/* What a new thread runs; freed by the thread itself. */
struct start_rec {
	int (*fn)(void *arg);
	void *arg;
};

void rt_thread_main(uint64_t arg)
{
	struct start_rec *rec = (struct start_rec *)arg;
	int (*fn)(void *arg) = rec->fn;
	void *fn_arg = rec->arg;

	free(rec);
	thread_exit(fn(fn_arg));
}

int thread_spawn(int (*fn)(void *arg), void *arg, uint64_t *tid)
{
	struct start_rec *rec;
	int err;

	rec = malloc(sizeof(*rec));
	if (!rec) {
		return -ENOMEM;
	}
	rec->fn = fn;
	rec->arg = arg;
	err = sys_thread_create(rt_thread_entry, (uint64_t)rec, tid);
	if (err) {
		free(rec);
	}
	return err;
}

int thread_join(uint64_t tid, int *code)
{
	return sys_thread_join(tid, code);
}

void thread_exit(int code)
{
	rt_flush();
	sys_thread_exit(code);
}

void thread_yield(void)
{
	sys_thread_yield();
}

void sleep_ms(uint64_t ms)
{
	uint64_t ns;

	if (__builtin_mul_overflow(ms, NS_PER_MS, &ns)) {
		ns = UINT64_MAX;
	}
	sys_thread_sleep(ns);
}

uint64_t now_ns(void)
{
	return sys_time_ns();
}
