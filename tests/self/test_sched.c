// SPDX-License-Identifier: MIT
/*
 * Self-tests of threads and the scheduler: create/join on every CPU, exit
 * codes, yield, sleep accuracy, wait queues (with and without timeout),
 * spinlocks under contention across CPUs, and round-robin fairness.
 */
#include "abi/errno.h"
#include "arch/x86_64/apic.h"
#include "heap.h"
#include "percpu.h"
#include "sched.h"
#include "spinlock.h"
#include "tests/self/selftest.h"
#include "thread.h"
#include "time.h"
#include "waitq.h"

static int report_cpu(void *arg)
{
	*(volatile int *)arg = (int)this_cpu()->id;
	return 7;
}

SELFTEST(thread_runs_on_every_cpu, SELFTEST_SHORT)
{
	struct thread *t[CPU_MAX];
	int where[CPU_MAX];

	ST_ASSERT(cpu_count >= 1);
	for (unsigned int c = 0; c < cpu_count; c++) {
		where[c] = -1;
		ST_EQ(thread_create(&t[c], "oncpu", report_cpu, &where[c],
				    (int)c),
		      0);
	}
	for (unsigned int c = 0; c < cpu_count; c++) {
		int code = 0;

		thread_join(t[c], &code);
		ST_EQ(code, 7);
		ST_EQ(where[c], (int)c);
	}
}

SELFTEST(thread_create_rejects_offline_cpu, SELFTEST_SHORT)
{
	struct thread *t;
	int x;

	ST_EQ(thread_create(&t, "bad", report_cpu, &x, CPU_MAX + 3), -EINVAL);
	ST_EQ(thread_create(&t, "bad", report_cpu, &x, (int)cpu_count),
	      -EINVAL);
}

static int return_arg(void *arg)
{
	thread_yield();
	return (int)(uintptr_t)arg;
}

SELFTEST(thread_many_create_join, SELFTEST_SHORT)
{
	enum { N = 64 };
	struct thread *t[N];

	for (int i = 0; i < N; i++) {
		ST_EQ(thread_create(&t[i], "many", return_arg,
				    (void *)(uintptr_t)(i * 3), THREAD_ANY_CPU),
		      0);
	}
	for (int i = 0; i < N; i++) {
		int code;

		thread_join(t[i], &code);
		ST_EQ(code, i * 3);
	}
}

SELFTEST(thread_sleep_is_not_early, SELFTEST_SHORT)
{
	uint64_t tick = NSEC_PER_SEC / time_hz();
	static const uint64_t ms[] = {1, 15, 40};

	for (unsigned int i = 0; i < ARRAY_SIZE(ms); i++) {
		uint64_t want = ms[i] * NSEC_PER_MSEC;
		uint64_t t0 = time_ns();
		uint64_t took;

		thread_sleep_ns(want);
		took = time_ns() - t0;
		ST_CHECK(took >= want, "slept %lu ns of %lu", took, want);
		/* Generous: emulation can stall, but not by seconds. */
		ST_CHECK(took < want + 2 * tick + 500 * NSEC_PER_MSEC,
			 "slept %lu ns for %lu", took, want);
	}
}

struct pc_state {
	struct waitq wq;
	int items;
	int consumed;
};

static int consumer(void *arg)
{
	struct pc_state *s = arg;

	spin_lock(&s->wq.lock);
	while (s->consumed < 100) {
		while (s->items == 0) {
			waitq_wait(&s->wq);
		}
		s->items--;
		s->consumed++;
	}
	spin_unlock(&s->wq.lock);
	return 0;
}

SELFTEST(waitq_producer_consumer_across_cpus, SELFTEST_SHORT)
{
	struct pc_state *s = kzalloc(sizeof(*s));
	struct thread *t;

	ST_ASSERT(s != NULL);
	waitq_init(&s->wq, "pc");
	ST_EQ(thread_create(&t, "consumer", consumer, s, cpu_count > 1 ? 1 : 0),
	      0);
	for (int i = 0; i < 100; i++) {
		spin_lock(&s->wq.lock);
		s->items++;
		waitq_wake_one(&s->wq);
		spin_unlock(&s->wq.lock);
		if (i % 10 == 0) {
			thread_yield();
		}
	}
	thread_join(t, NULL);
	ST_EQ(s->consumed, 100);
	ST_EQ(s->items, 0);
	kfree(s);
}

SELFTEST(waitq_timeout_expires, SELFTEST_SHORT)
{
	struct waitq wq;
	uint64_t t0 = time_ns();
	bool woken;

	waitq_init(&wq, "timeout");
	spin_lock(&wq.lock);
	woken = waitq_wait_timeout(&wq, 20 * NSEC_PER_MSEC);
	spin_unlock(&wq.lock);
	ST_ASSERT(!woken);
	ST_ASSERT(time_ns() - t0 >= 20 * NSEC_PER_MSEC);
	ST_ASSERT(list_empty(&wq.waiters));
}

struct counter {
	struct spinlock lock;
	uint64_t value;
};

static int add_many(void *arg)
{
	struct counter *c = arg;

	for (int i = 0; i < 20000; i++) {
		spin_lock(&c->lock);
		c->value++;
		spin_unlock(&c->lock);
	}
	return 0;
}

SELFTEST(spinlock_counts_exactly_across_cpus, SELFTEST_SHORT)
{
	struct counter *c = kzalloc(sizeof(*c));
	struct thread *t[4];

	ST_ASSERT(c != NULL);
	spin_init(&c->lock, "test_counter");
	for (int i = 0; i < 4; i++) {
		ST_EQ(thread_create(&t[i], "adder", add_many, c,
				    i % (int)cpu_count),
		      0);
	}
	for (int i = 0; i < 4; i++) {
		thread_join(t[i], NULL);
	}
	ST_EQ(c->value, 4 * 20000);
	kfree(c);
}

struct spin_arg {
	uint64_t until;
	volatile uint64_t loops;
};

static int spin_until(void *arg)
{
	struct spin_arg *a = arg;

	while (time_ns() < a->until) {
		a->loops++;
	}
	return 0;
}

/*
 * Three CPU-bound threads pinned to one CPU share it round-robin: each
 * gets a fair share of the loop iterations (loosely, under emulation).
 */
SELFTEST(sched_round_robin_is_fair, SELFTEST_LONG)
{
	enum { N = 3 };
	struct spin_arg *a = kcalloc(N, sizeof(*a));
	struct thread *t[N];
	int cpu = (int)cpu_count - 1;
	uint64_t min = ~0ull;
	uint64_t max = 0;
	uint64_t until = time_ns() + 400 * NSEC_PER_MSEC;

	ST_ASSERT(a != NULL);
	for (int i = 0; i < N; i++) {
		a[i].until = until;
		ST_EQ(thread_create(&t[i], "spinner", spin_until, &a[i], cpu),
		      0);
	}
	for (int i = 0; i < N; i++) {
		thread_join(t[i], NULL);
		min = MIN(min, a[i].loops);
		max = MAX(max, a[i].loops);
	}
	kfree(a);
	ST_CHECK(min > 0 && max < 3 * min, "unfair: min %lu max %lu loops", min,
		 max);
}

static int count_ticks(void *arg)
{
	uint64_t *out = arg;
	uint64_t t0 = this_cpu()->tick_count;
	uint64_t deadline = time_ns() + 200 * NSEC_PER_MSEC;

	while (time_ns() < deadline) {
		__asm__ volatile("pause");
	}
	*out = this_cpu()->tick_count - t0;
	return 0;
}

/* Every CPU's tick runs at the configured rate against the TSC clock. */
SELFTEST(timer_tick_rate_on_every_cpu, SELFTEST_SHORT)
{
	struct thread *t[CPU_MAX];
	uint64_t ticks[CPU_MAX];
	uint64_t want = time_hz() / 5; /* ticks in 200 ms */

	for (unsigned int c = 0; c < cpu_count; c++) {
		ST_EQ(thread_create(&t[c], "ticks", count_ticks, &ticks[c],
				    (int)c),
		      0);
	}
	for (unsigned int c = 0; c < cpu_count; c++) {
		thread_join(t[c], NULL);
		ST_CHECK(ticks[c] >= want / 2 && ticks[c] <= want * 2,
			 "cpu %u: %lu ticks in 200 ms, expected about %lu", c,
			 ticks[c], want);
	}
}

static int oneshot_probe(void *arg)
{
	uint64_t *counts = arg;
	uint64_t t0;

	irq_push_off();
	t0 = this_cpu()->tick_count;
	lapic_timer_oneshot(time_ns_to_lapic(5 * NSEC_PER_MSEC));
	irq_pop_off();
	udelay(20000);
	counts[0] = this_cpu()->tick_count - t0;
	udelay(20000);
	counts[1] = this_cpu()->tick_count - t0;
	/* Back to the periodic tick. */
	time_start_tick_cpu();
	return 0;
}

/* A one-shot LAPIC timer fires, and then stays quiet. */
SELFTEST(timer_oneshot_fires_once, SELFTEST_SHORT)
{
	uint64_t counts[2];
	struct thread *t;

	ST_EQ(thread_create(&t, "oneshot", oneshot_probe, counts,
			    (int)cpu_count - 1),
	      0);
	thread_join(t, NULL);
	/* One tick, or two if a periodic one was already pending. */
	ST_CHECK(counts[0] >= 1 && counts[0] <= 2, "%lu ticks in 20 ms",
		 counts[0]);
	ST_CHECK(counts[1] == counts[0], "timer kept firing: %lu then %lu",
		 counts[0], counts[1]);
}
