/* SPDX-License-Identifier: MIT */
/*
 * What the kernel half of `make bench` (kbench.c) asks of the bench domain
 * (benchdom/bench.c) through the domain's start argument: arg 0 is the
 * timing run, which measures and prints every figure; any other arg names
 * one scenario and an iteration count, and the domain then only repeats
 * that round trip, silently, so that the kernel's event counters taken
 * around two such runs (0 and N iterations) give the events per round
 * trip exactly.
 */
#pragma once

#include <stdint.h>

enum bench_scen {
	BENCH_SCEN_TIMING = 0, /* the timing run: every figure, printed */
	BENCH_SCEN_SYSCALL,    /* SYS_NULL */
	BENCH_SCEN_NOP,	       /* echo_nop through the generated proxy */
	BENCH_SCEN_CALLTEST,   /* calltest.ADD through rt_ipc_call */
	BENCH_SCEN_PING,       /* echo_ping through the generated proxy */
	BENCH_SCEN_BOUNCE,     /* echo_bounce: one rref moved and back */
	BENCH_SCEN_PEEK,       /* echo_peek: one rref lent */
	BENCH_SCEN_BATCH,      /* echo_batch: a deque of 32 moved and back */
	BENCH_SCEN_NR,
};

/* Round trips an event run makes past its warm-up, at most. */
#define BENCH_EVENT_ITERS_MAX 4096u

/* The start argument of an event run. */
static inline uint64_t bench_arg(enum bench_scen scen, uint32_t iters)
{
	return ((uint64_t)iters << 8) | (uint64_t)scen;
}

static inline enum bench_scen bench_arg_scen(uint64_t arg)
{
	return (enum bench_scen)(arg & 0xff);
}

static inline uint32_t bench_arg_iters(uint64_t arg)
{
	return (uint32_t)(arg >> 8);
}

/* The figure a scenario measures, as the timing run names it. */
static inline const char *bench_scen_name(enum bench_scen scen)
{
	switch (scen) {
	case BENCH_SCEN_SYSCALL:
		return "null_syscall";
	case BENCH_SCEN_NOP:
		return "null_call";
	case BENCH_SCEN_CALLTEST:
		return "calltest_call";
	case BENCH_SCEN_PING:
		return "echo_ping_call";
	case BENCH_SCEN_BOUNCE:
		return "echo_bounce_call";
	case BENCH_SCEN_PEEK:
		return "echo_peek_call";
	case BENCH_SCEN_BATCH:
		return "echo_batch32_call";
	default:
		return "none";
	}
}
