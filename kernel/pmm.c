// SPDX-License-Identifier: MIT
/*
 * Frame allocator core (see pmm.h): a bitmap, one bit per frame, with a
 * rotating search hint so that successive allocations do not rescan the
 * same full words. Contiguous runs are found by a first-fit scan. The
 * kernel-side setup from the boot memory map lives in pmm_boot.c.
 */
#include "pmm.h"

#include "abi/errno.h"

#define BITS_PER_WORD 64

static bool bit_test(const struct pmm *p, pfn_t f)
{
	return (p->bitmap[f / BITS_PER_WORD] >> (f % BITS_PER_WORD)) & 1;
}

static void bit_set(struct pmm *p, pfn_t f)
{
	p->bitmap[f / BITS_PER_WORD] |= 1ull << (f % BITS_PER_WORD);
}

static void bit_clear(struct pmm *p, pfn_t f)
{
	p->bitmap[f / BITS_PER_WORD] &= ~(1ull << (f % BITS_PER_WORD));
}

void pmm_core_init(struct pmm *p, uint64_t *bitmap, size_t nframes)
{
	size_t words = DIV_ROUND_UP(nframes, BITS_PER_WORD);

	spin_init(&p->lock, "pmm");
	p->bitmap = bitmap;
	p->nframes = nframes;
	p->total = 0;
	p->free = 0;
	p->hint = 0;
	for (size_t i = 0; i < words; i++) {
		bitmap[i] = ~0ull;
	}
}

void pmm_core_add(struct pmm *p, pfn_t pfn, size_t n)
{
	spin_lock(&p->lock);
	for (pfn_t f = pfn; f < p->nframes && f - pfn < n; f++) {
		if (bit_test(p, f)) {
			bit_clear(p, f);
			p->total++;
			p->free++;
		}
	}
	spin_unlock(&p->lock);
}

void pmm_core_reserve(struct pmm *p, pfn_t pfn, size_t n)
{
	spin_lock(&p->lock);
	for (pfn_t f = pfn; f < p->nframes && f - pfn < n; f++) {
		if (!bit_test(p, f)) {
			bit_set(p, f);
			p->total--;
			p->free--;
		}
	}
	spin_unlock(&p->lock);
}

/* Single frame: first clear bit from the hint, wrapping once. */
static int alloc_one(struct pmm *p, pfn_t *out)
{
	size_t words = DIV_ROUND_UP(p->nframes, BITS_PER_WORD);

	for (size_t k = 0; k < words; k++) {
		size_t w = (p->hint + k) % words;
		uint64_t inv = ~p->bitmap[w];

		if (inv) {
			pfn_t f =
				w * BITS_PER_WORD + (pfn_t)__builtin_ctzll(inv);

			if (f >= p->nframes) {
				continue;
			}
			bit_set(p, f);
			p->hint = w;
			*out = f;
			return 0;
		}
	}
	return -ENOMEM;
}

/* Contiguous run of n frames, aligned: first fit from frame 0. */
static int alloc_run(struct pmm *p, size_t n, size_t align, pfn_t *out)
{
	pfn_t f = 0;

	while (f + n <= p->nframes) {
		size_t run = 0;

		/* Skip whole used words quickly. */
		if (f % BITS_PER_WORD == 0 &&
		    p->bitmap[f / BITS_PER_WORD] == ~0ull) {
			f += BITS_PER_WORD;
			f = ALIGN_UP(f, (pfn_t)align);
			continue;
		}
		while (run < n && !bit_test(p, f + run)) {
			run++;
		}
		if (run == n) {
			for (size_t i = 0; i < n; i++) {
				bit_set(p, f + i);
			}
			*out = f;
			return 0;
		}
		f = ALIGN_UP(f + run + 1, (pfn_t)align);
	}
	return -ENOMEM;
}

int pmm_core_alloc(struct pmm *p, size_t n, size_t align, pfn_t *out)
{
	int err;

	if (n == 0 || align == 0 || (align & (align - 1)) != 0) {
		return -EINVAL;
	}
	spin_lock(&p->lock);
	if (n > p->free) {
		spin_unlock(&p->lock);
		return -ENOMEM;
	}
	if (n == 1 && align == 1) {
		err = alloc_one(p, out);
	} else {
		err = alloc_run(p, n, align, out);
	}
	if (!err) {
		p->free -= n;
	}
	spin_unlock(&p->lock);
	return err;
}

int pmm_core_free(struct pmm *p, pfn_t pfn, size_t n)
{
	spin_lock(&p->lock);
	if (pfn >= p->nframes || n > p->nframes - pfn) {
		spin_unlock(&p->lock);
		return -EINVAL;
	}
	/* Validate the whole run before changing anything. */
	for (size_t i = 0; i < n; i++) {
		if (!bit_test(p, pfn + i)) {
			spin_unlock(&p->lock);
			return -EINVAL;
		}
	}
	for (size_t i = 0; i < n; i++) {
		bit_clear(p, pfn + i);
	}
	p->free += n;
	spin_unlock(&p->lock);
	return 0;
}

bool pmm_core_is_free(struct pmm *p, pfn_t pfn)
{
	bool r;

	spin_lock(&p->lock);
	r = pfn < p->nframes && !bit_test(p, pfn);
	spin_unlock(&p->lock);
	return r;
}

void pmm_core_stats(struct pmm *p, struct pmm_stats *st)
{
	spin_lock(&p->lock);
	st->total_pages = p->total;
	st->free_pages = p->free;
	st->used_pages = p->total - p->free;
	spin_unlock(&p->lock);
}
