// SPDX-License-Identifier: MIT
/*
 * The caller's rref and handle scenarios, through the idlc-generated echo
 * proxies: what a move, a loan, a result, a container and a grant do to
 * ownership and to this domain's page table (SYS_RREF_QUERY tells), and
 * what is left after the callee fails at each point of a call. Each
 * returns 0, or a distinct code naming the first wrong thing.
 */
#include <stdint.h>

#include "abi/errno.h"
#include "abi/layout.h"
#include "rt/rt.h"
#include "rt/syscall.h"
#include "tests/call/caller/scen.h"
#include "tests/call/callrt.h"
#include "gen/echo.h"

#define HAVE \
	(SYS_RREF_EXISTS | SYS_RREF_OWNED | SYS_RREF_MAPPED | SYS_RREF_WRITABLE)

/* Fails the scenario with @code when @cond is false, saying where. */
#define EXPECT(cond, code)                                                \
	do {                                                              \
		if (!(cond)) {                                            \
			printf("caller: line %d: %s\n", __LINE__, #cond); \
			return (code);                                    \
		}                                                         \
	} while (0)

static bool have(const void *p)
{
	return (sys_rref_query(p) & HAVE) == HAVE;
}

/* Gone from us: not ours and not in our page table. */
static bool gone(const void *p)
{
	uint32_t q = sys_rref_query(p);

	return !(q & (SYS_RREF_OWNED | SYS_RREF_MAPPED));
}

static struct echo_msg *new_msg(uint32_t seq, uint8_t fill)
{
	struct echo_msg *m = echo_msg_alloc();

	if (m) {
		m->seq = seq;
		m->len = sizeof(m->data);
		memset(m->data, fill, sizeof(m->data));
	}
	return m;
}

static bool intact(const struct echo_msg *m, uint32_t seq, uint8_t fill)
{
	if (m->seq != seq || m->len != sizeof(m->data)) {
		return false;
	}
	for (size_t i = 0; i < sizeof(m->data); i++) {
		if (m->data[i] != fill) {
			return false;
		}
	}
	return true;
}

/* Move, return, double move, forged and interior addresses. */
static int scen_move(struct echo_client *c)
{
	struct echo_msg *m = new_msg(1, 0x11);
	struct echo_msg *back = NULL;
	int32_t app = -1;
	int err;

	EXPECT(m && have(m), 100);
	err = echo_bounce(c, m, &back, &app);
	EXPECT(err == 0 && app == 0 && back == m, 101);
	/* The result is ours again, changed by the callee. */
	EXPECT(have(back) && back->seq == 2 && back->data[0] == 0xee, 102);
	err = echo_sink(c, m, &app);
	EXPECT(err == 0 && app == 0, 103);
	/* A move takes the object out of our page table. */
	EXPECT(gone(m), 104);
	/* Moving it again is refused, and so are addresses we never had. */
	EXPECT(echo_sink(c, m, &app) == -EINVAL, 105);
	EXPECT(echo_sink(c, (struct echo_msg *)(SHEAP_BASE + 0x3000), &app) ==
		       -EINVAL,
	       106);
	m = new_msg(3, 0x33);
	EXPECT(m != NULL, 107);
	EXPECT(echo_sink(c, (struct echo_msg *)((char *)m + 64), &app) ==
		       -EINVAL,
	       108);
	EXPECT(echo_sink(c, (struct echo_msg *)0x1234, &app) == -EINVAL, 109);
	/* None of that touched m. */
	EXPECT(have(m) && intact(m, 3, 0x33), 110);
	/* An optional rref may be none. */
	EXPECT(echo_sink(c, NULL, &app) == 0 && app == 0, 111);
	echo_msg_drop(m);
	return 0;
}

/* A loan: the callee reads it; it stays ours, writable and unchanged. */
static int scen_borrow(struct echo_client *c)
{
	struct echo_msg *m = new_msg(5, 0x55);
	uint32_t len = 0;
	int32_t app = -1;

	EXPECT(m != NULL, 120);
	EXPECT(echo_peek(c, m, &len, &app) == 0 && app == 0, 121);
	EXPECT(len == sizeof(m->data), 122);
	EXPECT(have(m) && !(sys_rref_query(m) & SYS_RREF_LENT), 123);
	EXPECT(intact(m, 5, 0x55), 124);
	echo_msg_drop(m);
	return 0;
}

/* The callee writes to a borrowed rref: it faults, ours is intact. */
static int scen_borrow_write(struct echo_client *c)
{
	struct echo_msg *m = new_msg(ECHO_MAGIC_SCRIBBLE, 0x66);
	uint32_t len = 0;
	int32_t app = -1;

	EXPECT(m != NULL, 130);
	EXPECT(echo_peek(c, m, &len, &app) == -EDOMDEAD, 131);
	EXPECT(have(m) && intact(m, ECHO_MAGIC_SCRIBBLE, 0x66), 132);
	echo_msg_drop(m);
	return 0;
}

/* Results: a new rref from the callee is ours; none is NULL. */
static int scen_results(struct echo_client *c)
{
	struct echo_msg *m = NULL;
	int32_t app = -1;

	EXPECT(echo_make(c, 100, 0x77, &m, &app) == 0 && app == 0, 140);
	EXPECT(m && have(m) && m->len == 100 && m->data[99] == 0x77, 141);
	m->data[0] = 1; /* writable */
	echo_msg_drop(m);
	m = (struct echo_msg *)1;
	EXPECT(echo_make(c, 0, 0, &m, &app) == 0 && m == NULL, 142);
	return 0;
}

/* The callee fails holding a moved rref: it is dropped with it. */
static int scen_crash_holding_move(struct echo_client *c)
{
	uint32_t app_len = 0;
	struct echo_msg *m = new_msg(ECHO_MAGIC_CRASH, 0x12);
	struct echo_msg *back = NULL;
	int32_t app = -1;

	EXPECT(m != NULL, 150);
	EXPECT(echo_bounce(c, m, &back, &app) == -EDOMDEAD, 151);
	EXPECT(back == NULL && gone(m), 152);
	/*
	 * The callee is dead now: a move that cannot get in is dropped all
	 * the same (the caller never has to guess), a loan stays ours.
	 */
	m = new_msg(9, 0x99);
	EXPECT(m != NULL, 153);
	EXPECT(echo_bounce(c, m, &back, &app) == -EDOMDEAD, 154);
	EXPECT(back == NULL && gone(m), 155);
	m = new_msg(10, 0xaa);
	EXPECT(m != NULL, 156);
	EXPECT(echo_peek(c, m, &app_len, &app) == -EDOMDEAD, 157);
	EXPECT(have(m) && intact(m, 10, 0xaa), 158);
	echo_msg_drop(m);
	return 0;
}

/* The callee fails holding a loan: ours comes back intact. */
static int scen_crash_holding_borrow(struct echo_client *c)
{
	struct echo_msg *m = new_msg(ECHO_MAGIC_CRASH, 0x21);
	uint32_t len = 0;
	int32_t app = -1;

	EXPECT(m != NULL, 160);
	EXPECT(echo_peek(c, m, &len, &app) == -EDOMDEAD, 161);
	EXPECT(have(m) && intact(m, ECHO_MAGIC_CRASH, 0x21), 162);
	m->seq = 0; /* and writable again */
	echo_msg_drop(m);
	return 0;
}

/* The callee returns an rref it does not own: it fails, not us. */
static int scen_forged_result(struct echo_client *c)
{
	struct echo_msg *m = NULL;
	int32_t app = -1;

	EXPECT(echo_make(c, 10, ECHO_FILL_FORGE, &m, &app) == -EDOMDEAD, 170);
	EXPECT(m == NULL, 171);
	return 0;
}

/* Results survive a later failure of the callee. */
static int scen_crash_after_return(struct echo_client *c, int64_t ct)
{
	struct echo_msg *m = new_msg(7, 0x70);
	struct echo_msg *back = NULL;
	uint64_t in[4] = {0};
	uint64_t out[4];
	int32_t app = -1;

	EXPECT(m != NULL, 180);
	EXPECT(echo_bounce(c, m, &back, &app) == 0 && back == m, 181);
	EXPECT(ipc_call(ipc_call_word((uint16_t)ct, CALLTEST_CRASH, 0, 0, 0),
			in, out, &app) == -EDOMDEAD,
	       182);
	EXPECT(have(m) && m->seq == 8 && m->data[0] == (0x70 ^ 0xff), 183);
	echo_msg_drop(m);
	return 0;
}

/* A deque of 32 messages moves with its contents, and comes back. */
static int scen_deque(struct echo_client *c, bool crash)
{
	struct echo_msg_deque32 *q = echo_msg_deque32_alloc();
	struct echo_msg_deque32 *back = NULL;
	struct echo_msg *msgs[32];
	int32_t app = -1;
	int err;

	EXPECT(q != NULL, 190);
	for (uint32_t i = 0; i < 32; i++) {
		msgs[i] = new_msg(i, (uint8_t)i);
		EXPECT(msgs[i] != NULL, 191);
		q->slot[i] = msgs[i];
	}
	q->count = 32;
	if (crash) {
		msgs[31]->seq = ECHO_MAGIC_CRASH;
	}
	err = echo_batch(c, q, &back, &app);
	/* Moved: the container and every element left us. */
	if (crash) {
		EXPECT(err == -EDOMDEAD, 192);
		EXPECT(gone(q), 193);
		for (uint32_t i = 0; i < 32; i++) {
			EXPECT(gone(msgs[i]), 194);
		}
		return 0;
	}
	EXPECT(err == 0 && app == 0 && back == q, 195);
	EXPECT(have(q) && q->count == 32, 196);
	for (uint32_t i = 0; i < 32; i++) {
		EXPECT(q->slot[i] == msgs[i] && have(msgs[i]), 197);
		EXPECT(msgs[i]->seq == i + 1, 198);
	}
	/* Dropping the container drops its contents (drop_nested). */
	echo_msg_deque32_drop(q);
	return 0;
}

/* A handle passed to the callee is granted; one returned is ours. */
static int scen_grant(struct echo_client *c)
{
	struct echo_client back = {.handle = 0xffff};
	uint64_t v = 0;
	int32_t app = -1;

	EXPECT(echo_relay(c, *c, &back, &app) == 0 && app == 0, 200);
	/* A new handle of ours, to the same interface. */
	EXPECT(back.handle != 0xffff && back.handle != c->handle, 201);
	EXPECT(echo_ping(&back, 9, &v, &app) == 0 && v == (9 ^ 0x1000), 202);
	/* A handle we do not have cannot be passed. */
	EXPECT(echo_relay(c, (struct echo_client){.handle = 15}, &back, &app) ==
		       -EBADF,
	       203);
	return 0;
}

/*
 * Bounce rrefs until the callee crashes under us (and under a caller on
 * the other CPU): every answer before that must be right; the end must
 * be -EDOMDEAD with the message gone from us.
 */
static int scen_rref_until_dead(struct echo_client *c)
{
	struct echo_msg *m = new_msg(ECHO_MAGIC_COUNTDOWN, 0x42);
	int32_t app;

	EXPECT(m != NULL, 220);
	for (uint32_t i = 0; i < 100000; i++) {
		struct echo_msg *back = NULL;
		int err;

		m->seq = ECHO_MAGIC_COUNTDOWN;
		err = echo_bounce(c, m, &back, &app);
		if (err == -EDOMDEAD) {
			EXPECT(back == NULL && gone(m), 221);
			return 0;
		}
		EXPECT(err == 0 && back == m &&
			       m->seq == ECHO_MAGIC_COUNTDOWN + 1,
		       222);
	}
	return 223;
}

/*
 * Hostile SYS_RREF_* arguments: each is refused with a clear errno and
 * changes nothing (the runner's leak checks see the rest).
 */
static int scen_rref_bad_syscalls(struct echo_client *c)
{
	struct rref_type_desc bad = echo_types[ECHO_MSG_TYPE_INDEX].desc;
	struct echo_msg *m = new_msg(1, 1);
	uint64_t out[64];
	uint64_t addr;
	uint32_t len;
	int32_t app;

	EXPECT(m != NULL, 230);
	/* Counts, sizes and pointers. */
	EXPECT(sys_rref_alloc(NULL, 64, 0, out) == -EINVAL, 231);
	EXPECT(sys_rref_alloc(NULL, 64, 65, out) == -EINVAL, 232);
	EXPECT(sys_rref_alloc(NULL, 0, 1, out) == -EINVAL, 233);
	EXPECT(sys_rref_alloc(NULL, 1ull << 40, 1, out) == -EINVAL, 234);
	EXPECT(sys_rref_alloc(NULL, 64, 1, (uint64_t *)0x10) == -EFAULT, 235);
	EXPECT(sys_rref_alloc((const void *)0x10, 0, 1, out) == -EFAULT, 236);
	/* Malformed type descriptions. */
	bad.nslots = 99;
	EXPECT(sys_rref_alloc(&bad, 0, 1, out) == -EINVAL, 237);
	bad = echo_types[ECHO_MSG_TYPE_INDEX].desc;
	bad.nslots = 1;
	bad.slots[0].offset = bad.size; /* a slot past the end */
	bad.slots[0].count = 1;
	bad.slots[0].type_id = bad.id;
	EXPECT(sys_rref_alloc(&bad, 0, 1, out) == -EINVAL ||
		       sys_rref_alloc(&bad, 0, 1, out) == -EEXIST,
	       238);
	/* Frees of what is not ours, or not an object, or lent out. */
	addr = (uint64_t)m + 8;
	EXPECT(sys_rref_free(&addr, 1) == -EINVAL, 239);
	addr = SHEAP_BASE + 0x7000;
	EXPECT(sys_rref_free(&addr, 1) == -EINVAL, 240);
	EXPECT(sys_rref_free(&addr, 0) == -EINVAL, 241);
	EXPECT(sys_rref_free((const uint64_t *)0x10, 1) == -EFAULT, 242);
	/* Still ours, still intact, still usable in a call. */
	EXPECT(have(m) && intact(m, 1, 1), 243);
	EXPECT(echo_peek(c, m, &len, &app) == 0 && len == sizeof(m->data), 244);
	/* A query of anything at all answers, and says nothing is ours. */
	EXPECT(sys_rref_query((const void *)0x10) == 0, 245);
	EXPECT(sys_rref_query((const void *)~0ull) == 0, 246);
	echo_msg_drop(m);
	return 0;
}

/* Many calls that move rrefs both ways: nothing may leak. */
static int scen_rref_loop(struct echo_client *c)
{
	int32_t app;

	/* 3 calls each: over 10,000 calls that move or lend rrefs. */
	for (uint32_t i = 0; i < 3400; i++) {
		struct echo_msg *m = new_msg(i, (uint8_t)i);
		struct echo_msg *back = NULL;
		uint32_t len = 0;

		EXPECT(m != NULL, 210);
		EXPECT(echo_bounce(c, m, &back, &app) == 0 && back == m, 211);
		EXPECT(echo_peek(c, m, &len, &app) == 0 && m->seq == i + 1,
		       212);
		EXPECT(echo_sink(c, m, &app) == 0, 213);
	}
	for (uint32_t i = 0; i < 200; i++) {
		EXPECT(scen_deque(c, false) == 0, 214);
	}
	return 0;
}

int rref_scenario(uint64_t scen, int64_t ct)
{
	struct echo_client c;
	int err = echo_connect(&c);

	if (err) {
		printf("caller: echo_connect %d\n", err);
		return 99;
	}
	switch (scen) {
	case SCEN_RREF_MOVE:
		return scen_move(&c);
	case SCEN_RREF_BORROW:
		return scen_borrow(&c);
	case SCEN_RREF_BORROW_WRITE:
		return scen_borrow_write(&c);
	case SCEN_RREF_RESULTS:
		return scen_results(&c);
	case SCEN_RREF_CRASH_MOVE:
		return scen_crash_holding_move(&c);
	case SCEN_RREF_CRASH_BORROW:
		return scen_crash_holding_borrow(&c);
	case SCEN_RREF_FORGED_RESULT:
		return scen_forged_result(&c);
	case SCEN_RREF_CRASH_AFTER:
		return scen_crash_after_return(&c, ct);
	case SCEN_RREF_DEQUE:
		return scen_deque(&c, false);
	case SCEN_RREF_DEQUE_CRASH:
		return scen_deque(&c, true);
	case SCEN_HANDLE_GRANT:
		return scen_grant(&c);
	case SCEN_RREF_LOOP:
		return scen_rref_loop(&c);
	case SCEN_RREF_UNTIL_DEAD:
		return scen_rref_until_dead(&c);
	case SCEN_RREF_BAD_SYSCALLS:
		return scen_rref_bad_syscalls(&c);
	default:
		return 98;
	}
}
