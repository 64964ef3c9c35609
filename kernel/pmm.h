/* SPDX-License-Identifier: MIT */
/*
 * Physical frame allocator: one bit per 4 KiB frame over [0, max RAM),
 * built from the multiboot2 memory map. Allocations may ask for several
 * contiguous frames (large heap objects, DMA buffers later). Free and used
 * page counts are readable at any time; tests use them as leak checks.
 *
 * The allocator core works on a struct pmm that host tests build over
 * ordinary memory; the kernel has one global instance behind the pmm_*()
 * calls without a struct argument.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/compiler.h"
#include "spinlock.h"

typedef uint64_t pfn_t;

struct pmm {
	struct spinlock lock;
	/* Protected by lock: */
	uint64_t *bitmap; /* bit set = frame used or not RAM */
	size_t nframes;	  /* frames the bitmap covers */
	size_t total;	  /* RAM frames handed to the allocator */
	size_t free;	  /* of those, currently free */
	size_t hint;	  /* word index where the next search starts */
};

struct pmm_stats {
	size_t total_pages;
	size_t free_pages;
	size_t used_pages;
};

/* Core: all frames start as used (not RAM). @bitmap holds nframes bits. */
void pmm_core_init(struct pmm *p, uint64_t *bitmap, size_t nframes);
/* Boot: mark [pfn, pfn + n) as free RAM (clipped to the bitmap). */
void pmm_core_add(struct pmm *p, pfn_t pfn, size_t n);
/* Boot: take [pfn, pfn + n) out of the free RAM again (kernel, modules). */
void pmm_core_reserve(struct pmm *p, pfn_t pfn, size_t n);
/*
 * Allocate @n contiguous frames whose first frame number is a multiple of
 * @align (a power of two, >= 1). Returns 0 or -ENOMEM.
 */
int __must_check pmm_core_alloc(struct pmm *p, size_t n, size_t align,
				pfn_t *out);
/* Free frames from pmm_core_alloc(). Freeing a free frame is a bug: -EINVAL. */
int pmm_core_free(struct pmm *p, pfn_t pfn, size_t n);
bool pmm_core_is_free(struct pmm *p, pfn_t pfn);
void pmm_core_stats(struct pmm *p, struct pmm_stats *st);

#ifndef CORDON_HOST
#include "arch/x86_64/vm.h"

struct boot_info;

/* Build the kernel's allocator from the boot memory map. */
void pmm_init(const struct boot_info *bi);
int __must_check pmm_alloc(size_t n, paddr_t *out);
void pmm_free(paddr_t pa, size_t n);
/* One zeroed page, by its direct-map address; NULL when memory is out. */
void *page_alloc(void);
void page_free(void *va);
void pmm_stats(struct pmm_stats *st);
size_t pmm_free_pages(void);
paddr_t pmm_max_phys(void);
#endif
