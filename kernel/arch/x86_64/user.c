// SPDX-License-Identifier: MIT
/*
 * Ring 3 support (see user.h). User copies run under a fault probe with
 * RFLAGS.AC set (stac), so SMAP lets exactly these accesses through and a
 * bad or unmapped address becomes -EFAULT instead of a kernel fault.
 */
#include "arch/x86_64/user.h"

#include "abi/errno.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/gdt.h"
#include "arch/x86_64/idt.h"
#include "base/string.h"
#include "percpu.h"

void syscall_entry(void);

void user_init_cpu(void)
{
	wrmsr(MSR_STAR,
	      ((uint64_t)GDT_USER_BASE << 48) | ((uint64_t)GDT_KCODE << 32));
	wrmsr(MSR_LSTAR, (uint64_t)syscall_entry);
	/* Clear IF, DF, TF and AC on entry. */
	wrmsr(MSR_SFMASK, RFLAGS_IF | (1ul << 10) | (1ul << 8) | RFLAGS_AC);
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SCE);
}

void user_enter(uint64_t rip, uint64_t rsp, uint64_t rdi, uint64_t rsi)
{
	struct trap_frame tf;

	memset(&tf, 0, sizeof(tf));
	tf.rip = rip;
	tf.rsp = rsp;
	tf.rdi = rdi;
	tf.rsi = rsi;
	tf.cs = GDT_UCODE;
	tf.ss = GDT_UDATA;
	tf.rflags = USER_RFLAGS;
	tf.vector = SYSCALL_VECTOR;
	user_enter_frame(&tf);
}

struct copy_req {
	void *dst;
	const void *src;
	size_t n;
};

static long do_copy(void *arg)
{
	struct copy_req *r = arg;

	__asm__ volatile("stac" ::: "memory");
	memcpy(r->dst, r->src, r->n);
	__asm__ volatile("clac" ::: "memory");
	return 0;
}

static bool in_range(uint64_t p, size_t n, uint64_t lo, uint64_t hi)
{
	return p >= lo && p <= hi && n <= hi - p;
}

int copy_from_user(void *dst, uint64_t src, size_t n, uint64_t lo, uint64_t hi)
{
	struct copy_req r = {dst, (const void *)src, n};
	struct probe_info pi;

	if (!in_range(src, n, lo, hi)) {
		return -EFAULT;
	}
	if (n == 0) {
		return 0;
	}
	/* A fault leaves AC set; the trap path restores RFLAGS anyway. */
	return probe_call(do_copy, &r, &pi) ? -EFAULT : 0;
}

int copy_to_user(uint64_t dst, const void *src, size_t n, uint64_t lo,
		 uint64_t hi)
{
	struct copy_req r = {(void *)dst, src, n};
	struct probe_info pi;

	if (!in_range(dst, n, lo, hi)) {
		return -EFAULT;
	}
	if (n == 0) {
		return 0;
	}
	return probe_call(do_copy, &r, &pi) ? -EFAULT : 0;
}
