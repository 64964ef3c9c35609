// SPDX-License-Identifier: MIT
/*
 * SMP bring-up (see smp.h). APs are started one at a time: the parameter
 * block in the trampoline is shared, so the next AP is started only after
 * the previous one reported in. A CPU that does not answer within a second
 * is reported and skipped.
 */
#include "smp.h"

#include "acpi.h"
#include "arch/x86_64/apic.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/gdt.h"
#include "arch/x86_64/idt.h"
#include "arch/x86_64/paging.h"
#include "arch/x86_64/user.h"
#include "base/string.h"
#include "cmdline.h"
#include "console.h"
#include "percpu.h"
#include "panic.h"
#include "pmm.h"
#include "sched.h"
#include "time.h"

#define AP_TRAMPOLINE 0x8000ul
#define AP_STACK_PAGES 4
#define AP_START_TIMEOUT_MS 1000

struct ap_params {
	uint64_t cr3;
	uint64_t stack;
	uint64_t entry;
	uint64_t cpu;
	uint64_t efer_extra;
};

extern char __ap_trampoline_start[], __ap_trampoline_end[];
extern char ap_param_block[];
extern char boot_pml4[];

struct cpu cpus[CPU_MAX];
unsigned int cpu_count = 1;

static uint64_t max_cpus = CPU_MAX;
CMDLINE_OPTION(cpus_opt, .name = "cpus", .type = CMDLINE_UINT,
	       .value = &max_cpus, .min = 1, .max = CPU_MAX,
	       .help = "use at most this many CPUs");

static volatile bool ap_ready;

BUILD_ASSERT(offsetof(struct cpu, scratch_rsp) == CPU_OFF_SCRATCH_RSP);
BUILD_ASSERT(offsetof(struct cpu, kernel_rsp) == CPU_OFF_KERNEL_RSP);
BUILD_ASSERT(offsetof(struct cpu, probe_rsp) == CPU_OFF_PROBE_RSP);
BUILD_ASSERT(offsetof(struct cpu, probe_rip) == CPU_OFF_PROBE_RIP);
BUILD_ASSERT(offsetof(struct cpu, probe_info) == CPU_OFF_PROBE_INFO);

void cpu_set_self(struct cpu *c)
{
	c->self = c;
	wrmsr(MSR_GS_BASE, (uint64_t)c);
	wrmsr(MSR_KERNEL_GS_BASE, 0);
}

static void cpu_struct_init(struct cpu *c, unsigned int id)
{
	c->id = id;
	spin_init(&c->rq_lock, "rq");
	list_init(&c->ready);
	list_init(&c->sleepers);
}

void smp_init_bsp_early(void)
{
	cpu_struct_init(&cpus[0], 0);
	cpu_set_self(&cpus[0]);
}

/* C entry of each AP, on its boot stack (ap_boot.asm). */
__noreturn void ap_main(uint64_t index)
{
	struct cpu *c = &cpus[index];

	cpu_set_self(c);
	paging_init_cpu();
	aspace_switch(kernel_aspace());
	gdt_init_cpu(c);
	idt_load();
	user_init_cpu();
	lapic_init_cpu();
	sched_init_cpu();
	c->online = true;
	apic_set_online(c->id);
	__atomic_store_n(&ap_ready, true, __ATOMIC_RELEASE);
	time_start_tick_cpu();
	sched_start_ap();
}

static bool start_ap(unsigned int index, uint32_t apic_id)
{
	struct ap_params *p = (struct ap_params *)phys_to_virt(
		AP_TRAMPOLINE + (ap_param_block - __ap_trampoline_start));
	struct cpu *c = &cpus[index];
	paddr_t stack;
	uint64_t deadline;
	struct paging_stats ps;

	if (pmm_alloc(AP_STACK_PAGES, &stack)) {
		return false;
	}
	paging_get_stats(&ps);
	cpu_struct_init(c, index);
	c->lapic_id = apic_id;
	p->cr3 = (uint64_t)boot_pml4; /* linked at its physical address */
	p->stack = (uint64_t)phys_to_virt(stack) + AP_STACK_PAGES * PAGE_SIZE;
	p->entry = (uint64_t)ap_main;
	p->cpu = index;
	p->efer_extra = ps.nx ? EFER_NXE : 0;
	ap_ready = false;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);

	apic_send_init(apic_id);
	udelay(10000);
	for (int i = 0; i < 2 && !ap_ready; i++) {
		apic_send_sipi(apic_id, AP_TRAMPOLINE >> 12);
		udelay(200);
	}
	deadline = time_ns() + AP_START_TIMEOUT_MS * NSEC_PER_MSEC;
	while (!__atomic_load_n(&ap_ready, __ATOMIC_ACQUIRE)) {
		if (time_ns() > deadline) {
			pr_warn("cpu %u (apic id %u) did not start; skipping",
				index, apic_id);
			pmm_free(stack, AP_STACK_PAGES);
			return false;
		}
		cpu_relax();
	}
	return true;
}

void smp_boot_aps(void)
{
	uint32_t self = lapic_id();
	unsigned int next = 1;

	cpus[0].lapic_id = self;
	cpus[0].online = true;
	apic_set_online(0);
	memcpy(phys_to_virt(AP_TRAMPOLINE), __ap_trampoline_start,
	       (size_t)(__ap_trampoline_end - __ap_trampoline_start));
	for (unsigned int i = 0; i < acpi.ncpus; i++) {
		uint32_t id = acpi.lapic_ids[i];

		if (id == self) {
			continue;
		}
		if (next >= max_cpus || next >= CPU_MAX) {
			break;
		}
		if (start_ap(next, id)) {
			next++;
			cpu_count = next;
		}
	}
}

unsigned int smp_online_count(void)
{
	uint64_t m = apic_online_mask();
	unsigned int n = 0;

	for (; m; m &= m - 1) {
		n++;
	}
	return n;
}
