// SPDX-License-Identifier: MIT
/*
 * The allocator core behind a domain's malloc(): power-of-two slabs for
 * small objects, page runs for large ones (design in lib/rt/heap.h). Pure
 * logic over a page source; lib/rt/malloc.c adds the lock and the system
 * calls, tests/unit/test_rt_heap.c runs it on the host.
 *
 * Validation: free() and realloc() trust nothing about the pointer beyond
 * "its page is mapped". The header at the start of that page must carry
 * the right magic and a check word tied to the page address and to this
 * heap, and the pointer must be exactly a live object's start (for slabs
 * the bitmap says which objects are live). So double frees, interior
 * pointers and pointers from another heap are refused with -EINVAL.
 */
#include "rt/heap.h"

#include "abi/errno.h"

#define PAGE RT_HEAP_PAGE
#define SLAB_MAGIC 0x42414c53u	/* "SLAB" in memory order */
#define LARGE_MAGIC 0x4752414cu /* "LARG" in memory order */
#define CHECK_SALT 0x9e3779b97f4a7c15ull
#define SLAB_MAX_OBJS 256u

/* Header of a one-page slab; objects follow it. */
struct slab {
	uint32_t magic; /* SLAB_MAGIC while the slab is live */
	uint16_t cls;
	uint16_t nfree;
	uint64_t check;	       /* header_check(heap, page, magic) */
	struct list_head link; /* in heap->partial[cls] iff nfree > 0 */
	uint64_t used[SLAB_MAX_OBJS / 64]; /* bit set: allocated or absent */
};
BUILD_ASSERT(sizeof(struct slab) == RT_HEAP_SLAB_HDR);
BUILD_ASSERT((PAGE - RT_HEAP_SLAB_HDR) >> RT_HEAP_MIN_SHIFT <= SLAB_MAX_OBJS);
BUILD_ASSERT(RT_HEAP_SLAB_HDR % RT_HEAP_ALIGN == 0);

/* Header of a large allocation; the object follows it. */
struct large {
	uint32_t magic; /* LARGE_MAGIC while the allocation is live */
	uint32_t reserved;
	uint64_t check; /* header_check(heap, page, magic) */
	uint64_t npages;
	uint64_t reserved2;
};
BUILD_ASSERT(sizeof(struct large) == RT_HEAP_LARGE_HDR);
BUILD_ASSERT(RT_HEAP_LARGE_HDR % RT_HEAP_ALIGN == 0);

/* What a pointer turned out to be. */
struct where {
	struct slab *slab;   /* small object: its slab ... */
	unsigned int idx;    /* ... and index */
	struct large *large; /* large object: its header */
};

static uint64_t header_check(const struct rt_heap *h, const void *page,
			     uint32_t magic)
{
	return ((uintptr_t)page ^ (uintptr_t)h ^ CHECK_SALT) + magic;
}

static unsigned int size_class(size_t size)
{
	if (size <= (1u << RT_HEAP_MIN_SHIFT)) {
		return 0;
	}
	return (unsigned int)(64 - __builtin_clzll((uint64_t)size - 1)) -
	       RT_HEAP_MIN_SHIFT;
}

static size_t class_size(unsigned int cls)
{
	return (size_t)1 << (cls + RT_HEAP_MIN_SHIFT);
}

static unsigned int class_objs(unsigned int cls)
{
	return (unsigned int)((PAGE - RT_HEAP_SLAB_HDR) / class_size(cls));
}

static size_t large_pages(size_t size)
{
	return DIV_ROUND_UP(size + RT_HEAP_LARGE_HDR, PAGE);
}

void rt_heap_init(struct rt_heap *h, const struct rt_page_ops *ops, void *ctx)
{
	__builtin_memset(h, 0, sizeof(*h));
	h->ops = ops;
	h->ctx = ctx;
	for (unsigned int i = 0; i < RT_HEAP_NCLASSES; i++) {
		list_init(&h->partial[i]);
	}
}

/* Maps and links a new empty slab for class @cls; NULL if out of pages. */
static struct slab *slab_new(struct rt_heap *h, unsigned int cls)
{
	unsigned int nobj = class_objs(cls);
	struct slab *s;

	s = h->ops->map(h->ctx, 1);
	h->st.maps++;
	if (!s) {
		return NULL;
	}
	s->magic = SLAB_MAGIC;
	s->cls = (uint16_t)cls;
	s->nfree = (uint16_t)nobj;
	s->check = header_check(h, s, SLAB_MAGIC);
	/* Objects that do not exist are marked used forever. */
	for (unsigned int i = 0; i < SLAB_MAX_OBJS; i++) {
		uint64_t bit = 1ull << (i % 64);

		if (i < nobj) {
			s->used[i / 64] &= ~bit;
		} else {
			s->used[i / 64] |= bit;
		}
	}
	list_init(&s->link);
	list_push_back(&h->partial[cls], &s->link);
	h->empty[cls]++;
	h->st.pages++;
	h->st.slabs++;
	return s;
}

static void *slab_alloc(struct rt_heap *h, unsigned int cls)
{
	struct slab *s;
	unsigned int idx = 0;

	if (list_empty(&h->partial[cls])) {
		s = slab_new(h, cls);
		if (!s) {
			return NULL;
		}
	} else {
		s = list_first_entry(&h->partial[cls], struct slab, link);
	}
	if (s->nfree == class_objs(cls)) {
		h->empty[cls]--;
	}
	for (unsigned int w = 0; w < ARRAY_SIZE(s->used); w++) {
		if (~s->used[w]) {
			idx = w * 64 +
			      (unsigned int)__builtin_ctzll(~s->used[w]);
			break;
		}
	}
	/* A slab on the partial list has a free object below nobj. */
	s->used[idx / 64] |= 1ull << (idx % 64);
	s->nfree--;
	if (s->nfree == 0) {
		list_unlink(&s->link);
	}
	h->st.bytes += class_size(cls);
	h->st.allocs++;
	return (char *)s + RT_HEAP_SLAB_HDR + idx * class_size(cls);
}

static void slab_free(struct rt_heap *h, struct slab *s, unsigned int idx)
{
	unsigned int cls = s->cls;

	s->used[idx / 64] &= ~(1ull << (idx % 64));
	s->nfree++;
	h->st.bytes -= class_size(cls);
	h->st.allocs--;
	if (s->nfree == 1) {
		/* It was full: allocations may use it again. */
		list_push_front(&h->partial[cls], &s->link);
	}
	if (s->nfree < class_objs(cls)) {
		return;
	}
	if (h->empty[cls] >= RT_HEAP_KEEP_EMPTY) {
		list_unlink(&s->link);
		s->magic = 0;
		s->check = 0;
		h->ops->unmap(h->ctx, s, 1);
		h->st.unmaps++;
		h->st.pages--;
		h->st.slabs--;
		return;
	}
	/* Keep it, behind the partly used slabs so those fill up first. */
	h->empty[cls]++;
	list_unlink(&s->link);
	list_push_back(&h->partial[cls], &s->link);
}

static void *large_alloc(struct rt_heap *h, size_t size)
{
	size_t npages = large_pages(size);
	struct large *l;

	l = h->ops->map(h->ctx, npages);
	h->st.maps++;
	if (!l) {
		return NULL;
	}
	l->magic = LARGE_MAGIC;
	l->reserved = 0;
	l->check = header_check(h, l, LARGE_MAGIC);
	l->npages = npages;
	l->reserved2 = 0;
	h->st.pages += npages;
	h->st.bytes += npages * PAGE - RT_HEAP_LARGE_HDR;
	h->st.allocs++;
	return (char *)l + RT_HEAP_LARGE_HDR;
}

static void large_free(struct rt_heap *h, struct large *l)
{
	size_t npages = l->npages;

	l->magic = 0;
	l->check = 0;
	h->st.pages -= npages;
	h->st.bytes -= npages * PAGE - RT_HEAP_LARGE_HDR;
	h->st.allocs--;
	h->ops->unmap(h->ctx, l, npages);
	h->st.unmaps++;
}

/*
 * Finds out what @p is. Returns true and fills @w for a live allocation
 * of @h, false for anything else. Reads only the page @p points into.
 */
static bool lookup(const struct rt_heap *h, const void *p, struct where *w)
{
	uintptr_t a = (uintptr_t)p;
	uintptr_t page = ALIGN_DOWN(a, (uintptr_t)PAGE);
	uint32_t magic;

	if (!p || !IS_ALIGNED(a, (uintptr_t)RT_HEAP_ALIGN) || a == page) {
		return false;
	}
	magic = *(const uint32_t *)page;
	if (magic == SLAB_MAGIC) {
		struct slab *s = (struct slab *)page;
		size_t off;
		size_t size;
		unsigned int idx;

		if (s->check != header_check(h, s, SLAB_MAGIC) ||
		    s->cls >= RT_HEAP_NCLASSES || a - page < RT_HEAP_SLAB_HDR) {
			return false;
		}
		size = class_size(s->cls);
		off = a - page - RT_HEAP_SLAB_HDR;
		if (off % size != 0 || off / size >= class_objs(s->cls)) {
			return false;
		}
		idx = (unsigned int)(off / size);
		if (!(s->used[idx / 64] & (1ull << (idx % 64)))) {
			return false; /* already free */
		}
		w->slab = s;
		w->idx = idx;
		w->large = NULL;
		return true;
	}
	if (magic == LARGE_MAGIC) {
		struct large *l = (struct large *)page;

		if (l->check != header_check(h, l, LARGE_MAGIC) ||
		    a != page + RT_HEAP_LARGE_HDR) {
			return false;
		}
		w->slab = NULL;
		w->idx = 0;
		w->large = l;
		return true;
	}
	return false;
}

static size_t where_usable(const struct where *w)
{
	if (w->slab) {
		return class_size(w->slab->cls);
	}
	return w->large->npages * PAGE - RT_HEAP_LARGE_HDR;
}

static void where_free(struct rt_heap *h, const struct where *w)
{
	if (w->slab) {
		slab_free(h, w->slab, w->idx);
	} else {
		large_free(h, w->large);
	}
}

void *rt_heap_alloc(struct rt_heap *h, size_t size)
{
	if (size <= RT_HEAP_SMALL_MAX) {
		return slab_alloc(h, size_class(size));
	}
	if (size > RT_HEAP_MAX_ALLOC) {
		return NULL;
	}
	return large_alloc(h, size);
}

void *rt_heap_calloc(struct rt_heap *h, size_t n, size_t size)
{
	size_t total;
	void *p;

	if (__builtin_mul_overflow(n, size, &total)) {
		return NULL;
	}
	p = rt_heap_alloc(h, total);
	if (p) {
		__builtin_memset(p, 0, total);
	}
	return p;
}

int rt_heap_free(struct rt_heap *h, void *p)
{
	struct where w;

	if (!p) {
		return 0;
	}
	if (!lookup(h, p, &w)) {
		return -EINVAL;
	}
	where_free(h, &w);
	return 0;
}

/* True if an allocation of @size would land in the same slot kind as @w. */
static bool same_bucket(const struct where *w, size_t size)
{
	if (w->slab) {
		return size <= RT_HEAP_SMALL_MAX &&
		       size_class(size) == w->slab->cls;
	}
	return size > RT_HEAP_SMALL_MAX &&
	       large_pages(size) == w->large->npages;
}

int rt_heap_realloc(struct rt_heap *h, void *p, size_t size, void **out)
{
	struct where w;
	size_t usable;
	void *q;

	if (!p) {
		q = rt_heap_alloc(h, size);
		if (!q) {
			return -ENOMEM;
		}
		*out = q;
		return 0;
	}
	if (!lookup(h, p, &w)) {
		return -EINVAL;
	}
	if (size == 0) {
		where_free(h, &w);
		*out = NULL;
		return 0;
	}
	if (same_bucket(&w, size)) {
		*out = p;
		return 0;
	}
	usable = where_usable(&w);
	q = rt_heap_alloc(h, size);
	if (!q) {
		if (size <= usable) {
			/* A shrink that cannot move stays where it is. */
			*out = p;
			return 0;
		}
		return -ENOMEM;
	}
	__builtin_memcpy(q, p, MIN(usable, size));
	/* The allocation above may have changed slab lists, not @p's slot. */
	where_free(h, &w);
	*out = q;
	return 0;
}

size_t rt_heap_usable_size(struct rt_heap *h, const void *p)
{
	struct where w;

	if (!lookup(h, p, &w)) {
		return 0;
	}
	return where_usable(&w);
}

void rt_heap_stats(const struct rt_heap *h, struct rt_heap_stats *st)
{
	*st = h->st;
}
