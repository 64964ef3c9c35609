/* SPDX-License-Identifier: MIT */
/*
 * Per-CPU data. Each CPU's GS base points at its struct cpu, whose first
 * field points at itself, so this_cpu() is one load. Fields used from
 * assembly sit at fixed offsets (checked by BUILD_ASSERT in cpu.c).
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "arch/x86_64/gdt.h"
#include "base/list.h"
#include "spinlock.h"

#define CPU_MAX 64

/* Offsets used by assembly, checked in cpu.c. */
#define CPU_OFF_SCRATCH_RSP 8
#define CPU_OFF_KERNEL_RSP 16
#define CPU_OFF_PROBE_RSP 24
#define CPU_OFF_PROBE_RIP 32
#define CPU_OFF_PROBE_INFO 40

struct thread;
struct aspace;

/* Costly events, counted per CPU (see shared/BENCHMARKING.md). */
struct cpu_stats {
	uint64_t ticks;
	uint64_t ctx_switches;
	uint64_t irqs;
	uint64_t exceptions;
	uint64_t syscalls;
	uint64_t pt_switches;
	uint64_t tlb_flushes;
	uint64_t ipis_sent;
	/*
	 * Calls and returns made through parked frames (syscall.asm): each
	 * is also a system call and a page-table switch, and a TLB flush
	 * unless PCID is in use, which the counters above do not include.
	 */
	uint64_t fast_crossings;
};

struct cpu {
	struct cpu *self;     /* Offset 0: this_cpu() reads %gs:0. */
	uint64_t scratch_rsp; /* Offset 8: user rsp during syscall entry. */
	uint64_t kernel_rsp;  /* Offset 16: top of current kernel stack. */
	/* Offsets 24-40: armed kernel fault probe (idt.h, probe.asm). */
	uint64_t probe_rsp;
	uint64_t probe_rip; /* 0 when no probe is armed */
	void *probe_info;

	/* Immutable after smp bring-up: */
	uint32_t id;
	uint32_t lapic_id;
	bool online;

	/* Touched only by this CPU with interrupts off: */
	uint32_t irq_nest;
	bool irq_was_on;
	struct thread *current;
	struct thread *idle;
	bool need_resched;
	struct aspace *arch_aspace; /* loaded in CR3 */
	uint64_t tick_count;

	/*
	 * Run queue. Lock order: waitq->lock -> rq_lock -> (no other lock).
	 * Protected by rq_lock:
	 */
	struct spinlock rq_lock;
	struct list_head ready;	   /* struct thread.rq_link, FIFO */
	struct list_head sleepers; /* struct thread.rq_link, by deadline */
	uint32_t nr_ready;
	uint32_t nr_threads; /* threads homed here, incl. blocked */

	struct cpu_stats stats;
	struct arch_cpu arch;
};

extern struct cpu cpus[CPU_MAX];
extern unsigned int cpu_count;

static inline struct cpu *this_cpu(void)
{
	struct cpu *c;

	__asm__ volatile("mov %%gs:0, %0" : "=r"(c));
	return c;
}

/* Point GS at @c; called once per CPU during bring-up. */
void cpu_set_self(struct cpu *c);
