// SPDX-License-Identifier: MIT
/*
 * The scheduler (see sched.h). As in xv6, the CPU's rq_lock is held across
 * the context switch: the thread that switches away takes it, the thread
 * that resumes (or starts, in thread_first_run()) releases it. A thread that
 * blocks therefore cannot be woken and run elsewhere before it has fully
 * left its CPU.
 */
#include "sched.h"

#include "call.h"

#include "arch/x86_64/apic.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/idt.h"
#include "arch/x86_64/paging.h"
#include "base/fmt.h"
#include "console.h"
#include "dom.h"
#include "percpu.h"
#include "heap.h"
#include "panic.h"
#include "thread.h"
#include "time.h"

#define STACK_CANARY 0x4b43415453524f43ull

struct thread *switch_to(uint64_t *prev_ksp, uint64_t next_ksp,
			 struct thread *prev);
void thread_entry_asm(void);
void thread_first_run(void);
int thread_setup_stack(struct thread *t);

static void check_canary(struct thread *t)
{
	if (t->kstack && *(volatile uint64_t *)t->kstack != STACK_CANARY) {
		panic("kernel stack overflow in thread %s (id %lu)", t->name,
		      t->id);
	}
}

void sched_stack_canary(struct thread *t)
{
	*(uint64_t *)t->kstack = STACK_CANARY;
}

static struct thread *pick_next(struct cpu *c)
{
	struct thread *t;

	if (list_empty(&c->ready)) {
		return c->idle;
	}
	t = list_first_entry(&c->ready, struct thread, rq_link);
	list_unlink(&t->rq_link);
	c->nr_ready--;
	return t;
}

/* Switch to the next ready thread. Caller holds this CPU's rq_lock only. */
static void schedule_locked(void)
{
	struct cpu *c = this_cpu();
	struct thread *prev = c->current;
	struct thread *next;
	uint64_t now = time_ns();
	bool intena;

	VERIFY(c->irq_nest == 1);
	if (prev->state == THREAD_RUNNING) {
		prev->state = THREAD_READY;
		if (prev != c->idle) {
			list_push_back(&c->ready, &prev->rq_link);
			c->nr_ready++;
		}
	}
	next = pick_next(c);
	c->need_resched = false;
	next->state = THREAD_RUNNING;
	if (next == prev) {
		return;
	}
	check_canary(prev);
	prev->runtime_ns += now - prev->last_run_ns;
	next->last_run_ns = now;
	next->switches++;
	c->current = next;
	c->stats.ctx_switches++;
	c->kernel_rsp = (uint64_t)next->kstack + THREAD_STACK_PAGES * 4096;
	gdt_set_kernel_stack(c, c->kernel_rsp);
	/* Domain threads run in their domain's page table, others in ours. */
	aspace_switch(next->dom ? next->dom->as : kernel_aspace());
	intena = c->irq_was_on;
	switch_to(&prev->ksp, next->ksp, prev);
	/* Resumed: some thread on this CPU switched back to us. */
	this_cpu()->irq_was_on = intena;
}

void thread_first_run(void)
{
	struct cpu *c = this_cpu();
	struct thread *t = c->current;

	c->irq_was_on = true;
	spin_unlock(&c->rq_lock);
	thread_exit(t->fn(t->arg));
}

void sched_block_locked(void)
{
	struct cpu *c = this_cpu();

	VERIFY(spin_is_held(&c->rq_lock));
	c->current->state = THREAD_BLOCKED;
	schedule_locked();
}

void sched_exit_locked(void)
{
	VERIFY(this_cpu()->current->state == THREAD_ZOMBIE);
	schedule_locked();
	NOT_REACHED();
}

void sched_sleep_until_locked(uint64_t deadline)
{
	struct cpu *c = this_cpu();
	struct thread *t = c->current;
	struct list_head *pos;

	t->wake_at = deadline;
	t->timed_out = false;
	/* Keep sleepers sorted by deadline. */
	list_for_each(pos, &c->sleepers)
	{
		struct thread *o = list_entry(pos, struct thread, rq_link);

		if (o->wake_at > deadline) {
			break;
		}
	}
	list_insert_before(pos, &t->rq_link);
	sched_block_locked();
}

void sched_cancel_sleep_locked(struct thread *t)
{
	if (t->state == THREAD_BLOCKED && list_is_linked(&t->rq_link)) {
		list_unlink(&t->rq_link);
	}
}

static void make_ready_locked(struct cpu *c, struct thread *t)
{
	t->state = THREAD_READY;
	list_push_back(&c->ready, &t->rq_link);
	c->nr_ready++;
}

void sched_wake(struct thread *t)
{
	struct cpu *tc = t->cpu;
	bool ipi = false;

	spin_lock(&tc->rq_lock);
	if (t->state == THREAD_BLOCKED) {
		if (list_is_linked(&t->rq_link)) {
			list_unlink(&t->rq_link); /* was also sleeping */
		}
		t->timed_out = false;
		make_ready_locked(tc, t);
		if (tc != this_cpu()) {
			ipi = true;
		} else if (tc->current == tc->idle) {
			tc->need_resched = true;
		}
	}
	spin_unlock(&tc->rq_lock);
	if (ipi) {
		apic_send_ipi(tc->lapic_id, VEC_RESCHED);
	}
}

void sched_add(struct thread *t)
{
	struct cpu *tc = t->cpu;
	bool ipi;

	spin_lock(&tc->rq_lock);
	tc->nr_threads++;
	make_ready_locked(tc, t);
	ipi = tc != this_cpu();
	spin_unlock(&tc->rq_lock);
	if (ipi) {
		apic_send_ipi(tc->lapic_id, VEC_RESCHED);
	}
}

struct cpu *sched_pick_cpu(void)
{
	struct cpu *best = NULL;

	for (unsigned int i = 0; i < cpu_count; i++) {
		struct cpu *c = &cpus[i];

		if (!c->online) {
			continue;
		}
		if (!best ||
		    READ_ONCE(c->nr_threads) < READ_ONCE(best->nr_threads)) {
			best = c;
		}
	}
	return best ? best : this_cpu();
}

void sched_tick(void)
{
	struct cpu *c = this_cpu();
	uint64_t now = time_ns();

	spin_lock(&c->rq_lock);
	while (!list_empty(&c->sleepers)) {
		struct thread *t =
			list_first_entry(&c->sleepers, struct thread, rq_link);

		if (t->wake_at > now) {
			break;
		}
		list_unlink(&t->rq_link);
		t->timed_out = true;
		make_ready_locked(c, t);
	}
	if (c->nr_ready > 0) {
		c->need_resched = true;
	}
	spin_unlock(&c->rq_lock);
}

void sched_preempt(void)
{
	struct cpu *c = this_cpu();

	spin_lock(&c->rq_lock);
	schedule_locked();
	spin_unlock(&this_cpu()->rq_lock);
}

void sched_yield(void)
{
	sched_preempt();
}

static void resched_ipi(struct trap_frame *tf, void *ctx)
{
	this_cpu()->need_resched = true;
}

static void tlb_ipi(struct trap_frame *tf, void *ctx)
{
	paging_tlb_ipi();
}

void sched_idle_loop(void)
{
	for (;;) {
		struct cpu *c;

		cli();
		c = this_cpu();
		if (!list_empty(&c->ready)) {
			sti();
			sched_yield();
			continue;
		}
		/* sti's one-instruction shadow makes "sti; hlt" atomic. */
		__asm__ volatile("sti; hlt" ::: "memory");
	}
}

static int idle_main(void *arg)
{
	sched_idle_loop();
}

static struct thread *new_thread_struct(const char *name)
{
	struct thread *t = kzalloc(sizeof(*t));

	VERIFY(t != NULL);
	for (int i = 0; name[i] && i < THREAD_NAME_MAX - 1; i++) {
		t->name[i] = name[i];
	}
	list_init(&t->rq_link);
	list_init(&t->wq_link);
	waitq_init(&t->join_wq, "join");
	t->fast = &call_fast_none;
	t->cpu = this_cpu();
	return t;
}

void sched_init(void)
{
	extern char boot_stack_bottom_high[];
	struct cpu *c = this_cpu();
	struct thread *main = new_thread_struct("main");

	MUST(irq_register(VEC_RESCHED, resched_ipi, NULL));
	MUST(irq_register(VEC_TLB_SHOOTDOWN, tlb_ipi, NULL));
	main->kstack = boot_stack_bottom_high;
	sched_stack_canary(main);
	main->state = THREAD_RUNNING;
	main->last_run_ns = time_ns();
	c->current = main;
	c->nr_threads++;
	c->kernel_rsp =
		(uint64_t)boot_stack_bottom_high + THREAD_STACK_PAGES * 4096;
}

void sched_init_cpu(void)
{
	struct cpu *c = this_cpu();
	struct thread *idle = new_thread_struct("idle");

	fmt_snprintf(idle->name, sizeof(idle->name), "idle/%u", c->id);
	idle->fn = idle_main;
	VERIFY(thread_setup_stack(idle) == 0);
	idle->state = THREAD_READY;
	c->idle = idle;
}

void sched_start_ap(void)
{
	struct cpu *c = this_cpu();
	uint64_t unused_ksp;

	/* The AP's boot stack is left behind; idle starts on its own. */
	spin_lock(&c->rq_lock);
	c->current = c->idle;
	c->idle->state = THREAD_RUNNING;
	c->idle->last_run_ns = time_ns();
	c->kernel_rsp = (uint64_t)c->idle->kstack + THREAD_STACK_PAGES * 4096;
	gdt_set_kernel_stack(c, c->kernel_rsp);
	switch_to(&unused_ksp, c->idle->ksp, NULL);
	NOT_REACHED();
}
