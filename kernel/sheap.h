/* SPDX-License-Identifier: MIT */
/*
 * The shared heap (ARCHITECTURE.md, "Shared heap and rrefs"): objects that
 * cross domains, each a run of whole pages at the same address in every
 * domain that may touch it. lib/rref decides who owns what; this module
 * keeps the frames behind every object and makes each domain's page table
 * agree with the ownership table, under one lock, before anyone can run
 * on the result:
 *   - the owner maps its objects read/write;
 *   - a borrower maps a lent object read-only for the length of the call;
 *   - nobody else maps it at all, so a move really takes the object away.
 * Domains cannot write the metadata: it lives in the kernel heap.
 */
#pragma once

#include <stdint.h>

#include "abi/ipc.h"
#include "rref/rref_table.h"

struct dom;

struct sheap_stats {
	uint64_t live;	  /* objects, orphans included */
	uint64_t pages;	  /* their frames */
	uint64_t orphans; /* owner died while it was lent */
	uint64_t allocs;  /* objects ever allocated */
	uint64_t moves;	  /* ownership changes at calls and returns */
};

void sheap_init(void);
void sheap_get_stats(struct sheap_stats *st);

/* The SYS_RREF_* calls (lib/abi/syscall.h). */
long sheap_sys_alloc(struct dom *d, uint64_t udesc, uint64_t size,
		     uint64_t count, uint64_t uout);
long sheap_sys_free(struct dom *d, uint64_t uaddrs, uint64_t count);
long sheap_sys_query(struct dom *d, uint64_t addr);

/*
 * A call from @caller into @callee with argument @words of @kinds and the
 * callee's expected types: apply the ownership rules (rref_tab_cross) and
 * the page-table changes they need. Returns 0, or -EINVAL with nothing
 * changed (plan->why says what was wrong).
 */
int sheap_cross(struct dom *caller, struct dom *callee,
		const uint64_t words[IPC_WORDS], uint16_t kinds,
		const uint64_t types[IPC_WORDS], struct rref_cross_plan *plan);
/*
 * The callee returns result @words of @kinds: results become the
 * caller's, the call's loans end. -EINVAL (nothing changed): the callee
 * broke the protocol and must fail; its frame is then unwound.
 */
int sheap_ret(struct dom *callee, struct dom *caller,
	      const uint64_t words[IPC_WORDS], uint16_t kinds,
	      const uint64_t types[IPC_WORDS],
	      struct rref_cross_plan *call_plan,
	      struct rref_cross_plan *scratch);
/*
 * A call that moves the rrefs of @kinds in @words never reached its
 * callee (dead or restarting): drop them, nested ones included, as if
 * they had moved into a callee that then failed. Returns 0 (also when
 * @kinds moves nothing), or -EINVAL with nothing changed if they were not
 * @caller's to move.
 */
int sheap_sink(struct dom *caller, const uint64_t words[IPC_WORDS],
	       uint16_t kinds);
/* The callee failed during the call: loans go back, moves stay. */
void sheap_unwind(struct dom *callee, struct dom *caller,
		  struct rref_cross_plan *call_plan,
		  struct rref_cross_plan *scratch);
/*
 * @d is being torn down (all its threads gone, no visitors): drop every
 * object it owns, nested ones included, and unmap them from it.
 */
void sheap_drop_domain(struct dom *d);
