// SPDX-License-Identifier: MIT
/*
 * The caller test domain: connects to "calltest" and runs the scenario
 * chosen by its start argument, exiting 0 when everything it saw was right
 * (and a distinct non-zero code naming the first wrong thing otherwise).
 */
#include <stdint.h>

#include "abi/errno.h"
#include "rt/rt.h"
#include "rt/syscall.h"
#include "tests/call/caller/scen.h"
#include "tests/call/callrt.h"
#include "gen/echo.h"

static int echo_scenario(void)
{
	struct echo_client c;
	struct echo_pair p = {.a = 0xffffffffffffffffull, .b = -7};
	uint64_t v = 0;
	int64_t sum = 0, diff = 0;
	uint64_t mix[4] = {0};
	int32_t app = 99;
	int err = echo_connect(&c);

	if (err) {
		printf("caller: echo_connect %d\n", err);
		return 30;
	}
	err = echo_ping(&c, 0x123456789abcdef0ull, &v, &app);
	if (err || app || v != (0x123456789abcdef0ull ^ 0x1000)) {
		printf("caller: ping %d %d %lx\n", err, app, v);
		return 31;
	}
	err = echo_add(&c, p, &sum, &diff, &app);
	if (err || app || sum != (int64_t)(0xffffffffffffffffull - 7) ||
	    diff != (int64_t)(0xffffffffffffffffull + 7)) {
		return 32;
	}
	err = echo_fail(&c, -5, &app);
	if (err || app != -5) {
		return 33;
	}
	err = echo_set_delay(&c, 41, &app);
	if (err || app != 42) {
		return 34;
	}
	/* Four words each way: echo_entry_mix moves word 2 out of r10. */
	err = echo_mix(&c, 0x1111, 0x2222, 0x3333, 0x4444, &mix[0], &mix[1],
		       &mix[2], &mix[3], &app);
	if (err || app || mix[0] != 0x4444 || mix[1] != 0x1112 ||
	    mix[2] != 0x6666 || mix[3] != (0x3333 ^ 0x5a)) {
		printf("caller: mix %d %d %lx %lx %lx %lx\n", err, app, mix[0],
		       mix[1], mix[2], mix[3]);
		return 35;
	}
	/* No words at all: the serve function still gets its context. */
	err = echo_nop(&c, &app);
	if (err || app) {
		return 36;
	}
	printf("caller: generated echo proxies OK\n");
	return 0;
}

static int64_t try_export(const void *desc)
{
	return syscall5(SYS_IFACE_EXPORT, (uint64_t)desc, (uint64_t)dom_main, 0,
			(uint64_t)rt_ipc_ret_tramp, 0);
}

/*
 * Malformed descriptors are refused (-EINVAL) before anything else, and
 * a well-formed one the manifest does not declare gets -EPERM.
 */
static int bad_exports(void)
{
	static struct calltest_desc d = CALLTEST_DESC("calltest", CALLTEST_FP);
	static const struct calltest_desc good =
		CALLTEST_DESC("calltest", CALLTEST_FP);

	d.h.name[0] = 'X'; /* not [a-z][a-z0-9_]* */
	if (try_export(&d) != -EINVAL) {
		return 40;
	}
	d = good;
	d.m[3].ordinal = 1; /* not sorted */
	if (try_export(&d) != -EINVAL) {
		return 41;
	}
	d = good;
	d.m[0].arg_kinds = 7; /* no such kind */
	if (try_export(&d) != -EINVAL) {
		return 42;
	}
	d = good;
	d.m[0].nargs = 9;
	if (try_export(&d) != -EINVAL) {
		return 43;
	}
	d = good;
	d.h.nmethods = 100000; /* more than the limit, and than the object */
	if (try_export(&d) != -EINVAL) {
		return 44;
	}
	d = good;
	d.m[2].flags = 0x80;
	if (try_export(&d) != -EINVAL) {
		return 45;
	}
	if (try_export((const void *)0x10) != -EFAULT) {
		return 46;
	}
	/* Well formed, but our manifest exports nothing. */
	return try_export(&good) == -EPERM ? 0 : 47;
}

/* SYS_STATE_MAP: bad sizes refused, one area per instance, usable. */
static int state_map(void)
{
	void *a = NULL;
	void *b = NULL;

	if (sys_state_map(0, &a) != -EINVAL ||
	    sys_state_map(SYS_STATE_MAX_PAGES + 1, &a) != -EINVAL) {
		return 50;
	}
	if (sys_state_map(1000, &a) != -EDQUOT) { /* quota is 128 pages */
		return 51;
	}
	if (sys_state_map(2, &a) || sys_state_map(2, &b) || a != b) {
		return 52;
	}
	if (sys_state_map(3, &b) != -EINVAL) { /* another size */
		return 53;
	}
	/* Zeroed, and ours to write. */
	if (((volatile uint64_t *)a)[0] != 0) {
		return 54;
	}
	((volatile uint64_t *)a)[1023] = 0x5a5a;
	return ((volatile uint64_t *)a)[1023] == 0x5a5a ? 0 : 55;
}

static uint64_t cw(int64_t h, unsigned int ord)
{
	return ipc_call_word((uint16_t)h, (uint16_t)ord, 0, 0, 0);
}

/*
 * What a caller saw after one SYS_CALL to CALLTEST_CLOBBER: rbx, rbp,
 * r12-r15, r9, r11, rflags, and rsp before and after.
 */
static uint64_t seen[11];

/* One CALLTEST_CLOBBER call by hand; returns the transport status. */
static int64_t clobber_call(int64_t h, uint64_t *res)
{
	register uint64_t r10 __asm__("r10") = 0;
	register uint64_t r8 __asm__("r8") = 0;
	uint64_t rdi = cw(h, CALLTEST_CLOBBER);
	uint64_t rsi = 0;
	uint64_t rdx = 0;
	int64_t rax = SYS_CALL;

	__asm__ volatile(
		"pushq %%rbp\n\t"
		"pushq %%rbx\n\t"
		"movq %%rsp, %[sp0]\n\t"
		"movl $0x1111, %%ebx\n\t"
		"movl $0x2222, %%ebp\n\t"
		"movl $0x3333, %%r12d\n\t"
		"movl $0x4444, %%r13d\n\t"
		"movl $0x5555, %%r14d\n\t"
		"movl $0x6666, %%r15d\n\t"
		"movl $0x7777, %%r9d\n\t"
		"syscall\n\t"
		"movq %%rbx, %[s0]\n\t"
		"movq %%rbp, %[s1]\n\t"
		"movq %%r12, %[s2]\n\t"
		"movq %%r13, %[s3]\n\t"
		"movq %%r14, %[s4]\n\t"
		"movq %%r15, %[s5]\n\t"
		"movq %%r9, %[s6]\n\t"
		"movq %%r11, %[s7]\n\t"
		"pushfq\n\t"
		"popq %%rbx\n\t"
		"movq %%rbx, %[s8]\n\t"
		"movq %%rsp, %[sp1]\n\t"
		"popq %%rbx\n\t"
		"popq %%rbp"
		: "+a"(rax), "+D"(rdi), "+S"(rsi), "+d"(rdx), "+r"(r10),
		  "+r"(r8), [s0] "=m"(seen[0]), [s1] "=m"(seen[1]),
		  [s2] "=m"(seen[2]), [s3] "=m"(seen[3]), [s4] "=m"(seen[4]),
		  [s5] "=m"(seen[5]), [s6] "=m"(seen[6]), [s7] "=m"(seen[7]),
		  [s8] "=m"(seen[8]), [sp0] "=m"(seen[9]), [sp1] "=m"(seen[10])
		:
		: "rcx", "r9", "r11", "r12", "r13", "r14", "r15", "memory");
	*res = rdi;
	return rax;
}

/*
 * The kernel gives the caller back rbx, rbp, rsp and r12-r15 whatever the
 * callee left in them, and no junk in r9 or rflags (lib/abi/ipc.h): on
 * the general path (the first call) and through the parked frame (the
 * rest; the harness checks that those were taken).
 */
static int fast_regs(int64_t h)
{
	static const uint64_t want[6] = {0x1111, 0x2222, 0x3333,
					 0x4444, 0x5555, 0x6666};

	for (int i = 0; i < 50; i++) {
		uint64_t res = 0;
		int64_t st = clobber_call(h, &res);

		if (st != 0 || res != CLOBBER_RESULT) {
			printf("caller: clobber call %d: status %ld result "
			       "%#lx\n",
			       i, st, res);
			return 40;
		}
		for (int r = 0; r < 6; r++) {
			if (seen[r] != want[r]) {
				printf("caller: call %d: register %d came back "
				       "%#lx\n",
				       i, r, seen[r]);
				return 41;
			}
		}
		if (seen[6] != 0 || seen[7] != 0x202 ||
		    (seen[8] & ~0x8d5ull) != 0x202 || seen[9] != seen[10]) {
			printf("caller: call %d: r9 %#lx r11 %#lx rflags %#lx "
			       "rsp %#lx/%#lx\n",
			       i, seen[6], seen[7], seen[8], seen[9], seen[10]);
			return 42;
		}
	}
	return 0;
}

/*
 * A call of @word that fails with @want: rdi must be the call word again,
 * and rsi, rdx, r10, r8 the arguments if the call never @entered the
 * callee, else 0 (lib/abi/ipc.h).
 */
static bool fails_as(uint64_t word, const uint64_t in[4], int64_t want,
		     bool entered)
{
	uint64_t regs[5];
	int32_t r8;
	/* A bare SYS_CALL: rdi, rsi, rdx, r10 in regs[0..3]. */
	int64_t st = rt_ipc_syscall(word, in, regs, &r8);
	bool ok = st == want && regs[0] == word;

	regs[4] = (uint64_t)(int64_t)r8;
	for (int i = 0; i < 4; i++) {
		ok = ok && regs[i + 1] == (entered ? 0 : in[i]);
	}
	if (!ok) {
		printf("caller: status %ld (want %ld), rdi %#lx (cw %#lx), "
		       "rsi %#lx rdx %#lx r10 %#lx r8 %#lx\n",
		       st, want, regs[0], word, regs[1], regs[2], regs[3],
		       regs[4]);
	}
	return ok;
}

/*
 * Park a frame on calltest.MAYBE (a few calls), check a handle table
 * change sends the next call the long way and that it parks again, then
 * end with @last: MAYBE_CRASH or MAYBE_HANG fail the callee inside a
 * parked call; 0 first kills it with a PANIC call (another call word), so
 * the next MAYBE finds its parked frame on a dead callee. Every ending
 * must be -EDOMDEAD for this and every later call.
 */
static int fast_fail(int64_t h, uint64_t last)
{
	uint64_t in[4] = {0};
	uint64_t out[4] = {0};
	int32_t app = -1;
	int64_t st;

	for (uint64_t i = 0; i < 20; i++) {
		if (i == 10 && iface_connect("calltest", 8, CALLTEST_FP) < 0) {
			return 50; /* a new handle: a new handles_ver */
		}
		in[0] = i;
		st = ipc_call(cw(h, CALLTEST_MAYBE), in, out, &app);
		if (st != 0 || app != 0 || out[0] != i + 1) {
			return 51;
		}
	}
	if (last == 0) {
		st = ipc_call(cw(h, CALLTEST_PANIC), in, out, &app);
		if (st != -EDOMDEAD) {
			return 52;
		}
	}
	/*
	 * The crash or hang is in the callee; after a PANIC, or after the
	 * first failure, the call never gets in.
	 */
	in[0] = last;
	in[1] = 0x1111;
	in[2] = 0x2222;
	in[3] = 0x3333;
	for (int i = 0; i < 3; i++) {
		if (!fails_as(cw(h, CALLTEST_MAYBE), in, -EDOMDEAD,
			      i == 0 && last != 0)) {
			return 53;
		}
	}
	return 0;
}

/*
 * Park a frame on calltest.MAYBE (20 calls), then sleep while the kernel's
 * test arms a crash on the callee: the next call must take the general
 * path, where the injection is (kernel/call_fast.c, "Blocking"), and so
 * return -EDOMDEAD. Through the parked frame it would succeed.
 */
static int fast_inject(int64_t h)
{
	uint64_t in[4] = {0};
	uint64_t out[4] = {0};
	int32_t app = -1;
	int64_t st;

	for (uint64_t i = 0; i < 20; i++) {
		in[0] = i;
		st = ipc_call(cw(h, CALLTEST_MAYBE), in, out, &app);
		if (st != 0 || app != 0 || out[0] != i + 1) {
			return 60;
		}
	}
	sleep_ms(300);
	st = ipc_call(cw(h, CALLTEST_MAYBE), in, out, &app);
	if (st != -EDOMDEAD) {
		printf("caller: call after the injection: status %ld\n", st);
		return 61;
	}
	return 0;
}

int dom_main(uint64_t scen, const char *boot)
{
	uint64_t in[4] = {40, 2, 0, 0};
	uint64_t out[4] = {0};
	int32_t app = -1;
	int64_t h = iface_connect("calltest", 8, CALLTEST_FP);
	int64_t st;

	if (scen == SCEN_BAD_FINGERPRINT) {
		/* Our manifest declares the right one: -EPERM before lookup. */
		return iface_connect("calltest", 8, 1234) == -EPERM ? 0 : 10;
	}
	if (h < 0) {
		printf("caller: connect failed: %ld\n", h);
		return 11;
	}
	if (scen >= SCEN_RREF_FIRST && scen <= SCEN_RREF_LAST) {
		return rref_scenario(scen, h);
	}
	switch (scen) {
	case SCEN_BAD_EXPORT:
		return bad_exports();
	case SCEN_STATE_MAP:
		return state_map();
	case SCEN_IDL_ECHO:
		return echo_scenario();
	case SCEN_FAST_REGS:
		return fast_regs(h);
	case SCEN_FAST_CRASH:
		return fast_fail(h, MAYBE_CRASH);
	case SCEN_FAST_HANG:
		return fast_fail(h, MAYBE_HANG);
	case SCEN_FAST_DEAD:
		return fast_fail(h, 0);
	case SCEN_FAST_INJECT:
		return fast_inject(h);
	case SCEN_HANG:
		/* The watchdog fails the callee; we get the transport error. */
		st = ipc_call(cw(h, CALLTEST_HANG), in, out, &app);
		return st == -EDOMDEAD ? 0 : 26;
	case SCEN_ADD:
		st = ipc_call(cw(h, CALLTEST_ADD), in, out, &app);
		return st == 0 && app == 0 && out[0] == 42 ? 0 : 12;
	case SCEN_CRASH:
		st = ipc_call(cw(h, CALLTEST_CRASH), in, out, &app);
		/* The transport error, with no results leaking through. */
		return st == -EDOMDEAD && out[0] == 0 ? 0 : 13;
	case SCEN_PANIC:
		st = ipc_call(cw(h, CALLTEST_PANIC), in, out, &app);
		if (st != -EDOMDEAD) {
			return 14;
		}
		/* Later calls to the dead instance fail at once. */
		st = ipc_call(cw(h, CALLTEST_ADD), in, out, &app);
		return st == -EDOMDEAD ? 0 : 15;
	case SCEN_APP_ERROR:
		st = ipc_call(cw(h, CALLTEST_APP_ERROR), in, out, &app);
		return st == 0 && app == 7 && out[0] == 80 ? 0 : 16;
	case SCEN_NESTED:
		st = ipc_call(cw(h, CALLTEST_NESTED_CRASH), in, out, &app);
		/* B survives C's crash and reports it to us normally. */
		return st == 0 && app == 0 && (int64_t)out[0] == -EDOMDEAD ? 0
									   : 17;
	case SCEN_LOOP:
		for (uint64_t i = 0; i < 10000; i++) {
			in[0] = i;
			in[1] = 1;
			st = ipc_call(cw(h, CALLTEST_ADD), in, out, &app);
			if (st != 0 || out[0] != i + 1) {
				return 18;
			}
		}
		return 0;
	case SCEN_BAD_HANDLE:
		if (!fails_as(cw(h + 9, CALLTEST_ADD), in, -EBADF, false)) {
			return 19;
		}
		st = ipc_call(cw(0xffff, CALLTEST_ADD), in, out, &app);
		return st == -EBADF ? 0 : 20;
	case SCEN_BAD_KINDS:
		/* Kinds, ordinal and idempotence must match the callee's
		 * descriptor, or nothing happens. */
		st = ipc_call(ipc_call_word((uint16_t)h, CALLTEST_ADD,
					    IPC_KIND_RREF_MOVE, 0, 0),
			      in, out, &app);
		if (st != -EINVAL) {
			return 21;
		}
		st = ipc_call(ipc_call_word((uint16_t)h, CALLTEST_ADD, 0,
					    IPC_KIND_HANDLE, 0),
			      in, out, &app);
		if (st != -EINVAL) {
			return 27;
		}
		st = ipc_call(cw(h, 99), in, out, &app);
		if (st != -EINVAL) {
			return 28;
		}
		st = ipc_call(ipc_call_word((uint16_t)h, CALLTEST_ADD, 0, 0, 1),
			      in, out, &app);
		if (st != -EINVAL) {
			return 29;
		}
		/* And the right call still works. */
		st = ipc_call(cw(h, CALLTEST_ADD), in, out, &app);
		return st == 0 && out[0] == 42 ? 0 : 21;
	case SCEN_ECHO4: {
		uint64_t w[4] = {1, 2, 3, 0xffffffffffffffffull};

		st = ipc_call(cw(h, CALLTEST_ECHO4), w, out, &app);
		for (int i = 0; i < 4; i++) {
			if (out[i] != (w[i] ^ 0x5a5a)) {
				return 22;
			}
		}
		return st == 0 ? 0 : 23;
	}
	case SCEN_UNTIL_DEAD:
		/* Call until the callee dies under us; every answer before
		 * that must be right, and the end must be -EDOMDEAD. */
		for (uint64_t i = 0; i < 100000; i++) {
			in[0] = i;
			st = ipc_call(cw(h, CALLTEST_COUNTDOWN), in, out, &app);
			if (st == -EDOMDEAD) {
				return 0;
			}
			if (st != 0 || out[0] != i + 1) {
				return 24;
			}
		}
		return 25;
	default:
		return 99;
	}
}
