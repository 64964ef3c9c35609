// SPDX-License-Identifier: MIT
/*
 * The bench domain: measures, with the TSC, a direct function call and
 * the null system call from ring 3, and prints one "BENCH name value unit"
 * line per figure for tools/bench.py. Run under QEMU -icount shift=0 the
 * TSC advances once per instruction, so the figures are exact instruction
 * counts (shared/BENCHMARKING.md).
 */
#include <stdint.h>

#include "rt/rt.h"
#include "rt/syscall.h"
#include "tests/call/callrt.h"

#define ITERS 2000

static inline uint64_t rdtsc(void)
{
	uint32_t lo;
	uint32_t hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

__attribute__((noinline)) static uint64_t direct_fn(uint64_t x)
{
	__asm__ volatile("" : "+r"(x));
	return x;
}

static int64_t handle = -1;

/* Best of a few rounds of ITERS calls, in TSC ticks per call (x100). */
static uint64_t per_op_x100(int which)
{
	uint64_t in[4] = {1, 2, 0, 0};
	uint64_t out[4];
	int32_t app;

	uint64_t best = UINT64_MAX;

	for (int round = 0; round < 5; round++) {
		uint64_t t0 = rdtsc();
		uint64_t t1;

		for (int i = 0; i < ITERS; i++) {
			if (which == 0) {
				direct_fn((uint64_t)i);
			} else if (which == 1) {
				(void)sys_null();
			} else if (which == 3) {
				(void)ipc_call(ipc_call_word((uint16_t)handle,
							     CALLTEST_ADD, 0, 0,
							     0),
					       in, out, &app);
			} else {
				__asm__ volatile("" ::: "memory");
			}
		}
		t1 = rdtsc();
		if (t1 - t0 < best) {
			best = t1 - t0;
		}
	}
	return best * 100 / ITERS;
}

int dom_main(uint64_t arg, const char *boot)
{
	uint64_t loop = per_op_x100(2);
	uint64_t call = per_op_x100(0);
	uint64_t sys = per_op_x100(1);

	/* Subtract the bare loop so each figure is the operation alone. */
	call = call > loop ? call - loop : 0;
	sys = sys > loop ? sys - loop : 0;
	printf("BENCH direct_call %lu.%02lu insns\n", call / 100, call % 100);
	printf("BENCH null_syscall %lu.%02lu insns\n", sys / 100, sys % 100);
	printf("BENCH loop_overhead %lu.%02lu insns\n", loop / 100, loop % 100);
	/* A null cross-domain call (calltest.ADD), if the kernel started one. */
	handle = iface_connect("calltest", 8, CALLTEST_FP);
	if (handle >= 0) {
		uint64_t x = per_op_x100(3);

		x = x > loop ? x - loop : 0;
		printf("BENCH null_call %lu.%02lu insns\n", x / 100, x % 100);
	}
	return 0;
}
