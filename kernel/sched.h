/* SPDX-License-Identifier: MIT */
/*
 * Per-CPU round-robin scheduler with a time slice of one tick. Each CPU
 * runs the threads homed on it plus its idle thread. Wakeups across CPUs
 * send a reschedule IPI.
 */
#pragma once

#include <stdint.h>

struct thread;
struct cpu;

/* Boot CPU: set up scheduler state and turn the boot flow into a thread. */
void sched_init(void);
/* Per CPU (APs included): create the idle thread for this CPU. */
void sched_init_cpu(void);
/* AP: leave the boot stack and run this CPU's idle thread. */
__attribute__((noreturn)) void sched_start_ap(void);
/* Become this CPU's idle loop; never returns. */
__attribute__((noreturn)) void sched_idle_loop(void);
/* Timer tick: wake sleepers, request preemption. Interrupts off. */
void sched_tick(void);
/* Called on interrupt exit when need_resched is set. */
void sched_preempt(void);
/* Make a blocked @t ready (no-op otherwise). */
void sched_wake(struct thread *t);
/* Enqueue a new thread on its CPU. */
void sched_add(struct thread *t);
/* Pick the CPU with the fewest threads. */
struct cpu *sched_pick_cpu(void);
/* Block the current thread; caller holds this CPU's rq_lock. */
void sched_block_locked(void);
/* Switch away from the exiting (zombie) current thread for good. */
__attribute__((noreturn)) void sched_exit_locked(void);
/* Give up the CPU; the current thread stays ready. */
void sched_yield(void);
/* Put current on the sleepers list until @deadline_ns; rq_lock held. */
void sched_sleep_until_locked(uint64_t deadline_ns);
/* Take @t off the sleepers list if it is there; its rq_lock held. */
void sched_cancel_sleep_locked(struct thread *t);
