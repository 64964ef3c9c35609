// SPDX-License-Identifier: MIT
/*
 * GDT and TSS setup for each CPU (layout in gdt.h). Descriptor formats:
 * Intel SDM Vol. 3A, 3.4.5 (segment descriptors) and 7.2.3 (64-bit TSS
 * descriptor).
 */
#include "arch/x86_64/gdt.h"

#include "percpu.h"
#include "heap.h"
#include "panic.h"

#define SEG_P (1ull << 47)
#define SEG_S (1ull << 44)
#define SEG_CODE (1ull << 43)
#define SEG_RW (1ull << 41)
#define SEG_L (1ull << 53)
#define SEG_G (1ull << 55)
#define SEG_DB (1ull << 54)
#define SEG_DPL(n) ((uint64_t)(n) << 45)
#define SEG_LIMIT_MAX (0xffffull | (0xfull << 48))

struct gdt_ptr {
	uint16_t limit;
	uint64_t base;
} __packed;

void gdt_set_kernel_stack(struct cpu *c, uint64_t rsp0)
{
	c->arch.tss.rsp[0] = rsp0;
}

void gdt_init_cpu(struct cpu *c)
{
	uint64_t *g = c->arch.gdt;
	uint64_t tss = (uint64_t)&c->arch.tss;
	uint64_t tss_limit = sizeof(struct tss) - 1;
	struct gdt_ptr ptr;

	g[0] = 0;
	g[1] = SEG_P | SEG_S | SEG_CODE | SEG_RW | SEG_L | SEG_G |
	       SEG_LIMIT_MAX;
	g[2] = SEG_P | SEG_S | SEG_RW | SEG_DB | SEG_G | SEG_LIMIT_MAX;
	g[3] = 0;
	g[4] = SEG_P | SEG_S | SEG_RW | SEG_DB | SEG_G | SEG_LIMIT_MAX |
	       SEG_DPL(3);
	g[5] = SEG_P | SEG_S | SEG_CODE | SEG_RW | SEG_L | SEG_G |
	       SEG_LIMIT_MAX | SEG_DPL(3);
	/* 16-byte available 64-bit TSS descriptor (type 9). */
	g[6] = (tss_limit & 0xffff) | ((tss & 0xffffff) << 16) |
	       (0x9ull << 40) | SEG_P | (((tss >> 24) & 0xff) << 56);
	g[7] = tss >> 32;

	if (!c->arch.ist_stacks) {
		c->arch.ist_stacks = kmalloc(3 * IST_STACK_SIZE);
		VERIFY(c->arch.ist_stacks != NULL);
	}
	for (int i = 0; i < 3; i++) {
		c->arch.tss.ist[i] = (uint64_t)c->arch.ist_stacks +
				     (uint64_t)(i + 1) * IST_STACK_SIZE;
	}
	c->arch.tss.iomap_base = sizeof(struct tss); /* No I/O bitmap. */

	ptr.limit = sizeof(c->arch.gdt) - 1;
	ptr.base = (uint64_t)g;
	__asm__ volatile("lgdt %0\n\t"
			 "pushq %1\n\t"
			 "leaq 1f(%%rip), %%rax\n\t"
			 "pushq %%rax\n\t"
			 "lretq\n"
			 "1:\n\t"
			 "mov %2, %%ax\n\t"
			 "mov %%ax, %%ds\n\t"
			 "mov %%ax, %%es\n\t"
			 "mov %%ax, %%ss\n\t"
			 :
			 : "m"(ptr), "i"(GDT_KCODE), "i"(GDT_KDATA)
			 : "rax", "memory");
	__asm__ volatile("ltr %w0" : : "r"(GDT_TSS));
}
