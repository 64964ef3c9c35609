/* SPDX-License-Identifier: MIT */
/*
 * Kernel heap. Small objects (up to HEAP_SLAB_MAX bytes) come from one-page
 * slabs per power-of-two size class; larger ones get whole pages with a
 * small header. Both kinds are recognised on free by a header at the start
 * of their page. Bytes and pages in use are counted for leak checks.
 *
 * The core works on a struct heap with a page provider, so host tests run it
 * over malloc'd pages; the kernel's instance sits behind kmalloc()/kfree().
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/compiler.h"
#include "base/list.h"
#include "spinlock.h"

#define HEAP_PAGE_SIZE 4096
#define HEAP_MIN_SHIFT 4 /* 16-byte class */
#define HEAP_NCLASSES 7	 /* 16 .. 1024 */
#define HEAP_SLAB_MAX (1u << (HEAP_MIN_SHIFT + HEAP_NCLASSES - 1))
#define HEAP_HDR_SIZE 64

struct heap_page_ops {
	/* @n contiguous, page-aligned pages, or NULL. */
	void *(*alloc)(size_t n);
	void (*free)(void *p, size_t n);
};

struct heap_stats {
	size_t bytes_in_use; /* rounded up to the size class / pages */
	size_t pages;	     /* pages held from the page provider */
	size_t allocs;	     /* live allocations */
	size_t slabs[HEAP_NCLASSES];
};

struct heap {
	struct spinlock lock;
	const struct heap_page_ops *ops;
	/* Protected by lock: */
	struct list_head partial[HEAP_NCLASSES]; /* slabs with room */
	struct heap_stats st;
};

void heap_core_init(struct heap *h, const struct heap_page_ops *ops);
/* NULL on size 0, overflow or exhausted pages. */
void *heap_core_alloc(struct heap *h, size_t size);
/*
 * Free an object from heap_core_alloc(). Returns -EINVAL (and changes
 * nothing) for a pointer the heap did not hand out or already freed.
 */
int heap_core_free(struct heap *h, void *p);
/* Usable size of an allocated object, 0 if @p is not one. */
size_t heap_core_size(struct heap *h, const void *p);
void heap_core_stats(struct heap *h, struct heap_stats *st);

#ifndef CORDON_HOST
void heap_init(void);
void *kmalloc(size_t size);
void *kzalloc(size_t size);
void *kcalloc(size_t n, size_t size);
/* Free kmalloc() memory; a bad or double free panics (kernel bug). */
void kfree(void *p);
void heap_stats(struct heap_stats *st);
#endif
