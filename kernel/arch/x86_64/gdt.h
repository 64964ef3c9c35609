/* SPDX-License-Identifier: MIT */
/*
 * Per-CPU GDT and TSS. Selector layout is fixed by SYSCALL/SYSRET (Intel
 * SDM Vol. 2B, SYSRET: CS = STAR[63:48] + 16, SS = STAR[63:48] + 8):
 *
 *   0x00 null | 0x08 kernel code | 0x10 kernel data | 0x18 (unused, for STAR)
 *   0x20 user data | 0x28 user code (64-bit) | 0x30 TSS (two slots)
 */
#pragma once

#include <stdint.h>

#include "base/compiler.h"

#define GDT_KCODE 0x08
#define GDT_KDATA 0x10
#define GDT_USER_BASE 0x18
#define GDT_UDATA (0x20 | 3)
#define GDT_UCODE (0x28 | 3)
#define GDT_TSS 0x30
#define GDT_ENTRIES 8

/* IST slots used by the IDT for faults that must not use a bad stack. */
#define IST_DOUBLE_FAULT 1
#define IST_NMI 2
#define IST_MCE 3
#define IST_STACK_SIZE 8192

struct tss {
	uint32_t rsvd0;
	uint64_t rsp[3];
	uint64_t rsvd1;
	uint64_t ist[7];
	uint64_t rsvd2;
	uint16_t rsvd3;
	uint16_t iomap_base;
} __packed;
BUILD_ASSERT(sizeof(struct tss) == 104);

struct arch_cpu {
	uint64_t gdt[GDT_ENTRIES] __aligned(16);
	struct tss tss __aligned(16);
	uint8_t *ist_stacks; /* 3 x IST_STACK_SIZE, from the heap */
};

struct cpu;

/* Build and load this CPU's GDT and TSS; reload segment registers. */
void gdt_init_cpu(struct cpu *c);
/* Set the stack the CPU switches to on a ring 3 -> ring 0 transition. */
void gdt_set_kernel_stack(struct cpu *c, uint64_t rsp0);
