// SPDX-License-Identifier: MIT
/*
 * kmain: the boot CPU's path from boot.asm to a running, idle kernel.
 * Order matters: per-CPU data, console, boot information and command line;
 * then memory (frames, heap, page tables), traps, ACPI and APICs, clocks,
 * the scheduler, the other CPUs. Then either the self-tests or idling.
 */
#include "acpi.h"
#include "arch/x86_64/apic.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/gdt.h"
#include "arch/x86_64/idt.h"
#include "arch/x86_64/paging.h"
#include "base/string.h"
#include "arch/x86_64/user.h"
#include "call.h"
#include "cmdline.h"
#include "dom.h"
#include "console.h"
#include "percpu.h"
#include "heap.h"
#include "multiboot.h"
#include "panic.h"
#include "pmm.h"
#include "sched.h"
#include "sheap.h"
#include "svc.h"
#include "smp.h"
#include "tests/bench/kbench.h"
#include "tests/recovery/campaign.h"
#include "tests/self/selftest.h"
#include "thread.h"
#include "time.h"
#include "waitq.h"

#define MB2_BOOT_MAGIC 0x36d76289u

/* git describe of the build, generated into build/version.c. */
extern const char cordon_version[];
#define BOOT_STACK_SIZE (THREAD_STACK_PAGES * 4096)

/* The boot CPU's first stack, later the main thread's (boot.asm). */
char boot_stack_bottom_high[BOOT_STACK_SIZE] __aligned(4096);
BUILD_ASSERT(BOOT_STACK_SIZE == 16384); /* BOOT_STACK_SIZE in boot.asm */

static char test_filter[128];
CMDLINE_OPTION(test_opt, .name = "test", .type = CMDLINE_STR,
	       .value = test_filter, .str_size = sizeof(test_filter),
	       .help = "run in-kernel self-tests (all, or NAME,PREFIX*,...) "
		       "and exit QEMU with the result");

static bool bench_mode;
CMDLINE_OPTION(bench_opt, .name = "bench", .type = CMDLINE_BOOL,
	       .value = &bench_mode,
	       .help = "run the benchmarks (make bench) and exit QEMU");

static char profile[32] = "default";
CMDLINE_OPTION(profile_opt, .name = "profile", .type = CMDLINE_STR,
	       .value = profile, .str_size = sizeof(profile),
	       .help = "boot profile handed to the init domain");

static char init_module[64] = "init.elf";
CMDLINE_OPTION(init_opt, .name = "init", .type = CMDLINE_STR,
	       .value = init_module, .str_size = sizeof(init_module),
	       .help = "boot module to start as the init domain (none: no "
		       "init)");

static const char *const crash_choices[] = {"none", "panic", "pagefault", "ud",
					    NULL};
static unsigned int crash_kind;
CMDLINE_OPTION(crash_opt, .name = "crash", .type = CMDLINE_ENUM,
	       .value = &crash_kind, .choices = crash_choices,
	       .help = "deliberately crash the kernel after boot, to check "
		       "panic handling");

static void cmdline_report(void *ctx, enum cmdline_event ev,
			   const struct cmdline_opt *opt, const char *word,
			   size_t len)
{
	int *problems = ctx;

	switch (ev) {
	case CMDLINE_OK:
		break;
	case CMDLINE_UNKNOWN:
		(*problems)++;
		kprintf("warning: unknown boot option '%.*s' ignored\n",
			(int)len, word);
		break;
	case CMDLINE_MALFORMED: {
		char def[CMDLINE_VALUE_MAX];

		(*problems)++;
		cmdline_format_value(opt, def, sizeof(def));
		kprintf("warning: bad value in boot option '%.*s'; "
			"using the default %s=%s\n",
			(int)len, word, opt->name, def);
		break;
	}
	case CMDLINE_TOO_LONG:
		(*problems)++;
		kprintf("warning: command line too long; the rest is "
			"ignored\n");
		break;
	}
}

static void parse_cmdline(void)
{
	size_t n;
	const struct cmdline_opt *opts = cmdline_registered_opts(&n);
	int problems = 0;

	kprintf("command line: %s\n", boot_info.cmdline);
	cmdline_parse(boot_info.cmdline, opts, n, cmdline_report, &problems);
	kprintf("options:");
	for (size_t i = 0; i < n; i++) {
		char v[CMDLINE_VALUE_MAX];

		cmdline_format_value(&opts[i], v, sizeof(v));
		kprintf(" %s=%s", opts[i].name, v);
	}
	kprintf("\n");
}

static void deliberate_crash(void)
{
	switch (crash_kind) {
	case 1:
		panic("deliberate panic requested by crash=panic");
	case 2: {
		/* An address nothing maps: the first page is never mapped. */
		volatile uint64_t *bad = (volatile uint64_t *)(uintptr_t)0x10;

		__asm__ volatile("" : "+r"(bad));
		*bad = 1;
		break;
	}
	case 3:
		__asm__ volatile("ud2");
		break;
	default:
		break;
	}
}

static void print_banner(void)
{
	struct pmm_stats ps;
	struct paging_stats pg;

	pmm_stats(&ps);
	paging_get_stats(&pg);
	kprintf("Cordon %s: %u CPU%s online, %zu MiB RAM (%zu MiB free), "
		"tick %u Hz\n",
		cordon_version, smp_online_count(),
		smp_online_count() == 1 ? "" : "s", ps.total_pages / 256,
		ps.free_pages / 256, time_hz());
	kprintf("cpu: tsc %lu MHz, lapic timer %lu kHz, nx %s, smep %s, "
		"smap %s, pcid %s, pku %s\n",
		time_tsc_hz() / 1000000, time_lapic_hz() / 1000,
		pg.nx ? "on" : "no", pg.smep ? "on" : "no",
		pg.smap ? "on" : "no", pg.pcid ? "on" : "no",
		pg.pku ? "yes" : "no");
}

/* Start the init domain with the boot profile; it starts the rest. */
static void start_init(void)
{
	struct dom *d;

	if (strcmp(init_module, "none") == 0) {
		return;
	}
	if (dom_create(init_module, 0, profile, &d)) {
		kprintf("warning: no init domain is running\n");
		return;
	}
	dom_put(d);
}

__noreturn void kmain(uint32_t magic, uint32_t mbi_phys)
{
	uint32_t mbi_size;

	smp_init_bsp_early();
	console_init();
	kprintf("\nCordon %s booting\n", cordon_version);
	if (magic != MB2_BOOT_MAGIC) {
		panic("bad multiboot2 magic %#x", magic);
	}
	memcpy(&mbi_size, phys_to_virt(mbi_phys), sizeof(mbi_size));
	if (multiboot_parse(phys_to_virt(mbi_phys), mbi_size, &boot_info)) {
		panic("malformed multiboot2 information at %#x", mbi_phys);
	}
	boot_info.mbi_phys = mbi_phys;
	parse_cmdline();
	console_late_init();

	pmm_init(&boot_info);
	heap_init();
	paging_init();
	gdt_init_cpu(&cpus[0]);
	idt_init();
	user_init_cpu();

	if (acpi_init(boot_info.rsdp_copy, boot_info.rsdp_len)) {
		kprintf("warning: no usable ACPI MADT; running on one CPU\n");
		acpi.lapic_addr = rdmsr(MSR_APIC_BASE) & ~0xfffull;
	}
	lapic_init(acpi.lapic_addr);
	lapic_init_cpu();
	ioapic_init();
	time_init();
	sched_init();
	sched_init_cpu();
	smp_boot_aps();
	time_start_tick_cpu();
	sti();
	dom_init();
	sheap_init();
	svc_init();
	call_watchdog_init();
	print_banner();

	deliberate_crash();
	if (bench_mode) {
		machine_exit(kbench_run() ? QEMU_EXIT_FAILURE
					  : QEMU_EXIT_SUCCESS);
	}
	if (fi_campaign_requested()) {
		machine_exit(fi_campaign_boot() ? QEMU_EXIT_FAILURE
						: QEMU_EXIT_SUCCESS);
	}
	if (test_filter[0]) {
		int r = selftest_run(test_filter);

		machine_exit(r ? QEMU_EXIT_FAILURE : QEMU_EXIT_SUCCESS);
	}
	start_init();
	kprintf("cordon: idle; all CPUs online\n");
	for (;;) {
		thread_sleep_ns(3600 * NSEC_PER_SEC);
	}
}
