/* SPDX-License-Identifier: MIT */
/*
 * Spinlocks. Taking any spinlock disables interrupts on this CPU until the
 * last lock it holds is released (nesting is counted per CPU, as in xv6), so
 * an interrupt handler or the preemption tick can never spin on a lock its
 * own CPU already holds. Keep critical sections short: no sleeping while a
 * spinlock is held.
 *
 * Host builds (unit tests, single-threaded) get no-op stubs.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

struct spinlock {
	volatile uint32_t locked;
	int32_t holder; /* CPU id holding it, or -1 */
	const char *name;
};

#define SPINLOCK_INIT(n)                               \
	{                                              \
		.locked = 0, .holder = -1, .name = (n) \
	}

#ifndef CORDON_HOST
void spin_init(struct spinlock *l, const char *name);
void spin_lock(struct spinlock *l);
void spin_unlock(struct spinlock *l);
bool spin_trylock(struct spinlock *l);
/* True if this CPU holds @l. */
bool spin_is_held(const struct spinlock *l);
/* Interrupt-off nesting used by spinlocks; usable on its own. */
void irq_push_off(void);
void irq_pop_off(void);
#else
static inline void spin_init(struct spinlock *l, const char *name)
{
	l->locked = 0;
	l->holder = -1;
	l->name = name;
}
static inline void spin_lock(struct spinlock *l)
{
	l->locked = 1;
}
static inline void spin_unlock(struct spinlock *l)
{
	l->locked = 0;
}
static inline bool spin_trylock(struct spinlock *l)
{
	if (l->locked) {
		return false;
	}
	l->locked = 1;
	return true;
}
static inline bool spin_is_held(const struct spinlock *l)
{
	return l->locked != 0;
}
static inline void irq_push_off(void)
{
}
static inline void irq_pop_off(void)
{
}
#endif /* CORDON_HOST */
