// SPDX-License-Identifier: MIT
/*
 * The callee test domain. With arg 0 it serves "calltest" (and calls on to
 * "calltest2" for CALLTEST_NESTED_CRASH); with arg 1 it serves
 * "calltest2". Its methods misbehave on request so that tests/call can
 * check what callers see.
 */
#include <stdint.h>

#include "rt/ipc.h"
#include "rt/rt.h"
#include "tests/call/callrt.h"
#include "gen/echo.h"

int32_t calltest_dispatch(void *ctx, uint32_t ord, const uint64_t *in,
			  uint64_t *out);

static uint32_t delay;
static int32_t e_ping(void *inst, uint64_t v, uint64_t *out)
{
	*out = v ^ (uint64_t)inst;
	return 0;
}
static int32_t e_add(void *inst, struct echo_pair p, int64_t *sum,
		     int64_t *diff)
{
	*sum = (int64_t)p.a + p.b;
	*diff = (int64_t)p.a - p.b;
	return 0;
}
static int32_t e_fail(void *inst, int32_t status)
{
	return status;
}
static int32_t e_set_delay(void *inst, uint32_t usec)
{
	delay = usec;
	return (int32_t)usec + 1;
}
static const struct echo_ops e_ops = {
	.ping = e_ping, .add = e_add, .fail = e_fail, .set_delay = e_set_delay};
static struct echo_server e_srv = {.ops = &e_ops, .inst = (void *)0x1000};

static int64_t nested_handle = -1;

int32_t calltest_dispatch(void *ctx, uint32_t ord, const uint64_t *in,
			  uint64_t *out)
{
	switch (ord) {
	case CALLTEST_ADD:
		out[0] = in[0] + in[1];
		return 0;
	case CALLTEST_CRASH:
		return *(volatile int32_t *)0;
	case CALLTEST_PANIC:
		dom_panic("callee: panic inside a call (%lu)", in[0]);
	case CALLTEST_APP_ERROR:
		out[0] = in[0] * 2;
		return 7;
	case CALLTEST_NESTED_CRASH: {
		uint64_t nin[4] = {0};
		uint64_t nout[4];
		int32_t app;

		if (nested_handle < 0) {
			nested_handle =
				iface_connect("calltest2", 9, CALLTEST2_FP);
		}
		if (nested_handle < 0) {
			out[0] = (uint64_t)nested_handle;
			return 1;
		}
		out[0] = (uint64_t)ipc_call(
			ipc_call_word((uint16_t)nested_handle, CALLTEST_CRASH,
				      0, 0, 0),
			nin, nout, &app);
		return 0; /* we handled the failure of our callee */
	}
	case CALLTEST_ECHO4:
		for (int i = 0; i < 4; i++) {
			out[i] = in[i] ^ 0x5a5a;
		}
		return 0;
	case CALLTEST_COUNTDOWN: {
		static int64_t left = 3000;

		/* Callers on several CPUs are inside us when this fires. */
		if (__atomic_sub_fetch(&left, 1, __ATOMIC_SEQ_CST) == 0) {
			volatile int32_t *bad = 0;

			__asm__ volatile("" : "+r"(bad));
			return *bad;
		}
		out[0] = in[0] + 1;
		return 0;
	}
	case CALLTEST_HANG:
		for (;;) {
			__asm__ volatile("" ::: "memory");
		}
	default:
		return -38; /* -ENOSYS */
	}
}

int dom_main(uint64_t arg, const char *boot)
{
	const char *name = arg ? "calltest2" : "calltest";
	uint64_t fp = arg ? CALLTEST2_FP : CALLTEST_FP;
	int64_t r = syscall6(SYS_IFACE_EXPORT, (uint64_t)name, arg ? 9 : 8, fp,
			     (uint64_t)calltest_dispatch, 0,
			     (uint64_t)rt_ipc_ret_tramp);

	if (r < 0) {
		printf("callee: export failed: %ld\n", r);
		return 1;
	}
	if (!arg) {
		int err = echo_export(&e_srv);

		if (err) {
			printf("callee: echo export failed: %d\n", err);
			return 1;
		}
	}
	for (;;) {
		sleep_ms(1000);
	}
	return 0;
}
