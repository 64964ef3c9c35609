// SPDX-License-Identifier: MIT
/*
 * Typed system call wrappers for domains: one function per SYS_* number of
 * lib/abi/syscall.h, turning the raw rax result into 0 / -errno plus
 * out-parameters. Ring 3, freestanding.
 */
#include "rt/syscall.h"

#include "abi/errno.h"

/* A new SYS_* needs a wrapper here; this fails until someone adds it. */
BUILD_ASSERT(SYS_NR == 24);

/*
 * The kernel returns negative error codes in rax; every successful result
 * (byte counts, ids, addresses in the lower half) is non-negative.
 */
static inline int err_of(int64_t ret)
{
	return ret < 0 ? (int)ret : 0;
}

/* Traps if a call that cannot return did return: a kernel bug. */
static __noreturn void never_returns(void)
{
	for (;;) {
		__asm__ volatile("ud2");
	}
}

int64_t sys_console_write(const char *buf, size_t len)
{
	return syscall2(SYS_CONSOLE_WRITE, (uint64_t)buf, len);
}

int sys_thread_create(void (*entry)(uint64_t arg), uint64_t arg, uint64_t *tid)
{
	int64_t ret = syscall2(SYS_THREAD_CREATE, (uint64_t)entry, arg);

	if (ret < 0) {
		return err_of(ret);
	}
	*tid = (uint64_t)ret;
	return 0;
}

void sys_thread_exit(int code)
{
	syscall1(SYS_THREAD_EXIT, (uint64_t)(int64_t)code);
	never_returns();
}

int sys_thread_join(uint64_t tid, int *code)
{
	int c = 0;
	int64_t ret = syscall2(SYS_THREAD_JOIN, tid, (uint64_t)&c);

	if (ret < 0) {
		return err_of(ret);
	}
	*code = c;
	return 0;
}

int sys_thread_yield(void)
{
	return err_of(syscall0(SYS_THREAD_YIELD));
}

int sys_thread_sleep(uint64_t ns)
{
	return err_of(syscall1(SYS_THREAD_SLEEP, ns));
}

uint64_t sys_time_ns(void)
{
	return (uint64_t)syscall0(SYS_TIME_NS);
}

int sys_mem_map(uint64_t npages, uint32_t prot, void **addr)
{
	int64_t ret = syscall2(SYS_MEM_MAP, npages, prot);

	if (ret < 0) {
		return err_of(ret);
	}
	*addr = (void *)ret;
	return 0;
}

int sys_mem_unmap(void *addr, uint64_t npages)
{
	return err_of(syscall2(SYS_MEM_UNMAP, (uint64_t)addr, npages));
}

void sys_dom_panic(const char *msg, size_t len)
{
	syscall2(SYS_DOM_PANIC, (uint64_t)msg, len);
	never_returns();
}

int sys_dom_info(struct sys_dom_info *out)
{
	return err_of(syscall1(SYS_DOM_INFO, (uint64_t)out));
}

int sys_dom_start(const char *module, size_t len, uint64_t arg, uint64_t *id)
{
	int64_t ret = syscall3(SYS_DOM_START, (uint64_t)module, len, arg);

	if (ret < 0) {
		return err_of(ret);
	}
	*id = (uint64_t)ret;
	return 0;
}

int sys_dom_wait(uint64_t id, struct sys_dom_status *out, uint64_t timeout_ns)
{
	struct sys_dom_status st;
	int64_t ret;

	__builtin_memset(&st, 0, sizeof(st));
	ret = syscall3(SYS_DOM_WAIT, id, (uint64_t)&st, timeout_ns);
	if (ret < 0) {
		return err_of(ret);
	}
	*out = st;
	return 0;
}

int sys_dom_kill(uint64_t id)
{
	return err_of(syscall1(SYS_DOM_KILL, id));
}

int64_t sys_rref_alloc(const struct rref_type_desc *type, uint64_t size,
		       uint64_t count, uint64_t *out)
{
	return syscall4(SYS_RREF_ALLOC, (uint64_t)type, size, count,
			(uint64_t)out);
}

int sys_rref_free(const uint64_t *addrs, uint64_t count)
{
	return err_of(syscall2(SYS_RREF_FREE, (uint64_t)addrs, count));
}

uint32_t sys_rref_query(const void *addr)
{
	int64_t r = syscall1(SYS_RREF_QUERY, (uint64_t)addr);

	return r < 0 ? 0 : (uint32_t)r;
}

int sys_dom_ready(void)
{
	return err_of(syscall0(SYS_DOM_READY));
}

int sys_state_map(uint64_t npages, void **addr)
{
	int64_t r = syscall1(SYS_STATE_MAP, npages);

	if (r < 0) {
		return err_of(r);
	}
	*addr = (void *)r;
	return 0;
}
