// SPDX-License-Identifier: MIT
/*
 * The bench domain's own echo server, entered through echo_dispatch()
 * with no kernel in between: the in-domain peer of each cross-domain echo
 * figure. Its ops do what the callee's do (tests/call/callee/callee.c),
 * less the callee's checks for its misbehave-on-request seq values (one
 * compare per message), so both sides run nearly the same method bodies.
 */
#include <stdint.h>

#include "tests/bench/benchdom/bench.h"

static int32_t local_ping(void *inst, uint64_t v, uint64_t *out)
{
	*out = v ^ (uint64_t)(uintptr_t)inst;
	return 0;
}

/* Takes @m and gives it back through *@out, changed. */
static int32_t local_bounce(void *inst, struct echo_msg *m,
			    struct echo_msg **out)
{
	m->seq++;
	m->data[0] ^= 0xff;
	*out = m;
	return 0;
}

/* Borrows @m until return. */
static int32_t local_peek(void *inst, const struct echo_msg *m, uint32_t *len)
{
	*len = m->len;
	return 0;
}

/* Takes @q and gives it back through *@out, each element changed. */
static int32_t local_batch(void *inst, struct echo_msg_deque32 *q,
			   struct echo_msg_deque32 **out)
{
	for (uint32_t i = 0; i < q->count && i < 32; i++) {
		struct echo_msg *m = q->slot[(q->head + i) % 32];

		if (m) {
			m->seq++;
		}
	}
	*out = q;
	return 0;
}

static int32_t local_nop(void *inst)
{
	return inst == (void *)(uintptr_t)BENCH_ECHO_INST ? 0 : -1;
}

static const struct echo_ops local_ops = {
	.nop = local_nop,
	.ping = local_ping,
	.bounce = local_bounce,
	.peek = local_peek,
	.batch = local_batch,
};

struct echo_server bench_local_echo = {
	.ops = &local_ops,
	.inst = (void *)(uintptr_t)BENCH_ECHO_INST,
};
