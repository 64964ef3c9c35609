/* SPDX-License-Identifier: MIT */
/*
 * The user (lower-half) virtual layout that every domain shares. Cordon has
 * one address layout for everyone (ARCHITECTURE.md, "Isolation"): each domain
 * owns a fixed 1 GiB region and the shared heap has one range, so a pointer
 * into the shared heap means the same in every domain. Part of the
 * kernel<->domain ABI; changing a value here changes the ABI.
 *
 *   0x0000_0000_0000_0000 +-----------------------------+
 *                         | never mapped (null guard)   |
 *   0x0000_0010_0000_0000 +-----------------------------+ SHEAP_BASE (64 GiB)
 *                         | shared heap, 64 GiB         |
 *   0x0000_0020_0000_0000 +-----------------------------+ SHEAP_END (128 GiB)
 *                         | never mapped                |
 *   0x0000_0040_0000_0000 +-----------------------------+ DOM_REGION_BASE
 *                         | domain slot 0, 1 GiB        |   (256 GiB)
 *   0x0000_0040_4000_0000 +-----------------------------+
 *                         | domain slot 1, 1 GiB        |
 *                         | ...                         |
 *   0x0000_004f_c000_0000 +-----------------------------+
 *                         | domain slot 63, 1 GiB       |
 *   0x0000_0050_0000_0000 +-----------------------------+ DOM_REGION_END
 *                         | never mapped                |   (320 GiB)
 *   0x0000_7fff_ffff_ffff +-----------------------------+ end of lower half
 *
 * One domain region (offsets from dom_region_base(slot)):
 *
 *   0x0000_0000 +-----------------------------+
 *               | ELF image: PT_LOAD segments |  mapped at base + p_vaddr
 *               | (elf_check guarantees every |
 *               | segment ends below          |
 *               | DOM_IMAGE_MAX)              |
 *   0x1000_0000 +-----------------------------+ DOM_IMAGE_MAX (256 MiB)
 *               | stacks and private heap     |  the loader's business
 *   0x4000_0000 +-----------------------------+ DOM_REGION_SIZE (1 GiB)
 *
 * Everything above lives under PML4 entry 0 (the first 512 GiB), and each
 * domain region is exactly one PDPT entry (1 GiB, 1 GiB aligned), so a
 * per-domain page table can share the shared heap's page directories and
 * differ from its peers in one PDPT slot.
 */
#pragma once

#include <stdint.h>

#include "base/compiler.h"

#define LAYOUT_PAGE_SIZE 4096ull

/* Shared heap: one range, the same in every domain. */
#define SHEAP_BASE 0x0000001000000000ull /* 64 GiB */
#define SHEAP_SIZE 0x0000001000000000ull /* 64 GiB */
#define SHEAP_END (SHEAP_BASE + SHEAP_SIZE)

/* Domain regions: slot i spans [dom_region_base(i), +DOM_REGION_SIZE). */
#define DOM_REGION_BASE 0x0000004000000000ull /* 256 GiB */
#define DOM_REGION_SIZE (1ull << 30)	      /* 1 GiB */
#define DOM_MAX 64u
#define DOM_REGION_END (DOM_REGION_BASE + DOM_MAX * DOM_REGION_SIZE)

/* The ELF image occupies [0, DOM_IMAGE_MAX) of its region. */
#define DOM_IMAGE_MAX (256ull << 20) /* 256 MiB */

BUILD_ASSERT(SHEAP_END <= DOM_REGION_BASE);
BUILD_ASSERT(DOM_REGION_END <= 0x0000008000000000ull); /* PML4 entry 0 */
BUILD_ASSERT(DOM_REGION_BASE % DOM_REGION_SIZE == 0);
BUILD_ASSERT(DOM_IMAGE_MAX < DOM_REGION_SIZE);
BUILD_ASSERT(DOM_IMAGE_MAX % LAYOUT_PAGE_SIZE == 0);

/*
 * Inside a region, above the image (the loader's part of the ABI):
 * thread stacks, then the private heap that SYS_MEM_MAP hands out.
 */
#define DOM_STACKS_OFF DOM_IMAGE_MAX /* 256 MiB */
#define DOM_STACK_SLOT (1ull << 20)  /* one per thread */
#define DOM_STACK_SIZE (64ull << 10) /* top of each slot */
#define DOM_STACK_SLOTS 256u
#define DOM_HEAP_OFF (DOM_STACKS_OFF + DOM_STACK_SLOTS * DOM_STACK_SLOT)
#define DOM_HEAP_END DOM_REGION_SIZE
BUILD_ASSERT(DOM_HEAP_OFF < DOM_HEAP_END);

/* Base address of domain slot @slot; the caller keeps slot < DOM_MAX. */
static inline uint64_t dom_region_base(unsigned int slot)
{
	return DOM_REGION_BASE + (uint64_t)slot * DOM_REGION_SIZE;
}
