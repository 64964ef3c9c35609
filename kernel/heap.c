// SPDX-License-Identifier: MIT
/*
 * Kernel heap core (see heap.h). A slab page starts with a struct slab
 * header (one allocation bit per object, so a double free is caught), then
 * the objects. A large allocation starts with a struct large_hdr and the
 * caller's bytes follow it. kheap.c holds the kernel's instance.
 */
#include "heap.h"

#include "abi/errno.h"

#define SLAB_MAGIC 0x534c4142u	/* "SLAB" */
#define LARGE_MAGIC 0x4c524745u /* "LRGE" */
#define SLAB_BITMAP_WORDS 4

struct slab {
	uint32_t magic;
	uint16_t cls;
	uint16_t nfree;
	uint16_t nobj;
	uint16_t pad[3];
	struct list_head link; /* in heap.partial[cls] while nfree > 0 */
	uint64_t used[SLAB_BITMAP_WORDS];
};
BUILD_ASSERT(sizeof(struct slab) == HEAP_HDR_SIZE);
BUILD_ASSERT((HEAP_PAGE_SIZE - HEAP_HDR_SIZE) / (1 << HEAP_MIN_SHIFT) <=
	     SLAB_BITMAP_WORDS * 64);

struct large_hdr {
	uint32_t magic;
	uint32_t pad;
	size_t pages;
	size_t requested;
	uint64_t rsvd[5];
};
BUILD_ASSERT(sizeof(struct large_hdr) == HEAP_HDR_SIZE);

static size_t class_size(unsigned int cls)
{
	return (size_t)1 << (HEAP_MIN_SHIFT + cls);
}

static unsigned int size_to_class(size_t size)
{
	unsigned int cls = 0;

	while (class_size(cls) < size) {
		cls++;
	}
	return cls;
}

void heap_core_init(struct heap *h, const struct heap_page_ops *ops)
{
	spin_init(&h->lock, "heap");
	h->ops = ops;
	for (int i = 0; i < HEAP_NCLASSES; i++) {
		list_init(&h->partial[i]);
	}
	h->st = (struct heap_stats){0};
}

static struct slab *slab_new(struct heap *h, unsigned int cls)
{
	struct slab *s = h->ops->alloc(1);

	if (!s) {
		return NULL;
	}
	s->magic = SLAB_MAGIC;
	s->cls = (uint16_t)cls;
	s->nobj =
		(uint16_t)((HEAP_PAGE_SIZE - HEAP_HDR_SIZE) / class_size(cls));
	s->nfree = s->nobj;
	for (int i = 0; i < SLAB_BITMAP_WORDS; i++) {
		s->used[i] = 0;
	}
	list_init(&s->link);
	h->st.pages++;
	h->st.slabs[cls]++;
	return s;
}

static void *slab_take(struct slab *s)
{
	for (unsigned int w = 0; w < SLAB_BITMAP_WORDS; w++) {
		uint64_t freebits = ~s->used[w];

		while (freebits) {
			unsigned int b =
				(unsigned int)__builtin_ctzll(freebits);
			unsigned int idx = w * 64 + b;

			if (idx >= s->nobj) {
				return NULL;
			}
			s->used[w] |= 1ull << b;
			s->nfree--;
			return (char *)s + HEAP_HDR_SIZE +
			       (size_t)idx * class_size(s->cls);
		}
	}
	return NULL;
}

static void *alloc_large(struct heap *h, size_t size)
{
	size_t pages;
	struct large_hdr *l;

	if (size > ((size_t)1 << 40)) {
		return NULL;
	}
	pages = (size + HEAP_HDR_SIZE + HEAP_PAGE_SIZE - 1) / HEAP_PAGE_SIZE;
	l = h->ops->alloc(pages);
	if (!l) {
		return NULL;
	}
	l->magic = LARGE_MAGIC;
	l->pages = pages;
	l->requested = size;
	h->st.pages += pages;
	h->st.bytes_in_use += pages * HEAP_PAGE_SIZE - HEAP_HDR_SIZE;
	h->st.allocs++;
	return l + 1;
}

void *heap_core_alloc(struct heap *h, size_t size)
{
	unsigned int cls;
	struct slab *s;
	void *p;

	if (size == 0) {
		return NULL;
	}
	spin_lock(&h->lock);
	if (size > HEAP_SLAB_MAX) {
		p = alloc_large(h, size);
		spin_unlock(&h->lock);
		return p;
	}
	cls = size_to_class(size);
	if (list_empty(&h->partial[cls])) {
		s = slab_new(h, cls);
		if (!s) {
			spin_unlock(&h->lock);
			return NULL;
		}
		list_push_front(&h->partial[cls], &s->link);
	} else {
		s = list_first_entry(&h->partial[cls], struct slab, link);
	}
	p = slab_take(s);
	if (s->nfree == 0) {
		list_unlink(&s->link);
	}
	h->st.bytes_in_use += class_size(cls);
	h->st.allocs++;
	spin_unlock(&h->lock);
	return p;
}

/* Locate the header of @p; returns its magic, or 0 if none is valid. */
static uint32_t header_of(const void *p, void **hdr)
{
	uintptr_t page = (uintptr_t)p & ~(uintptr_t)(HEAP_PAGE_SIZE - 1);
	const struct slab *s = (const struct slab *)page;

	*hdr = (void *)page;
	if ((uintptr_t)p - page < HEAP_HDR_SIZE) {
		return 0;
	}
	if (s->magic == SLAB_MAGIC || s->magic == LARGE_MAGIC) {
		return s->magic;
	}
	return 0;
}

/* Object index of @p in @s, or -1 when @p is not an object start. */
static int slab_index(const struct slab *s, const void *p)
{
	size_t off =
		(size_t)((const char *)p - (const char *)s) - HEAP_HDR_SIZE;
	size_t sz;

	if (s->cls >= HEAP_NCLASSES) {
		return -1;
	}
	sz = class_size(s->cls);
	if (off % sz != 0 || off / sz >= s->nobj) {
		return -1;
	}
	return (int)(off / sz);
}

int heap_core_free(struct heap *h, void *p)
{
	void *hdr;
	uint32_t magic;

	if (!p) {
		return 0;
	}
	spin_lock(&h->lock);
	magic = header_of(p, &hdr);
	if (magic == LARGE_MAGIC) {
		struct large_hdr *l = hdr;

		if (p != (void *)(l + 1)) {
			goto bad;
		}
		l->magic = 0;
		h->st.pages -= l->pages;
		h->st.bytes_in_use -= l->pages * HEAP_PAGE_SIZE - HEAP_HDR_SIZE;
		h->st.allocs--;
		spin_unlock(&h->lock);
		h->ops->free(l, l->pages);
		return 0;
	}
	if (magic == SLAB_MAGIC) {
		struct slab *s = hdr;
		int idx = slab_index(s, p);
		uint64_t bit;

		if (idx < 0) {
			goto bad;
		}
		bit = 1ull << (idx % 64);
		if (!(s->used[idx / 64] & bit)) {
			goto bad; /* double free */
		}
		s->used[idx / 64] &= ~bit;
		if (s->nfree++ == 0) {
			list_push_front(&h->partial[s->cls], &s->link);
		}
		h->st.bytes_in_use -= class_size(s->cls);
		h->st.allocs--;
		if (s->nfree == s->nobj) {
			list_unlink(&s->link);
			s->magic = 0;
			h->st.pages--;
			h->st.slabs[s->cls]--;
			spin_unlock(&h->lock);
			h->ops->free(s, 1);
			return 0;
		}
		spin_unlock(&h->lock);
		return 0;
	}
bad:
	spin_unlock(&h->lock);
	return -EINVAL;
}

size_t heap_core_size(struct heap *h, const void *p)
{
	void *hdr;
	uint32_t magic;
	size_t r = 0;

	spin_lock(&h->lock);
	magic = header_of(p, &hdr);
	if (magic == LARGE_MAGIC) {
		struct large_hdr *l = hdr;

		if (p == (void *)(l + 1)) {
			r = l->pages * HEAP_PAGE_SIZE - HEAP_HDR_SIZE;
		}
	} else if (magic == SLAB_MAGIC) {
		struct slab *s = hdr;
		int idx = slab_index(s, p);

		if (idx >= 0 && (s->used[idx / 64] & (1ull << (idx % 64)))) {
			r = class_size(s->cls);
		}
	}
	spin_unlock(&h->lock);
	return r;
}

void heap_core_stats(struct heap *h, struct heap_stats *st)
{
	spin_lock(&h->lock);
	*st = h->st;
	spin_unlock(&h->lock);
}
