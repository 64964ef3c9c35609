// SPDX-License-Identifier: MIT
/*
 * Host tests of ramblk's block store (domains/ramblk/ramblk_store.c) on a
 * plain memory area standing in for the state area: formatting only when
 * the magic is absent, blocks kept across a re-open (what a restart sees),
 * and every bad lba, buffer and deque field answered with -EINVAL and no
 * change.
 */
#include <string.h>

#include "abi/errno.h"
#include "domains/ramblk/ramblk.h"
#include "unit.h"

static uint8_t area_mem[RAMBLK_STATE_BYTES] __aligned(RAMBLK_PAGE_SIZE);

/* A zeroed, page-aligned stand-in for a new service's state area. */
static void *new_area(void)
{
	memset(area_mem, 0, sizeof(area_mem));
	return area_mem;
}

static void fill(struct blk_block4k *b, uint8_t seed)
{
	for (size_t i = 0; i < sizeof(b->data); i++) {
		b->data[i] = (uint8_t)(seed + i * 7);
	}
}

static bool holds(const struct blk_block4k *b, uint8_t seed)
{
	for (size_t i = 0; i < sizeof(b->data); i++) {
		if (b->data[i] != (uint8_t)(seed + i * 7)) {
			return false;
		}
	}
	return true;
}

static bool is_zero(const struct blk_block4k *b)
{
	for (size_t i = 0; i < sizeof(b->data); i++) {
		if (b->data[i]) {
			return false;
		}
	}
	return true;
}

UNIT_TEST(ramblk_formats_a_zeroed_area_once)
{
	void *area = new_area();
	enum ramblk_open_how how = RAMBLK_FOUND;
	struct ramblk rb;
	struct ramblk_hdr *h = area;

	UNIT_EQ(ramblk_open(&rb, area, &how), 0);
	UNIT_EQ(how, RAMBLK_FORMATTED);
	UNIT_EQ(h->magic, RAMBLK_MAGIC);
	UNIT_EQ(h->nblocks, RAMBLK_NBLOCKS);
	UNIT_EQ(h->instances, 1);
	UNIT_EQ(rb.nblocks, RAMBLK_NBLOCKS);
	UNIT_EQ(ramblk_open(&rb, area, &how), 0);
	UNIT_EQ(how, RAMBLK_FOUND);
	UNIT_EQ(h->instances, 2);
	UNIT_EQ(ramblk_open(&rb, NULL, &how), -EINVAL);
}

UNIT_TEST(ramblk_blocks_survive_a_reopen)
{
	void *area = new_area();
	static struct blk_block4k b;
	enum ramblk_open_how how;
	struct ramblk rb;

	UNIT_EQ(ramblk_open(&rb, area, &how), 0);
	for (uint64_t lba = 0; lba < RAMBLK_NBLOCKS; lba++) {
		fill(&b, (uint8_t)lba);
		UNIT_EQ(ramblk_write_block(&rb, lba, &b), 0);
	}
	/* A restarted instance: a fresh struct ramblk on the same area. */
	memset(&rb, 0, sizeof(rb));
	UNIT_EQ(ramblk_open(&rb, area, &how), 0);
	UNIT_EQ(how, RAMBLK_FOUND);
	for (uint64_t lba = 0; lba < RAMBLK_NBLOCKS; lba++) {
		memset(&b, 0, sizeof(b));
		UNIT_EQ(ramblk_read_block(&rb, lba, &b), 0);
		UNIT_ASSERT(holds(&b, (uint8_t)lba));
	}
}

UNIT_TEST(ramblk_bad_header_is_reformatted)
{
	void *area = new_area();
	static struct blk_block4k b;
	struct ramblk_hdr *h = area;
	enum ramblk_open_how how;
	struct ramblk rb;

	UNIT_EQ(ramblk_open(&rb, area, &how), 0);
	fill(&b, 3);
	UNIT_EQ(ramblk_write_block(&rb, 5, &b), 0);
	h->nblocks = 7;
	UNIT_EQ(ramblk_open(&rb, area, &how), 0);
	UNIT_EQ(how, RAMBLK_REPAIRED);
	UNIT_EQ(h->nblocks, RAMBLK_NBLOCKS);
	UNIT_EQ(h->instances, 1);
	UNIT_EQ(ramblk_read_block(&rb, 5, &b), 0);
	UNIT_ASSERT(is_zero(&b));
	/* A format cut short before the magic: done again. */
	fill(&b, 4);
	UNIT_EQ(ramblk_write_block(&rb, 6, &b), 0);
	h->magic = 0;
	UNIT_EQ(ramblk_open(&rb, area, &how), 0);
	UNIT_EQ(how, RAMBLK_FORMATTED);
	UNIT_EQ(ramblk_read_block(&rb, 6, &b), 0);
	UNIT_ASSERT(is_zero(&b));
}

UNIT_TEST(ramblk_bad_lba_and_null_buf_are_rejected)
{
	void *area = new_area();
	static struct blk_block4k b;
	enum ramblk_open_how how;
	struct ramblk rb;
	static const uint64_t bad[] = {RAMBLK_NBLOCKS, RAMBLK_NBLOCKS + 1,
				       1ull << 32, 1ull << 52, ~0ull};

	UNIT_EQ(ramblk_open(&rb, area, &how), 0);
	fill(&b, 9);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		UNIT_ASSERT(!ramblk_lba_is_valid(&rb, bad[i]));
		UNIT_EQ(ramblk_write_block(&rb, bad[i], &b), -EINVAL);
		UNIT_EQ(ramblk_read_block(&rb, bad[i], &b), -EINVAL);
		UNIT_ASSERT(holds(&b, 9));
	}
	UNIT_EQ(ramblk_write_block(&rb, 0, NULL), -EINVAL);
	UNIT_EQ(ramblk_read_block(&rb, 0, NULL), -EINVAL);
	UNIT_EQ(ramblk_write_block(&rb, RAMBLK_NBLOCKS - 1, &b), 0);
	memset(&b, 0, sizeof(b));
	UNIT_EQ(ramblk_read_block(&rb, RAMBLK_NBLOCKS - 1, &b), 0);
	UNIT_ASSERT(holds(&b, 9));
}

/* A batch of @n requests starting at slot @head, and their buffers. */
struct batch {
	struct blk_req_deque32 q;
	struct blk_req req[32];
	struct blk_block4k buf[32];
};

static void batch_init(struct batch *bt, uint32_t head, uint32_t n)
{
	memset(bt, 0, sizeof(*bt));
	bt->q.head = head;
	bt->q.count = n;
	for (uint32_t i = 0; i < n; i++) {
		struct blk_req *r = &bt->req[i];

		r->op = BLK_OP_WRITE;
		r->status = 12345;
		r->lba = i;
		r->buf = &bt->buf[i];
		fill(r->buf, (uint8_t)(100 + i));
		bt->q.slot[(head + i) % 32] = r;
	}
}

UNIT_TEST(ramblk_submit_runs_each_request)
{
	void *area = new_area();
	static struct batch bt;
	enum ramblk_open_how how;
	struct ramblk rb;

	UNIT_EQ(ramblk_open(&rb, area, &how), 0);
	/* 32 writes in a deque that wraps around the end of slot[]. */
	batch_init(&bt, 20, 32);
	UNIT_EQ(ramblk_submit_batch(&rb, &bt.q), 0);
	for (uint32_t i = 0; i < 32; i++) {
		UNIT_EQ(bt.req[i].status, 0);
	}
	/* Read them back, with a flush in the middle. */
	batch_init(&bt, 31, 3);
	for (uint32_t i = 0; i < 3; i++) {
		bt.req[i].op = BLK_OP_READ;
		bt.req[i].lba = 10 + i;
		memset(bt.req[i].buf, 0, sizeof(*bt.req[i].buf));
	}
	bt.req[1].op = BLK_OP_FLUSH;
	bt.req[1].buf = NULL;
	UNIT_EQ(ramblk_submit_batch(&rb, &bt.q), 0);
	UNIT_EQ(bt.req[0].status, 0);
	UNIT_EQ(bt.req[1].status, 0);
	UNIT_EQ(bt.req[2].status, 0);
	UNIT_ASSERT(holds(&bt.buf[0], 110));
	UNIT_ASSERT(holds(&bt.buf[2], 112));
	/* An empty batch is fine. */
	batch_init(&bt, 7, 0);
	UNIT_EQ(ramblk_submit_batch(&rb, &bt.q), 0);
}

UNIT_TEST(ramblk_submit_reports_bad_requests_one_by_one)
{
	void *area = new_area();
	static struct batch bt;
	static struct blk_block4k b;
	enum ramblk_open_how how;
	struct ramblk rb;

	UNIT_EQ(ramblk_open(&rb, area, &how), 0);
	batch_init(&bt, 0, 6);
	bt.req[1].op = 3;		/* unknown op */
	bt.req[2].op = 0xffffffffu;	/* unknown op */
	bt.req[3].lba = RAMBLK_NBLOCKS; /* past the end */
	bt.req[4].buf = NULL;		/* a write without data */
	bt.req[5].op = BLK_OP_READ;
	bt.req[5].buf = NULL; /* a read without a buffer */
	UNIT_EQ(ramblk_submit_batch(&rb, &bt.q), -EINVAL);
	UNIT_EQ(bt.req[0].status, 0);
	for (uint32_t i = 1; i < 6; i++) {
		UNIT_EQ(bt.req[i].status, -EINVAL);
	}
	/* The good write happened, the bad ones did not. */
	UNIT_EQ(ramblk_read_block(&rb, 0, &b), 0);
	UNIT_ASSERT(holds(&b, 100));
	for (uint64_t lba = 1; lba < 5; lba++) {
		UNIT_EQ(ramblk_read_block(&rb, lba, &b), 0);
		UNIT_ASSERT(is_zero(&b));
	}
}

/* A malformed deque: -EINVAL, no request run, no status written. */
static bool untouched(struct ramblk *rb, const struct batch *bt, uint32_t n)
{
	static struct blk_block4k b;

	for (uint32_t i = 0; i < n; i++) {
		if (bt->req[i].status != 12345 ||
		    ramblk_read_block(rb, i, &b) || !is_zero(&b)) {
			return false;
		}
	}
	return true;
}

UNIT_TEST(ramblk_submit_rejects_malformed_deques)
{
	void *area = new_area();
	static struct batch bt;
	enum ramblk_open_how how;
	struct ramblk rb;
	static const uint32_t bad_heads[] = {32, 33, 1000, 0xffffffffu};
	static const uint32_t bad_counts[] = {33, 64, 0x80000000u, ~0u};

	UNIT_EQ(ramblk_open(&rb, area, &how), 0);
	UNIT_EQ(ramblk_submit_batch(&rb, NULL), -EINVAL);
	for (size_t i = 0; i < sizeof(bad_heads) / sizeof(bad_heads[0]); i++) {
		batch_init(&bt, 0, 4);
		bt.q.head = bad_heads[i];
		UNIT_EQ(ramblk_submit_batch(&rb, &bt.q), -EINVAL);
		UNIT_ASSERT(untouched(&rb, &bt, 4));
	}
	for (size_t i = 0; i < sizeof(bad_counts) / sizeof(bad_counts[0]);
	     i++) {
		batch_init(&bt, 0, 4);
		bt.q.count = bad_counts[i];
		UNIT_EQ(ramblk_submit_batch(&rb, &bt.q), -EINVAL);
		UNIT_ASSERT(untouched(&rb, &bt, 4));
	}
	/* A hole in the live range. */
	batch_init(&bt, 30, 4);
	bt.q.slot[31] = NULL;
	UNIT_EQ(ramblk_submit_batch(&rb, &bt.q), -EINVAL);
	UNIT_ASSERT(untouched(&rb, &bt, 4));
	/* A request outside it. */
	batch_init(&bt, 30, 4);
	bt.q.slot[10] = &bt.req[10];
	UNIT_EQ(ramblk_submit_batch(&rb, &bt.q), -EINVAL);
	UNIT_ASSERT(untouched(&rb, &bt, 4));
}

UNIT_TEST(ramblk_geometry_shows_the_queues)
{
	void *area = new_area();
	struct blk_geometry geo;
	enum ramblk_open_how how;
	struct ramblk rb;

	UNIT_EQ(ramblk_open(&rb, area, &how), 0);
	ramblk_geometry(&rb, 1, &geo);
	UNIT_EQ(geo.nblocks, RAMBLK_NBLOCKS);
	UNIT_EQ(geo.block_size, 4096);
	UNIT_EQ(geo.max_batch, 8);
	ramblk_geometry(&rb, RAMBLK_MAX_QUEUES, &geo);
	UNIT_EQ(geo.max_batch, 32);
}
