// SPDX-License-Identifier: MIT
/*
 * The faulter test domain: misbehaves in exactly one way, chosen by its
 * start argument (faulter.h), so that the kernel's reaction can be
 * checked by tests/fault/fault_tests.c. Each case states what it does;
 * none of them may harm the kernel or another domain.
 */
#include <stdint.h>

#include "abi/errno.h"
#include "abi/syscall.h"
#include "rt/rt.h"
#include "rt/syscall.h"
#include "tests/fault/faulter/faulter.h"

static uint64_t parse_hex(const char *s)
{
	uint64_t v = 0;

	if (s[0] == '0' && s[1] == 'x') {
		s += 2;
	}
	for (; *s; s++) {
		unsigned int d;

		if (*s >= '0' && *s <= '9') {
			d = (unsigned int)(*s - '0');
		} else if (*s >= 'a' && *s <= 'f') {
			d = (unsigned int)(*s - 'a' + 10);
		} else {
			break;
		}
		v = v * 16 + d;
	}
	return v;
}

static volatile int sink;

/* Recurse until the stack runs into its guard page (depth is bounded
 * only to keep the compiler from calling this infinite). */
static int recurse(int depth)
{
	volatile char pad[512];

	pad[0] = (char)depth;
	if (depth > (1 << 30)) {
		return 0;
	}
	return recurse(depth + 1) + pad[0];
}

static int fault_thread(void *arg)
{
	sleep_ms(5);
	return *(volatile int *)arg;
}

static int idle_thread(void *arg)
{
	for (;;) {
		sleep_ms(1000);
	}
	return 0;
}

static int bad_pointer_syscalls(void)
{
	struct sys_dom_info *kernel_ptr = (void *)0xffffffff80100000ull;
	int ok = 0;

	if (sys_console_write((const char *)0xffffffff80100000ull, 16) ==
	    -EFAULT) {
		ok++;
	}
	if (sys_console_write((const char *)0x10, 16) == -EFAULT) {
		ok++;
	}
	if (sys_dom_info(kernel_ptr) == -EFAULT) {
		ok++;
	}
	/* A pointer into an unmapped part of our own region. */
	if (sys_dom_info((void *)(uintptr_t)(0x10000000ull + 12345)) ==
	    -EFAULT) {
		ok++;
	}
	return ok == 4 ? FAULTER_BADPTR_OK : ok;
}

int dom_main(uint64_t kind, const char *boot)
{
	uint64_t other = parse_hex(boot);

	switch (kind) {
	case FAULTER_EXIT_CLEANLY:
		return 0;
	case FAULTER_NULL_READ:
		return *(volatile int *)0;
	case FAULTER_NULL_WRITE:
		*(volatile int *)0 = 1;
		break;
	case FAULTER_WRITE_KERNEL:
		*(volatile uint64_t *)0xffffffff80100000ull = 1;
		break;
	case FAULTER_READ_OTHER:
		return *(volatile int *)(uintptr_t)(other + 0x1000);
	case FAULTER_WRITE_OTHER:
		*(volatile int *)(uintptr_t)(other + 0x1000) = 1;
		break;
	case FAULTER_JUMP_OTHER:
		((void (*)(void))(uintptr_t)(other + 0x1000))();
		break;
	case FAULTER_EXEC_STACK: {
		volatile uint8_t code[16] = {0xc3};

		((void (*)(void))(uintptr_t)code)();
		break;
	}
	case FAULTER_EXEC_HEAP: {
		uint8_t *p = malloc(64);

		p[0] = 0xc3;
		((void (*)(void))p)();
		break;
	}
	case FAULTER_WRITE_OWN_CODE:
		*(volatile uint8_t *)(uintptr_t)dom_main = 0xcc;
		break;
	case FAULTER_CLI:
		__asm__ volatile("cli");
		break;
	case FAULTER_HLT:
		__asm__ volatile("hlt");
		break;
	case FAULTER_MOV_CR3:
		__asm__ volatile("mov %0, %%cr3" : : "r"(0ull));
		break;
	case FAULTER_WRMSR:
		__asm__ volatile("wrmsr" : : "c"(0xc0000082u), "a"(0), "d"(0));
		break;
	case FAULTER_OUT:
		__asm__ volatile("outb %%al, $0xf4" : : "a"(0x11));
		break;
	case FAULTER_IN:
		__asm__ volatile("inb $0x60, %%al" : : : "rax");
		break;
	case FAULTER_LGDT: {
		struct {
			uint16_t limit;
			uint64_t base;
		} __attribute__((packed)) g = {0, 0};

		__asm__ volatile("lgdt %0" : : "m"(g));
		break;
	}
	case FAULTER_INVLPG:
		__asm__ volatile("invlpg (%0)" : : "r"(0x1000ull) : "memory");
		break;
	case FAULTER_DIV_ZERO: {
		volatile int zero = 0;

		sink = 10 / zero;
		break;
	}
	case FAULTER_UD2:
		__asm__ volatile("ud2");
		break;
	case FAULTER_INT3:
		__asm__ volatile("int3");
		break;
	case FAULTER_NONCANONICAL:
		return *(volatile int *)0x0000900000000000ull;
	case FAULTER_MISALIGNED_STACK:
		/* Push onto an odd, unmapped stack address. */
		__asm__ volatile("mov %0, %%rsp; push %%rax"
				 :
				 : "r"(0x20000001ull)
				 : "memory");
		break;
	case FAULTER_STACK_OVERFLOW:
		return recurse(0);
	case FAULTER_SPIN:
		for (;;) {
			__asm__ volatile("" ::: "memory");
		}
	case FAULTER_MEM_QUOTA:
		for (;;) {
			void *p;

			if (sys_mem_map(16, SYS_PROT_READ | SYS_PROT_WRITE,
					&p) < 0) {
				return 1; /* an error instead of a failure */
			}
		}
	case FAULTER_THREAD_QUOTA:
		for (;;) {
			uint64_t tid;

			if (thread_spawn(idle_thread, 0, &tid) < 0) {
				return 1;
			}
		}
	case FAULTER_PANIC:
		dom_panic("faulter: deliberate panic %d", 42);
	case FAULTER_BAD_SYSCALL:
		syscall0(9999);
		break;
	case FAULTER_BAD_POINTER_SYSCALL:
		return bad_pointer_syscalls();
	case FAULTER_FAULT_IN_THREAD: {
		uint64_t tid;

		if (thread_spawn(fault_thread, 0, &tid) < 0) {
			return 4;
		}
		for (;;) {
			sleep_ms(1000);
		}
	}
	default:
		return 2;
	}
	return 3; /* survived a fault that should have failed us */
}
