// SPDX-License-Identifier: MIT
/*
 * System call dispatch (ABI in lib/abi/syscall.h). Arguments come from the
 * trap frame built by syscall_entry; pointers are checked to lie in the
 * caller's own region and are read with copy_from_user(). A bad argument
 * gets an error code; exceeding a quota or an unknown call number fails
 * the domain (STYLE.md 4.4: blame the right party).
 */
#include "abi/errno.h"
#include "abi/syscall.h"
#include "arch/x86_64/idt.h"
#include "arch/x86_64/user.h"
#include "base/string.h"
#include "call.h"
#include "console.h"
#include "dom.h"
#include "faultinj.h"
#include "sheap.h"
#include "svc.h"
#include "heap.h"
#include "panic.h"
#include "percpu.h"
#include "thread.h"
#include "time.h"

static struct spinlock dom_console_lock = SPINLOCK_INIT("dom_console");

static __attribute__((noinline)) long
sys_console_write(struct dom *d, uint64_t buf, uint64_t len)
{
	char *tmp;
	size_t start = 0;

	if (len > SYS_CONSOLE_MAX) {
		return -EINVAL;
	}
	tmp = kmalloc(len + 1);
	if (!tmp) {
		return -ENOMEM;
	}
	if (dom_copy_in(d, tmp, buf, len)) {
		kfree(tmp);
		return -EFAULT;
	}
	/* Prefix each line with the domain's name; drop control bytes. */
	spin_lock(&dom_console_lock);
	for (size_t i = 0; i < len; i++) {
		if (tmp[i] == '\n' || i == len - 1) {
			size_t end = tmp[i] == '\n' ? i : i + 1;

			for (size_t j = start; j < end; j++) {
				if ((tmp[j] < 0x20 && tmp[j] != '\t') ||
				    tmp[j] == 0x7f) {
					tmp[j] = '?';
				}
			}
			kprintf("[%s] %.*s\n", d->mf->name, (int)(end - start),
				tmp + start);
			start = i + 1;
		}
	}
	spin_unlock(&dom_console_lock);
	kfree(tmp);
	return (long)len;
}

static __attribute__((noinline)) long sys_dom_info(struct dom *d, uint64_t out)
{
	struct sys_dom_info info;

	memset(&info, 0, sizeof(info));
	info.id = d->id;
	info.region_base = d->base;
	spin_lock(&d->lock);
	info.mem_pages_used = d->pages_used;
	spin_unlock(&d->lock);
	info.mem_pages_quota = d->mf->mem_pages;
	info.threads_quota = d->mf->threads;
	strlcpy(info.name, d->mf->name, sizeof(info.name));
	return dom_copy_out(d, out, &info, sizeof(info));
}

static __attribute__((noinline)) long
sys_dom_start(struct dom *d, uint64_t name, uint64_t len, uint64_t arg)
{
	char module[64];
	struct dom *child;
	long err;

	if (len == 0 || len >= sizeof(module)) {
		return -EINVAL;
	}
	if (dom_copy_in(d, module, name, len)) {
		return -EFAULT;
	}
	module[len] = '\0';
	err = dom_create(module, arg, "", &child);
	if (err) {
		return err;
	}
	err = (long)child->id;
	dom_put(child);
	return err;
}

static __attribute__((noinline)) long
sys_dom_wait(struct dom *d, uint64_t id, uint64_t out, uint64_t timeout)
{
	struct sys_dom_status st;
	struct dom *target = dom_lookup(id);
	long err;

	if (!target || target == d) {
		if (target) {
			dom_put(target);
		}
		return -ENOENT;
	}
	/* Poll with timeout 0; wait in slices so a kill is noticed. */
	if (timeout == 0) {
		err = READ_ONCE(target->state) == DOM_DEAD
			      ? dom_wait(target, 1, &st)
			      : -ETIMEDOUT;
	} else {
		uint64_t now = time_ns();
		uint64_t deadline =
			timeout > UINT64_MAX - now ? UINT64_MAX : now + timeout;

		do {
			uint64_t left = deadline - MIN(deadline, time_ns());

			err = dom_wait(target,
				       MIN(left, 50 * NSEC_PER_MSEC) + 1, &st);
			if (READ_ONCE(d->state) != DOM_RUNNING) {
				break;
			}
		} while (err == -ETIMEDOUT && time_ns() < deadline);
	}
	dom_put(target);
	if (!err && dom_copy_out(d, out, &st, sizeof(st))) {
		return -EFAULT;
	}
	return err;
}

static __attribute__((noinline)) long sys_dom_kill(struct dom *d, uint64_t id)
{
	struct dom *target = dom_lookup(id);

	if (!target || target == d) {
		if (target) {
			dom_put(target);
		}
		return -ENOENT;
	}
	dom_kill(target);
	dom_put(target);
	return 0;
}

static __attribute__((noinline)) long sys_thread_create(struct dom *d,
							struct trap_frame *tf)
{
	uint64_t tid;
	long r = dom_thread_create(d, tf->rdi, tf->rsi, 0, &tid);

	if (r == -EDQUOT) {
		dom_fail_current(SYS_FAULT_QUOTA, 2, 0, tf,
				 "thread quota exceeded");
	}
	return r ? r : (long)tid;
}

static __attribute__((noinline, noreturn)) void
sys_thread_exit(struct dom *d, struct trap_frame *tf)
{
	/* Inside a call, the thread is not the callee's to end. */
	if (thread_current()->calls && thread_current()->calls->callee == d) {
		dom_fail_current(SYS_FAULT_BAD_SYSCALL, tf->rax, tf->rip, tf,
				 "thread exit inside a call");
	}
	dom_thread_exit((int)tf->rdi);
}

static __attribute__((noinline)) long
sys_thread_join(struct dom *d, uint64_t tid, uint64_t out)
{
	int code = 0;
	long r = dom_thread_join(d, tid, &code);

	if (!r && out && dom_copy_out(d, out, &code, sizeof(code))) {
		return -EFAULT;
	}
	return r;
}

static __attribute__((noinline)) long sys_mem_map(struct dom *d,
						  struct trap_frame *tf)
{
	vaddr_t va;
	long r = dom_mem_map(d, tf->rdi, (unsigned int)tf->rsi, &va);

	if (r == -EDQUOT) {
		dom_fail_current(SYS_FAULT_QUOTA, 1, 0, tf,
				 "memory quota exceeded");
	}
	return r ? r : (long)va;
}

static __attribute__((noinline, noreturn)) void
sys_dom_panic(struct dom *d, struct trap_frame *tf)
{
	char msg[128];
	size_t n = MIN(tf->rsi, sizeof(msg) - 1);

	if (dom_copy_in(d, msg, tf->rdi, n)) {
		n = 0;
	}
	msg[n] = '\0';
	for (size_t i = 0; i < n; i++) {
		if (msg[i] < 0x20 || msg[i] == 0x7f) {
			msg[i] = '?';
		}
	}
	dom_fail_current(SYS_FAULT_PANIC, 0, tf->rip, tf, msg);
}

/* Only init (the manifest's MANIFEST_F_INIT) manages domains. */
static bool is_init(const struct dom *d)
{
	return (d->mf->flags & MANIFEST_F_INIT) != 0;
}

/*
 * Everything but calls and returns. Calls with locals of their own are
 * out of line, so that this switch needs no stack frame of its own.
 */
static __attribute__((noinline)) long dispatch(struct dom *d,
					       struct trap_frame *tf)
{
	uint64_t a0 = tf->rdi;
	uint64_t a1 = tf->rsi;
	uint64_t a2 = tf->rdx;

	switch (tf->rax) {
	case SYS_CONSOLE_WRITE:
		return sys_console_write(d, a0, a1);
	case SYS_THREAD_CREATE:
		return sys_thread_create(d, tf);
	case SYS_THREAD_EXIT:
		sys_thread_exit(d, tf);
	case SYS_THREAD_JOIN:
		return sys_thread_join(d, a0, a1);
	case SYS_THREAD_YIELD:
		thread_yield();
		return 0;
	case SYS_THREAD_SLEEP:
		thread_sleep_ns(MIN(a0, 3600 * NSEC_PER_SEC));
		return 0;
	case SYS_TIME_NS:
		return (long)time_ns();
	case SYS_MEM_MAP:
		return sys_mem_map(d, tf);
	case SYS_MEM_UNMAP:
		return dom_mem_unmap(d, a0, a1);
	case SYS_DOM_PANIC:
		sys_dom_panic(d, tf);
	case SYS_DOM_INFO:
		return sys_dom_info(d, a0);
	case SYS_DOM_START:
		return is_init(d) ? sys_dom_start(d, a0, a1, a2) : -EPERM;
	case SYS_DOM_WAIT:
		return is_init(d) ? sys_dom_wait(d, a0, a1, a2) : -EPERM;
	case SYS_DOM_KILL:
		return is_init(d) ? sys_dom_kill(d, a0) : -EPERM;
	case SYS_NULL:
		return 0;
	case SYS_IFACE_EXPORT:
		faultinj_init(d, tf);
		return call_sys_export(d, a0, a1, a2, tf->r10, tf->r8);
	case SYS_IFACE_CONNECT:
		return call_sys_connect(d, a0, a1, a2);
	case SYS_CALL:
		return call_sys_call(d, tf);
	case SYS_CALL_RETURN:
		return call_sys_return(d, tf);
	case SYS_RREF_ALLOC:
		return sheap_sys_alloc(d, a0, a1, a2, tf->r10);
	case SYS_RREF_FREE:
		return sheap_sys_free(d, a0, a1);
	case SYS_RREF_QUERY:
		return sheap_sys_query(d, a0);
	case SYS_DOM_READY:
		dom_set_ready(d);
		return 0;
	case SYS_STATE_MAP:
		return svc_sys_state_map(d, a0);
	default:
		dom_fail_current(SYS_FAULT_BAD_SYSCALL, tf->rax, tf->rip, tf,
				 "unknown system call");
	}
}

/*
 * Called from syscall_entry with interrupts enabled. Cross-domain calls
 * and returns, the hot pair, are tested for before the table. On the way
 * out, dom_check_alive() and faultinj_user_return() are called only when
 * their own first test (is the domain dying? is an injection armed?)
 * would let them do anything.
 */
void syscall_dispatch(struct trap_frame *tf)
{
	struct cpu *c = this_cpu();
	struct thread *t = c->current; /* threads never change CPUs */
	struct dom *d = t->dom;
	long r;

	c->stats.syscalls++;
	if (!d) {
		panic("system call from kernel thread %s", t->name);
	}
	__atomic_fetch_add(&d->syscalls, 1, __ATOMIC_RELAXED);
	if (tf->rax == SYS_CALL) {
		r = call_sys_call(d, tf);
	} else if (tf->rax == SYS_CALL_RETURN) {
		r = call_sys_return(d, tf);
	} else {
		r = dispatch(d, tf);
	}
	tf->rax = (uint64_t)r;
	d = t->dom; /* a call or return moved the thread */
	if (READ_ONCE(d->state) >= DOM_DYING) {
		dom_check_alive();
	}
	if (READ_ONCE(d->inject)) {
		faultinj_user_return(tf);
	}
}
