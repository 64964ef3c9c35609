/* SPDX-License-Identifier: MIT */
/*
 * Wait queues: a thread blocks until another wakes it. The queue's lock
 * protects both the list and the condition the waiter tests, so a wakeup
 * between the test and the block cannot be lost:
 *
 *	spin_lock(&wq->lock);
 *	while (!cond)
 *		waitq_wait(wq);
 *	spin_unlock(&wq->lock);
 *
 * Lock order: waitq.lock -> cpu.rq_lock.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "base/list.h"
#include "spinlock.h"

struct waitq {
	struct spinlock lock;
	struct list_head waiters; /* struct thread.wq_link, FIFO */
};

void waitq_init(struct waitq *wq, const char *name);
/* Caller holds wq->lock; it is released while blocked and retaken. */
void waitq_wait(struct waitq *wq);
/*
 * As waitq_wait(), but give up after @ns nanoseconds. Returns true if
 * woken, false on timeout.
 */
bool waitq_wait_timeout(struct waitq *wq, uint64_t ns);
/* Caller holds wq->lock. Return the number of threads woken. */
unsigned int waitq_wake_one(struct waitq *wq);
unsigned int waitq_wake_all(struct waitq *wq);
