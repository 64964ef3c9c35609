// SPDX-License-Identifier: MIT
/*
 * A tiny freestanding domain image for host tests of the image validator
 * (kernel/elf_check.c): a manifest note, code, read-only data, and pointers
 * in initialised data so that the link emits R_X86_64_RELATIVE relocations,
 * some of them in the RELRO part. It never runs; _start just spins.
 */
#include "abi/manifest.h"

/* Made-up interface fingerprints; tests check they survive the trip. */
#define SAMPLE_FP_HELLO 0x1122334455667788ull
#define SAMPLE_FP_CONSOLE 0x0102030405060708ull
#define SAMPLE_FP_BLK 0x8877665544332211ull

DOMAIN_MANIFEST(.name = "sample", .version = 3, .flags = MANIFEST_F_INIT,
		.mem_pages = 256, .threads = 4,
		.restart = MANIFEST_RESTART_BACKOFF, .max_restarts = 5,
		.restart_window_ms = 10000, .restart_backoff_ms = 100,
		.exports = {MANIFEST_IFACE("hello", SAMPLE_FP_HELLO, 1)},
		.nexports = 1,
		.imports = {MANIFEST_IFACE("console", SAMPLE_FP_CONSOLE, 2),
			    MANIFEST_IFACE("blk", SAMPLE_FP_BLK, 1)},
		.nimports = 2,
		.devices = {MANIFEST_DEVICE(
			0x1af4, 0x1041, MANIFEST_DEV_MMIO | MANIFEST_DEV_IRQ)},
		.ndevices = 1);

/*
 * Pointers in .data.rel.ro: relocated, then write-protected (RELRO). Not
 * static, so the compiler cannot fold them away.
 */
const char *const sample_greetings[] = {"hello", "world", "from", "sample"};

void _start(void);

/* Pointers in writable .data, to data and to code. */
int sample_counter;
int *sample_counter_ptr = &sample_counter;
const char *const *sample_greeting_ptr = &sample_greetings[1];
void (*sample_entry_ptr)(void) = _start;

void _start(void)
{
	for (;;) {
		*sample_counter_ptr += (int)sample_greeting_ptr[0][0];
		__asm__ volatile("pause" ::: "memory");
	}
}
