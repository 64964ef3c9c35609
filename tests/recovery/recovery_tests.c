// SPDX-License-Identifier: MIT
/*
 * Recovery tests: a RAM block device (domains/ramblk) whose driver is
 * failed again and again while a client reads every block back byte for
 * byte; the client must never see an error (its runtime replays @config
 * and retries @idempotent calls), the blocks must survive (the state
 * area), and everything must be freed at the end (the runner's leak
 * checks, services included). Then a service that keeps failing is given
 * up on, and a short fault-injection campaign with a fixed seed.
 */
#include "abi/errno.h"
#include "dom.h"
#include "faultinj.h"
#include "svc.h"
#include "tests/recovery/campaign.h"
#include "tests/self/selftest.h"
#include "thread.h"
#include "time.h"

#define WAIT (30 * NSEC_PER_SEC)
#define WRITE_FIRST (1ull << 32)

struct rec_env {
	struct dom *blk;
	struct svc *svc;
	uint64_t live0;
	struct svc_stats sv0;
};

static bool start_ramblk(struct selftest_ctx *st_ctx, struct rec_env *e)
{
	struct dom_stats ds;
	struct dom *w = NULL;
	struct sys_dom_status st;

	dom_get_stats(&ds);
	e->live0 = ds.live_domains;
	svc_get_stats(&e->sv0);
	ST_CHECK(dom_create("ramblk.elf", 0, "", &e->blk) == 0, "ramblk");
	if (!e->blk) {
		return false;
	}
	e->svc = e->blk->svc;
	svc_get(e->svc);
	/* Write every block once; the readers check them. */
	ST_CHECK(dom_create("blkclient.elf", WRITE_FIRST | 1, "", &w) == 0,
		 "writer");
	if (!w) {
		return false;
	}
	ST_CHECK(dom_wait(w, WAIT, &st) == 0 && st.end == SYS_DOM_EXITED &&
			 st.exit_code == 0,
		 "writer: end %u exit %ld", st.end, st.exit_code);
	dom_put(w);
	return st.exit_code == 0;
}

static void stop_ramblk(struct selftest_ctx *st_ctx, struct rec_env *e)
{
	struct svc_stats sv;

	svc_stop(e->svc, WAIT);
	dom_put(e->blk);
	svc_put(e->svc);
	ST_CHECK(dom_wait_freed(e->live0, WAIT), "domains were not freed");
	thread_sleep_ns(10 * NSEC_PER_MSEC);
	svc_get_stats(&sv);
	ST_CHECK(sv.live == e->sv0.live, "services %lu -> %lu", e->sv0.live,
		 sv.live);
}

/*
 * @reader, a blkclient started with more rounds than a test lasts, must
 * still be reading (a failure it saw would have ended it); then stop it.
 */
static void stop_reader(struct selftest_ctx *st_ctx, struct dom *reader)
{
	struct sys_dom_status st;

	ST_CHECK(dom_wait(reader, 1, &st) == -ETIMEDOUT,
		 "reader ended early: end %u exit %ld", st.end, st.exit_code);
	dom_kill(reader);
	ST_CHECK(dom_wait(reader, WAIT, &st) == 0, "reader hung");
	dom_put(reader);
}

SELFTEST(recovery_ramblk_survives_repeated_crashes, SELFTEST_LONG)
{
	struct rec_env e = {0};
	struct dom *reader = NULL;
	uint32_t restarts0;

	if (!start_ramblk(ST_CTX, &e)) {
		goto out;
	}
	restarts0 = e.svc->restarts;
	/*
	 * Rounds enough to outlive the ten crashes however fast calls are:
	 * a failure ends the reader at once, so one still reading when the
	 * crashes are over has seen none; it is stopped then. A reader that
	 * ends before would leave the later instances serving no call, and
	 * without that progress the service is given up on.
	 */
	ST_CHECK(dom_create("blkclient.elf", 1000000, "", &reader) == 0,
		 "reader");
	/* Fail the driver ten times under the reader. */
	for (int i = 0; i < 10 && reader; i++) {
		struct dom *cur = svc_wait_ready(e.svc, NULL, WAIT);
		struct dom *next;

		ST_CHECK(cur != NULL, "no ramblk instance %d", i);
		if (!cur) {
			break;
		}
		thread_sleep_ns(15 * NSEC_PER_MSEC);
		ST_CHECK(faultinj_arm(cur, FI_CRASH, (uint64_t)i) == 0,
			 "arm %d", i);
		next = svc_wait_ready(e.svc, cur, WAIT);
		dom_put(cur);
		ST_CHECK(next != NULL, "no new instance after crash %d", i);
		if (!next) {
			break;
		}
		dom_put(next);
	}
	if (reader) {
		stop_reader(ST_CTX, reader);
	}
	ST_CHECK(e.svc->restarts >= restarts0 + 10, "only %u restarts",
		 e.svc->restarts - restarts0);
	ST_CHECK(e.svc->recovery_ns > 0, "no recovery time recorded");
out:
	stop_ramblk(ST_CTX, &e);
}

/*
 * A client call hangs in ramblk until the watchdog fails it. The client's
 * thread sees ramblk DYING on its own, and with dom_test_svc_delay_ns it
 * is unwound before the watchdog has told the service; it must still get
 * -ERESTARTED (its runtime then retries the read), not -EDOMDEAD.
 */
SELFTEST(recovery_unwind_before_service_is_told, SELFTEST_LONG)
{
	struct rec_env e = {0};
	struct dom *reader = NULL;
	struct dom *cur = NULL;
	struct dom *next = NULL;

	if (!start_ramblk(ST_CTX, &e)) {
		goto out;
	}
	ST_CHECK(dom_create("blkclient.elf", 1000000, "", &reader) == 0,
		 "reader");
	cur = svc_wait_ready(e.svc, NULL, WAIT);
	ST_CHECK(cur != NULL, "no ramblk instance");
	if (reader && cur) {
		thread_sleep_ns(15 * NSEC_PER_MSEC);
		WRITE_ONCE(dom_test_svc_delay_ns, 50 * NSEC_PER_MSEC);
		ST_CHECK(faultinj_arm(cur, FI_HANG, 0) == 0, "arm");
		next = svc_wait_ready(e.svc, cur, WAIT);
		WRITE_ONCE(dom_test_svc_delay_ns, 0);
		ST_CHECK(next != NULL, "no new instance after the hang");
		ST_CHECK(READ_ONCE(cur->status.fault) == SYS_FAULT_WATCHDOG,
			 "ramblk failed with fault %u, not the watchdog",
			 cur->status.fault);
		/* It reads on from the new instance. */
		thread_sleep_ns(20 * NSEC_PER_MSEC);
	}
	if (reader) {
		stop_reader(ST_CTX, reader);
	}
	if (cur) {
		dom_put(cur);
	}
	if (next) {
		dom_put(next);
	}
out:
	stop_ramblk(ST_CTX, &e);
}

SELFTEST(recovery_crash_in_restarted_init_then_recovers, SELFTEST_LONG)
{
	struct rec_env e = {0};
	struct dom *reader = NULL;
	struct dom *cur;
	struct sys_dom_status st;

	if (!start_ramblk(ST_CTX, &e)) {
		goto out;
	}
	cur = svc_current(e.svc);
	ST_CHECK(cur && faultinj_arm(cur, FI_INIT_CRASH, 1) == 0, "arm");
	ST_CHECK(dom_create("blkclient.elf", 3, "", &reader) == 0, "reader");
	if (reader) {
		ST_CHECK(dom_wait(reader, WAIT, &st) == 0 &&
				 st.end == SYS_DOM_EXITED && st.exit_code == 0,
			 "reader: end %u exit %ld", st.end, st.exit_code);
		dom_put(reader);
	}
	/* Two new instances: one failed its init, the next serves. */
	ST_CHECK(e.svc->restarts >= 2, "%u restarts", e.svc->restarts);
	if (cur) {
		dom_put(cur);
	}
out:
	stop_ramblk(ST_CTX, &e);
}

SELFTEST(recovery_crash_loop_is_given_up_loudly, SELFTEST_LONG)
{
	struct rec_env e = {0};
	struct dom *reader = NULL;
	struct dom *cur;
	struct sys_dom_status st;
	struct svc_stats sv;
	uint64_t deadline;

	if (!start_ramblk(ST_CTX, &e)) {
		goto out;
	}
	cur = svc_current(e.svc);
	ST_CHECK(cur && faultinj_arm(cur, FI_CRASH_LOOP, 1) == 0, "arm");
	ST_CHECK(dom_create("blkclient.elf", 3, "", &reader) == 0, "reader");
	deadline = time_ns() + WAIT;
	while (READ_ONCE(e.svc->state) != SVC_GONE && time_ns() < deadline) {
		thread_sleep_ns(NSEC_PER_MSEC);
	}
	ST_CHECK(READ_ONCE(e.svc->state) == SVC_GONE, "not given up");
	svc_get_stats(&sv);
	ST_CHECK(sv.gave_up > e.sv0.gave_up, "not counted as given up");
	if (reader) {
		/* Its calls now fail for good: it must say so. */
		ST_CHECK(dom_wait(reader, WAIT, &st) == 0 &&
				 st.end == SYS_DOM_EXITED && st.exit_code != 0,
			 "reader: end %u exit %ld", st.end, st.exit_code);
		dom_put(reader);
	}
	if (cur) {
		dom_put(cur);
	}
out:
	stop_ramblk(ST_CTX, &e);
}

SELFTEST(faultinject_short_campaign, SELFTEST_LONG)
{
	static struct fi_result res;
	int err = fi_campaign(28, 42, &res);

	ST_CHECK(err == 0, "leaks: pages %ld bytes %ld rrefs %ld services %ld",
		 res.leaked_pages, res.leaked_bytes, res.leaked_rrefs,
		 res.leaked_services);
	for (int k = 0; k < FI_NKINDS; k++) {
		const struct fi_row *r = &res.rows[k];

		ST_CHECK(r->contained == r->injected,
			 "%s: %lu of %lu contained",
			 faultinj_name((enum fi_kind)k), r->contained,
			 r->injected);
	}
	/*
	 * Faults that always manifest (the client's calls carry them out)
	 * must be invisible to it: the instance fails, comes back, and the
	 * runtime retries. Bit flips may do nothing, or corrupt silently.
	 */
	for (int k = FI_CRASH; k <= FI_INIT_CRASH; k++) {
		const struct fi_row *r = &res.rows[k];

		ST_CHECK(r->recovered == r->injected,
			 "%s: %lu of %lu recovered transparently",
			 faultinj_name((enum fi_kind)k), r->recovered,
			 r->injected);
	}
	/* A crash loop ends with the service given up: clients see it. */
	ST_CHECK(res.rows[FI_CRASH_LOOP].manifested ==
				 res.rows[FI_CRASH_LOOP].injected &&
			 res.rows[FI_CRASH_LOOP].client_errors ==
				 res.rows[FI_CRASH_LOOP].injected,
		 "crash loops: %lu injected, %lu manifested, %lu seen",
		 res.rows[FI_CRASH_LOOP].injected,
		 res.rows[FI_CRASH_LOOP].manifested,
		 res.rows[FI_CRASH_LOOP].client_errors);
	ST_CHECK(res.setup_failures == 0, "%lu setup failures",
		 res.setup_failures);
}
