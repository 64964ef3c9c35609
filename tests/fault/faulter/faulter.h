/* SPDX-License-Identifier: MIT */
/*
 * What the "faulter" test domain does, chosen by its start argument.
 * Shared by the domain (faulter.c) and the kernel harness that starts it
 * (tests/fault/fault_tests.c).
 */
#pragma once

enum faulter_kind {
	FAULTER_EXIT_CLEANLY = 0,
	FAULTER_NULL_READ,
	FAULTER_NULL_WRITE,
	FAULTER_WRITE_KERNEL,
	FAULTER_READ_OTHER, /* boot string: the other domain's base */
	FAULTER_WRITE_OTHER,
	FAULTER_JUMP_OTHER,
	FAULTER_EXEC_STACK,
	FAULTER_EXEC_HEAP,
	FAULTER_WRITE_OWN_CODE,
	FAULTER_CLI,
	FAULTER_HLT,
	FAULTER_MOV_CR3,
	FAULTER_WRMSR,
	FAULTER_OUT,
	FAULTER_IN,
	FAULTER_LGDT,
	FAULTER_INVLPG,
	FAULTER_DIV_ZERO,
	FAULTER_UD2,
	FAULTER_INT3,
	FAULTER_NONCANONICAL,
	FAULTER_MISALIGNED_STACK,
	FAULTER_STACK_OVERFLOW,
	FAULTER_SPIN,
	FAULTER_MEM_QUOTA,
	FAULTER_THREAD_QUOTA,
	FAULTER_PANIC,
	FAULTER_BAD_SYSCALL,
	FAULTER_BAD_POINTER_SYSCALL, /* kernel must return -EFAULT */
	FAULTER_FAULT_IN_THREAD,     /* a second thread faults */
	FAULTER_NKINDS
};

/* Exit code of FAULTER_BAD_POINTER_SYSCALL when every call failed right. */
#define FAULTER_BADPTR_OK 77
