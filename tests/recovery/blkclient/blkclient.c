// SPDX-License-Identifier: MIT
/*
 * blkclient: a test domain that checks a blk service keeps its blocks and
 * its configuration across restarts (tests/recovery). Its start argument
 * says what to do: bits 0..31 the number of rounds R, bit 32 "write
 * first". It connects to blk (waiting up to 2 s for an exporter), asks for
 * BLKC_QUEUES queues (@config) and checks the geometry; with "write
 * first" it writes blocks 0..BLKC_NBLOCKS-1 with blkc_pattern(); then, R
 * times, it checks the geometry again (max_batch shows whether the
 * runtime replayed set_queues into a restarted instance: ramblk.h) and
 * fetches and compares every block.
 *
 * It never retries: a restart of the service must stay invisible, because
 * the runtime (lib/rt/ipc.c) replays @config calls and retries the
 * @idempotent ones (write, geometry, fetch). It exits with enum
 * blkc_exit: 0 when every call succeeded and every byte matched, else the
 * code of the first failure, and prints one line per failure (the first
 * BLKC_MAX_REPORTS of them) and a summary line.
 */
#include <stdarg.h>
#include <stdint.h>

#include "abi/errno.h"
#include "rt/rt.h"
#include "gen/blk.h"

#define BLKC_NBLOCKS 64u
#define BLKC_BLOCK_SIZE 4096u
#define BLKC_QUEUES 4u
/* What ramblk reports with BLKC_QUEUES queues: 8 per queue (ramblk.h). */
#define BLKC_MAX_BATCH 32u
#define BLKC_CONNECT_RETRY_MS 10u
#define BLKC_CONNECT_TIMEOUT_MS 2000u
#define BLKC_MAX_REPORTS 8u

#define BLKC_ARG_ROUNDS_MASK 0xffffffffull
#define BLKC_ARG_WRITE_FIRST (1ull << 32)

/* Exit codes: which kind of failure came first. */
enum blkc_exit {
	BLKC_OK = 0,
	BLKC_ETRANSPORT = 1, /* a call's transport status was not 0 */
	BLKC_EAPP = 2,	     /* ramblk answered an error (or no buffer) */
	BLKC_EMISMATCH = 3,  /* a fetched block differs from the pattern */
	BLKC_ECONNECT = 4,   /* blk_connect failed or timed out */
	BLKC_EGEOMETRY = 5,  /* too small, or max_batch shows a lost config */
	BLKC_ENOMEM = 6,     /* no shared-heap buffer for a write */
};

struct blkc_run {
	struct blk_client c;
	uint64_t rounds; /* completed */
	uint64_t fetches;
	uint64_t errors; /* failed calls and wrong geometries */
	uint64_t mismatches;
	unsigned int reports;
	enum blkc_exit code; /* the first failure's, BLKC_OK so far */
};

/*
 * The byte at offset @i of block @lba: every block differs from every
 * other and from zero, so a lost write, a misplaced block or a wiped
 * store all show.
 */
static uint8_t blkc_pattern(uint64_t lba, uint32_t i)
{
	uint32_t x = (uint32_t)lba * 0x9e3779b1u + i * 0x85ebca6bu + 0x5au;

	x ^= x >> 15;
	x *= 0x2c1b3c6du;
	x ^= x >> 12;
	return (uint8_t)(x ^ (x >> 8) ^ (x >> 24));
}

static void fail(struct blkc_run *r, enum blkc_exit code, const char *fmt, ...)
	__printf(3, 4);

/* Records a failure of kind @code and says what it was. */
static void fail(struct blkc_run *r, enum blkc_exit code, const char *fmt, ...)
{
	va_list ap;

	if (code == BLKC_EMISMATCH) {
		r->mismatches++;
	} else {
		r->errors++;
	}
	if (r->code == BLKC_OK) {
		r->code = code;
	}
	if (r->reports++ >= BLKC_MAX_REPORTS) {
		return;
	}
	printf("blkclient: FAIL: ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

/* An lba for check_call() when the call has none. */
#define BLKC_NO_LBA (-1ll)

/*
 * Checks one call's statuses. Returns 0 if both are 0; otherwise records
 * the failure and returns -EIO for a transport error (the run stops: the
 * service is gone) or -EINVAL for an application error (it goes on).
 */
static int check_call(struct blkc_run *r, const char *call, int64_t lba,
		      int transport, int32_t app)
{
	char where[32] = "";

	if (!transport && !app) {
		return 0;
	}
	if (lba != BLKC_NO_LBA) {
		snprintf(where, sizeof(where), " lba %ld", lba);
	}
	if (transport) {
		fail(r, BLKC_ETRANSPORT, "%s%s: transport status %s", call,
		     where, errno_name(transport));
		return -EIO;
	}
	fail(r, BLKC_EAPP, "%s%s: app status %s", call, where, errno_name(app));
	return -EINVAL;
}

/* blk_connect(), retried while nobody exports blk yet. */
static int blkc_connect(struct blkc_run *r)
{
	uint64_t waited = 0;
	int err;

	for (;;) {
		err = blk_connect(&r->c);
		if (err != -ENOENT || waited >= BLKC_CONNECT_TIMEOUT_MS) {
			break;
		}
		sleep_ms(BLKC_CONNECT_RETRY_MS);
		waited += BLKC_CONNECT_RETRY_MS;
	}
	if (err) {
		fail(r, BLKC_ECONNECT, "blk_connect after %lu ms: %s", waited,
		     errno_name(err));
	}
	return err;
}

/*
 * Asks for the geometry and checks it holds our blocks and reflects our
 * queue count. Returns 0, or -EIO after a transport error.
 */
static int check_geometry(struct blkc_run *r)
{
	struct blk_geometry geo;
	int32_t app;
	int err;

	err = blk_geometry(&r->c, &geo, &app);
	err = check_call(r, "geometry", BLKC_NO_LBA, err, app);
	if (err) {
		return err == -EIO ? err : 0;
	}
	if (geo.nblocks < BLKC_NBLOCKS || geo.block_size != BLKC_BLOCK_SIZE ||
	    geo.max_batch != BLKC_MAX_BATCH) {
		fail(r, BLKC_EGEOMETRY,
		     "geometry: %lu blocks of %u bytes, max_batch %u "
		     "(want >= %u, %u, %u)",
		     geo.nblocks, geo.block_size, geo.max_batch, BLKC_NBLOCKS,
		     BLKC_BLOCK_SIZE, BLKC_MAX_BATCH);
	}
	return 0;
}

/* Writes every block with its pattern. Returns 0, or -EIO to stop. */
static int write_all(struct blkc_run *r)
{
	struct blk_block4k *b = blk_block4k_alloc();
	int32_t app;
	int err = 0;

	if (!b) {
		fail(r, BLKC_ENOMEM, "blk_block4k_alloc: out of memory");
		return -EIO;
	}
	for (uint64_t lba = 0; lba < BLKC_NBLOCKS; lba++) {
		for (uint32_t i = 0; i < BLKC_BLOCK_SIZE; i++) {
			b->data[i] = blkc_pattern(lba, i);
		}
		err = blk_write(&r->c, lba, b, &app);
		err = check_call(r, "write", (int64_t)lba, err, app);
		if (err == -EIO) {
			break;
		}
		err = 0;
	}
	blk_block4k_drop(b);
	return err;
}

/* Fetches block @lba and compares it. Returns 0, or -EIO to stop. */
static int verify_block(struct blkc_run *r, uint64_t lba)
{
	struct blk_block4k *b = NULL;
	int32_t app;
	int err;

	err = blk_fetch(&r->c, lba, &b, &app);
	err = check_call(r, "fetch", (int64_t)lba, err, app);
	r->fetches++;
	if (err) {
		blk_block4k_drop(b);
		return err == -EIO ? err : 0;
	}
	if (!b) {
		fail(r, BLKC_EAPP, "fetch lba %lu: status 0 but no buffer",
		     lba);
		return 0;
	}
	for (uint32_t i = 0; i < BLKC_BLOCK_SIZE; i++) {
		if (b->data[i] != blkc_pattern(lba, i)) {
			fail(r, BLKC_EMISMATCH,
			     "fetch lba %lu: byte %u is 0x%02x, want 0x%02x",
			     lba, i, b->data[i], blkc_pattern(lba, i));
			break;
		}
	}
	blk_block4k_drop(b);
	return 0;
}

static void run(struct blkc_run *r, uint64_t rounds, bool write_first)
{
	int32_t app;
	int err;

	if (blkc_connect(r)) {
		return;
	}
	err = blk_set_queues(&r->c, BLKC_QUEUES, &app);
	if (check_call(r, "set_queues", BLKC_NO_LBA, err, app) == -EIO) {
		return;
	}
	if (check_geometry(r)) {
		return;
	}
	if (write_first && write_all(r)) {
		return;
	}
	for (; r->rounds < rounds; r->rounds++) {
		if (check_geometry(r)) {
			return;
		}
		for (uint64_t lba = 0; lba < BLKC_NBLOCKS; lba++) {
			if (verify_block(r, lba)) {
				return;
			}
		}
	}
}

int dom_main(uint64_t arg, const char *boot)
{
	uint64_t rounds = arg & BLKC_ARG_ROUNDS_MASK;
	bool write_first = arg & BLKC_ARG_WRITE_FIRST;
	struct blkc_run r = {0};

	printf("blkclient: %lu rounds over %u blocks%s\n", rounds, BLKC_NBLOCKS,
	       write_first ? ", writing them first" : "");
	run(&r, rounds, write_first);
	printf("blkclient: %lu rounds, %lu fetches, %lu errors, %lu "
	       "mismatches\n",
	       r.rounds, r.fetches, r.errors, r.mismatches);
	return r.code;
}
