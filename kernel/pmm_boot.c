// SPDX-License-Identifier: MIT
/*
 * The kernel's frame allocator instance, built from the multiboot2 memory
 * map: every RAM region is added, then the first megabyte (real-mode data,
 * the AP trampoline), the kernel image, the boot information, the modules
 * and the bitmap itself are reserved.
 */
#include "pmm.h"

#include "abi/errno.h"
#include "base/string.h"
#include "console.h"
#include "multiboot.h"
#include "panic.h"

#define LOW_RESERVED (1ul << 20)
#define BOOT_MAP_LIMIT (4ul << 30) /* boot.asm maps 0-4 GiB */

static struct pmm kpmm;
static paddr_t max_phys;

struct range {
	paddr_t start;
	paddr_t end;
};

static bool overlaps(paddr_t s, paddr_t e, const struct range *r, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s < r[i].end && r[i].start < e) {
			return true;
		}
	}
	return false;
}

void pmm_init(const struct boot_info *bi)
{
	struct range busy[BOOT_MODULES_MAX + 3];
	size_t nbusy = 0;
	size_t bitmap_bytes;
	paddr_t bitmap_pa = 0;

	for (size_t i = 0; i < bi->mmap_count; i++) {
		const struct boot_mem_region *r = &bi->mmap[i];

		if (r->type == BOOT_MEM_RAM && r->base + r->len > max_phys) {
			max_phys = r->base + r->len;
		}
	}
	if (max_phys == 0) {
		panic("boot memory map has no RAM");
	}
	if (max_phys > PHYS_MAP_MAX) {
		kprintf("warning: ignoring RAM above %lu GiB\n",
			PHYS_MAP_MAX >> 30);
		max_phys = PHYS_MAP_MAX;
	}
	max_phys = ALIGN_DOWN(max_phys, PAGE_SIZE);

	busy[nbusy++] = (struct range){0, LOW_RESERVED};
	busy[nbusy++] =
		(struct range){(paddr_t)__boot_start,
			       ALIGN_UP(virt_to_phys(__kernel_end), PAGE_SIZE)};
	busy[nbusy++] = (struct range){
		ALIGN_DOWN(bi->mbi_phys, PAGE_SIZE),
		ALIGN_UP(bi->mbi_phys + bi->mbi_size, PAGE_SIZE)};
	for (size_t i = 0; i < bi->module_count; i++) {
		busy[nbusy++] = (struct range){
			ALIGN_DOWN(bi->modules[i].start, PAGE_SIZE),
			ALIGN_UP(bi->modules[i].end, PAGE_SIZE)};
	}

	/* Place the bitmap in the first RAM gap that fits, below 4 GiB. */
	bitmap_bytes =
		ALIGN_UP(DIV_ROUND_UP(max_phys / PAGE_SIZE, 64) * 8, PAGE_SIZE);
	for (size_t i = 0; i < bi->mmap_count && !bitmap_pa; i++) {
		const struct boot_mem_region *r = &bi->mmap[i];
		paddr_t s = ALIGN_UP(r->base, PAGE_SIZE);
		paddr_t e = ALIGN_DOWN(r->base + r->len, PAGE_SIZE);

		if (r->type != BOOT_MEM_RAM) {
			continue;
		}
		for (; s + bitmap_bytes <= e &&
		       s + bitmap_bytes <= BOOT_MAP_LIMIT;
		     s += PAGE_SIZE) {
			if (!overlaps(s, s + bitmap_bytes, busy, nbusy)) {
				bitmap_pa = s;
				break;
			}
		}
	}
	if (!bitmap_pa) {
		panic("no room for the frame bitmap (%zu bytes)", bitmap_bytes);
	}

	pmm_core_init(&kpmm, phys_to_virt(bitmap_pa), max_phys / PAGE_SIZE);
	for (size_t i = 0; i < bi->mmap_count; i++) {
		const struct boot_mem_region *r = &bi->mmap[i];
		paddr_t s = ALIGN_UP(r->base, PAGE_SIZE);
		paddr_t e = ALIGN_DOWN(r->base + r->len, PAGE_SIZE);

		if (r->type == BOOT_MEM_RAM && e > s) {
			pmm_core_add(&kpmm, s / PAGE_SIZE, (e - s) / PAGE_SIZE);
		}
	}
	for (size_t i = 0; i < nbusy; i++) {
		pmm_core_reserve(&kpmm, busy[i].start / PAGE_SIZE,
				 (busy[i].end - busy[i].start) / PAGE_SIZE);
	}
	pmm_core_reserve(&kpmm, bitmap_pa / PAGE_SIZE,
			 bitmap_bytes / PAGE_SIZE);
}

int pmm_alloc(size_t n, paddr_t *out)
{
	pfn_t pfn;
	int err = pmm_core_alloc(&kpmm, n, 1, &pfn);

	if (!err) {
		*out = pfn * PAGE_SIZE;
	}
	return err;
}

void pmm_free(paddr_t pa, size_t n)
{
	int err = pmm_core_free(&kpmm, pa / PAGE_SIZE, n);

	/* A double free is kernel-state corruption. */
	if (err || !IS_ALIGNED(pa, PAGE_SIZE)) {
		panic("pmm_free(%#lx, %zu): not an allocated run", pa, n);
	}
}

void *page_alloc(void)
{
	paddr_t pa;
	void *va;

	if (pmm_alloc(1, &pa)) {
		return NULL;
	}
	va = phys_to_virt(pa);
	memset(va, 0, PAGE_SIZE);
	return va;
}

void page_free(void *va)
{
	pmm_free(virt_to_phys(va), 1);
}

void pmm_stats(struct pmm_stats *st)
{
	pmm_core_stats(&kpmm, st);
}

size_t pmm_free_pages(void)
{
	struct pmm_stats st;

	pmm_stats(&st);
	return st.free_pages;
}

paddr_t pmm_max_phys(void)
{
	return max_phys;
}
