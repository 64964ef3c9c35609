// SPDX-License-Identifier: MIT
/*
 * In-kernel part of `make bench` (boot option bench=1): how many
 * instructions verifying, validating and loading a domain takes, then the
 * bench domain's timing run, then one pair of event runs per round trip it
 * measures (tests/bench/bench_scen.h): the same setup with 0 and with
 * KBENCH_EVENT_ITERS round trips, so that the difference of this CPU's
 * event counters (struct cpu_stats) is exactly the events of those round
 * trips. Under QEMU -icount shift=0 the TSC counts instructions, so rdtsc
 * deltas are exact instruction counts. Lines start with "BENCH " for
 * tools/bench.py.
 */
#include "tests/bench/kbench.h"

#include "arch/x86_64/cpu.h"
#include "arch/x86_64/paging.h"
#include "base/string.h"
#include "console.h"
#include "dom.h"
#include "faultinj.h"
#include "svc.h"
#include "heap.h"
#include "multiboot.h"
#include "percpu.h"
#include "sig_verify.h"
#include "tests/bench/bench_scen.h"
#include "thread.h"
#include "time.h"

/* Round trips per event run; the counts print per round trip, x100. */
#define KBENCH_EVENT_ITERS 200u

static const struct boot_module *find_module(const char *name)
{
	for (size_t i = 0; i < boot_info.module_count; i++) {
		if (strcmp(boot_info.modules[i].name, name) == 0) {
			return &boot_info.modules[i];
		}
	}
	return NULL;
}

static void sum_stats(struct cpu_stats *out)
{
	struct paging_stats ps;

	paging_get_stats(&ps);
	memset(out, 0, sizeof(*out));
	for (unsigned int i = 0; i < cpu_count; i++) {
		/* Calls and returns made in syscall.asm (percpu.h). */
		uint64_t fast = cpus[i].stats.fast_crossings;

		out->syscalls += cpus[i].stats.syscalls + fast;
		out->pt_switches += cpus[i].stats.pt_switches + fast;
		out->tlb_flushes +=
			cpus[i].stats.tlb_flushes + (ps.pcid ? 0 : fast);
		out->ctx_switches += cpus[i].stats.ctx_switches;
		out->exceptions += cpus[i].stats.exceptions;
	}
}

BUILD_ASSERT(KBENCH_EVENT_ITERS <= BENCH_EVENT_ITERS_MAX);

/* @b - @a, counter by counter. */
static void stats_sub(struct cpu_stats *out, const struct cpu_stats *b,
		      const struct cpu_stats *a)
{
	out->syscalls = b->syscalls - a->syscalls;
	out->pt_switches = b->pt_switches - a->pt_switches;
	out->tlb_flushes = b->tlb_flushes - a->tlb_flushes;
	out->ctx_switches = b->ctx_switches - a->ctx_switches;
	out->exceptions = b->exceptions - a->exceptions;
}

/*
 * Runs the bench domain with @arg to its end; its events, from load to
 * teardown, go to *@ev. Returns 0 when it exited with status 0.
 */
static int bench_dom_run(uint64_t arg, struct cpu_stats *ev)
{
	struct sys_dom_status st;
	struct cpu_stats s0;
	struct cpu_stats s1;
	struct dom *d;

	sum_stats(&s0);
	if (dom_create("bench.elf", arg, "", &d)) {
		return -1;
	}
	dom_wait(d, 0, &st);
	dom_put(d);
	sum_stats(&s1);
	stats_sub(ev, &s1, &s0);
	return st.end == SYS_DOM_EXITED && st.exit_code == 0 ? 0 : -1;
}

/* Prints @n events over KBENCH_EVENT_ITERS round trips, per round trip. */
static void print_per_call(const char *fig, const char *what, uint64_t n)
{
	uint64_t x100 = n * 100 / KBENCH_EVENT_ITERS;

	kprintf("BENCH events_%s_%s %lu.%02lu per_call\n", fig, what,
		x100 / 100, x100 % 100);
}

/*
 * Events per round trip of each scenario: the difference between a run
 * with KBENCH_EVENT_ITERS round trips and one with none, which share
 * everything else (load, setup, warm-up, teardown).
 */
static int event_runs(void)
{
	for (int scen = BENCH_SCEN_TIMING + 1; scen < BENCH_SCEN_NR; scen++) {
		const char *name = bench_scen_name((enum bench_scen)scen);
		struct cpu_stats e0;
		struct cpu_stats e1;
		struct cpu_stats d;

		if (bench_dom_run(bench_arg((enum bench_scen)scen, 0), &e0) ||
		    bench_dom_run(bench_arg((enum bench_scen)scen,
					    KBENCH_EVENT_ITERS),
				  &e1)) {
			kprintf("BENCH error: event run of %s failed\n", name);
			return -1;
		}
		stats_sub(&d, &e1, &e0);
		print_per_call(name, "syscalls", d.syscalls);
		print_per_call(name, "pt_switches", d.pt_switches);
		print_per_call(name, "tlb_flushes", d.tlb_flushes);
		print_per_call(name, "exceptions", d.exceptions);
	}
	return 0;
}

/*
 * Restart time: ramblk is crashed (FI_CRASH) under a reading client, and
 * the service records the time from the failure to the first call its
 * new instance serves: teardown, the backoff (10 ms for ramblk, waited in
 * idle, which -icount counts as one TSC tick per ns), re-creation and
 * init.
 * Also the re-creation alone (no signature check: the image was verified
 * when the service was made). Best of KBENCH_RESTARTS.
 */
#define KBENCH_RESTARTS 5

static int restart_runs(void)
{
	uint64_t best_rec = UINT64_MAX;
	uint64_t best_ns = UINT64_MAX;
	uint64_t best_create = UINT64_MAX;
	struct sys_dom_status st;
	struct dom *blk = NULL;
	struct dom *c = NULL;
	struct svc *s;
	int err = 0;

	if (dom_create("ramblk.elf", 0, "", &blk)) {
		kprintf("BENCH error: cannot start ramblk.elf\n");
		return -1;
	}
	s = blk->svc;
	svc_get(s);
	if (dom_create("blkclient.elf", (1ull << 32) | 1, "", &c) ||
	    dom_wait(c, 0, &st) || st.exit_code != 0) {
		kprintf("BENCH error: blkclient could not write\n");
		err = -1;
	}
	if (c) {
		dom_put(c);
	}
	for (int i = 0; i < KBENCH_RESTARTS && !err; i++) {
		uint32_t restarts0 = s->restarts;
		struct dom *cur;

		c = NULL;
		if (dom_create("blkclient.elf", 4, "", &c)) {
			err = -1;
			break;
		}
		thread_sleep_ns(2 * NSEC_PER_MSEC);
		cur = svc_current(s);
		if (!cur || faultinj_arm(cur, FI_CRASH, 0)) {
			err = -1;
		}
		if (cur) {
			dom_put(cur);
		}
		dom_wait(c, 0, &st);
		dom_put(c);
		if (err || st.exit_code != 0 || s->restarts == restarts0 ||
		    s->recovering) {
			kprintf("BENCH error: restart run %d: client %ld, "
				"restarts %u\n",
				i, st.exit_code, s->restarts - restarts0);
			err = -1;
			break;
		}
		best_rec = MIN(best_rec, s->recovery_tsc);
		best_ns = MIN(best_ns, s->recovery_ns);
		best_create = MIN(best_create, s->create_tsc);
	}
	svc_stop(s, 0);
	dom_put(blk);
	svc_put(s);
	if (!err) {
		kprintf("BENCH restart_to_first_call %lu ticks\n", best_rec);
		kprintf("BENCH restart_to_first_call_time %lu us\n",
			(unsigned long)(best_ns / 1000));
		kprintf("BENCH restart_recreate %lu insns\n", best_create);
	}
	return err;
}

int kbench_run(void)
{
	const struct boot_module *m = find_module("bench.elf");
	static const struct elf_limits lim = ELF_DOMAIN_LIMITS;
	struct elf_plan *plan = kzalloc(sizeof(*plan));
	uint64_t best_verify = UINT64_MAX;
	uint64_t best_check = UINT64_MAX;
	struct paging_stats ps;
	struct cpu_stats s0;
	struct cpu_stats s1;
	struct sys_dom_status st;
	const void *img;
	size_t size;
	size_t signed_len = 0;
	const char *why;
	struct dom *d;
	struct dom *callee;
	uint64_t t0;
	uint64_t t_load;
	int err;

	if (!m || !plan) {
		kprintf("BENCH error: no bench.elf module\n");
		kfree(plan);
		return -1;
	}
	img = phys_to_virt(m->start);
	size = m->end - m->start;
	for (int i = 0; i < 3; i++) {
		t0 = rdtsc();
		if (sig_check_image("bench.elf", img, size, &signed_len)) {
			kprintf("BENCH error: bench.elf signature\n");
			kfree(plan);
			return -1;
		}
		best_verify = MIN(best_verify, rdtsc() - t0);
		t0 = rdtsc();
		if (elf_check(img, signed_len, &lim, plan, &why)) {
			kprintf("BENCH error: bench.elf: %s\n", why);
			kfree(plan);
			return -1;
		}
		best_check = MIN(best_check, rdtsc() - t0);
	}
	kfree(plan);
	kprintf("BENCH dom_image_bytes %zu bytes\n", size);
	kprintf("BENCH dom_verify %lu insns\n", best_verify);
	kprintf("BENCH dom_elf_check %lu insns\n", best_check);
	paging_get_stats(&ps);
	kprintf("BENCH cpu_pcid %d flag\n", ps.pcid ? 1 : 0);

	/* The callee of every cross-domain figure, once its init is done. */
	if (dom_create("callee.elf", 0, "", &callee)) {
		kprintf("BENCH error: cannot start callee.elf\n");
		return -1;
	}
	while (!READ_ONCE(callee->ready) &&
	       READ_ONCE(callee->state) == DOM_RUNNING) {
		thread_yield();
	}
	if (READ_ONCE(callee->state) != DOM_RUNNING) {
		kprintf("BENCH error: callee.elf failed in init\n");
		dom_wait(callee, 0, NULL);
		dom_put(callee);
		return -1;
	}
	sum_stats(&s0);
	t0 = rdtsc();
	if (dom_create("bench.elf", 0, "", &d)) {
		kprintf("BENCH error: cannot start bench.elf\n");
		err = -1;
		goto out_callee;
	}
	t_load = rdtsc() - t0;
	kprintf("BENCH dom_load %lu insns\n", t_load);
	dom_wait(d, 0, &st);
	dom_put(d);
	sum_stats(&s1);
	kprintf("BENCH bench_domain_syscalls %lu count\n",
		s1.syscalls - s0.syscalls);
	kprintf("BENCH bench_domain_pt_switches %lu count\n",
		s1.pt_switches - s0.pt_switches);
	err = st.end == SYS_DOM_EXITED && st.exit_code == 0 ? 0 : -1;
	if (err) {
		kprintf("BENCH error: the timing run failed\n");
	} else {
		err = event_runs();
	}
	if (!err) {
		err = restart_runs();
	}

out_callee:
	dom_kill(callee);
	dom_wait(callee, 0, NULL);
	dom_put(callee);
	return err;
}
