// SPDX-License-Identifier: MIT
/*
 * Host tests for the client-side restart recovery of rt_ipc_call()
 * (lib/rt/ipc.c, documented in lib/rt/ipc.h): lib/rt/ipc.c linked with a
 * fake kernel that plays rt_ipc_host_syscall(). The fake serves a few
 * services by handle, checks every call word's flags against its method
 * table the way the kernel checks descriptors, logs every call, and can be
 * scripted to answer the next calls with a transport error; a scripted
 * -ERESTARTED also restarts the service, which forgets its configuration.
 * Covered: config replayed in order with the latest values, idempotent
 * calls retried transparently, non-idempotent calls returning -ERESTARTED
 * after the replay, a replay that hits a restart starting over,
 * -EDOMDEAD passed through from every stage, the bounded loop, refused
 * config not recorded, other handles not replayed, the bounded table.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "abi/errno.h"
#include "abi/ipc.h"
#include "rt/ipc.h"
#include "rt/syscall.h"
#include "unit.h"

/* Methods of the fake service. */
enum {
	ORD_SET_A = 1, /* @config: a = in[0]; app status in[1] */
	ORD_SET_B = 2, /* @config: b = in[0]; app status in[1] */
	ORD_GET = 3,   /* @idempotent: out[0] = a, out[1] = b, out[2] = gen */
	ORD_ADD = 4,   /* out[0] = in[0] + in[1] */
	ORD_LEVEL = 5, /* @idempotent @config: level = in[0] */
	ORD_MANY = 100 /* 100..199 @config: ignored, for the table bound */
};

#define NHANDLES 4u
#define LOG_MAX 256u
#define SCRIPT_MAX 64u

struct service {
	uint64_t a;
	uint64_t b;
	uint64_t level;
	uint64_t gen; /* restarts so far */
};

struct call {
	uint64_t cw;
	uint64_t in[IPC_WORDS];
	int rc;
};

/* The fake kernel; reset at the start of every test. */
static struct {
	struct service svc[NHANDLES];
	struct call log[LOG_MAX];
	unsigned int nlog;
	int script[SCRIPT_MAX]; /* transport status of the next calls */
	unsigned int nscript;
	unsigned int next;
	int script_rest; /* after the script: 0, or this for every call */
	unsigned int bad_flags; /* calls the "kernel" refused */
} fk;

/* ipc.c's other dependencies, never reached by these tests. */
int sys_thread_yield(void)
{
	return 0;
}

int64_t sys_rref_alloc(const struct rref_type_desc *type, uint64_t size,
		       uint64_t count, uint64_t *out)
{
	return -ENOMEM;
}

int sys_rref_free(const uint64_t *addrs, uint64_t count)
{
	return -EINVAL;
}

__attribute__((noreturn)) void dom_panic(const char *fmt, ...);
__attribute__((noreturn)) void dom_panic(const char *fmt, ...)
{
	abort();
}

static unsigned int method_flags(unsigned int ord)
{
	switch (ord) {
	case ORD_SET_A:
	case ORD_SET_B:
		return IPC_CALL_CONFIG;
	case ORD_GET:
		return IPC_CALL_IDEMPOTENT;
	case ORD_LEVEL:
		return IPC_CALL_IDEMPOTENT | IPC_CALL_CONFIG;
	default:
		return ord >= ORD_MANY ? IPC_CALL_CONFIG : 0;
	}
}

static uint64_t cw_of(uint16_t handle, uint16_t ord)
{
	return ipc_call_word(handle, ord, 0, 0, method_flags(ord));
}

/* Runs the call on the service; returns the transport status. */
static int serve(uint64_t cw, const uint64_t in[IPC_WORDS],
		 uint64_t out[IPC_WORDS], int32_t *app)
{
	unsigned int h = (unsigned int)(cw >> IPC_CW_HANDLE_SHIFT) & 0xffff;
	unsigned int ord = (unsigned int)(cw >> IPC_CW_ORDINAL_SHIFT) & 0xffff;
	uint64_t want = cw_of((uint16_t)h, (uint16_t)ord);
	struct service *s;

	if (h >= NHANDLES) {
		return -EBADF;
	}
	if (cw != want) {
		fk.bad_flags++;
		return -EINVAL;
	}
	s = &fk.svc[h];
	memset(out, 0, IPC_WORDS * sizeof(out[0]));
	*app = 0;
	switch (ord) {
	case ORD_SET_A:
		s->a = in[0];
		*app = (int32_t)in[1];
		break;
	case ORD_SET_B:
		s->b = in[0];
		*app = (int32_t)in[1];
		break;
	case ORD_GET:
		out[0] = s->a;
		out[1] = s->b;
		out[2] = s->gen;
		out[3] = s->level;
		break;
	case ORD_ADD:
		out[0] = in[0] + in[1];
		break;
	case ORD_LEVEL:
		s->level = in[0];
		break;
	default:
		break;
	}
	return 0;
}

int rt_ipc_host_syscall(uint64_t cw, const uint64_t in[IPC_WORDS],
			uint64_t out[IPC_WORDS], int32_t *app)
{
	unsigned int h = (unsigned int)(cw >> IPC_CW_HANDLE_SHIFT) & 0xffff;
	int rc = fk.script_rest;
	struct call *c;

	if (fk.next < fk.nscript) {
		rc = fk.script[fk.next++];
	}
	if (rc == -ERESTARTED && h < NHANDLES) {
		/* The instance failed: the new one has no configuration. */
		uint64_t gen = fk.svc[h].gen + 1;

		memset(&fk.svc[h], 0, sizeof(fk.svc[h]));
		fk.svc[h].gen = gen;
	}
	if (rc == 0) {
		rc = serve(cw, in, out, app);
	} else {
		/* What the caller must not rely on after an error. */
		memset(out, 0xee, IPC_WORDS * sizeof(out[0]));
		*app = 0x5eed;
	}
	if (fk.nlog < LOG_MAX) {
		c = &fk.log[fk.nlog++];
		c->cw = cw;
		memcpy(c->in, in, sizeof(c->in));
		c->rc = rc;
	}
	return rc;
}

static void reset(void)
{
	memset(&fk, 0, sizeof(fk));
	rt_ipc_host_forget();
}

/* The next calls the fake kernel sees answer with these statuses. */
static void script(int n, ...)
{
	va_list ap;

	va_start(ap, n);
	for (int i = 0; i < n && fk.nscript < SCRIPT_MAX; i++) {
		fk.script[fk.nscript++] = va_arg(ap, int);
	}
	va_end(ap);
}

static int call4(uint16_t h, uint16_t ord, uint64_t a0, uint64_t a1,
		 uint64_t out[IPC_WORDS], int32_t *app)
{
	uint64_t in[IPC_WORDS] = {a0, a1, 0, 0};

	return rt_ipc_call(cw_of(h, ord), in, out, app);
}

/* A @config call that must succeed with app status 0. */
static int set(uint16_t h, uint16_t ord, uint64_t v)
{
	uint64_t out[IPC_WORDS];
	int32_t app = -1;
	int rc = call4(h, ord, v, 0, out, &app);

	return rc ? rc : app;
}

/* Checks log entry @i is a call of (@h, @ord) whose in[0] is @a0. */
static bool logged(unsigned int i, uint16_t h, uint16_t ord, uint64_t a0)
{
	return i < fk.nlog && fk.log[i].cw == cw_of(h, ord) &&
	       fk.log[i].in[0] == a0;
}

UNIT_TEST(rt_recovery_config_replayed_in_order_with_latest_values)
{
	uint64_t out[IPC_WORDS];
	int32_t app;

	reset();
	UNIT_EQ(set(1, ORD_SET_A, 10), 0);
	UNIT_EQ(set(1, ORD_SET_B, 20), 0);
	UNIT_EQ(set(1, ORD_SET_A, 11), 0); /* latest wins, order kept */
	fk.nlog = 0;
	script(1, -ERESTARTED);
	UNIT_EQ(call4(1, ORD_GET, 0, 0, out, &app), 0);
	UNIT_EQ(fk.nlog, 4);
	UNIT_ASSERT(logged(0, 1, ORD_GET, 0));
	UNIT_ASSERT(logged(1, 1, ORD_SET_A, 11));
	UNIT_ASSERT(logged(2, 1, ORD_SET_B, 20));
	UNIT_ASSERT(logged(3, 1, ORD_GET, 0));
	UNIT_EQ(fk.bad_flags, 0);
	/* The new instance has the configuration. */
	UNIT_EQ(fk.svc[1].gen, 1);
	UNIT_EQ(fk.svc[1].a, 11);
	UNIT_EQ(fk.svc[1].b, 20);
}

UNIT_TEST(rt_recovery_idempotent_call_retried_transparently)
{
	uint64_t out[IPC_WORDS];
	int32_t app = -1;

	reset();
	UNIT_EQ(set(1, ORD_SET_A, 5), 0);
	script(1, -ERESTARTED);
	UNIT_EQ(call4(1, ORD_GET, 0, 0, out, &app), 0);
	UNIT_EQ(app, 0);
	/* Results of the retry, on the new instance, configured. */
	UNIT_EQ(out[0], 5);
	UNIT_EQ(out[1], 0);
	UNIT_EQ(out[2], 1);
	UNIT_EQ(fk.nlog, 4);
	UNIT_ASSERT(logged(1, 1, ORD_GET, 0));
	UNIT_ASSERT(logged(2, 1, ORD_SET_A, 5));
	UNIT_ASSERT(logged(3, 1, ORD_GET, 0));
	/* Restarted again later: the same once more. */
	script(1, -ERESTARTED);
	UNIT_EQ(call4(1, ORD_GET, 0, 0, out, &app), 0);
	UNIT_EQ(out[0], 5);
	UNIT_EQ(out[2], 2);
}

UNIT_TEST(rt_recovery_non_idempotent_returns_restarted_after_replay)
{
	uint64_t out[IPC_WORDS];
	int32_t app;

	reset();
	UNIT_EQ(set(1, ORD_SET_A, 7), 0);
	UNIT_EQ(set(1, ORD_SET_B, 8), 0);
	fk.nlog = 0;
	script(1, -ERESTARTED);
	UNIT_EQ(call4(1, ORD_ADD, 2, 3, out, &app), -ERESTARTED);
	/* Replayed, not retried. */
	UNIT_EQ(fk.nlog, 3);
	UNIT_ASSERT(logged(0, 1, ORD_ADD, 2));
	UNIT_ASSERT(logged(1, 1, ORD_SET_A, 7));
	UNIT_ASSERT(logged(2, 1, ORD_SET_B, 8));
	UNIT_EQ(fk.svc[1].a, 7);
	UNIT_EQ(fk.svc[1].b, 8);
	/* The caller decides to try again: it works, no replay. */
	UNIT_EQ(call4(1, ORD_ADD, 2, 3, out, &app), 0);
	UNIT_EQ(out[0], 5);
	UNIT_EQ(fk.nlog, 4);
}

UNIT_TEST(rt_recovery_replay_hitting_restart_starts_over)
{
	uint64_t out[IPC_WORDS];
	int32_t app;

	reset();
	UNIT_EQ(set(1, ORD_SET_A, 1), 0);
	UNIT_EQ(set(1, ORD_SET_B, 2), 0);
	fk.nlog = 0;
	/* GET fails, SET_A replays, the callee fails again during SET_B. */
	script(3, -ERESTARTED, 0, -ERESTARTED);
	UNIT_EQ(call4(1, ORD_GET, 0, 0, out, &app), 0);
	UNIT_EQ(fk.nlog, 6);
	UNIT_ASSERT(logged(0, 1, ORD_GET, 0));
	UNIT_ASSERT(logged(1, 1, ORD_SET_A, 1));
	UNIT_ASSERT(logged(2, 1, ORD_SET_B, 2));
	UNIT_ASSERT(logged(3, 1, ORD_SET_A, 1));
	UNIT_ASSERT(logged(4, 1, ORD_SET_B, 2));
	UNIT_ASSERT(logged(5, 1, ORD_GET, 0));
	UNIT_EQ(out[0], 1);
	UNIT_EQ(out[1], 2);
	UNIT_EQ(out[2], 2);
}

UNIT_TEST(rt_recovery_retry_hitting_restart_repeats_everything)
{
	uint64_t out[IPC_WORDS];
	int32_t app;

	reset();
	UNIT_EQ(set(1, ORD_SET_A, 4), 0);
	fk.nlog = 0;
	script(3, -ERESTARTED, 0, -ERESTARTED);
	UNIT_EQ(call4(1, ORD_GET, 0, 0, out, &app), 0);
	UNIT_EQ(fk.nlog, 5);
	UNIT_ASSERT(logged(2, 1, ORD_GET, 0));
	UNIT_ASSERT(logged(3, 1, ORD_SET_A, 4));
	UNIT_ASSERT(logged(4, 1, ORD_GET, 0));
	UNIT_EQ(out[0], 4);
	UNIT_EQ(out[2], 2);
}

UNIT_TEST(rt_recovery_edomdead_passed_through)
{
	uint64_t out[IPC_WORDS];
	int32_t app;

	reset();
	UNIT_EQ(set(1, ORD_SET_A, 3), 0);
	/* From the call itself: no replay. */
	fk.nlog = 0;
	script(1, -EDOMDEAD);
	UNIT_EQ(call4(1, ORD_GET, 0, 0, out, &app), -EDOMDEAD);
	UNIT_EQ(fk.nlog, 1);
	/* From a replay: nothing after it. */
	fk.nlog = 0;
	script(2, -ERESTARTED, -EDOMDEAD);
	UNIT_EQ(call4(1, ORD_GET, 0, 0, out, &app), -EDOMDEAD);
	UNIT_EQ(fk.nlog, 2);
	UNIT_ASSERT(logged(1, 1, ORD_SET_A, 3));
	/* From the retry. */
	fk.nlog = 0;
	script(3, -ERESTARTED, 0, -EDOMDEAD);
	UNIT_EQ(call4(1, ORD_GET, 0, 0, out, &app), -EDOMDEAD);
	UNIT_EQ(fk.nlog, 3);
	/* And for a call that would not have been retried. */
	fk.nlog = 0;
	script(2, -ERESTARTED, -EDOMDEAD);
	UNIT_EQ(call4(1, ORD_ADD, 1, 1, out, &app), -EDOMDEAD);
	UNIT_EQ(fk.nlog, 2);
}

UNIT_TEST(rt_recovery_loop_is_bounded)
{
	uint64_t out[IPC_WORDS];
	int32_t app;

	reset();
	fk.script_rest = -ERESTARTED; /* the callee never comes up */
	/* No configuration: each round is one retry. */
	UNIT_EQ(call4(1, ORD_GET, 0, 0, out, &app), -ERESTARTED);
	UNIT_EQ(fk.nlog, 1 + RT_IPC_RESTART_ROUNDS);
	/* With configuration: each round dies in the replay. */
	fk.script_rest = 0;
	UNIT_EQ(set(1, ORD_SET_A, 9), 0);
	fk.script_rest = -ERESTARTED;
	fk.nlog = 0;
	UNIT_EQ(call4(1, ORD_GET, 0, 0, out, &app), -ERESTARTED);
	UNIT_EQ(fk.nlog, 1 + RT_IPC_RESTART_ROUNDS);
	for (unsigned int i = 1; i < fk.nlog; i++) {
		UNIT_ASSERT(logged(i, 1, ORD_SET_A, 9));
	}
	/* Never retried, bounded too: a non-idempotent call. */
	fk.nlog = 0;
	UNIT_EQ(call4(1, ORD_ADD, 1, 2, out, &app), -ERESTARTED);
	UNIT_EQ(fk.nlog, 1 + RT_IPC_RESTART_ROUNDS);
}

UNIT_TEST(rt_recovery_refused_config_not_recorded)
{
	uint64_t out[IPC_WORDS];
	int32_t app = 0;

	reset();
	/* The callee refuses: app status -EINVAL. */
	UNIT_EQ(call4(1, ORD_SET_A, 6, (uint64_t)(int64_t)-EINVAL, out, &app),
		0);
	UNIT_EQ(app, -EINVAL);
	/* A transport error: not recorded either. */
	script(1, -EBADF);
	UNIT_EQ(call4(1, ORD_SET_B, 6, 0, out, &app), -EBADF);
	fk.nlog = 0;
	script(1, -ERESTARTED);
	UNIT_EQ(call4(1, ORD_GET, 0, 0, out, &app), 0);
	UNIT_EQ(fk.nlog, 2);
	UNIT_ASSERT(logged(1, 1, ORD_GET, 0));
	/* A later refusal leaves the accepted value recorded. */
	UNIT_EQ(set(1, ORD_SET_A, 12), 0);
	UNIT_EQ(call4(1, ORD_SET_A, 13, (uint64_t)(int64_t)-EINVAL, out, &app),
		0);
	fk.nlog = 0;
	script(1, -ERESTARTED);
	UNIT_EQ(call4(1, ORD_GET, 0, 0, out, &app), 0);
	UNIT_EQ(fk.nlog, 3);
	UNIT_ASSERT(logged(1, 1, ORD_SET_A, 12));
	UNIT_EQ(out[0], 12);
}

UNIT_TEST(rt_recovery_other_handles_not_replayed)
{
	uint64_t out[IPC_WORDS];
	int32_t app;

	reset();
	UNIT_EQ(set(1, ORD_SET_A, 100), 0);
	UNIT_EQ(set(2, ORD_SET_A, 200), 0);
	UNIT_EQ(set(1, ORD_SET_B, 101), 0);
	UNIT_EQ(set(2, ORD_SET_B, 201), 0);
	fk.nlog = 0;
	script(1, -ERESTARTED);
	UNIT_EQ(call4(2, ORD_GET, 0, 0, out, &app), 0);
	UNIT_EQ(fk.nlog, 4);
	UNIT_ASSERT(logged(1, 2, ORD_SET_A, 200));
	UNIT_ASSERT(logged(2, 2, ORD_SET_B, 201));
	UNIT_ASSERT(logged(3, 2, ORD_GET, 0));
	UNIT_EQ(out[0], 200);
	UNIT_EQ(out[1], 201);
	/* Handle 1's service was not touched. */
	UNIT_EQ(fk.svc[1].gen, 0);
	UNIT_EQ(fk.svc[1].a, 100);
}

UNIT_TEST(rt_recovery_idempotent_config_retried_and_recorded)
{
	uint64_t out[IPC_WORDS];
	int32_t app;

	reset();
	UNIT_EQ(set(1, ORD_LEVEL, 1), 0);
	fk.nlog = 0;
	/* The new level's call fails: old level replayed, new one retried. */
	script(1, -ERESTARTED);
	UNIT_EQ(set(1, ORD_LEVEL, 2), 0);
	UNIT_EQ(fk.nlog, 3);
	UNIT_ASSERT(logged(1, 1, ORD_LEVEL, 1));
	UNIT_ASSERT(logged(2, 1, ORD_LEVEL, 2));
	/* ... and the retried value is what the next restart replays. */
	fk.nlog = 0;
	script(1, -ERESTARTED);
	UNIT_EQ(call4(1, ORD_GET, 0, 0, out, &app), 0);
	UNIT_EQ(fk.nlog, 3);
	UNIT_ASSERT(logged(1, 1, ORD_LEVEL, 2));
	UNIT_EQ(out[3], 2);
}

UNIT_TEST(rt_recovery_restarted_config_is_sent_again)
{
	uint64_t out[IPC_WORDS];
	int32_t app;

	reset();
	UNIT_EQ(set(1, ORD_SET_A, 1), 0);
	/*
	 * A @config call cut off by a restart: the old value is replayed
	 * first, then the call itself goes again (configuration is safe to
	 * resend: a restart replays it anyway), and the new value is what
	 * the next restart replays.
	 */
	script(1, -ERESTARTED);
	fk.nlog = 0;
	UNIT_EQ(set(1, ORD_SET_A, 2), 0);
	UNIT_EQ(fk.svc[1].a, 2);
	UNIT_ASSERT(logged(1, 1, ORD_SET_A, 1));
	UNIT_ASSERT(logged(2, 1, ORD_SET_A, 2));
	fk.nlog = 0;
	script(1, -ERESTARTED);
	UNIT_EQ(call4(1, ORD_GET, 0, 0, out, &app), 0);
	UNIT_ASSERT(logged(1, 1, ORD_SET_A, 2));
	UNIT_EQ(out[0], 2);
}

UNIT_TEST(rt_recovery_plain_calls_not_recorded)
{
	uint64_t out[IPC_WORDS];
	int32_t app;

	reset();
	UNIT_EQ(call4(1, ORD_ADD, 1, 2, out, &app), 0);
	UNIT_EQ(call4(1, ORD_GET, 0, 0, out, &app), 0);
	fk.nlog = 0;
	script(1, -ERESTARTED);
	UNIT_EQ(call4(1, ORD_GET, 0, 0, out, &app), 0);
	UNIT_EQ(fk.nlog, 2);
	UNIT_EQ(fk.bad_flags, 0);
}

UNIT_TEST(rt_recovery_table_is_bounded)
{
	uint64_t out[IPC_WORDS];
	int32_t app;

	reset();
	for (unsigned int i = 0; i < RT_IPC_CONFIG_MAX; i++) {
		UNIT_EQ(set(3, (uint16_t)(ORD_MANY + i), i), 0);
	}
	/* Full: a new pair is accepted by the callee but not recorded ... */
	UNIT_EQ(set(3, ORD_SET_A, 77), 0);
	UNIT_EQ(set(1, ORD_SET_A, 78), 0);
	/* ... while an existing pair still takes its latest value. */
	UNIT_EQ(set(3, ORD_MANY + 5, 555), 0);
	fk.nlog = 0;
	script(1, -ERESTARTED);
	UNIT_EQ(call4(3, ORD_GET, 0, 0, out, &app), 0);
	UNIT_EQ(fk.nlog, 2 + RT_IPC_CONFIG_MAX);
	for (unsigned int i = 0; i < RT_IPC_CONFIG_MAX; i++) {
		UNIT_ASSERT(logged(1 + i, 3, (uint16_t)(ORD_MANY + i),
				   i == 5 ? 555 : i));
	}
	UNIT_EQ(out[0], 0); /* SET_A was not replayed */
	/* After reset, recording works again. */
	rt_ipc_host_forget();
	UNIT_EQ(set(1, ORD_SET_A, 79), 0);
	fk.nlog = 0;
	script(1, -ERESTARTED);
	UNIT_EQ(call4(1, ORD_GET, 0, 0, out, &app), 0);
	UNIT_EQ(fk.nlog, 3);
	UNIT_EQ(out[0], 79);
}
