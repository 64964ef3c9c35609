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
	printf("caller: generated echo proxies OK\n");
	return 0;
}

static int64_t try_export(const void *desc)
{
	return syscall4(SYS_IFACE_EXPORT, (uint64_t)desc, (uint64_t)dom_main, 0,
			(uint64_t)rt_ipc_ret_tramp);
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
		st = ipc_call(cw(h + 9, CALLTEST_ADD), in, out, &app);
		if (st != -EBADF) {
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
