// SPDX-License-Identifier: MIT
/*
 * In-kernel part of `make bench` (boot option bench=1): how many
 * instructions verifying, validating and loading a domain takes, then the
 * bench domain's own ring-3 measurements. Under QEMU -icount shift=0 the
 * TSC counts instructions, so rdtsc deltas are exact instruction counts.
 * Lines start with "BENCH " for tools/bench.py.
 */
#include "tests/bench/kbench.h"

#include "arch/x86_64/cpu.h"
#include "base/string.h"
#include "console.h"
#include "dom.h"
#include "heap.h"
#include "multiboot.h"
#include "percpu.h"
#include "sig_verify.h"
#include "thread.h"

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
	memset(out, 0, sizeof(*out));
	for (unsigned int i = 0; i < cpu_count; i++) {
		out->syscalls += cpus[i].stats.syscalls;
		out->pt_switches += cpus[i].stats.pt_switches;
		out->tlb_flushes += cpus[i].stats.tlb_flushes;
		out->ctx_switches += cpus[i].stats.ctx_switches;
		out->exceptions += cpus[i].stats.exceptions;
	}
}

int kbench_run(void)
{
	const struct boot_module *m = find_module("bench.elf");
	static const struct elf_limits lim = ELF_DOMAIN_LIMITS;
	struct elf_plan *plan = kzalloc(sizeof(*plan));
	uint64_t best_verify = UINT64_MAX;
	uint64_t best_check = UINT64_MAX;
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

	/* A callee for the cross-domain call figure. */
	if (dom_create("callee.elf", 0, "", &callee)) {
		return -1;
	}
	while (!READ_ONCE(callee->exports[0].used)) {
		thread_yield();
	}
	sum_stats(&s0);
	t0 = rdtsc();
	if (dom_create("bench.elf", 0, "", &d)) {
		return -1;
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
	dom_kill(callee);
	dom_wait(callee, 0, NULL);
	dom_put(callee);
	return st.end == SYS_DOM_EXITED && st.exit_code == 0 ? 0 : -1;
}
