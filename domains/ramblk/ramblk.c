// SPDX-License-Identifier: MIT
/*
 * ramblk: a RAM block device that exports blk (idl/blk.idl). Its
 * RAMBLK_NBLOCKS blocks of 4 KiB live in the domain's state area
 * (SYS_STATE_MAP), which belongs to the service and survives a restart
 * after a failure: a restarted instance serves the blocks the failed one
 * held. The store's logic is in ramblk_store.c; this file holds the blk
 * ops, init and the idle main thread.
 *
 * Configuration is per instance on purpose: set_queues keeps its count in
 * an ordinary global, so a restarted instance is back at one queue until
 * the client's runtime replays the @config call. geometry shows the count
 * as max_batch (ramblk.h), so a test can tell whether the replay happened.
 * Every op is safe to run on several threads at once; concurrent writes to
 * one block are the clients' business, as on a disk.
 */
#include "domains/ramblk/ramblk.h"

#include "abi/errno.h"
#include "rt/rt.h"
#include "rt/syscall.h"
#include "gen/blk.h"

#define RAMBLK_IDLE_MS 1000

/* Set in dom_init(), then read only. */
static struct ramblk store;
/* Queues the client asked for (set_queues); per instance, not in the store. */
static uint32_t queues = 1;

/*
 * @1 read: fills @buf from block @lba. Consumes @buf and returns it in
 * *@out_buf on every path, filled on success and untouched on error, as
 * idl/blk.idl promises.
 */
static int32_t op_read(void *inst, uint64_t lba, struct blk_block4k *buf,
		       struct blk_block4k **out_buf)
{
	int err = ramblk_read_block(inst, lba, buf);

	*out_buf = buf;
	return err;
}

/* @2 write: copies @buf to block @lba. Borrows @buf until return. */
static int32_t op_write(void *inst, uint64_t lba, const struct blk_block4k *buf)
{
	return ramblk_write_block(inst, lba, buf);
}

/*
 * @3 submit: runs the batch @reqs (ramblk_submit_batch()). Consumes
 * @reqs and returns it in *@out_done on every path, with each request's
 * status filled in when the deque itself was well formed.
 */
static int32_t op_submit(void *inst, struct blk_req_deque32 *reqs,
			 struct blk_req_deque32 **out_done)
{
	int err = ramblk_submit_batch(inst, reqs);

	*out_done = reqs;
	return err;
}

/* @4 flush: nothing to do, a store to the state area is final. */
static int32_t op_flush(void *inst)
{
	return 0;
}

/* @5 geometry: max_batch reports the configured queues (ramblk.h). */
static int32_t op_geometry(void *inst, struct blk_geometry *out_geo)
{
	ramblk_geometry(inst, READ_ONCE(queues), out_geo);
	return 0;
}

/* @6 set_queues (@config): 1..RAMBLK_MAX_QUEUES, else -EINVAL. */
static int32_t op_set_queues(void *inst, uint32_t count)
{
	if (count == 0 || count > RAMBLK_MAX_QUEUES) {
		return -EINVAL;
	}
	WRITE_ONCE(queues, count);
	return 0;
}

/*
 * @7 fetch: a new buffer holding block @lba. Returns it owned by the
 * caller in *@out_buf; on error (-EINVAL bad lba, -ENOMEM) *@out_buf
 * stays NULL.
 */
static int32_t op_fetch(void *inst, uint64_t lba, struct blk_block4k **out_buf)
{
	struct blk_block4k *buf;
	int err;

	if (!ramblk_lba_is_valid(inst, lba)) {
		return -EINVAL;
	}
	buf = blk_block4k_alloc();
	if (!buf) {
		return -ENOMEM;
	}
	err = ramblk_read_block(inst, lba, buf);
	if (err) {
		blk_block4k_drop(buf);
		return err;
	}
	*out_buf = buf;
	return 0;
}

static const struct blk_ops ramblk_ops = {
	.read = op_read,
	.write = op_write,
	.submit = op_submit,
	.flush = op_flush,
	.geometry = op_geometry,
	.set_queues = op_set_queues,
	.fetch = op_fetch,
};

static struct blk_server ramblk_server = {
	.ops = &ramblk_ops,
	.inst = &store,
};

static const char *const open_how_name[] = {
	[RAMBLK_FOUND] = "found",
	[RAMBLK_FORMATTED] = "formatted",
	[RAMBLK_REPAIRED] = "header was bad, reformatted",
};

/*
 * Maps the state area, opens (or formats) the store and exports blk.
 * Returns 0, or a negative errno, which fails this instance.
 */
int dom_init(uint64_t arg, const char *boot)
{
	enum ramblk_open_how how;
	void *area;
	int err;

	err = sys_state_map(RAMBLK_STATE_PAGES, &area);
	if (err) {
		printf("ramblk: SYS_STATE_MAP of %u pages: %s\n",
		       RAMBLK_STATE_PAGES, errno_name(err));
		return err;
	}
	err = ramblk_open(&store, area, &how);
	if (err) {
		printf("ramblk: cannot open the store: %s\n", errno_name(err));
		return err;
	}
	printf("ramblk: instance %lu, store %s, %lu blocks of %u bytes\n",
	       store.hdr->instances, open_how_name[how], store.nblocks,
	       RAMBLK_BLOCK_SIZE);
	err = blk_export(&ramblk_server);
	if (err) {
		printf("ramblk: blk export: %s\n", errno_name(err));
		return err;
	}
	return 0;
}

/* The work happens on the callers' threads; this one only waits. */
int dom_main(uint64_t arg, const char *boot)
{
	for (;;) {
		sleep_ms(RAMBLK_IDLE_MS);
	}
	return 0;
}
