// SPDX-License-Identifier: MIT
/*
 * Spinlocks with per-CPU interrupt-off nesting (see spinlock.h). A CPU that
 * spins for a very long time on one lock reports it once, naming the lock
 * and its holder, which turns a silent deadlock into a readable one.
 */
#include "spinlock.h"

#include "arch/x86_64/cpu.h"
#include "arch/x86_64/paging.h"
#include "console.h"
#include "percpu.h"
#include "panic.h"

void spin_init(struct spinlock *l, const char *name)
{
	l->locked = 0;
	l->holder = -1;
	l->name = name;
}

/* irq_push_off() on @c, which must be this CPU. */
static inline void push_off(uint64_t flags, struct cpu *c)
{
	if (c->irq_nest == 0) {
		c->irq_was_on = (flags & RFLAGS_IF) != 0;
	}
	c->irq_nest++;
}

/* irq_pop_off() on @c, which must be this CPU. */
static inline void pop_off(struct cpu *c)
{
	VERIFY(!irqs_enabled());
	VERIFY(c->irq_nest > 0);
	c->irq_nest--;
	if (c->irq_nest == 0 && c->irq_was_on) {
		sti();
	}
}

void irq_push_off(void)
{
	uint64_t flags = irq_save();

	push_off(flags, this_cpu());
}

void irq_pop_off(void)
{
	pop_off(this_cpu());
}

bool spin_is_held(const struct spinlock *l)
{
	bool held;

	irq_push_off();
	held = l->locked && l->holder == (int32_t)this_cpu()->id;
	irq_pop_off();
	return held;
}

static __attribute__((noinline, cold, noreturn)) void
recursive_acquire(struct spinlock *l)
{
	panic("spinlock %s: recursive acquire on cpu %u", l->name,
	      this_cpu()->id);
}

/* Spin until @l is ours, and take it; interrupts are off. */
static __attribute__((noinline)) void spin_wait(struct spinlock *l)
{
	uint64_t spins = 0;
	bool reported = false;

	do {
		while (__atomic_load_n(&l->locked, __ATOMIC_RELAXED)) {
			cpu_relax();
			/*
			 * We spin with interrupts off; the holder may be
			 * waiting for this CPU to flush its TLB. Serve that
			 * here, or both would wait for ever.
			 */
			paging_tlb_ipi();
			if (++spins == (1ull << 31) && !reported) {
				reported = true;
				kprintf("warning: cpu %u spinning on lock %s "
					"held by cpu %d\n",
					this_cpu()->id, l->name, l->holder);
			}
		}
	} while (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE));
	l->holder = (int32_t)this_cpu()->id;
}

/*
 * The uncontended path is kept short: the wait and the report live in
 * spin_wait(), out of line.
 */
void spin_lock(struct spinlock *l)
{
	uint64_t flags = irq_save();
	struct cpu *c = this_cpu();

	push_off(flags, c);
	if (l->locked && l->holder == (int32_t)c->id) {
		recursive_acquire(l);
	}
	if (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE)) {
		spin_wait(l);
		return;
	}
	l->holder = (int32_t)c->id;
}

bool spin_trylock(struct spinlock *l)
{
	irq_push_off();
	if (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE)) {
		irq_pop_off();
		return false;
	}
	l->holder = (int32_t)this_cpu()->id;
	return true;
}

void spin_unlock(struct spinlock *l)
{
	struct cpu *c = this_cpu();

	VERIFY(l->locked && l->holder == (int32_t)c->id);
	l->holder = -1;
	__atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
	pop_off(c);
}
