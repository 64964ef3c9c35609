/* SPDX-License-Identifier: MIT */
/*
 * Multiprocessor bring-up: start every CPU the MADT lists (INIT-SIPI-SIPI),
 * give each its per-CPU data, GDT/TSS, IDT, page tables, LAPIC timer and an
 * idle thread. smp=off (or cpus=1) keeps only the boot CPU.
 */
#pragma once

/* Prepare the boot CPU's struct cpu (first thing in kmain). */
void smp_init_bsp_early(void);
/* Start the application processors; returns when all are online. */
void smp_boot_aps(void);
/* Number of CPUs online. */
unsigned int smp_online_count(void);
