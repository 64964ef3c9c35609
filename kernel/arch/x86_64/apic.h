/* SPDX-License-Identifier: MIT */
/*
 * Local APIC (per CPU: timer, IPIs, EOI) and I/O APIC (device interrupt
 * routing). xAPIC MMIO and x2APIC MSR access are both supported; x2APIC is
 * used only when firmware already enabled it.
 * Spec: Intel SDM Vol. 3A, ch. 11 (APIC); Intel 82093AA I/O APIC datasheet.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

/* Map the LAPIC (boot CPU) and remember its frequency source. */
void lapic_init(uint64_t phys);
/* Enable this CPU's LAPIC: spurious vector, TPR 0, LVTs masked. */
void lapic_init_cpu(void);
uint32_t lapic_id(void);
void lapic_eoi(void);

/* LAPIC timer, counting at lapic_timer_hz() after time_init(). */
void lapic_timer_periodic(uint32_t count);
void lapic_timer_oneshot(uint32_t count);
void lapic_timer_stop(void);
uint32_t lapic_timer_current(void);
/* Divide-by-16, one-shot from 0xffffffff, for calibration. */
void lapic_timer_calibrate_start(void);

void apic_send_ipi(uint32_t apic_id, uint8_t vector);
void apic_send_init(uint32_t apic_id);
void apic_send_sipi(uint32_t apic_id, uint8_t page);
/* Wait for the ICR delivery-status bit to clear; false on timeout. */
bool apic_wait_icr_idle(void);
/* Mask of CPU indexes (not APIC ids) that are online. */
uint64_t apic_online_mask(void);
void apic_set_online(unsigned int cpu);
/* NMI every other online CPU (panic path); they halt. */
void apic_stop_other_cpus(void);

/* I/O APIC. */
void ioapic_init(void);
/* Route @gsi to @vector on the CPU with @apic_id; @flags are MPS INTI. */
int ioapic_route(uint32_t gsi, uint8_t vector, uint32_t apic_id,
		 uint16_t flags);
void ioapic_mask(uint32_t gsi);
