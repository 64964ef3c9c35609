// SPDX-License-Identifier: MIT
/* Wait queues (see waitq.h). */
#include "waitq.h"

#include "percpu.h"
#include "panic.h"
#include "sched.h"
#include "thread.h"
#include "time.h"

void waitq_init(struct waitq *wq, const char *name)
{
	spin_init(&wq->lock, name);
	list_init(&wq->waiters);
}

/*
 * Queue current, then block with the rq_lock taken before wq->lock is
 * dropped: a waker needs that rq_lock to make us ready, so it cannot do so
 * before we are off the CPU.
 */
static bool wait_common(struct waitq *wq, uint64_t deadline)
{
	struct thread *t = thread_current();
	struct cpu *c = t->cpu;
	bool woken;

	VERIFY(spin_is_held(&wq->lock));
	list_push_back(&wq->waiters, &t->wq_link);
	spin_lock(&c->rq_lock);
	spin_unlock(&wq->lock);
	if (deadline) {
		sched_sleep_until_locked(deadline);
	} else {
		sched_block_locked();
	}
	woken = !t->timed_out;
	spin_unlock(&c->rq_lock);
	spin_lock(&wq->lock);
	/* On timeout we are still queued. */
	if (list_is_linked(&t->wq_link)) {
		list_unlink(&t->wq_link);
		woken = false;
	}
	return woken;
}

void waitq_wait(struct waitq *wq)
{
	wait_common(wq, 0);
}

bool waitq_wait_timeout(struct waitq *wq, uint64_t ns)
{
	return wait_common(wq, time_ns() + ns + 1);
}

unsigned int waitq_wake_one(struct waitq *wq)
{
	struct thread *t;

	VERIFY(spin_is_held(&wq->lock));
	if (list_empty(&wq->waiters)) {
		return 0;
	}
	t = list_first_entry(&wq->waiters, struct thread, wq_link);
	list_unlink(&t->wq_link);
	sched_wake(t);
	return 1;
}

unsigned int waitq_wake_all(struct waitq *wq)
{
	unsigned int n = 0;

	while (waitq_wake_one(wq)) {
		n++;
	}
	return n;
}
