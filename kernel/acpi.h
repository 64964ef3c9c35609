/* SPDX-License-Identifier: MIT */
/*
 * ACPI table discovery: just enough to find the CPUs and interrupt
 * controllers (MADT). Every table is checksummed and bounds-checked before
 * it is believed. Spec: ACPI 6.5, sections 5.2.5 (RSDP), 5.2.7/5.2.8
 * (RSDT/XSDT) and 5.2.12 (MADT).
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#define ACPI_MAX_CPUS 64
#define ACPI_MAX_IOAPICS 8
#define ACPI_MAX_OVERRIDES 16

struct acpi_ioapic {
	uint8_t id;
	uint32_t addr;
	uint32_t gsi_base;
};

struct acpi_override {
	uint8_t irq; /* ISA IRQ */
	uint32_t gsi;
	uint16_t flags; /* MPS INTI flags: polarity, trigger */
};

struct acpi_info {
	bool found;
	uint8_t revision;
	char oem[7];
	uint64_t lapic_addr;
	uint32_t lapic_ids[ACPI_MAX_CPUS];
	unsigned int ncpus;
	struct acpi_ioapic ioapics[ACPI_MAX_IOAPICS];
	unsigned int nioapics;
	struct acpi_override overrides[ACPI_MAX_OVERRIDES];
	unsigned int noverrides;
	bool has_8259;
};

extern struct acpi_info acpi;

/* Parse the tables from the RSDP copy the boot loader gave. 0 or -ENOENT. */
int acpi_init(const void *rsdp, unsigned long rsdp_len);
/* Map an ISA IRQ to its GSI and INTI flags (identity without override). */
uint32_t acpi_isa_irq_to_gsi(uint8_t irq, uint16_t *flags);
