// SPDX-License-Identifier: MIT
/*
 * A domain's private malloc(), calloc(), realloc() and free(): the
 * allocator core of lib/rt/heap.c behind one spinlock, taking its pages
 * from the kernel with SYS_MEM_MAP (read-write, zeroed, counted against
 * the manifest's memory quota) and giving them back with SYS_MEM_UNMAP.
 * A bad free() is a bug in the domain and ends it with dom_panic().
 *
 * FIXME: every slab page is its own SYS_MEM_MAP mapping; carving slabs out
 * of bigger mappings would save system calls once domains allocate a lot.
 */
#include "abi/errno.h"
#include "rt/heap.h"
#include "rt/lock.h"
#include "rt/rt.h"
#include "rt/syscall.h"

static struct rt_lock heap_lock;
/* Protected by heap_lock: */
static struct rt_heap heap;
static bool heap_ready;

static void *pages_map(void *ctx, size_t npages)
{
	void *p;

	if (sys_mem_map(npages, SYS_PROT_READ | SYS_PROT_WRITE, &p) != 0) {
		return NULL;
	}
	return p;
}

static void pages_unmap(void *ctx, void *pages, size_t npages)
{
	int err = sys_mem_unmap(pages, npages);

	if (err) {
		dom_panic("malloc: SYS_MEM_UNMAP(%p, %zu) failed: %d", pages,
			  npages, err);
	}
}

static const struct rt_page_ops pages_ops = {
	.map = pages_map,
	.unmap = pages_unmap,
};

/* Takes heap_lock, setting the heap up on first use. */
static struct rt_heap *heap_lock_get(void)
{
	rt_lock_acquire(&heap_lock);
	if (!heap_ready) {
		rt_heap_init(&heap, &pages_ops, NULL);
		heap_ready = true;
	}
	return &heap;
}

void *malloc(size_t size)
{
	struct rt_heap *h = heap_lock_get();
	void *p = rt_heap_alloc(h, size);

	rt_lock_release(&heap_lock);
	return p;
}

void *calloc(size_t n, size_t size)
{
	struct rt_heap *h = heap_lock_get();
	void *p = rt_heap_calloc(h, n, size);

	rt_lock_release(&heap_lock);
	return p;
}

void *realloc(void *p, size_t size)
{
	struct rt_heap *h = heap_lock_get();
	void *q = NULL;
	int err = rt_heap_realloc(h, p, size, &q);

	rt_lock_release(&heap_lock);
	if (err == -EINVAL) {
		dom_panic("realloc: %p is not a live allocation", p);
	}
	return err ? NULL : q;
}

void free(void *p)
{
	struct rt_heap *h;
	int err;

	if (!p) {
		return;
	}
	h = heap_lock_get();
	err = rt_heap_free(h, p);
	rt_lock_release(&heap_lock);
	if (err) {
		dom_panic("free: %p is not a live allocation (double free?)",
			  p);
	}
}

size_t malloc_usable_size(const void *p)
{
	struct rt_heap *h = heap_lock_get();
	size_t n = rt_heap_usable_size(h, p);

	rt_lock_release(&heap_lock);
	return n;
}

void malloc_stats(struct rt_heap_stats *st)
{
	struct rt_heap *h = heap_lock_get();

	rt_heap_stats(h, st);
	rt_lock_release(&heap_lock);
}
