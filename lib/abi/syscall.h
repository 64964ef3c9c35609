/* SPDX-License-Identifier: MIT */
/*
 * The kernel's system calls: numbers, argument conventions and the structs
 * they exchange. Part of the kernel<->domain ABI; never renumber.
 *
 * Convention: the `syscall` instruction with the number in rax and up to
 * six arguments in rdi, rsi, rdx, r10, r8, r9; the result comes back in
 * rax, a negative error code (lib/abi/errno.h) on failure. rcx and r11 are
 * clobbered, as the instruction requires. Pointers passed to the kernel must
 * point into the calling domain's own region.
 */
#pragma once

#include <stdint.h>

#include "base/compiler.h"

enum sys_nr {
	/* (const char *buf, uint64_t len) -> bytes written. Max 4096. */
	SYS_CONSOLE_WRITE = 0,
	/*
	 * (uint64_t entry, uint64_t arg) -> thread id. The new thread starts
	 * at entry with arg in rdi on a fresh stack (64 KiB, guard page
	 * below); returning from entry is undefined: call SYS_THREAD_EXIT.
	 * Past the manifest's thread quota (or the memory quota, which the
	 * stack counts against) the domain fails (SYS_FAULT_QUOTA).
	 */
	SYS_THREAD_CREATE = 1,
	/* (int code): ends the calling thread. */
	SYS_THREAD_EXIT = 2,
	/* (uint64_t tid, int *code) -> 0; waits for the thread to exit. */
	SYS_THREAD_JOIN = 3,
	/* () -> 0 */
	SYS_THREAD_YIELD = 4,
	/* (uint64_t ns) -> 0 */
	SYS_THREAD_SLEEP = 5,
	/* () -> nanoseconds since boot */
	SYS_TIME_NS = 6,
	/*
	 * (uint64_t npages, uint64_t prot) -> address of fresh zeroed pages
	 * in the domain's private heap area. prot: SYS_PROT_* (never W+X).
	 * Past the manifest's memory quota the domain fails
	 * (SYS_FAULT_QUOTA).
	 */
	SYS_MEM_MAP = 7,
	/* (uint64_t addr, uint64_t npages) -> 0; a whole earlier mapping. */
	SYS_MEM_UNMAP = 8,
	/* (const char *msg, uint64_t len): fail this domain on purpose. */
	SYS_DOM_PANIC = 9,
	/* (struct sys_dom_info *out) -> 0 */
	SYS_DOM_INFO = 10,
	/*
	 * init only (MANIFEST_F_INIT): (const char *module, uint64_t len,
	 * uint64_t arg) -> domain id. Loads the boot module of that name
	 * and starts it with arg.
	 */
	SYS_DOM_START = 11,
	/*
	 * init only: (uint64_t id, struct sys_dom_status *out, uint64_t
	 * timeout_ns) -> 0 when the domain has ended (exited or failed),
	 * -ETIMEDOUT otherwise; 0 timeout polls.
	 */
	SYS_DOM_WAIT = 12,
	/* (uint64_t id) -> 0: init only; destroy a running domain. */
	SYS_DOM_KILL = 13,
	/* () -> 0: does nothing; the floor for measuring a kernel entry. */
	SYS_NULL = 14,
	/*
	 * (const struct ipc_iface_desc *desc, uint64_t dispatch, uint64_t
	 * ctx, uint64_t ret_tramp, const struct ipc_entry *entries) -> 0.
	 * Export the interface @desc describes (lib/abi/ipc_desc.h; its
	 * name and fingerprint must be in the manifest's exports): a call
	 * of desc->methods[i] enters at entries[i].pc with entries[i].ctx
	 * and .arg if @entries is not NULL and that pc is not 0, else at
	 * ret_tramp with @ctx and @dispatch, which runs dispatch; either
	 * ends the call with SYS_CALL_RETURN (registers: see
	 * lib/abi/ipc.h). The kernel keeps a copy of @desc and of the
	 * nmethods entries and checks every call against @desc. -EINVAL if
	 * an entry's pc, dispatch or ret_tramp is outside the domain's
	 * image, -EFAULT if @desc or @entries cannot be read.
	 */
	SYS_IFACE_EXPORT = 15,
	/*
	 * (const char *name, uint64_t len, uint64_t fingerprint) -> handle.
	 * -ENOENT if nobody exports it, -EBADMSG on a fingerprint mismatch
	 * (both sides are named on the console).
	 */
	SYS_IFACE_CONNECT = 16,
	/* See lib/abi/ipc.h. */
	SYS_CALL = 17,
	/*
	 * (rdi, rsi, rdx, r10: result words; r8: int32_t app_status): end
	 * the current call (from the entry the call came in at;
	 * lib/abi/ipc.h).
	 */
	SYS_CALL_RETURN = 18,
	/*
	 * (const struct rref_type_desc *type, uint64_t size, uint64_t count,
	 * uint64_t *out) -> n. Allocate up to @count (1..64) zeroed
	 * shared-heap objects owned by the caller, of @type (registered with
	 * the kernel on first use; @size is then ignored) or, with @type 0,
	 * plain bytes of @size; their addresses go to out[0..n). Fewer than
	 * @count means the heap or the quota (the manifest's mem_pages,
	 * counted apart from private memory) ran out; -EDQUOT or -ENOMEM if
	 * none could be made. Batches keep a syscall off the per-object path.
	 */
	SYS_RREF_ALLOC = 19,
	/*
	 * (const uint64_t *addrs, uint64_t count) -> 0. Free @count (1..64)
	 * objects the caller owns and nobody borrows; stops at the first that
	 * is not (-EINVAL no such object, -EPERM not the caller's, -EBUSY
	 * lent out). Nested rrefs are not followed: drop them first.
	 */
	SYS_RREF_FREE = 20,
	/* (uint64_t addr) -> SYS_RREF_* flags: what the caller may do with it. */
	SYS_RREF_QUERY = 21,
	/*
	 * () -> 0. The domain's init is done (the runtime makes this call
	 * when dom_init() returns). A domain that has not made it within
	 * initwd_ms of its start fails with SYS_FAULT_WATCHDOG.
	 */
	SYS_DOM_READY = 22,
	/*
	 * (uint64_t npages) -> address. Map the domain's state area: pages
	 * that belong to the domain's service, not to one instance, so that
	 * an instance restarted after a failure (manifest restart policy)
	 * gets back exactly what the failed one left there. Zeroed when the
	 * service is created; every call must ask for the same npages (1 to
	 * SYS_STATE_MAX_PAGES), counted against the memory quota. Read and
	 * write, never executable. Repeated calls in one instance return
	 * the same address.
	 */
	SYS_STATE_MAP = 23,
	SYS_NR
};

#define SYS_PROT_READ 0x1u
#define SYS_PROT_WRITE 0x2u
#define SYS_PROT_EXEC 0x4u

#define SYS_CONSOLE_MAX 4096u
#define SYS_STATE_MAX_PAGES 4096u

/* SYS_RREF_QUERY result bits. */
#define SYS_RREF_EXISTS 0x1u	/* an object starts at this address */
#define SYS_RREF_OWNED 0x2u	/* ... and the caller owns it */
#define SYS_RREF_LENT 0x4u	/* ... and it is lent out now */
#define SYS_RREF_MAPPED 0x8u	/* the caller can read the page */
#define SYS_RREF_WRITABLE 0x10u /* ... and write it */

struct sys_dom_info {
	uint64_t id;
	uint64_t region_base;
	uint64_t mem_pages_used;
	uint64_t mem_pages_quota;
	uint32_t threads_quota;
	uint32_t rsvd;
	char name[32];
};
BUILD_ASSERT(sizeof(struct sys_dom_info) == 72);

/* How a domain ended. */
enum sys_dom_end {
	SYS_DOM_RUNNING = 0,
	SYS_DOM_EXITED = 1, /* all its threads exited */
	SYS_DOM_FAILED = 2, /* a fault, a panic or a quota */
	SYS_DOM_KILLED = 3, /* SYS_DOM_KILL */
};

/* Why a domain failed (reported in struct sys_dom_status.fault). */
enum sys_dom_fault {
	SYS_FAULT_NONE = 0,
	SYS_FAULT_EXCEPTION = 1,   /* detail: vector */
	SYS_FAULT_PANIC = 2,	   /* dom_panic() */
	SYS_FAULT_QUOTA = 3,	   /* detail: 1 memory, 2 threads */
	SYS_FAULT_BAD_SYSCALL = 4, /* detail: syscall number */
	SYS_FAULT_WATCHDOG = 5,	   /* a call or its init overran (detail: ms) */
	SYS_FAULT_PROTOCOL = 6,	   /* broke the call protocol (bad results) */
	SYS_FAULT_INJECTED = 7,	   /* failed on purpose by fault injection */
};

struct sys_dom_status {
	uint32_t end;	   /* enum sys_dom_end */
	uint32_t fault;	   /* enum sys_dom_fault */
	uint64_t detail;   /* vector, quota kind, ... */
	uint64_t addr;	   /* faulting address (cr2) or rip */
	int64_t exit_code; /* of the last thread, for SYS_DOM_EXITED */
};
BUILD_ASSERT(sizeof(struct sys_dom_status) == 32);
