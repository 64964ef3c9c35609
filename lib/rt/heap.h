/* SPDX-License-Identifier: MIT */
/*
 * The allocator core behind a domain's malloc() (lib/rt/malloc.c), kept
 * free of system calls and locks so that host tests run it over a fake
 * page source (tests/unit/test_rt_heap.c).
 *
 * Small requests (up to RT_HEAP_SMALL_MAX bytes) are rounded up to a
 * power-of-two size class and served from one-page slabs: a 64-byte header
 * at the start of the page, then equal objects tracked by a bitmap. Larger
 * requests get their own run of pages with a 32-byte header. Either way
 * the header sits at the start of the page that holds the object's first
 * byte, so free() finds it by rounding the pointer down. Every pointer
 * handed out is 16-byte aligned. One empty slab per class is kept to avoid
 * mapping and unmapping a page on every alloc/free pair; other empty slabs
 * and every freed large run go back to the page source at once.
 *
 * Not thread-safe: the caller serialises calls on one heap.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/compiler.h"
#include "base/list.h"

#define RT_HEAP_PAGE 4096u
#define RT_HEAP_ALIGN 16u
#define RT_HEAP_MIN_SHIFT 4 /* 16-byte class */
#define RT_HEAP_NCLASSES 7  /* 16, 32, ..., 1024 */
#define RT_HEAP_SMALL_MAX (1u << (RT_HEAP_MIN_SHIFT + RT_HEAP_NCLASSES - 1))
#define RT_HEAP_SLAB_HDR 64u
#define RT_HEAP_LARGE_HDR 32u
/* Requests above this fail: no domain region could hold them. */
#define RT_HEAP_MAX_ALLOC (1ull << 30)
/* Empty slabs kept per class before pages go back to the page source. */
#define RT_HEAP_KEEP_EMPTY 1u

/* Where the heap gets its pages from. */
struct rt_page_ops {
	/* @npages contiguous, page-aligned, writable pages, or NULL. */
	void *(*map)(void *ctx, size_t npages);
	/* Returns exactly a run that map() handed out. */
	void (*unmap)(void *ctx, void *pages, size_t npages);
};

struct rt_heap_stats {
	size_t bytes;  /* in use, rounded up to the class or usable size */
	size_t allocs; /* live allocations */
	size_t pages;  /* pages held from the page source */
	size_t slabs;  /* slab pages among them */
	size_t maps;   /* map() calls so far */
	size_t unmaps; /* unmap() calls so far */
};

struct rt_heap {
	/* Immutable after rt_heap_init(): */
	const struct rt_page_ops *ops;
	void *ctx;
	/* Slabs with at least one free object, per class: */
	struct list_head partial[RT_HEAP_NCLASSES];
	uint32_t empty[RT_HEAP_NCLASSES]; /* wholly free slabs kept */
	struct rt_heap_stats st;
};

/* Sets up an empty heap that takes pages from @ops (called with @ctx). */
void rt_heap_init(struct rt_heap *h, const struct rt_page_ops *ops, void *ctx);

/*
 * Returns @size bytes (a unique pointer for 0), 16-byte aligned, or NULL
 * if @size exceeds RT_HEAP_MAX_ALLOC or the page source refuses.
 */
void *rt_heap_alloc(struct rt_heap *h, size_t size);

/* Like rt_heap_alloc() for @n * @size zeroed bytes; NULL on overflow. */
void *rt_heap_calloc(struct rt_heap *h, size_t n, size_t size);

/*
 * Frees @p from this heap (NULL is a no-op). Returns 0, or -EINVAL and
 * changes nothing when @p is not a live allocation of this heap: a double
 * free, an interior pointer, or a pointer into a slab or large header.
 * A pointer into memory that is not mapped at all faults.
 */
int rt_heap_free(struct rt_heap *h, void *p);

/*
 * C realloc(): resizes @p to @size bytes, keeping the first
 * min(old, @size) bytes, and stores the (possibly moved) pointer in @out.
 * @p NULL allocates; @size 0 frees @p and stores NULL. Returns 0; -ENOMEM
 * (@p untouched and still valid); -EINVAL for a bad @p (as rt_heap_free()).
 */
int __must_check rt_heap_realloc(struct rt_heap *h, void *p, size_t size,
				 void **out);

/* Usable bytes at @p (at least what was asked for); 0 if @p is not live. */
size_t rt_heap_usable_size(struct rt_heap *h, const void *p);

/* A snapshot of @h's counters. */
void rt_heap_stats(const struct rt_heap *h, struct rt_heap_stats *st);
