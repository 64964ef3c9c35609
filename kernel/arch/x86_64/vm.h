/* SPDX-License-Identifier: MIT */
/*
 * The kernel's half of the virtual address space (the lower half belongs to
 * domains; see lib/abi/layout.h):
 *
 *   0xffff800000000000  direct map of all physical memory (PML4 256..)
 *   0xffffc00000000000  MMIO mappings made by ioremap() (PML4 384)
 *   0xffffc04000000000  kernel scratch mappings (self-tests)
 *   0xffffffff80000000  kernel image, linked here (PML4 511)
 *
 * The kernel half is shared by every address space: its PML4 entries are
 * created once at boot and copied into each new page table.
 */
#pragma once

#include <stdint.h>

typedef uint64_t paddr_t;
typedef uint64_t vaddr_t;

#define PAGE_SHIFT 12
#define PAGE_SIZE 4096ul
#define PAGE_MASK (~(PAGE_SIZE - 1))
#define LARGE_PAGE_SIZE (2ul << 20)
#define HUGE_PAGE_SIZE (1ul << 30)

#define KERNEL_VMA 0xffffffff80000000ul
#define KERNEL_PHYS 0x100000ul
#define PHYS_MAP_BASE 0xffff800000000000ul
#define PHYS_MAP_MAX (64ul << 40) /* Direct map covers up to 64 TiB. */
#define IOREMAP_BASE 0xffffc00000000000ul
#define IOREMAP_SIZE (1ul << 38)
/* Second half of the same PML4 slot: fixed scratch mappings (self-tests). */
#define KSCRATCH_BASE (IOREMAP_BASE + IOREMAP_SIZE)
#define KSCRATCH_SIZE (1ul << 38)
#define USER_TOP 0x0000800000000000ul

static inline void *phys_to_virt(paddr_t pa)
{
	return (void *)(pa + PHYS_MAP_BASE);
}

/* Only for direct-map and kernel-image addresses. */
static inline paddr_t virt_to_phys(const void *va)
{
	uint64_t v = (uint64_t)va;

	if (v >= KERNEL_VMA) {
		return v - KERNEL_VMA;
	}
	return v - PHYS_MAP_BASE;
}

/* Linker-script symbols. */
extern char __boot_start[], __boot_end[];
extern char __kernel_start[], __kernel_end[];
extern char __text_start[], __text_end[];
extern char __rodata_start[], __rodata_end[];
extern char __data_start[], __data_end[];
