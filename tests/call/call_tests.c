// SPDX-License-Identifier: MIT
/*
 * Cross-domain call tests (first slice of the IDL/proxy issue: scalar
 * calls through the kernel gate, migrating threads, unwinding). Each test
 * starts the callee domain(s), then a caller that runs one scenario
 * (tests/call/caller/caller.c) and exits 0 only if everything it saw was
 * right; the harness checks that exit code, which domains survived, and
 * that everything was freed (the self-test runner's leak checks).
 */
#include "abi/errno.h"
#include "dom.h"
#include "faultinj.h"
#include "percpu.h"
#include "sheap.h"
#include "tests/call/callrt.h"
#include "tests/call/caller/scen.h"
#include "tests/self/selftest.h"
#include "thread.h"
#include "time.h"

#define WAIT (10 * NSEC_PER_SEC)

static bool wait_exported(struct dom *d)
{
	uint64_t deadline = time_ns() + 2 * NSEC_PER_SEC;

	while (time_ns() < deadline) {
		if (READ_ONCE(d->exports[0].used)) {
			return true;
		}
		thread_sleep_ns(NSEC_PER_MSEC);
	}
	return false;
}

/*
 * Run caller scenario @scen against callee B (and C when @nested); expect
 * B to end up in @b_state and C (if any) in @c_state.
 */
static void run(struct selftest_ctx *st_ctx, uint64_t scen, bool nested,
		enum dom_state b_state, enum dom_state c_state)
{
	struct dom *b = NULL;
	struct dom *c = NULL;
	struct dom *a = NULL;
	struct sys_dom_status st;
	struct dom_stats ds;
	uint64_t live0;

	dom_get_stats(&ds);
	live0 = ds.live_domains;
	ST_CHECK(dom_create("callee.elf", 0, "", &b) == 0, "start B");
	if (nested) {
		ST_CHECK(dom_create("callee.elf", 1, "", &c) == 0, "start C");
	}
	ST_CHECK(b && wait_exported(b), "B did not export");
	ST_CHECK(!nested || (c && wait_exported(c)), "C did not export");
	if (b && (!nested || c)) {
		ST_CHECK(dom_create("caller.elf", scen, "", &a) == 0,
			 "start caller");
	}
	if (a) {
		ST_CHECK(dom_wait(a, WAIT, &st) == 0, "caller hung");
		ST_CHECK(st.end == SYS_DOM_EXITED && st.exit_code == 0,
			 "caller: end %u fault %u exit %ld", st.end, st.fault,
			 st.exit_code);
		dom_put(a);
	}
	if (b) {
		if (b_state == DOM_DEAD) {
			ST_CHECK(dom_wait(b, WAIT, &st) == 0 &&
					 st.end == SYS_DOM_FAILED,
				 "B should have failed");
			if (scen == SCEN_HANG || scen == SCEN_FAST_HANG) {
				ST_CHECK(st.fault == SYS_FAULT_WATCHDOG,
					 "B failed with fault %u, expected the "
					 "watchdog",
					 st.fault);
			}
		} else {
			ST_CHECK(READ_ONCE(b->state) == DOM_RUNNING,
				 "B should be running, is %s",
				 dom_state_name(b->state));
		}
	}
	if (c) {
		if (c_state == DOM_DEAD) {
			ST_CHECK(dom_wait(c, WAIT, &st) == 0 &&
					 st.end == SYS_DOM_FAILED,
				 "C should have failed");
		}
	}
	dom_stop(b, WAIT);
	dom_stop(c, WAIT);
	ST_CHECK(dom_wait_freed(live0, WAIT), "domains were not freed");
}

SELFTEST(call_returns_results, SELFTEST_SHORT)
{
	run(ST_CTX, 1, false, DOM_RUNNING, DOM_RUNNING);
}

SELFTEST(call_all_four_words_each_way, SELFTEST_SHORT)
{
	run(ST_CTX, 10, false, DOM_RUNNING, DOM_RUNNING);
}

SELFTEST(call_app_error_is_not_transport_error, SELFTEST_SHORT)
{
	run(ST_CTX, 4, false, DOM_RUNNING, DOM_RUNNING);
}

SELFTEST(call_callee_crash_returns_edomdead, SELFTEST_SHORT)
{
	run(ST_CTX, 2, false, DOM_DEAD, DOM_RUNNING);
}

SELFTEST(call_callee_panic_then_calls_fail_fast, SELFTEST_SHORT)
{
	run(ST_CTX, 3, false, DOM_DEAD, DOM_RUNNING);
}

SELFTEST(call_nested_only_inner_call_fails, SELFTEST_SHORT)
{
	run(ST_CTX, 5, true, DOM_RUNNING, DOM_DEAD);
}

/* Calls and returns made through parked frames (syscall.asm), summed. */
static uint64_t fast_crossings(void)
{
	uint64_t n = 0;

	for (unsigned int i = 0; i < cpu_count; i++) {
		n += READ_ONCE(cpus[i].stats.fast_crossings);
	}
	return n;
}

/* run(), checking that at least @min calls took the parked-frame path. */
static void run_fast(struct selftest_ctx *st_ctx, uint64_t scen,
		     enum dom_state b_state, uint64_t min)
{
	uint64_t n0 = fast_crossings();
	uint64_t n;

	run(st_ctx, scen, false, b_state, DOM_RUNNING);
	n = fast_crossings() - n0;
	ST_CHECK(n >= min, "only %lu crossings through parked frames", n);
}

SELFTEST(call_parked_keeps_and_clears_registers, SELFTEST_SHORT)
{
	/* 49 of the 50 calls, each a call and a return. */
	run_fast(ST_CTX, SCEN_FAST_REGS, DOM_RUNNING, 2 * 49);
}

SELFTEST(call_parked_callee_crash_returns_edomdead, SELFTEST_SHORT)
{
	/* 18 of 20 (one after the first, one after the new handle) + 1. */
	run_fast(ST_CTX, SCEN_FAST_CRASH, DOM_DEAD, 2 * 18 + 1);
}

SELFTEST(call_parked_callee_hang_is_failed_by_watchdog, SELFTEST_LONG)
{
	run_fast(ST_CTX, SCEN_FAST_HANG, DOM_DEAD, 2 * 18 + 1);
}

SELFTEST(call_parked_frame_outlives_dead_callee, SELFTEST_SHORT)
{
	run_fast(ST_CTX, SCEN_FAST_DEAD, DOM_DEAD, 2 * 18);
}

/*
 * A fault injected into a callee while a caller's frame is parked on it:
 * the frame is blocked, so the caller's next call takes the general path
 * and meets the injected crash there (SCEN_FAST_INJECT).
 */
SELFTEST(call_injection_blocks_parked_frames, SELFTEST_SHORT)
{
	struct dom *b = NULL;
	struct dom *a = NULL;
	struct sys_dom_status st;
	struct dom_stats ds;
	uint64_t live0, n0, n1, deadline;

	dom_get_stats(&ds);
	live0 = ds.live_domains;
	ST_CHECK(dom_create("callee.elf", 0, "", &b) == 0, "start B");
	ST_CHECK(b && wait_exported(b), "B did not export");
	n0 = fast_crossings();
	if (b) {
		ST_CHECK(dom_create("caller.elf", SCEN_FAST_INJECT, "", &a) ==
				 0,
			 "start caller");
	}
	if (a) {
		/* 19 of its 20 calls through the parked frame; it sleeps. */
		deadline = time_ns() + WAIT;
		while (fast_crossings() - n0 < 2 * 19 && time_ns() < deadline) {
			thread_sleep_ns(NSEC_PER_MSEC);
		}
		ST_CHECK(fast_crossings() - n0 >= 2 * 19,
			 "no calls through the parked frame");
		/* rnd 0: no ring-3 entries skipped. */
		ST_CHECK(faultinj_arm(b, FI_CRASH, 0) == 0, "arm");
		n1 = fast_crossings();
		ST_CHECK(dom_wait(a, WAIT, &st) == 0, "caller did not end");
		ST_CHECK(st.end == SYS_DOM_EXITED && st.exit_code == 0,
			 "caller: end %u fault %u exit %ld", st.end, st.fault,
			 st.exit_code);
		ST_CHECK(fast_crossings() == n1,
			 "%lu crossings through the blocked frame",
			 fast_crossings() - n1);
		ST_CHECK(dom_wait(b, WAIT, &st) == 0 &&
				 st.end == SYS_DOM_FAILED,
			 "B should have failed");
	}
	dom_stop(a, WAIT);
	dom_stop(b, WAIT);
	ST_CHECK(dom_wait_freed(live0, WAIT), "domains were not freed");
}

SELFTEST(call_10000_calls_no_leak, SELFTEST_LONG)
{
	run(ST_CTX, 6, false, DOM_RUNNING, DOM_RUNNING);
}

SELFTEST(call_bad_handle_is_ebadf, SELFTEST_SHORT)
{
	run(ST_CTX, 7, false, DOM_RUNNING, DOM_RUNNING);
}

SELFTEST(call_export_refuses_malformed_descriptors, SELFTEST_SHORT)
{
	run(ST_CTX, SCEN_BAD_EXPORT, false, DOM_RUNNING, DOM_RUNNING);
}

SELFTEST(state_map_refuses_bad_sizes, SELFTEST_SHORT)
{
	run(ST_CTX, SCEN_STATE_MAP, false, DOM_RUNNING, DOM_RUNNING);
}

SELFTEST(call_kinds_must_match_descriptor, SELFTEST_SHORT)
{
	run(ST_CTX, SCEN_BAD_KINDS, false, DOM_RUNNING, DOM_RUNNING);
}

SELFTEST(call_idlc_generated_echo, SELFTEST_SHORT)
{
	run(ST_CTX, 12, false, DOM_RUNNING, DOM_RUNNING);
}

SELFTEST(call_connect_checks_manifest_fingerprint, SELFTEST_SHORT)
{
	run(ST_CTX, 9, false, DOM_RUNNING, DOM_RUNNING);
}

/*
 * Two callers, one per CPU, call into the same callee until it crashes
 * under them: each must see -EDOMDEAD, and nothing may leak.
 */
static void two_cpus(struct selftest_ctx *st_ctx, uint64_t scen)
{
	struct dom *b = NULL;
	struct dom *a[2] = {NULL, NULL};
	struct sys_dom_status st;
	struct dom_stats ds;
	uint64_t live0;

	dom_get_stats(&ds);
	live0 = ds.live_domains;
	ST_ASSERT(dom_create("callee.elf", 0, "", &b) == 0);
	ST_CHECK(wait_exported(b), "B did not export");
	for (int i = 0; i < 2; i++) {
		ST_CHECK(dom_create("caller.elf", scen, "", &a[i]) == 0,
			 "start caller %d", i);
	}
	for (int i = 0; i < 2; i++) {
		if (!a[i]) {
			continue;
		}
		ST_CHECK(dom_wait(a[i], WAIT, &st) == 0, "caller %d hung", i);
		ST_CHECK(st.end == SYS_DOM_EXITED && st.exit_code == 0,
			 "caller %d: end %u exit %ld", i, st.end, st.exit_code);
		dom_put(a[i]);
	}
	ST_CHECK(dom_wait(b, WAIT, &st) == 0 && st.end == SYS_DOM_FAILED,
		 "B should have failed");
	dom_put(b);
	ST_CHECK(dom_wait_freed(live0, WAIT), "domains were not freed");
}

SELFTEST(call_two_cpus_callee_crashes_under_both, SELFTEST_SHORT)
{
	two_cpus(ST_CTX, SCEN_UNTIL_DEAD);
}

/* The same while both callers have moved rrefs into it. */
SELFTEST(rref_two_cpus_callee_crashes_holding_moves, SELFTEST_SHORT)
{
	two_cpus(ST_CTX, SCEN_RREF_UNTIL_DEAD);
}

/* A callee that never returns is failed by the call watchdog. */
SELFTEST(call_watchdog_fails_hung_callee, SELFTEST_LONG)
{
	run(ST_CTX, 13, false, DOM_DEAD, DOM_RUNNING);
}

/* --- rrefs and handles (tests/call/caller/rref_scen.c) ------------------- */

SELFTEST(rref_move_clears_access_and_refuses_bad_moves, SELFTEST_SHORT)
{
	run(ST_CTX, SCEN_RREF_MOVE, false, DOM_RUNNING, DOM_RUNNING);
}

SELFTEST(rref_syscalls_refuse_hostile_arguments, SELFTEST_SHORT)
{
	run(ST_CTX, SCEN_RREF_BAD_SYSCALLS, false, DOM_RUNNING, DOM_RUNNING);
}

SELFTEST(rref_borrow_stays_with_caller, SELFTEST_SHORT)
{
	run(ST_CTX, SCEN_RREF_BORROW, false, DOM_RUNNING, DOM_RUNNING);
}

SELFTEST(rref_borrow_write_faults_callee, SELFTEST_SHORT)
{
	run(ST_CTX, SCEN_RREF_BORROW_WRITE, false, DOM_DEAD, DOM_RUNNING);
}

SELFTEST(rref_results_become_callers, SELFTEST_SHORT)
{
	run(ST_CTX, SCEN_RREF_RESULTS, false, DOM_RUNNING, DOM_RUNNING);
}

SELFTEST(rref_crash_holding_move_drops_it, SELFTEST_SHORT)
{
	run(ST_CTX, SCEN_RREF_CRASH_MOVE, false, DOM_DEAD, DOM_RUNNING);
}

SELFTEST(rref_crash_holding_borrow_returns_it, SELFTEST_SHORT)
{
	run(ST_CTX, SCEN_RREF_CRASH_BORROW, false, DOM_DEAD, DOM_RUNNING);
}

SELFTEST(rref_forged_result_fails_callee, SELFTEST_SHORT)
{
	run(ST_CTX, SCEN_RREF_FORGED_RESULT, false, DOM_DEAD, DOM_RUNNING);
}

SELFTEST(rref_results_survive_later_crash, SELFTEST_SHORT)
{
	run(ST_CTX, SCEN_RREF_CRASH_AFTER, false, DOM_DEAD, DOM_RUNNING);
}

SELFTEST(rref_deque_moves_with_contents, SELFTEST_SHORT)
{
	run(ST_CTX, SCEN_RREF_DEQUE, false, DOM_RUNNING, DOM_RUNNING);
}

SELFTEST(rref_deque_dropped_with_crashed_callee, SELFTEST_SHORT)
{
	run(ST_CTX, SCEN_RREF_DEQUE_CRASH, false, DOM_DEAD, DOM_RUNNING);
}

SELFTEST(handle_passed_in_call_is_granted, SELFTEST_SHORT)
{
	run(ST_CTX, SCEN_HANDLE_GRANT, false, DOM_RUNNING, DOM_RUNNING);
}

SELFTEST(rref_calls_in_a_loop_no_leak, SELFTEST_LONG)
{
	struct sheap_stats sh;

	run(ST_CTX, SCEN_RREF_LOOP, false, DOM_RUNNING, DOM_RUNNING);
	sheap_get_stats(&sh);
	ST_CHECK(sh.moves >= 2 * 3400 + 200 * 66, "only %lu moves", sh.moves);
}

/* A domain whose init crashes or hangs fails alone, and is reported. */
static void init_fails(struct selftest_ctx *st_ctx, uint64_t arg,
		       enum sys_dom_fault want)
{
	struct dom *b = NULL;
	struct sys_dom_status st;
	struct dom_stats ds;
	uint64_t live0;

	dom_get_stats(&ds);
	live0 = ds.live_domains;
	ST_ASSERT(dom_create("callee.elf", arg, "", &b) == 0);
	ST_CHECK(dom_wait(b, 2 * WAIT, &st) == 0, "init did not end");
	ST_CHECK(st.end == SYS_DOM_FAILED && st.fault == want,
		 "end %u fault %u, expected failed with fault %u", st.end,
		 st.fault, want);
	ST_CHECK(!READ_ONCE(b->ready), "a failed init was marked ready");
	dom_put(b);
	ST_CHECK(dom_wait_freed(live0, WAIT), "domains were not freed");
}

SELFTEST(dom_init_crash_is_contained, SELFTEST_SHORT)
{
	init_fails(ST_CTX, CALLEE_INIT_CRASH, SYS_FAULT_EXCEPTION);
}

SELFTEST(dom_init_hang_is_failed_by_watchdog, SELFTEST_LONG)
{
	init_fails(ST_CTX, CALLEE_INIT_HANG, SYS_FAULT_WATCHDOG);
}
