// SPDX-License-Identifier: MIT
/*
 * ramblk's block store (ramblk.h): formatting the state area, block copies
 * and batched requests. Pure logic on memory: no system calls, so the
 * host tests run it as it is. Everything that comes from a caller (lba,
 * buffers, every field of a request deque) is checked before it is used;
 * bad input gets -EINVAL, never a fault.
 */
#include "domains/ramblk/ramblk.h"

#include "abi/errno.h"
#include "base/string.h"

static bool hdr_is_valid(const struct ramblk_hdr *h)
{
	return h->magic == RAMBLK_MAGIC && h->layout == RAMBLK_LAYOUT &&
	       h->block_size == RAMBLK_BLOCK_SIZE &&
	       h->nblocks == RAMBLK_NBLOCKS;
}

/*
 * Zeroes every block and writes a fresh header, magic last: until the
 * magic is in place the store counts as unformatted, so a failure half-way
 * through is redone by the next instance. (A new service's area is zero
 * already; the blocks are zeroed anyway for a store whose header was bad.)
 */
static void format(struct ramblk *rb)
{
	struct ramblk_hdr *h = rb->hdr;

	WRITE_ONCE(h->magic, 0);
	barrier();
	memset(rb->blocks, 0, (size_t)RAMBLK_NBLOCKS * RAMBLK_BLOCK_SIZE);
	h->layout = RAMBLK_LAYOUT;
	h->block_size = RAMBLK_BLOCK_SIZE;
	h->nblocks = RAMBLK_NBLOCKS;
	h->instances = 0;
	barrier();
	WRITE_ONCE(h->magic, RAMBLK_MAGIC);
}

int ramblk_open(struct ramblk *rb, void *area, enum ramblk_open_how *how)
{
	if (!area) {
		return -EINVAL;
	}
	rb->hdr = area;
	rb->blocks = (uint8_t *)area + RAMBLK_HDR_PAGES * RAMBLK_PAGE_SIZE;
	rb->nblocks = RAMBLK_NBLOCKS;
	if (hdr_is_valid(rb->hdr)) {
		*how = RAMBLK_FOUND;
	} else {
		/* Never formatted or cut short, or a scribbled header. */
		*how = rb->hdr->magic == RAMBLK_MAGIC ? RAMBLK_REPAIRED
						      : RAMBLK_FORMATTED;
		format(rb);
	}
	rb->hdr->instances++;
	return 0;
}

bool ramblk_lba_is_valid(const struct ramblk *rb, uint64_t lba)
{
	return lba < rb->nblocks;
}

static uint8_t *block_at(const struct ramblk *rb, uint64_t lba)
{
	return rb->blocks + (size_t)lba * RAMBLK_BLOCK_SIZE;
}

int ramblk_read_block(const struct ramblk *rb, uint64_t lba,
		      struct blk_block4k *buf)
{
	if (!buf || !ramblk_lba_is_valid(rb, lba)) {
		return -EINVAL;
	}
	memcpy(buf->data, block_at(rb, lba), RAMBLK_BLOCK_SIZE);
	return 0;
}

int ramblk_write_block(struct ramblk *rb, uint64_t lba,
		       const struct blk_block4k *buf)
{
	if (!buf || !ramblk_lba_is_valid(rb, lba)) {
		return -EINVAL;
	}
	memcpy(block_at(rb, lba), buf->data, RAMBLK_BLOCK_SIZE);
	return 0;
}

/* True if slot @i of @q lies in its live range [head, head + count). */
static bool slot_is_live(const struct blk_req_deque32 *q, uint32_t i)
{
	return (i + RAMBLK_DEQUE_CAP - q->head) % RAMBLK_DEQUE_CAP < q->count;
}

/* The deque's own fields, before any request is looked at. */
static bool deque_is_valid(const struct blk_req_deque32 *q)
{
	if (q->head >= RAMBLK_DEQUE_CAP || q->count > RAMBLK_DEQUE_CAP) {
		return false;
	}
	for (uint32_t i = 0; i < RAMBLK_DEQUE_CAP; i++) {
		if (slot_is_live(q, i) != (q->slot[i] != NULL)) {
			return false;
		}
	}
	return true;
}

/* Runs one request; returns its status. */
static int32_t run_req(struct ramblk *rb, const struct blk_req *r)
{
	switch (r->op) {
	case BLK_OP_READ:
		return ramblk_read_block(rb, r->lba, r->buf);
	case BLK_OP_WRITE:
		return ramblk_write_block(rb, r->lba, r->buf);
	case BLK_OP_FLUSH:
		/* Stores to the state area are as durable as it gets. */
		return 0;
	default:
		return -EINVAL;
	}
}

int ramblk_submit_batch(struct ramblk *rb, struct blk_req_deque32 *q)
{
	int32_t status = 0;

	if (!q || !deque_is_valid(q)) {
		return -EINVAL;
	}
	for (uint32_t i = 0; i < q->count; i++) {
		struct blk_req *r = q->slot[(q->head + i) % RAMBLK_DEQUE_CAP];

		r->status = run_req(rb, r);
		if (r->status && !status) {
			status = r->status;
		}
	}
	return status;
}

void ramblk_geometry(const struct ramblk *rb, uint32_t queues,
		     struct blk_geometry *geo)
{
	geo->nblocks = rb->nblocks;
	geo->block_size = RAMBLK_BLOCK_SIZE;
	geo->max_batch = queues * RAMBLK_BATCH_PER_QUEUE;
}
