// SPDX-License-Identifier: MIT
/*
 * IDT setup and trap dispatch. Exceptions in the kernel are fatal unless a
 * fault probe is armed (probe_call); exceptions in ring 3 go to the domain
 * fault handler; interrupts go to registered handlers, followed by a LAPIC
 * EOI and, if the tick asked for it, a reschedule.
 * Gate format: Intel SDM Vol. 3A, 6.14.1 (64-bit IDT gate descriptors).
 */
#include "arch/x86_64/idt.h"

#include "abi/errno.h"
#include "arch/x86_64/apic.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/gdt.h"
#include "backtrace.h"
#include "console.h"
#include "dom.h"
#include "faultinj.h"
#include "percpu.h"
#include "panic.h"
#include "sched.h"
#include "trap.h"

struct idt_gate {
	uint16_t off_lo;
	uint16_t sel;
	uint8_t ist;
	uint8_t type_attr;
	uint16_t off_mid;
	uint32_t off_hi;
	uint32_t rsvd;
};
BUILD_ASSERT(sizeof(struct idt_gate) == 16);

#define GATE_INTERRUPT 0x8e /* present, DPL 0, 64-bit interrupt gate */

extern const uint64_t isr_table[256];
long probe_call_raw(long (*fn)(void *), void *arg, struct probe_info *info);

static struct idt_gate idt[256] __aligned(16);
static struct {
	irq_handler_t fn;
	void *ctx;
} handlers[256];
static struct spinlock handlers_lock = SPINLOCK_INIT("irq_handlers");

static const char *const exc_names[32] = {
	"#DE divide error",
	"#DB debug",
	"NMI",
	"#BP breakpoint",
	"#OF overflow",
	"#BR bound range",
	"#UD invalid opcode",
	"#NM device not available",
	"#DF double fault",
	"coprocessor segment overrun",
	"#TS invalid TSS",
	"#NP segment not present",
	"#SS stack fault",
	"#GP general protection",
	"#PF page fault",
	"reserved 15",
	"#MF x87 error",
	"#AC alignment check",
	"#MC machine check",
	"#XM SIMD exception",
	"#VE virtualization",
	"#CP control protection",
	"reserved 22",
	"reserved 23",
	"reserved 24",
	"reserved 25",
	"reserved 26",
	"reserved 27",
	"#HV hypervisor injection",
	"#VC VMM communication",
	"#SX security",
	"reserved 31",
};

const char *trap_name(unsigned int vector)
{
	if (vector < 32) {
		return exc_names[vector];
	}
	return "interrupt";
}

static void set_gate(unsigned int v, uint64_t handler, uint8_t ist)
{
	idt[v].off_lo = handler & 0xffff;
	idt[v].sel = GDT_KCODE;
	idt[v].ist = ist;
	idt[v].type_attr = GATE_INTERRUPT;
	idt[v].off_mid = (handler >> 16) & 0xffff;
	idt[v].off_hi = handler >> 32;
	idt[v].rsvd = 0;
}

void idt_init(void)
{
	for (unsigned int v = 0; v < 256; v++) {
		set_gate(v, isr_table[v], 0);
	}
	set_gate(VEC_DF, isr_table[VEC_DF], IST_DOUBLE_FAULT);
	set_gate(VEC_NMI, isr_table[VEC_NMI], IST_NMI);
	set_gate(18, isr_table[18], IST_MCE);
	idt_load();
}

void idt_load(void)
{
	struct {
		uint16_t limit;
		uint64_t base;
	} __packed ptr = {sizeof(idt) - 1, (uint64_t)idt};

	__asm__ volatile("lidt %0" : : "m"(ptr));
}

int irq_register(unsigned int vector, irq_handler_t fn, void *ctx)
{
	int err = 0;

	if (vector < 32 || vector > 255 || !fn) {
		return -EINVAL;
	}
	spin_lock(&handlers_lock);
	if (handlers[vector].fn) {
		err = -EBUSY;
	} else {
		handlers[vector].ctx = ctx;
		__atomic_store_n(&handlers[vector].fn, fn, __ATOMIC_RELEASE);
	}
	spin_unlock(&handlers_lock);
	return err;
}

void irq_unregister(unsigned int vector)
{
	if (vector < 256) {
		spin_lock(&handlers_lock);
		__atomic_store_n(&handlers[vector].fn, NULL, __ATOMIC_RELEASE);
		handlers[vector].ctx = NULL;
		spin_unlock(&handlers_lock);
	}
}

int irq_alloc_vector(void)
{
	static bool taken[256];
	int v = -ENOSPC;

	spin_lock(&handlers_lock);
	for (unsigned int i = VEC_DEVICE_FIRST; i <= VEC_DEVICE_LAST; i++) {
		if (!taken[i] && !handlers[i].fn) {
			taken[i] = true;
			v = (int)i;
			break;
		}
	}
	spin_unlock(&handlers_lock);
	return v;
}

void trap_print_frame(const struct trap_frame *tf)
{
	kprintf("  rip %016lx  cs %04lx  rflags %016lx  error %#lx\n", tf->rip,
		tf->cs, tf->rflags, tf->error);
	kprintf("  rsp %016lx  ss %04lx", tf->rsp, tf->ss);
	if (tf->vector == VEC_PF) {
		kprintf("  cr2 %016lx (%s, %s, %s%s%s)", read_cr2(),
			tf->error & PF_P ? "protection" : "not present",
			tf->error & PF_W
				? "write"
				: (tf->error & PF_I ? "fetch" : "read"),
			tf->error & PF_U ? "user" : "kernel",
			tf->error & PF_RSVD ? ", reserved bit" : "",
			tf->error & PF_PK ? ", protection key" : "");
	}
	kprintf("\n");
	kprintf("  rax %016lx  rbx %016lx  rcx %016lx\n", tf->rax, tf->rbx,
		tf->rcx);
	kprintf("  rdx %016lx  rsi %016lx  rdi %016lx\n", tf->rdx, tf->rsi,
		tf->rdi);
	kprintf("  rbp %016lx  r8  %016lx  r9  %016lx\n", tf->rbp, tf->r8,
		tf->r9);
	kprintf("  r10 %016lx  r11 %016lx  r12 %016lx\n", tf->r10, tf->r11,
		tf->r12);
	kprintf("  r13 %016lx  r14 %016lx  r15 %016lx\n", tf->r13, tf->r14,
		tf->r15);
	kprintf("  cr0 %016lx  cr3 %016lx  cr4 %016lx\n", read_cr0(),
		read_cr3(), read_cr4());
}

long probe_call(long (*fn)(void *), void *arg, struct probe_info *info)
{
	long r;

	irq_push_off();
	r = probe_call_raw(fn, arg, info);
	irq_pop_off();
	return r;
}

static void kernel_exception(struct trap_frame *tf)
{
	struct cpu *c = this_cpu();

	if (c->probe_rip) {
		struct probe_info *pi = c->probe_info;

		pi->vector = tf->vector;
		pi->error = tf->error;
		pi->addr = tf->vector == VEC_PF ? read_cr2() : 0;
		pi->rip = tf->rip;
		tf->rip = c->probe_rip;
		tf->rsp = c->probe_rsp;
		/* A user copy may have faulted between stac and clac. */
		tf->rflags &= ~RFLAGS_AC;
		c->probe_rip = 0;
		return;
	}
	console_panic_mode();
	kprintf("\n*** KERNEL EXCEPTION %s (vector %lu) on cpu %u\n",
		trap_name((unsigned int)tf->vector), tf->vector, c->id);
	trap_print_frame(tf);
	backtrace_print(tf->rip, tf->rbp);
	panic("%s in kernel at %#lx", trap_name((unsigned int)tf->vector),
	      tf->rip);
}

void trap_dispatch(struct trap_frame *tf)
{
	struct cpu *c = this_cpu();
	unsigned int v = (unsigned int)tf->vector;

	if (v < 32) {
		c->stats.exceptions++;
		if (v == VEC_NMI && panic_in_progress()) {
			cpu_halt_forever();
		}
		if (trap_from_user(tf)) {
			trap_user_exception(tf);
		} else {
			kernel_exception(tf);
		}
	} else {
		irq_handler_t fn =
			__atomic_load_n(&handlers[v].fn, __ATOMIC_ACQUIRE);

		c->stats.irqs++;
		if (fn) {
			fn(tf, handlers[v].ctx);
		} else if (v != VEC_SPURIOUS) {
			pr_warn("cpu %u: unexpected interrupt, vector %#x",
				c->id, v);
		}
		if (v != VEC_SPURIOUS) {
			lapic_eoi();
		}
	}
	/* Preempt on the way out if the tick asked for it. */
	if (c->need_resched && c->irq_nest == 0 && c->current) {
		sched_preempt();
	}
	/* A thread of a dying domain leaves instead of returning to it. */
	if (trap_from_user(tf)) {
		dom_check_alive();
		faultinj_user_return(tf);
	}
}
