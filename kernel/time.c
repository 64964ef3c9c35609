// SPDX-License-Identifier: MIT
/*
 * Clock calibration and the scheduler tick (see time.h). The PIT's channel
 * 2 is gated through port 0x61 and its OUT2 line read back there, which
 * gives a known interval without interrupts (8254 datasheet, mode 0).
 */
#include "time.h"

#include "arch/x86_64/apic.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/idt.h"
#include "cmdline.h"
#include "console.h"
#include "percpu.h"
#include "panic.h"
#include "sched.h"

#define PIT_CH2 0x42
#define PIT_CMD 0x43
#define PIT_GATE_PORT 0x61
#define PIT_GATE2 0x01
#define PIT_SPEAKER 0x02
#define PIT_OUT2 0x20
#define PIT_CMD_CH2_LOHI_MODE0 0xb0
#define CALIBRATE_MS 50
#define CALIBRATE_ROUNDS 3

static uint64_t tsc_hz;
static uint64_t lapic_hz;
static uint64_t tsc_base;
static uint64_t ns_mult;    /* ns = (tsc * ns_mult) >> 32 */
static uint64_t lapic_mult; /* lapic counts = (ns * lapic_mult) >> 32 */

static uint64_t hz = 100;
CMDLINE_OPTION(hz_opt, .name = "hz", .type = CMDLINE_UINT, .value = &hz,
	       .min = 10, .max = 1000,
	       .help = "scheduler tick rate per CPU, in Hz");

void pit_wait_ticks(uint16_t ticks)
{
	uint8_t g = inb(PIT_GATE_PORT) & ~(PIT_SPEAKER | PIT_GATE2);

	outb(PIT_GATE_PORT, g);
	outb(PIT_CMD, PIT_CMD_CH2_LOHI_MODE0);
	outb(PIT_CH2, ticks & 0xff);
	outb(PIT_CH2, ticks >> 8);
	outb(PIT_GATE_PORT, g | PIT_GATE2);
	for (uint64_t i = 0; i < (1ull << 32); i++) {
		if (inb(PIT_GATE_PORT) & PIT_OUT2) {
			break;
		}
	}
	outb(PIT_GATE_PORT, g);
}

static void tick_handler(struct trap_frame *tf, void *ctx)
{
	struct cpu *c = this_cpu();

	c->stats.ticks++;
	c->tick_count++;
	sched_tick();
}

void time_init(void)
{
	uint16_t ticks = PIT_HZ * CALIBRATE_MS / 1000;
	uint64_t best_tsc = ~0ull;
	uint64_t best_lapic = 0;

	/* Keep the shortest round: it was interrupted least by the host. */
	for (int r = 0; r < CALIBRATE_ROUNDS; r++) {
		uint64_t t0;
		uint64_t t1;
		uint32_t l;

		lapic_timer_calibrate_start();
		t0 = rdtsc();
		pit_wait_ticks(ticks);
		t1 = rdtsc();
		l = 0xffffffffu - lapic_timer_current();
		lapic_timer_stop();
		if (t1 - t0 < best_tsc) {
			best_tsc = t1 - t0;
			best_lapic = l;
		}
	}
	tsc_hz = best_tsc * 1000 / CALIBRATE_MS;
	lapic_hz = best_lapic * 1000 / CALIBRATE_MS;
	if (tsc_hz == 0 || lapic_hz == 0) {
		panic("timer calibration failed (tsc %lu Hz, lapic %lu Hz)",
		      tsc_hz, lapic_hz);
	}
	/* Multiply-and-shift factors: no 128-bit division in the kernel. */
	ns_mult = (NSEC_PER_SEC << 32) / tsc_hz;
	lapic_mult = (lapic_hz << 32) / NSEC_PER_SEC;
	tsc_base = rdtsc();
	/* Once, here on the boot CPU, before any CPU starts its tick. */
	MUST(irq_register(VEC_TIMER, tick_handler, NULL));
}

uint64_t time_ns(void)
{
	if (!ns_mult) {
		return 0;
	}
	return (uint64_t)(((unsigned __int128)(rdtsc() - tsc_base) * ns_mult) >>
			  32);
}

void udelay(uint64_t us)
{
	uint64_t end = time_ns() + us * NSEC_PER_USEC;

	while (time_ns() < end) {
		cpu_relax();
	}
}

uint64_t time_tsc_hz(void)
{
	return tsc_hz;
}

uint64_t time_lapic_hz(void)
{
	return lapic_hz;
}

unsigned int time_hz(void)
{
	return (unsigned int)hz;
}

uint32_t time_ns_to_lapic(uint64_t ns)
{
	unsigned __int128 c = ((unsigned __int128)ns * lapic_mult) >> 32;

	if (c == 0) {
		return 1;
	}
	return c > 0xffffffffu ? 0xffffffffu : (uint32_t)c;
}

void time_start_tick_cpu(void)
{
	lapic_timer_periodic(time_ns_to_lapic(NSEC_PER_SEC / hz));
}
