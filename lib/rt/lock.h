/* SPDX-License-Identifier: MIT */
/*
 * A tiny test-and-test-and-set spinlock for domain code (the runtime's
 * console buffer and heap). Threads of a domain are preemptible, so a
 * waiter that keeps failing yields its CPU to let the holder run instead
 * of burning a whole time slice. Not recursive; not fair.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "rt/syscall.h"

/* Failed attempts before a waiter yields. */
#define RT_LOCK_SPINS 128u

/* All zero (static storage) is an unlocked lock. */
struct rt_lock {
	uint32_t held; /* 0 free, 1 held */
};

static inline bool rt_lock_try(struct rt_lock *l)
{
	return __atomic_exchange_n(&l->held, 1, __ATOMIC_ACQUIRE) == 0;
}

static inline void rt_lock_acquire(struct rt_lock *l)
{
	unsigned int spins = 0;

	while (!rt_lock_try(l)) {
		while (__atomic_load_n(&l->held, __ATOMIC_RELAXED)) {
			if (++spins >= RT_LOCK_SPINS) {
				sys_thread_yield();
				spins = 0;
			} else {
				__builtin_ia32_pause();
			}
		}
	}
}

static inline void rt_lock_release(struct rt_lock *l)
{
	__atomic_store_n(&l->held, 0, __ATOMIC_RELEASE);
}
