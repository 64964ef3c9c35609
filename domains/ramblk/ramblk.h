/* SPDX-License-Identifier: MIT */
/*
 * ramblk's block store: the layout of its state area (SYS_STATE_MAP) and
 * the pure logic on it (ramblk_store.c), kept apart from the domain's
 * entry points (ramblk.c) so that the host tests (test_ramblk.c) can run
 * it on plain memory.
 *
 * The state area belongs to the blk service, not to one instance of the
 * domain: an instance restarted after a failure finds the blocks the
 * failed one left. Layout: one header page, then RAMBLK_NBLOCKS blocks of
 * RAMBLK_BLOCK_SIZE bytes. The header's magic is written last when the
 * store is formatted, so a failure in the middle of formatting leaves no
 * magic and the next instance formats again.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/compiler.h"
#include "gen/blk.h"

#define RAMBLK_MAGIC 0x31304b4c424d4152ull /* "RAMBLK01" in memory order */
#define RAMBLK_LAYOUT 1u		   /* version of this layout */
#define RAMBLK_NBLOCKS 256u
#define RAMBLK_BLOCK_SIZE 4096u
#define RAMBLK_PAGE_SIZE 4096u
#define RAMBLK_HDR_PAGES 1u
#define RAMBLK_STATE_PAGES  \
	(RAMBLK_HDR_PAGES + \
	 RAMBLK_NBLOCKS * RAMBLK_BLOCK_SIZE / RAMBLK_PAGE_SIZE)
#define RAMBLK_STATE_BYTES ((size_t)RAMBLK_STATE_PAGES * RAMBLK_PAGE_SIZE)

/*
 * set_queues accepts 1..RAMBLK_MAX_QUEUES. A RAM disk has no hardware
 * queues; the count only shows in geometry, as max_batch = queues *
 * RAMBLK_BATCH_PER_QUEUE (8 with one queue, 32 with four), so that a test
 * can see whether a client's @config call reached this instance.
 */
#define RAMBLK_MAX_QUEUES 4u
#define RAMBLK_DEQUE_CAP 32u
#define RAMBLK_BATCH_PER_QUEUE (RAMBLK_DEQUE_CAP / RAMBLK_MAX_QUEUES)

BUILD_ASSERT(sizeof(struct blk_block4k) == RAMBLK_BLOCK_SIZE);
BUILD_ASSERT(RAMBLK_STATE_PAGES <= 4096u); /* SYS_STATE_MAX_PAGES */

/* The first bytes of the state area. */
struct ramblk_hdr {
	uint64_t magic;	     /* RAMBLK_MAGIC once formatted; written last */
	uint32_t layout;     /* RAMBLK_LAYOUT */
	uint32_t block_size; /* RAMBLK_BLOCK_SIZE */
	uint64_t nblocks;    /* RAMBLK_NBLOCKS */
	uint64_t instances;  /* instances that opened it, this one included */
};
BUILD_ASSERT(sizeof(struct ramblk_hdr) == 32);
BUILD_ASSERT(sizeof(struct ramblk_hdr) <= RAMBLK_HDR_PAGES * RAMBLK_PAGE_SIZE);

/* One instance's view of the store; set by ramblk_open(). */
struct ramblk {
	struct ramblk_hdr *hdr;
	uint8_t *blocks; /* nblocks * RAMBLK_BLOCK_SIZE bytes */
	uint64_t nblocks;
};

/* What ramblk_open() found. */
enum ramblk_open_how {
	RAMBLK_FOUND = 0,     /* a formatted store: its blocks are kept */
	RAMBLK_FORMATTED = 1, /* no magic: a new, zeroed store */
	RAMBLK_REPAIRED = 2,  /* magic but a bad header: zeroed, reformatted */
};

/*
 * Attaches @rb to the store in @area, RAMBLK_STATE_BYTES long and page
 * aligned, formatting it unless it holds a valid header, and counts this
 * instance in hdr->instances. Stores what it found in *@how. Returns 0,
 * or -EINVAL for a NULL @area.
 */
int __must_check ramblk_open(struct ramblk *rb, void *area,
			     enum ramblk_open_how *how);

/* True if @lba names a block of the store. */
bool ramblk_lba_is_valid(const struct ramblk *rb, uint64_t lba);

/*
 * Copies block @lba into @buf. Returns 0, or -EINVAL (bad lba, NULL @buf;
 * @buf is then untouched).
 */
int __must_check ramblk_read_block(const struct ramblk *rb, uint64_t lba,
				   struct blk_block4k *buf);

/*
 * Copies @buf into block @lba; writing the same data twice is harmless.
 * Borrows @buf until return. Returns 0, or -EINVAL (bad lba, NULL @buf;
 * nothing written).
 */
int __must_check ramblk_write_block(struct ramblk *rb, uint64_t lba,
				    const struct blk_block4k *buf);

/*
 * Runs the batch @q: checks the deque itself first (head < 32, count <=
 * 32, a request in every live slot, no request outside them) and answers
 * -EINVAL without touching anything if that fails. Then runs each request
 * in deque order and sets its status: 0, or -EINVAL for an unknown op, a
 * bad lba or a NULL buf (READ and WRITE; FLUSH ignores lba and buf). A
 * bad request does not stop the others. Returns 0 when every request
 * succeeded, else -EINVAL. The deque and its requests stay where they
 * are; the caller hands @q back.
 */
int __must_check ramblk_submit_batch(struct ramblk *rb,
				     struct blk_req_deque32 *q);

/*
 * The geometry with @queues queues configured (1..RAMBLK_MAX_QUEUES):
 * max_batch = queues * RAMBLK_BATCH_PER_QUEUE.
 */
void ramblk_geometry(const struct ramblk *rb, uint32_t queues,
		     struct blk_geometry *geo);
