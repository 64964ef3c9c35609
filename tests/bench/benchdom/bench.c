// SPDX-License-Identifier: MIT
/*
 * The bench domain of `make bench` (shared/BENCHMARKING.md). Under QEMU
 * -icount shift=0 the TSC advances once per instruction, so its rdtsc
 * deltas are exact instruction counts, kernel instructions included.
 *
 * Timing run (arg 0): a direct call, the null system call, round trips to
 * the callee domain (calltest by hand through rt_ipc_call; echo through
 * the idlc proxies: a null call, one rref moved there and back, one lent,
 * a deque of 32 moved there and back) and the same echo calls dispatched
 * inside this domain, one "BENCH name value unit" line each for
 * tools/bench.py. Event runs (tests/bench/bench_scen.h) repeat one round
 * trip silently while kbench.c counts kernel events around them.
 *
 * Every round trip checks its results (status, returned rref, the
 * callee's change), so a broken call cannot pass for a fast one: the
 * first wrong one prints "BENCH error ..." and fails the domain.
 */
#include <stdbool.h>
#include <stdint.h>

#include "rt/rt.h"
#include "rt/syscall.h"
#include "tests/bench/bench_scen.h"
#include "tests/bench/benchdom/bench.h"
#include "tests/call/callrt.h"

#define BENCH_ROUNDS 5	       /* best of; rounds differ only by interrupts */
#define BENCH_WARMUP 16	       /* round trips before the first timed round */
#define BENCH_ITERS_NULL 2000u /* per round, calls without rrefs */
#define BENCH_ITERS_RREF 1000u /* per round, one rref */
#define BENCH_ITERS_BATCH 64u  /* per round: ~5M insns, < one 10 ms tick */
#define BENCH_BATCH 32u	       /* messages in the deque */

/*
 * Each bounce (here and in-domain) bumps the message's seq; it must never
 * reach the values that make the callee misbehave on purpose.
 */
BUILD_ASSERT(1 + 2 * (BENCH_WARMUP + BENCH_ROUNDS * (BENCH_ITERS_RREF + 1)) <
	     ECHO_MAGIC_SCRIBBLE);
BUILD_ASSERT(1 + BENCH_WARMUP + BENCH_EVENT_ITERS_MAX < ECHO_MAGIC_SCRIBBLE);
BUILD_ASSERT(ECHO_MAGIC_SCRIBBLE < ECHO_MAGIC_CRASH);

/* What the round trips use, set up once per run. */
struct bench {
	int64_t calltest; /* handle */
	struct echo_client echo;
	struct echo_msg *msg;	    /* bounce, peek */
	struct echo_msg_deque32 *q; /* batch: BENCH_BATCH messages */
	uint32_t msg_seq;	    /* msg->seq as it must be now */
	uint32_t q_seq;		    /* the same for every message in q */
	const char *why;	    /* the first failure */
	int64_t status;		    /* its transport or application status */
};

/* One figure: @op makes one round trip and checks it (0 or -1). */
struct bench_fig {
	const char *name;
	int (*op)(struct bench *b, uint64_t i);
	uint32_t iters;
	enum bench_scen scen; /* its event run, or BENCH_SCEN_TIMING: none */
};

static inline uint64_t rdtsc(void)
{
	uint32_t lo;
	uint32_t hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

/* Records the first failure; returns -1 for the op to return. */
static __attribute__((noinline, cold)) int fail(struct bench *b,
						const char *why, int64_t status)
{
	if (!b->why) {
		b->why = why;
		b->status = status;
	}
	return -1;
}

/* --- Round trips ---------------------------------------------------------- */

__attribute__((noinline)) static uint64_t direct_fn(uint64_t x)
{
	__asm__ volatile("" : "+r"(x));
	return x;
}

/* The harness alone; subtracted from every figure. */
static int op_none(struct bench *b, uint64_t i)
{
	return 0;
}

static int op_direct(struct bench *b, uint64_t i)
{
	direct_fn(i);
	return 0;
}

static int op_syscall(struct bench *b, uint64_t i)
{
	int64_t r = sys_null();

	return r ? fail(b, "SYS_NULL", r) : 0;
}

/* echo.nop through the idlc proxy: the null call. */
static int op_nop(struct bench *b, uint64_t i)
{
	int32_t app = 0;
	int err = echo_nop(&b->echo, &app);

	if (err || app) {
		return fail(b, "echo_nop: wrong status", err ? err : app);
	}
	return 0;
}

/* calltest.ADD, the hand-written interface, straight through rt_ipc_call. */
static int op_calltest(struct bench *b, uint64_t i)
{
	uint64_t in[IPC_WORDS] = {i, 2, 0, 0};
	uint64_t out[IPC_WORDS];
	int32_t app = 0;
	int64_t err;

	err = ipc_call(
		ipc_call_word((uint16_t)b->calltest, CALLTEST_ADD, 0, 0, 0), in,
		out, &app);
	if (err || app || out[0] != i + 2) {
		return fail(b, "calltest.ADD: wrong status or sum",
			    err ? err : app);
	}
	return 0;
}

/*
 * The same call by a bare SYSCALL: no runtime, so no restart handling
 * (config replay, retry). The difference to calltest_call is what the
 * recovery path costs a call that succeeds.
 */
static int op_calltest_raw(struct bench *b, uint64_t i)
{
	register uint64_t r10 __asm__("r10") = 0;
	register uint64_t r8 __asm__("r8") = 0;
	uint64_t rdi =
		ipc_call_word((uint16_t)b->calltest, CALLTEST_ADD, 0, 0, 0);
	uint64_t rsi = i;
	uint64_t rdx = 2;
	int64_t rax = SYS_CALL;

	__asm__ volatile("syscall"
			 : "+a"(rax), "+D"(rdi), "+S"(rsi), "+d"(rdx),
			   "+r"(r10), "+r"(r8)
			 :
			 : "rcx", "r9", "r11", "memory");
	if (rax || r8 || rdi != i + 2) {
		return fail(b, "raw calltest.ADD: wrong status or sum",
			    rax ? rax : (int64_t)r8);
	}
	return 0;
}

static int op_ping(struct bench *b, uint64_t i)
{
	uint64_t v = 0;
	int32_t app = 0;
	int err = echo_ping(&b->echo, i, &v, &app);

	if (err || app || v != (i ^ BENCH_ECHO_INST)) {
		return fail(b, "echo_ping: wrong status or value",
			    err ? err : app);
	}
	return 0;
}

/* Moves msg to the callee; it comes back with seq one higher. */
static int op_bounce(struct bench *b, uint64_t i)
{
	struct echo_msg *back = NULL;
	int32_t app = 0;
	int err = echo_bounce(&b->echo, b->msg, &back, &app);

	if (err || app || back != b->msg || back->seq != b->msg_seq + 1) {
		return fail(b, "echo_bounce: wrong status, rref or seq",
			    err ? err : app);
	}
	b->msg_seq++;
	return 0;
}

/* Lends msg to the callee, which reads its length. */
static int op_peek(struct bench *b, uint64_t i)
{
	uint32_t len = 0;
	int32_t app = 0;
	int err = echo_peek(&b->echo, b->msg, &len, &app);

	if (err || app || len != b->msg->len) {
		return fail(b, "echo_peek: wrong status or length",
			    err ? err : app);
	}
	return 0;
}

/* A full deque whose first and last messages carry @seq. */
static bool batch_ok(const struct echo_msg_deque32 *q, uint32_t seq)
{
	const struct echo_msg *first = q->slot[q->head % 32];
	const struct echo_msg *last = q->slot[(q->head + BENCH_BATCH - 1) % 32];

	return echo_msg_deque32_len(q) == BENCH_BATCH && first && last &&
	       first->seq == seq && last->seq == seq;
}

/* Moves q and its messages to the callee; each comes back changed. */
static int op_batch(struct bench *b, uint64_t i)
{
	struct echo_msg_deque32 *back = NULL;
	int32_t app = 0;
	int err = echo_batch(&b->echo, b->q, &back, &app);

	if (err || app || back != b->q || !batch_ok(back, b->q_seq + 1)) {
		return fail(b, "echo_batch: wrong status, deque or seq",
			    err ? err : app);
	}
	b->q_seq++;
	return 0;
}

/* The same methods through echo_dispatch() in this domain: no kernel. */
static int op_local_nop(struct bench *b, uint64_t i)
{
	uint64_t in[IPC_WORDS] = {0};
	uint64_t out[IPC_WORDS] = {0};
	int32_t app;

	app = echo_dispatch(&bench_local_echo, ECHO_NOP_ORDINAL, in, out);
	return app ? fail(b, "local nop: wrong status", app) : 0;
}

static int op_local_ping(struct bench *b, uint64_t i)
{
	uint64_t in[IPC_WORDS] = {i};
	uint64_t out[IPC_WORDS] = {0};
	int32_t app;

	app = echo_dispatch(&bench_local_echo, ECHO_PING_ORDINAL, in, out);
	if (app || out[0] != (i ^ BENCH_ECHO_INST)) {
		return fail(b, "local ping: wrong status or value", app);
	}
	return 0;
}

static int op_local_bounce(struct bench *b, uint64_t i)
{
	uint64_t in[IPC_WORDS] = {(uintptr_t)b->msg};
	uint64_t out[IPC_WORDS] = {0};
	int32_t app;

	app = echo_dispatch(&bench_local_echo, ECHO_BOUNCE_ORDINAL, in, out);
	if (app || out[0] != (uintptr_t)b->msg ||
	    b->msg->seq != b->msg_seq + 1) {
		return fail(b, "local bounce: wrong status, rref or seq", app);
	}
	b->msg_seq++;
	return 0;
}

static int op_local_peek(struct bench *b, uint64_t i)
{
	uint64_t in[IPC_WORDS] = {(uintptr_t)b->msg};
	uint64_t out[IPC_WORDS] = {0};
	int32_t app;

	app = echo_dispatch(&bench_local_echo, ECHO_PEEK_ORDINAL, in, out);
	if (app || out[0] != b->msg->len) {
		return fail(b, "local peek: wrong status or length", app);
	}
	return 0;
}

static int op_local_batch(struct bench *b, uint64_t i)
{
	uint64_t in[IPC_WORDS] = {(uintptr_t)b->q};
	uint64_t out[IPC_WORDS] = {0};
	int32_t app;

	app = echo_dispatch(&bench_local_echo, ECHO_BATCH_ORDINAL, in, out);
	if (app || out[0] != (uintptr_t)b->q || !batch_ok(b->q, b->q_seq + 1)) {
		return fail(b, "local batch: wrong status, deque or seq", app);
	}
	b->q_seq++;
	return 0;
}

/* In the order measured; the cross-domain figure before its local twin. */
static const struct bench_fig figs[] = {
	{"direct_call", op_direct, BENCH_ITERS_NULL, BENCH_SCEN_TIMING},
	{"null_syscall", op_syscall, BENCH_ITERS_NULL, BENCH_SCEN_SYSCALL},
	{"null_call", op_nop, BENCH_ITERS_NULL, BENCH_SCEN_NOP},
	{"null_local", op_local_nop, BENCH_ITERS_NULL, BENCH_SCEN_TIMING},
	{"calltest_call", op_calltest, BENCH_ITERS_NULL, BENCH_SCEN_CALLTEST},
	{"calltest_call_raw", op_calltest_raw, BENCH_ITERS_NULL,
	 BENCH_SCEN_TIMING},
	{"echo_ping_call", op_ping, BENCH_ITERS_NULL, BENCH_SCEN_PING},
	{"echo_ping_local", op_local_ping, BENCH_ITERS_NULL, BENCH_SCEN_TIMING},
	{"echo_bounce_call", op_bounce, BENCH_ITERS_RREF, BENCH_SCEN_BOUNCE},
	{"echo_bounce_local", op_local_bounce, BENCH_ITERS_RREF,
	 BENCH_SCEN_TIMING},
	{"echo_peek_call", op_peek, BENCH_ITERS_RREF, BENCH_SCEN_PEEK},
	{"echo_peek_local", op_local_peek, BENCH_ITERS_RREF, BENCH_SCEN_TIMING},
	{"echo_batch32_call", op_batch, BENCH_ITERS_BATCH, BENCH_SCEN_BATCH},
	{"echo_batch32_local", op_local_batch, BENCH_ITERS_BATCH,
	 BENCH_SCEN_TIMING},
};

/* --- Runs ----------------------------------------------------------------- */

/*
 * TSC ticks of @iters round trips of @op; UINT64_MAX if one failed. The
 * same code for every op and count (not inlined nor cloned).
 */
static __attribute__((noinline, noclone)) uint64_t
round_ticks(struct bench *b, int (*op)(struct bench *b, uint64_t i),
	    uint32_t iters)
{
	uint64_t t0 = rdtsc();

	for (uint32_t i = 0; i < iters; i++) {
		if (op(b, i)) {
			return UINT64_MAX;
		}
	}
	return rdtsc() - t0;
}

/*
 * Runs @op BENCH_WARMUP times, then BENCH_ROUNDS rounds of @iters (at
 * least 2) round trips and as many of one, and stores the difference of
 * the best of each, per round trip and times 100, in *@x100: the rdtsc
 * pair and the loop's setup cancel out. Returns 0, or -1 at the first
 * failed round trip.
 */
static __attribute__((noinline, noclone)) int
measure(struct bench *b, int (*op)(struct bench *b, uint64_t i), uint32_t iters,
	uint64_t *x100)
{
	uint64_t best = UINT64_MAX;
	uint64_t best1 = UINT64_MAX;

	for (uint32_t i = 0; i < BENCH_WARMUP; i++) {
		if (op(b, i)) {
			return -1;
		}
	}
	for (int round = 0; round < BENCH_ROUNDS; round++) {
		uint64_t t = round_ticks(b, op, iters);
		uint64_t t1 = round_ticks(b, op, 1);

		if (t == UINT64_MAX || t1 == UINT64_MAX) {
			return -1;
		}
		best = MIN(best, t);
		best1 = MIN(best1, t1);
	}
	*x100 = best > best1 ? (best - best1) * 100 / (iters - 1) : 0;
	return 0;
}

static void report_error(const struct bench *b, const char *what)
{
	printf("BENCH error %s: %s (status %ld)\n", what,
	       b->why ? b->why : "failed", (long)b->status);
}

static struct echo_msg *new_msg(uint32_t seq)
{
	struct echo_msg *m = echo_msg_alloc();

	if (m) {
		m->len = sizeof(m->data);
		m->seq = seq;
	}
	return m;
}

/* Connects to the callee and allocates the message and the deque. */
static int setup(struct bench *b)
{
	int err;

	b->calltest = iface_connect("calltest", 8, CALLTEST_FP);
	if (b->calltest < 0) {
		return fail(b, "connect calltest", b->calltest);
	}
	err = echo_connect(&b->echo);
	if (err) {
		return fail(b, "connect echo", err);
	}
	b->msg_seq = 1;
	b->q_seq = 1;
	b->msg = new_msg(b->msg_seq);
	b->q = echo_msg_deque32_alloc();
	if (!b->msg || !b->q) {
		return fail(b, "out of shared heap", 0);
	}
	for (uint32_t i = 0; i < BENCH_BATCH; i++) {
		struct echo_msg *m = new_msg(b->q_seq);

		if (!m) {
			return fail(b, "out of shared heap", 0);
		}
		/* Cannot fail: the deque has room for BENCH_BATCH. */
		(void)echo_msg_deque32_push(b->q, m);
	}
	return 0;
}

static int timing_run(struct bench *b)
{
	uint64_t loop;

	if (measure(b, op_none, BENCH_ITERS_NULL, &loop)) {
		report_error(b, "loop_overhead");
		return 1;
	}
	printf("BENCH loop_overhead %lu.%02lu insns\n", loop / 100, loop % 100);
	for (size_t k = 0; k < ARRAY_SIZE(figs); k++) {
		uint64_t x;

		if (measure(b, figs[k].op, figs[k].iters, &x)) {
			report_error(b, figs[k].name);
			return 1;
		}
		/* The loop and the call through the pointer are not it. */
		x = x > loop ? x - loop : 0;
		printf("BENCH %s %lu.%02lu insns\n", figs[k].name, x / 100,
		       x % 100);
	}
	return 0;
}

/* BENCH_WARMUP + @iters round trips of @scen, printing nothing if all go. */
static int event_run(struct bench *b, enum bench_scen scen, uint32_t iters)
{
	const struct bench_fig *f = NULL;

	for (size_t k = 0; k < ARRAY_SIZE(figs); k++) {
		if (figs[k].scen == scen) {
			f = &figs[k];
		}
	}
	if (!f || iters > BENCH_EVENT_ITERS_MAX) {
		printf("BENCH error event run: bad scenario %d or count %u\n",
		       (int)scen, iters);
		return 1;
	}
	for (uint32_t i = 0; i < BENCH_WARMUP + iters; i++) {
		if (f->op(b, i)) {
			report_error(b, f->name);
			return 1;
		}
	}
	return 0;
}

int dom_main(uint64_t arg, const char *boot)
{
	enum bench_scen scen = bench_arg_scen(arg);
	struct bench b = {0};
	int r;

	if (setup(&b)) {
		report_error(&b, "setup");
		return 1;
	}
	if (scen == BENCH_SCEN_TIMING) {
		r = timing_run(&b);
	} else {
		r = event_run(&b, scen, bench_arg_iters(arg));
	}
	/* After a failure they may not be ours: exit drops what is. */
	if (r == 0) {
		echo_msg_deque32_drop(b.q);
		echo_msg_drop(b.msg);
	}
	return r;
}
