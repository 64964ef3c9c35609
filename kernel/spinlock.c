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

void irq_push_off(void)
{
	uint64_t flags = irq_save();
	struct cpu *c = this_cpu();

	if (c->irq_nest == 0) {
		c->irq_was_on = (flags & RFLAGS_IF) != 0;
	}
	c->irq_nest++;
}

void irq_pop_off(void)
{
	struct cpu *c = this_cpu();

	VERIFY(!irqs_enabled());
	VERIFY(c->irq_nest > 0);
	c->irq_nest--;
	if (c->irq_nest == 0 && c->irq_was_on) {
		sti();
	}
}

bool spin_is_held(const struct spinlock *l)
{
	bool held;

	irq_push_off();
	held = l->locked && l->holder == (int32_t)this_cpu()->id;
	irq_pop_off();
	return held;
}

void spin_lock(struct spinlock *l)
{
	uint64_t spins = 0;
	bool reported = false;

	irq_push_off();
	if (l->locked && l->holder == (int32_t)this_cpu()->id) {
		panic("spinlock %s: recursive acquire on cpu %u", l->name,
		      this_cpu()->id);
	}
	while (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE)) {
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
	}
	l->holder = (int32_t)this_cpu()->id;
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
	VERIFY(l->locked && l->holder == (int32_t)this_cpu()->id);
	l->holder = -1;
	__atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
	irq_pop_off();
}
