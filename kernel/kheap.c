// SPDX-License-Identifier: MIT
/* The kernel's heap instance over the frame allocator (see heap.h). */
#include "heap.h"

#include "arch/x86_64/vm.h"
#include "base/string.h"
#include "panic.h"
#include "pmm.h"

static void *kheap_pages_alloc(size_t n)
{
	paddr_t pa;

	if (pmm_alloc(n, &pa)) {
		return NULL;
	}
	return phys_to_virt(pa);
}

static void kheap_pages_free(void *p, size_t n)
{
	pmm_free(virt_to_phys(p), n);
}

static const struct heap_page_ops kheap_ops = {
	.alloc = kheap_pages_alloc,
	.free = kheap_pages_free,
};

static struct heap kheap;

void heap_init(void)
{
	heap_core_init(&kheap, &kheap_ops);
}

void *kmalloc(size_t size)
{
	return heap_core_alloc(&kheap, size);
}

void *kzalloc(size_t size)
{
	void *p = heap_core_alloc(&kheap, size);

	if (p) {
		memset(p, 0, size);
	}
	return p;
}

void *kcalloc(size_t n, size_t size)
{
	if (size && n > SIZE_MAX / size) {
		return NULL;
	}
	return kzalloc(n * size);
}

void kfree(void *p)
{
	if (heap_core_free(&kheap, p)) {
		panic("kfree(%p): not a live heap object", p);
	}
}

void heap_stats(struct heap_stats *st)
{
	heap_core_stats(&kheap, st);
}
