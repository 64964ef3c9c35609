// SPDX-License-Identifier: MIT
/* Thread lifecycle: create, exit, join, yield, sleep (see thread.h). */
#include "thread.h"

#include "call.h"

#include "abi/errno.h"
#include "arch/x86_64/vm.h"
#include "percpu.h"
#include "heap.h"
#include "panic.h"
#include "pmm.h"
#include "sched.h"
#include "time.h"

void thread_entry_asm(void);
void sched_stack_canary(struct thread *t);

static uint64_t next_id = 1;
static uint64_t live_threads;

/* Allocate a kernel stack that "returns" into thread_entry_asm. */
int thread_setup_stack(struct thread *t)
{
	paddr_t pa;
	uint64_t *sp;

	if (pmm_alloc(THREAD_STACK_PAGES, &pa)) {
		return -ENOMEM;
	}
	t->kstack = phys_to_virt(pa);
	sched_stack_canary(t);
	sp = (uint64_t *)((char *)t->kstack + THREAD_STACK_PAGES * PAGE_SIZE);
	*--sp = 0; /* keeps the entry's stack aligned like a call */
	*--sp = (uint64_t)thread_entry_asm;
	for (int i = 0; i < 6; i++) {
		*--sp = 0; /* rbp rbx r12 r13 r14 r15 */
	}
	t->ksp = (uint64_t)sp;
	t->id = __atomic_fetch_add(&next_id, 1, __ATOMIC_RELAXED);
	return 0;
}

int thread_alloc(struct thread **out, const char *name, thread_fn_t fn,
		 void *arg, int cpu)
{
	struct thread *t;

	if (cpu != THREAD_ANY_CPU &&
	    (cpu < 0 || (unsigned int)cpu >= cpu_count || !cpus[cpu].online)) {
		return -EINVAL;
	}
	t = kzalloc(sizeof(*t));
	if (!t) {
		return -ENOMEM;
	}
	for (int i = 0; name[i] && i < THREAD_NAME_MAX - 1; i++) {
		t->name[i] = name[i];
	}
	list_init(&t->rq_link);
	list_init(&t->wq_link);
	list_init(&t->dom_link);
	waitq_init(&t->join_wq, "join");
	t->stack_slot = -1;
	t->fast = &call_fast_none;
	t->fn = fn;
	t->arg = arg;
	t->cpu = cpu == THREAD_ANY_CPU ? sched_pick_cpu() : &cpus[cpu];
	if (thread_setup_stack(t)) {
		kfree(t);
		return -ENOMEM;
	}
	__atomic_fetch_add(&live_threads, 1, __ATOMIC_RELAXED);
	*out = t;
	return 0;
}

void thread_start(struct thread *t)
{
	sched_add(t);
}

void thread_free_unstarted(struct thread *t)
{
	pmm_free(virt_to_phys(t->kstack), THREAD_STACK_PAGES);
	kfree(t);
	__atomic_fetch_sub(&live_threads, 1, __ATOMIC_RELAXED);
}

int thread_create(struct thread **out, const char *name, thread_fn_t fn,
		  void *arg, int cpu)
{
	int err = thread_alloc(out, name, fn, arg, cpu);

	if (!err) {
		thread_start(*out);
	}
	return err;
}

void thread_exit(int code)
{
	struct thread *t = thread_current();
	struct cpu *c;

	spin_lock(&t->join_wq.lock);
	t->exit_code = code;
	t->exiting = true;
	waitq_wake_all(&t->join_wq);
	spin_unlock(&t->join_wq.lock);

	c = this_cpu();
	spin_lock(&c->rq_lock);
	c->nr_threads--;
	t->state = THREAD_ZOMBIE;
	sched_exit_locked();
}

void thread_join(struct thread *t, int *code)
{
	bool gone = false;

	VERIFY(t != thread_current());
	spin_lock(&t->join_wq.lock);
	while (!t->exiting) {
		waitq_wait(&t->join_wq);
	}
	spin_unlock(&t->join_wq.lock);
	/* It is exiting; wait until it has switched away for good. */
	while (!gone) {
		spin_lock(&t->cpu->rq_lock);
		gone = t->state == THREAD_ZOMBIE;
		spin_unlock(&t->cpu->rq_lock);
		if (!gone) {
			thread_yield();
		}
	}
	if (code) {
		*code = t->exit_code;
	}
	pmm_free(virt_to_phys(t->kstack), THREAD_STACK_PAGES);
	kfree(t);
	__atomic_fetch_sub(&live_threads, 1, __ATOMIC_RELAXED);
}

/*
 * No need to disable interrupts: threads never migrate, so even if we are
 * preempted between reading %gs and ->current, we resume on this CPU and
 * ->current is us again.
 */
struct thread *thread_current(void)
{
	return this_cpu()->current;
}

void thread_yield(void)
{
	sched_yield();
}

void thread_sleep_ns(uint64_t ns)
{
	uint64_t deadline = time_ns() + ns;
	/* Threads never migrate, so this CPU stays ours. */
	struct cpu *c = this_cpu();

	spin_lock(&c->rq_lock);
	sched_sleep_until_locked(deadline);
	spin_unlock(&c->rq_lock);
}

uint64_t thread_count(void)
{
	return __atomic_load_n(&live_threads, __ATOMIC_RELAXED);
}
