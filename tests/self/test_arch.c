// SPDX-License-Identifier: MIT
/*
 * Self-tests of x86_64 support: fault probes, symbolization, the I/O APIC
 * (a real PIT interrupt routed through it), cross-CPU TLB shootdown, the
 * clock, and what the boot loader handed over.
 */
#include "abi/errno.h"
#include "acpi.h"
#include "arch/x86_64/apic.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/idt.h"
#include "arch/x86_64/paging.h"
#include "backtrace.h"
#include "base/string.h"
#include "ksyms.h"
#include "multiboot.h"
#include "percpu.h"
#include "pmm.h"
#include "tests/self/selftest.h"
#include "thread.h"
#include "time.h"

static long do_ud2(void *arg)
{
	__asm__ volatile("ud2");
	return 0;
}

static long do_gp(void *arg)
{
	/* A non-canonical address raises #GP, not #PF. */
	return (long)*(volatile uint64_t *)0x8000000000000000ull;
}

static long add_one(void *arg)
{
	return (long)(uintptr_t)arg + 1;
}

SELFTEST(probe_catches_exceptions, SELFTEST_SHORT)
{
	struct probe_info pi;

	ST_EQ(probe_call(add_one, (void *)41, &pi), 42);
	ST_EQ(probe_call(do_ud2, NULL, &pi), -EFAULT);
	ST_EQ(pi.vector, VEC_UD);
	ST_EQ(pi.rip, (uint64_t)do_ud2 + 0);
	ST_EQ(probe_call(do_gp, NULL, &pi), -EFAULT);
	ST_EQ(pi.vector, VEC_GP);
	/* The kernel is still fine and the probe is disarmed. */
	ST_EQ(this_cpu()->probe_rip, 0);
}

/* A function with a known name, for the symbolizer test. */
void kprintf_probe_target(void);
void kprintf_probe_target(void)
{
	__asm__ volatile("");
}

SELFTEST(ksyms_symbolizes_kernel_functions, SELFTEST_SHORT)
{
	uint64_t off;
	uint64_t size;
	const char *name;
	char buf[96];

	ST_ASSERT(ksyms_count() > 100);
	name = ksyms_lookup((uint64_t)thread_create + 5, &off, &size);
	ST_ASSERT(name != NULL);
	ST_ASSERT(strcmp(name, "thread_create") == 0);
	ST_EQ(off, 5);
	ST_ASSERT(size > 5);
	ST_EQ(ksyms_address("pmm_alloc"), (uint64_t)pmm_alloc);
	backtrace_symbolize((uint64_t)kprintf_probe_target, buf, sizeof(buf));
	ST_ASSERT(strncmp(buf, "kprintf_probe_target+0x0/", 25) == 0);
	/* An address outside the kernel has no symbol. */
	ST_ASSERT(ksyms_lookup(0x1000, &off, &size) == NULL);
}

static volatile uint64_t pit_irqs;

static void pit_irq(struct trap_frame *tf, void *ctx)
{
	pit_irqs++;
}

/* Route ISA IRQ 0 (the PIT) through the I/O APIC and take one interrupt. */
SELFTEST(ioapic_delivers_pit_interrupt, SELFTEST_SHORT)
{
	uint16_t flags;
	uint32_t gsi = acpi_isa_irq_to_gsi(0, &flags);
	int vec = irq_alloc_vector();
	uint64_t deadline;
	uint16_t count = PIT_HZ / 100; /* 10 ms */

	ST_ASSERT(vec > 0);
	ST_EQ(irq_register((unsigned int)vec, pit_irq, NULL), 0);
	pit_irqs = 0;
	/* PIT channel 0, mode 0 (interrupt on terminal count). */
	outb(0x43, 0x30);
	outb(0x40, count & 0xff);
	outb(0x40, count >> 8);
	ST_EQ(ioapic_route(gsi, (uint8_t)vec, this_cpu()->lapic_id, flags), 0);
	deadline = time_ns() + 500 * NSEC_PER_MSEC;
	while (pit_irqs == 0 && time_ns() < deadline) {
		__asm__ volatile("pause");
	}
	ioapic_mask(gsi);
	irq_unregister((unsigned int)vec);
	ST_CHECK(pit_irqs > 0, "no interrupt from GSI %u within 500 ms", gsi);
}

struct tlb_arg {
	volatile uint64_t *va;
	volatile int phase;
	volatile uint64_t seen[2];
};

static int tlb_reader(void *arg)
{
	struct tlb_arg *a = arg;

	a->seen[0] = *a->va; /* caches the first translation */
	a->phase = 1;
	while (a->phase != 2) {
		__asm__ volatile("pause");
	}
	a->seen[1] = *a->va;
	return 0;
}

/* A remap on one CPU is seen by another that cached the old translation. */
SELFTEST(tlb_shootdown_reaches_other_cpu, SELFTEST_SHORT)
{
	struct aspace *k = kernel_aspace();
	vaddr_t va = KSCRATCH_BASE + 0x200000 - PAGE_SIZE;
	struct tlb_arg a = {.va = (volatile uint64_t *)va};
	struct thread *t;
	paddr_t f1;
	paddr_t f2;

	if (cpu_count < 2) {
		selftest_skip(ST_CTX, "needs two CPUs");
		return;
	}
	ST_EQ(pmm_alloc(1, &f1), 0);
	ST_EQ(pmm_alloc(1, &f2), 0);
	*(uint64_t *)phys_to_virt(f1) = 111;
	*(uint64_t *)phys_to_virt(f2) = 222;
	ST_EQ(aspace_map(k, va, f1, 1, PROT_READ), 0);
	ST_EQ(thread_create(&t, "tlbreader", tlb_reader, &a,
			    this_cpu()->id == 0 ? 1 : 0),
	      0);
	while (a.phase != 1) {
		thread_yield();
	}
	ST_EQ(aspace_unmap(k, va, 1, NULL), 0);
	ST_EQ(aspace_map(k, va, f2, 1, PROT_READ), 0);
	a.phase = 2;
	thread_join(t, NULL);
	ST_EQ(a.seen[0], 111);
	ST_EQ(a.seen[1], 222);
	ST_EQ(aspace_unmap(k, va, 1, NULL), 0);
	pmm_free(f1, 1);
	pmm_free(f2, 1);
}

SELFTEST(clock_is_monotonic_and_calibrated, SELFTEST_SHORT)
{
	uint64_t prev = time_ns();

	ST_ASSERT(time_tsc_hz() > 1000000);
	ST_ASSERT(time_lapic_hz() > 1000);
	for (int i = 0; i < 10000; i++) {
		uint64_t now = time_ns();

		ST_ASSERT(now >= prev);
		prev = now;
	}
	/* udelay agrees with the clock it is built on. */
	prev = time_ns();
	udelay(2000);
	ST_ASSERT(time_ns() - prev >= 2000 * NSEC_PER_USEC);
}

SELFTEST(boot_info_is_sane, SELFTEST_SHORT)
{
	uint64_t ram = 0;
	struct pmm_stats ps;

	ST_ASSERT(boot_info.mmap_count > 0);
	for (size_t i = 0; i < boot_info.mmap_count; i++) {
		if (boot_info.mmap[i].type == BOOT_MEM_RAM) {
			ram += boot_info.mmap[i].len;
		}
	}
	pmm_stats(&ps);
	/* The allocator manages most of the RAM the map reports. */
	ST_ASSERT(ps.total_pages * PAGE_SIZE <= ram);
	ST_ASSERT(ps.total_pages * PAGE_SIZE >= ram / 2);
	ST_ASSERT(acpi.found);
	ST_ASSERT(acpi.ncpus >= cpu_count);
	ST_ASSERT(acpi.nioapics >= 1);
}
