// SPDX-License-Identifier: MIT
/*
 * panic(): print the reason and a backtrace on the console, stop the other
 * CPUs, then halt, reboot or exit QEMU as panic= says.
 */
#include "panic.h"

#include <stdarg.h>

#include "arch/x86_64/apic.h"
#include "arch/x86_64/cpu.h"
#include "backtrace.h"
#include "cmdline.h"
#include "console.h"
#include "percpu.h"

enum panic_action {
	PANIC_HALT,
	PANIC_REBOOT,
	PANIC_EXIT,
};

static const char *const panic_choices[] = {"halt", "reboot", "exit", NULL};
static unsigned int panic_action = PANIC_HALT;
CMDLINE_OPTION(panic_opt, .name = "panic", .type = CMDLINE_ENUM,
	       .value = &panic_action, .choices = panic_choices,
	       .help = "after a kernel panic: halt, reboot, or exit QEMU "
		       "with a failure status");

static volatile int panicking;

bool panic_in_progress(void)
{
	return panicking != 0;
}

#define ISA_DEBUG_EXIT_PORT 0xf4

void machine_exit(int code)
{
	outb(ISA_DEBUG_EXIT_PORT, (uint8_t)code);
	/* Still here: no isa-debug-exit device (real hardware). */
	kprintf("(no isa-debug-exit device; halting)\n");
	cpu_halt_forever();
}

void machine_reboot(void)
{
	struct {
		uint16_t limit;
		uint64_t base;
	} __packed null_idt = {0, 0};

	/* 8042 reset line, then a triple fault if that did nothing. */
	outb(0x64, 0xfe);
	for (volatile int i = 0; i < 1000000; i++) {
	}
	__asm__ volatile("lidt %0; int3" : : "m"(null_idt));
	cpu_halt_forever();
}

void panic(const char *fmt, ...)
{
	va_list ap;

	cli();
	if (__atomic_exchange_n(&panicking, 1, __ATOMIC_SEQ_CST)) {
		/* Another CPU is already panicking; let it report. */
		cpu_halt_forever();
	}
	console_panic_mode();
	apic_stop_other_cpus();

	kprintf("\n*** KERNEL PANIC on cpu %u: ", this_cpu()->id);
	va_start(ap, fmt);
	kvprintf(fmt, ap);
	va_end(ap);
	kprintf("\n");
	backtrace_print_here();

	switch (panic_action) {
	case PANIC_EXIT:
		kprintf("panic=exit: leaving QEMU with status %d\n",
			(QEMU_EXIT_PANIC << 1) | 1);
		machine_exit(QEMU_EXIT_PANIC);
	case PANIC_REBOOT:
		kprintf("panic=reboot: rebooting\n");
		machine_reboot();
	default:
		kprintf("panic=halt: system halted\n");
		cpu_halt_forever();
	}
}
