// SPDX-License-Identifier: MIT
/*
 * The callee test domain. With arg 0 it serves "calltest" (and calls on to
 * "calltest2" for CALLTEST_NESTED_CRASH) and "echo"; with arg 1 it serves
 * "calltest2"; with CALLEE_INIT_CRASH or CALLEE_INIT_HANG its init fails.
 * Its methods misbehave on request (ECHO_MAGIC_*) so that tests/call can
 * check what callers see.
 */
#include <stdint.h>

#include "abi/layout.h"
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

/* Misbehave on request, holding whatever the call gave us. */
static void maybe_crash(uint32_t seq)
{
	if (seq == ECHO_MAGIC_CRASH) {
		volatile int32_t *bad = 0;

		__asm__ volatile("" : "+r"(bad));
		(void)*bad;
	}
}

static int32_t e_bounce(void *inst, struct echo_msg *m, struct echo_msg **out)
{
	static int64_t left = 3000;

	maybe_crash(m->seq);
	/* Callers on several CPUs hold moved rrefs in us when this fires. */
	if (m->seq == ECHO_MAGIC_COUNTDOWN &&
	    __atomic_sub_fetch(&left, 1, __ATOMIC_SEQ_CST) == 0) {
		maybe_crash(ECHO_MAGIC_CRASH);
	}
	m->seq++;
	m->data[0] ^= 0xff;
	*out = m;
	return 0;
}
static int32_t e_peek(void *inst, const struct echo_msg *m, uint32_t *len)
{
	maybe_crash(m->seq);
	if (m->seq == ECHO_MAGIC_SCRIBBLE) {
		/* Lent read-only: this write must fault. */
		((volatile struct echo_msg *)m)->seq = 0;
	}
	*len = m->len;
	return 0;
}
static int32_t e_make(void *inst, uint32_t len, uint8_t fill,
		      struct echo_msg **out)
{
	struct echo_msg *m;

	if (fill == ECHO_FILL_FORGE) {
		/* An address we do not own: the kernel must fail us. */
		*out = (struct echo_msg *)(uintptr_t)(SHEAP_BASE + 0x5000);
		return 0;
	}
	if (len == 0) {
		*out = NULL;
		return 0;
	}
	m = echo_msg_alloc();
	if (!m) {
		return -12;
	}
	m->len = len < sizeof(m->data) ? len : sizeof(m->data);
	memset(m->data, fill, m->len);
	*out = m;
	return 0;
}
static int32_t e_sink(void *inst, struct echo_msg *m)
{
	if (m) {
		maybe_crash(m->seq);
	}
	echo_msg_drop(m);
	return 0;
}
static int32_t e_relay(void *inst, struct echo_client peer,
		       struct echo_client *out)
{
	uint64_t v = 0;
	int32_t app = 0;

	/* The handle we were granted must work before we give it back. */
	if (echo_ping(&peer, 77, &v, &app) || v != (77 ^ 0x1000)) {
		return -5;
	}
	*out = peer;
	return 0;
}
static int32_t e_batch(void *inst, struct echo_msg_deque32 *q,
		       struct echo_msg_deque32 **out)
{
	for (uint32_t i = 0; i < q->count && i < 32; i++) {
		struct echo_msg *m = q->slot[(q->head + i) % 32];

		if (m) {
			maybe_crash(m->seq);
			m->seq++;
		}
	}
	*out = q;
	return 0;
}

static int32_t e_mix(void *inst, uint64_t a, uint64_t b, uint64_t c, uint64_t d,
		     uint64_t *w, uint64_t *x, uint64_t *y, uint64_t *z)
{
	*w = d;
	*x = a + 1;
	*y = b * 3;
	*z = c ^ 0x5a;
	return 0;
}

static int32_t e_nop(void *inst)
{
	return inst == (void *)0x1000 ? 0 : -1;
}

static const struct echo_ops e_ops = {
	.ping = e_ping,
	.add = e_add,
	.bounce = e_bounce,
	.peek = e_peek,
	.make = e_make,
	.sink = e_sink,
	.fail = e_fail,
	.relay = e_relay,
	.set_delay = e_set_delay,
	.batch = e_batch,
	.mix = e_mix,
	.nop = e_nop,
};
static struct echo_server e_srv = {.ops = &e_ops, .inst = (void *)0x1000};

static int64_t nested_handle = -1;

/*
 * CALLTEST_CLOBBER: end the call with SYS_CALL_RETURN straight from here,
 * every register the kernel must give back to the caller as it was (rbx,
 * rbp, rsp, r12-r15) and r9 full of junk. The caller checks that none of
 * it reaches it.
 */
static __attribute__((noreturn)) void clobber_return(void)
{
	__asm__ volatile("movabsq %0, %%rbx\n\t"
			 "movq %%rbx, %%rbp\n\t"
			 "movq %%rbx, %%r9\n\t"
			 "movq %%rbx, %%r12\n\t"
			 "movq %%rbx, %%r13\n\t"
			 "movq %%rbx, %%r14\n\t"
			 "movq %%rbx, %%r15\n\t"
			 "movq %%rbx, %%rsp\n\t"
			 "movl $18, %%eax\n\t" /* SYS_CALL_RETURN */
			 "movl %1, %%edi\n\t"
			 "xorl %%esi, %%esi\n\t"
			 "xorl %%edx, %%edx\n\t"
			 "xorl %%r10d, %%r10d\n\t"
			 "xorl %%r8d, %%r8d\n\t"
			 "std\n\t" /* rflags must not reach the caller either */
			 "syscall\n\t"
			 "ud2"
			 :
			 : "i"(CLOBBER_JUNK), "i"((int)CLOBBER_RESULT)
			 : "memory");
	__builtin_unreachable();
}

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
	case CALLTEST_MAYBE:
		if (in[0] == MAYBE_CRASH) {
			volatile int32_t *bad = 0;

			__asm__ volatile("" : "+r"(bad));
			return *bad;
		}
		while (in[0] == MAYBE_HANG) {
			__asm__ volatile("" ::: "memory");
		}
		out[0] = in[0] + 1;
		return 0;
	case CALLTEST_CLOBBER:
		clobber_return();
	default:
		return -38; /* -ENOSYS */
	}
}

static const struct calltest_desc ct_desc =
	CALLTEST_DESC("calltest", CALLTEST_FP);
static const struct calltest_desc ct2_desc =
	CALLTEST_DESC("calltest2", CALLTEST2_FP);

/*
 * Serve: calltest (arg 0, with echo) or calltest2 (arg 1). Args 2 and 3
 * fail in init, by a crash or by never finishing.
 */
/* SYS_IFACE_EXPORT of calltest (instance 2 if @arg), with @entries. */
static int64_t export_calltest(uint64_t arg, const struct ipc_entry *entries)
{
	return syscall5(SYS_IFACE_EXPORT,
			(uint64_t)(arg ? &ct2_desc.h : &ct_desc.h),
			(uint64_t)calltest_dispatch, 0,
			(uint64_t)rt_ipc_ret_tramp, (uint64_t)entries);
}

int dom_init(uint64_t arg, const char *boot)
{
	int64_t r;
	struct ipc_entry bad_entries[CALLTEST_NMETHODS] = {0};

	if (arg == CALLEE_INIT_CRASH) {
		maybe_crash(ECHO_MAGIC_CRASH);
	}
	if (arg == CALLEE_INIT_HANG) {
		for (;;) {
			__asm__ volatile("" ::: "memory");
		}
	}
	/*
	 * A method entry outside the image, or entries that cannot be read:
	 * refused. ctx and arg are the domain's own words, never checked.
	 */
	bad_entries[CALLTEST_NMETHODS - 1].pc = 0x10;
	bad_entries[0].ctx = 0x10;
	bad_entries[0].arg = UINT64_MAX;
	if (export_calltest(arg, bad_entries) != -EINVAL ||
	    export_calltest(arg, (const struct ipc_entry *)0x10) != -EFAULT) {
		printf("callee: bad method entries were not refused\n");
		return 1;
	}
	r = export_calltest(arg, NULL);
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
	return 0;
}

int dom_main(uint64_t arg, const char *boot)
{
	/* Seldom awake: a test's injection must come through a call. */
	for (;;) {
		sleep_ms(60000);
	}
	return 0;
}
