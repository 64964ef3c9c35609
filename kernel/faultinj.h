/* SPDX-License-Identifier: MIT */
/*
 * Fault injection into running domains, for the recovery campaign
 * (`make faultinject`, tests/recovery). Each kind models something a
 * buggy or corrupted domain does:
 *
 *   FI_CODE_FLIP   one random bit of the domain's code flipped in memory
 *   FI_REG_FLIP    one random bit of a general register or rip flipped
 *                  when the domain next returns to ring 3
 *   FI_CRASH       the domain jumps to address 0 at its next ring-3 entry
 *   FI_HANG        a call inside the domain never returns (the thread
 *                  stays in it until the call watchdog fails the domain)
 *   FI_BOGUS_RREF  the domain's next rref result is a forged address
 *   FI_INIT_CRASH  the domain crashes, and so does its next instance's
 *                  init (a restart that fails once)
 *   FI_CRASH_LOOP  every new instance crashes in init, until the restart
 *                  policy gives the service up
 *
 * Injections are armed on one instance and carried out by that instance's
 * own threads at the hooks below, so they happen where the domain runs:
 * nothing is injected into the kernel.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "abi/ipc.h"

struct dom;
struct trap_frame;

enum fi_kind {
	FI_CODE_FLIP,
	FI_REG_FLIP,
	FI_CRASH,
	FI_HANG,
	FI_BOGUS_RREF,
	FI_INIT_CRASH,
	FI_CRASH_LOOP,
	FI_NKINDS,
};

/* dom->inject bits: injections armed and not yet carried out. */
#define FI_PEND_REG (1u << 0)
#define FI_PEND_CRASH (1u << 1)
#define FI_PEND_HANG (1u << 2)
#define FI_PEND_BOGUS (1u << 3)

const char *faultinj_name(enum fi_kind k);
/*
 * Arm @k on @d with random bits @rnd; FI_CODE_FLIP happens at once.
 * Returns 0, or -EINVAL if @d cannot take it (no code, not running).
 */
int faultinj_arm(struct dom *d, enum fi_kind k, uint64_t rnd);
/*
 * Take back what is still pending on @d (a fault that has done nothing
 * yet must not act later): armed faults, init crashes meant for the
 * service's next instances, and a flipped code byte, put back.
 */
void faultinj_disarm(struct dom *d);

/* Hook: the current thread returns to ring 3 in its domain. */
void faultinj_user_return(struct trap_frame *tf);
/* Hook: @d returns result @out of @kinds (call_sys_return). */
void faultinj_results(struct dom *d, uint64_t out[IPC_WORDS], uint16_t kinds);
/* Hook: @d exports an interface (its init); may fail it. */
void faultinj_init(struct dom *d, const struct trap_frame *tf);
