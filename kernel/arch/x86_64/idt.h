/* SPDX-License-Identifier: MIT */
/*
 * Interrupt descriptor table, trap frames and interrupt vectors.
 *
 * Vector map: 0-31 CPU exceptions; 0x20 LAPIC timer; 0x30-0xdf device
 * interrupts (IOAPIC, MSI); 0xf0-0xfe IPIs; 0xff LAPIC spurious.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "base/compiler.h"

#define VEC_DE 0
#define VEC_DB 1
#define VEC_NMI 2
#define VEC_BP 3
#define VEC_UD 6
#define VEC_DF 8
#define VEC_GP 13
#define VEC_PF 14
#define VEC_TIMER 0x20
#define VEC_DEVICE_FIRST 0x30
#define VEC_DEVICE_LAST 0xdf
#define VEC_TLB_SHOOTDOWN 0xf0
#define VEC_RESCHED 0xf1
#define VEC_CALL 0xf2
#define VEC_SPURIOUS 0xff

/* Page-fault error code bits (SDM Vol. 3A, 4.7). */
#define PF_P (1u << 0)
#define PF_W (1u << 1)
#define PF_U (1u << 2)
#define PF_RSVD (1u << 3)
#define PF_I (1u << 4)
#define PF_PK (1u << 5)

/* Pushed by isr.asm; field order is fixed by the pushes there. */
struct trap_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector;
	uint64_t error;
	/* Pushed by the CPU: */
	uint64_t rip, cs, rflags, rsp, ss;
};
BUILD_ASSERT(sizeof(struct trap_frame) == 22 * 8);

typedef void (*irq_handler_t)(struct trap_frame *tf, void *ctx);

void idt_init(void);
/* Load the IDT on this CPU. */
void idt_load(void);
/* Install @fn for @vector (>= 32). Returns 0, -EBUSY or -EINVAL. */
int irq_register(unsigned int vector, irq_handler_t fn, void *ctx);
void irq_unregister(unsigned int vector);
/* Allocate a free device vector; -ENOSPC when none is left. */
int irq_alloc_vector(void);

const char *trap_name(unsigned int vector);
/* Print registers of @tf (and cr2 for page faults). */
void trap_print_frame(const struct trap_frame *tf);

static inline bool trap_from_user(const struct trap_frame *tf)
{
	return (tf->cs & 3) != 0;
}

/*
 * Kernel fault probes, for tests and for code that touches memory it may
 * not be allowed to: probe_call() runs fn(arg) and, if it takes a CPU
 * exception, returns -EFAULT instead of panicking, with the vector, error
 * code and faulting address in *info. Returns fn's value otherwise.
 */
struct probe_info {
	uint64_t vector;
	uint64_t error;
	uint64_t addr; /* cr2 for page faults */
	uint64_t rip;
};
long probe_call(long (*fn)(void *), void *arg, struct probe_info *info);
