/* SPDX-License-Identifier: MIT */
/*
 * Time: a monotonic nanosecond clock from the TSC, and the per-CPU LAPIC
 * timer ticking at HZ (boot option hz=, default 100). Both are calibrated
 * against the 8254 PIT at boot. Under QEMU with -icount the TSC counts
 * instructions, so "nanoseconds" are virtual there.
 */
#pragma once

#include <stdint.h>

#define NSEC_PER_SEC 1000000000ull
#define NSEC_PER_MSEC 1000000ull
#define NSEC_PER_USEC 1000ull

/* Calibrate TSC and LAPIC timer against the PIT (boot CPU). */
void time_init(void);
/* Start this CPU's periodic tick. */
void time_start_tick_cpu(void);
/* Nanoseconds since time_init(); 0 before it. */
uint64_t time_ns(void);
void udelay(uint64_t us);
uint64_t time_tsc_hz(void);
uint64_t time_lapic_hz(void);
unsigned int time_hz(void);
/* LAPIC timer counts for @ns, clamped to the 32-bit counter. */
uint32_t time_ns_to_lapic(uint64_t ns);

/* PIT channel 2 one-shot of @ticks at 1.193182 MHz; busy-waits. */
void pit_wait_ticks(uint16_t ticks);
#define PIT_HZ 1193182u
