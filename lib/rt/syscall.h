/* SPDX-License-Identifier: MIT */
/*
 * Domain side of the kernel's system calls (lib/abi/syscall.h): raw
 * syscall0()..syscall6() for the `syscall` instruction, and one typed
 * wrapper per SYS_* number (lib/rt/syscall.c). Ring 3 only.
 *
 * Register convention (lib/abi/syscall.h): number in rax, arguments in
 * rdi, rsi, rdx, r10, r8, r9, result in rax; the instruction itself
 * clobbers rcx and r11. The kernel preserves every other register.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "abi/syscall.h"
#include "base/compiler.h"

static inline int64_t syscall0(uint64_t nr)
{
	int64_t ret;

	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(nr)
			 : "rcx", "r11", "memory");
	return ret;
}

static inline int64_t syscall1(uint64_t nr, uint64_t a1)
{
	int64_t ret;

	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(nr), "D"(a1)
			 : "rcx", "r11", "memory");
	return ret;
}

static inline int64_t syscall2(uint64_t nr, uint64_t a1, uint64_t a2)
{
	int64_t ret;

	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(nr), "D"(a1), "S"(a2)
			 : "rcx", "r11", "memory");
	return ret;
}

static inline int64_t syscall3(uint64_t nr, uint64_t a1, uint64_t a2,
			       uint64_t a3)
{
	int64_t ret;

	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(nr), "D"(a1), "S"(a2), "d"(a3)
			 : "rcx", "r11", "memory");
	return ret;
}

static inline int64_t syscall4(uint64_t nr, uint64_t a1, uint64_t a2,
			       uint64_t a3, uint64_t a4)
{
	register uint64_t r10 __asm__("r10") = a4;
	int64_t ret;

	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(nr), "D"(a1), "S"(a2), "d"(a3), "r"(r10)
			 : "rcx", "r11", "memory");
	return ret;
}

static inline int64_t syscall5(uint64_t nr, uint64_t a1, uint64_t a2,
			       uint64_t a3, uint64_t a4, uint64_t a5)
{
	register uint64_t r10 __asm__("r10") = a4;
	register uint64_t r8 __asm__("r8") = a5;
	int64_t ret;

	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(nr), "D"(a1), "S"(a2), "d"(a3), "r"(r10), "r"(r8)
			 : "rcx", "r11", "memory");
	return ret;
}

static inline int64_t syscall6(uint64_t nr, uint64_t a1, uint64_t a2,
			       uint64_t a3, uint64_t a4, uint64_t a5,
			       uint64_t a6)
{
	register uint64_t r10 __asm__("r10") = a4;
	register uint64_t r8 __asm__("r8") = a5;
	register uint64_t r9 __asm__("r9") = a6;
	int64_t ret;

	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(nr), "D"(a1), "S"(a2), "d"(a3), "r"(r10),
			   "r"(r8), "r"(r9)
			 : "rcx", "r11", "memory");
	return ret;
}

/*
 * Typed wrappers, one per SYS_* number and in the same order. Each returns
 * 0 or a negative code from lib/abi/errno.h unless noted; results travel
 * through out-parameters, which are written only on success.
 */

/* Writes @len (<= SYS_CONSOLE_MAX) bytes; returns bytes written or -err. */
int64_t sys_console_write(const char *buf, size_t len);
/*
 * Starts a thread at @entry with @arg in rdi; @entry must end the thread
 * with sys_thread_exit(), never return. Past the thread or memory quota
 * lib/abi/syscall.h promises -EDQUOT; kernel/syscall.c fails the domain
 * with SYS_FAULT_QUOTA instead.
 */
int __must_check sys_thread_create(void (*entry)(uint64_t arg), uint64_t arg,
				   uint64_t *tid);
/* Ends the calling thread with exit code @code. */
__noreturn void sys_thread_exit(int code);
/* Waits for thread @tid to end and stores its exit code in @code. */
int __must_check sys_thread_join(uint64_t tid, int *code);
/* Gives the CPU to another ready thread, if any. */
int sys_thread_yield(void);
/* Sleeps for at least @ns nanoseconds. */
int sys_thread_sleep(uint64_t ns);
/* Nanoseconds since boot (cannot fail). */
uint64_t sys_time_ns(void);
/*
 * Maps @npages fresh zeroed pages with @prot (SYS_PROT_*, never W+X) in
 * the domain's private heap area. Past the memory quota: as for
 * sys_thread_create().
 */
int __must_check sys_mem_map(uint64_t npages, uint32_t prot, void **addr);
/* Unmaps a whole earlier sys_mem_map() mapping of @npages at @addr. */
int __must_check sys_mem_unmap(void *addr, uint64_t npages);
/* Fails the calling domain with message @msg; never returns. */
__noreturn void sys_dom_panic(const char *msg, size_t len);
/* Describes the calling domain. */
int __must_check sys_dom_info(struct sys_dom_info *out);
/*
 * init only: loads boot module @module (@len bytes, no NUL needed, e.g.
 * "hello.elf"), starts it with @arg and stores the new domain's id.
 */
int __must_check sys_dom_start(const char *module, size_t len, uint64_t arg,
			       uint64_t *id);
/*
 * init only: waits up to @timeout_ns (0 polls) for domain @id to end and
 * describes how it ended; -ETIMEDOUT if it is still running. Wait in
 * bounded slices: a huge timeout may overflow the kernel's deadline.
 */
int __must_check sys_dom_wait(uint64_t id, struct sys_dom_status *out,
			      uint64_t timeout_ns);
/* init only: destroys domain @id. */
int __must_check sys_dom_kill(uint64_t id);
struct rref_type_desc;
/*
 * Allocates up to @count (1..64) zeroed shared-heap objects of @type (or
 * of @size plain bytes when @type is NULL) into out[]; returns how many,
 * or a negative errno. Use rt_rref_alloc(), which batches and caches.
 */
int64_t sys_rref_alloc(const struct rref_type_desc *type, uint64_t size,
		       uint64_t count, uint64_t *out);
/* Frees @count objects the domain owns (see SYS_RREF_FREE). */
int __must_check sys_rref_free(const uint64_t *addrs, uint64_t count);
/* SYS_RREF_* flags for @addr, as the kernel sees it for this domain. */
uint32_t sys_rref_query(const void *addr);
/*
 * Maps the domain's state area of @npages (SYS_STATE_MAP): what it holds
 * survives a restart of the domain after a failure.
 */
int __must_check sys_state_map(uint64_t npages, void **addr);
/* Tells the kernel the domain's init is done (the runtime does it). */
int sys_dom_ready(void);
/* The null system call: enters the kernel and returns 0. */
static inline int64_t sys_null(void)
{
	return syscall0(SYS_NULL);
}
