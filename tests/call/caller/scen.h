/* SPDX-License-Identifier: MIT */
/*
 * Scenarios of the caller test domain, chosen by its start argument
 * (tests/call/call_tests.c starts it with one of these).
 */
#pragma once

#include <stdint.h>

enum caller_scenario {
	SCEN_ADD = 1,
	SCEN_CRASH = 2,
	SCEN_PANIC = 3,
	SCEN_APP_ERROR = 4,
	SCEN_NESTED = 5,
	SCEN_LOOP = 6,
	SCEN_BAD_HANDLE = 7,
	SCEN_BAD_KINDS = 8,
	SCEN_BAD_FINGERPRINT = 9,
	SCEN_ECHO4 = 10,
	SCEN_UNTIL_DEAD = 11,
	SCEN_IDL_ECHO = 12,
	SCEN_HANG = 13,
	SCEN_BAD_EXPORT = 14,
	SCEN_STATE_MAP = 15,
	/* Calls through a parked frame (kernel/call_fast.c) */
	SCEN_FAST_REGS = 16,  /* registers kept and cleared both ways */
	SCEN_FAST_CRASH = 17, /* the callee crashes in a parked call */
	SCEN_FAST_HANG = 18,  /* ... or hangs until the watchdog fails it */
	SCEN_FAST_DEAD = 19,  /* the callee died while the frame was parked */
	/* rref_scen.c */
	SCEN_RREF_MOVE = 20,
	SCEN_RREF_BORROW = 21,
	SCEN_RREF_BORROW_WRITE = 22,
	SCEN_RREF_RESULTS = 23,
	SCEN_RREF_CRASH_MOVE = 24,
	SCEN_RREF_CRASH_BORROW = 25,
	SCEN_RREF_FORGED_RESULT = 26,
	SCEN_RREF_CRASH_AFTER = 27,
	SCEN_RREF_DEQUE = 28,
	SCEN_RREF_DEQUE_CRASH = 29,
	SCEN_HANDLE_GRANT = 30,
	SCEN_RREF_LOOP = 31,
	SCEN_RREF_UNTIL_DEAD = 32,
	SCEN_RREF_BAD_SYSCALLS = 33,
	/* Calls until one fails: a fault is injected into a parked callee */
	SCEN_FAST_INJECT = 34,
};

#define SCEN_RREF_FIRST SCEN_RREF_MOVE
#define SCEN_RREF_LAST SCEN_RREF_BAD_SYSCALLS

/* Runs rref scenario @scen; @ct is a handle to calltest. */
int rref_scenario(uint64_t scen, int64_t ct);
